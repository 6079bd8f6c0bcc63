package bot_test

import (
	"context"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/getbackhq/getback/bot"
	"github.com/getbackhq/getback/bot/clocktest"
)

// sharedChat is one chat platform that several replicas post to: it
// records every post and, like Slack and Mattermost, can say whether a
// message with a delivery key arrived.
type sharedChat struct {
	mu    sync.Mutex
	posts []post
	gap   time.Duration
}

// replica is one replica's messenger on the shared chat.
type replica struct {
	fakeMessenger
	chat *sharedChat
}

func (r *replica) Limits() bot.MessageLimits { return bot.MessageLimits{MinInterval: r.chat.gap} }

func (r *replica) Post(ctx context.Context, to bot.Target, rep bot.Reply) (bot.MessageRef, error) {
	r.chat.mu.Lock()
	defer r.chat.mu.Unlock()
	r.chat.posts = append(r.chat.posts, post{to, rep.Text, rep.DeliveryKey, time.Now()})
	return bot.MessageRef{Channel: to.Channel + to.User, ID: fmt.Sprint(len(r.chat.posts))}, nil
}

func (r *replica) Delivered(_ context.Context, to bot.Target, key string, _ time.Time) (bot.MessageRef, bool, error) {
	r.chat.mu.Lock()
	defer r.chat.mu.Unlock()
	for i, p := range r.chat.posts {
		if p.to == to && p.key == key {
			return bot.MessageRef{Channel: to.Channel + to.User, ID: fmt.Sprint(i + 1)}, true, nil
		}
	}
	return bot.MessageRef{}, false, nil
}

func (c *sharedChat) count() map[string]int {
	c.mu.Lock()
	defer c.mu.Unlock()
	out := map[string]int{}
	for _, p := range c.posts {
		out[p.key]++
	}
	return out
}

// TestSendersOfThreeReplicasPostEachItemOnceAndPaceAChannelTogether: three
// senders drain one outbox at once: every item is posted once, and posts
// to one channel keep the platform's interval whichever replica makes
// them.
func TestSendersOfThreeReplicasPostEachItemOnceAndPaceAChannelTogether(t *testing.T) {
	c := clocktest.New(time.Date(2026, 11, 26, 9, 0, 0, 0, time.UTC))
	db := openStore(t, c)
	enqueueDMs(t, db, c, 60)
	for i := range 6 {
		enqueue(t, db, c, &bot.OutboxItem{Key: fmt.Sprintf("digest-part-%d", i), Target: bot.Target{Workspace: ws, Channel: "region-9"},
			Reply: bot.Reply{Text: fmt.Sprint(i)}})
	}
	chat := &sharedChat{gap: 30 * time.Millisecond}
	var wg sync.WaitGroup
	for i := range 3 {
		s := &bot.Sender{Store: db, Messengers: map[string]bot.Messenger{"console": &replica{chat: chat}}, Now: c.Now,
			Owner: fmt.Sprintf("replica-%d", i), Batch: 10}
		wg.Go(func() {
			if _, err := s.Drain(context.Background()); err != nil {
				t.Error(err)
			}
		})
	}
	wg.Wait()
	// A sender that found every target held stopped early: drain the rest.
	last := &bot.Sender{Store: db, Messengers: map[string]bot.Messenger{"console": &replica{chat: chat}}, Now: c.Now, Owner: "replica-0"}
	if _, err := last.Drain(context.Background()); err != nil {
		t.Fatal(err)
	}
	counts := chat.count()
	if len(counts) != 66 {
		t.Fatalf("%d of 66 items posted", len(counts))
	}
	for key, n := range counts {
		if n != 1 {
			t.Errorf("%s posted %d times", key, n)
		}
	}
	var prev time.Time
	for _, p := range chat.posts {
		if p.to.Channel != "region-9" {
			continue
		}
		if !prev.IsZero() && p.at.Sub(prev) < chat.gap {
			t.Errorf("two posts to region-9 %v apart, under the platform's %v", p.at.Sub(prev), chat.gap)
		}
		prev = p.at
	}
}

