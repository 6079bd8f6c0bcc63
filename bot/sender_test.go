package bot_test

import (
	"context"
	"errors"
	"fmt"
	"testing"
	"time"

	"github.com/getbackhq/getback/bot"
	"github.com/getbackhq/getback/bot/clocktest"
)

// enqueue queues it, due now by c, and fails the test when it is not
// queued.
func enqueue(t testing.TB, db bot.Enqueuer, c *clocktest.Clock, it *bot.OutboxItem) {
	t.Helper()
	it.NextAttempt = c.Now()
	if created, err := db.Enqueue(context.Background(), it); err != nil || !created {
		t.Fatalf("enqueue %s: %v %v", it.Key, created, err)
	}
}

func enqueueDMs(t *testing.T, db bot.Enqueuer, c *clocktest.Clock, n int) {
	t.Helper()
	for i := 0; i < n; i++ {
		enqueue(t, db, c, &bot.OutboxItem{Key: fmt.Sprintf("remind:console:u%02d:2026-11-26", i), Target: bot.Target{Workspace: ws, User: fmt.Sprintf("u%02d", i)},
			Reply: bot.Reply{Text: fmt.Sprintf("reminder %d", i)}})
	}
}

func TestSenderCrashMidFanOutSendsTheRestOnce(t *testing.T) {
	c := clocktest.New(time.Date(2026, 11, 26, 9, 0, 0, 0, time.UTC))
	db := openStore(t, c)
	const n, k = 12, 5
	enqueueDMs(t, db, c, n)

	// First run: the process "dies" after k successful posts.
	ctx, cancel := context.WithCancel(context.Background())
	first := &fakeMessenger{stopAfter: k, cancel: cancel}
	s1 := &bot.Sender{Store: db, Messengers: map[string]bot.Messenger{"console": first}, Now: c.Now, Workers: 1}
	if _, err := s1.Drain(ctx); !errors.Is(err, context.Canceled) {
		t.Fatalf("first drain: %v", err)
	}
	if got := len(first.posts); got != k {
		t.Fatalf("first run posted %d, want %d", got, k)
	}

	// Restart: a new sender on the same store delivers the other n-k.
	second := &fakeMessenger{}
	s2 := &bot.Sender{Store: db, Messengers: map[string]bot.Messenger{"console": second}, Now: c.Now, Workers: 4}
	sent, err := s2.Drain(context.Background())
	if err != nil || sent != n-k {
		t.Fatalf("second drain: %d %v, want %d", sent, err, n-k)
	}
	total := first.sentTo()
	for to, cnt := range second.sentTo() {
		total[to] += cnt
	}
	if len(total) != n {
		t.Fatalf("%d of %d people reached", len(total), n)
	}
	for to, cnt := range total {
		if cnt != 1 {
			t.Errorf("%s got %d messages", to, cnt)
		}
	}
	if again, _ := s2.Drain(context.Background()); again != 0 {
		t.Fatalf("a third drain sent %d", again)
	}
	counts, _ := db.OutboxCounts(context.Background())
	if counts[bot.OutboxSent] != n {
		t.Fatalf("counts %v", counts)
	}
}

