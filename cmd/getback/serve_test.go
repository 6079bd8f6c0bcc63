package main

import (
	"bytes"
	"context"
	"io"
	"net/http"
	"net/url"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/mattermost/mattermost/server/public/model"

	"github.com/getbackhq/getback/adapters/mattermost/mattermosttest"
	"github.com/getbackhq/getback/adapters/slack/slacktest"
	"github.com/getbackhq/getback/cmd/internal/servetest"
)

func waitHTTP(t *testing.T, u string) *http.Response {
	deadline := time.Now().Add(10 * time.Second)
	for time.Now().Before(deadline) {
		if resp, err := http.Get(u); err == nil {
			return resp
		}
		time.Sleep(20 * time.Millisecond)
	}
	t.Fatalf("%s did not answer", u)
	return nil
}

// TestServeWithSlack runs `getback serve` against a fake Slack API: health,
// a signed command, metrics, and a clean shutdown.
func TestServeWithSlack(t *testing.T) {
	fake := slacktest.NewServer()
	defer fake.Close()
	fake.SetUser(map[string]any{"id": "UANA", "name": "ana", "tz": "UTC", "profile": map[string]any{"display_name": "Ana"}})
	const secret = "s3cret"
	t.Setenv("SLACK_BOT_TOKEN", "xoxb-test")
	t.Setenv("SLACK_SIGNING_SECRET", secret)
	t.Setenv("SLACK_API_URL", fake.APIURL())
	addr, err := servetest.FreeAddr()
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	var out, errOut bytes.Buffer
	done := make(chan int, 1)
	go func() {
		done <- run(ctx, []string{"serve", "--addr", addr, "--db", filepath.Join(t.TempDir(), "g.db")}, nil, &out, &errOut)
	}()
	resp := waitHTTP(t, "http://"+addr+"/healthz")
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != 200 || !strings.Contains(string(body), `"name":"database","ok":true`) || !strings.Contains(string(body), `"name":"slack","ok":true`) {
		t.Fatalf("healthz: %d %s", resp.StatusCode, body)
	}

	req := slacktest.NewRequest("http://"+addr+"/slack/commands", secret, url.Values{"team_id": {"T1"}, "user_id": {"UANA"},
		"command": {"/getback"}, "text": {"remind"}, "trigger_id": {"t1"}, "channel_id": {"C1"}, "response_url": {fake.ResponseURL("1")}})
	if resp, err := http.DefaultClient.Do(req); err != nil || resp.StatusCode != 200 {
		t.Fatalf("command: %v %v", resp, err)
	}
	answers := fake.WaitFor("response/1", 1, 10*time.Second)
	if len(answers) == 0 {
		t.Fatal("no answer")
	}
	if a, _ := answers[0].JSON["text"].(string); !strings.Contains(a, "Your daily reminder comes at 09:00") {
		t.Fatalf("answer: %v", answers[0].JSON)
	}
	resp = waitHTTP(t, "http://"+addr+"/metrics")
	metrics, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	for _, want := range []string{`getback_commands_total{command="getback remind",outcome="ok",platform="slack"} 1`,
		`getback_outbox_items{status="dead"} 0`, `getback_http_requests_total{code="OK",route="POST /slack/commands"} 1`} {
		if !strings.Contains(string(metrics), want) {
			t.Errorf("metrics lack %s", want)
		}
	}
	start := time.Now()
	cancel()
	select {
	case code := <-done:
		if code != 0 {
			t.Fatalf("exit %d: %s", code, errOut.String())
		}
	case <-time.After(10 * time.Second):
		t.Fatal("serve did not stop within 10 s")
	}
	if took := time.Since(start); took > 10*time.Second {
		t.Fatalf("shutdown took %v", took)
	}
}

func TestServeNeedsAPlatform(t *testing.T) {
	t.Setenv("SLACK_BOT_TOKEN", "")
	var out, errOut bytes.Buffer
	code := run(context.Background(), []string{"serve", "--db", filepath.Join(t.TempDir(), "g.db")}, nil, &out, &errOut)
	if code != 1 || !strings.Contains(errOut.String(), "no chat platform configured") || !strings.Contains(errOut.String(), "getback console") {
		t.Fatalf("%d %s", code, errOut.String())
	}
}

