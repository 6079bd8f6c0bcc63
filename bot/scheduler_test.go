package bot_test

import (
	"context"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/getbackhq/getback/bot"
	"github.com/getbackhq/getback/bot/clocktest"
	"github.com/getbackhq/getback/storage/sqlite"
)

func newScheduler(db *sqlite.DB, c *clock) *bot.Scheduler {
	return &bot.Scheduler{Store: db, Reporter: &bot.Reporter{Store: db}, Now: c.Now, Platforms: []string{"console"}}
}

// runTicks ticks every step from from to to, and returns, for each outbox
// key, the tick at which it first appeared.
func runTicks(t *testing.T, s *bot.Scheduler, db *sqlite.DB, c *clock, from, to time.Time, step time.Duration) map[string]time.Time {
	t.Helper()
	first := map[string]time.Time{}
	for now := from; !now.After(to); now = now.Add(step) {
		c.Set(now)
		if _, err := s.Tick(context.Background()); err != nil {
			t.Fatal(err)
		}
		for _, k := range keys(t, db, "") {
			if _, ok := first[k]; !ok {
				first[k] = now
			}
		}
	}
	return first
}

func TestRemindersAtLocalHoursAcrossZones(t *testing.T) {
	c := &clocktest.Clock{}
	db := openStore(t, c)
	for _, p := range []struct{ id, tz string }{{"ana", "America/New_York"}, {"bob", "Pacific/Honolulu"}, {"cat", "Pacific/Guam"}, {"dan", "America/New_York"}} {
		person(t, db, c, p.id, p.tz)
	}
	for _, who := range []string{"ana", "bob", "cat"} { // dan owes nothing
		owe(t, db, who, bot.Date{})
	}
	s := newScheduler(db, c)
	// Thursday 2026-11-26 00:00 UTC to Saturday 2026-11-28 23:45 UTC.
	start := time.Date(2026, 11, 26, 0, 0, 0, 0, time.UTC)
	first := runTicks(t, s, db, c, start, start.Add(72*time.Hour-15*time.Minute), 15*time.Minute)
	want := map[string]time.Time{
		// Guam is UTC+10: 09:00 Friday in Guam is 23:00 Thursday UTC. Its
		// Thursday 09:00 (Wednesday 23:00 UTC) was before the first tick, and
		// its Saturday is a weekend.
		"remind:console:cat:2026-11-27": time.Date(2026, 11, 26, 23, 0, 0, 0, time.UTC),
		// New York is UTC-5 in November.
		"remind:console:ana:2026-11-26": time.Date(2026, 11, 26, 14, 0, 0, 0, time.UTC),
		"remind:console:ana:2026-11-27": time.Date(2026, 11, 27, 14, 0, 0, 0, time.UTC),
		// Honolulu is UTC-10.
		"remind:console:bob:2026-11-26": time.Date(2026, 11, 26, 19, 0, 0, 0, time.UTC),
		"remind:console:bob:2026-11-27": time.Date(2026, 11, 27, 19, 0, 0, 0, time.UTC),
	}
	if !reflect.DeepEqual(first, want) {
		t.Fatalf("reminders:\n got %v\nwant %v", first, want)
	}
	items, _ := db.FindOutbox(context.Background(), bot.OutboxFilter{})
	for _, it := range items {
		if it.Status != bot.OutboxPending || it.Target.User == "" || !strings.Contains(it.Reply.Text, "you owe 1 getback") || it.Reply.View != bot.ViewReminder {
			t.Errorf("reminder item: %+v", it)
		}
	}
}

func TestReminderHonoursSnoozeSettingsAndWorkDays(t *testing.T) {
	c := &clocktest.Clock{}
	db := openStore(t, c)
	ana := person(t, db, c, "ana", "UTC")
	person(t, db, c, "bob", "UTC")
	person(t, db, c, "eve", "UTC")
	g := owe(t, db, "ana", bot.Date{})
	until := bot.Date{Year: 2026, Month: 11, Day: 27}
	if _, err := db.UpdateGetback(context.Background(), ws, g.ID, bot.GetbackUpdate{SnoozedUntil: &until}); err != nil {
		t.Fatal(err)
	}
	owe(t, db, "bob", bot.Date{})
	owe(t, db, "eve", bot.Date{})
	// Bob turned reminders off; Eve gets them on Thursdays only.
	c.Set(time.Date(2026, 11, 1, 0, 0, 0, 0, time.UTC))
	bob, _ := db.FindPerson(context.Background(), ws, "bob")
	bob.RemindersOff = true
	db.UpsertPerson(context.Background(), bob)
	eve, _ := db.FindPerson(context.Background(), ws, "eve")
	eve.WorkDays = 1 << time.Thursday
	db.UpsertPerson(context.Background(), eve)

	s := newScheduler(db, c)
	start := time.Date(2026, 11, 26, 0, 0, 0, 0, time.UTC) // Thursday
	runTicks(t, s, db, c, start, start.Add(5*24*time.Hour+12*time.Hour), time.Hour)
	got := keys(t, db, "")
	want := []string{
		"remind:console:ana:2026-11-27", // snoozed until Friday: nothing Thursday
		"remind:console:ana:2026-11-30", // Monday; the weekend is skipped
		"remind:console:ana:2026-12-01",
		"remind:console:eve:2026-11-26",
	}
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("keys:\n got %v\nwant %v", got, want)
	}
	_ = ana
}

