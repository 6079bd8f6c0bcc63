package inbound

import (
	"bytes"
	"context"
	"fmt"
	"log/slog"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/getbackhq/getback/bot/clocktest"
)

func TestQueueBoundsWorkAndWaiting(t *testing.T) {
	q := NewQueue(2, 3)
	q.Quiet = 0 // jobs start as soon as a worker is free
	var running, peak atomic.Int64
	release := make(chan struct{})
	job := func(context.Context) {
		n := running.Add(1)
		for {
			p := peak.Load()
			if n <= p || peak.CompareAndSwap(p, n) {
				break
			}
		}
		<-release
		running.Add(-1)
	}
	for i := 0; i < 3; i++ {
		if !q.TryGo(context.Background(), job) {
			t.Fatalf("job %d refused with room in the queue", i)
		}
	}
	if q.TryGo(context.Background(), job) {
		t.Fatal("a fourth job was queued past Max")
	}
	// Queued work starts once arrivals pause; wait for both workers (on a
	// busy machine that can take a while), then check no third one runs.
	for deadline := time.Now().Add(10 * time.Second); running.Load() < 2 && time.Now().Before(deadline); {
		time.Sleep(5 * time.Millisecond)
	}
	time.Sleep(20 * time.Millisecond)
	if n := running.Load(); n != 2 {
		t.Fatalf("%d jobs running, want Workers=2", n)
	}
	close(release)
	q.Wait()
	if peak.Load() != 2 {
		t.Fatalf("peak concurrency %d", peak.Load())
	}
	if !q.TryGo(context.Background(), func(context.Context) {}) {
		t.Fatal("the queue did not free its room")
	}
	q.Wait()
	// A job's context outlives the request's.
	ctx, cancel := context.WithCancel(context.Background())
	got := make(chan error, 1)
	q.TryGo(ctx, func(ctx context.Context) { time.Sleep(20 * time.Millisecond); got <- ctx.Err() })
	cancel()
	if err := <-got; err != nil {
		t.Fatalf("the job's context ended with the request: %v", err)
	}

	// WaitTimeout: an idle queue reports nothing left even with no time;
	// a busy one reports what it gave up on.
	if n := q.WaitTimeout(0); n != 0 {
		t.Fatalf("idle queue: %d jobs left", n)
	}
	block := make(chan struct{})
	for range 3 {
		q.TryGo(context.Background(), func(context.Context) { <-block })
	}
	if n := q.WaitTimeout(30 * time.Millisecond); n != 3 {
		t.Fatalf("busy queue: %d jobs left, want 3", n)
	}
	close(block)
	if n := q.WaitTimeout(time.Second); n != 0 {
		t.Fatalf("after the jobs ended: %d left", n)
	}
}

func TestRecent(t *testing.T) {
	var r Recent
	if !r.Add("a") || r.Add("a") || !r.Add("b") {
		t.Fatal("Add must report first sightings only")
	}
	for i := 0; i < recentMax+10; i++ {
		r.Add(fmt.Sprint("k", i))
	}
	if len(r.seen) > recentMax {
		t.Fatalf("%d keys kept, bound %d", len(r.seen), recentMax)
	}
	if !r.Add("a") {
		t.Fatal("the oldest keys must be forgotten first")
	}
}

func TestRecentForgetsKeysAfterTenMinutesOfItsClock(t *testing.T) {
	clock := clocktest.New(time.Date(2026, 11, 26, 9, 0, 0, 0, time.UTC))
	r := Recent{Now: clock.Now}
	r.Add("trigger")
	clock.Advance(recentTTL - time.Second)
	if r.Add("trigger") {
		t.Fatal("a key was forgotten before ten minutes passed")
	}
	clock.Advance(time.Second)
	if !r.Add("trigger") {
		t.Fatal("a key was remembered ten minutes after it was first seen")
	}
}

