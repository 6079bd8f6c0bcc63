package storetest

import (
	"slices"
	"testing"

	"github.com/getbackhq/getback/bot"
)

// testMultiStateMeetingsBelongToEveryRegion: a meeting about states of
// several regions is found under each, with its getbacks, and follows a
// change of the workspace's state table.
func testMultiStateMeetingsBelongToEveryRegion(t *testing.T, open opener) {
	db := open(t)
	ctx := ctxAs("ana")
	m := &bot.Meeting{Workspace: ws, Region: 3, States: []string{"Pennsylvania", "New York", "Virginia"},
		Date: bot.Date{Year: 2026, Month: 10, Day: 11}, CreatedBy: "ana"}
	m.Getbacks = []*bot.Getback{{Text: "send the list", Owner: "RD", OwnerKind: bot.OwnerLabel, Status: bot.StatusOpen}}
	if err := db.CreateMeeting(ctx, m); err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(m.Regions, []int{3, 2}) {
		t.Fatalf("regions set on create: %v", m.Regions)
	}
	inRegion := func(r int) (meetings, getbacks int) {
		t.Helper()
		_, nm, err := db.FindMeetings(ctx, bot.MeetingFilter{Workspace: ws, Region: &r})
		if err != nil {
			t.Fatal(err)
		}
		ng, err := db.CountGetbacks(ctx, bot.GetbackFilter{Workspace: ws, Region: &r})
		if err != nil {
			t.Fatal(err)
		}
		return nm, ng
	}
	for _, r := range []int{2, 3} {
		if nm, ng := inRegion(r); nm != 1 || ng != 1 {
			t.Fatalf("region %d: %d meetings, %d getbacks; want 1 and 1", r, nm, ng)
		}
	}
	if nm, _ := inRegion(4); nm != 0 {
		t.Fatalf("region 4 before the override: %d meetings", nm)
	}
	// Virginia moves to region 4: the meeting now also belongs there.
	if err := db.SetStateRegion(ctx, ws, "Virginia", 4); err != nil {
		t.Fatal(err)
	}
	got, err := db.FindMeetingByID(ctx, ws, m.ID)
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(got.Regions, []int{3, 2, 4}) {
		t.Fatalf("regions after Virginia moved to region 4: %v", got.Regions)
	}
	if nm, ng := inRegion(4); nm != 1 || ng != 1 {
		t.Fatalf("region 4 after the override: %d meetings, %d getbacks", nm, ng)
	}
	// Editing the states rewrites the regions.
	pennsylvania := []string{"Pennsylvania"}
	if _, err := db.UpdateMeeting(ctx, ws, m.ID, bot.MeetingUpdate{States: &pennsylvania}); err != nil {
		t.Fatal(err)
	}
	if nm, _ := inRegion(2); nm != 0 {
		t.Fatalf("region 2 after the edit: %d meetings", nm)
	}
}
