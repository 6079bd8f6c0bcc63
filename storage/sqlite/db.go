// Package sqlite stores getback's data in an embedded SQLite database
// (modernc.org/sqlite, pure Go). It implements the bot package's service
// interfaces; every change and its audit entry are written in one
// transaction.
package sqlite

import (
	"context"
	"database/sql"
	"embed"
	"errors"
	"fmt"
	"io/fs"
	"net/url"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	sqlitedrv "modernc.org/sqlite"
	sqlite3 "modernc.org/sqlite/lib"

	"github.com/getbackhq/getback/bot"
	"github.com/getbackhq/getback/storage/constraint"
	"github.com/getbackhq/getback/storage/sqlstore"
)

//go:embed migration/*.sql
var migrationFS embed.FS

// DB is an open getback database. Reads run on a pool of connections;
// writes run one at a time in IMMEDIATE transactions, so writers queue
// instead of failing with "database is locked".
type DB struct {
	// Store provides the services SQLite shares with PostgreSQL.
	*sqlstore.Store

	rdb  *sql.DB
	wdb  *sql.DB
	path string

	// wsem admits one write transaction at a time, rsem up to
	// maxReaders-1 read transactions: each pool keeps one connection
	// free, on which a statement seen for the first time is prepared.
	wsem, rsem chan struct{}
	memory     bool

	// stmts caches prepared statements by pool and SQL text; database/sql
	// keeps each prepared once per connection.
	stmts     sync.Map // stmtKey -> *sql.Stmt
	stmtCount atomic.Int64

	// Now returns the current time; tests replace it. Each transaction reads
	// it once, so every row a transaction writes carries the same instant.
	Now func() time.Time
}

// Option configures a DB at Open.
type Option func(*DB)

// WithClock makes the store read now for every instant it records
// (created, updated, audited), so that it shares one clock with the rest of
// the process. The default is time.Now.
func WithClock(now func() time.Time) Option {
	return func(db *DB) { db.Now = now }
}

// Open opens (creating if needed) the database at path and migrates it to
// the current schema. It fails with a clear message when the file was
// written by a newer version of getback.
func Open(ctx context.Context, path string, opts ...Option) (*DB, error) {
	if path == "" {
		return nil, fmt.Errorf("open database: no path given")
	}
	db := &DB{path: path, Now: time.Now, wsem: make(chan struct{}, 1), rsem: make(chan struct{}, maxReaders-1)}
	for _, o := range opts {
		o(db)
	}
	db.Store = sqlstore.New(runner{db})
	if path == ":memory:" {
		db.memory = true
		// One connection shared by readers and the writer: an in-memory
		// database lives and dies with its connection.
		conn, err := sql.Open("sqlite", dsn("file::memory:", "deferred"))
		if err != nil {
			return nil, err
		}
		conn.SetMaxOpenConns(1)
		conn.SetConnMaxLifetime(0)
		conn.SetConnMaxIdleTime(0)
		db.rdb, db.wdb = conn, conn
	} else {
		if dir := filepath.Dir(path); dir != "" {
			if err := os.MkdirAll(dir, 0o750); err != nil {
				return nil, fmt.Errorf("open database: %w", err)
			}
		}
		abs, err := filepath.Abs(path)
		if err != nil {
			return nil, err
		}
		u := (&url.URL{Scheme: "file", Path: abs}).String()
		if db.wdb, err = sql.Open("sqlite", dsn(u, "immediate")); err != nil {
			return nil, err
		}
		db.wdb.SetMaxOpenConns(2)
		db.wdb.SetMaxIdleConns(2)
		db.wdb.SetConnMaxIdleTime(0)
		db.wdb.SetConnMaxLifetime(0)
		if db.rdb, err = sql.Open("sqlite", dsn(u, "deferred")); err != nil {
			db.wdb.Close()
			return nil, err
		}
		db.rdb.SetMaxOpenConns(maxReaders)
		db.rdb.SetMaxIdleConns(maxReaders)
	}
	if err := db.migrate(ctx); err != nil {
		db.Close()
		return nil, err
	}
	// Let SQLite gather planner statistics where they are missing or stale
	// (cheap: it analyses only tables that need it, with a row limit).
	if _, err := db.wdb.ExecContext(ctx, `PRAGMA optimize=0x10002`); err != nil {
		db.Close()
		return nil, fmt.Errorf("optimize: %w", err)
	}
	return db, nil
}