// TestServeWithMattermost runs `getback serve` against a fake Mattermost
// API with the settings `mattermost setup` prints: it resolves admins by
// name, warns about what cannot work, answers a DM with help, and writes
// no token to its log.
func TestServeWithMattermost(t *testing.T) {
	fake := mattermosttest.NewServer()
	defer fake.Close()
	fake.SetUser(&model.User{Id: "anaid", Username: "ana", Timezone: model.StringMap{}})
	const botToken, cmdToken = "bot-token-1234567890", "command-token-1234567890"
	addr, err := servetest.FreeAddr()
	if err != nil {
		t.Fatal(err)
	}
	t.Setenv("SLACK_BOT_TOKEN", "")
	t.Setenv("MATTERMOST_URL", fake.URL)
	t.Setenv("MATTERMOST_BOT_TOKEN", botToken)
	t.Setenv("MATTERMOST_COMMAND_TOKENS", cmdToken)
	t.Setenv("GETBACK_PUBLIC_URL", "http://127.0.0.1:1") // not where serve listens
	t.Setenv("GETBACK_ADMINS", "ana,@ghost")
	ctx, cancel := context.WithCancel(context.Background())
	var out, errOut syncBuffer
	done := make(chan int, 1)
	go func() {
		done <- run(ctx, []string{"serve", "--addr", addr, "--db", filepath.Join(t.TempDir(), "g.db")}, nil, &out, &errOut)
	}()
	waitHTTP(t, "http://"+addr+"/healthz").Body.Close()
	deadline := time.Now().Add(10 * time.Second)
	for fake.Listeners() == 0 {
		if time.Now().After(deadline) {
			t.Fatal("serve does not listen to Mattermost's events")
		}
		time.Sleep(10 * time.Millisecond)
	}
	fake.PostAsUser("anaid", "dm_anaid", "help")
	if posts := fake.WaitFor(http.MethodPost, "/api/v4/posts", 1, 10*time.Second); len(posts) == 0 || !strings.Contains(string(posts[0].Body), "Track GETBACK items") {
		t.Fatalf("no help in the DM: %v", posts)
	}
	// ana, named in GETBACK_ADMINS by user name, is an admin.
	req := mattermosttest.NewCommandRequest("http://"+addr+"/mattermost/commands", url.Values{"token": {cmdToken}, "team_id": {"t"},
		"user_id": {"anaid"}, "command": {"/digest"}, "text": {"post region:9"}})
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if !strings.Contains(string(body), "has no digest channel") {
		t.Fatalf("an admin by name: %s", body)
	}
	// A command with a bad token: refused and logged, without the token.
	req = mattermosttest.NewCommandRequest("http://"+addr+"/mattermost/commands", url.Values{"token": {botToken}, "team_id": {"t"},
		"user_id": {"anaid"}, "command": {"/getback"}, "text": {"list"}})
	if resp, err := http.DefaultClient.Do(req); err != nil || resp.StatusCode != http.StatusUnauthorized {
		t.Fatalf("bad token: %v %v", resp, err)
	}
	cancel()
	if code := <-done; code != 0 {
		t.Fatalf("exit %d: %s", code, errOut.String())
	}
	log := errOut.String()
	for _, want := range []string{
		`"msg":"a GETBACK_ADMINS entry names no user here","platform":"mattermost","entry":"@ghost"`,
		`"msg":"getback admins","platform":"mattermost","resolved":1,"unresolved":1`,
		`"msg":"the listen address cannot be what GETBACK_PUBLIC_URL names"`,
		"names port 1 but serve listens on " + addr,
	} {
		if !strings.Contains(log, want) {
			t.Errorf("the log lacks %s:\n%s", want, log)
		}
	}
	if strings.Contains(log, botToken) || strings.Contains(log, cmdToken) {
		t.Fatalf("the log shows a token:\n%s", log)
	}
}

// syncBuffer is a bytes.Buffer safe for the server's goroutines.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}
