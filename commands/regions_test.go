package commands_test

import (
	"context"
	"strings"
	"testing"

	"github.com/getbackhq/getback/bot"
)

// TestAMeetingBelongsToEveryRegionOfItsStates: a meeting about
// Pennsylvania (region 3) and New York (region 2) shows in both regions'
// lists, digests and getback counts, marked with the other region; it
// follows edits of its states and of the state table.
func TestAMeetingBelongsToEveryRegionOfItsStates(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	r := e.ok("UANA", "/meeting", `add state:"PA, NY" date:2026-11-24 discussion:"joint tabletop" followup:"GETBACK (1): send the agenda. RD FORAC."`)
	if !strings.Contains(r.Text, "(Region 3, also Region 2)") {
		t.Fatalf("add: %s", r.Text)
	}
	for _, tc := range []struct {
		region, also string
	}{{"3", "also Region 2"}, {"2", "also Region 3"}} {
		list := e.ok("UANA", "/meeting", "list region:"+tc.region).PlainText()
		if !strings.Contains(list, "#1 · Pennsylvania, New York") || !strings.Contains(list, tc.also) {
			t.Errorf("region %s list: %s", tc.region, list)
		}
	}
	if list := e.ok("UANA", "/meeting", "list region:1").PlainText(); strings.Contains(list, "Pennsylvania") {
		t.Errorf("region 1 list shows the meeting: %s", list)
	}
	if all := e.ok("UANA", "/meeting", "list").PlainText(); !strings.Contains(all, "Region 3, also Region 2") {
		t.Errorf("the list of all regions names both: %s", all)
	}
	if show := e.ok("UANA", "/meeting", "show 1").PlainText(); !strings.Contains(show, "Region: 3 (also 2)") {
		t.Errorf("show: %s", show)
	}

	// Region 2's digest lists the meeting, marked, and counts its getback.
	preview := e.ok("UANA", "/digest", "preview region:2 week:2026-11-24").PlainText()
	if !strings.Contains(preview, "Meetings held (1)") || !strings.Contains(preview, "(#1, also Region 3)") {
		t.Fatalf("region 2 digest: %s", preview)
	}
	two, one := 2, 1
	if n, _ := e.db.CountGetbacks(ctx, bot.GetbackFilter{Workspace: ws, Region: &two}); n != 1 {
		t.Fatalf("region 2 getbacks: %d", n)
	}
	if n, _ := e.db.CountGetbacks(ctx, bot.GetbackFilter{Workspace: ws, Region: &one}); n != 0 {
		t.Fatalf("region 1 getbacks: %d", n)
	}

	// Without New York the meeting leaves region 2.
	e.ok("UANA", "/meeting", `edit 1 state:PA`)
	if list := e.ok("UANA", "/meeting", "list region:2").PlainText(); strings.Contains(list, "Pennsylvania") {
		t.Fatalf("region 2 still lists a Pennsylvania-only meeting: %s", list)
	}
	// Moving a state in the state table moves its meetings with it.
	e.ok("UANA", "/meeting", `edit 1 state:"PA, NY"`)
	e.ok("UADM", "/digest", "states New York region:1")
	if list := e.ok("UANA", "/meeting", "list region:1").PlainText(); !strings.Contains(list, "#1 · Pennsylvania, New York") {
		t.Fatalf("after New York moved to region 1: %s", list)
	}
	if list := e.ok("UANA", "/meeting", "list region:2").PlainText(); strings.Contains(list, "Pennsylvania") {
		t.Fatalf("region 2 still lists it after New York moved: %s", list)
	}
}
