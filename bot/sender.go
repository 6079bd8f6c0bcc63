package bot

import (
	"context"
	"fmt"
	"log/slog"
	"sort"
	"sync"
	"time"

	"golang.org/x/sync/errgroup"
)

// Sender outcomes, reported to Observe.
const (
	OutcomeSent        = "sent"
	OutcomeRetry       = "retry"
	OutcomeRateLimited = "rate_limited"
	OutcomeDead        = "dead"
)

// Sender drains the outbox: it posts every due item through the messenger
// of its workspace's platform, in order per channel or user, pacing posts to
// one target by the platform's MinInterval. A 429 postpones the item by the
// platform's Retry-After; other failures retry with exponential backoff and,
// after MaxAttempts, leave the item dead (visible in `getback outbox` and
// /metrics), never silently dropped. Delivery progress is stored after every
// message, so a restart resumes where the last run stopped.
type Sender struct {
	Store      SenderStore
	Messengers map[string]Messenger // by platform
	Now        func() time.Time
	Log        *slog.Logger
	// MaxAttempts failed attempts make an item dead; default 8.
	MaxAttempts int
	// Backoff is the wait after the first failure, doubled after each
	// further one up to MaxBackoff; defaults 10s and 1h.
	Backoff, MaxBackoff time.Duration
	// Workers is how many targets are served at once; default 4.
	Workers int
	// Batch is how many due items one claim takes at most; default four per
	// worker. Small claims spread a fan-out over every replica's sender and
	// leave few items waiting for a lease when a replica dies.
	Batch int
	// Observe, when set, is told the outcome of every attempt.
	Observe func(it *OutboxItem, outcome string)
	// PostTimeout bounds one post; default 30 s. A post under way when
	// the sender is stopped runs to its end (or this timeout), so that its
	// outcome is recorded: stopping takes effect between two posts.
	PostTimeout time.Duration
	// Owner names this sender in the items it claims: one name per
	// replica, kept across its restarts; default "getback". Two senders
	// with one name would each take the other's claims.
	Owner string
	// Lease bounds how long the items a stopped replica had claimed wait
	// before another replica takes them over: a claim lasts half of it,
	// and a post under way (which gets at most half of it) three
	// quarters. Default 60 s.
	Lease time.Duration

	wake     chan struct{}
	initOnce sync.Once
	mu       sync.Mutex
	lastPost map[Target]time.Time
}

// SenderStore is the part of the outbox a Sender works with: it claims
// due items, records each attempt and its outcome, gives back the claims
// it did not use, and queues new items (Enqueue). The methods are those of
// OutboxService.
type SenderStore interface {
	Enqueuer
	NextOutboxAttempt(ctx context.Context, platforms []string) (time.Time, error)
	ClaimOutbox(ctx context.Context, c OutboxClaim) ([]*OutboxItem, error)
	ReleaseOutbox(ctx context.Context, owner string, ids []int64) error
	MarkOutboxAttempt(ctx context.Context, id int64, owner string, at, until time.Time) error
	MarkOutboxProgress(ctx context.Context, id int64, partsSent int, ref MessageRef) error
	MarkOutboxSent(ctx context.Context, id int64, partsSent int, ref MessageRef) error
	MarkOutboxFailed(ctx context.Context, id int64, errText string, next time.Time, dead bool) error
	MarkOutboxDeferred(ctx context.Context, id int64, errText string, next time.Time) error
}

// Every outbox serves a Sender.
var _ SenderStore = OutboxService(nil)

