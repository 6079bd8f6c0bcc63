package sqlite

import (
	"context"
	"path/filepath"
	"testing"
	"time"

	"github.com/getbackhq/getback/bot"
)

// TestMigrationFillsTheRegionsOfEarlierMultiStateMeetings: meetings stored
// before meetings had several regions get them from the migration's Go step.
func TestMigrationFillsTheRegionsOfEarlierMultiStateMeetings(t *testing.T) {
	ctx := bot.WithActor(context.Background(), bot.Actor{Workspace: "console", UserID: "ana"})
	db, err := Open(ctx, filepath.Join(t.TempDir(), "g.db"), WithClock(func() time.Time { return time.Date(2026, 11, 26, 9, 0, 0, 0, time.UTC) }))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	m := &bot.Meeting{Workspace: "console", Region: 3, States: []string{"Pennsylvania", "New York", "Virginia"},
		Date: bot.Date{Year: 2017, Month: 10, Day: 11}}
	if err := db.CreateMeeting(ctx, m); err != nil {
		t.Fatal(err)
	}
	single := &bot.Meeting{Workspace: "console", Region: 9, States: []string{"Guam"}, Date: m.Date}
	if err := db.CreateMeeting(ctx, single); err != nil {
		t.Fatal(err)
	}
	// As a database written before migration 9 would be.
	if _, err := db.wdb.ExecContext(ctx, `DELETE FROM meeting_regions`); err != nil {
		t.Fatal(err)
	}
	tx, err := db.wdb.BeginTx(ctx, nil)
	if err != nil {
		t.Fatal(err)
	}
	if err := backfillMeetingRegions(ctx, tx); err != nil {
		t.Fatal(err)
	}
	if err := tx.Commit(); err != nil {
		t.Fatal(err)
	}
	got, err := db.FindMeetingByID(ctx, "console", m.ID)
	if err != nil {
		t.Fatal(err)
	}
	if len(got.Regions) != 2 || got.Regions[0] != 3 || got.Regions[1] != 2 {
		t.Fatalf("regions after the backfill: %v", got.Regions)
	}
	two := 2
	ms, _, err := db.FindMeetings(ctx, bot.MeetingFilter{Workspace: "console", Region: &two})
	if err != nil || len(ms) != 1 || ms[0].ID != m.ID {
		t.Fatalf("region 2 after the backfill: %v %v", ms, err)
	}
	if g, _ := db.FindMeetingByID(ctx, "console", single.ID); len(g.Regions) != 1 || g.Regions[0] != 9 {
		t.Fatalf("a one-state meeting: %v", g.Regions)
	}
}
