package slack

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/getbackhq/getback/bot"
	"github.com/getbackhq/getback/commands"
	"github.com/getbackhq/getback/storage/sqlite"
)

// apiCall is one request the fake Slack Web API received.
type apiCall struct {
	Method string
	Form   url.Values     // form-encoded calls
	JSON   map[string]any // JSON calls (views.open, response_url)
}

// fakeSlack is an httptest server speaking Slack's Web API JSON. It records
// every call; users come from a roster.
type fakeSlack struct {
	t   *testing.T
	srv *httptest.Server

	mu          sync.Mutex
	calls       []apiCall
	users       map[string]map[string]any
	rateLimited map[string]int // method -> how many more calls answer 429
	retryAfter  int
	slow        map[string]time.Duration // method -> delay
	wsURL       string                   // apps.connections.open answer
	ts          int
	lostReplies map[string]int // method -> how many more calls take effect but answer 500
	posted      []postedMessage
}

// postedMessage is a message chat.postMessage created, as
// conversations.history returns it.
type postedMessage struct {
	Channel  string
	TS       string
	Metadata map[string]any
}

func newFakeSlack(t *testing.T) *fakeSlack {
	f := &fakeSlack{t: t, rateLimited: map[string]int{}, slow: map[string]time.Duration{}, retryAfter: 7, lostReplies: map[string]int{},
		users: map[string]map[string]any{
			"UANA": {"id": "UANA", "name": "ana", "real_name": "Ana Lopez", "tz": "America/Los_Angeles", "profile": map[string]any{"display_name": "Ana"}},
			"UBOB": {"id": "UBOB", "name": "bob", "real_name": "Bob Chen", "tz": "Pacific/Honolulu", "profile": map[string]any{"display_name": "Bob"}},
			"UADM": {"id": "UADM", "name": "boss", "real_name": "The Boss", "tz": "America/New_York", "is_admin": true, "profile": map[string]any{}},
		}}
	f.srv = httptest.NewServer(http.HandlerFunc(f.serve))
	t.Cleanup(f.srv.Close)
	return f
}

func (f *fakeSlack) serve(w http.ResponseWriter, r *http.Request) {
	body, _ := io.ReadAll(r.Body)
	method := strings.TrimPrefix(strings.TrimPrefix(r.URL.Path, "/api/"), "/")
	call := apiCall{Method: method}
	if strings.HasPrefix(r.Header.Get("Content-Type"), "application/json") {
		json.Unmarshal(body, &call.JSON)
	} else {
		call.Form, _ = url.ParseQuery(string(body))
	}
	f.mu.Lock()
	f.calls = append(f.calls, call)
	limited := f.rateLimited[method] > 0
	if limited {
		f.rateLimited[method]--
	}
	delay := f.slow[method]
	f.ts++
	ts := fmt.Sprintf("%d.%06d", time.Now().Unix(), f.ts) // a real ts: seconds since the epoch
	f.mu.Unlock()
	time.Sleep(delay)
	if limited {
		w.Header().Set("Retry-After", strconv.Itoa(f.retryAfter))
		w.WriteHeader(http.StatusTooManyRequests)
		return
	}
	reply := func(v map[string]any) {
		v["ok"] = true
		w.Header().Set("Content-Type", "application/json")
		json.NewEncoder(w).Encode(v)
	}
	switch method {
	case "chat.postMessage":
		pm := postedMessage{Channel: call.Form.Get("channel"), TS: ts}
		json.Unmarshal([]byte(call.Form.Get("metadata")), &pm.Metadata)
		f.mu.Lock()
		f.posted = append(f.posted, pm)
		lost := f.lostReplies[method] > 0
		if lost {
			f.lostReplies[method]--
		}
		f.mu.Unlock()
		if lost { // posted, but the answer never arrives
			w.WriteHeader(http.StatusInternalServerError)
			return
		}
		reply(map[string]any{"channel": call.Form.Get("channel"), "ts": ts})
	case "conversations.history":
		oldest := call.Form.Get("oldest")
		var msgs []any
		f.mu.Lock()
		for i := len(f.posted) - 1; i >= 0; i-- { // newest first, as Slack does
			pm := f.posted[i]
			if pm.Channel != call.Form.Get("channel") || pm.TS < oldest {
				continue
			}
			m := map[string]any{"type": "message", "ts": pm.TS, "bot_id": "BBOT"}
			if pm.Metadata != nil && call.Form.Get("include_all_metadata") == "1" {
				m["metadata"] = pm.Metadata
			}
			msgs = append(msgs, m)
		}
		f.mu.Unlock()
		reply(map[string]any{"messages": msgs, "has_more": false})
	case "chat.update":
		reply(map[string]any{"channel": call.Form.Get("channel"), "ts": call.Form.Get("ts")})
	case "chat.postEphemeral":
		reply(map[string]any{"message_ts": ts})
	case "views.open":
		reply(map[string]any{"view": map[string]any{"id": "V1"}})
	case "conversations.open":
		reply(map[string]any{"channel": map[string]any{"id": "D" + call.Form.Get("users")}})
	case "users.info":
		f.mu.Lock()
		u, ok := f.users[call.Form.Get("user")]
		f.mu.Unlock()
		if !ok {
			json.NewEncoder(w).Encode(map[string]any{"ok": false, "error": "user_not_found"})
			return
		}
		reply(map[string]any{"user": u})
	case "users.list":
		var members []any
		f.mu.Lock()
		for _, u := range f.users {
			members = append(members, u)
		}
		f.mu.Unlock()
		reply(map[string]any{"members": members, "response_metadata": map[string]any{"next_cursor": ""}})
	case "conversations.list":
		reply(map[string]any{"channels": []any{map[string]any{"id": "C9", "name": "region-9"}}, "response_metadata": map[string]any{"next_cursor": ""}})
	case "auth.test":
		reply(map[string]any{"user_id": "UBOT", "team_id": "T1"})
	case "apps.connections.open":
		reply(map[string]any{"url": f.wsURL})
	default:
		if strings.HasPrefix(r.URL.Path, "/response/") {
			w.WriteHeader(http.StatusOK)
			io.WriteString(w, "ok")
			return
		}
		json.NewEncoder(w).Encode(map[string]any{"ok": false, "error": "unknown_method"})
	}
}