func (s *Sender) init() {
	s.initOnce.Do(func() {
		s.wake = make(chan struct{}, 1)
		s.lastPost = map[Target]time.Time{}
		if s.MaxAttempts <= 0 {
			s.MaxAttempts = 8
		}
		if s.Backoff <= 0 {
			s.Backoff = 10 * time.Second
		}
		if s.MaxBackoff <= 0 {
			s.MaxBackoff = time.Hour
		}
		if s.Workers <= 0 {
			s.Workers = 4
		}
		if s.Batch <= 0 {
			s.Batch = 4 * s.Workers
		}
		if s.Now == nil {
			s.Now = time.Now
		}
		if s.Owner == "" {
			s.Owner = "getback"
		}
		if s.Lease <= 0 {
			s.Lease = time.Minute
		}
	})
}

func (s *Sender) log() *slog.Logger {
	if s.Log == nil {
		return slog.Default()
	}
	return s.Log
}

func (s *Sender) platforms() []string {
	ps := make([]string, 0, len(s.Messengers))
	for p := range s.Messengers {
		ps = append(ps, p)
	}
	sort.Strings(ps)
	return ps
}

// Wake makes a running sender look at the outbox now.
func (s *Sender) Wake() {
	s.init()
	select {
	case s.wake <- struct{}{}:
	default:
	}
}

// Run drains the outbox until ctx ends, sleeping until the next item is
// due (at most poll), or until woken.
func (s *Sender) Run(ctx context.Context, poll time.Duration) error {
	s.init()
	if poll <= 0 {
		poll = 5 * time.Second
	}
	for {
		if _, err := s.Drain(ctx); err != nil && ctx.Err() == nil {
			s.log().ErrorContext(ctx, "outbox drain failed", "err", err)
		}
		wait := poll
		if next, err := s.Store.NextOutboxAttempt(ctx, s.platforms()); err == nil && !next.IsZero() {
			wait = min(poll, max(next.Sub(s.Now()), 10*time.Millisecond))
		}
		t := time.NewTimer(wait)
		select {
		case <-ctx.Done():
			t.Stop()
			return nil
		case <-s.wake:
		case <-t.C:
		}
		t.Stop()
	}
}

// Drain sends every item due now and returns how many were delivered. It
// stops early, between two posts, when ctx ends. Items are claimed in the
// store first, so that senders of several replicas never post one twice;
// the claims it did not use are given back.
func (s *Sender) Drain(ctx context.Context) (int, error) {
	s.init()
	total := 0
	for ctx.Err() == nil {
		// A claim lasts half a lease: a replica that dies holding it
		// leaves its posts to the others well within the lease. An item
		// whose claim ran out before its turn is still posted by this
		// sender, unless another took it over meanwhile (see send).
		now := s.Now()
		items, err := s.Store.ClaimOutbox(ctx, OutboxClaim{Platforms: s.platforms(), Owner: s.Owner, Now: now,
			Until: now.Add(s.Lease / 2), Limit: s.Batch})
		if err != nil {
			return total, err
		}
		if len(items) == 0 {
			return total, nil
		}
		// One queue per target, in id order; targets in parallel.
		var order []Target
		queues := map[Target][]*OutboxItem{}
		for _, it := range items {
			if _, ok := queues[it.Target]; !ok {
				order = append(order, it.Target)
			}
			queues[it.Target] = append(queues[it.Target], it)
		}
		var mu sync.Mutex
		sent := 0
		var unused []int64
		g, gctx := errgroup.WithContext(ctx)
		g.SetLimit(s.Workers)
		for _, t := range order {
			q := queues[t]
			g.Go(func() (err error) {
				i := 0
				defer func() {
					mu.Lock()
					for _, it := range q[i:] {
						unused = append(unused, it.ID)
					}
					mu.Unlock()
				}()
				for ; i < len(q); i++ {
					ok, err := s.send(gctx, q[i])
					if err != nil {
						return err
					}
					if !ok {
						i++ // this one was attempted; keep the target's order: the rest waits
						return nil
					}
					mu.Lock()
					sent++
					mu.Unlock()
				}
				return nil
			})
		}
		err = g.Wait()
		if len(unused) > 0 {
			if rerr := s.Store.ReleaseOutbox(context.WithoutCancel(ctx), s.Owner, unused); rerr != nil {
				s.log().WarnContext(ctx, "outbox: could not give back claims; they expire with their lease", "items", len(unused), "err", rerr)
			}
		}
		total += sent
		if err != nil {
			return total, err
		}
		if sent == 0 {
			return total, nil // everything due failed and was postponed
		}
	}
	return total, ctx.Err()
}

