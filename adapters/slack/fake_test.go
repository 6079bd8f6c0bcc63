package slack

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/getbackhq/getback/adapters/internal/adaptertest"
	"github.com/getbackhq/getback/adapters/slack/slacktest"
	"github.com/getbackhq/getback/commands"
)

// newFakeSlack returns the fake Slack Web API with this package's roster.
func newFakeSlack(t testing.TB) *slacktest.Server {
	f := slacktest.NewServer()
	t.Cleanup(f.Close)
	f.SetUser(map[string]any{"id": "UANA", "name": "ana", "real_name": "Ana Lopez", "tz": "America/Los_Angeles", "profile": map[string]any{"display_name": "Ana"}})
	f.SetUser(map[string]any{"id": "UBOB", "name": "bob", "real_name": "Bob Chen", "tz": "Pacific/Honolulu", "profile": map[string]any{"display_name": "Bob"}})
	f.SetUser(map[string]any{"id": "UADM", "name": "boss", "real_name": "The Boss", "tz": "America/New_York", "is_admin": true, "profile": map[string]any{}})
	f.AddChannel("C9", "region-9")
	return f
}

const secret = "8f742231b10e8888abcd99yyyzzz85a5"

// env is an adapter over a real store, talking to a fake Slack.
type env struct {
	*adaptertest.Env
	t     testing.TB
	slack *slacktest.Server
	a     *Adapter
}

func newEnv(t testing.TB) *env {
	t.Helper()
	e := &env{Env: adaptertest.Open(t), t: t, slack: newFakeSlack(t)}
	e.slack.SetClock(e.Clock.Now)
	e.a = New(Config{BotToken: "xoxb-test", SigningSecret: secret, APIURL: e.slack.APIURL(), Log: adaptertest.Quiet, Now: e.Clock.Now}, e.DB)
	e.Serve(Platform, e.a)
	return e
}

// waitFor waits until Slack's method has been called n times, failing
// the test when it is not.
func (e *env) waitFor(method string, n int) []slacktest.Call {
	e.t.Helper()
	return adaptertest.Await(e.t, method, n, e.slack.WaitFor(method, n, adaptertest.Patience))
}

func sign(ts int64, body string) string { return slacktest.Sign(secret, ts, body) }

// post sends a signed (or, with a custom header func, forged) request.
func (e *env) post(path, body string, headers func(h http.Header)) (*http.Response, string) {
	e.t.Helper()
	req, _ := http.NewRequest(http.MethodPost, e.Server.URL+path, strings.NewReader(body))
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
		"text": {text}, "response_url": {e.slack.ResponseURL(strconv.Itoa(triggerSeq))},
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
	if commands.Mutates(cmd, neutralText(text)) != (body != "") {
		e.t.Fatalf("%s %s: a write must be answered in the response, a read after an empty ack; got %q", cmd, text, body)
	}
	if body != "" {
		var m map[string]any
		if err := json.Unmarshal([]byte(body), &m); err != nil {
			e.t.Fatal(err)
		}
		return m
	}
	calls := e.waitFor("response/"+strconv.Itoa(triggerSeq), 1)
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
