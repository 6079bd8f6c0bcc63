package bot_test

import (
	"context"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/getbackhq/getback/bot"
	"github.com/getbackhq/getback/bot/clocktest"
	"github.com/getbackhq/getback/storage/sqlite"
)

// section returns the text of the blocks from the one whose heading starts
// with name up to the next section heading.
func section(r bot.Reply, name string) (string, bool) {
	var b strings.Builder
	in, found := false, false
	for _, bl := range r.Blocks {
		isSection := false
		for _, s := range []string{bot.SectionMeetings, bot.SectionGetbacks, bot.SectionOverdue, bot.SectionAwareness,
			bot.SectionAction, bot.SectionNext, bot.SectionCoverage, bot.SectionRegions} {
			isSection = isSection || strings.HasPrefix(bl.Heading, s)
		}
		if isSection {
			in = strings.HasPrefix(bl.Heading, name)
			found = found || in
		}
		if in {
			b.WriteString(bl.Heading + "\n" + bl.Text + "\n" + bl.Note + "\n")
			for _, f := range bl.Fields {
				b.WriteString(f.Label + "=" + f.Value + "\n")
			}
		}
	}
	return b.String(), found
}

func seedWeek(t *testing.T, db *sqlite.DB, c *clock) {
	t.Helper()
	ctx := bot.WithActor(context.Background(), bot.Actor{UserID: "ana"})
	person(t, db, c, "ana", "Pacific/Honolulu")
	p, _ := db.FindPerson(ctx, ws, "ana")
	p.Name = "Ana Lopez"
	db.UpsertPerson(ctx, p)
	mk := func(state string, region int, d bot.Date, f func(m *bot.Meeting)) *bot.Meeting {
		m := &bot.Meeting{Workspace: ws, Region: region, States: []string{state}, Date: d, CreatedBy: "ana"}
		if f != nil {
			f(m)
		}
		if err := db.CreateMeeting(ctx, m); err != nil {
			t.Fatal(err)
		}
		return m
	}
	// Created during week 47 (2026-11-16 .. 22, Honolulu time).
	c.Set(time.Date(2026, 11, 18, 20, 0, 0, 0, time.UTC))
	mk("Nevada", 9, bot.Date{Year: 2026, Month: 11, Day: 17}, func(m *bot.Meeting) {
		m.Location, m.Discussion = "Carson City", "Talked about the fusion center."
		m.Awareness, m.Action = "SoS wants clearances for 3 staff.", "Approve clearance requests."
		m.Next, m.NextDate = "Dec 5 site visit", bot.Date{Year: 2026, Month: 12, Day: 5}
		m.Getbacks = []*bot.Getback{{Number: 1, Text: "send the clearance forms", Owner: "ana", OwnerKind: bot.OwnerUser, Status: bot.StatusOpen}}
	})
	mk("Nevada", 9, bot.Date{Year: 2026, Month: 11, Day: 20}, func(m *bot.Meeting) {
		m.Location, m.Awareness = "Las Vegas", "Nothing significant at this time."
		m.Next = "after the holidays"
	})
	mk("Guam", 9, bot.Date{Year: 2026, Month: 11, Day: 19}, func(m *bot.Meeting) { m.Location = "Hagåtña" })
	mk("Hawaii", 9, bot.Date{Year: 2026, Month: 10, Day: 1}, nil)
	mk("Oregon", 10, bot.Date{Year: 2026, Month: 11, Day: 18}, func(m *bot.Meeting) { m.Awareness = "Region 10 only" })
	mk("Arizona", 9, bot.Date{Year: 2026, Month: 11, Day: 2}, func(m *bot.Meeting) {
		m.Getbacks = []*bot.Getback{
			{Number: 1, Text: "overdue one", Owner: "RD", OwnerKind: bot.OwnerLabel, Status: bot.StatusOpen, Due: bot.Date{Year: 2026, Month: 11, Day: 10}},
			{Number: 2, Text: "overdue two", Owner: "RD", OwnerKind: bot.OwnerLabel, Status: bot.StatusOpen, Due: bot.Date{Year: 2026, Month: 11, Day: 12}},
			{Number: 3, Text: "closed this week", Owner: "ana", OwnerKind: bot.OwnerUser, Status: bot.StatusOpen},
		}
	})
	// Closed during week 47.
	done := bot.StatusDone
	gbs, _, _ := db.FindGetbacks(ctx, bot.GetbackFilter{Workspace: ws})
	for _, g := range gbs {
		if g.Text == "closed this week" {
			db.UpdateGetback(ctx, ws, g.ID, bot.GetbackUpdate{Status: &done})
		}
	}
	db.SetOwnerMapping(ctx, bot.OwnerMapping{Workspace: ws, Label: "RD", UserID: "ana"})
}

