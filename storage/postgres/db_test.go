package postgres_test

import (
	"context"
	"strings"
	"testing"

	"github.com/jackc/pgx/v5"

	"github.com/getbackhq/getback/storage/postgres"
	"github.com/getbackhq/getback/storage/postgres/pgtest"
)

func TestMigrationsRunOnceAndReopenAppliesNothing(t *testing.T) {
	url := pgtest.URL(t)
	ctx := context.Background()
	for range 2 {
		db, err := postgres.Open(ctx, url)
		if err != nil {
			t.Fatal(err)
		}
		db.Close()
	}
	conn, err := pgx.Connect(ctx, url)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(ctx)
	var n, maxV int
	if err := conn.QueryRow(ctx, `SELECT COUNT(*), MAX(version) FROM schema_migrations`).Scan(&n, &maxV); err != nil {
		t.Fatal(err)
	}
	if n != postgres.SchemaVersion() || maxV != postgres.SchemaVersion() {
		t.Fatalf("%d migrations recorded up to %d; want each of %d once", n, maxV, postgres.SchemaVersion())
	}
	var idx string
	if err := conn.QueryRow(ctx, `SELECT indexdef FROM pg_indexes WHERE indexname = 'meetings_search'`).Scan(&idx); err != nil || !strings.Contains(idx, "gin") {
		t.Fatalf("full-text index: %q %v", idx, err)
	}
}

func TestReplicasStartingTogetherMigrateOnce(t *testing.T) {
	url := pgtest.URL(t)
	errs := make(chan error, 4)
	for range 4 {
		go func() {
			db, err := postgres.Open(context.Background(), url)
			if err == nil {
				db.Close()
			}
			errs <- err
		}()
	}
	for range 4 {
		if err := <-errs; err != nil {
			t.Fatal(err)
		}
	}
}

func TestOpenRefusesNewerSchema(t *testing.T) {
	url := pgtest.URL(t)
	ctx := context.Background()
	db, err := postgres.Open(ctx, url)
	if err != nil {
		t.Fatal(err)
	}
	db.Close()
	conn, err := pgx.Connect(ctx, url)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := conn.Exec(ctx, `INSERT INTO schema_migrations (version, name, applied_at) VALUES (999, '0999_future.sql', now())`); err != nil {
		t.Fatal(err)
	}
	conn.Close(ctx)
	_, err = postgres.Open(ctx, url)
	if err == nil || !strings.Contains(err.Error(), "newer getback") || !strings.Contains(err.Error(), "999") {
		t.Fatalf("Open = %v, want a clear 'newer getback' error naming version 999", err)
	}
}

func TestUnreachableDatabaseErrorKeepsThePasswordSecret(t *testing.T) {
	// Nothing listens on port 1.
	_, err := postgres.Open(context.Background(), "postgres://getback:s3cret-pw@127.0.0.1:1/getback?sslmode=disable&connect_timeout=2")
	if err == nil {
		t.Fatal("Open of an unreachable database succeeded")
	}
	if strings.Contains(err.Error(), "s3cret-pw") {
		t.Fatalf("error shows the password: %v", err)
	}
	if !strings.Contains(err.Error(), "127.0.0.1") {
		t.Fatalf("error does not say which database: %v", err)
	}
}