func TestReminderContentOrderAndLimit(t *testing.T) {
	c := clocktest.New(time.Date(2026, 11, 26, 12, 0, 0, 0, time.UTC))
	db := openStore(t, c)
	p := person(t, db, c, "ana", "UTC")
	today := bot.Date{Year: 2026, Month: 11, Day: 26}
	for i := 0; i < 6; i++ {
		owe(t, db, "ana", bot.Date{}) // undated
	}
	for i := 0; i < 8; i++ {
		owe(t, db, "ana", today.AddDays(-1-i)) // overdue
	}
	for i := 0; i < 4; i++ {
		owe(t, db, "ana", today.AddDays(1)) // due this week (Friday)
	}
	owe(t, db, "ana", today.AddDays(20)) // later
	// An item owned by a label mapped to Ana counts too.
	g := &bot.Getback{Workspace: ws, Text: "label item", Owner: "ITF", OwnerKind: bot.OwnerLabel, Status: bot.StatusOpen}
	db.CreateGetback(context.Background(), g)
	db.SetOwnerMapping(context.Background(), bot.OwnerMapping{Workspace: ws, Label: "ITF", UserID: "ana"})

	r, ok, err := (&bot.Reporter{Store: db}).Reminder(context.Background(), p, today)
	if err != nil || !ok {
		t.Fatal(ok, err)
	}
	if r.Text != "Good morning ana: you owe 20 getbacks (8 overdue, 4 due this week)." {
		t.Fatalf("text: %q", r.Text)
	}
	var headings []string
	items := 0
	for _, b := range r.Blocks {
		if b.Heading != "" {
			headings = append(headings, b.Heading)
		}
		if len(b.Buttons) > 0 {
			items++
			if b.Buttons[0].Action != bot.ActionDone || b.Buttons[1].Action != bot.ActionSnoozeDay {
				t.Errorf("buttons: %+v", b.Buttons)
			}
		}
	}
	if !reflect.DeepEqual(headings, []string{"Overdue (8)", "Due this week (4)", "Later or undated (8)"}) {
		t.Fatalf("sections: %v", headings)
	}
	if items != bot.ReminderMaxItems {
		t.Fatalf("%d items listed, want %d", items, bot.ReminderMaxItems)
	}
	last := r.Blocks[len(r.Blocks)-1].Note
	if last != "…and 5 more (5 later or undated). See them all with /getback list mine." {
		t.Fatalf("overflow note: %q", last)
	}
	if !strings.Contains(r.Blocks[1].Note, "8 days overdue") {
		t.Fatalf("oldest overdue first, with its age: %q", r.Blocks[1].Note)
	}
}

func TestMissedWhileDown(t *testing.T) {
	c := &clocktest.Clock{}
	db := openStore(t, c)
	person(t, db, c, "ana", "UTC")
	owe(t, db, "ana", bot.Date{})
	r := bot.NewRegion(ws, 9)
	r.Channel, r.TZ = "region-9", "UTC"
	c.Set(time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC))
	if err := db.UpsertRegion(context.Background(), r); err != nil {
		t.Fatal(err)
	}
	s := newScheduler(db, c)
	tick := func(at time.Time) bot.TickResult {
		c.Set(at)
		res, err := s.Tick(context.Background())
		if err != nil {
			t.Fatal(err)
		}
		return res
	}
	// Up on Monday 2026-11-23 at 08:00, then down until Wednesday 10:00.
	tick(time.Date(2026, 11, 23, 8, 0, 0, 0, time.UTC))
	res := tick(time.Date(2026, 11, 25, 10, 0, 0, 0, time.UTC))
	if res.Reminders != 1 || res.Digests != 1 || res.Skipped != 2 {
		t.Fatalf("after the outage: %+v", res)
	}
	if got := keys(t, db, bot.OutboxSkipped); !reflect.DeepEqual(got, []string{"remind:console:ana:2026-11-23", "remind:console:ana:2026-11-24"}) {
		t.Fatalf("skipped: %v", got)
	}
	// Monday's digest (covering week 47) is still in its period: sent late, once.
	if got := keys(t, db, bot.OutboxPending); !reflect.DeepEqual(got, []string{"digest:console:9:2026-W47", "remind:console:ana:2026-11-25"}) {
		t.Fatalf("pending: %v", got)
	}
	if res := tick(time.Date(2025, 11, 25, 10, 5, 0, 0, time.UTC)); res != (bot.TickResult{}) {
		t.Fatalf("a clock that went backwards must plan nothing: %+v", res)
	}
	if res := tick(time.Date(2026, 11, 25, 10, 5, 0, 0, time.UTC)); res != (bot.TickResult{}) {
		t.Fatalf("a repeated tick must plan nothing: %+v", res)
	}
	// Down for more than a week: the week-48 digest is recorded as skipped
	// on the way to sending week 49's.
	res = tick(time.Date(2026, 12, 8, 12, 0, 0, 0, time.UTC))
	if res.Digests != 1 {
		t.Fatalf("after a long outage: %+v", res)
	}
	skipped := keys(t, db, bot.OutboxSkipped)
	found := false
	for _, k := range skipped {
		found = found || k == "digest:console:9:2026-W48"
	}
	if !found {
		t.Fatalf("week 48's digest not recorded as skipped: %v", skipped)
	}
	if got := keys(t, db, bot.OutboxPending); got[1] != "digest:console:9:2026-W49" {
		t.Fatalf("pending: %v", got)
	}
}