func TestRegionalDigest(t *testing.T) {
	c := &clocktest.Clock{}
	db := openStore(t, c)
	seedWeek(t, db, c)
	r := bot.NewRegion(ws, 9)
	r.TZ = "Pacific/Honolulu"
	today := bot.Date{Year: 2026, Month: 11, Day: 23}
	rep, err := (&bot.Reporter{Store: db}).Digest(context.Background(), r, bot.Date{Year: 2026, Month: 11, Day: 19}, today)
	if err != nil {
		t.Fatal(err)
	}
	if rep.Text != "Region 9 weekly digest: Mon 2026-11-16 to Sun 2026-11-22 (2026-W47)" || rep.Visibility != bot.InChannel {
		t.Fatalf("title: %q", rep.Text)
	}
	check := func(name string, wants []string, unwanted ...string) {
		t.Helper()
		s, ok := section(rep, name)
		if !ok {
			t.Fatalf("no section %q", name)
		}
		for _, w := range wants {
			if !strings.Contains(s, w) {
				t.Errorf("section %q lacks %q:\n%s", name, w, s)
			}
		}
		for _, u := range unwanted {
			if strings.Contains(s, u) {
				t.Errorf("section %q has %q:\n%s", name, u, s)
			}
		}
	}
	check(bot.SectionMeetings, []string{"Meetings held (3)", "Guam\n2026-11-19 · Hagåtña", "Nevada\n2026-11-17 · Carson City — Talked about the fusion center. (#1)\n2026-11-20 · Las Vegas"}, "Oregon", "Hawaii", "Arizona")
	check(bot.SectionGetbacks, []string{"Opened=4", "Closed=1", "Still open=3", "New #1 send the clearance forms — Ana Lopez", "Done #4 closed this week"})
	check(bot.SectionOverdue, []string{"RD (Ana Lopez): 2 (oldest due 2026-11-10)"}, "send the clearance forms")
	check(bot.SectionAwareness, []string{"Nevada (#1): SoS wants clearances for 3 staff."}, "Nothing significant", "Region 10 only")
	check(bot.SectionAction, []string{"Nevada (#1): Approve clearance requests."})
	check(bot.SectionNext, []string{"2026-12-05 · Nevada: Dec 5 site visit (#1)", "Nevada: after the holidays (#2)"})
	check(bot.SectionCoverage, []string{"no meeting in 4 weeks", "Hawaii (last met 2026-10-01)", "American Samoa (no meeting on record)", "California (no meeting on record)"},
		"Nevada", "Guam", "Arizona")
}

