package storetest

import (
	"context"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/getbackhq/getback/bot"
)

func enqueue(t *testing.T, db handle, key string, to bot.Target, due time.Time) *bot.OutboxItem {
	t.Helper()
	it := &bot.OutboxItem{Key: key, Target: to, Reply: bot.Reply{Text: key}, NextAttempt: due}
	if created, err := db.Enqueue(context.Background(), it); err != nil || !created {
		t.Fatalf("enqueue %s: %v %v", key, created, err)
	}
	return it
}

func claim(t *testing.T, db handle, owner string, now time.Time, lease time.Duration, limit int) []*bot.OutboxItem {
	t.Helper()
	items, err := db.ClaimOutbox(context.Background(), bot.OutboxClaim{Platforms: []string{"console"}, Owner: owner,
		Now: now, Until: now.Add(lease), Limit: limit})
	if err != nil {
		t.Fatal(err)
	}
	return items
}

func keys(items []*bot.OutboxItem) []string {
	var out []string
	for _, it := range items {
		out = append(out, it.Key)
	}
	return out
}

// testOutboxClaimsHoldTargetsForOneSender: a claim takes due items for one
// sender; another sender gets none of a target it holds, takes over an
// expired claim (seeing the interrupted attempt), and the first sender is
// then refused the post.
func testOutboxClaimsHoldTargetsForOneSender(t *testing.T, open opener) {
	db := open(t)
	ctx := context.Background()
	now := db.Now()
	chan9 := bot.Target{Workspace: ws, Channel: "region-9"}
	ana := bot.Target{Workspace: ws, User: "ana"}
	d1 := enqueue(t, db, "digest-part-1", chan9, now)
	enqueue(t, db, "digest-part-2", chan9, now)
	enqueue(t, db, "remind-ana", ana, now)
	enqueue(t, db, "later", ana, now.Add(time.Hour))

	got := claim(t, db, "replica-a", now, time.Minute, 1)
	if fmt.Sprint(keys(got)) != "[digest-part-1]" {
		t.Fatalf("replica A claimed %v, want the oldest due item", keys(got))
	}
	// Replica B may not split region-9's items with A; it gets ana's.
	got = claim(t, db, "replica-b", now, time.Minute, 10)
	if fmt.Sprint(keys(got)) != "[remind-ana]" {
		t.Fatalf("replica B claimed %v, want only the target A does not hold", keys(got))
	}
	if got := claim(t, db, "replica-b", now, time.Minute, 10); len(got) != 1 || got[0].Key != "remind-ana" {
		t.Fatalf("B claims again what it holds: %v", keys(got))
	}
	// A starts posting part 1, then stops (killed) before recording it.
	attempt := now.Add(time.Second)
	if err := db.MarkOutboxAttempt(ctx, d1.ID, "replica-a", attempt, attempt.Add(time.Minute)); err != nil {
		t.Fatal(err)
	}
	if got := claim(t, db, "replica-b", now.Add(30*time.Second), time.Minute, 10); len(got) != 1 {
		t.Fatalf("before A's lease ends, B holds only ana's item: %v", keys(got))
	}
	// Nothing can be claimed before a claim ends: part 2 waits for A's
	// hold on region-9 (attempt+1m), ana's item for B's (now+30s+1m).
	if next, err := db.NextOutboxAttempt(ctx, []string{"console"}); err != nil || !next.Equal(attempt.Add(time.Minute)) {
		t.Fatalf("next attempt %v, %v: want %v, the end of the first claim", next, err, attempt.Add(time.Minute))
	}
	// A's lease ends: B takes over region-9 and sees the interrupted post.
	later := attempt.Add(time.Minute + time.Second)
	got = claim(t, db, "replica-b", later, time.Minute, 10)
	if fmt.Sprint(keys(got)) != "[digest-part-1 digest-part-2 remind-ana]" {
		t.Fatalf("after A's lease, B claimed %v", keys(got))
	}
	if !got[0].AttemptAt.Equal(attempt) {
		t.Fatalf("the taken-over item shows A's attempt at %v, want %v", got[0].AttemptAt, attempt)
	}
	if !got[0].TargetLastPost.Equal(attempt) {
		t.Fatalf("region-9's last post %v, want A's attempt at %v (pacing across senders)", got[0].TargetLastPost, attempt)
	}
	// A comes back to life: it must not post what B now holds.
	if err := db.MarkOutboxAttempt(ctx, d1.ID, "replica-a", later, later.Add(time.Minute)); bot.ErrorCode(err) != bot.ECONFLICT {
		t.Fatalf("A's attempt after B took over: %v, want ECONFLICT", err)
	}
	if err := db.MarkOutboxAttempt(ctx, d1.ID, "replica-b", later, later.Add(time.Minute)); err != nil {
		t.Fatalf("B's attempt: %v", err)
	}
	// B gives back what it did not start: A may claim it.
	if err := db.ReleaseOutbox(ctx, "replica-b", []int64{got[1].ID, got[2].ID}); err != nil {
		t.Fatal(err)
	}
	if err := db.MarkOutboxSent(ctx, d1.ID, 1, bot.MessageRef{Channel: "C9", ID: "1"}); err != nil {
		t.Fatal(err)
	}
	got = claim(t, db, "replica-a", later, time.Minute, 10)
	if fmt.Sprint(keys(got)) != "[digest-part-2 remind-ana]" {
		t.Fatalf("after B released, A claimed %v", keys(got))
	}
	// A restarted replica (same owner) takes its own claims back at once.
	if got := claim(t, db, "replica-a", later, time.Minute, 10); len(got) != 2 {
		t.Fatalf("a restarted sender reclaims its own items: %v", keys(got))
	}
	if _, err := db.ClaimOutbox(ctx, bot.OutboxClaim{Platforms: []string{"console"}, Now: later, Until: later}); bot.ErrorCode(err) != bot.EINVALID {
		t.Fatalf("claim without owner or lease: %v", err)
	}
}