func TestSenderRetryAfterAndDeadLetter(t *testing.T) {
	c := clocktest.New(time.Date(2026, 11, 26, 9, 0, 0, 0, time.UTC))
	db := openStore(t, c)
	enqueueDMs(t, db, c, 2)
	m := &fakeMessenger{rateLimit: 30 * time.Second, fail: map[string]error{"dm:u01": errors.New("connection reset")}}
	var outcomes []string
	s := &bot.Sender{Store: db, Messengers: map[string]bot.Messenger{"console": m}, Now: c.Now, Workers: 1,
		MaxAttempts: 3, Backoff: time.Minute, Observe: func(_ *bot.OutboxItem, o string) { outcomes = append(outcomes, o) }}
	ctx := context.Background()
	if sent, _ := s.Drain(ctx); sent != 0 {
		t.Fatalf("sent %d during a 429", sent)
	}
	items, _ := db.FindOutbox(ctx, bot.OutboxFilter{})
	if !items[0].NextAttempt.Equal(c.Now().Add(30*time.Second)) || items[0].Attempts != 0 {
		t.Fatalf("429 must defer by Retry-After without counting an attempt: %+v", items[0])
	}
	if !items[1].NextAttempt.Equal(c.Now().Add(time.Minute)) || items[1].Attempts != 1 {
		t.Fatalf("a failure backs off: %+v", items[1])
	}
	c.Set(c.Now().Add(30 * time.Second))
	if sent, _ := s.Drain(ctx); sent != 1 {
		t.Fatalf("after Retry-After: sent %d", sent)
	}
	// u01 keeps failing: the second wait doubles, the third failure is final.
	c.Set(c.Now().Add(time.Minute))
	s.Drain(ctx)
	items, _ = db.FindOutbox(ctx, bot.OutboxFilter{})
	if items[1].Attempts != 2 || !items[1].NextAttempt.Equal(c.Now().Add(2*time.Minute)) {
		t.Fatalf("second backoff: %+v", items[1])
	}
	c.Set(c.Now().Add(2 * time.Minute))
	s.Drain(ctx)
	dead := bot.OutboxDead
	deadItems, _ := db.FindOutbox(ctx, bot.OutboxFilter{Status: &dead})
	if len(deadItems) != 1 || deadItems[0].Target.User != "u01" || deadItems[0].LastError != "connection reset" {
		t.Fatalf("dead letters: %+v", deadItems)
	}
	want := []string{bot.OutcomeRateLimited, bot.OutcomeRetry, bot.OutcomeSent, bot.OutcomeRetry, bot.OutcomeDead}
	if fmt.Sprint(outcomes) != fmt.Sprint(want) {
		t.Fatalf("outcomes %v, want %v", outcomes, want)
	}
	// A permanent failure is dead at once.
	enqueue(t, db, c, &bot.OutboxItem{Key: "perm", Target: bot.Target{Workspace: ws, Channel: "gone"}})
	m.fail["channel:gone"] = &bot.SendError{Permanent: true, Err: errors.New("channel_not_found")}
	s.Drain(ctx)
	if deadItems, _ = db.FindOutbox(ctx, bot.OutboxFilter{Status: &dead}); len(deadItems) != 2 {
		t.Fatalf("permanent failure: %d dead", len(deadItems))
	}
}

func TestSenderSplitsAndResumesParts(t *testing.T) {
	c := clocktest.New(time.Date(2026, 11, 26, 9, 0, 0, 0, time.UTC))
	db := openStore(t, c)
	r := bot.Reply{Text: "Digest"}
	for i := 0; i < 120; i++ {
		r.Blocks = append(r.Blocks, bot.Block{Text: fmt.Sprintf("line %d", i)})
	}
	enqueue(t, db, c, &bot.OutboxItem{Key: "digest:x", Target: bot.Target{Workspace: ws, Channel: "region-9"}, Reply: r})
	ctx, cancel := context.WithCancel(context.Background())
	m := &fakeMessenger{limits: bot.MessageLimits{MaxBlocks: 50}, stopAfter: 1, cancel: cancel}
	s := &bot.Sender{Store: db, Messengers: map[string]bot.Messenger{"console": m}, Now: c.Now}
	s.Drain(ctx)
	items, _ := db.FindOutbox(context.Background(), bot.OutboxFilter{})
	if items[0].PartsSent != 1 || items[0].Status != bot.OutboxPending || items[0].Ref.ID != "1" {
		t.Fatalf("progress after one part: %+v", items[0])
	}
	m2 := &fakeMessenger{limits: bot.MessageLimits{MaxBlocks: 50}}
	s2 := &bot.Sender{Store: db, Messengers: map[string]bot.Messenger{"console": m2}, Now: c.Now}
	if sent, err := s2.Drain(context.Background()); sent != 1 || err != nil {
		t.Fatal(sent, err)
	}
	if len(m2.posts) != 2 || m2.posts[0].text != "Digest (continued)" {
		t.Fatalf("resumed with parts 2 and 3 only: %+v", m2.posts)
	}
}

func TestSenderPacesPostsToOneChannel(t *testing.T) {
	c := clocktest.New(time.Date(2026, 11, 26, 9, 0, 0, 0, time.UTC))
	db := openStore(t, c)
	for i := 0; i < 4; i++ {
		enqueue(t, db, c, &bot.OutboxItem{Key: fmt.Sprint(i), Target: bot.Target{Workspace: ws, Channel: "region-9"}, Reply: bot.Reply{Text: fmt.Sprint(i)}})
	}
	m := &fakeMessenger{limits: bot.MessageLimits{MinInterval: 40 * time.Millisecond}}
	s := &bot.Sender{Store: db, Messengers: map[string]bot.Messenger{"console": m}, Now: c.Now}
	if sent, _ := s.Drain(context.Background()); sent != 4 {
		t.Fatal(sent)
	}
	for i := 1; i < len(m.posts); i++ {
		if gap := m.posts[i].at.Sub(m.posts[i-1].at); gap < 40*time.Millisecond {
			t.Errorf("posts %d and %d only %v apart", i-1, i, gap)
		}
		if m.posts[i].text != fmt.Sprint(i) {
			t.Errorf("out of order: %q at %d", m.posts[i].text, i)
		}
	}
}
