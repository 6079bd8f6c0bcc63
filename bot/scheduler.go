package bot

import (
	"context"
	"fmt"
	"log/slog"
	"sync"
	"time"
)

// SchedulerCheckpoint names the checkpoint holding the instant up to which
// the scheduler has planned.
const SchedulerCheckpoint = "scheduler"

// Scheduler plans the daily reminders and weekly digests: at each tick it
// queues every send that has come due into the outbox, under an idempotency
// key, so that restarts and repeated ticks never queue one twice. A send
// whose moment passed while getback was down is queued late if its period
// (the local day of a reminder; the week until the next digest) is still
// running, and otherwise recorded as skipped.
type Scheduler struct {
	Store    SchedulerStore
	Reporter *Reporter // builds the digests it queues
	Now      func() time.Time
	Log      *slog.Logger
	// Platforms limits planning to workspaces of these platforms: the ones
	// with a messenger in this process. Empty plans for none.
	Platforms []string
	// Interval between ticks in Run; default one minute.
	Interval time.Duration
	// Queued is called after a tick queued something (to wake the sender).
	Queued func()
	// Owner names this scheduler among the replicas that share the store;
	// one of them at a time plans a period. Default "getback".
	Owner string
	// Lease bounds how long a replica may take to plan before another one
	// plans the same period (the outbox keys keep that from queueing
	// anything twice); default two minutes.
	Lease time.Duration

	mu sync.Mutex
	// idle remembers reminder keys checked today with nothing owed, so the
	// owner is not queried again every tick.
	idle    map[string]bool
	idleDay string
}

// SchedulerStore is what a Scheduler reads and writes: its checkpoint,
// the people and regions it plans for, the open items a reminder is owed
// for, and the outbox it queues into (skipped sends included). The methods
// are those of the services that make up Store.
type SchedulerStore interface {
	Enqueuer
	EnqueueMany(ctx context.Context, items []*OutboxItem) (int, error)
	RecordSkipped(ctx context.Context, item *OutboxItem, reason string) (bool, error)
	OutboxKeysExist(ctx context.Context, keys []string) (map[string]bool, error)
	ClaimCheckpoint(ctx context.Context, name, owner string, now, until time.Time) (at time.Time, ok bool, err error)
	AdvanceCheckpoint(ctx context.Context, name, owner string, at time.Time) error
	FindPeople(ctx context.Context, ws string) ([]*Person, error)
	FindRegions(ctx context.Context, ws string) ([]*Region, error)
	FindOwnerMappings(ctx context.Context, ws string) ([]OwnerMapping, error)
	FindGetbacks(ctx context.Context, filter GetbackFilter) ([]*Getback, int, error)
}

// Every Store serves a Scheduler.
var _ SchedulerStore = Store(nil)

func (s *Scheduler) log() *slog.Logger {
	if s.Log == nil {
		return slog.Default()
	}
	return s.Log
}

// Run ticks until ctx ends.
func (s *Scheduler) Run(ctx context.Context) error {
	iv := s.Interval
	if iv <= 0 {
		iv = time.Minute
	}
	t := time.NewTicker(iv)
	defer t.Stop()
	for {
		if _, err := s.Tick(ctx); err != nil && ctx.Err() == nil {
			s.log().ErrorContext(ctx, "scheduler tick failed", "err", err)
		}
		select {
		case <-ctx.Done():
			return nil
		case <-t.C:
		}
	}
}

// TickResult counts what a tick did.
type TickResult struct {
	Reminders, Digests int // queued
	Skipped            int // recorded as missed
}

func (s *Scheduler) platformOK(ws string) bool {
	p := PlatformOf(ws)
	for _, q := range s.Platforms {
		if q == p {
			return true
		}
	}
	return false
}

