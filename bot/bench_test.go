package bot_test

import (
	"context"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/getbackhq/getback/bot"
	"github.com/getbackhq/getback/bot/clocktest"
	"github.com/getbackhq/getback/storage/sqlite/sqlitetest"
)

// BenchmarkRegionalDigest builds one region's weekly digest over the
// 100k-meeting, 300k-getback store.
func BenchmarkRegionalDigest(b *testing.B) {
	db := sqlitetest.Open(b, sqlitetest.Standard)
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
}

// BenchmarkRegionalDigestSpanningRegions is BenchmarkRegionalDigest on a
// store where 200 meetings of region 10 also concern a region 9 state:
// region 9's digest then reads them, and their getbacks, too.
func BenchmarkRegionalDigestSpanningRegions(b *testing.B) {
	db := sqlitetest.Open(b, sqlitetest.Standard)
	ws := sqlitetest.Standard.Workspace
	ctx := bot.WithActor(context.Background(), bot.Actor{Workspace: ws, UserID: "bench"})
	for i := 0; i < 200; i++ {
		m := &bot.Meeting{Workspace: ws, Region: 10, States: []string{"Oregon", "Nevada"}, Date: bot.Date{Year: 2026, Month: 11, Day: 16 + i%7},
			Discussion: "joint exercise", Getbacks: []*bot.Getback{{Text: "send the agenda", Owner: "RD", OwnerKind: bot.OwnerLabel, Status: bot.StatusOpen}}}
		if err := db.CreateMeeting(ctx, m); err != nil {
			b.Fatal(err)
		}
	}
	d := &bot.Reporter{Store: db}
	r := bot.NewRegion(ws, 9)
	r.TZ = "Pacific/Honolulu"
	week, today := bot.Date{Year: 2026, Month: 11, Day: 16}, bot.Date{Year: 2026, Month: 11, Day: 23}
	var lat sqlitetest.Latencies
	for b.Loop() {
		lat.Time(func() {
			rep, err := d.Digest(context.Background(), r, week, today)
			if err != nil || !strings.Contains(rep.PlainText(), "also Region 10") {
				b.Fatal(err, "the spanning meetings are missing")
			}
		})
	}
	lat.Report(b)
}

// BenchmarkLeadershipDigest builds the cross-region roll-up.
func BenchmarkLeadershipDigest(b *testing.B) {
	db := sqlitetest.Open(b, sqlitetest.Standard)
	d := &bot.Reporter{Store: db}
	r := bot.NewRegion(sqlitetest.Standard.Workspace, bot.LeadershipRegion)
	var lat sqlitetest.Latencies
	for b.Loop() {
		lat.Time(func() {
			if _, err := d.Digest(context.Background(), r, bot.Date{Year: 2026, Month: 11, Day: 16}, bot.Date{Year: 2026, Month: 11, Day: 23}); err != nil {
				b.Fatal(err)
			}
		})
	}
	lat.Report(b)
}

// BenchmarkDigestPictures builds a region's digest and the leadership
// roll-up over the 100k-meeting store without and with their pictures
// (coverage map and 12-week trend), and reports the pictures' sizes.
func BenchmarkDigestPictures(b *testing.B) {
	db := sqlitetest.Open(b, sqlitetest.Standard)
	week, today := bot.Date{Year: 2026, Month: 11, Day: 16}, bot.Date{Year: 2026, Month: 11, Day: 23}
	for _, region := range []int{9, bot.LeadershipRegion} {
		for _, pictures := range []bool{false, true} {
			name := fmt.Sprintf("%s/pictures=%v", map[bool]string{true: "leadership", false: "region9"}[region == bot.LeadershipRegion], pictures)
			b.Run(name, func(b *testing.B) {
				d := &bot.Reporter{Store: db, Pictures: pictures}
				r := bot.NewRegion(sqlitetest.Standard.Workspace, region)
				r.TZ = "Pacific/Honolulu"
				var lat sqlitetest.Latencies
				var rep bot.Reply
				for b.Loop() {
					lat.Time(func() {
						var err error
						if rep, err = d.Digest(context.Background(), r, week, today); err != nil {
							b.Fatal(err)
						}
					})
				}
				if pictures != (len(rep.Images) == 2) {
					b.Fatalf("%d pictures", len(rep.Images))
				}
				lat.Report(b)
				for i, im := range rep.Images {
					b.ReportMetric(float64(len(im.PNG))/1024, []string{"map-KB", "trend-KB"}[i])
				}
			})
		}
	}
}