func TestRegionConfiguredLateWaitsForNextWeek(t *testing.T) {
	c := clocktest.New(time.Date(2026, 11, 25, 12, 0, 0, 0, time.UTC)) // Wednesday
	db := openStore(t, c)
	r := bot.NewRegion(ws, 9)
	r.Channel = "region-9"
	if err := db.UpsertRegion(context.Background(), r); err != nil {
		t.Fatal(err)
	}
	s := newScheduler(db, c)
	first := runTicks(t, s, db, c, c.Now(), time.Date(2026, 12, 1, 0, 0, 0, 0, time.UTC), time.Hour)
	want := map[string]time.Time{"digest:console:9:2026-W48": time.Date(2026, 11, 30, 9, 0, 0, 0, time.UTC)}
	if !reflect.DeepEqual(first, want) {
		t.Fatalf("digests: %v", first)
	}
}

func TestDSTNeitherSkipsNorDoubles(t *testing.T) {
	for _, tc := range []struct {
		name, tz   string
		hour, min  int
		day        bot.Date
		wantAtUTC  time.Time
		digestHour int
	}{
		// 02:30 does not exist on 2027-03-14 in New York: sent at 03:30 EDT.
		{"spring forward", "America/New_York", 2, 30, bot.Date{Year: 2027, Month: 3, Day: 14}, time.Date(2027, 3, 14, 7, 30, 0, 0, time.UTC), 2},
		// 01:30 happens twice on 2026-11-01 in New York: sent at the first.
		{"fall back", "America/New_York", 1, 30, bot.Date{Year: 2026, Month: 11, Day: 1}, time.Date(2026, 11, 1, 5, 30, 0, 0, time.UTC), 1},
		{"Honolulu has no DST", "Pacific/Honolulu", 2, 30, bot.Date{Year: 2027, Month: 3, Day: 14}, time.Date(2027, 3, 14, 12, 30, 0, 0, time.UTC), 2},
		{"Guam has no DST", "Pacific/Guam", 1, 30, bot.Date{Year: 2026, Month: 11, Day: 1}, time.Date(2026, 10, 31, 15, 30, 0, 0, time.UTC), 1},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c := &clocktest.Clock{}
			db := openStore(t, c)
			p := person(t, db, c, "ana", tc.tz)
			p.RemindHour, p.RemindMinute, p.WorkDays = tc.hour, tc.min, 0x7f
			c.Set(time.Date(2020, 1, 1, 0, 0, 0, 0, time.UTC))
			db.UpsertPerson(context.Background(), p)
			owe(t, db, "ana", bot.Date{})
			r := bot.NewRegion(ws, 9)
			r.Channel, r.TZ, r.DigestDay, r.DigestHour = "region-9", tc.tz, time.Sunday, tc.digestHour
			db.UpsertRegion(context.Background(), r)
			s := newScheduler(db, c)
			loc := mustZone(t, tc.tz)
			from := tc.day.AddDays(-1).In(loc)
			first := runTicks(t, s, db, c, from, tc.day.AddDays(2).In(loc), 15*time.Minute)
			key := "remind:console:ana:" + tc.day.String()
			if at, ok := first[key]; !ok || !at.Equal(tc.wantAtUTC) {
				t.Fatalf("%s at %v (%v), want %v", key, at, ok, tc.wantAtUTC)
			}
			days := map[string]int{}
			digests := 0
			for k := range first {
				if strings.HasPrefix(k, "remind:") {
					days[k[len(k)-10:]]++
				} else {
					digests++
				}
			}
			for d, n := range days {
				if n != 1 {
					t.Errorf("day %s reminded %d times", d, n)
				}
			}
			if len(days) != 3 || digests != 1 {
				t.Fatalf("want one reminder on each of 3 days and one Sunday digest; got %v", first)
			}
		})
	}
}
