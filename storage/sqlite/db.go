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
	"sort"
	"strconv"
	"strings"
	"time"

	sqlitedrv "modernc.org/sqlite"
	sqlite3 "modernc.org/sqlite/lib"

	"github.com/getbackhq/getback/bot"
)

//go:embed migration/*.sql
var migrationFS embed.FS

// DB is an open getback database. Reads run on a pool of connections;
// writes go through a single connection that begins IMMEDIATE transactions,
// so writers queue instead of failing with "database is locked".
type DB struct {
	rdb  *sql.DB
	wdb  *sql.DB
	path string

	// Now returns the current time; tests replace it. Each transaction reads
	// it once, so every row a transaction writes carries the same instant.
	Now func() time.Time
}

// Open opens (creating if needed) the database at path and migrates it to
// the current schema. It fails with a clear message when the file was
// written by a newer version of getback.
func Open(ctx context.Context, path string) (*DB, error) {
	if path == "" {
		return nil, fmt.Errorf("open database: no path given")
	}
	db := &DB{path: path, Now: time.Now}
	if path == ":memory:" {
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
		db.wdb.SetMaxOpenConns(1)
		db.wdb.SetConnMaxIdleTime(0)
		db.wdb.SetConnMaxLifetime(0)
		if db.rdb, err = sql.Open("sqlite", dsn(u, "deferred")); err != nil {
			db.wdb.Close()
			return nil, err
		}
		db.rdb.SetMaxOpenConns(8)
		db.rdb.SetMaxIdleConns(8)
	}
	if err := db.migrate(ctx); err != nil {
		db.Close()
		return nil, err
	}
	return db, nil
}

func dsn(base, txlock string) string {
	pragmas := []string{"busy_timeout(10000)", "foreign_keys(1)", "journal_mode(WAL)", "synchronous(NORMAL)"}
	q := url.Values{"_pragma": pragmas, "_txlock": {txlock}}
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

type migration struct {
	version int
	name    string
}

func migrations() ([]migration, error) {
	names, err := fs.Glob(migrationFS, "migration/*.sql")
	if err != nil {
		return nil, err
	}
	var out []migration
	for _, n := range names {
		base := filepath.Base(n)
		prefix, _, _ := strings.Cut(base, "_")
		v, err := strconv.Atoi(prefix)
		if err != nil {
			return nil, fmt.Errorf("migration %s: name must start with a number", base)
		}
		out = append(out, migration{v, n})
	}
	sort.Slice(out, func(i, j int) bool { return out[i].version < out[j].version })
	return out, nil
}

// SchemaVersion returns the newest migration this build knows.
func SchemaVersion() int {
	ms, _ := migrations()
	if len(ms) == 0 {
		return 0
	}
	return ms[len(ms)-1].version
}

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
	ms, err := migrations()
	if err != nil {
		return err
	}
	if known := SchemaVersion(); current > known {
		return fmt.Errorf("database %s has schema version %d, but this getback knows only up to version %d: "+
			"it was written by a newer getback; upgrade getback or point GETBACK_DB at another file", db.path, current, known)
	}
	for _, m := range ms {
		if m.version <= current {
			continue
		}
		if err := db.applyMigration(ctx, m); err != nil {
			return fmt.Errorf("migration %s: %w", m.name, err)
		}
	}
	return nil
}

func (db *DB) applyMigration(ctx context.Context, m migration) error {
	body, err := fs.ReadFile(migrationFS, m.name)
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
	if _, err := tx.ExecContext(ctx, `INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, ?, ?)`,
		m.version, filepath.Base(m.name), formatTime(db.Now())); err != nil {
		return err
	}
	return tx.Commit()
}

// Tx is a transaction with the instant it started, used for every
// timestamp it writes.
type Tx struct {
	*sql.Tx
	db  *DB
	now time.Time
}

// beginWrite starts a write transaction (BEGIN IMMEDIATE on the writer).
func (db *DB) beginWrite(ctx context.Context) (*Tx, error) {
	tx, err := db.wdb.BeginTx(ctx, nil)
	if err != nil {
		return nil, formatError(err)
	}
	return &Tx{Tx: tx, db: db, now: db.Now().UTC().Truncate(time.Microsecond)}, nil
}

// beginRead starts a read transaction: one consistent snapshot.
func (db *DB) beginRead(ctx context.Context) (*Tx, error) {
	tx, err := db.rdb.BeginTx(ctx, &sql.TxOptions{ReadOnly: db.rdb != db.wdb})
	if err != nil {
		return nil, formatError(err)
	}
	return &Tx{Tx: tx, db: db, now: db.Now().UTC().Truncate(time.Microsecond)}, nil
}

// write runs fn in a write transaction and commits it, rolling back on error.
func (db *DB) write(ctx context.Context, fn func(tx *Tx) error) error {
	tx, err := db.beginWrite(ctx)
	if err != nil {
		return err
	}
	defer tx.Rollback()
	if err := fn(tx); err != nil {
		return formatError(err)
	}
	return formatError(tx.Commit())
}

// read runs fn in a read transaction.
func (db *DB) read(ctx context.Context, fn func(tx *Tx) error) error {
	tx, err := db.beginRead(ctx)
	if err != nil {
		return err
	}
	defer tx.Rollback()
	return formatError(fn(tx))
}

// formatError turns constraint failures into domain errors; other errors
// pass through (and surface as EINTERNAL).
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
		return &bot.Error{Code: bot.EINVALID, Message: "That value is not allowed: " + constraintName(e.Error())}
	}
	return err
}

// constraintName extracts "table.column" or the check's name from a SQLite
// constraint message.
func constraintName(msg string) string {
	if i := strings.LastIndex(msg, "failed: "); i >= 0 {
		return strings.TrimRight(msg[i+len("failed: "):], ")")
	}
	return "constraint failed"
}

// timeLayout is fixed-width so that stored instants sort as text.
const timeLayout = "2006-01-02T15:04:05.000000Z"

func formatTime(t time.Time) string { return t.UTC().Format(timeLayout) }

func nullTime(t time.Time) any {
	if t.IsZero() {
		return nil
	}
	return formatTime(t)
}

func parseTime(s sql.NullString) time.Time {
	if !s.Valid || s.String == "" {
		return time.Time{}
	}
	t, err := time.Parse(timeLayout, s.String)
	if err != nil {
		t, _ = time.Parse(time.RFC3339Nano, s.String)
	}
	return t
}

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

func nullString(s string) any {
	if s == "" {
		return nil
	}
	return s
}

// placeholders returns "?, ?, ?" for n arguments.
func placeholders(n int) string {
	return strings.TrimSuffix(strings.Repeat("?, ", n), ", ")
}

func limitOffset(limit, offset int) string {
	switch {
	case limit > 0 && offset > 0:
		return fmt.Sprintf(" LIMIT %d OFFSET %d", limit, offset)
	case limit > 0:
		return fmt.Sprintf(" LIMIT %d", limit)
	case offset > 0:
		return fmt.Sprintf(" LIMIT -1 OFFSET %d", offset)
	}
	return ""
}

func nullStr(s string) sql.NullString { return sql.NullString{String: s, Valid: true} }
