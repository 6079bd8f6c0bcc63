package picture

import (
	"bytes"
	"fmt"
	"image"
	"image/color"
	"image/png"
	"math/rand/v2"
	"strings"
	"testing"
)

// seededHistory returns 12 weeks of plausible figures from a fixed seed.
func seededHistory(seed uint64) History {
	r := rand.New(rand.NewPCG(seed, 7))
	h := History{Title: "Region 9 getbacks, 12 weeks to 2026-W48"}
	open := 20 + r.IntN(200)
	for i := 0; i < 12; i++ {
		wk := Week{Label: fmt.Sprintf("W%02d", 37+i), Opened: r.IntN(60), Closed: r.IntN(60)}
		open = max(open+wk.Opened-wk.Closed, 0)
		wk.Open, wk.Overdue = open, r.IntN(open+1)
		h.Weeks = append(h.Weeks, wk)
	}
	h.Weeks[3].Opened = 0 // a week with nothing opened has no bar
	return h
}

func rgba(img image.Image, x, y int) color.RGBA {
	r, g, b, a := img.At(x, y).RGBA()
	return color.RGBA{uint8(r >> 8), uint8(g >> 8), uint8(b >> 8), uint8(a >> 8)}
}

// column measures a bar: how many pixels up from base, at column x, have
// one of the colours.
func column(img image.Image, x, base int, cols ...color.RGBA) int {
	n := 0
	for y := base - 1; y >= 0; y-- {
		c := rgba(img, x, y)
		ok := false
		for _, want := range cols {
			ok = ok || c == want
		}
		if !ok {
			break
		}
		n++
	}
	return n
}

// hatchedRows counts the rows at the foot of a bar that carry hatching;
// the bar's bottom row is its outline, counted when hatching sits on it.
func hatchedRows(img image.Image, x0, x1, base int) int {
	n := 0
	for y := base - 2; y >= 0; y-- {
		found := false
		for x := x0 + 1; x < x1-1; x++ {
			found = found || rgba(img, x, y) == blue700
		}
		if !found {
			break
		}
		n++
	}
	if n > 0 {
		n++
	}
	return n
}

// proportional checks that measured heights follow the values, within a
// pixel, and that the tallest bar uses most of the plot.
func proportional(t *testing.T, what string, values, heights []int) {
	t.Helper()
	vmax, hmax := 0, 0
	for i, v := range values {
		vmax, hmax = max(vmax, v), max(hmax, heights[i])
	}
	if vmax == 0 {
		for i, h := range heights {
			if h != 0 {
				t.Errorf("%s %d: bar of %d px for no value", what, i, h)
			}
		}
		return
	}
	if hmax < (trendPlotH-trendHead)/2 || hmax > trendPlotH {
		t.Errorf("%s: tallest bar %d px in a %d px plot", what, hmax, trendPlotH)
	}
	for i, v := range values {
		want := float64(v) * float64(hmax) / float64(vmax)
		if d := float64(heights[i]) - want; d < -1.5 || d > 1.5 {
			t.Errorf("%s week %d: value %d drawn %d px high, want about %.1f (max %d = %d px)", what, i, v, heights[i], want, vmax, hmax)
		}
		if v == 0 && heights[i] != 0 {
			t.Errorf("%s week %d: no value but a %d px bar", what, i, heights[i])
		}
	}
}

