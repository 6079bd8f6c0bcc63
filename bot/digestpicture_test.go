package bot_test

import (
	"bytes"
	"context"
	"fmt"
	"image/color"
	"image/png"
	"strings"
	"testing"
	"time"

	"github.com/getbackhq/getback/bot"
	"github.com/getbackhq/getback/bot/clocktest"
	"github.com/getbackhq/getback/bot/picture"
)

// tileColours returns the colours along the top of a state's tile on a
// coverage map: its fill, or white and hatching for "never".
func tileColours(t *testing.T, pngBytes []byte, code string) map[color.RGBA]bool {
	t.Helper()
	img, err := png.Decode(bytes.NewReader(pngBytes))
	if err != nil {
		t.Fatal(err)
	}
	r, ok := picture.TileRect(code)
	if !ok {
		t.Fatalf("no tile for %s", code)
	}
	out := map[color.RGBA]bool{}
	for y := r.Min.Y + 3; y < r.Min.Y+9; y++ {
		for x := r.Min.X + 3; x < r.Max.X-3; x++ {
			cr, cg, cb, ca := img.At(x, y).RGBA()
			out[color.RGBA{uint8(cr >> 8), uint8(cg >> 8), uint8(cb >> 8), uint8(ca >> 8)}] = true
		}
	}
	return out
}

func only(c color.RGBA) map[color.RGBA]bool { return map[color.RGBA]bool{c: true} }

var hatched = map[color.RGBA]bool{{0xff, 0xff, 0xff, 0xff}: true, picture.HatchColor(): true}

func sameColours(a, b map[color.RGBA]bool) bool {
	if len(a) != len(b) {
		return false
	}
	for c := range a {
		if !b[c] {
			return false
		}
	}
	return true
}

func TestCoverageOfListsEveryJurisdictionWithItsLastMeeting(t *testing.T) {
	c := clocktest.New(time.Date(2026, 11, 18, 20, 0, 0, 0, time.UTC))
	db := openStore(t, c)
	seedWeek(t, db, c)
	ctx := context.Background()
	if err := db.SetStateRegion(ctx, ws, "Guam", 10); err != nil {
		t.Fatal(err)
	}
	asOf := bot.Date{Year: 2026, Month: 11, Day: 22}
	cov, err := bot.CoverageOf(ctx, db, ws, asOf)
	if err != nil {
		t.Fatal(err)
	}
	if len(cov) != len(bot.States) {
		t.Fatalf("%d entries, want one per jurisdiction (%d)", len(cov), len(bot.States))
	}
	by := map[string]bot.CoverageEntry{}
	for i, e := range cov {
		by[e.State.Name] = e
		if i > 0 && (cov[i-1].State.Region > e.State.Region ||
			cov[i-1].State.Region == e.State.Region && cov[i-1].State.Name > e.State.Name) {
			t.Errorf("not by region then name: %s (%d) before %s (%d)", cov[i-1].State.Name, cov[i-1].State.Region, e.State.Name, e.State.Region)
		}
	}
	cases := []struct {
		state  string
		region int
		last   string
		days   int
	}{
		{"Nevada", 9, "2026-11-20", 2},
		{"Guam", 10, "2026-11-19", 3}, // moved to region 10 by an admin
		{"Arizona", 9, "2026-11-02", 20},
		{"Hawaii", 9, "2026-10-01", 52},
		{"Oregon", 10, "2026-11-18", 4},
		{"California", 9, "", 0},
	}
	for _, tc := range cases {
		e := by[tc.state]
		if e.State.Region != tc.region || e.Last.String() != tc.last || e.Days != tc.days || e.Met() != (tc.last != "") {
			t.Errorf("%s: region %d, last %q, %d days, met %v; want region %d, last %q, %d days",
				tc.state, e.State.Region, e.Last, e.Days, e.Met(), tc.region, tc.last, tc.days)
		}
	}
	// A meeting after the day asked for does not count.
	early, _ := bot.CoverageOf(ctx, db, ws, bot.Date{Year: 2026, Month: 11, Day: 18})
	for _, e := range early {
		if e.State.Name == "Nevada" && (e.Last.String() != "2026-11-17" || e.Days != 1) {
			t.Errorf("Nevada as of 2026-11-18: last %s, %d days; want 2026-11-17, 1", e.Last, e.Days)
		}
	}
}

