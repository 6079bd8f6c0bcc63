package main

import (
	"context"
	"net/http"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/getbackhq/getback/bot"
	"github.com/getbackhq/getback/cmd/internal/servetest"
	"github.com/getbackhq/getback/storage/sqlite"
)

// TestSIGTERMDrainsRequestsAndOutbox stops the real binary with SIGTERM
// while commands are in flight (reads acknowledged and queued, writes
// running) and while the outbox is sending: it must answer every one,
// record every post it made, and exit 0 within 10 s; a restart sends the
// rest, once.
func TestSIGTERMDrainsRequestsAndOutbox(t *testing.T) {
	if testing.Short() {
		t.Skip("starts the real binary")
	}
	dir := t.TempDir()
	// At 300 ms a post and four posts at a time, the sender makes at
	// most about 130 posts in the 10 s a stop may take: a fan-out of 170
	// is cut short however long the drain takes.
	const people = 80
	dms, digests := seedFanOut(t, filepath.Join(dir, "getback.db"), people)
	want := dms + digests
	p := startServe(t, dir)
	p.AddUsers(200)
	p.SlackAPI.Slow("users.info", 300*time.Millisecond) // every new caller is looked up first
	p.SlackAPI.Slow("chat.postMessage", 300*time.Millisecond)
	// Let the fan-out begin.
	for deadline := time.Now().Add(10 * time.Second); len(posts(p)) < 5 && time.Now().Before(deadline); {
		time.Sleep(5 * time.Millisecond)
	}

	client := &http.Client{Timeout: 15 * time.Second}
	ctx := context.Background()
	const reads, writes = 20, 5
	var wg sync.WaitGroup
	answers := make([]servetest.Answer, writes)
	for i := range reads {
		wg.Go(func() {
			if a, err := p.Slack(ctx, client, 100+i, "/getback", "list mine"); err != nil || a.Status != 200 {
				t.Errorf("read %d: %+v %v", i, a, err)
			}
		})
	}
	wg.Wait() // every read acknowledged; their answers are queued
	for i := range writes {
		wg.Go(func() {
			var err error
			answers[i], err = p.Slack(ctx, client, 150+i, "/getback", `add <@U00001|user1> "shutdown item" due:friday`)
			if err != nil {
				t.Errorf("write %d: %v", i, err)
			}
		})
	}
	time.Sleep(100 * time.Millisecond) // the writes are in flight, waiting on users.info
	code, took := p.Term(10 * time.Second)
	wg.Wait()
	if code != 0 || took > 10*time.Second {
		t.Fatalf("SIGTERM: exit %d after %v", code, took)
	}
	t.Logf("stopped in %v", took)
	for i, a := range answers {
		if a.Status != 200 || !strings.Contains(a.Body, "Added getback #") {
			t.Errorf("write %d in flight at SIGTERM: %+v", i, a)
		}
	}
	if n := p.SlackAPI.Count("response/"); n != reads {
		t.Errorf("%d of %d queued reads were answered before exit", n, reads)
	}

	// Every post made before the exit is recorded as sent; nothing is
	// left marked as in flight.
	db, err := sqlite.Open(ctx, p.DB)
	if err != nil {
		t.Fatal(err)
	}
	items, _ := db.FindOutbox(ctx, bot.OutboxFilter{})
	n, _ := db.CountGetbacks(ctx, bot.GetbackFilter{Workspace: servetest.SlackWorkspace})
	db.Close()
	sent := 0
	for _, it := range items {
		if it.Status == bot.OutboxSent {
			sent++
		}
		if !it.AttemptAt.IsZero() {
			t.Errorf("%s left in flight", it.Key)
		}
	}
	if got := totalPosts(p); got != sent || sent >= want {
		t.Fatalf("%d posts reached the platforms, %d recorded as sent, of %d (the fan-out should have been cut short)", got, sent, want)
	}
	if n != people+writes {
		t.Fatalf("%d getbacks stored, want the %d seeded and the %d in flight", n, people, writes)
	}

	// The restart sends the rest, each once.
	p.SlackAPI.Slow("chat.postMessage", 0)
	if err := p.Restart(ctx); err != nil {
		t.Fatal(err)
	}
	waitOutboxSent(t, p.DB, 20*time.Second)
	time.Sleep(300 * time.Millisecond) // a duplicate would come now
	if code, _ := p.Term(10 * time.Second); code != 0 {
		t.Fatalf("second stop: exit %d", code)
	}
	db, err = sqlite.Open(ctx, p.DB)
	if err != nil {
		t.Fatal(err)
	}
	counts, _ := db.OutboxCounts(ctx)
	db.Close()
	if counts[bot.OutboxPending] != 0 || counts[bot.OutboxSent] != totalPosts(p) {
		t.Fatalf("outbox %v, %d posts made", counts, totalPosts(p))
	}
	for ch, n := range posts(p) {
		if n != 1 && ch != "slack/DU00001" { // U00001 is told of each item assigned to them
			t.Fatalf("%s got %d posts", ch, n)
		}
	}
}

// totalPosts counts the messages that reached the fake platforms.
func totalPosts(p *servetest.Process) int {
	return len(p.SlackAPI.Posted()) + len(p.MattermostAPI.Posts())
}

// waitOutboxSent waits until nothing in the outbox is pending.
func waitOutboxSent(t *testing.T, path string, d time.Duration) {
	t.Helper()
	db, err := sqlite.Open(context.Background(), path)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	for deadline := time.Now().Add(d); time.Now().Before(deadline); time.Sleep(20 * time.Millisecond) {
		if c, err := db.OutboxCounts(context.Background()); err == nil && c[bot.OutboxPending] == 0 {
			return
		}
	}
	t.Fatalf("the outbox still has pending items after %v", d)
}

// TestSIGTERMBoundedWhenBacklogged stops getback with more queued work
// than fits in the shutdown budget: it still exits 0 within 10 s.
func TestSIGTERMBoundedWhenBacklogged(t *testing.T) {
	if testing.Short() {
		t.Skip("starts the real binary")
	}
	p := startServe(t, t.TempDir())
	p.AddUsers(60)
	p.SlackAPI.Slow("users.info", time.Second)
	client := &http.Client{Timeout: 15 * time.Second}
	var wg sync.WaitGroup
	for i := range 40 { // 40 s of lookups for a few workers
		wg.Go(func() { p.Slack(context.Background(), client, i, "/getback", "list mine") })
	}
	wg.Wait()
	code, took := p.Term(15 * time.Second)
	if code != 0 || took > 10*time.Second {
		t.Fatalf("SIGTERM with a backlog: exit %d after %v", code, took)
	}
	if n := p.SlackAPI.Count("response/"); n == 0 || n == 40 {
		t.Fatalf("%d of 40 answers sent: the backlog should be worked on, then cut short", n)
	}
	t.Logf("exited in %v with %d of 40 queued answers sent", took, p.SlackAPI.Count("response/"))
}