// testConcurrentClaimsNeverShareAnItem: senders claiming at once never
// take the same item, nor items of one target between two of them.
func testConcurrentClaimsNeverShareAnItem(t *testing.T, open opener) {
	db := open(t)
	now := db.Now()
	const targets, perTarget, senders = 20, 5, 4
	for i := range targets {
		for j := range perTarget {
			enqueue(t, db, fmt.Sprintf("k%d-%d", i, j), bot.Target{Workspace: ws, User: fmt.Sprintf("u%d", i)}, now)
		}
	}
	var mu sync.Mutex
	var problems []string
	holder := map[string]string{}   // key -> sender
	targetOf := map[string]string{} // user -> the sender holding it now
	var wg sync.WaitGroup
	for s := range senders {
		owner := fmt.Sprintf("replica-%d", s)
		wg.Go(func() {
			for range 100 {
				items, err := db.ClaimOutbox(context.Background(), bot.OutboxClaim{Platforms: []string{"console"}, Owner: owner,
					Now: now, Until: now.Add(time.Minute), Limit: 7})
				if err != nil {
					mu.Lock()
					problems = append(problems, err.Error())
					mu.Unlock()
					return
				}
				if len(items) == 0 {
					return
				}
				mu.Lock()
				for _, it := range items {
					if h, ok := holder[it.Key]; ok && h != owner {
						problems = append(problems, fmt.Sprintf("%s claimed by %s and %s", it.Key, h, owner))
					}
					holder[it.Key] = owner
					if h, ok := targetOf[it.Target.User]; ok && h != owner {
						problems = append(problems, fmt.Sprintf("target %s held by %s and %s at once", it.Target.User, h, owner))
					}
					targetOf[it.Target.User] = owner
				}
				// Done with these targets: let them go here before the store
				// sees the items sent, so that a later claim by another
				// sender is not mistaken for a split.
				for _, it := range items {
					delete(targetOf, it.Target.User)
				}
				mu.Unlock()
				for _, it := range items {
					if err := db.MarkOutboxSent(context.Background(), it.ID, 1, bot.MessageRef{}); err != nil {
						mu.Lock()
						problems = append(problems, err.Error())
						mu.Unlock()
						return
					}
				}
			}
		})
	}
	wg.Wait()
	for _, p := range problems {
		t.Error(p)
	}
	if len(holder) != targets*perTarget {
		t.Fatalf("%d of %d items claimed", len(holder), targets*perTarget)
	}
}

// testCheckpointClaimsLetOneReplicaPlan: one owner at a time works on the
// period after a checkpoint; a lapsed claim passes to another.
func testCheckpointClaimsLetOneReplicaPlan(t *testing.T, open opener) {
	db := open(t)
	ctx := context.Background()
	now := db.Now()
	at, ok, err := db.ClaimCheckpoint(ctx, "scheduler", "replica-a", now, now.Add(time.Minute))
	if err != nil || !ok || !at.IsZero() {
		t.Fatalf("first claim: %v %v %v", at, ok, err)
	}
	if _, ok, err := db.ClaimCheckpoint(ctx, "scheduler", "replica-b", now, now.Add(time.Minute)); err != nil || ok {
		t.Fatalf("B claimed what A holds: %v %v", ok, err)
	}
	if err := db.AdvanceCheckpoint(ctx, "scheduler", "replica-a", now); err != nil {
		t.Fatal(err)
	}
	if err := db.AdvanceCheckpoint(ctx, "scheduler", "replica-a", now); bot.ErrorCode(err) != bot.ECONFLICT {
		t.Fatalf("advancing without a claim: %v", err)
	}
	t1 := now.Add(time.Minute)
	at, ok, err = db.ClaimCheckpoint(ctx, "scheduler", "replica-b", t1, t1.Add(time.Minute))
	if err != nil || !ok || !at.Equal(now) {
		t.Fatalf("B after A advanced: %v %v %v", at, ok, err)
	}
	// B stops without advancing; once its claim lapses, A plans the period.
	if _, ok, _ := db.ClaimCheckpoint(ctx, "scheduler", "replica-a", t1.Add(30*time.Second), t1.Add(90*time.Second)); ok {
		t.Fatal("A took B's claim before it lapsed")
	}
	t2 := t1.Add(2 * time.Minute)
	at, ok, err = db.ClaimCheckpoint(ctx, "scheduler", "replica-a", t2, t2.Add(time.Minute))
	if err != nil || !ok || !at.Equal(now) {
		t.Fatalf("A after B's claim lapsed: %v %v %v; want the checkpoint B left", at, ok, err)
	}
	if err := db.AdvanceCheckpoint(ctx, "scheduler", "replica-b", t2); bot.ErrorCode(err) != bot.ECONFLICT {
		t.Fatalf("B advanced a claim it lost: %v", err)
	}
}