func TestTrendOfCountsTwelveWeeksInTheRegionsZone(t *testing.T) {
	c := clocktest.New(time.Date(2026, 11, 18, 20, 0, 0, 0, time.UTC))
	db := openStore(t, c)
	seedWeek(t, db, c) // four region 9 items created in W47, one closed
	ctx := bot.WithActor(context.Background(), bot.Actor{UserID: "ana"})
	hnl := mustZone(t, "Pacific/Honolulu")
	m := &bot.Meeting{Workspace: ws, Region: 9, States: []string{"Nevada"}, Date: bot.Date{Year: 2026, Month: 9, Day: 1}, CreatedBy: "ana"}
	if err := db.CreateMeeting(ctx, m); err != nil {
		t.Fatal(err)
	}
	add := func(at time.Time, due bot.Date) *bot.Getback {
		t.Helper()
		c.Set(at)
		g := &bot.Getback{Workspace: ws, MeetingID: m.ID, Text: "x", Owner: "ana", OwnerKind: bot.OwnerUser, Status: bot.StatusOpen, Due: due}
		if err := db.CreateGetback(ctx, g); err != nil {
			t.Fatal(err)
		}
		return g
	}
	// Sunday 23:30 in Honolulu is Monday in UTC: the item belongs to the
	// Honolulu week that ends that Sunday (W45, Nov 2-8).
	late := add(time.Date(2026, 11, 8, 23, 30, 0, 0, hnl), bot.Date{Year: 2026, Month: 11, Day: 12})
	// Eleven weeks before W47 is W36, the first week shown; W35 is not.
	add(time.Date(2026, 8, 31, 12, 0, 0, 0, hnl), bot.Date{})
	add(time.Date(2026, 8, 30, 12, 0, 0, 0, hnl), bot.Date{})
	done := bot.StatusDone
	c.Set(time.Date(2026, 11, 10, 9, 0, 0, 0, hnl))
	if _, err := db.UpdateGetback(ctx, ws, late.ID, bot.GetbackUpdate{Status: &done}); err != nil {
		t.Fatal(err)
	}

	monday, today := bot.Date{Year: 2026, Month: 11, Day: 16}, bot.Date{Year: 2026, Month: 11, Day: 23}
	weeks, err := bot.TrendOf(ctx, db, ws, 9, hnl, monday, today, bot.TrendWeeks)
	if err != nil {
		t.Fatal(err)
	}
	if len(weeks) != 12 || weeks[0].Monday != monday.AddDays(-77) || weeks[11].Monday != monday {
		t.Fatalf("weeks: %d, first %v, last %v", len(weeks), weeks[0].Monday, weeks[len(weeks)-1].Monday)
	}
	want := map[string]bot.TrendCounts{
		"2026-W36": {Opened: 1, Open: 2},
		"2026-W45": {Opened: 1, Open: 3},
		"2026-W46": {Closed: 1, Open: 2},
		"2026-W47": {Opened: 4, Closed: 1, Open: 5, Overdue: 2},
	}
	for _, w := range weeks {
		wc, listed := want[w.Monday.ISOWeek()]
		if !listed { // a quiet week carries the two undated items over
			wc = bot.TrendCounts{Open: 2}
		}
		if w.TrendCounts != wc {
			t.Errorf("%s: %+v, want %+v", w.Monday.ISOWeek(), w.TrendCounts, wc)
		}
	}
}