func TestCacheEntriesExpireByItsClock(t *testing.T) {
	clock := clocktest.New(time.Date(2026, 11, 26, 9, 0, 0, 0, time.UTC))
	c := &Cache[string]{TTL: 15 * time.Minute, Now: clock.Now}
	if _, ok := c.Get("U1"); ok {
		t.Fatal("an empty cache had an entry")
	}
	c.Put("U1", "ana")
	clock.Advance(15*time.Minute - time.Nanosecond)
	if v, ok := c.Get("U1"); !ok || v != "ana" {
		t.Fatalf("fresh entry: %q %v", v, ok)
	}
	clock.Advance(time.Nanosecond)
	if _, ok := c.Get("U1"); ok {
		t.Fatal("an entry outlived its TTL")
	}
	c.Put("U1", "ana lopez")
	if v, _ := c.Get("U1"); v != "ana lopez" {
		t.Fatalf("a new Put replaces the entry: %q", v)
	}
	c.Drop("U1")
	if _, ok := c.Get("U1"); ok {
		t.Fatal("a dropped entry was still there")
	}
	// A clock set back before an entry was stored does not make it fresh
	// for ever.
	c.Put("U2", "bob")
	clock.Advance(-time.Hour)
	if _, ok := c.Get("U2"); ok {
		t.Fatal("an entry from the future was served")
	}
}

func TestCacheStaysBoundedAsEntriesExpire(t *testing.T) {
	clock := clocktest.New(time.Date(2026, 11, 26, 9, 0, 0, 0, time.UTC))
	c := &Cache[int]{TTL: time.Minute, Now: clock.Now}
	for i := 0; i < 5000; i++ {
		c.Put(fmt.Sprint("k", i), i)
		clock.Advance(time.Second)
	}
	if n := len(c.m); n > 1024+60 {
		t.Fatalf("%d entries kept with a one-minute TTL", n)
	}
}

// TestQueueSurvivesAPanickingJob: a job that panics is logged and ends;
// the queue (and the process) go on, and its slot is given back.
func TestQueueSurvivesAPanickingJob(t *testing.T) {
	q := NewQueue(1, 2)
	var logs bytes.Buffer
	q.Log = slog.New(slog.NewTextHandler(&logs, nil))
	var ran atomic.Bool
	q.TryGo(context.Background(), func(context.Context) {
		var parts []string
		_ = parts[3] // index out of range
	})
	q.Wait()
	if !q.TryGo(context.Background(), func(context.Context) { ran.Store(true) }) {
		t.Fatal("the panicking job kept its slot")
	}
	q.Wait()
	if !ran.Load() || !strings.Contains(logs.String(), "background job panicked") || !strings.Contains(logs.String(), "index out of range") {
		t.Fatalf("ran %v, log:\n%s", ran.Load(), logs.String())
	}
}

// waitDone fails the test if done is not closed within a minute: a guard
// against a job that never runs, not a measure of speed.
func waitDone(t *testing.T, done <-chan struct{}, what string) {
	t.Helper()
	select {
	case <-done:
	case <-time.After(time.Minute):
		t.Fatalf("%s never happened", what)
	}
}

// TestAJobArrivingAloneStartsWithoutWaitingForQuiet: a command that no
// other follows is answered after Alone, not after Quiet or MaxWait.
func TestAJobArrivingAloneStartsWithoutWaitingForQuiet(t *testing.T) {
	q := NewQueue(1, 10)
	q.Quiet, q.MaxWait, q.Alone = time.Hour, time.Hour, time.Millisecond // were it made to wait, it would wait an hour
	done := make(chan struct{})
	q.TryGo(context.Background(), func(context.Context) { close(done) })
	waitDone(t, done, "the lone job")
	q.Wait()
}