// callsTo returns the recorded calls of one method.
func (f *fakeSlack) callsTo(method string) []apiCall {
	f.mu.Lock()
	defer f.mu.Unlock()
	var out []apiCall
	for _, c := range f.calls {
		if c.Method == method {
			out = append(out, c)
		}
	}
	return out
}

// waitFor polls until the method has been called n times.
func (f *fakeSlack) waitFor(method string, n int) []apiCall {
	f.t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for time.Now().Before(deadline) {
		if calls := f.callsTo(method); len(calls) >= n {
			return calls
		}
		time.Sleep(5 * time.Millisecond)
	}
	f.t.Fatalf("%s called %d times, want %d", method, len(f.callsTo(method)), n)
	return nil
}

const secret = "8f742231b10e8888abcd99yyyzzz85a5"

// quiet discards the adapter's logs in tests.
var quiet = slog.New(slog.NewTextHandler(io.Discard, nil))

// env is an adapter over a real store, talking to a fake Slack.
type env struct {
	t     *testing.T
	slack *fakeSlack
	a     *Adapter
	db    *sqlite.DB
	srv   *httptest.Server
	now   time.Time
}

func newEnv(t *testing.T) *env {
	t.Helper()
	db, err := sqlite.Open(context.Background(), filepath.Join(t.TempDir(), "g.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	e := &env{t: t, slack: newFakeSlack(t), db: db, now: time.Date(2026, 11, 26, 17, 0, 0, 0, time.UTC)}
	e.a = New(Config{BotToken: "xoxb-test", SigningSecret: secret, APIURL: e.slack.srv.URL + "/api/", Log: quiet}, db)
	e.a.SetRunner(newEnvRunner(e))
	mux := http.NewServeMux()
	e.a.Register(mux)
	e.srv = httptest.NewServer(mux)
	t.Cleanup(func() { e.srv.Close(); e.a.Wait() })
	return e
}

// newEnvRunner returns a command runner over the env's store and adapter.
func newEnvRunner(e *env) *commands.Runner {
	return &commands.Runner{Store: e.db, Users: e.a, Now: func() time.Time { return e.now },
		Admins: map[string]bool{}, Digests: &bot.Digests{Store: e.db}, Outbox: e.db}
}

func sign(ts int64, body string) string {
	mac := hmac.New(sha256.New, []byte(secret))
	fmt.Fprintf(mac, "v0:%d:%s", ts, body)
	return "v0=" + hex.EncodeToString(mac.Sum(nil))
}

// post sends a signed (or, with a custom header func, forged) request.
func (e *env) post(path, body string, headers func(h http.Header)) (*http.Response, string) {
	e.t.Helper()
	req, _ := http.NewRequest(http.MethodPost, e.srv.URL+path, strings.NewReader(body))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	ts := time.Now().Unix()
	req.Header.Set("X-Slack-Request-Timestamp", strconv.FormatInt(ts, 10))
	req.Header.Set("X-Slack-Signature", sign(ts, body))
	if headers != nil {
		headers(req.Header)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		e.t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp, string(b)
}

var triggerSeq int

// command sends a signed slash command as user and returns the response.
func (e *env) command(user, cmd, text string) (*http.Response, string) {
	triggerSeq++
	form := url.Values{"token": {"x"}, "team_id": {"T1"}, "team_domain": {"acme"}, "channel_id": {"CGEN"},
		"channel_name": {"general"}, "user_id": {user}, "user_name": {strings.ToLower(user[1:])}, "command": {cmd},
		"text": {text}, "response_url": {e.slack.srv.URL + "/response/" + strconv.Itoa(triggerSeq)},
		"trigger_id": {fmt.Sprintf("trig.%d", triggerSeq)}}
	return e.post("/slack/commands", form.Encode(), nil)
}

// answer sends a command and returns its answer: in the response for a
// command that writes (answered after its commit), else posted to the
// response_url after an empty acknowledgement.
func (e *env) answer(user, cmd, text string) map[string]any {
	e.t.Helper()
	resp, body := e.command(user, cmd, text)
	if resp.StatusCode != http.StatusOK {
		e.t.Fatalf("%s %s: ack %d %q", cmd, text, resp.StatusCode, body)
	}
	if commands.Mutates(cmd, text) != (body != "") {
		e.t.Fatalf("%s %s: a write must be answered in the response, a read after an empty ack; got %q", cmd, text, body)
	}
	if body != "" {
		var m map[string]any
		if err := json.Unmarshal([]byte(body), &m); err != nil {
			e.t.Fatal(err)
		}
		return m
	}
	calls := e.slack.waitFor("response/"+strconv.Itoa(triggerSeq), 1)
	return calls[0].JSON
}

// answerText returns the text of a command's answer.
func (e *env) answerText(user, cmd, text string) string {
	e.t.Helper()
	s, _ := e.answer(user, cmd, text)["text"].(string)
	return s
}

// interact sends a signed interactivity payload.
func (e *env) interact(payload map[string]any) (*http.Response, string) {
	b, _ := json.Marshal(payload)
	return e.post("/slack/interactivity", url.Values{"payload": {string(b)}}.Encode(), nil)
}
