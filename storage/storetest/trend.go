package storetest

import (
	"context"
	"testing"
	"time"

	"github.com/getbackhq/getback/bot"
)

func testGetbackTrendCountsEachWeek(t *testing.T, open opener) {
	db := open(t)
	c := db.clock
	c.Set(time.Date(2026, 10, 1, 12, 0, 0, 0, time.UTC))
	ctx := ctxAs("ana")
	nv, or := meeting("Nevada", 9, bot.Date{Year: 2026, Month: 9, Day: 30}), meeting("Oregon", 10, bot.Date{Year: 2026, Month: 9, Day: 30})
	for _, m := range []*bot.Meeting{nv, or} {
		if err := db.CreateMeeting(ctx, m); err != nil {
			t.Fatal(err)
		}
	}
	at := func(month time.Month, day, hour int) time.Time {
		return time.Date(2026, month, day, hour, 0, 0, 0, time.UTC)
	}
	due := func(month time.Month, day int) bot.Date { return bot.Date{Year: 2026, Month: month, Day: day} }
	mk := func(created time.Time, meetingID int64, d bot.Date) *bot.Getback {
		t.Helper()
		c.Set(created)
		g := &bot.Getback{Workspace: ws, MeetingID: meetingID, Text: "item", Owner: "bob", OwnerKind: bot.OwnerUser, Status: bot.StatusOpen, Due: d}
		if err := db.CreateGetback(ctx, g); err != nil {
			t.Fatal(err)
		}
		return g
	}
	closeAt := func(g *bot.Getback, when time.Time, status string) {
		t.Helper()
		c.Set(when)
		if _, err := db.UpdateGetback(ctx, ws, g.ID, bot.GetbackUpdate{Status: &status}); err != nil {
			t.Fatal(err)
		}
	}
	// Three ISO weeks: W45 (Nov 2-8), W46 (Nov 9-15), W47 (Nov 16-22), UTC.
	a := mk(at(11, 3, 10), nv.ID, due(11, 5))   // opened W45, done W46
	mk(at(11, 5, 10), nv.ID, bot.Date{})        // opened W45, undated, still open
	cc := mk(at(11, 9, 0), nv.ID, due(11, 20))  // opened W46 (its first instant), cancelled W47
	mk(at(11, 22, 23), nv.ID, due(11, 10))      // opened W47 (its last hour), overdue
	e := mk(at(10, 20, 10), nv.ID, due(10, 22)) // before W45, closed before W45: in no week
	mk(at(10, 20, 11), nv.ID, due(10, 30))      // before W45, open and overdue throughout
	mk(at(11, 10, 10), or.ID, due(11, 12))      // region 10: national figures only
	mk(at(11, 10, 11), 0, bot.Date{})           // no meeting, no region: national only
	// A meeting about Nevada and Oregon belongs to regions 9 and 10: its
	// item counts in both, once.
	span := meeting("Nevada", 9, bot.Date{Year: 2026, Month: 11, Day: 12})
	span.States = []string{"Nevada", "Oregon"}
	c.Set(at(11, 12, 10))
	if err := db.CreateMeeting(ctx, span); err != nil {
		t.Fatal(err)
	}
	mk(at(11, 12, 11), span.ID, bot.Date{}) // opened W46, undated
	closeAt(a, at(11, 11, 9), bot.StatusDone)
	closeAt(cc, at(11, 16, 0), bot.StatusCancelled)
	closeAt(e, at(10, 25, 9), bot.StatusDone)

	periods := []bot.TrendPeriod{
		{From: at(11, 2, 0), To: at(11, 9, 0), OverdueBefore: due(11, 9)},
		{From: at(11, 9, 0), To: at(11, 16, 0), OverdueBefore: due(11, 16)},
		{From: at(11, 16, 0), To: at(11, 23, 0), OverdueBefore: due(11, 21)},
	}
	cases := []struct {
		name   string
		region int
		want   []bot.TrendCounts
	}{
		{"region 9", 9, []bot.TrendCounts{
			{Opened: 2, Closed: 0, Open: 3, Overdue: 2},
			{Opened: 2, Closed: 1, Open: 4, Overdue: 1},
			{Opened: 1, Closed: 1, Open: 4, Overdue: 2},
		}},
		{"region 10, with the meeting that spans it", 10, []bot.TrendCounts{
			{}, {Opened: 2, Open: 2, Overdue: 1}, {Open: 2, Overdue: 1},
		}},
		{"every region and none", bot.LeadershipRegion, []bot.TrendCounts{
			{Opened: 2, Closed: 0, Open: 3, Overdue: 2},
			{Opened: 4, Closed: 1, Open: 6, Overdue: 2},
			{Opened: 1, Closed: 1, Open: 6, Overdue: 3},
		}},
		{"a region with nothing", 3, []bot.TrendCounts{{}, {}, {}}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			got, err := db.GetbackTrend(context.Background(), ws, tc.region, periods)
			if err != nil {
				t.Fatal(err)
			}
			if len(got) != len(tc.want) {
				t.Fatalf("got %d periods, want %d", len(got), len(tc.want))
			}
			for i := range got {
				if got[i] != tc.want[i] {
					t.Errorf("week %d: got %+v, want %+v", i, got[i], tc.want[i])
				}
			}
		})
	}
	if got, err := db.GetbackTrend(context.Background(), "slack:T1", 9, periods); err != nil || got[1] != (bot.TrendCounts{}) {
		t.Errorf("another workspace: %+v, %v; want nothing", got, err)
	}
}

func testGetbackTrendRefusesAPeriodThatEndsBeforeItBegins(t *testing.T, open opener) {
	db := open(t)
	now := time.Date(2026, 11, 2, 0, 0, 0, 0, time.UTC)
	_, err := db.GetbackTrend(context.Background(), ws, 9, []bot.TrendPeriod{{From: now, To: now.Add(-time.Hour)}})
	if bot.ErrorCode(err) != bot.EINVALID {
		t.Fatalf("got %v, want EINVALID", err)
	}
	got, err := db.GetbackTrend(context.Background(), ws, 9, nil)
	if err != nil || len(got) != 0 {
		t.Fatalf("no periods: %v, %v", got, err)
	}
}