// TestTheFirstCommandsOfABurstWaitForItsEnd: the first command of a
// burst arrives alone, but others follow within Alone, so it waits for
// the burst to pause like the rest.
func TestTheFirstCommandsOfABurstWaitForItsEnd(t *testing.T) {
	q := NewQueue(2, 1000)
	q.Quiet, q.MaxWait, q.Alone = time.Second, time.Hour, 20*time.Millisecond
	var started atomic.Int64
	for range 150 {
		q.TryGo(context.Background(), func(context.Context) { started.Add(1) })
		time.Sleep(time.Millisecond)
	}
	if n := started.Load(); n != 0 {
		t.Fatalf("%d jobs started while commands kept arriving a millisecond apart", n)
	}
	q.Wait()
	if n := started.Load(); n != 150 {
		t.Fatalf("%d of 150 jobs ran", n)
	}
}

// TestQueuedJobsWaitWhileCommandsArriveThenRunOldestFirst: a job queued
// during a burst starts only once the arrivals pause for Quiet, and the
// jobs then run in the order they came.
func TestQueuedJobsWaitWhileCommandsArriveThenRunOldestFirst(t *testing.T) {
	q := NewQueue(1, 1000)
	q.Quiet, q.MaxWait = time.Second, time.Hour
	var mu sync.Mutex
	var order []int
	job := func(i int) func(context.Context) {
		return func(context.Context) { mu.Lock(); order = append(order, i); mu.Unlock() }
	}
	release := make(chan struct{})
	q.TryGo(context.Background(), func(context.Context) { <-release }) // alone: starts at once
	for i := range 100 {
		q.TryGo(context.Background(), job(i))
		if i == 10 {
			close(release) // the worker is free from here on
		}
		time.Sleep(time.Millisecond)
	}
	mu.Lock()
	started := len(order)
	mu.Unlock()
	if started != 0 {
		t.Fatalf("%d jobs started while commands kept arriving a millisecond apart (Quiet is 1 s)", started)
	}
	q.Wait()
	if len(order) != 100 {
		t.Fatalf("%d of 100 jobs ran", len(order))
	}
	for i, n := range order {
		if n != i {
			t.Fatalf("jobs ran out of order: %v", order)
		}
	}
}

// TestMaxWaitBoundsTheWaitUnderEndlessArrivals: commands that never stop
// arriving do not keep a queued job from its answer beyond MaxWait.
func TestMaxWaitBoundsTheWaitUnderEndlessArrivals(t *testing.T) {
	q := NewQueue(1, 1_000_000)
	q.Quiet, q.MaxWait = time.Hour, 20*time.Millisecond
	release := make(chan struct{})
	q.TryGo(context.Background(), func(context.Context) { <-release }) // alone: starts at once
	done := make(chan struct{})
	q.TryGo(context.Background(), func(context.Context) { close(done) })
	stop := make(chan struct{})
	arriving := make(chan struct{})
	go func() {
		defer close(arriving)
		for {
			select {
			case <-stop:
				return
			default:
				q.TryGo(context.Background(), func(context.Context) {})
				time.Sleep(100 * time.Microsecond)
			}
		}
	}()
	close(release)
	waitDone(t, done, "the job queued amid endless arrivals")
	close(stop)
	<-arriving
	q.Wait()
	if n := q.Pending(); n != 0 {
		t.Fatalf("%d jobs left after Wait", n)
	}
}