// pace waits until the target may receive another post. It measures the
// real time elapsed since the last post (the monotonic clock), not the
// injected clock: a platform's rate limit counts real seconds, whatever
// instant the process believes it is.
//
// Another replica may have posted to the target since this process last
// did (the platform's limit is per app, not per process): a post also
// waits from the target's last post recorded in the store, read on the
// shared clock.
func (s *Sender) pace(ctx context.Context, it *OutboxItem, gap time.Duration) error {
	if gap <= 0 {
		return nil
	}
	s.mu.Lock()
	last := s.lastPost[it.Target]
	s.mu.Unlock()
	wait := time.Until(last.Add(gap))
	if !it.TargetLastPost.IsZero() {
		// Another sender may have posted since this one last did.
		wait = max(wait, min(gap, gap-s.Now().Sub(it.TargetLastPost)))
	}
	if wait <= 0 {
		return nil
	}
	timer := time.NewTimer(wait)
	defer timer.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-timer.C:
		return nil
	}
}

// send posts the remaining parts of one item. ok is false when the item
// failed and was postponed (or given up); err only for store failures or a
// cancelled context.
func (s *Sender) send(ctx context.Context, it *OutboxItem) (ok bool, err error) {
	m := s.Messengers[PlatformOf(it.Target.Workspace)]
	lim := m.Limits()
	parts := it.Reply.Split(lim)
	ref := it.Ref
	for i := it.PartsSent; i < len(parts); i++ {
		part := parts[i]
		part.DeliveryKey = fmt.Sprintf("%s#%d", it.Key, i)
		if !it.AttemptAt.IsZero() {
			// getback stopped while posting this part: post it only if it
			// did not arrive.
			if r, found := s.delivered(ctx, m, it, part.DeliveryKey); found {
				if ref.ID == "" {
					ref = r
				}
				if err := s.record(ctx, it, i+1, len(parts), ref); err != nil {
					return false, err
				}
				continue
			}
			it.AttemptAt = time.Time{}
		}
		if err := s.pace(ctx, it, lim.MinInterval); err != nil {
			return false, err
		}
		if ctx.Err() != nil {
			return false, ctx.Err()
		}
		// The claim now lasts for the post (at most postTimeout, half a
		// lease) and a quarter of a lease for recording it: if this replica
		// dies mid-post, another takes the item over before a lease has
		// passed.
		at := s.Now()
		hold := s.postTimeout() + (s.Lease-s.postTimeout())/2
		if err := s.Store.MarkOutboxAttempt(ctx, it.ID, s.Owner, at, at.Add(hold)); err != nil {
			if ErrorCode(err) == ECONFLICT {
				// Our claim expired and another sender took the item over: it
				// posts it, not us.
				s.log().InfoContext(ctx, "outbox: item taken over by another sender", "key", it.Key)
				return false, nil
			}
			return false, err
		}
		pctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), s.postTimeout())
		r, perr := m.Post(pctx, it.Target, part)
		cancel()
		s.mu.Lock()
		s.lastPost[it.Target] = time.Now() // pacing measures real elapsed time: see pace
		s.mu.Unlock()
		if perr != nil {
			return false, s.fail(ctx, it, perr)
		}
		if ref.ID == "" {
			ref = r
		}
		if err := s.record(ctx, it, i+1, len(parts), ref); err != nil {
			return false, err
		}
	}
	if it.PartsSent < len(parts) { // nothing was left to send
		if err := s.record(ctx, it, len(parts), len(parts), ref); err != nil {
			return false, err
		}
	}
	s.observe(it, OutcomeSent)
	return true, nil
}

