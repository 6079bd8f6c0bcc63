package storetest

import (
	"testing"
	"time"

	"github.com/getbackhq/getback/bot"
)

func testGetbackFiltersAndOrder(t *testing.T, open opener) {
	db := open(t)
	ctx := ctxAs("ana")
	nv := meeting("Nevada", 9, bot.Date{Year: 2026, Month: 11, Day: 20})
	or := meeting("Oregon", 10, bot.Date{Year: 2026, Month: 11, Day: 20})
	for _, m := range []*bot.Meeting{nv, or} {
		if err := db.CreateMeeting(ctx, m); err != nil {
			t.Fatal(err)
		}
	}
	today := bot.Date{Year: 2026, Month: 11, Day: 26}
	mk := func(owner, kind string, due bot.Date, meetingID int64) *bot.Getback {
		g := &bot.Getback{Workspace: ws, Text: "item for " + owner, Owner: owner, OwnerKind: kind, Due: due,
			MeetingID: meetingID, Status: bot.StatusOpen, AssignedBy: "ana"}
		if err := db.CreateGetback(ctx, g); err != nil {
			t.Fatal(err)
		}
		return g
	}
	undated := mk("bob", bot.OwnerUser, bot.Date{}, nv.ID)
	later := mk("bob", bot.OwnerUser, today.AddDays(10), nv.ID)
	overdue := mk("bob", bot.OwnerUser, today.AddDays(-3), nv.ID)
	label := mk("ITF", bot.OwnerLabel, today.AddDays(-1), or.ID)
	done := mk("cat", bot.OwnerUser, today.AddDays(-9), 0)
	st := bot.StatusDone
	if _, err := db.UpdateGetback(ctx, ws, done.ID, bot.GetbackUpdate{Status: &st}); err != nil {
		t.Fatal(err)
	}

	ids := func(f bot.GetbackFilter) []int64 {
		t.Helper()
		f.Workspace = ws
		gbs, n, err := db.FindGetbacks(ctx, f)
		if err != nil {
			t.Fatal(err)
		}
		if f.Limit == 0 && n != len(gbs) {
			t.Fatalf("total %d but %d rows", n, len(gbs))
		}
		var out []int64
		for _, g := range gbs {
			out = append(out, g.ID)
		}
		return out
	}
	eq := func(name string, got []int64, want ...*bot.Getback) {
		t.Helper()
		if len(got) != len(want) {
			t.Fatalf("%s: got %v, want %d items", name, got, len(want))
		}
		for i := range want {
			if got[i] != want[i].ID {
				t.Fatalf("%s: got %v at %d, want #%d", name, got, i, want[i].ID)
			}
		}
	}
	statusOpen := bot.StatusOpen
	eq("open, overdue first", ids(bot.GetbackFilter{Status: &statusOpen, OverdueFirstOn: &today}), overdue, label, later, undated)
	eq("overdue", ids(bot.GetbackFilter{OverdueOn: &today, OverdueFirstOn: &today}), overdue, label)
	eq("owners with label", ids(bot.GetbackFilter{Owners: []string{"bob", "ITF"}, Status: &statusOpen, OverdueFirstOn: &today}), overdue, label, later, undated)
	eq("no owners", ids(bot.GetbackFilter{Owners: []string{}}))
	ten := 10
	eq("region via meeting", ids(bot.GetbackFilter{Region: &ten}), label)
	mid := nv.ID
	eq("meeting", ids(bot.GetbackFilter{MeetingID: &mid}), undated, later, overdue)
	eq("done", ids(bot.GetbackFilter{Status: &st}), done)

	// Snooze hides an item until its day.
	until := today.AddDays(2)
	if _, err := db.UpdateGetback(ctx, ws, overdue.ID, bot.GetbackUpdate{SnoozedUntil: &until}); err != nil {
		t.Fatal(err)
	}
	eq("awake today", ids(bot.GetbackFilter{Owners: []string{"bob"}, Status: &statusOpen, AwakeOn: &today}), undated, later)
	awake := today.AddDays(2)
	eq("awake on the snooze day", ids(bot.GetbackFilter{Owners: []string{"bob"}, Status: &statusOpen, AwakeOn: &awake}), undated, later, overdue)

	// Created / closed windows.
	from := time.Date(2026, 11, 26, 0, 0, 0, 0, time.UTC)
	to := from.Add(24 * time.Hour)
	if got := ids(bot.GetbackFilter{ClosedFrom: &from, ClosedTo: &to}); len(got) != 1 || got[0] != done.ID {
		t.Fatalf("closed today: %v", got)
	}
	if got := ids(bot.GetbackFilter{CreatedFrom: &to}); len(got) != 0 {
		t.Fatalf("created tomorrow: %v", got)
	}

	counts, err := db.CountGetbacksByOwner(ctx, bot.GetbackFilter{Workspace: ws, Status: &statusOpen})
	if err != nil {
		t.Fatal(err)
	}
	if len(counts) != 2 || counts[0].Owner != "bob" || counts[0].Count != 3 || counts[0].OldestDue != today.AddDays(-3) || counts[1].OwnerKind != bot.OwnerLabel {
		t.Fatalf("counts by owner: %+v", counts)
	}
}