func TestDigestCarriesItsPictures(t *testing.T) {
	c := clocktest.New(time.Date(2026, 11, 18, 20, 0, 0, 0, time.UTC))
	db := openStore(t, c)
	seedWeek(t, db, c)
	week, today := bot.Date{Year: 2026, Month: 11, Day: 19}, bot.Date{Year: 2026, Month: 11, Day: 23}
	r := bot.NewRegion(ws, 9)
	r.TZ = "Pacific/Honolulu"
	ctx := context.Background()

	plain, err := (&bot.Reporter{Store: db}).Digest(ctx, r, week, today)
	if err != nil || len(plain.Images) != 0 {
		t.Fatalf("without Pictures: %d images, %v", len(plain.Images), err)
	}
	rep, err := (&bot.Reporter{Store: db, Pictures: true}).Digest(ctx, r, week, today)
	if err != nil {
		t.Fatal(err)
	}
	if len(rep.Images) != 2 || rep.Images[0].Name != "region-9-coverage-2026-W47.png" || rep.Images[1].Name != "region-9-getbacks-2026-W47.png" {
		t.Fatalf("images: %+v", names(rep.Images))
	}
	if rep.PlainText() != plain.PlainText() {
		t.Fatal("the pictures changed the digest's text")
	}
	cov, trend := rep.Images[0], rep.Images[1]
	tiles := []struct {
		code string
		want map[color.RGBA]bool
	}{
		{"NV", only(picture.MetLastWeek.Color())},  // met 2 days before Sunday
		{"GU", only(picture.MetLastWeek.Color())},  // 3 days
		{"AZ", only(picture.MetLastMonth.Color())}, // 20 days
		{"HI", only(picture.MetEarlier.Color())},   // 52 days
		{"AS", hatched},                            // never
		{"CA", hatched},
		{"OR", only(picture.MutedColor())}, // region 10
	}
	for _, tc := range tiles {
		if got := tileColours(t, cov.PNG, tc.code); !sameColours(got, tc.want) {
			t.Errorf("%s tile shows %v, want %v", tc.code, got, tc.want)
		}
	}
	for _, want := range []string{"Region 9 coverage, week 2026-W47", "as of 2026-11-22", "Met in the last 7 days: Guam (3 days), Nevada (2 days).",
		"Met 8 to 28 days ago: Arizona (20 days).", "Met more than 28 days ago: Hawaii (52 days).",
		"No meeting on record: American Samoa, California, Northern Mariana Islands."} {
		if !strings.Contains(cov.Alt, want) {
			t.Errorf("coverage alt lacks %q:\n%s", want, cov.Alt)
		}
	}
	for _, want := range []string{"Region 9 getbacks, 12 weeks to 2026-W47.", "W36: 0 opened, 0 closed, 0 open at week end (0 overdue).",
		"W47: 4 opened, 1 closed, 3 open at week end (2 overdue)."} {
		if !strings.Contains(trend.Alt, want) {
			t.Errorf("trend alt lacks %q:\n%s", want, trend.Alt)
		}
	}
	if img, err := png.Decode(bytes.NewReader(trend.PNG)); err != nil || img.Bounds().Dx() < 300 {
		t.Fatalf("trend picture: %v", err)
	}

	// The leadership roll-up gets the national map, every tile shaded, and
	// the trend of every item, those without a meeting (or region) too.
	c.Set(time.Date(2026, 11, 18, 21, 0, 0, 0, time.UTC))
	owe(t, db, "bob", bot.Date{Year: 2026, Month: 11, Day: 20})
	lead, err := (&bot.Reporter{Store: db, Pictures: true}).Digest(ctx, bot.NewRegion(ws, bot.LeadershipRegion), week, today)
	if err != nil {
		t.Fatal(err)
	}
	if len(lead.Images) != 2 || lead.Images[0].Name != "national-coverage-2026-W47.png" {
		t.Fatalf("leadership images: %v", names(lead.Images))
	}
	if got := tileColours(t, lead.Images[0].PNG, "OR"); !sameColours(got, only(picture.MetLastWeek.Color())) {
		t.Errorf("national map: Oregon shows %v", got)
	}
	if !strings.Contains(lead.Images[1].Alt, "W47: 5 opened, 1 closed, 4 open at week end (3 overdue).") {
		t.Errorf("national trend alt: %s", lead.Images[1].Alt)
	}
}

func names(imgs []bot.Image) []string {
	var out []string
	for _, im := range imgs {
		out = append(out, fmt.Sprintf("%s (%d bytes)", im.Name, len(im.PNG)))
	}
	return out
}
