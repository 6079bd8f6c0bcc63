// Package postgres stores getback's data in PostgreSQL (jackc/pgx), for
// running several replicas of getback on one database. It implements the
// same bot services as storage/sqlite with the same semantics, held to the
// same contract suite (storage/storetest): every change and its audit
// entry are written in one transaction, and every instant comes from the
// clock the caller passes in, never from the server.
package postgres

import (
	"context"
	"embed"
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
	"path"
	"strconv"
	"strings"
	"sync/atomic"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgtype"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/getbackhq/getback/bot"
	"github.com/getbackhq/getback/storage/constraint"
	"github.com/getbackhq/getback/storage/sqlstore"
)

//go:embed migration/*.sql
var migrationFS embed.FS

// DB is an open getback database on a PostgreSQL server.
type DB struct {
	// Store provides the services PostgreSQL shares with SQLite.
	*sqlstore.Store

	pool *pgxpool.Pool
	// where names the database for messages: host, port and database,
	// never the password.
	where string

	// Now returns the current time; tests replace it. Each transaction reads
	// it once, so every row a transaction writes carries the same instant.
	Now func() time.Time

	// log receives what the store has to say outside any request's
	// answer; slog.Default unless WithLogger.
	log *slog.Logger

	// noMerge is set once the server refused to merge the search index's
	// pending list (CheckpointImport): imports then keep the default limit.
	noMerge atomic.Bool
}

// WithLogger makes the store log to l.
func WithLogger(l *slog.Logger) Option {
	return func(db *DB) {
		if l != nil {
			db.log = l
		}
	}
}

// Option configures a DB at Open.
type Option func(*DB)

// WithClock makes the store read now for every instant it records
// (created, updated, audited), so that it shares one clock with the rest of
// the process. The default is time.Now.
func WithClock(now func() time.Time) Option {
	return func(db *DB) { db.Now = now }
}

// IsURL reports whether s names a PostgreSQL database (a postgres:// or
// postgresql:// URL) rather than a SQLite file.
func IsURL(s string) bool {
	return strings.HasPrefix(s, "postgres://") || strings.HasPrefix(s, "postgresql://")
}

// Open connects to the database the URL names and migrates it to the
// current schema. Extra query parameters of the URL are passed to the
// server as settings, so "?search_path=getback" keeps getback's tables in
// a schema of their own. Errors never repeat the URL's password.
func Open(ctx context.Context, url string, opts ...Option) (*DB, error) {
	cfg, err := pgxpool.ParseConfig(url)
	if err != nil {
		// pgx's parse errors already hide the password.
		return nil, fmt.Errorf("open database: %w", err)
	}
	db := &DB{Now: time.Now, log: slog.Default(), where: fmt.Sprintf("postgres://%s:%d/%s", cfg.ConnConfig.Host, cfg.ConnConfig.Port, cfg.ConnConfig.Database)}
	for _, o := range opts {
		o(db)
	}
	db.Store = sqlstore.New(runner{db})
	if cfg.MaxConns < 8 {
		cfg.MaxConns = 8
	}
	if db.pool, err = pgxpool.NewWithConfig(ctx, cfg); err != nil {
		return nil, fmt.Errorf("open database %s: %w", db.where, err)
	}
	if err := db.pool.Ping(ctx); err != nil {
		db.pool.Close()
		return nil, fmt.Errorf("database %s does not answer: %w", db.where, redact(err))
	}
	if err := db.migrate(ctx); err != nil {
		db.pool.Close()
		return nil, err
	}
	return db, nil
}

// redact keeps the class of a connection error but not its details, which
// may carry the connection string.
func redact(err error) error {
	var ce *pgconn.ConnectError
	if errors.As(err, &ce) {
		return errors.New(ce.Unwrap().Error())
	}
	return err
}

// Where names the database (host, port and name; no password).
func (db *DB) Where() string { return db.where }

// Close closes the connection pool.
func (db *DB) Close() error {
	db.pool.Close()
	return nil
}

// Ping checks that the database answers.
func (db *DB) Ping(ctx context.Context) error {
	return db.pool.Ping(ctx)
}

// SchemaVersion returns the newest migration this build knows.
func SchemaVersion() int { return sqlstore.SchemaVersion(migrationFS) }