// DefaultPostTimeout bounds one post when Sender.PostTimeout is not set.
const DefaultPostTimeout = 30 * time.Second

// postTimeout bounds one post: PostTimeout, and at most half the lease, so
// that a post under way always ends (and is recorded) before another
// replica may take its item over.
func (s *Sender) postTimeout() time.Duration {
	d := s.PostTimeout
	if d <= 0 {
		d = DefaultPostTimeout
	}
	return min(d, s.Lease/2)
}

// record stores that done of n parts were delivered.
func (s *Sender) record(ctx context.Context, it *OutboxItem, done, n int, ref MessageRef) error {
	ctx = context.WithoutCancel(ctx)
	var err error
	if done < n {
		err = s.Store.MarkOutboxProgress(ctx, it.ID, done, ref)
	} else {
		err = s.Store.MarkOutboxSent(ctx, it.ID, done, ref)
	}
	it.PartsSent = done
	return err
}

// delivered asks the messenger, when it can tell, whether a post with the
// key arrived around the interrupted attempt.
func (s *Sender) delivered(ctx context.Context, m Messenger, it *OutboxItem, key string) (MessageRef, bool) {
	dc, ok := m.(DeliveryChecker)
	if !ok {
		return MessageRef{}, false
	}
	ref, found, err := dc.Delivered(ctx, it.Target, key, it.AttemptAt.Add(-time.Minute))
	if err != nil {
		s.log().WarnContext(ctx, "outbox: could not check an interrupted post; sending it", "key", it.Key, "err", err)
		return MessageRef{}, false
	}
	if found {
		s.log().InfoContext(ctx, "outbox: an interrupted post had arrived; not sending it again", "key", key)
	}
	return ref, found
}

func (s *Sender) observe(it *OutboxItem, outcome string) {
	if s.Observe != nil {
		s.Observe(it, outcome)
	}
}

// fail records a failed post: deferred on 429, dead when permanent or out
// of attempts, otherwise retried after backoff.
func (s *Sender) fail(ctx context.Context, it *OutboxItem, perr error) error {
	se := AsSendError(perr)
	now := s.Now()
	ctx = context.WithoutCancel(ctx)
	msg := se.Error()
	if len(msg) > 500 {
		msg = msg[:500]
	}
	switch {
	case se.RetryAfter > 0:
		s.observe(it, OutcomeRateLimited)
		s.log().WarnContext(ctx, "outbox: rate limited", "key", it.Key, "retry_after", se.RetryAfter)
		return s.Store.MarkOutboxDeferred(ctx, it.ID, msg, now.Add(se.RetryAfter))
	case se.Permanent || it.Attempts+1 >= s.MaxAttempts:
		s.observe(it, OutcomeDead)
		s.log().ErrorContext(ctx, "outbox: gave up", "key", it.Key, "target", it.Target.String(), "attempts", it.Attempts+1, "err", msg)
		return s.Store.MarkOutboxFailed(ctx, it.ID, msg, now, true)
	}
	wait := s.Backoff << min(it.Attempts, 20)
	if wait > s.MaxBackoff || wait <= 0 {
		wait = s.MaxBackoff
	}
	s.observe(it, OutcomeRetry)
	s.log().WarnContext(ctx, "outbox: send failed, will retry", "key", it.Key, "attempt", it.Attempts+1, "in", wait, "err", msg)
	return s.Store.MarkOutboxFailed(ctx, it.ID, msg, now.Add(wait), false)
}

// Enqueue queues an item in the store and wakes the sender, so that
// commands can hand their posts straight to a running sender.
func (s *Sender) Enqueue(ctx context.Context, it *OutboxItem) (bool, error) {
	ok, err := s.Store.Enqueue(ctx, it)
	if ok {
		s.Wake()
	}
	return ok, err
}
