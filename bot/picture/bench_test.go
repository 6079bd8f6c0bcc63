package picture_test

import (
	"fmt"
	"testing"

	"github.com/getbackhq/getback/bot"
	"github.com/getbackhq/getback/bot/picture"
)

// benchData returns a region 9 (or, for 0, national) coverage map input
// with every bucket present, and a busy 12-week history.
func benchData(region int) (picture.Coverage, picture.History) {
	cv := picture.Coverage{Title: "Region 9 coverage, week 2026-W48", AsOf: "2026-11-29", Regional: region != 0}
	for i, s := range bot.States {
		p := picture.Place{Code: s.Abbr, Name: s.Name, Focus: region == 0 || s.Region == region, Met: i%6 != 0, Days: (i * 11) % 90}
		cv.Places = append(cv.Places, p)
	}
	h := picture.History{Title: "Region 9 getbacks, 12 weeks to 2026-W48"}
	for i := 0; i < 12; i++ {
		h.Weeks = append(h.Weeks, picture.Week{Label: fmt.Sprintf("W%02d", 37+i), Opened: 120 + i*7%50, Closed: 100 + i*13%60,
			Open: 5800 + i*40, Overdue: 4100 + i*25})
	}
	return cv, h
}

// BenchmarkRegionPictures renders both pictures of one region's digest and
// reports their sizes.
func BenchmarkRegionPictures(b *testing.B) {
	for _, tc := range []struct {
		name   string
		region int
	}{{"region", 9}, {"national", 0}} {
		b.Run(tc.name, func(b *testing.B) {
			cv, h := benchData(tc.region)
			var mapBytes, trendBytes int
			for b.Loop() {
				m, err := picture.CoverageMap(cv)
				if err != nil {
					b.Fatal(err)
				}
				t, err := picture.Trend(h)
				if err != nil {
					b.Fatal(err)
				}
				mapBytes, trendBytes = len(m), len(t)
			}
			b.ReportMetric(float64(mapBytes)/1024, "map-KB")
			b.ReportMetric(float64(trendBytes)/1024, "trend-KB")
		})
	}
}
