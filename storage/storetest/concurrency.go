package storetest

import (
	"fmt"
	"testing"
	"time"

	"github.com/getbackhq/getback/bot"
)

// TestConcurrentReadersAndWriters runs many goroutines against one store:
// writers queue, readers share the pool, first-time statements are
// prepared while other transactions hold connections, and nothing deadlocks
// or fails with "database is locked".
func testConcurrentReadersAndWriters(t *testing.T, open opener) {
	db := open(t)
	ctx := ctxAs("ana")
	done := make(chan error, 32)
	for w := 0; w < 16; w++ {
		go func(w int) {
			for i := 0; i < 25; i++ {
				var err error
				switch (w + i) % 4 {
				case 0:
					err = db.CreateMeeting(ctx, meeting("Nevada", 9, bot.Date{Year: 2026, Month: 11, Day: 1 + i%28}))
				case 1:
					q := fmt.Sprintf("nevada%d", i%3) // new statement texts appear under load
					_, _, err = db.FindMeetings(ctx, bot.MeetingFilter{Workspace: ws, Query: &q, Limit: i%5 + 1})
				case 2:
					_, _, err = db.FindGetbacks(ctx, bot.GetbackFilter{Workspace: ws, Owners: make([]string, 1+i%4)})
				default:
					_, err = db.Enqueue(ctx, &bot.OutboxItem{Key: fmt.Sprintf("k%d-%d", w, i), Target: bot.Target{Workspace: ws, User: "u"}, NextAttempt: db.Now()})
				}
				if err != nil {
					done <- err
					return
				}
			}
			done <- nil
		}(w)
	}
	timeout := time.After(60 * time.Second)
	for w := 0; w < 16; w++ {
		select {
		case err := <-done:
			if err != nil {
				t.Fatal(err)
			}
		case <-timeout:
			t.Fatal("deadlock: workers did not finish")
		}
	}
	if _, n, _ := db.FindMeetings(ctx, bot.MeetingFilter{Workspace: ws}); n != 16*25/4 {
		t.Fatalf("%d meetings, want %d", n, 16*25/4)
	}
}