// TestAReplicaTakesOverADeadReplicasPostAfterItsLease: replica A claims a
// digest and starts posting it, then dies. Replica B leaves A's items
// alone while A's lease runs, then takes them over: it asks the platform
// before posting the interrupted part, so nothing is sent twice.
func TestAReplicaTakesOverADeadReplicasPostAfterItsLease(t *testing.T) {
	c := clocktest.New(time.Date(2026, 11, 26, 9, 0, 0, 0, time.UTC))
	db := openStore(t, c)
	ctx := context.Background()
	chat := &sharedChat{}
	for i := range 3 {
		enqueue(t, db, c, &bot.OutboxItem{Key: fmt.Sprintf("digest-%d", i), Target: bot.Target{Workspace: ws, Channel: "region-9"},
			Reply: bot.Reply{Text: fmt.Sprint(i)}})
	}
	// Replica A: claims everything, posts the first item, dies before
	// recording it.
	const lease = time.Minute
	now := c.Now()
	items, err := db.ClaimOutbox(ctx, bot.OutboxClaim{Platforms: []string{"console"}, Owner: "replica-a", Now: now, Until: now.Add(lease), Limit: 10})
	if err != nil || len(items) != 3 {
		t.Fatalf("A claimed %d: %v", len(items), err)
	}
	if err := db.MarkOutboxAttempt(ctx, items[0].ID, "replica-a", now, now.Add(lease)); err != nil {
		t.Fatal(err)
	}
	(&replica{chat: chat}).Post(ctx, items[0].Target, bot.Reply{Text: "0", DeliveryKey: items[0].Key + "#0"})

	b := &bot.Sender{Store: db, Messengers: map[string]bot.Messenger{"console": &replica{chat: chat}}, Now: c.Now, Owner: "replica-b", Lease: lease}
	if n, err := b.Drain(ctx); n != 0 || err != nil {
		t.Fatalf("B sent %d (%v) while A's lease runs", n, err)
	}
	if next, _ := db.NextOutboxAttempt(ctx, []string{"console"}); !next.Equal(now.Add(lease)) {
		t.Fatalf("B would look again at %v, want when A's lease ends (%v)", next, now.Add(lease))
	}
	c.Advance(lease + time.Second)
	if n, err := b.Drain(ctx); n != 3 || err != nil {
		t.Fatalf("B after A's lease: %d %v, want the 3 items", n, err)
	}
	for key, n := range chat.count() {
		if n != 1 {
			t.Errorf("%s posted %d times", key, n)
		}
	}
	if got := len(chat.posts); got != 3 {
		t.Fatalf("%d posts, want 3", got)
	}
}

// TestOneReplicaPlansAPeriod: while one replica's scheduler holds the
// planning of a period, another plans nothing; when the first stops
// without finishing, the other plans the period once its lease lapses.
func TestOneReplicaPlansAPeriod(t *testing.T) {
	c := &clocktest.Clock{}
	c.Set(time.Date(2026, 11, 26, 13, 0, 0, 0, time.UTC))
	db := openStore(t, c)
	person(t, db, c, "ana", "America/New_York")
	owe(t, db, "ana", bot.Date{})
	a := newScheduler(db, c)
	a.Owner = "replica-a"
	if _, err := a.Tick(context.Background()); err != nil { // sets the checkpoint at 13:00
		t.Fatal(err)
	}
	// 14:00 UTC is 09:00 in New York: ana's reminder is due. Replica A
	// claims the period and dies while planning it.
	c.Set(time.Date(2026, 11, 26, 14, 5, 0, 0, time.UTC))
	if _, ok, err := db.ClaimCheckpoint(context.Background(), bot.SchedulerCheckpoint, "replica-a", c.Now(), c.Now().Add(2*time.Minute)); err != nil || !ok {
		t.Fatalf("A's claim: %v %v", ok, err)
	}
	b := newScheduler(db, c)
	b.Owner = "replica-b"
	res, err := b.Tick(context.Background())
	if err != nil || res.Reminders != 0 {
		t.Fatalf("B planned %d reminders (%v) while A holds the period", res.Reminders, err)
	}
	c.Advance(3 * time.Minute)
	res, err = b.Tick(context.Background())
	if err != nil || res.Reminders != 1 {
		t.Fatalf("B after A's claim lapsed: %d reminders, %v; want ana's", res.Reminders, err)
	}
	if res, _ := a.Tick(context.Background()); res.Reminders != 0 {
		t.Fatalf("A, back, planned %d again", res.Reminders)
	}
}
