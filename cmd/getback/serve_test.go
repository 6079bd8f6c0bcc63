package main

import (
	"bytes"
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"
)

func freeAddr(t *testing.T) string {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	return ln.Addr().String()
}

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
	answered := make(chan string, 4)
	fake := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		if strings.HasPrefix(r.URL.Path, "/response/") {
			answered <- string(body)
			return
		}
		w.Header().Set("Content-Type", "application/json")
		switch r.URL.Path {
		case "/api/auth.test":
			io.WriteString(w, `{"ok":true,"user_id":"UBOT"}`)
		case "/api/users.info":
			io.WriteString(w, `{"ok":true,"user":{"id":"UANA","name":"ana","tz":"UTC","profile":{"display_name":"Ana"}}}`)
		default:
			io.WriteString(w, `{"ok":false,"error":"unknown_method"}`)
		}
	}))
	defer fake.Close()
	const secret = "s3cret"
	t.Setenv("SLACK_BOT_TOKEN", "xoxb-test")
	t.Setenv("SLACK_SIGNING_SECRET", secret)
	t.Setenv("SLACK_API_URL", fake.URL+"/api/")
	addr := freeAddr(t)
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

	form := url.Values{"team_id": {"T1"}, "user_id": {"UANA"}, "command": {"/getback"}, "text": {"remind"},
		"trigger_id": {"t1"}, "channel_id": {"C1"}, "response_url": {fake.URL + "/response/1"}}.Encode()
	ts := strconv.FormatInt(time.Now().Unix(), 10)
	mac := hmac.New(sha256.New, []byte(secret))
	fmt.Fprintf(mac, "v0:%s:%s", ts, form)
	req, _ := http.NewRequest(http.MethodPost, "http://"+addr+"/slack/commands", strings.NewReader(form))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("X-Slack-Request-Timestamp", ts)
	req.Header.Set("X-Slack-Signature", "v0="+hex.EncodeToString(mac.Sum(nil)))
	if resp, err := http.DefaultClient.Do(req); err != nil || resp.StatusCode != 200 {
		t.Fatalf("command: %v %v", resp, err)
	}
	select {
	case a := <-answered:
		if !strings.Contains(a, "Your daily reminder comes at 09:00") {
			t.Fatalf("answer: %s", a)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("no answer")
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
