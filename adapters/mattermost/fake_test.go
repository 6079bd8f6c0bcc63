package mattermost

import (
	"encoding/json"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"

	"github.com/mattermost/mattermost/server/public/model"

	"github.com/getbackhq/getback/adapters/internal/adaptertest"
	"github.com/getbackhq/getback/adapters/mattermost/mattermosttest"
	"github.com/getbackhq/getback/commands"
)

// newFakeMM returns the fake Mattermost API with this package's roster.
func newFakeMM(t testing.TB) *mattermosttest.Server {
	f := mattermosttest.NewServer()
	t.Cleanup(f.Close)
	f.SetUser(&model.User{Id: "anaid", Username: "ana", FirstName: "Ana", LastName: "Lopez", Timezone: model.StringMap{"useAutomaticTimezone": "true", "automaticTimezone": "America/Los_Angeles"}})
	f.SetUser(&model.User{Id: "bobid", Username: "bob", FirstName: "Bob", LastName: "Chen", Timezone: model.StringMap{"useAutomaticTimezone": "false", "manualTimezone": "Pacific/Guam"}})
	f.SetUser(&model.User{Id: "bossid", Username: "boss", Roles: "system_user system_admin", Timezone: model.StringMap{}})
	f.AddChannel("chan9", "region-9")
	return f
}

const token = "cmdtoken123"

// env is an adapter over a real store, talking to a fake Mattermost.
type env struct {
	*adaptertest.Env
	t  testing.TB
	mm *mattermosttest.Server
	a  *Adapter
}

func newEnv(t testing.TB) *env {
	t.Helper()
	e := &env{Env: adaptertest.Open(t), t: t, mm: newFakeMM(t)}
	e.mm.SetClock(e.Clock.Now)
	e.a = New(Config{URL: e.mm.URL, BotToken: "bottoken", CommandTokens: []string{"othertoken", token},
		PublicURL: "http://getback.test", Log: adaptertest.Quiet, Now: e.Clock.Now})
	e.Serve(Platform, e.a)
	return e
}

// waitFor waits until n calls of an HTTP method to paths starting with
// prefix arrived, failing the test when they do not.
func (e *env) waitFor(method, prefix string, n int) []mattermosttest.Call {
	e.t.Helper()
	return adaptertest.Await(e.t, method+" "+prefix, n, e.mm.WaitFor(method, prefix, n, adaptertest.Patience))
}

var trigger int

// command posts a slash command the way Mattermost does; extra adds form
// fields (user_mentions...). It returns the HTTP answer.
func (e *env) command(user, cmd, text string, extra url.Values) (int, string) {
	e.t.Helper()
	trigger++
	form := url.Values{"token": {token}, "team_id": {"team1"}, "team_domain": {"acme"}, "channel_id": {"chan1"},
		"channel_name": {"town-square"}, "user_id": {user}, "user_name": {strings.TrimSuffix(user, "id")},
		"command": {cmd}, "text": {text}, "trigger_id": {"trig" + strconv.Itoa(trigger)},
		"response_url": {e.mm.ResponseURLFor(strconv.Itoa(trigger), user, "chan1")}}
	for k, v := range extra {
		form[k] = v
	}
	resp, err := http.DefaultClient.Do(mattermosttest.NewCommandRequest(e.Server.URL+"/mattermost/commands", form))
	if err != nil {
		e.t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b)
}

// answer runs a command and returns its CommandResponse: in the response
// for a command that writes (answered after its commit), else posted to
// the response_url after an empty acknowledgement.
func (e *env) answer(user, cmd, text string, extra url.Values) *model.CommandResponse {
	e.t.Helper()
	code, body := e.command(user, cmd, text, extra)
	later := acked([]byte(body))
	if code != 200 || commands.Mutates(cmd, text) == later {
		e.t.Fatalf("%s %s: a write must be answered in the response, a read after {}: %d %q", cmd, text, code, body)
	}
	raw := []byte(body)
	if later {
		raw = e.waitFor(http.MethodPost, "/hooks/commands/"+strconv.Itoa(trigger), 1)[0].Body
	}
	var cr model.CommandResponse
	if err := json.Unmarshal(raw, &cr); err != nil {
		e.t.Fatal(err)
	}
	return &cr
}

// postJSON posts JSON to one of getback's endpoints.
func (e *env) postJSON(path string, v any) (int, string) {
	e.t.Helper()
	b, _ := json.Marshal(v)
	return e.postRaw(path, string(b))
}

// postRaw posts a body as JSON to one of getback's endpoints.
func (e *env) postRaw(path, body string) (int, string) {
	e.t.Helper()
	resp, err := http.Post(e.Server.URL+path, "application/json", strings.NewReader(body))
	if err != nil {
		e.t.Fatal(err)
	}
	defer resp.Body.Close()
	out, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(out)
}

// acked reports whether a command's answer is the empty acknowledgement
// ({}) of a command answered later through its response_url.
func acked(body []byte) bool { return strings.TrimSpace(string(body)) == "{}" }
