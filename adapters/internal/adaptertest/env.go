// Package adaptertest is the test bench both chat adapters' tests stand
// on: a real SQLite store and a command runner on one pinned clock, the
// adapter's endpoints served on loopback, and the checks both platforms
// share (golden files, a burst of commands, the acknowledgement
// benchmarks). What is a platform's own (its fake API, signing, payload
// shapes, rendering) stays in the adapter's tests.
package adaptertest

import (
	"bytes"
	"context"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/getbackhq/getback/adapters/inbound"
	"github.com/getbackhq/getback/bot"
	"github.com/getbackhq/getback/bot/clocktest"
	"github.com/getbackhq/getback/commands"
	"github.com/getbackhq/getback/storage/sqlite"
)

// Quiet discards the logs of the code under test.
var Quiet = slog.New(slog.NewTextHandler(io.Discard, nil))

// Start is the instant every test environment's clock starts at.
var Start = time.Date(2026, 11, 26, 17, 0, 0, 0, time.UTC)

// Patience is how long a test waits for a call a fake API should get.
const Patience = 5 * time.Second

// Adapter is what the bench asks of a chat adapter: it serves HTTP
// endpoints, runs commands through the runner it is given, is the
// runner's user directory and the outbox's messenger, and can be waited
// for.
type Adapter interface {
	commands.Directory
	bot.Messenger
	SetCommands(c inbound.Commands)
	Register(mux *http.ServeMux)
	Wait()
}

// Env is an adapter over a real store. Its Clock is the one clock: the
// store, the runner, the adapter, the senders it builds and the fake API
// all read it.
type Env struct {
	DB    *sqlite.DB
	Clock *clocktest.Clock
	// Runner is the command layer behind the adapter; Server serves the
	// adapter's endpoints. Both are set by Serve.
	Runner *commands.Runner
	Server *httptest.Server

	t        testing.TB
	platform string
	adapter  Adapter
}

// Open opens a SQLite store in t.TempDir on a clock pinned at Start,
// closed when the test ends. Build the fake API and the adapter on them,
// then call Serve.
func Open(t testing.TB) *Env {
	t.Helper()
	clock := clocktest.New(Start)
	db, err := sqlite.Open(context.Background(), filepath.Join(t.TempDir(), "g.db"), sqlite.WithClock(clock.Now))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	return &Env{DB: db, Clock: clock, t: t}
}

// Serve gives a, the platform's adapter, a command runner over the store
// and serves its endpoints on loopback; when the test ends the server
// closes and the adapter's background work is waited for.
func (e *Env) Serve(platform string, a Adapter) {
	e.platform, e.adapter = platform, a
	e.Runner = e.NewRunner(Quiet)
	a.SetCommands(e.Runner)
	mux := http.NewServeMux()
	a.Register(mux)
	e.Server = httptest.NewServer(mux)
	e.t.Cleanup(func() { e.Server.Close(); a.Wait() })
}

// NewRunner returns a command runner over the store, with the adapter as
// its directory, on the env's clock, logging to log.
func (e *Env) NewRunner(log *slog.Logger) *commands.Runner {
	return &commands.Runner{Store: e.DB, Users: e.adapter, Now: e.Clock.Now, Admins: map[string]bool{},
		Reporter: &bot.Reporter{Store: e.DB}, Outbox: e.DB, Log: log}
}

// WatchPanics gives the adapter a new Runner that logs, and fails t at its
// end if a command, click or submission panicked.
func (e *Env) WatchPanics(t testing.TB) {
	t.Helper()
	var logs bytes.Buffer
	e.Runner = e.NewRunner(slog.New(slog.NewTextHandler(&logs, nil)))
	e.adapter.SetCommands(e.Runner)
	t.Cleanup(func() {
		e.adapter.Wait()
		if strings.Contains(logs.String(), "panicked") {
			t.Errorf("something panicked:\n%s", logs.String())
		}
	})
}

// Sender returns an outbox sender through the env's adapter, on its clock.
func (e *Env) Sender() *bot.Sender { return e.SenderWith(e.adapter) }

