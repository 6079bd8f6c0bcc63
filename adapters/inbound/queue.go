// Package inbound holds what every chat adapter needs to take deliveries
// from its platform: a bounded queue that lets a request be acknowledged at
// once while its work runs afterwards, and a memory of recent delivery ids
// so that a replayed delivery is processed once.
package inbound

import (
	"context"
	"fmt"
	"log/slog"
	"runtime"
	"runtime/debug"
	"sync"
	"time"
)

// Queue runs work after the request that brought it has been answered: at
// most Workers jobs at a time, and at most Max running or waiting, oldest
// first. Wait blocks until every job (and every Go'd function) has
// finished.
//
// Acknowledgements come first. A platform gives a request three seconds,
// and each acknowledgement costs a few tens of microseconds, while a job
// (a list read from the database, its answer posted) costs a millisecond
// or more: on a machine with few cores, jobs running during a burst of
// commands would take the CPU the acknowledgements need. So while commands
// keep arriving — another one queued within the last Quiet — the oldest
// job waits, until the arrivals pause for Quiet or it has waited MaxWait.
// A job that nothing follows within Alone starts then. Answers follow a
// burst instead of slowing it down, and no job waits longer than MaxWait
// for a pause (Slack accepts answers through response_url for 30
// minutes). The queue stays bounded: when Max jobs are queued TryGo
// refuses, and the caller runs the command itself.
type Queue struct {
	// Timeout bounds each job once it starts; default two minutes.
	Timeout time.Duration
	// Log receives jobs that panicked (default slog.Default()).
	Log *slog.Logger
	// Quiet is the pause in arrivals after which queued jobs start
	// (default 100 ms); MaxWait is the longest a job waits for one
	// (default 1 s). Set them before the first TryGo. Quiet is long
	// enough that a burst slowed by a busy machine (its clients, or
	// getback, waiting for a core for tens of milliseconds) still counts
	// as one, and short next to what a person notices.
	Quiet, MaxWait time.Duration
	// Alone is how long a job that nothing followed waits for company
	// before it starts (default 2 ms): the first commands of a burst
	// arrive alone too.
	Alone time.Duration

	mu      sync.Mutex
	jobs    []job // waiting, oldest first
	head    int   // jobs[:head] are taken
	pending int   // waiting or running
	max     int
	workers int // worker goroutines alive
	limit   int // most workers at once
	held    bool
	seq     int64     // arrivals so far
	last    time.Time // of the latest arrival
	wg      sync.WaitGroup
}

// job is a queued function, the context of the request that queued it,
// and when it arrived.
type job struct {
	ctx context.Context
	fn  func(ctx context.Context)
	seq int64
	at  time.Time
}

// NewQueue returns a queue running workers jobs at once with room for
// limit.
// By default (workers 0) it runs as many jobs as there are CPUs, at least
// two: the jobs are mostly database reads, which gain nothing from more,
// and fewer leave the database's read slots free for the commands that
// are answered in their request.
func NewQueue(workers, limit int) *Queue {
	if workers <= 0 {
		workers = max(2, runtime.GOMAXPROCS(0))
	}
	if limit <= 0 {
		limit = 4096
	}
	return &Queue{limit: workers, max: limit, Timeout: 2 * time.Minute, Quiet: 100 * time.Millisecond, MaxWait: time.Second,
		Alone: 2 * time.Millisecond}
}

// TryGo queues fn and reports true, or reports false (and runs nothing)
// when the queue is full: the caller then does the work itself, which
// slows its acknowledgements down instead of letting work pile up.
// Either way it counts as an arrival, which queued jobs yield to.
func (q *Queue) TryGo(ctx context.Context, fn func(ctx context.Context)) bool {
	now := time.Now()
	q.mu.Lock()
	defer q.mu.Unlock()
	q.seq++
	q.last = now
	if q.pending >= q.max {
		return false
	}
	if q.head > 0 && q.head >= len(q.jobs)/2 {
		// Move the waiting jobs to the front, so that the slice keeps
		// to about the jobs waiting, even if it never empties.
		n := copy(q.jobs, q.jobs[q.head:])
		clear(q.jobs[n:])
		q.jobs, q.head = q.jobs[:n], 0
	}
	q.jobs = append(q.jobs, job{ctx: context.WithoutCancel(ctx), fn: fn, seq: q.seq, at: now})
	q.pending++
	q.wg.Add(1)
	if !q.held && q.workers < q.limit {
		q.workers++
		go q.work()
	}
	return true
}

