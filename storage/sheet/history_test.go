package sheet

import (
	"context"
	"testing"
	"time"

	"github.com/getbackhq/getback/bot"
)

// TestImportedItemsAreOpenedOnTheirMeetingsDay: a 2017 row with three
// GETBACK items shows in its week's digest as three items opened that
// week, not as items opened on the day of the import; an undated row's
// items were opened on the day of the import.
func TestImportedItemsAreOpenedOnTheirMeetingsDay(t *testing.T) {
	db := openDB(t)
	head := Title + "\nRegion\tState\tMeeting Location\tMeeting Date\tDHS POC\tKey Discussion Points\tFollow-up Required\n"
	s, _ := importText(t, db, "history.tsv", head+
		"9\tNevada\tCarson City\t10/11/2017\t(b) (6)\tTabletop planning\tGETBACK (1): send the schedule. RD FORAC. "+
		"GETBACK (2): share the offer. CS FORAC. GETBACK (3): confirm the contact. ITF FORAC.\n"+
		"9\tNevada\tReno\tTBD\t(b) (6)\tPhone call\tGETBACK: call back. RD FORAC.\n")
	if s.Created != 2 || s.Getbacks != 4 {
		t.Fatalf("import: %+v", s)
	}
	ctx := context.Background()
	gbs, _, _ := db.FindGetbacks(ctx, bot.GetbackFilter{Workspace: ws})
	for _, g := range gbs {
		want := time.Date(2017, 10, 11, 12, 0, 0, 0, time.UTC)
		if g.Meeting.Date.IsZero() {
			want = importDay
		}
		if !g.CreatedAt.Equal(want) {
			t.Errorf("%q opened %v, want %v", g.Text, g.CreatedAt, want)
		}
	}
	r := bot.NewRegion(ws, 9)
	for _, tz := range []string{"Pacific/Honolulu", "Pacific/Guam", "America/New_York", "Pacific/Pago_Pago"} {
		r.TZ = tz
		rep, err := (&bot.Reporter{Store: db}).Digest(ctx, r, bot.Date{Year: 2017, Month: 10, Day: 11}, bot.DateOf(importDay))
		if err != nil {
			t.Fatal(err)
		}
		opened := ""
		for _, b := range rep.Blocks {
			for _, f := range b.Fields {
				if b.Heading == bot.SectionGetbacks && f.Label == "Opened" {
					opened = f.Value
				}
			}
		}
		if opened != "3" {
			t.Errorf("%s: the week of 2017-10-11 opened %q getbacks, want 3", tz, opened)
		}
	}
}