// TestTheQueueStaysBoundedUnderSustainedLoad: with work always waiting,
// at most Max jobs are accepted at a time, every accepted job runs once,
// and the queue's storage stays in proportion to Max.
func TestTheQueueStaysBoundedUnderSustainedLoad(t *testing.T) {
	const limit = 50
	q := NewQueue(1, limit)
	q.Quiet, q.MaxWait = 0, 0 // no waiting: the queue never fills up by design, only by load
	var ran, over atomic.Int64
	accepted, refused := 0, 0
	for range 20_000 {
		if q.TryGo(context.Background(), func(context.Context) {
			if q.Pending() > limit {
				over.Add(1)
			}
			ran.Add(1)
		}) {
			accepted++
		} else {
			refused++
		}
		if n := q.Pending(); n > limit {
			t.Fatalf("%d jobs pending, Max %d", n, limit)
		}
		q.mu.Lock()
		c := cap(q.jobs)
		q.mu.Unlock()
		if c > 4*limit+8 {
			t.Fatalf("the queue keeps room for %d jobs, Max %d", c, limit)
		}
	}
	q.Wait()
	if ran.Load() != int64(accepted) || over.Load() != 0 {
		t.Fatalf("%d accepted, %d ran, %d saw more than Max pending", accepted, ran.Load(), over.Load())
	}
	if accepted+refused != 20_000 || accepted < limit {
		t.Fatalf("%d accepted, %d refused", accepted, refused)
	}
}

// TestHeldJobsStartOnRelease: Hold keeps queued jobs waiting, and they all
// run once released.
func TestHeldJobsStartOnRelease(t *testing.T) {
	q := NewQueue(2, 100)
	release := q.Hold()
	var ran atomic.Int64
	for range 20 {
		q.TryGo(context.Background(), func(context.Context) { ran.Add(1) })
	}
	time.Sleep(20 * time.Millisecond)
	if n := ran.Load(); n != 0 {
		t.Fatalf("%d jobs ran while held", n)
	}
	release()
	q.Wait()
	if n := ran.Load(); n != 20 {
		t.Fatalf("%d of 20 jobs ran after the release", n)
	}
}

// TestDefaultsFillOnlyWhatIsUnset: zero limits and a nil clock take the
// defaults; limits that were set are kept.
func TestDefaultsFillOnlyWhatIsUnset(t *testing.T) {
	var ack time.Duration
	var body int64
	var now func() time.Time
	Defaults(&ack, &body, &now)
	if ack != DefaultAckWithin || body != DefaultMaxBody || now == nil {
		t.Fatalf("defaults: %v %d %v", ack, body, now == nil)
	}
	clock := clocktest.New(time.Date(2026, 11, 26, 17, 0, 0, 0, time.UTC))
	ack, body, now = time.Second, 10, clock.Now
	Defaults(&ack, &body, &now)
	if ack != time.Second || body != 10 || !now().Equal(clock.Now()) {
		t.Fatalf("set limits changed: %v %d %v", ack, body, now())
	}
}

// TestNewPipelineLogsUnderItsPlatformAndRemembersByItsClock: the pipeline
// and its queue log with the platform named, and replayed delivery keys
// are remembered by the clock given, for ten minutes.
func TestNewPipelineLogsUnderItsPlatformAndRemembersByItsClock(t *testing.T) {
	var logs bytes.Buffer
	clock := clocktest.New(time.Date(2026, 11, 26, 17, 0, 0, 0, time.UTC))
	p := NewPipeline(Settings{Platform: "chat", Log: slog.New(slog.NewTextHandler(&logs, nil)), Workers: 1, Queue: 4,
		AckWithin: time.Second, Now: clock.Now})
	if p.Platform != "chat" || p.AckWithin != time.Second || p.Work == nil || p.Work.Log != p.Log {
		t.Fatalf("pipeline: %+v", p)
	}
	p.Log.Info("hello")
	p.Work.Go(context.Background(), func(context.Context) { panic("boom") })
	p.Work.Wait()
	if n := strings.Count(logs.String(), "platform=chat"); n != 2 {
		t.Fatalf("%d of the log lines name the platform, want 2:\n%s", n, logs.String())
	}
	if !p.FirstTime(context.Background(), "k") || p.FirstTime(context.Background(), "k") {
		t.Fatal("a replayed key ran twice")
	}
	clock.Advance(11 * time.Minute)
	if !p.FirstTime(context.Background(), "k") {
		t.Fatal("a key was remembered past ten minutes of the pipeline's clock")
	}
}