// migrate applies pending migrations in order, each in its own transaction,
// recording each in schema_migrations. Replicas starting together take
// turns: the first migrates, the others find nothing left to do.
func (db *DB) migrate(ctx context.Context) error {
	conn, err := db.pool.Acquire(ctx)
	if err != nil {
		return fmt.Errorf("open database %s: %w", db.where, err)
	}
	defer conn.Release()
	const lock = `SELECT pg_advisory_lock(hashtext('getback migrate ' || current_schema()))`
	if _, err := conn.Exec(ctx, lock); err != nil {
		return fmt.Errorf("open database %s: %w", db.where, err)
	}
	defer conn.Exec(context.WithoutCancel(ctx), `SELECT pg_advisory_unlock(hashtext('getback migrate ' || current_schema()))`)
	if _, err := conn.Exec(ctx, `CREATE TABLE IF NOT EXISTS schema_migrations (
		version integer PRIMARY KEY, name text NOT NULL, applied_at timestamptz NOT NULL)`); err != nil {
		return fmt.Errorf("open database %s: %w", db.where, err)
	}
	var current int
	if err := conn.QueryRow(ctx, `SELECT COALESCE(MAX(version), 0) FROM schema_migrations`).Scan(&current); err != nil {
		return fmt.Errorf("read schema version: %w", err)
	}
	ms, err := sqlstore.Migrations(migrationFS)
	if err != nil {
		return err
	}
	if known := SchemaVersion(); current > known {
		return fmt.Errorf("database %s has schema version %d, but this getback knows only up to version %d: "+
			"it was written by a newer getback; upgrade getback or point GETBACK_DB at another database", db.where, current, known)
	}
	applied, err := appliedVersions(ctx, conn)
	if err != nil {
		return fmt.Errorf("read schema version: %w", err)
	}
	for _, m := range ms {
		if applied[m.Version] {
			continue
		}
		body, err := fs.ReadFile(migrationFS, m.Name)
		if err != nil {
			return err
		}
		err = pgx.BeginFunc(ctx, conn, func(tx pgx.Tx) error {
			if _, err := tx.Exec(ctx, string(body)); err != nil {
				return err
			}
			_, err := tx.Exec(ctx, `INSERT INTO schema_migrations (version, name, applied_at) VALUES ($1, $2, $3)`,
				m.Version, path.Base(m.Name), db.Now().UTC())
			return err
		})
		if err != nil {
			return fmt.Errorf("migration %s: %w", m.Name, err)
		}
	}
	return nil
}

// Tx is a transaction with the instant it started, used for every
// timestamp it writes. Its queries take "?" placeholders.
type Tx struct {
	tx  pgx.Tx
	db  *DB
	now time.Time
	// s is the transaction as the shared services see it.
	s sqlstore.Tx
}

// rebind turns "?" placeholders into PostgreSQL's "$1", "$2", … (no query
// of this package has a "?" of its own).
func rebind(q string) string {
	if !strings.Contains(q, "?") {
		return q
	}
	var b strings.Builder
	b.Grow(len(q) + 16)
	n := 0
	for i := 0; i < len(q); i++ {
		if q[i] == '?' {
			n++
			b.WriteByte('$')
			b.WriteString(strconv.Itoa(n))
			continue
		}
		b.WriteByte(q[i])
	}
	return b.String()
}

func (tx *Tx) exec(ctx context.Context, q string, args ...any) (pgconn.CommandTag, error) {
	return tx.tx.Exec(ctx, rebind(q), args...)
}

func (tx *Tx) query(ctx context.Context, q string, args ...any) (pgx.Rows, error) {
	return tx.tx.Query(ctx, rebind(q), args...)
}

func (tx *Tx) queryRow(ctx context.Context, q string, args ...any) pgx.Row {
	return tx.tx.QueryRow(ctx, rebind(q), args...)
}

func (db *DB) begin(ctx context.Context, opts pgx.TxOptions) (*Tx, error) {
	t, err := db.pool.BeginTx(ctx, opts)
	if err != nil {
		return nil, err
	}
	tx := &Tx{tx: t, db: db, now: db.Now().UTC().Truncate(time.Microsecond)}
	tx.s = sqlstore.Tx{Q: querier{tx}, D: dialect{}, Now: tx.now}
	return tx, nil
}

