package sqlite_test

import (
	"context"
	"database/sql"
	"fmt"
	"path/filepath"
	"testing"
	"time"

	"github.com/getbackhq/getback/bot"
	"github.com/getbackhq/getback/storage/sqlite"
	"github.com/getbackhq/getback/storage/storetest"
)

// TestImportContract holds the SQLite store to the bulk import contract.
func TestImportContract(t *testing.T) {
	storetest.RunImport(t, func(t testing.TB, now func() time.Time) storetest.ImportStore {
		db, err := sqlite.Open(context.Background(), filepath.Join(t.TempDir(), "getback.db"), sqlite.WithClock(now))
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { db.Close() })
		return db
	})
}

func importedMeeting(i int, day bot.Date) *bot.Meeting {
	m := &bot.Meeting{Workspace: ws, Region: 9, States: []string{"Nevada"}, Date: day, CreatedBy: "import",
		Location: fmt.Sprintf("Office %d", i), SourceKey: fmt.Sprintf("sheet:%024x:1", i)}
	return m
}

// TestMigrationOpensImportedItemsOnTheirMeetingsDay: items an import made
// before they were dated by their meeting take its day; items added in chat
// to an imported meeting, and items of meetings without a date or logged in
// chat, keep theirs.
func TestMigrationOpensImportedItemsOnTheirMeetingsDay(t *testing.T) {
	path := filepath.Join(t.TempDir(), "g.db")
	importDay := time.Date(2026, 11, 26, 15, 0, 0, 0, time.UTC)
	db, err := sqlite.Open(context.Background(), path, sqlite.WithClock(func() time.Time { return importDay }))
	if err != nil {
		t.Fatal(err)
	}
	ctx := ctxAs("import")
	day := bot.Date{Year: 2017, Month: 10, Day: 11}
	imported, undated := importedMeeting(1, day), importedMeeting(2, bot.Date{})
	chat := &bot.Meeting{Workspace: ws, Region: 9, States: []string{"Nevada"}, Date: day, CreatedBy: "ana"}
	for _, m := range []*bot.Meeting{imported, undated, chat} {
		m.Getbacks = []*bot.Getback{{Number: 1, Text: "send the list", Owner: "RD", OwnerKind: bot.OwnerLabel, Status: bot.StatusOpen, AssignedBy: "import"}}
		if err := db.CreateMeeting(ctx, m); err != nil {
			t.Fatal(err)
		}
	}
	later := &bot.Getback{Workspace: ws, MeetingID: imported.ID, Text: "added in chat", Owner: "ana", OwnerKind: bot.OwnerUser,
		Status: bot.StatusOpen, AssignedBy: "ana"}
	db.Now = func() time.Time { return importDay.Add(48 * time.Hour) }
	if err := db.CreateGetback(ctxAs("ana"), later); err != nil {
		t.Fatal(err)
	}
	db.Close()
	raw, err := sql.Open("sqlite", path)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := raw.Exec(`DELETE FROM schema_migrations WHERE version >= 12`); err != nil {
		t.Fatal(err)
	}
	raw.Close()
	if db, err = sqlite.Open(context.Background(), path); err != nil {
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
		got, err := db.FindGetbackByID(ctx, ws, tc.g.ID)
		if err != nil || !got.CreatedAt.Equal(tc.want) {
			t.Errorf("%s: opened %v, want %v (%v)", name, got.CreatedAt, tc.want, err)
		}
	}
}
