package server

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/getbackhq/getback/bot"
	"github.com/getbackhq/getback/bot/clocktest"
	"github.com/getbackhq/getback/storage/sqlite"
)

func TestHealthz(t *testing.T) {
	db, err := sqlite.Open(context.Background(), filepath.Join(t.TempDir(), "g.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	slackDown := errors.New("slack: invalid_auth")
	s := &Server{Checks: map[string]Check{
		"database":   db.Ping,
		"mattermost": func(context.Context) error { return nil },
		"slack":      func(context.Context) error { return slackDown },
	}}
	srv := httptest.NewServer(s.Handler())
	defer srv.Close()
	get := func() (int, map[string]any) {
		resp, err := http.Get(srv.URL + "/healthz")
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		var out map[string]any
		json.NewDecoder(resp.Body).Decode(&out)
		return resp.StatusCode, out
	}
	code, out := get()
	checks := out["checks"].([]any)
	if code != http.StatusServiceUnavailable || out["status"] != "unhealthy" || len(checks) != 3 {
		t.Fatalf("a platform down: %d %v", code, out)
	}
	slack := checks[2].(map[string]any)
	if slack["name"] != "slack" || slack["ok"] != false || slack["error"] != "slack: invalid_auth" || checks[0].(map[string]any)["ok"] != true {
		t.Fatalf("checks: %v", checks)
	}
	slackDown = nil
	s.Checks["slack"] = func(context.Context) error { return nil }
	if code, out := get(); code != http.StatusOK || out["status"] != "ok" {
		t.Fatalf("all up: %d %v", code, out)
	}
	db.Close()
	if code, out := get(); code != http.StatusServiceUnavailable || !strings.Contains(out["checks"].([]any)[0].(map[string]any)["error"].(string), "closed") {
		t.Fatalf("database closed: %d %v", code, out)
	}
}

func TestMetrics(t *testing.T) {
	ctx := context.Background()
	clock := clocktest.New(time.Date(2026, 11, 26, 9, 0, 0, 0, time.UTC))
	db, err := sqlite.Open(ctx, filepath.Join(t.TempDir(), "g.db"), sqlite.WithClock(clock.Now))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	for _, key := range []string{"remind:slack:T1:U1:2026-11-26", "remind:slack:T1:U2:2026-11-26", "digest:slack:T1:9:2026-W48"} {
		if _, err := db.Enqueue(ctx, &bot.OutboxItem{Key: key, Target: bot.Target{Workspace: "slack:T1", Channel: "C9"},
			Reply: bot.Reply{Text: "x"}, NextAttempt: clock.Now()}); err != nil {
			t.Fatal(err)
		}
	}
	items, _ := db.FindOutbox(ctx, bot.OutboxFilter{})
	db.MarkOutboxFailed(ctx, items[2].ID, "channel_not_found", clock.Now(), true)

	m := NewMetrics(db)
	observe := m.CommandObserver("slack")
	observe("getback list", 3*time.Millisecond, "ok")
	observe("getback list", 40*time.Millisecond, "ok")
	observe("meeting add", 2*time.Millisecond, "error")
	m.ObserveSend(items[0], bot.OutcomeSent)
	m.ObserveSend(items[2], "dead")
	mux := http.NewServeMux()
	mux.HandleFunc("POST /slack/commands", func(w http.ResponseWriter, r *http.Request) { w.WriteHeader(http.StatusUnauthorized) })
	srv := httptest.NewServer((&Server{Mux: mux, Metrics: m}).Handler())
	defer srv.Close()
	http.Post(srv.URL+"/slack/commands", "text/plain", nil)
	resp, err := http.Get(srv.URL + "/metrics")
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	for _, want := range []string{
		`getback_commands_total{command="getback list",outcome="ok",platform="slack"} 2`,
		`getback_commands_total{command="meeting add",outcome="error",platform="slack"} 1`,
		`getback_command_duration_seconds_count{command="getback list",platform="slack"} 2`,
		`getback_command_duration_seconds_bucket{command="getback list",platform="slack",le="0.005"} 1`,
		`getback_outbox_items{status="pending"} 2`,
		`getback_outbox_items{status="dead"} 1`,
		`getback_outbox_sends_total{kind="remind",outcome="sent"} 1`,
		`getback_outbox_sends_total{kind="digest",outcome="dead"} 1`,
		`getback_http_requests_total{code="Unauthorized",route="POST /slack/commands"} 1`,
		`go_goroutines`,
	} {
		if !strings.Contains(string(body), want) {
			t.Errorf("metrics lack %s", want)
		}
	}
}

// TestIdleServerTrimsOncePerQuietSpell: with no request for TrimAfter the
// server trims once — after the start, and again only after a later
// request; health checks do not count as requests.
func TestIdleServerTrimsOncePerQuietSpell(t *testing.T) {
	trims := make(chan struct{}, 16)
	mux := http.NewServeMux()
	mux.HandleFunc("POST /slack/commands", func(w http.ResponseWriter, r *http.Request) {})
	s := &Server{Addr: "127.0.0.1:0", Mux: mux, TrimAfter: 30 * time.Millisecond, Trim: func() { trims <- struct{}{} }}
	ctx, cancel := context.WithCancel(context.Background())
	ready := make(chan struct{})
	done := make(chan error, 1)
	go func() { done <- s.Run(ctx, ready) }()
	defer func() { cancel(); <-done }()
	<-ready
	base := "http://" + s.ListenAddr().String()
	wait := func(what string) {
		t.Helper()
		select {
		case <-trims:
		case <-time.After(time.Minute):
			t.Fatalf("no trim %s", what)
		}
	}
	quiet := func(what string) {
		t.Helper()
		select {
		case <-trims:
			t.Fatalf("a second trim %s", what)
		case <-time.After(150 * time.Millisecond):
		}
	}
	wait("after the start")
	for range 5 { // health checks are not requests
		resp, err := http.Get(base + "/healthz")
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
	}
	quiet("with only health checks since the last")
	resp, err := http.Post(base+"/slack/commands", "text/plain", nil)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	wait("after a request and a quiet spell")
	quiet("without a request since the last")
}

// TestShutdownClosesUnusedConnections stops a server that holds a
// connection a client opened and never used next to a request still
// being answered: the unused one is closed at once (net/http alone
// would keep it for its first 5 s), the request gets its answer, and
// Run returns as soon as it has.
func TestShutdownClosesUnusedConnections(t *testing.T) {
	entered, release := make(chan struct{}), make(chan struct{})
	mux := http.NewServeMux()
	mux.HandleFunc("POST /slack/commands", func(w http.ResponseWriter, r *http.Request) {
		close(entered)
		<-release
		w.Write([]byte("answered"))
	})
	s := &Server{Addr: "127.0.0.1:0", Mux: mux, ShutdownTimeout: time.Hour}
	ctx, cancel := context.WithCancel(context.Background())
	ready := make(chan struct{})
	done := make(chan error, 1)
	go func() { done <- s.Run(ctx, ready) }()
	<-ready
	addr := s.ListenAddr().String()

	answer := make(chan string, 1)
	go func() {
		resp, err := http.Post("http://"+addr+"/slack/commands", "text/plain", nil)
		if err != nil {
			answer <- err.Error()
			return
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		answer <- string(b)
	}()
	<-entered
	unused, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	defer unused.Close()
	opened := time.Now()
	cancel()

	closed := make(chan struct{})
	go func() {
		io.Copy(io.Discard, unused) // returns when the server closes it
		close(closed)
	}()
	select {
	case <-closed:
	case <-time.After(4 * time.Second):
		t.Fatal("an unused connection kept a shutdown waiting")
	}
	if waited := time.Since(opened); waited >= 4*time.Second {
		t.Fatalf("the unused connection was closed after %v, by net/http's own rule", waited)
	}
	select {
	case err := <-done:
		t.Fatalf("Run returned (%v) with a request still being answered", err)
	default:
	}
	close(release)
	if got := <-answer; got != "answered" {
		t.Fatalf("the request in flight at shutdown got %q", got)
	}
	if err := <-done; err != nil {
		t.Fatal(err)
	}
}