// BenchmarkPlanReminders5000 times one scheduler tick that plans and queues
// the reminders of 5,000 people who each owe three items. Each iteration is
// the next working day, so every tick queues 5,000 new reminders.
func BenchmarkPlanReminders5000(b *testing.B) {
	c := clocktest.New(time.Date(2020, 1, 1, 0, 0, 0, 0, time.UTC))
	db := openStore(b, c)
	ctx := context.Background()
	const people = 5000
	var ms []*bot.Meeting
	for i := 0; i < people; i++ {
		id := fmt.Sprintf("p%04d", i)
		if err := db.UpsertPerson(ctx, bot.NewPerson(ws, id, id, "UTC")); err != nil {
			b.Fatal(err)
		}
		m := &bot.Meeting{Workspace: ws, Region: 9, States: []string{"Nevada"}, CreatedBy: id}
		for j := 0; j < 3; j++ {
			m.Getbacks = append(m.Getbacks, &bot.Getback{Text: "item", Owner: id, OwnerKind: bot.OwnerUser, Status: bot.StatusOpen,
				Due: bot.Date{Year: 2026, Month: 11, Day: 20 + j*5}})
		}
		ms = append(ms, m)
	}
	if err := db.CreateMeetings(ctx, ms); err != nil {
		b.Fatal(err)
	}
	s := newScheduler(db, c)
	day := bot.Date{Year: 2026, Month: 11, Day: 23} // a Monday
	var lat sqlitetest.Latencies
	for b.Loop() {
		for !bot.DefaultWorkDays.Has(day.Weekday()) {
			day = day.AddDays(1)
		}
		c.Set(day.At(8, 59, time.UTC))
		db.SetCheckpoint(ctx, bot.SchedulerCheckpoint, c.Now())
		c.Set(day.At(9, 1, time.UTC))
		var res bot.TickResult
		lat.Time(func() {
			var err error
			if res, err = s.Tick(ctx); err != nil {
				b.Fatal(err)
			}
		})
		if res.Reminders != people {
			b.Fatalf("queued %d reminders, want %d", res.Reminders, people)
		}
		day = day.AddDays(1)
	}
	lat.Report(b)
	b.ReportMetric(float64(people)/lat.Percentile(50).Seconds(), "reminders/s")
}

// rateLimitedAPI accepts one post per channel per interval and answers
// faster ones with 429 and a Retry-After, as Slack does.
type rateLimitedAPI struct {
	fakeMessenger
	interval time.Duration
	mu2      sync.Mutex
	last     map[string]time.Time
	limited  int
}

func (f *rateLimitedAPI) Post(ctx context.Context, to bot.Target, r bot.Reply) (bot.MessageRef, error) {
	f.mu2.Lock()
	now := time.Now()
	if last, ok := f.last[to.String()]; ok && now.Sub(last) < f.interval {
		f.limited++
		f.mu2.Unlock()
		return bot.MessageRef{}, &bot.SendError{RetryAfter: time.Second, Err: fmt.Errorf("rate_limited")}
	}
	f.last[to.String()] = now
	f.mu2.Unlock()
	return f.fakeMessenger.Post(ctx, to, r)
}

// BenchmarkOutboxDrainRate drains 3 channels × 8 posts through an API that
// enforces one message per second per channel, and reports the achieved
// rate per channel against that limit (the ratio is the figure of merit).
func BenchmarkOutboxDrainRate(b *testing.B) {
	const channels, perChannel = 3, 8
	for b.Loop() {
		b.StopTimer()
		c := clocktest.New(time.Now()) // a benchmark paced in real time
		db := openStore(b, c)
		for ch := 0; ch < channels; ch++ {
			for i := 0; i < perChannel; i++ {
				enqueue(b, db, c, &bot.OutboxItem{Key: fmt.Sprintf("d%d-%d", ch, i),
					Target: bot.Target{Workspace: ws, Channel: fmt.Sprintf("region-%d", ch)}, Reply: bot.Reply{Text: "digest"}})
			}
		}
		api := &rateLimitedAPI{fakeMessenger: fakeMessenger{limits: bot.MessageLimits{MinInterval: time.Second}},
			interval: time.Second, last: map[string]time.Time{}}
		s := &bot.Sender{Store: db, Messengers: map[string]bot.Messenger{"console": api}, Now: time.Now}
		b.StartTimer()
		start := time.Now()
		sent := 0
		for sent < channels*perChannel {
			n, err := s.Drain(context.Background())
			if err != nil {
				b.Fatal(err)
			}
			sent += n
		}
		elapsed := time.Since(start)
		// n posts to one channel at 1/s need (n-1) seconds at the limit.
		ideal := time.Duration(perChannel-1) * time.Second
		b.ReportMetric(ideal.Seconds()/elapsed.Seconds(), "ratio-to-limit")
		b.ReportMetric(float64(perChannel)/elapsed.Seconds(), "msgs/s/channel")
		b.ReportMetric(float64(api.limited), "429s")
	}
}
