// Package pgtest gives tests a PostgreSQL database of their own: a fresh
// schema on the server that GETBACK_TEST_POSTGRES_URL names, dropped when
// the test ends, so that tests run in parallel without seeing each other.
package pgtest

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"net/url"
	"os"
	"sync"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
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
	schema := "getback_test_" + hex.EncodeToString(b)
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
	u, err := url.Parse(base)
	if err != nil {
		t.Fatalf("%s: %v", EnvURL, err)
	}
	q := u.Query()
	q.Set("search_path", schema)
	u.RawQuery = q.Encode()
	return u.String()
}