func TestTrendBarsMatchASeededHistory(t *testing.T) {
	for _, seed := range []uint64{1, 2, 3, 42} {
		t.Run(fmt.Sprint("seed ", seed), func(t *testing.T) {
			h := seededHistory(seed)
			b, err := Trend(h)
			if err != nil {
				t.Fatal(err)
			}
			img, err := png.Decode(bytes.NewReader(b))
			if err != nil {
				t.Fatal(err)
			}
			l := newTrendLayout(len(h.Weeks))
			baseA, baseB := trendATop+trendPlotH, trendBTop+trendPlotH
			var opened, closed, open, overdue, hOpened, hClosed, hOpen, hOverdue []int
			for i, wk := range h.Weeks {
				o, c := l.pairBars(i)
				x0, x1 := l.openBar(i)
				opened, closed, open, overdue = append(opened, wk.Opened), append(closed, wk.Closed), append(open, wk.Open), append(overdue, wk.Overdue)
				hOpened = append(hOpened, column(img, (o[0]+o[1])/2, baseB, blue700))
				hClosed = append(hClosed, column(img, (c[0]+c[1])/2, baseB, blue400))
				hOpen = append(hOpen, column(img, (x0+x1)/2, baseA, blue200, blue700, blue500))
				hOverdue = append(hOverdue, hatchedRows(img, x0, x1, baseA))
			}
			proportional(t, "opened", opened, hOpened)
			proportional(t, "closed", closed, hClosed)
			proportional(t, "open at week end", open, hOpen)
			// Overdue is drawn on the open bars' scale.
			for i := range overdue {
				want := float64(overdue[i]) * float64(hOpen[i]) / float64(max(open[i], 1))
				if d := float64(hOverdue[i]) - want; d < -1.5 || d > 1.5 {
					t.Errorf("overdue week %d: %d of %d open drawn %d of %d px", i, overdue[i], open[i], hOverdue[i], hOpen[i])
				}
			}
		})
	}
}

func TestTrendAltTextListsEveryWeek(t *testing.T) {
	h := History{Title: "Region 9 getbacks, 12 weeks to 2026-W48", Weeks: []Week{
		{Label: "W47", Opened: 4, Closed: 2, Open: 30, Overdue: 5},
		{Label: "W48", Opened: 1, Closed: 6, Open: 25, Overdue: 3},
	}}
	alt := h.Alt()
	for _, want := range []string{
		"Region 9 getbacks, 12 weeks to 2026-W48.",
		"W47: 4 opened, 2 closed, 30 open at week end (5 overdue).",
		"W48: 1 opened, 6 closed, 25 open at week end (3 overdue).",
	} {
		if !strings.Contains(alt, want) {
			t.Errorf("alt text lacks %q:\n%s", want, alt)
		}
	}
}

func TestTrendDrawsOddInputWithoutFailing(t *testing.T) {
	cases := []struct {
		name string
		h    History
	}{
		{"no weeks", History{}},
		{"all zero", History{Weeks: make([]Week, 12)}},
		{"negative counts", History{Weeks: []Week{{Label: "W1", Opened: -3, Closed: -1, Open: -5, Overdue: -2}}}},
		{"more overdue than open", History{Weeks: []Week{{Label: "W1", Open: 3, Overdue: 9}}}},
		{"huge counts", History{Weeks: []Week{{Label: "W1", Opened: 1 << 40, Open: 1 << 50, Overdue: 1 << 49}}}},
		{"a year of weeks", History{Weeks: make([]Week, 53)}},
		{"very long labels", History{Weeks: []Week{{Label: strings.Repeat("W", 200), Opened: 1}}}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			b, err := Trend(tc.h)
			if err != nil {
				t.Fatal(err)
			}
			if _, err := png.Decode(bytes.NewReader(b)); err != nil {
				t.Fatal(err)
			}
			if tc.h.Alt() == "" {
				t.Fatal("empty alt text")
			}
		})
	}
}

func TestNiceCeil(t *testing.T) {
	cases := []struct{ in, want int }{{-1, 1}, {0, 1}, {1, 1}, {2, 2}, {3, 3}, {7, 8}, {9, 10}, {11, 20}, {40, 40}, {73, 80}, {101, 200}, {206, 300}, {4999, 5000}}
	for _, tc := range cases {
		if got := niceCeil(tc.in); got != tc.want {
			t.Errorf("niceCeil(%d) = %d, want %d", tc.in, got, tc.want)
		}
	}
}