// maxReaders is the size of the read pool.
const maxReaders = 8

// PageSize is the page size of a database this package creates (an
// existing database keeps its own). Meetings rows of about 2 KB fill 16 KB
// pages far better than SQLite's default 4 KB, and an import writes a
// quarter of the pages: the 100,000-row legacy sheet makes a 406 MB
// database instead of 481 MB, imported in 23 s instead of 28 s.
const PageSize = 16384

// dsn is the data source name of a connection: the page size of a new
// database (set before WAL mode, which fixes it), then the connection's
// settings. The journal mode is the driver's own key, applied after the
// _pragma list (which the driver runs in alphabetical order).
func dsn(base, txlock string) string {
	pragmas := []string{"page_size(" + strconv.Itoa(PageSize) + ")", "busy_timeout(10000)", "foreign_keys(1)", "synchronous(NORMAL)"}
	q := url.Values{"_pragma": pragmas, "_journal_mode": {"WAL"}, "_txlock": {txlock}}
	sep := "?"
	if strings.Contains(base, "?") {
		sep = "&"
	}
	return base + sep + q.Encode()
}

// Path returns the database file path.
func (db *DB) Path() string { return db.path }

// Close closes the database.
func (db *DB) Close() error {
	var errs []error
	db.stmts.Range(func(_, v any) bool {
		v.(*sql.Stmt).Close()
		return true
	})
	if db.wdb != nil {
		// Let SQLite refresh its planner statistics where they have drifted.
		db.wdb.Exec(`PRAGMA optimize`)
	}
	if db.wdb != nil {
		errs = append(errs, db.wdb.Close())
	}
	if db.rdb != nil && db.rdb != db.wdb {
		errs = append(errs, db.rdb.Close())
	}
	return errors.Join(errs...)
}

// Ping checks that the database answers.
func (db *DB) Ping(ctx context.Context) error {
	var n int
	return db.rdb.QueryRowContext(ctx, `SELECT 1`).Scan(&n)
}

// migrationSteps are Go steps that complete a numbered SQL migration in
// the same transaction, where the data needs the domain's rules.
var migrationSteps = map[int]func(context.Context, *sql.Tx) error{
	9: backfillMeetingRegions,
}

// SchemaVersion returns the newest migration this build knows.
func SchemaVersion() int { return sqlstore.SchemaVersion(migrationFS) }

// migrate applies pending migrations in order, each in its own transaction,
// recording each in schema_migrations.
func (db *DB) migrate(ctx context.Context) error {
	if _, err := db.wdb.ExecContext(ctx, `CREATE TABLE IF NOT EXISTS schema_migrations (
		version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at TEXT NOT NULL)`); err != nil {
		return fmt.Errorf("open database %s: %w", db.path, err)
	}
	var current int
	if err := db.wdb.QueryRowContext(ctx, `SELECT COALESCE(MAX(version), 0) FROM schema_migrations`).Scan(&current); err != nil {
		return fmt.Errorf("read schema version: %w", err)
	}
	ms, err := sqlstore.Migrations(migrationFS)
	if err != nil {
		return err
	}
	if known := SchemaVersion(); current > known {
		return fmt.Errorf("database %s has schema version %d, but this getback knows only up to version %d: "+
			"it was written by a newer getback; upgrade getback or point GETBACK_DB at another file", db.path, current, known)
	}
	applied, err := appliedVersions(ctx, db.wdb)
	if err != nil {
		return fmt.Errorf("read schema version: %w", err)
	}
	for _, m := range ms {
		if applied[m.Version] {
			continue
		}
		if err := db.applyMigration(ctx, m); err != nil {
			return fmt.Errorf("migration %s: %w", m.Name, err)
		}
	}
	return nil
}

