package main

import (
	"bytes"
	"context"
	"io"
	"net/http"
	"net/url"
	"path/filepath"
	"strings"
	"testing"
	"time"

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
