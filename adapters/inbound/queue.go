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
	"sync/atomic"
	"time"
)

// Queue runs work after the request that brought it has been answered: at
// most Workers jobs at a time, and at most Max running or waiting. Wait
// blocks until every job (and every Go'd function) has finished.
type Queue struct {
	slots  chan struct{}
	queued atomic.Int64
	max    int64
	wg     sync.WaitGroup
	// Timeout bounds each job; default two minutes.
	Timeout time.Duration
	// Log receives jobs that panicked (default slog.Default()).
	Log *slog.Logger
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
	return &Queue{slots: make(chan struct{}, workers), max: int64(limit), Timeout: 2 * time.Minute}
}

// TryGo queues fn and reports true, or reports false (and runs nothing)
// when the queue is full: the caller then does the work itself, which
// slows its acknowledgements down instead of letting work pile up.
func (q *Queue) TryGo(ctx context.Context, fn func(ctx context.Context)) bool {
	if q.queued.Add(1) > q.max {
		q.queued.Add(-1)
		return false
	}
	q.Go(ctx, func(ctx context.Context) {
		q.slots <- struct{}{}
		defer func() { <-q.slots; q.queued.Add(-1) }()
		fn(ctx)
	})
	return true
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
		return int(max(q.queued.Load(), 1))
	}
}

// Fill marks the queue full (tests use it to force the in-request path);
// it returns a function that undoes it.
func (q *Queue) Fill() (undo func()) {
	q.queued.Add(q.max)
	return func() { q.queued.Add(-q.max) }
}

// Hold takes every worker slot, so queued jobs wait (benchmarks use it to
// measure the acknowledgement path alone); it returns a function that
// gives the slots back.
func (q *Queue) Hold() (release func()) {
	for i := 0; i < cap(q.slots); i++ {
		q.slots <- struct{}{}
	}
	return func() {
		for i := 0; i < cap(q.slots); i++ {
			<-q.slots
		}
	}
}

// SetMax changes how many jobs may run or wait.
func (q *Queue) SetMax(max int) { q.max = int64(max) }