func (db *DB) applyMigration(ctx context.Context, m sqlstore.Migration) error {
	body, err := fs.ReadFile(migrationFS, m.Name)
	if err != nil {
		return err
	}
	tx, err := db.wdb.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	defer tx.Rollback()
	if _, err := tx.ExecContext(ctx, string(body)); err != nil {
		return err
	}
	if step := migrationSteps[m.Version]; step != nil {
		if err := step(ctx, tx); err != nil {
			return err
		}
	}
	if _, err := tx.ExecContext(ctx, `INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, ?, ?)`,
		m.Version, filepath.Base(m.Name), formatTime(db.Now())); err != nil {
		return err
	}
	return tx.Commit()
}

// Tx is a transaction with the instant it started, used for every
// timestamp it writes. Its query methods reuse prepared statements.
type Tx struct {
	*sql.Tx
	db   *DB
	pool *sql.DB
	now  time.Time
	// s is the transaction as the shared services see it (see shared).
	s sqlstore.Tx
}

// shared returns the transaction as the shared services see it.
func (tx *Tx) shared() *sqlstore.Tx {
	if tx.s.Q == nil {
		tx.s = sqlstore.Tx{Q: querier{tx}, D: dialect{}, Now: tx.now}
	}
	return &tx.s
}

type stmtKey struct {
	pool  *sql.DB
	query string
}

// maxCachedStmts bounds the statement cache; queries beyond it are
// prepared each time.
const maxCachedStmts = 1000

// stmt returns the transaction's view of a cached prepared statement, or
// nil when the cache is full (or the database is in memory, where the one
// connection is always the transaction's).
func (tx *Tx) stmt(ctx context.Context, query string) (*sql.Stmt, error) {
	if tx.db.memory {
		return nil, nil
	}
	key := stmtKey{tx.pool, query}
	v, ok := tx.db.stmts.Load(key)
	if !ok {
		if tx.db.stmtCount.Load() >= maxCachedStmts {
			return nil, nil
		}
		st, err := tx.pool.PrepareContext(ctx, query)
		if err != nil {
			return nil, err
		}
		if prev, loaded := tx.db.stmts.LoadOrStore(key, st); loaded {
			st.Close()
			v = prev
		} else {
			tx.db.stmtCount.Add(1)
			v = st
		}
	}
	return tx.StmtContext(ctx, v.(*sql.Stmt)), nil
}

// QueryContext runs a query through the statement cache.
func (tx *Tx) QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error) {
	st, err := tx.stmt(ctx, query)
	if err != nil || st == nil {
		if err != nil {
			return nil, err
		}
		return tx.Tx.QueryContext(ctx, query, args...)
	}
	return st.QueryContext(ctx, args...)
}

// QueryRowContext runs a one-row query through the statement cache.
func (tx *Tx) QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row {
	st, err := tx.stmt(ctx, query)
	if err != nil || st == nil {
		return tx.Tx.QueryRowContext(ctx, query, args...)
	}
	return st.QueryRowContext(ctx, args...)
}

// ExecContext runs a statement through the statement cache.
func (tx *Tx) ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error) {
	st, err := tx.stmt(ctx, query)
	if err != nil || st == nil {
		if err != nil {
			return nil, err
		}
		return tx.Tx.ExecContext(ctx, query, args...)
	}
	return st.ExecContext(ctx, args...)
}