// work runs queued jobs until there are none (or the queue is held), then
// ends; TryGo starts workers again as jobs come.
func (q *Queue) work() {
	for {
		q.mu.Lock()
		if q.held || q.head == len(q.jobs) {
			q.workers--
			q.mu.Unlock()
			return
		}
		if wait := q.yield(q.jobs[q.head], time.Now()); wait > 0 {
			q.mu.Unlock()
			time.Sleep(wait)
			continue
		}
		j := q.jobs[q.head]
		q.jobs[q.head] = job{} // let the request's data go
		q.head++
		q.mu.Unlock()
		q.run(j)
		q.mu.Lock()
		q.pending--
		q.mu.Unlock()
		q.wg.Done()
	}
}

// yield returns how long the oldest job j should wait before starting:
// while others arrive after it, until they pause for Quiet, and at most
// until it has waited MaxWait. Zero means start now. q.mu is held.
func (q *Queue) yield(j job, now time.Time) time.Duration {
	pause := q.Quiet
	if q.seq == j.seq {
		pause = q.Alone // nothing arrived after it (yet)
	}
	quiet := pause - now.Sub(q.last)
	late := q.MaxWait - now.Sub(j.at)
	if quiet <= 0 || late <= 0 {
		return 0
	}
	return min(quiet, late)
}

// run runs one job with its own timeout, from its start.
func (q *Queue) run(j job) {
	ctx, cancel := context.WithTimeout(j.ctx, q.Timeout)
	defer cancel()
	defer q.recoverPanic(ctx)
	j.fn(ctx)
}

// Go runs fn now, in the background, with a context that outlives the
// request's (but not Timeout).
func (q *Queue) Go(ctx context.Context, fn func(ctx context.Context)) {
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), q.Timeout)
	q.wg.Go(func() {
		defer cancel()
		defer q.recoverPanic(ctx)
		fn(ctx)
	})
}

// recoverPanic ends a job that panicked with a logged error instead of
// ending the process: no request may take the adapter down.
func (q *Queue) recoverPanic(ctx context.Context) {
	if p := recover(); p != nil {
		log := q.Log
		if log == nil {
			log = slog.Default()
		}
		log.ErrorContext(ctx, "background job panicked", "panic", fmt.Sprint(p), "stack", string(debug.Stack()))
	}
}

// Wait blocks until all queued and background work has finished.
func (q *Queue) Wait() { q.wg.Wait() }

// WaitTimeout waits like Wait, but at most d; it returns how many queued
// jobs had not finished by then (0 when all had).
func (q *Queue) WaitTimeout(d time.Duration) int {
	done := make(chan struct{})
	go func() { q.wg.Wait(); close(done) }()
	t := time.NewTimer(max(d, 10*time.Millisecond)) // time enough to see an idle queue
	defer t.Stop()
	select {
	case <-done:
		return 0
	case <-t.C:
		return max(q.Pending(), 1)
	}
}

// Pending returns how many queued jobs are waiting or running.
func (q *Queue) Pending() int {
	q.mu.Lock()
	defer q.mu.Unlock()
	return q.pending
}

// Fill marks the queue full (tests use it to force the in-request path);
// it returns a function that undoes it.
func (q *Queue) Fill() (undo func()) {
	q.mu.Lock()
	q.pending += q.max
	q.mu.Unlock()
	return func() {
		q.mu.Lock()
		q.pending -= q.max
		q.mu.Unlock()
	}
}

// Hold keeps queued jobs from starting (benchmarks use it to measure the
// acknowledgement path alone); jobs already running finish. It returns a
// function that lets them start again.
func (q *Queue) Hold() (release func()) {
	q.mu.Lock()
	q.held = true
	q.mu.Unlock()
	return func() {
		q.mu.Lock()
		defer q.mu.Unlock()
		q.held = false
		for n := len(q.jobs) - q.head; q.workers < q.limit && n > 0; n-- {
			q.workers++
			go q.work()
		}
	}
}

// SetMax changes how many jobs may run or wait.
func (q *Queue) SetMax(max int) {
	q.mu.Lock()
	defer q.mu.Unlock()
	q.max = max
}
