package sqlite_test

import (
	"context"
	"database/sql"
	"path/filepath"
	"testing"

	"github.com/getbackhq/getback/bot"
	"github.com/getbackhq/getback/storage/sqlite"
)

// TestMigrationUpperCasesOwnerLabels: labels stored in any case before
// labels were normalised become one upper-case label, in items and in
// mappings; user owners are left alone.
func TestMigrationUpperCasesOwnerLabels(t *testing.T) {
	path := filepath.Join(t.TempDir(), "g.db")
	ctx := ctxAs("UANA")
	db, err := sqlite.Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	for _, g := range []*bot.Getback{
		{Workspace: ws, Text: "a", Owner: "itf", OwnerKind: bot.OwnerLabel, Status: bot.StatusOpen},
		{Workspace: ws, Text: "b", Owner: "Itf", OwnerKind: bot.OwnerLabel, Status: bot.StatusOpen},
		{Workspace: ws, Text: "c", Owner: "ana", OwnerKind: bot.OwnerUser, Status: bot.StatusOpen},
	} {
		if err := db.CreateGetback(ctx, g); err != nil {
			t.Fatal(err)
		}
	}
	db.Close()
	// The database as an older getback left it: migration 10 not applied,
	// a mapping written in lower case.
	raw, err := sql.Open("sqlite", path)
	if err != nil {
		t.Fatal(err)
	}
	for _, q := range []string{`DELETE FROM schema_migrations WHERE version = 10`,
		`INSERT INTO owner_mappings (workspace, label, user_id) VALUES ('console', 'rd', 'bob')`} {
		if _, err := raw.Exec(q); err != nil {
			t.Fatal(err)
		}
	}
	raw.Close()

	if db, err = sqlite.Open(context.Background(), path); err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	open := bot.StatusOpen
	gbs, _, err := db.FindGetbacks(ctx, bot.GetbackFilter{Workspace: ws, Owners: []string{"ITF"}, Status: &open})
	if err != nil || len(gbs) != 2 {
		t.Fatalf("items of ITF after the migration: %d %v", len(gbs), err)
	}
	if g, _ := db.FindGetbackByID(ctx, ws, 3); g.Owner != "ana" {
		t.Fatalf("a user owner was changed: %q", g.Owner)
	}
	ms, err := db.FindOwnerMappings(ctx, ws)
	if err != nil || len(ms) != 1 || ms[0].Label != "RD" || ms[0].UserID != "bob" {
		t.Fatalf("mappings: %+v %v", ms, err)
	}
}