// Tick plans every send due by now.
func (s *Scheduler) Tick(ctx context.Context) (TickResult, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	now := s.Now()
	owner, lease := s.Owner, s.Lease
	if owner == "" {
		owner = "getback"
	}
	if lease <= 0 {
		lease = 2 * time.Minute
	}
	// Several replicas tick; the one that claims the checkpoint plans the
	// period since it, the others leave it alone.
	last, ok, err := s.Store.ClaimCheckpoint(ctx, SchedulerCheckpoint, owner, now, now.Add(lease))
	if err != nil || !ok {
		return TickResult{}, err
	}
	if last.IsZero() {
		last = now // first run: nothing before now is owed
	}
	if now.Before(last) {
		// The clock went back: plan nothing, and keep the checkpoint where it
		// was so that the same window is not planned twice.
		return TickResult{}, s.Store.AdvanceCheckpoint(ctx, SchedulerCheckpoint, owner, last)
	}
	var res TickResult
	if err := s.planReminders(ctx, last, now, &res); err != nil {
		return res, err
	}
	if err := s.planDigests(ctx, last, now, &res); err != nil {
		return res, err
	}
	if err := s.Store.AdvanceCheckpoint(ctx, SchedulerCheckpoint, owner, now); err != nil {
		if ErrorCode(err) != ECONFLICT {
			return res, err
		}
		// Planning outlasted the claim and another replica planned the
		// period too; the outbox keys queued each send once.
		s.log().WarnContext(ctx, "scheduler: planning took longer than its lease", "lease", lease)
	}
	if res.Reminders+res.Digests > 0 && s.Queued != nil {
		s.Queued()
	}
	return res, nil
}

type planned struct {
	key  string
	due  time.Time
	day  Date
	skip bool
}

// reminderPlan lists p's reminders whose moment falls in (last, now]: the
// one of p's current local day is sent (late, if getback was down at its
// moment); those of earlier days were missed.
func reminderPlan(p *Person, last, now time.Time) []planned {
	if p.RemindersOff {
		return nil
	}
	loc := p.Location()
	today := DateOf(now.In(loc))
	var out []planned
	for d := DateOf(last.In(loc)); !d.After(today); d = d.AddDays(1) {
		if due := ReminderDue(p, d); p.WorkDays.Has(d.Weekday()) && due.After(last) && !due.After(now) {
			out = append(out, planned{key: ReminderKey(p, d), due: due, day: d, skip: d != today})
		}
	}
	return out
}

func (s *Scheduler) planReminders(ctx context.Context, last, now time.Time, res *TickResult) error {
	people, err := s.Store.FindPeople(ctx, "")
	if err != nil {
		return err
	}
	if day := now.UTC().Format("2006-01-02"); day != s.idleDay {
		s.idle, s.idleDay = map[string]bool{}, day
	}
	type job struct {
		p *Person
		planned
	}
	var jobs []job
	var keys []string
	for _, p := range people {
		if !s.platformOK(p.Workspace) {
			continue
		}
		for _, pl := range reminderPlan(p, last, now) {
			if !pl.skip && s.idle[pl.key] {
				continue
			}
			jobs = append(jobs, job{p, pl})
			keys = append(keys, pl.key)
		}
	}
	if len(jobs) == 0 {
		return nil
	}
	exists, err := s.Store.OutboxKeysExist(ctx, keys)
	if err != nil {
		return err
	}
	// Load the open items of everyone concerned in a few queries, grouped
	// by owner (a user id, or a label mapped to one).
	type work struct {
		job
		items []*Getback
	}
	var todo []*work
	byOwner := map[string][]*work{} // per workspace and owner
	mappings := map[string][]OwnerMapping{}
	ownersByWS := map[string][]string{}
	for _, j := range jobs {
		if exists[j.key] {
			continue
		}
		ms, ok := mappings[j.p.Workspace]
		if !ok {
			if ms, err = s.Store.FindOwnerMappings(ctx, j.p.Workspace); err != nil {
				return err
			}
			mappings[j.p.Workspace] = ms
		}
		w := &work{job: j}
		todo = append(todo, w)
		for _, o := range ownersOf(j.p.UserID, ms) {
			k := j.p.Workspace + "\x00" + o
			if _, seen := byOwner[k]; !seen {
				ownersByWS[j.p.Workspace] = append(ownersByWS[j.p.Workspace], o)
			}
			byOwner[k] = append(byOwner[k], w)
		}
	}
	open := StatusOpen
	for wsID, owners := range ownersByWS {
		for start := 0; start < len(owners); start += 500 {
			items, _, err := s.Store.FindGetbacks(ctx, GetbackFilter{Workspace: wsID, Owners: owners[start:min(start+500, len(owners))], Status: &open})
			if err != nil {
				return err
			}
			for _, g := range items {
				for _, w := range byOwner[wsID+"\x00"+g.Owner] {
					w.items = append(w.items, g)
				}
			}
		}
	}
	var queue []*OutboxItem
	for _, w := range todo {
		rep, owes := BuildReminder(w.p, w.day, w.items)
		if !owes {
			s.idle[w.key] = true
			continue
		}
		item := &OutboxItem{Key: w.key, Target: Target{Workspace: w.p.Workspace, User: w.p.UserID}, Reply: rep, NextAttempt: now}
		if w.skip {
			reason := fmt.Sprintf("getback was not running at %s", w.due.Format("Mon 2006-01-02 15:04 MST"))
			if ok, err := s.Store.RecordSkipped(ctx, item, reason); err != nil {
				return err
			} else if ok {
				res.Skipped++
				s.log().InfoContext(ctx, "reminder skipped", "key", w.key, "reason", reason)
			}
			continue
		}
		queue = append(queue, item)
	}
	n, err := s.Store.EnqueueMany(ctx, queue)
	res.Reminders += n
	return err
}

