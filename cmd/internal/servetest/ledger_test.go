package servetest

import (
	"math/rand/v2"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/getbackhq/getback/bot"
	"github.com/getbackhq/getback/bot/clocktest"
)

func TestAWriteIsAcknowledgedOnlyByItsSuccessAnswer(t *testing.T) {
	for _, tc := range []struct {
		name           string
		e              Entry
		acked, refused bool
	}{
		{"add confirmed", Entry{Op: "add", Status: 200, Answer: "Added getback #12 for Bob, due Fri 2026-11-27."}, true, false},
		{"meeting confirmed", Entry{Op: "meeting", Status: 200, Answer: "Logged meeting #3: Nevada, 2026-11-20 (Region 9)."}, true, false},
		{"done confirmed", Entry{Op: "done", Status: 200, Answer: "✓ Marked #7 done: send the contact list"}, true, false},
		{"add refused", Entry{Op: "add", Status: 200, Answer: "Due date 2027-12-15 is in the past."}, false, true},
		{"refused on Mattermost", Entry{Op: "add", Status: 200, Answer: ":warning: Due date 2027-12-15 is in the past.\n_Usage: /getback add_"}, false, true},
		{"write acknowledged empty", Entry{Op: "add", Status: 200}, false, false},
		{"connection cut", Entry{Op: "add", Err: "EOF"}, false, false},
		{"server error", Entry{Op: "add", Status: http.StatusInternalServerError, Answer: "Added getback #1"}, false, false},
		{"read acknowledged", Entry{Op: "list", Status: 200}, true, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := tc.e.Acked(); got != tc.acked {
				t.Errorf("Acked = %v, want %v", got, tc.acked)
			}
			if got := tc.e.Refused(); got != tc.refused {
				t.Errorf("Refused = %v, want %v", got, tc.refused)
			}
		})
	}
}

func TestLedgerDueDatesAreNeverInThePast(t *testing.T) {
	for _, day := range []time.Time{
		time.Date(2026, 12, 16, 12, 0, 0, 0, time.UTC), // the day a fixed "12/15" went stale
		time.Date(2027, 6, 30, 12, 0, 0, 0, time.UTC),
		time.Date(2030, 12, 31, 23, 0, 0, 0, time.UTC),
	} {
		clock := clocktest.New(day)
		l := NewLedger()
		l.Now = clock.Now
		r := rand.New(rand.NewPCG(1, 2))
		for i := 0; i < 40; i++ {
			e := &Entry{Seq: l.Next(), Platform: "slack"}
			l.Add(r, e, 1)
			_, due, ok := strings.Cut(e.Text, "due:")
			if !ok {
				t.Fatalf("no due date in %q", e.Text)
			}
			d, err := bot.ParseDate(due, bot.DateOf(clock.Now()))
			if err != nil {
				t.Fatalf("%s: due:%s: %v", day.Format("2006-01-02"), due, err)
			}
			if d.Before(bot.DateOf(clock.Now())) {
				t.Fatalf("%s: due:%s is %s, in the past", day.Format("2006-01-02"), due, d)
			}
		}
	}
}