// write runs fn in a read-write transaction and commits it, rolling back
// on error. Read-then-write paths lock what they read (FOR UPDATE, or a
// transaction lock on a name), so that replicas take turns.
func (db *DB) write(ctx context.Context, fn func(tx *Tx) error) error {
	tx, err := db.begin(ctx, pgx.TxOptions{})
	if err != nil {
		return formatError(err)
	}
	defer tx.tx.Rollback(context.WithoutCancel(ctx))
	if err := fn(tx); err != nil {
		return formatError(err)
	}
	return formatError(tx.tx.Commit(ctx))
}

// read runs fn in a read-only transaction: one consistent snapshot.
func (db *DB) read(ctx context.Context, fn func(tx *Tx) error) error {
	tx, err := db.begin(ctx, pgx.TxOptions{IsoLevel: pgx.RepeatableRead, AccessMode: pgx.ReadOnly})
	if err != nil {
		return formatError(err)
	}
	defer tx.tx.Rollback(context.WithoutCancel(ctx))
	return formatError(fn(tx))
}

// formatError turns constraint failures into domain errors, naming at most
// the column, never a table; other errors pass through (and surface as
// EINTERNAL).
func formatError(err error) error {
	if err == nil {
		return nil
	}
	var pe *pgconn.PgError
	if !errors.As(err, &pe) {
		return err
	}
	switch pe.Code {
	case "23505": // unique_violation
		return &bot.Error{Code: bot.ECONFLICT, Message: "That already exists."}
	case "23503": // foreign_key_violation
		return &bot.Error{Code: bot.ENOTFOUND, Message: "That refers to something that does not exist."}
	case "23514", "23502": // check_violation, not_null_violation
		if pe.ColumnName != "" {
			return constraint.Invalid(pe.ColumnName)
		}
		return constraint.Invalid(pe.ConstraintName)
	case "22001", "22003", "22007", "22008", "22P02", "22021": // too long, out of range, bad date or text
		return &bot.Error{Code: bot.EINVALID, Message: "That value is not allowed."}
	case "40P01", "40001": // lost a deadlock or a serialization race: nothing was written
		return &bot.Error{Code: bot.EUNAVAILABLE, Message: "Someone changed the same thing at the same moment; nothing was saved. Please try again."}
	}
	return err
}

// dateArg is a date parameter: NULL for the zero date.
func dateArg(d bot.Date) any {
	if d.IsZero() {
		return nil
	}
	return d.In(time.UTC)
}

// timeArg is a timestamp parameter: NULL for the zero time.
func timeArg(t time.Time) any {
	if t.IsZero() {
		return nil
	}
	return t.UTC()
}

// dateOf reads a date column.
func dateOf(d pgtype.Date) bot.Date {
	if !d.Valid {
		return bot.Date{}
	}
	return bot.DateOf(d.Time)
}

// timeOf reads a nullable timestamp column, in UTC.
func timeOf(t pgtype.Timestamptz) time.Time {
	if !t.Valid {
		return time.Time{}
	}
	return t.Time.UTC()
}

// limitOffset returns a LIMIT/OFFSET clause and its arguments appended to
// args; no limit is LIMIT ALL.
func limitOffset(args []any, limit, offset int) (string, []any) {
	if limit <= 0 {
		return " OFFSET ?", append(args, max(offset, 0))
	}
	return " LIMIT ? OFFSET ?", append(args, limit, max(offset, 0))
}

// Ensure DB implements every service getback persists through: those it
// shares with SQLite (sqlstore.Store) and its own.
var _ bot.Store = (*DB)(nil)

// appliedVersions returns the migrations recorded as applied: a missing
// one is applied even when a later one was.
func appliedVersions(ctx context.Context, conn *pgxpool.Conn) (map[int]bool, error) {
	rows, err := conn.Query(ctx, `SELECT version FROM schema_migrations`)
	if err != nil {
		return nil, err
	}
	versions, err := pgx.CollectRows(rows, pgx.RowTo[int])
	out := map[int]bool{}
	for _, v := range versions {
		out[v] = true
	}
	return out, err
}
