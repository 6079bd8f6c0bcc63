package sqlite

import (
	"context"
	"database/sql"
	"time"

	"github.com/getbackhq/getback/bot"
	"github.com/getbackhq/getback/storage/sqlstore"
)

// dialect is SQLite's sqlstore.Dialect: instants as fixed-width text,
// dates as ISO text, and one writer at a time, so no row or name locks.
type dialect struct{}

func (dialect) Time(t time.Time) any     { return formatTime(t) }
func (dialect) NullTime(t time.Time) any { return nullTime(t) }
func (dialect) Date(d bot.Date) any      { return d.String() }
func (dialect) NullDate(d bot.Date) any  { return nullDate(d) }
func (dialect) ForUpdate(string) string  { return "" }
func (dialect) Bytewise() string         { return "" }
func (dialect) Fence() string            { return "" }

// IndexNewMeetings indexes the meetings in one statement: the writer is
// alone, so the new rows have consecutive ids.
func (dialect) IndexNewMeetings(ctx context.Context, q sqlstore.Querier, ms []*bot.Meeting) error {
	_, err := q.Exec(ctx, `INSERT INTO meetings_fts (rowid, `+ftsCols+`) SELECT id, `+ftsCols+`
		FROM meetings WHERE id BETWEEN ? AND ?`, ms[0].ID, ms[len(ms)-1].ID)
	return err
}

func (dialect) IndexMeeting(ctx context.Context, q sqlstore.Querier, before, after *bot.Meeting) error {
	return indexMeeting(ctx, q, before, after)
}

func (dialect) LimitOffset(args []any, limit, offset int) (string, []any) {
	return limitOffset(args, limit, offset)
}

func (dialect) In(col string, vals []string) (string, []any) {
	args := make([]any, len(vals))
	for i, v := range vals {
		args[i] = v
	}
	return col + " IN (" + placeholders(len(vals)) + ")", args
}

func (dialect) Insert(ctx context.Context, q sqlstore.Querier, query string, args ...any) (int64, bool, error) {
	res, err := q.Exec(ctx, query, args...)
	if err != nil {
		return 0, false, err
	}
	n, err := res.RowsAffected()
	if err != nil || n == 0 {
		return 0, false, err
	}
	id, err := res.(sql.Result).LastInsertId()
	return id, true, err
}

func (dialect) LockKey(context.Context, sqlstore.Querier, ...string) error { return nil }

func (dialect) DeferDurability(context.Context, sqlstore.Querier) error { return nil }

// sqlQuerier is what both a *sql.Tx and a *Tx offer.
type sqlQuerier interface {
	ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error)
	QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error)
	QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row
}

// querier runs the shared statements (through a Tx, its statement cache).
type querier struct{ q sqlQuerier }

func (q querier) Exec(ctx context.Context, query string, args ...any) (sqlstore.Result, error) {
	return q.q.ExecContext(ctx, query, args...)
}

func (q querier) Query(ctx context.Context, query string, args ...any) (sqlstore.Rows, error) {
	rows, err := q.q.QueryContext(ctx, query, args...)
	if err != nil {
		return nil, err
	}
	return rows, nil
}

func (q querier) QueryRow(ctx context.Context, query string, args ...any) sqlstore.Row {
	return q.q.QueryRowContext(ctx, query, args...)
}

// runner runs the shared services' transactions as the DB runs its own.
type runner struct{ db *DB }

func (r runner) Read(ctx context.Context, fn func(*sqlstore.Tx) error) error {
	return r.db.read(ctx, func(tx *Tx) error { return fn(tx.shared()) })
}

func (r runner) Write(ctx context.Context, fn func(*sqlstore.Tx) error) error {
	return r.db.write(ctx, func(tx *Tx) error { return fn(tx.shared()) })
}