// SenderWith returns an outbox sender through m (another process's
// adapter), on the env's clock.
func (e *Env) SenderWith(m bot.Messenger) *bot.Sender {
	return &bot.Sender{Store: e.DB, Messengers: map[string]bot.Messenger{e.platform: m}, Now: e.Clock.Now, Log: Quiet}
}

// Pictures returns a digest's two pictures (the fakes check sizes, not
// content).
func Pictures() []bot.Image {
	return []bot.Image{
		{Name: "region-9-coverage-2026-W48.png", Title: "Region 9 coverage, week 2026-W48",
			Alt: "Region 9 coverage, week 2026-W48. Met in the last 7 days: Nevada (2 days).", PNG: []byte("\x89PNG\r\n\x1a\nmap")},
		{Name: "region-9-getbacks-2026-W48.png", Title: "Region 9 getbacks, 12 weeks to 2026-W48",
			Alt: "Region 9 getbacks. W48: 4 opened, 1 closed, 3 open at week end (2 overdue).", PNG: []byte("\x89PNG\r\n\x1a\ntrend")},
	}
}

// EnqueueDigest queues a digest with Pictures for a channel through the
// store, as the scheduler does.
func (e *Env) EnqueueDigest(key string, to bot.Target) *bot.OutboxItem {
	e.t.Helper()
	it := &bot.OutboxItem{Key: key, Target: to, NextAttempt: e.Clock.Now(),
		Reply: bot.Reply{Visibility: bot.InChannel, Text: "Region 9 weekly digest (2026-W48)",
			Blocks: []bot.Block{{Heading: "Meetings held (1)", Text: "Nevada"}}, Images: Pictures()}}
	e.Enqueue(it)
	return it
}

// Await fails t unless calls, what a fake API's WaitFor returned for
// what, number at least n; it returns them.
func Await[C any](t testing.TB, what string, n int, calls []C) []C {
	t.Helper()
	if len(calls) < n {
		t.Fatalf("%s called %d times, want %d", what, len(calls), n)
	}
	return calls
}

// Meetings returns how many meetings the store holds in workspace ws.
func (e *Env) Meetings(ws string) int {
	e.t.Helper()
	_, n, err := e.DB.FindMeetings(context.Background(), bot.MeetingFilter{Workspace: ws})
	if err != nil {
		e.t.Fatal(err)
	}
	return n
}

// MarkAttempted marks it attempted now by a sender, as a process killed
// between its attempt and the post leaves it.
func (e *Env) MarkAttempted(it *bot.OutboxItem) {
	e.t.Helper()
	if err := e.DB.MarkOutboxAttempt(context.Background(), it.ID, "getback", e.Clock.Now(), e.Clock.Now().Add(time.Minute)); err != nil {
		e.t.Fatal(err)
	}
}

// Enqueue queues it through the store, as the scheduler and the commands
// do.
func (e *Env) Enqueue(it *bot.OutboxItem) {
	e.t.Helper()
	if ok, err := e.DB.Enqueue(context.Background(), it); err != nil || !ok {
		e.t.Fatalf("enqueue %s: %v %v", it.Key, ok, err)
	}
}

// DrainAfterALostAnswer drains the outbox through s twice, the fake API
// having been told to lose the answer to the next post, that of it (queued
// and due). The first drain must count nothing sent, post once (tried
// counts the posts made since the caller last looked) and leave it pending
// after one failed attempt; the second, an hour later, must send it.
func (e *Env) DrainAfterALostAnswer(s *bot.Sender, it *bot.OutboxItem, tried func() int) {
	e.t.Helper()
	ctx := context.Background()
	if n, _ := s.Drain(ctx); n != 0 {
		e.t.Fatal("a post without an answer counted as sent")
	}
	if n := tried(); n != 1 {
		e.t.Fatalf("the first drain made %d posts, want 1 (whose answer was lost)", n)
	}
	items, _ := e.DB.FindOutbox(ctx, bot.OutboxFilter{KeyPrefix: &it.Key})
	if len(items) != 1 || items[0].Attempts != 1 || items[0].Status != bot.OutboxPending {
		e.t.Fatalf("the lost answer was not recorded as a failed attempt: %+v", items)
	}
	e.Clock.Advance(time.Hour)
	if n, err := s.Drain(ctx); n != 1 || err != nil {
		e.t.Fatalf("retry: %d %v", n, err)
	}
}
