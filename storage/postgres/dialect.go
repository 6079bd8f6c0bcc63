package postgres

import (
	"context"
	"errors"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/getbackhq/getback/bot"
	"github.com/getbackhq/getback/storage/sqlstore"
)

// dialect is PostgreSQL's sqlstore.Dialect: instants as timestamptz,
// dates as date, and replicas writing at once, so rows and names are
// locked where a transaction reads before it writes.
type dialect struct{}

func (dialect) Time(t time.Time) any          { return t.UTC() }
func (dialect) NullTime(t time.Time) any      { return timeArg(t) }
func (dialect) Date(d bot.Date) any           { return dateArg(d) }
func (dialect) NullDate(d bot.Date) any       { return dateArg(d) }
func (dialect) ForUpdate(alias string) string { return " FOR UPDATE OF " + alias }
func (dialect) Bytewise() string              { return ` COLLATE "C"` }
func (dialect) Fence() string                 { return " OFFSET 0" }

// IndexNewMeetings does nothing: the search column follows from the row.
func (dialect) IndexNewMeetings(context.Context, sqlstore.Querier, []*bot.Meeting) error {
	return nil
}

// IndexMeeting does nothing: the search column follows from the row.
func (dialect) IndexMeeting(context.Context, sqlstore.Querier, *bot.Meeting, *bot.Meeting) error {
	return nil
}

func (dialect) LimitOffset(args []any, limit, offset int) (string, []any) {
	return limitOffset(args, limit, offset)
}

func (dialect) In(col string, vals []string) (string, []any) {
	return col + " = ANY(?)", []any{vals}
}

func (dialect) Insert(ctx context.Context, q sqlstore.Querier, query string, args ...any) (int64, bool, error) {
	var id int64
	err := q.QueryRow(ctx, query+" RETURNING id", args...).Scan(&id)
	if errors.Is(err, pgx.ErrNoRows) {
		return 0, false, nil
	}
	return id, err == nil, err
}

// LockKey takes a transaction-scoped lock on a name, so that a
// read-then-write of a row that may not exist yet is not interleaved with
// another replica's.
func (dialect) LockKey(ctx context.Context, q sqlstore.Querier, parts ...string) error {
	key := ""
	for _, p := range parts {
		key += p + "\x1f"
	}
	_, err := q.Exec(ctx, `SELECT pg_advisory_xact_lock(hashtextextended(?, 0))`, "getback "+key)
	return err
}

// DeferDurability turns synchronous commit off for the transaction: a
// later synchronous commit flushes its writes too.
func (dialect) DeferDurability(ctx context.Context, q sqlstore.Querier) error {
	_, err := q.Exec(ctx, `SET LOCAL synchronous_commit = off`)
	return err
}

// querier runs the shared statements in a Tx, with "?" placeholders.
type querier struct{ tx *Tx }

// result is the count of rows a statement changed.
type result int64

func (r result) RowsAffected() (int64, error) { return int64(r), nil }

// rows gives pgx's rows the Close of database/sql.
type rows struct{ pgx.Rows }

func (r rows) Close() error {
	r.Rows.Close()
	return r.Rows.Err()
}

func (q querier) Exec(ctx context.Context, query string, args ...any) (sqlstore.Result, error) {
	tag, err := q.tx.exec(ctx, query, args...)
	if err != nil {
		return nil, err
	}
	return result(tag.RowsAffected()), nil
}

func (q querier) Query(ctx context.Context, query string, args ...any) (sqlstore.Rows, error) {
	r, err := q.tx.query(ctx, query, args...)
	if err != nil {
		return nil, err
	}
	return rows{r}, nil
}

func (q querier) QueryRow(ctx context.Context, query string, args ...any) sqlstore.Row {
	return q.tx.queryRow(ctx, query, args...)
}

// runner runs the shared services' transactions as the DB runs its own.
type runner struct{ db *DB }

func (r runner) Read(ctx context.Context, fn func(*sqlstore.Tx) error) error {
	return r.db.read(ctx, func(tx *Tx) error { return fn(&tx.s) })
}

func (r runner) Write(ctx context.Context, fn func(*sqlstore.Tx) error) error {
	return r.db.write(ctx, func(tx *Tx) error { return fn(&tx.s) })
}
