package sqlite

import (
	"context"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/getbackhq/getback/bot"
)

// TestSchemaRefusalsNameTheFieldNotTheTable drives the schema's own CHECK
// and NOT NULL constraints, below the domain's checks, and reads the
// errors a user would see.
func TestSchemaRefusalsNameTheFieldNotTheTable(t *testing.T) {
	ctx := bot.WithActor(context.Background(), bot.Actor{Workspace: "console", UserID: "ana", Name: "Ana"})
	db, err := Open(ctx, filepath.Join(t.TempDir(), "g.db"), WithClock(func() time.Time { return time.Date(2026, 11, 26, 15, 0, 0, 0, time.UTC) }))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	m := &bot.Meeting{Workspace: "console", Region: 9, States: []string{"Nevada"}}
	if err := db.CreateMeeting(ctx, m); err != nil {
		t.Fatal(err)
	}
	g := &bot.Getback{Workspace: "console", MeetingID: m.ID, Text: "send the list", Owner: "RD", OwnerKind: bot.OwnerLabel, Status: bot.StatusOpen}
	if err := db.CreateGetback(ctx, g); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct{ sql, want string }{
		{`UPDATE getbacks SET text = ''`, "That value is not allowed: the text must not be empty."},
		{`UPDATE getbacks SET text = NULL`, "That value is not allowed: the text must not be empty."},
		{`UPDATE getbacks SET status = 'maybe'`, "That value is not allowed: the status must be open, done or cancelled."},
		{`UPDATE meetings SET region = 11`, "That value is not allowed: the region must be 1 to 10."},
	} {
		err := db.write(ctx, func(tx *Tx) error {
			_, err := tx.ExecContext(ctx, tc.sql)
			return err
		})
		if bot.ErrorCode(err) != bot.EINVALID || bot.ErrorMessage(err) != tc.want {
			t.Errorf("%s: %v, want %q", tc.sql, err, tc.want)
		}
		if strings.Contains(bot.ErrorMessage(err), "getbacks") || strings.Contains(bot.ErrorMessage(err), "meetings") {
			t.Errorf("%s names a table: %v", tc.sql, err)
		}
	}
	gbs, _, err := db.FindGetbacks(ctx, bot.GetbackFilter{Workspace: "console"})
	if err != nil || len(gbs) != 1 || gbs[0].Text == "" || gbs[0].Status != bot.StatusOpen {
		t.Fatalf("refused changes left a trace: %+v %v", gbs, err)
	}
}
