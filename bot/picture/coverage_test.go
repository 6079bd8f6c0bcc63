package picture_test

import (
	"bytes"
	"image"
	"image/color"
	"image/png"
	"strings"
	"testing"

	"github.com/getbackhq/getback/bot"
	"github.com/getbackhq/getback/bot/picture"
)

func decode(t *testing.T, b []byte) image.Image {
	t.Helper()
	img, err := png.Decode(bytes.NewReader(b))
	if err != nil {
		t.Fatalf("not a PNG: %v", err)
	}
	return img
}

// colours returns how often each colour occurs in r.
func colours(img image.Image, r image.Rectangle) map[color.RGBA]int {
	out := map[color.RGBA]int{}
	for y := r.Min.Y; y < r.Max.Y; y++ {
		for x := r.Min.X; x < r.Max.X; x++ {
			cr, cg, cb, ca := img.At(x, y).RGBA()
			out[color.RGBA{uint8(cr >> 8), uint8(cg >> 8), uint8(cb >> 8), uint8(ca >> 8)}]++
		}
	}
	return out
}

// band is the strip along the top of a tile, inside its outline and above
// its labels: only the tile's fill shows there.
func band(t *testing.T, code string) image.Rectangle {
	t.Helper()
	r, ok := picture.TileRect(code)
	if !ok {
		t.Fatalf("no tile for %s", code)
	}
	return image.Rect(r.Min.X+3, r.Min.Y+3, r.Max.X-3, r.Min.Y+9)
}

// nationalMap returns a map with every jurisdiction of the state table.
func places(focusRegion int, met func(bot.State) (int, bool)) []picture.Place {
	var out []picture.Place
	for _, s := range bot.States {
		days, ok := met(s)
		out = append(out, picture.Place{Code: s.Abbr, Name: s.Name, Focus: focusRegion == 0 || s.Region == focusRegion, Met: ok, Days: days})
	}
	return out
}

func TestEveryJurisdictionOfTheStateTableHasATile(t *testing.T) {
	for _, s := range bot.States {
		if _, ok := picture.TileRect(s.Abbr); !ok {
			t.Errorf("%s (%s) has no tile", s.Name, s.Abbr)
		}
	}
	if n := len(bot.States); n != 56 {
		t.Errorf("state table has %d jurisdictions, want 50 states, DC and 5 territories", n)
	}
}

func TestNoTwoTilesOverlapAndAllLieInsideTheMap(t *testing.T) {
	b, err := picture.CoverageMap(picture.Coverage{Title: "National coverage", Places: places(0, func(bot.State) (int, bool) { return 0, false })})
	if err != nil {
		t.Fatal(err)
	}
	bounds := decode(t, b).Bounds()
	for i, a := range bot.States {
		ra, _ := picture.TileRect(a.Abbr)
		if ra.Dx() != ra.Dy() || ra.Dx() < 40 {
			t.Errorf("%s: tile %v is not an equal square of at least 40 px", a.Abbr, ra)
		}
		if !ra.In(bounds) {
			t.Errorf("%s: tile %v lies outside the image %v", a.Abbr, ra, bounds)
		}
		for _, o := range bot.States[i+1:] {
			ro, _ := picture.TileRect(o.Abbr)
			if ra.Overlaps(ro) {
				t.Errorf("tiles of %s %v and %s %v overlap", a.Abbr, ra, o.Abbr, ro)
			}
		}
	}
}

func TestTilesAreShadedByDaysSinceTheLastMeeting(t *testing.T) {
	cases := []struct {
		name string
		days int
		met  bool
		want picture.Recency
	}{
		{"met 3 days ago is recent", 3, true, picture.MetLastWeek},
		{"met today is recent", 0, true, picture.MetLastWeek},
		{"met 7 days ago is still recent", 7, true, picture.MetLastWeek},
		{"met 8 days ago is within 28 days", 8, true, picture.MetLastMonth},
		{"met 28 days ago is within 28 days", 28, true, picture.MetLastMonth},
		{"met 29 days ago is older", 29, true, picture.MetEarlier},
		{"met a year ago is older", 365, true, picture.MetEarlier},
		{"never met", 0, false, picture.NeverMet},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			if got := picture.RecencyOf(tc.days, tc.met); got != tc.want {
				t.Fatalf("RecencyOf(%d, %v) = %v, want %v", tc.days, tc.met, got, tc.want)
			}
			cv := picture.Coverage{Title: "Region 9 coverage, week 2026-W48", Regional: true,
				Places: places(9, func(s bot.State) (int, bool) {
					if s.Abbr == "NV" {
						return tc.days, tc.met
					}
					return 100, true
				})}
			b, err := picture.CoverageMap(cv)
			if err != nil {
				t.Fatal(err)
			}
			got := colours(decode(t, b), band(t, "NV"))
			if tc.want == picture.NeverMet {
				white := color.RGBA{0xff, 0xff, 0xff, 0xff}
				if len(got) != 2 || got[white] == 0 || got[picture.HatchColor()] == 0 {
					t.Fatalf("never-met tile shows %v, want white hatched with %v", got, picture.HatchColor())
				}
				return
			}
			if len(got) != 1 || got[tc.want.Color()] == 0 {
				t.Fatalf("tile shows %v, want only %v (%v)", got, tc.want.Color(), tc.want)
			}
		})
	}
}

