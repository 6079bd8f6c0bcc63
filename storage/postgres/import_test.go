package postgres_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/getbackhq/getback/bot"
	"github.com/getbackhq/getback/storage/postgres"
	"github.com/getbackhq/getback/storage/postgres/pgtest"
	"github.com/getbackhq/getback/storage/storetest"
)

// TestImportContract holds the PostgreSQL store to the bulk import
// contract.
func TestImportContract(t *testing.T) {
	storetest.RunImport(t, func(t testing.TB, now func() time.Time) storetest.ImportStore { return open(t, now) })
}

// TestMigrationOpensImportedItemsOnTheirMeetingsDay: items an import made
// before they were dated by their meeting take its day; items added in chat
// later, and items of undated or chat-logged meetings, keep theirs.
func TestMigrationOpensImportedItemsOnTheirMeetingsDay(t *testing.T) {
	url := pgtest.URL(t)
	ctx := bot.WithActor(context.Background(), bot.Actor{Workspace: "console", UserID: "import"})
	importDay := time.Date(2026, 11, 26, 15, 0, 0, 0, time.UTC)
	now := importDay
	db, err := postgres.Open(ctx, url, postgres.WithClock(func() time.Time { return now }))
	if err != nil {
		t.Fatal(err)
	}
	day := bot.Date{Year: 2017, Month: 10, Day: 11}
	mk := func(i int, d bot.Date, imported bool) *bot.Meeting {
		m := &bot.Meeting{Workspace: "console", Region: 9, States: []string{"Nevada"}, Date: d, CreatedBy: "import",
			Getbacks: []*bot.Getback{{Number: 1, Text: "send the list", Owner: "RD", OwnerKind: bot.OwnerLabel, Status: bot.StatusOpen, AssignedBy: "import"}}}
		if imported {
			m.SourceKey = fmt.Sprintf("sheet:%024x:1", i)
		}
		if err := db.CreateMeeting(ctx, m); err != nil {
			t.Fatal(err)
		}
		return m
	}
	imported, undated, chat := mk(1, day, true), mk(2, bot.Date{}, true), mk(3, day, false)
	now = importDay.Add(48 * time.Hour)
	later := &bot.Getback{Workspace: "console", MeetingID: imported.ID, Text: "added in chat", Owner: "ana", OwnerKind: bot.OwnerUser,
		Status: bot.StatusOpen, AssignedBy: "ana"}
	if err := db.CreateGetback(ctx, later); err != nil {
		t.Fatal(err)
	}
	db.Close()
	conn, err := pgx.Connect(ctx, url)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := conn.Exec(ctx, `DELETE FROM schema_migrations WHERE version >= 4`); err != nil {
		t.Fatal(err)
	}
	conn.Close(ctx)
	if db, err = postgres.Open(ctx, url); err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	for name, tc := range map[string]struct {
		g    *bot.Getback
		want time.Time
	}{
		"extracted from a dated imported row": {imported.Getbacks[0], day.At(12, 0, time.UTC)},
		"added in chat later":                 {later, importDay.Add(48 * time.Hour)},
		"of an undated imported row":          {undated.Getbacks[0], importDay},
		"of a meeting logged in chat":         {chat.Getbacks[0], importDay},
	} {
		got, err := db.FindGetbackByID(ctx, "console", tc.g.ID)
		if err != nil || !got.CreatedAt.Equal(tc.want) {
			t.Errorf("%s: opened %v, want %v (%v)", name, got.CreatedAt, tc.want, err)
		}
	}
}

// TestImportGoesOnWhenTheSearchIndexCannotBeMerged: merging the search
// index's pending entries beside the batches only saves time; when the
// server refuses it, CheckpointImport says nothing and later batches are
// imported (and found) as usual.
func TestImportGoesOnWhenTheSearchIndexCannotBeMerged(t *testing.T) {
	url := pgtest.URL(t)
	ctx := bot.WithActor(context.Background(), bot.Actor{Workspace: "console", UserID: "import"})
	db, err := postgres.Open(ctx, url, postgres.WithClock(func() time.Time { return time.Date(2026, 11, 26, 15, 0, 0, 0, time.UTC) }))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	conn, err := pgx.Connect(ctx, url)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(ctx)
	// gin_clean_pending_list refuses an index that is not a GIN index.
	if _, err := conn.Exec(ctx, `DROP INDEX meetings_search; CREATE INDEX meetings_search ON meetings (id)`); err != nil {
		t.Fatal(err)
	}
	day := bot.Date{Year: 2017, Month: 10, Day: 11}
	for i := range 2 {
		m := &bot.Meeting{Workspace: "console", Region: 9, States: []string{"Nevada"}, Date: day, CreatedBy: "import",
			Discussion: fmt.Sprintf("tabletop number %d", i), SourceKey: fmt.Sprintf("sheet:%024x:%d", 1, i+1)}
		if err := db.ApplyImport(ctx, "console", &bot.ImportBatch{Create: []*bot.Meeting{m}}); err != nil {
			t.Fatal(err)
		}
		if err := db.CheckpointImport(ctx); err != nil {
			t.Fatalf("batch %d: CheckpointImport: %v", i, err)
		}
	}
	q := `"tabletop number 1"`
	if found, _, err := db.FindMeetings(ctx, bot.MeetingFilter{Workspace: "console", Query: &q}); err != nil || len(found) != 1 {
		t.Fatalf("the second batch is not searchable: %d %v", len(found), err)
	}
}