// digestPlan lists region r's digests whose moment falls in (last, now]:
// the latest is sent (late, if getback was down at its moment; its period
// runs until the next one is due); earlier ones were missed.
func digestPlan(r *Region, last, now time.Time) []planned {
	loc := r.Location()
	var out []planned
	for w := DateOf(last.In(loc)).WeekStart().AddDays(-7); !w.After(DateOf(now.In(loc))); w = w.AddDays(7) {
		if due := DigestDue(r, w); due.After(last) && !due.After(now) {
			day := DateOf(due.In(loc))
			out = append(out, planned{key: DigestKey(r, CoveredWeek(day)), due: due, day: day, skip: true})
		}
	}
	if len(out) > 0 {
		out[len(out)-1].skip = false
	}
	return out
}

func (s *Scheduler) planDigests(ctx context.Context, last, now time.Time, res *TickResult) error {
	regions, err := s.Store.FindRegions(ctx, "")
	if err != nil {
		return err
	}
	for _, r := range regions {
		if r.Channel == "" || !s.platformOK(r.Workspace) {
			continue
		}
		plan := digestPlan(r, last, now)
		if len(plan) == 0 {
			continue
		}
		keys := make([]string, len(plan))
		for i, pl := range plan {
			keys[i] = pl.key
		}
		exists, err := s.Store.OutboxKeysExist(ctx, keys)
		if err != nil {
			return err
		}
		for _, pl := range plan {
			if exists[pl.key] {
				continue
			}
			target := Target{Workspace: r.Workspace, Channel: r.Channel}
			if pl.skip {
				item := &OutboxItem{Key: pl.key, Target: target, NextAttempt: now,
					Reply: Reply{Text: fmt.Sprintf("%s digest for %s", r.Name, CoveredWeek(pl.day).ISOWeek())}}
				reason := fmt.Sprintf("getback was not running at %s", pl.due.Format("Mon 2006-01-02 15:04 MST"))
				if ok, err := s.Store.RecordSkipped(ctx, item, reason); err != nil {
					return err
				} else if ok {
					res.Skipped++
					s.log().InfoContext(ctx, "digest skipped", "key", pl.key, "reason", reason)
				}
				continue
			}
			rep, err := s.Reporter.Digest(ctx, r, CoveredWeek(pl.day), DateOf(now.In(r.Location())))
			if err != nil {
				return err
			}
			if ok, err := s.Store.Enqueue(ctx, &OutboxItem{Key: pl.key, Target: target, Reply: rep, NextAttempt: now}); err != nil {
				return err
			} else if ok {
				res.Digests++
			}
		}
	}
	return nil
}