func TestRegionalMapMutesOtherRegions(t *testing.T) {
	cv := picture.Coverage{Title: "Region 9 coverage", Regional: true,
		Places: places(9, func(bot.State) (int, bool) { return 2, true })}
	b, err := picture.CoverageMap(cv)
	if err != nil {
		t.Fatal(err)
	}
	img := decode(t, b)
	for code, want := range map[string]color.RGBA{"NV": picture.MetLastWeek.Color(), "GU": picture.MetLastWeek.Color(),
		"OR": picture.MutedColor(), "PR": picture.MutedColor()} {
		if got := colours(img, band(t, code)); len(got) != 1 || got[want] == 0 {
			t.Errorf("%s shows %v, want %v", code, got, want)
		}
	}
}

func TestRecencyColoursDifferInLightnessForPrint(t *testing.T) {
	// Greyscale print keeps only lightness: the steps must stay apart.
	luma := func(c color.RGBA) int { return (299*int(c.R) + 587*int(c.G) + 114*int(c.B)) / 1000 }
	steps := []color.RGBA{picture.MetLastWeek.Color(), picture.MetLastMonth.Color(), picture.MetEarlier.Color(), picture.NeverMet.Color()}
	for i := 1; i < len(steps); i++ {
		if d := luma(steps[i]) - luma(steps[i-1]); d < 30 {
			t.Errorf("step %d is only %d lighter than step %d", i, d, i-1)
		}
	}
}

func TestCoverageAltTextCarriesTheSameFacts(t *testing.T) {
	cv := picture.Coverage{Title: "Region 9 coverage, week 2026-W48", AsOf: "2026-11-22", Regional: true,
		Places: []picture.Place{
			{Code: "NV", Name: "Nevada", Focus: true, Met: true, Days: 3},
			{Code: "AZ", Name: "Arizona", Focus: true, Met: true, Days: 20},
			{Code: "HI", Name: "Hawaii", Focus: true, Met: true, Days: 52},
			{Code: "GU", Name: "Guam", Focus: true},
			{Code: "OR", Name: "Oregon", Met: true, Days: 1},
		}}
	alt := cv.Alt()
	for _, want := range []string{
		"Region 9 coverage, week 2026-W48",
		"as of 2026-11-22",
		"Met in the last 7 days: Nevada (3 days).",
		"Met 8 to 28 days ago: Arizona (20 days).",
		"Met more than 28 days ago: Hawaii (52 days).",
		"No meeting on record: Guam.",
	} {
		if !strings.Contains(alt, want) {
			t.Errorf("alt text lacks %q:\n%s", want, alt)
		}
	}
	if strings.Contains(alt, "Oregon") {
		t.Errorf("alt text names a muted place of another region:\n%s", alt)
	}
}

func TestCoverageMapDrawsOddInputWithoutFailing(t *testing.T) {
	cases := []struct {
		name string
		cv   picture.Coverage
	}{
		{"nothing at all", picture.Coverage{}},
		{"an unknown code goes below the map", picture.Coverage{Places: []picture.Place{{Code: "ZZ", Name: "Nowhere", Focus: true}}}},
		{"lower-case code", picture.Coverage{Places: []picture.Place{{Code: "nv", Focus: true, Met: true, Days: 1}}}},
		{"negative days", picture.Coverage{Places: []picture.Place{{Code: "NV", Focus: true, Met: true, Days: -4}}}},
		{"a very long title", picture.Coverage{Title: strings.Repeat("Region 9 coverage ", 40)}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			b, err := picture.CoverageMap(tc.cv)
			if err != nil {
				t.Fatal(err)
			}
			decode(t, b)
			if tc.cv.Alt() == "" {
				t.Fatal("empty alt text")
			}
		})
	}
}

func TestAnUnknownCodeGetsATileBelowTheMap(t *testing.T) {
	plain, err := picture.CoverageMap(picture.Coverage{})
	if err != nil {
		t.Fatal(err)
	}
	more, err := picture.CoverageMap(picture.Coverage{Places: []picture.Place{{Code: "ZZ", Focus: true}}})
	if err != nil {
		t.Fatal(err)
	}
	if a, b := decode(t, plain).Bounds().Dy(), decode(t, more).Bounds().Dy(); b <= a {
		t.Fatalf("map with an unplaced code is %d px high, without %d: the code has no tile", b, a)
	}
}