func TestEmptyDigestAndLeadership(t *testing.T) {
	c := &clocktest.Clock{}
	db := openStore(t, c)
	r := bot.NewRegion(ws, 4)
	rep, err := (&bot.Reporter{Store: db}).Digest(context.Background(), r, bot.Date{Year: 2026, Month: 11, Day: 19}, bot.Date{Year: 2026, Month: 11, Day: 23})
	if err != nil {
		t.Fatal(err)
	}
	if s, _ := section(rep, bot.SectionMeetings); !strings.Contains(s, "No meetings logged this week.") {
		t.Fatalf("empty week: %s", s)
	}
	if s, _ := section(rep, bot.SectionOverdue); !strings.Contains(s, "Nothing overdue.") {
		t.Fatalf("empty overdue: %s", s)
	}

	seedWeek(t, db, c)
	lead := bot.NewRegion(ws, bot.LeadershipRegion)
	rep, err = (&bot.Reporter{Store: db}).Digest(context.Background(), lead, bot.Date{Year: 2026, Month: 11, Day: 19}, bot.Date{Year: 2026, Month: 11, Day: 23})
	if err != nil {
		t.Fatal(err)
	}
	s, _ := section(rep, bot.SectionRegions)
	if !strings.Contains(s, "Region 9: 3 meetings, 2 overdue getbacks") || !strings.Contains(s, "Region 10: 1 meeting, 0 overdue getbacks") || strings.Contains(s, "Region 4") {
		t.Fatalf("regions: %s", s)
	}
	s, _ = section(rep, bot.SectionAwareness)
	if !strings.Contains(s, "[R9] SoS wants clearances") || !strings.Contains(s, "[R10] Region 10 only") {
		t.Fatalf("awareness roll-up: %s", s)
	}
}

// TestLeadershipEntriesThatSayNothingAreNotListed: an awareness or action
// entry that only says there is nothing ("None Required", "n/a.", "-", in
// any case and punctuation) is left out of the regional digest and the
// leadership roll-up; an entry with something in it is listed, even when it
// starts with "None".
func TestLeadershipEntriesThatSayNothingAreNotListed(t *testing.T) {
	nothing := []string{"None Required", "None", "N/A", "n/a", "none.", "-", "NONE REQUIRED.", "None required at this time",
		"N / A", "n.a.", "NA", "No action required.", "No action needed at this time", "Nothing significant at this time.",
		"Nothing to report", "NSTR", "nil", "—", "...", "Not applicable", "None noted", "Not at this time.", "none; n/a"}
	something := []string{"None. Willing to work with DHS going forward.", "No funding for the county's e-pollbooks",
		"Request clearances for 3 staff", "TBD", "Action required: brief the SoS"}
	c := &clocktest.Clock{}
	db := openStore(t, c)
	ctx := bot.WithActor(context.Background(), bot.Actor{UserID: "ana"})
	c.Set(time.Date(2026, 11, 18, 20, 0, 0, 0, time.UTC))
	day := bot.Date{Year: 2026, Month: 11, Day: 17}
	for _, v := range append(append([]string(nil), nothing...), something...) {
		m := &bot.Meeting{Workspace: ws, Region: 9, States: []string{"Nevada"}, Date: day, CreatedBy: "ana", Awareness: v, Action: v}
		if err := db.CreateMeeting(ctx, m); err != nil {
			t.Fatal(err)
		}
	}
	today := bot.Date{Year: 2026, Month: 11, Day: 23}
	for _, r := range []*bot.Region{bot.NewRegion(ws, 9), bot.NewRegion(ws, bot.LeadershipRegion)} {
		rep, err := (&bot.Reporter{Store: db}).Digest(context.Background(), r, day, today)
		if err != nil {
			t.Fatal(err)
		}
		for _, name := range []string{bot.SectionAwareness, bot.SectionAction} {
			s, _ := section(rep, name)
			lines := strings.Split(strings.TrimSpace(s), "\n")
			var entries []string
			for _, l := range lines[1:] {
				if strings.HasPrefix(l, "Nevada (#") {
					entries = append(entries, l[strings.Index(l, ": ")+2:])
				}
			}
			var want []string
			for _, v := range something {
				if r.Number == bot.LeadershipRegion {
					v = "[R9] " + v
				}
				want = append(want, v)
			}
			sort.Strings(entries)
			sort.Strings(want)
			if strings.Join(entries, "\n") != strings.Join(want, "\n") {
				t.Errorf("region %d, %s lists:\n%s\nwant:\n%s", r.Number, name, strings.Join(entries, "\n"), strings.Join(want, "\n"))
			}
		}
	}
}
