package sqlite_test

import (
	"context"
	"database/sql"
	"path/filepath"
	"strings"
	"testing"

	_ "modernc.org/sqlite"

	"github.com/getbackhq/getback/bot"
	"github.com/getbackhq/getback/storage/sqlite"
)

const ws = "console"

func ctxAs(user string) context.Context {
	return bot.WithActor(context.Background(), bot.Actor{Workspace: ws, UserID: user})
}

func TestMigrationsFromZero(t *testing.T) {
	path := filepath.Join(t.TempDir(), "g.db")
	ctx := context.Background()
	db, err := sqlite.Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	db.Close()
	// Reopening applies nothing again.
	if db, err = sqlite.Open(ctx, path); err != nil {
		t.Fatal(err)
	}
	db.Close()

	raw, err := sql.Open("sqlite", path)
	if err != nil {
		t.Fatal(err)
	}
	defer raw.Close()
	var n, maxV int
	if err := raw.QueryRow(`SELECT COUNT(*), MAX(version) FROM schema_migrations`).Scan(&n, &maxV); err != nil {
		t.Fatal(err)
	}
	if n != sqlite.SchemaVersion() || maxV != sqlite.SchemaVersion() {
		t.Fatalf("%d migrations recorded up to %d; want each of %d once", n, maxV, sqlite.SchemaVersion())
	}
	var mode string
	if err := raw.QueryRow(`PRAGMA journal_mode`).Scan(&mode); err != nil || mode != "wal" {
		t.Fatalf("journal_mode = %q %v, want wal", mode, err)
	}
	for _, table := range []string{"meetings", "meeting_states", "meetings_fts", "getbacks", "people", "regions", "audit_log", "outbox", "checkpoints"} {
		var name string
		if err := raw.QueryRow(`SELECT name FROM sqlite_master WHERE name = ?`, table).Scan(&name); err != nil {
			t.Errorf("table %s missing: %v", table, err)
		}
	}
}

func TestOpenRefusesNewerSchema(t *testing.T) {
	path := filepath.Join(t.TempDir(), "g.db")
	ctx := context.Background()
	db, err := sqlite.Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	db.Close()
	raw, _ := sql.Open("sqlite", path)
	if _, err := raw.Exec(`INSERT INTO schema_migrations (version, name, applied_at) VALUES (999, '0999_future.sql', 'x')`); err != nil {
		t.Fatal(err)
	}
	raw.Close()
	_, err = sqlite.Open(ctx, path)
	if err == nil || !strings.Contains(err.Error(), "newer getback") || !strings.Contains(err.Error(), "999") {
		t.Fatalf("Open = %v, want a clear 'newer getback' error naming version 999", err)
	}
}

func TestInMemory(t *testing.T) {
	db, err := sqlite.Open(context.Background(), ":memory:")
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	m := &bot.Meeting{Workspace: ws, Region: 9, States: []string{"Nevada"}, CreatedBy: "ana"}
	if err := db.CreateMeeting(ctxAs("ana"), m); err != nil {
		t.Fatal(err)
	}
	if _, err := db.FindMeetingByID(context.Background(), ws, m.ID); err != nil {
		t.Fatal(err)
	}
}