func testGetbackStatusChanges(t *testing.T, open opener) {
	db := open(t)
	ctx := ctxAs("bob")
	g := &bot.Getback{Workspace: ws, Text: "send", Owner: "bob", OwnerKind: bot.OwnerUser, Status: bot.StatusOpen}
	if err := db.CreateGetback(ctx, g); err != nil {
		t.Fatal(err)
	}
	done, note := bot.StatusDone, "sent on Tuesday"
	got, err := db.UpdateGetback(ctx, ws, g.ID, bot.GetbackUpdate{Status: &done, DoneNote: &note})
	if err != nil {
		t.Fatal(err)
	}
	if got.Status != bot.StatusDone || got.DoneAt.IsZero() || got.DoneNote != note {
		t.Fatalf("closed: %+v", got)
	}
	reopen := bot.StatusOpen
	got, err = db.UpdateGetback(ctx, ws, g.ID, bot.GetbackUpdate{Status: &reopen})
	if err != nil {
		t.Fatal(err)
	}
	if !got.DoneAt.IsZero() || got.DoneNote != "" {
		t.Fatalf("reopening clears the close: %+v", got)
	}
	stored, _ := db.FindGetbackByID(ctx, ws, g.ID)
	if stored.Status != bot.StatusOpen || !stored.DoneAt.IsZero() {
		t.Fatalf("stored: %+v", stored)
	}
	bad := "later"
	if _, err := db.UpdateGetback(ctx, ws, g.ID, bot.GetbackUpdate{Status: &bad}); bot.ErrorCode(err) != bot.EINVALID {
		t.Fatalf("bad status: %v", err)
	}
	if _, err := db.UpdateGetback(ctx, ws, 999, bot.GetbackUpdate{Status: &done}); bot.ErrorCode(err) != bot.ENOTFOUND {
		t.Fatalf("missing item: %v", err)
	}
	a, _ := db.FindAudit(ctx, bot.AuditFilter{Workspace: ws})
	if len(a) != 3 || a[0].Actor != "bob" {
		t.Fatalf("audit: %d entries, first %+v", len(a), a[0])
	}
}

func testOwnerMappings(t *testing.T, open opener) {
	db := open(t)
	ctx := ctxAs("admin")
	if err := db.SetOwnerMapping(ctx, bot.OwnerMapping{Workspace: ws, Label: "ITF", UserID: "bob"}); err != nil {
		t.Fatal(err)
	}
	if err := db.SetOwnerMapping(ctx, bot.OwnerMapping{Workspace: ws, Label: "ITF", UserID: "cat"}); err != nil {
		t.Fatal(err)
	}
	ms, err := db.FindOwnerMappings(ctx, ws)
	if err != nil || len(ms) != 1 || ms[0].UserID != "cat" {
		t.Fatalf("mappings: %+v %v", ms, err)
	}
	if err := db.SetOwnerMapping(ctx, bot.OwnerMapping{Workspace: ws, Label: "ITF"}); err != nil {
		t.Fatal(err)
	}
	if err := db.SetOwnerMapping(ctx, bot.OwnerMapping{Workspace: ws, Label: "ITF"}); bot.ErrorCode(err) != bot.ENOTFOUND {
		t.Fatalf("removing a missing mapping: %v", err)
	}
	ent := "owner"
	if a, _ := db.FindAudit(ctx, bot.AuditFilter{Workspace: ws, Entity: &ent}); len(a) != 3 {
		t.Fatalf("owner audit: %d", len(a))
	}
}

func testGetbackRegionFollowsMeeting(t *testing.T, open opener) {
	db := open(t)
	ctx := ctxAs("ana")
	m := meeting("Guam", 9, bot.Date{Year: 2026, Month: 11, Day: 20})
	m.Getbacks = []*bot.Getback{{Text: "x", Owner: "RD", OwnerKind: bot.OwnerLabel, Status: bot.StatusOpen}}
	if err := db.CreateMeeting(ctx, m); err != nil {
		t.Fatal(err)
	}
	loose := &bot.Getback{Workspace: ws, Text: "no meeting", Owner: "RD", OwnerKind: bot.OwnerLabel, Status: bot.StatusOpen}
	db.CreateGetback(ctx, loose)
	nine, ten := 9, 10
	count := func(r int) int {
		n, err := db.CountGetbacks(ctx, bot.GetbackFilter{Workspace: ws, Region: &r})
		if err != nil {
			t.Fatal(err)
		}
		return n
	}
	if count(9) != 1 || count(10) != 0 {
		t.Fatalf("region 9: %d, 10: %d", count(9), count(10))
	}
	alaska := []string{"Alaska"}
	if _, err := db.UpdateMeeting(ctx, ws, m.ID, bot.MeetingUpdate{Region: &ten, States: &alaska}); err != nil {
		t.Fatal(err)
	}
	if count(9) != 0 || count(10) != 1 {
		t.Fatal("the item's region must follow its meeting's")
	}
	db.DeleteMeeting(ctx, ws, m.ID)
	if count(10) != 1 {
		t.Fatal("an item keeps its region when its meeting is deleted")
	}
	g, _ := db.FindGetbackByID(ctx, ws, loose.ID)
	if g.Region != 0 {
		t.Fatalf("an item without a meeting has no region: %d", g.Region)
	}
	_ = nine
	// Coverage follows date edits.
	m2 := meeting("Hawaii", 9, bot.Date{Year: 2026, Month: 1, Day: 5})
	db.CreateMeeting(ctx, m2)
	d := bot.Date{Year: 2026, Month: 11, Day: 2}
	db.UpdateMeeting(ctx, ws, m2.ID, bot.MeetingUpdate{Date: &d})
	last, _ := db.LastMeetingDates(ctx, ws, []string{"Hawaii"}, bot.Date{Year: 2026, Month: 12, Day: 1})
	if last["Hawaii"] != d {
		t.Fatalf("last meeting date after an edit: %v", last)
	}
	if n, _ := db.CountGetbacks(ctx, bot.GetbackFilter{Workspace: ws, CountCap: 1}); n != 1 {
		t.Fatalf("capped count: %d", n)
	}
}
