package sqlite_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/getbackhq/getback/bot"
	"github.com/getbackhq/getback/storage/sqlite/sqlitetest"
)

// BenchmarkGetbackTrend counts 12 weeks of one region's getbacks, and of
// all of them, over the 100k-meeting, 300k-getback store.
func BenchmarkGetbackTrend(b *testing.B) {
	db := sqlitetest.Open(b, sqlitetest.Standard)
	var periods []bot.TrendPeriod
	monday := bot.Date{Year: 2026, Month: 11, Day: 16}
	for i := 11; i >= 0; i-- {
		mon := monday.AddDays(-7 * i)
		periods = append(periods, bot.TrendPeriod{From: mon.In(time.UTC), To: mon.AddDays(7).In(time.UTC), OverdueBefore: mon.AddDays(7)})
	}
	for _, region := range []int{9, bot.LeadershipRegion} {
		b.Run(fmt.Sprintf("region=%d", region), func(b *testing.B) {
			var lat sqlitetest.Latencies
			for b.Loop() {
				lat.Time(func() {
					if _, err := db.GetbackTrend(context.Background(), sqlitetest.Standard.Workspace, region, periods); err != nil {
						b.Fatal(err)
					}
				})
			}
			lat.Report(b)
		})
	}
}
