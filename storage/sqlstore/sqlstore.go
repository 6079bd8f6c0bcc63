// Package sqlstore holds the store logic that storage/sqlite and
// storage/postgres share: the services of bot.Store written once against a
// Querier (the statements of one transaction, with "?" placeholders) and a
// Dialect (how the two databases differ: how instants and dates are
// encoded, how an insert returns its id, how rows and names are locked).
// Each store embeds a *Store built over its own transactions and keeps in
// its own package what only its database does (migrations, full-text
// search, claims, backups).
package sqlstore

import (
	"context"
	"database/sql"
	"errors"
	"sync/atomic"
	"time"

	"github.com/getbackhq/getback/bot"
)

// Result is what an Exec reports.
type Result interface {
	RowsAffected() (int64, error)
}

// Row is one row of a query, or its error.
type Row interface {
	Scan(dest ...any) error
}

// Rows are the rows of a query. *sql.Rows is one.
type Rows interface {
	Next() bool
	Scan(dest ...any) error
	Err() error
	Close() error
}

// Querier runs statements inside one transaction. Queries take "?"
// placeholders; a Row with no result fails with an error that is
// sql.ErrNoRows (errors.Is).
type Querier interface {
	Exec(ctx context.Context, query string, args ...any) (Result, error)
	Query(ctx context.Context, query string, args ...any) (Rows, error)
	QueryRow(ctx context.Context, query string, args ...any) Row
}

// Dialect describes what differs between the databases for the shared
// statements.
type Dialect interface {
	// Time encodes an instant as a parameter.
	Time(t time.Time) any
	// NullTime encodes an instant, NULL when it is zero.
	NullTime(t time.Time) any
	// Date encodes a date compared with a date column.
	Date(d bot.Date) any
	// NullDate encodes a date to store, NULL when it is zero.
	NullDate(d bot.Date) any
	// LimitOffset returns a LIMIT/OFFSET clause and its arguments appended
	// to args; a limit of zero or less means no limit.
	LimitOffset(args []any, limit, offset int) (string, []any)
	// In returns the condition "col is one of vals" and its arguments;
	// vals is not empty.
	In(col string, vals []string) (string, []any)
	// Insert runs an INSERT statement and returns the new row's id; ok is
	// false when the statement inserted nothing (ON CONFLICT DO NOTHING).
	Insert(ctx context.Context, q Querier, query string, args ...any) (id int64, ok bool, err error)
	// ForUpdate is the clause that makes a SELECT lock the rows of alias it
	// reads until the transaction ends, or "" where writers never overlap.
	ForUpdate(alias string) string
	// LockKey takes a transaction-scoped lock on a name, so that a
	// read-then-write of a row that may not exist yet is not interleaved
	// with another writer's; a no-op where writers never overlap.
	LockKey(ctx context.Context, q Querier, parts ...string) error
	// Fence is the clause that ends a subquery the planner must read
	// first, not flatten into the query around it, or "" where the planner
	// needs no fence.
	Fence() string
	// IndexMeeting keeps a full-text index of meetings where one is kept
	// apart from the rows: before is the meeting as stored until now (nil
	// for a new one), after as stored from now on (nil when deleted).
	IndexMeeting(ctx context.Context, q Querier, before, after *bot.Meeting) error
	// IndexNewMeetings is IndexMeeting for meetings just inserted by one
	// transaction, in the order of their ids.
	IndexNewMeetings(ctx context.Context, q Querier, ms []*bot.Meeting) error
	// DeferDurability lets the transaction's commit return before its
	// writes reach the disk, where the database allows it: for writes whose
	// loss in a crash does no harm.
	DeferDurability(ctx context.Context, q Querier) error
	// Bytewise is the clause that makes an ORDER BY term compare text byte
	// by byte, or "" where that is the default.
	Bytewise() string
}

// Tx is a transaction of a store: its statements, its database's dialect,
// and the instant it started, used for every timestamp it writes.
type Tx struct {
	Q   Querier
	D   Dialect
	Now time.Time

	// stateRegions caches each workspace's state table for the
	// transaction (cleared when the transaction changes it).
	stateRegions map[string]map[string]int
}

// Exec runs a statement.
func (tx *Tx) Exec(ctx context.Context, query string, args ...any) (Result, error) {
	return tx.Q.Exec(ctx, query, args...)
}

// Query runs a query.
func (tx *Tx) Query(ctx context.Context, query string, args ...any) (Rows, error) {
	return tx.Q.Query(ctx, query, args...)
}

// QueryRow runs a query of one row.
func (tx *Tx) QueryRow(ctx context.Context, query string, args ...any) Row {
	return tx.Q.QueryRow(ctx, query, args...)
}

// Runner runs fn in a transaction: Read in a read-only one (one
// consistent snapshot), Write in one that is committed when fn succeeds
// and rolled back otherwise. Both turn database errors into domain errors.
type Runner interface {
	Read(ctx context.Context, fn func(tx *Tx) error) error
	Write(ctx context.Context, fn func(tx *Tx) error) error
}

// Store implements the services both databases share over a Runner.
type Store struct {
	run       Runner
	seenCount atomic.Int64 // FirstSeen calls that recorded a new key
}

// New returns the shared services run by r.
func New(r Runner) *Store { return &Store{run: r} }

func (s *Store) read(ctx context.Context, fn func(tx *Tx) error) error  { return s.run.Read(ctx, fn) }
func (s *Store) write(ctx context.Context, fn func(tx *Tx) error) error { return s.run.Write(ctx, fn) }

// QueryAll runs a query in tx and scans every row.
func QueryAll[T any](ctx context.Context, tx *Tx, scan func(Row) (T, error), q string, args ...any) ([]T, error) {
	rows, err := tx.Query(ctx, q, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []T
	for rows.Next() {
		v, err := scan(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, v)
	}
	return out, rows.Err()
}

// ReadAll runs a query in a read transaction of s and scans every row.
func ReadAll[T any](ctx context.Context, s *Store, scan func(Row) (T, error), q string, args ...any) ([]T, error) {
	var out []T
	err := s.read(ctx, func(tx *Tx) error {
		var err error
		out, err = QueryAll(ctx, tx, scan, q, args...)
		return err
	})
	return out, err
}

// NullString is s, or NULL when it is empty.
func NullString(s string) any {
	if s == "" {
		return nil
	}
	return s
}

// noRows reports whether err says a one-row query found nothing.
func noRows(err error) bool { return errors.Is(err, sql.ErrNoRows) }
