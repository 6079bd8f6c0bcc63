// Package pgtest gives tests a PostgreSQL database of their own: a fresh
// schema on the server that GETBACK_TEST_POSTGRES_URL names, dropped when
// the test ends, so that tests run in parallel without seeing each other.
package pgtest

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"fmt"
	"net/url"
	"os"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	_ "modernc.org/sqlite" // reads the SQLite store Seeded copies

	"github.com/getbackhq/getback/storage/postgres"
)

// EnvURL is the variable that points the tests at a PostgreSQL server,
// e.g. postgres://postgres@127.0.0.1:5432/test?sslmode=disable.
const EnvURL = "GETBACK_TEST_POSTGRES_URL"

// Skipped explains how to run the tests that were skipped.
const Skipped = "PostgreSQL tests skipped: set " + EnvURL + "=postgres://USER@HOST:5432/DB?sslmode=disable to run them"

var extOnce sync.Once

// URL returns the URL of a new, empty schema (named getback_test_…) on the
// test server; the schema is dropped when t ends. Without
// GETBACK_TEST_POSTGRES_URL the test is skipped, except under CI=true,
// where it fails: CI has a server and must use it.
func URL(t testing.TB) string {
	t.Helper()
	base := os.Getenv(EnvURL)
	if base == "" {
		if os.Getenv("CI") == "true" {
			t.Fatalf("%s is not set, and CI must run the PostgreSQL tests", EnvURL)
		}
		t.Skip(Skipped)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	conn, err := pgx.Connect(ctx, base)
	if err != nil {
		t.Fatalf("connect to %s: %v", EnvURL, err)
	}
	defer conn.Close(ctx)
	// unaccent lives in public, shared by every test schema (a database
	// holds one copy of an extension). Replicas of a test race to create
	// it; one wins, the others find it.
	extOnce.Do(func() {
		conn.Exec(ctx, `CREATE EXTENSION IF NOT EXISTS unaccent SCHEMA public`)
	})
	b := make([]byte, 6)
	rand.Read(b)
	// The name carries its birth by the server's clock (the test's may be
	// moved, see .ci/shift-clock): a schema left by a test binary that was
	// killed is dropped by a later run.
	var now int64
	if err := conn.QueryRow(ctx, `SELECT extract(epoch FROM now())::bigint`).Scan(&now); err != nil {
		t.Fatalf("read the server's clock: %v", err)
	}
	schema := fmt.Sprintf("getback_test_%d_%s", now, hex.EncodeToString(b))
	dropStale(ctx, conn, now)
	if _, err := conn.Exec(ctx, `CREATE SCHEMA `+schema); err != nil {
		t.Fatalf("create schema: %v", err)
	}
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		conn, err := pgx.Connect(ctx, base)
		if err != nil {
			t.Errorf("drop schema %s: %v", schema, err)
			return
		}
		defer conn.Close(ctx)
		if _, err := conn.Exec(ctx, `DROP SCHEMA `+schema+` CASCADE`); err != nil {
			t.Errorf("drop schema %s: %v", schema, err)
		}
	})
	return withSchema(t, base, schema)
}

// Seeded returns a store on a PostgreSQL copy of the getback SQLite
// database at sqlitePath, made once and kept in the schema
// getback_bench_NAME for later runs (the copy of a 100,000-meeting store
// takes minutes). Benchmarks share it: their writes stay in it. Without
// GETBACK_TEST_POSTGRES_URL the benchmark is skipped.
func Seeded(tb testing.TB, name, sqlitePath string) *postgres.DB {
	tb.Helper()
	base := os.Getenv(EnvURL)
	if base == "" {
		tb.Skip(Skipped)
	}
	ctx := context.Background()
	conn, err := pgx.Connect(ctx, base)
	if err != nil {
		tb.Fatalf("connect to %s: %v", EnvURL, err)
	}
	defer conn.Close(ctx)
	conn.Exec(ctx, `CREATE EXTENSION IF NOT EXISTS unaccent SCHEMA public`)
	schema := fmt.Sprintf("getback_bench_%s_v%d", strings.Map(func(r rune) rune {
		if r >= 'a' && r <= 'z' || r >= '0' && r <= '9' {
			return r
		}
		return '_'
	}, strings.ToLower(name)), postgres.SchemaVersion())
	var exists bool
	if err := conn.QueryRow(ctx, `SELECT EXISTS (SELECT 1 FROM pg_namespace WHERE nspname = $1)`, schema).Scan(&exists); err != nil {
		tb.Fatal(err)
	}
	if !exists {
		building := schema + "_building"
		for _, q := range []string{`DROP SCHEMA IF EXISTS ` + building + ` CASCADE`, `CREATE SCHEMA ` + building} {
			if _, err := conn.Exec(ctx, q); err != nil {
				tb.Fatal(err)
			}
		}
		db, err := postgres.Open(ctx, withSchema(tb, base, building))
		if err != nil {
			tb.Fatal(err)
		}
		src, err := sql.Open("sqlite", (&url.URL{Scheme: "file", Path: sqlitePath, RawQuery: "mode=ro"}).String())
		if err != nil {
			tb.Fatal(err)
		}
		_, err = db.CopyFrom(ctx, src)
		src.Close()
		db.Close()
		if err != nil {
			tb.Fatalf("copy %s into PostgreSQL: %v", sqlitePath, err)
		}
		// Vacuumed, as autovacuum would leave a store in use: counts then
		// read indexes alone.
		for _, q := range []string{`ALTER SCHEMA ` + building + ` RENAME TO ` + schema,
			`VACUUM ANALYZE ` + schema + `.meetings, ` + schema + `.getbacks, ` + schema + `.meeting_states, ` + schema + `.meeting_regions, ` + schema + `.people`} {
			if _, err := conn.Exec(ctx, q); err != nil {
				tb.Fatal(err)
			}
		}
	}
	db, err := postgres.Open(ctx, withSchema(tb, base, schema))
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { db.Close() })
	return db
}

func withSchema(tb testing.TB, base, schema string) string {
	u, err := url.Parse(base)
	if err != nil {
		tb.Fatalf("%s: %v", EnvURL, err)
	}
	q := u.Query()
	q.Set("search_path", schema)
	u.RawQuery = q.Encode()
	return u.String()
}

// staleAfter is how old a test schema is when a later run drops it: no
// test runs that long.
const staleAfter = 2 * time.Hour

// dropStale drops the test schemas that tests killed before their
// cleanup left behind.
func dropStale(ctx context.Context, conn *pgx.Conn, now int64) {
	rows, err := conn.Query(ctx, `SELECT nspname FROM pg_namespace WHERE nspname LIKE 'getback\_test\_%'`)
	if err != nil {
		return
	}
	names, err := pgx.CollectRows(rows, pgx.RowTo[string])
	if err != nil {
		return
	}
	for _, n := range names {
		born, _, _ := strings.Cut(strings.TrimPrefix(n, "getback_test_"), "_")
		sec, err := strconv.ParseInt(born, 10, 64)
		if err != nil || time.Duration(now-sec)*time.Second < staleAfter {
			continue
		}
		conn.Exec(ctx, `DROP SCHEMA IF EXISTS `+pgx.Identifier{n}.Sanitize()+` CASCADE`)
	}
}
