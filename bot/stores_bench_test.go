package bot_test

import (
	"context"
	"fmt"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/getbackhq/getback/bot"
	"github.com/getbackhq/getback/storage/postgres"
	"github.com/getbackhq/getback/storage/postgres/pgtest"
	"github.com/getbackhq/getback/storage/sqlite"
	"github.com/getbackhq/getback/storage/sqlite/sqlitetest"
)

// standardStores runs fn on the 100k-meeting, 300k-getback store in
// SQLite and in PostgreSQL (a copy of the same data; skipped without
// GETBACK_TEST_POSTGRES_URL).
func standardStores(b *testing.B, fn func(b *testing.B, db bot.Store)) {
	b.Run("store=sqlite", func(b *testing.B) { fn(b, sqlitetest.Open(b, sqlitetest.Standard)) })
	b.Run("store=postgres", func(b *testing.B) {
		fn(b, pgtest.Seeded(b, sqlitetest.Standard.Workspace, sqlitetest.Cached(b, sqlitetest.Standard)))
	})
}

// BenchmarkRegionalDigestByStore builds region 9's weekly digest over the
// standard store, in each store.
func BenchmarkRegionalDigestByStore(b *testing.B) {
	standardStores(b, func(b *testing.B, db bot.Store) {
		d := &bot.Reporter{Store: db}
		r := bot.NewRegion(sqlitetest.Standard.Workspace, 9)
		r.TZ = "Pacific/Honolulu"
		week, today := bot.Date{Year: 2026, Month: 11, Day: 16}, bot.Date{Year: 2026, Month: 11, Day: 23}
		var lat sqlitetest.Latencies
		for b.Loop() {
			lat.Time(func() {
				rep, err := d.Digest(context.Background(), r, week, today)
				if err != nil || len(rep.Blocks) < 7 {
					b.Fatal(err, len(rep.Blocks))
				}
			})
		}
		lat.Report(b)
	})
}

// BenchmarkOutboxDrainReplicas drains 3 channels × 8 posts through an API
// that allows one message per second per channel, with one sender and with
// three (as three replicas would run, each its own owner, claiming two
// items at a time so that channels pass from one to another), in each
// store. The ratio of the ideal time to the time taken is the figure of
// merit; any 429 means pacing failed across senders.
func BenchmarkOutboxDrainReplicas(b *testing.B) {
	const channels, perChannel = 3, 8
	stores := map[string]func(b *testing.B) bot.Store{
		"sqlite": func(b *testing.B) bot.Store {
			// Paced in real time: the store's clock is the senders'.
			db, err := sqlite.Open(context.Background(), filepath.Join(b.TempDir(), "g.db"), sqlite.WithClock(time.Now))
			if err != nil {
				b.Fatal(err)
			}
			b.Cleanup(func() { db.Close() })
			return db
		},
		"postgres": func(b *testing.B) bot.Store {
			db, err := postgres.Open(context.Background(), pgtest.URL(b))
			if err != nil {
				b.Fatal(err)
			}
			b.Cleanup(func() { db.Close() })
			return db
		},
	}
	for _, store := range []string{"sqlite", "postgres"} {
		for _, replicas := range []int{1, 3} {
			b.Run(fmt.Sprintf("store=%s/replicas=%d", store, replicas), func(b *testing.B) {
				var ratios float64
				limited, runs := 0, 0
				for b.Loop() {
					b.StopTimer()
					db := stores[store](b)
					now := time.Now()
					for ch := range channels {
						for i := range perChannel {
							it := &bot.OutboxItem{Key: fmt.Sprintf("d%d-%d", ch, i), Target: bot.Target{Workspace: ws, Channel: fmt.Sprintf("region-%d", ch)},
								Reply: bot.Reply{Text: "digest"}, NextAttempt: now}
							if _, err := db.Enqueue(context.Background(), it); err != nil {
								b.Fatal(err)
							}
						}
					}
					api := &rateLimitedAPI{fakeMessenger: fakeMessenger{limits: bot.MessageLimits{MinInterval: time.Second}},
						interval: time.Second, last: map[string]time.Time{}}
					ctx, cancel := context.WithCancel(context.Background())
					var wg sync.WaitGroup
					b.StartTimer()
					start := time.Now()
					for r := range replicas {
						s := &bot.Sender{Store: db, Messengers: map[string]bot.Messenger{"console": api}, Now: time.Now,
							Owner: fmt.Sprintf("replica-%d", r), Lease: 10 * time.Second}
						if replicas > 1 {
							s.Batch = 2
						}
						wg.Go(func() { s.Run(ctx, 50*time.Millisecond) })
					}
					for len(api.sentTo()) < channels || total(api.sentTo()) < channels*perChannel {
						time.Sleep(5 * time.Millisecond)
					}
					elapsed := time.Since(start)
					cancel()
					wg.Wait()
					b.StopTimer()
					ideal := time.Duration(perChannel-1) * time.Second
					ratios += ideal.Seconds() / elapsed.Seconds()
					limited += api.limited
					runs++
					b.StartTimer()
				}
				b.ReportMetric(ratios/float64(runs), "ratio-to-limit")
				b.ReportMetric(float64(limited), "429s-in-all")
			})
		}
	}
}

func total(m map[string]int) int {
	n := 0
	for _, v := range m {
		n += v
	}
	return n
}