func acquire(ctx context.Context, sem chan struct{}) error {
	select {
	case sem <- struct{}{}:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

// write runs fn in a write transaction (BEGIN IMMEDIATE) and commits it,
// rolling back on error.
func (db *DB) write(ctx context.Context, fn func(tx *Tx) error) error {
	if err := acquire(ctx, db.wsem); err != nil {
		return err
	}
	defer func() { <-db.wsem }()
	sqlTx, err := db.wdb.BeginTx(ctx, nil)
	if err != nil {
		return formatError(err)
	}
	tx := &Tx{Tx: sqlTx, db: db, pool: db.wdb, now: db.Now().UTC().Truncate(time.Microsecond)}
	defer tx.Rollback()
	if err := fn(tx); err != nil {
		return formatError(err)
	}
	return formatError(tx.Commit())
}

// read runs fn in a read transaction: one consistent snapshot.
func (db *DB) read(ctx context.Context, fn func(tx *Tx) error) error {
	if err := acquire(ctx, db.rsem); err != nil {
		return err
	}
	defer func() { <-db.rsem }()
	sqlTx, err := db.rdb.BeginTx(ctx, &sql.TxOptions{ReadOnly: !db.memory})
	if err != nil {
		return formatError(err)
	}
	tx := &Tx{Tx: sqlTx, db: db, pool: db.rdb, now: db.Now().UTC().Truncate(time.Microsecond)}
	defer tx.Rollback()
	return formatError(fn(tx))
}

// readAll runs a query in a read transaction and scans every row.
func readAll[T any](ctx context.Context, db *DB, scan func(sqlstore.Row) (T, error), q string, args ...any) ([]T, error) {
	return sqlstore.ReadAll(ctx, db.Store, scan, q, args...)
}

// formatError turns constraint failures into domain errors, naming at most
// the field in words, never a table; other errors pass through (and surface as EINTERNAL).
func formatError(err error) error {
	if err == nil {
		return nil
	}
	var e *sqlitedrv.Error
	if !errors.As(err, &e) {
		return err
	}
	switch e.Code() {
	case sqlite3.SQLITE_CONSTRAINT_UNIQUE, sqlite3.SQLITE_CONSTRAINT_PRIMARYKEY:
		return &bot.Error{Code: bot.ECONFLICT, Message: "That already exists."}
	case sqlite3.SQLITE_CONSTRAINT_FOREIGNKEY:
		return &bot.Error{Code: bot.ENOTFOUND, Message: "That refers to something that does not exist."}
	case sqlite3.SQLITE_CONSTRAINT_CHECK, sqlite3.SQLITE_CONSTRAINT_NOTNULL:
		return constraint.Invalid(constraintDetail(e.Error()))
	}
	return err
}

// constraintDetail extracts what a SQLite constraint message names:
// "table.column" or the check's expression.
func constraintDetail(msg string) string {
	if i := strings.LastIndex(msg, "failed: "); i >= 0 {
		return strings.TrimRight(msg[i+len("failed: "):], ")")
	}
	return ""
}

// formatTime encodes an instant as stored: fixed-width text that sorts as
// the instants do.
func formatTime(t time.Time) string { return sqlstore.FormatTime(t) }

func nullTime(t time.Time) any {
	if t.IsZero() {
		return nil
	}
	return formatTime(t)
}

func parseTime(s sql.NullString) time.Time { return sqlstore.ParseTime(s.String) }

func nullDate(d bot.Date) any {
	if d.IsZero() {
		return nil
	}
	return d.String()
}

func parseDate(s sql.NullString) bot.Date {
	if !s.Valid {
		return bot.Date{}
	}
	d, _ := bot.ParseISODate(s.String)
	return d
}

// placeholders returns "?, ?, ?" for n arguments.
func placeholders(n int) string {
	return strings.TrimSuffix(strings.Repeat("?, ", n), ", ")
}

// limitOffset returns a LIMIT/OFFSET clause with placeholders (so that one
// prepared statement serves every page) and its arguments appended to args.
func limitOffset(args []any, limit, offset int) (string, []any) {
	if limit <= 0 {
		limit = -1
	}
	return " LIMIT ? OFFSET ?", append(args, limit, max(offset, 0))
}

// appliedVersions returns the migrations recorded as applied: a missing
// one is applied even when a later one was (a migration added by a branch
// merged after others).
func appliedVersions(ctx context.Context, q interface {
	QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error)
}) (map[int]bool, error) {
	rows, err := q.QueryContext(ctx, `SELECT version FROM schema_migrations`)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := map[int]bool{}
	for rows.Next() {
		var v int
		if err := rows.Scan(&v); err != nil {
			return nil, err
		}
		out[v] = true
	}
	return out, rows.Err()
}