// testNoticesCommitWithTheirChange: the posts a change causes are queued
// in its transaction, built from the stored result; a change that fails
// queues nothing.
func testNoticesCommitWithTheirChange(t *testing.T, open opener) {
	db := open(t)
	now := db.Now()
	notify := func(gbs []*bot.Getback, m *bot.Meeting) []*bot.OutboxItem {
		var out []*bot.OutboxItem
		for _, g := range gbs {
			text := fmt.Sprintf("you own #%d", g.ID)
			if m != nil {
				text += fmt.Sprintf(" of meeting #%d", m.ID)
			}
			out = append(out, &bot.OutboxItem{Key: fmt.Sprintf("assign:%d:%s", g.ID, g.Owner),
				Target: bot.Target{Workspace: ws, User: g.Owner}, Reply: bot.Reply{Text: text}, NextAttempt: now})
		}
		return out
	}
	ctx := bot.WithNotices(ctxAs("ana"), notify)
	m := meeting("Nevada", 9, bot.Date{Year: 2026, Month: 11, Day: 20})
	m.Getbacks = []*bot.Getback{{Text: "send", Owner: "bob", OwnerKind: bot.OwnerUser, Status: bot.StatusOpen}}
	if err := db.CreateMeeting(ctx, m); err != nil {
		t.Fatal(err)
	}
	g := &bot.Getback{Workspace: ws, Text: "call", Owner: "cat", OwnerKind: bot.OwnerUser, Status: bot.StatusOpen}
	if err := db.CreateGetback(ctx, g); err != nil {
		t.Fatal(err)
	}
	dan, user := "dan", bot.OwnerUser
	if _, err := db.UpdateGetback(ctx, ws, g.ID, bot.GetbackUpdate{Owner: &dan, OwnerKind: &user}); err != nil {
		t.Fatal(err)
	}
	added := &bot.Getback{Text: "visit", Owner: "eve", OwnerKind: bot.OwnerUser, Status: bot.StatusOpen}
	if _, err := db.UpdateMeeting(ctx, ws, m.ID, bot.MeetingUpdate{AddGetbacks: []*bot.Getback{added}}); err != nil {
		t.Fatal(err)
	}
	// A change that fails queues nothing.
	bad := &bot.Getback{Workspace: ws, MeetingID: 9999, Text: "x", Owner: "zed", OwnerKind: bot.OwnerUser, Status: bot.StatusOpen}
	if err := db.CreateGetback(ctx, bad); err == nil {
		t.Fatal("getback of a missing meeting stored")
	}
	items, err := db.FindOutbox(ctx, bot.OutboxFilter{})
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, it := range items {
		got = append(got, it.Target.User+": "+it.Reply.Text)
	}
	want := []string{
		fmt.Sprintf("bob: you own #%d of meeting #%d", m.Getbacks[0].ID, m.ID),
		fmt.Sprintf("cat: you own #%d", g.ID),
		fmt.Sprintf("dan: you own #%d", g.ID),
		fmt.Sprintf("eve: you own #%d of meeting #%d", added.ID, m.ID),
	}
	if fmt.Sprint(got) != fmt.Sprint(want) {
		t.Fatalf("queued notices:\n%v\nwant\n%v", got, want)
	}
	// Without a NoticeFunc, a change queues nothing.
	plain := &bot.Getback{Workspace: ws, Text: "quiet", Owner: "fay", OwnerKind: bot.OwnerUser, Status: bot.StatusOpen}
	if err := db.CreateGetback(ctxAs("ana"), plain); err != nil {
		t.Fatal(err)
	}
	if items, _ := db.FindOutbox(ctx, bot.OutboxFilter{}); len(items) != 4 {
		t.Fatalf("%d items after a change without notices, want 4", len(items))
	}
}

// testOutboxClaimsServeEveryTargetInTurn: a claim takes the oldest item of
// each target before a second item of any, so that a long queue to one
// channel does not hold up a DM queued after it.
func testOutboxClaimsServeEveryTargetInTurn(t *testing.T, open opener) {
	db := open(t)
	now := db.Now()
	for i := range 5 {
		enqueue(t, db, fmt.Sprintf("digest-%d", i), bot.Target{Workspace: ws, Channel: "region-9"}, now)
	}
	enqueue(t, db, "remind-ana", bot.Target{Workspace: ws, User: "ana"}, now)
	got := claim(t, db, "replica-a", now, time.Minute, 2)
	if fmt.Sprint(keys(got)) != "[digest-0 remind-ana]" {
		t.Fatalf("claimed %v, want the first of each target", keys(got))
	}
}
