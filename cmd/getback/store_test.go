package main

import (
	"context"
	"path/filepath"
	"testing"
	"time"

	"github.com/getbackhq/getback/storage/postgres"
	"github.com/getbackhq/getback/storage/postgres/pgtest"
	"github.com/getbackhq/getback/storage/sqlite"
)

func TestOpenStoreTakesAFileOrAPostgresURL(t *testing.T) {
	now := func() time.Time { return time.Date(2026, 11, 26, 9, 0, 0, 0, time.UTC) }
	ctx := context.Background()
	file, err := openStore(ctx, config{DB: filepath.Join(t.TempDir(), "g.db"), Now: now}, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer file.Close()
	if _, ok := file.(*sqlite.DB); !ok {
		t.Fatalf("a file path opened %T, want SQLite", file)
	}
	pg, err := openStore(ctx, config{DB: pgtest.URL(t), Now: now}, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer pg.Close()
	if _, ok := pg.(*postgres.DB); !ok {
		t.Fatalf("a postgres:// URL opened %T, want PostgreSQL", pg)
	}
	if err := pg.Ping(ctx); err != nil {
		t.Fatal(err)
	}
}

func TestDBFlagNeverShowsThePassword(t *testing.T) {
	for _, tc := range []struct{ in, want string }{
		{"postgres://getback:s3cret@db:5432/getback?sslmode=require", "postgres://getback:xxxxx@db:5432/getback?sslmode=require"},
		{"postgres://getback@db/getback", "postgres://getback@db/getback"},
		{"./getback.db", "./getback.db"},
	} {
		v := dbFlag(tc.in)
		if got := v.String(); got != tc.want {
			t.Errorf("%q shown as %q, want %q", tc.in, got, tc.want)
		}
	}
}
