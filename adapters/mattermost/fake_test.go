package mattermost

import (
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/mattermost/mattermost/server/public/model"

	"github.com/getbackhq/getback/adapters/mattermost/mattermosttest"
	"github.com/getbackhq/getback/bot"
	"github.com/getbackhq/getback/bot/clocktest"
	"github.com/getbackhq/getback/commands"
	"github.com/getbackhq/getback/storage/sqlite"
)

// fakeMM is the fake Mattermost API with this package's roster, failing
// the test when an awaited call does not come.
type fakeMM struct {
	*mattermosttest.Server
	t testing.TB
}

func newFakeMM(t testing.TB) *fakeMM {
	f := &fakeMM{Server: mattermosttest.NewServer(), t: t}
	t.Cleanup(f.Close)
	f.SetUser(&model.User{Id: "anaid", Username: "ana", FirstName: "Ana", LastName: "Lopez", Timezone: model.StringMap{"useAutomaticTimezone": "true", "automaticTimezone": "America/Los_Angeles"}})
	f.SetUser(&model.User{Id: "bobid", Username: "bob", FirstName: "Bob", LastName: "Chen", Timezone: model.StringMap{"useAutomaticTimezone": "false", "manualTimezone": "Pacific/Guam"}})
	f.SetUser(&model.User{Id: "bossid", Username: "boss", Roles: "system_user system_admin", Timezone: model.StringMap{}})
	f.AddChannel("chan9", "region-9")
	return f
}

// callsTo returns the recorded calls whose path starts with prefix.
func (f *fakeMM) callsTo(method, prefix string) []mattermosttest.Call { return f.Calls(method, prefix) }

func (f *fakeMM) waitFor(method, prefix string, n int) []mattermosttest.Call {
	f.t.Helper()
	calls := f.WaitFor(method, prefix, n, 5*time.Second)
	if len(calls) < n {
		f.t.Fatalf("%s %s called %d times, want %d", method, prefix, len(calls), n)
	}
	return calls
}

var quiet = slog.New(slog.NewTextHandler(io.Discard, nil))

const token = "cmdtoken123"

type env struct {
	t   testing.TB
	mm  *fakeMM
	a   *Adapter
	db  *sqlite.DB
	srv *httptest.Server
	// runner is the command layer behind the adapter.
	runner *commands.Runner
	// clock is the env's one clock: the store, the runner, the adapter,
	// senders built by tests and the fake Mattermost all read it.
	clock *clocktest.Clock
}

func newEnv(t testing.TB) *env {
	t.Helper()
	clock := clocktest.New(time.Date(2026, 11, 26, 17, 0, 0, 0, time.UTC))
	db, err := sqlite.Open(context.Background(), filepath.Join(t.TempDir(), "g.db"), sqlite.WithClock(clock.Now))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	e := &env{t: t, mm: newFakeMM(t), db: db, clock: clock}
	e.mm.SetClock(clock.Now)
	e.a = New(Config{URL: e.mm.URL, BotToken: "bottoken", CommandTokens: []string{"othertoken", token},
		PublicURL: "http://getback.test", Log: quiet, Now: clock.Now})
	e.runner = &commands.Runner{Store: db, Users: e.a, Now: clock.Now,
		Reporter: &bot.Reporter{Store: db}, Outbox: db, Log: quiet}
	e.a.SetCommands(e.runner)
	mux := http.NewServeMux()
	e.a.Register(mux)
	e.srv = httptest.NewServer(mux)
	t.Cleanup(func() { e.srv.Close(); e.a.Wait() })
	return e
}

// sender returns an outbox sender through the env's adapter, on its clock.
func (e *env) sender() *bot.Sender {
	return &bot.Sender{Store: e.db, Messengers: map[string]bot.Messenger{Platform: e.a}, Now: e.clock.Now, Log: quiet}
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
	resp, err := http.DefaultClient.Do(mattermosttest.NewCommandRequest(e.srv.URL+"/mattermost/commands", form))
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
	acked := strings.TrimSpace(body) == "{}"
	if code != 200 || commands.Mutates(cmd, text) == acked {
		e.t.Fatalf("%s %s: a write must be answered in the response, a read after {}: %d %q", cmd, text, code, body)
	}
	raw := []byte(body)
	if acked {
		raw = e.mm.waitFor(http.MethodPost, "/hooks/commands/"+strconv.Itoa(trigger), 1)[0].Body
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
	resp, err := http.Post(e.srv.URL+path, "application/json", strings.NewReader(body))
	if err != nil {
		e.t.Fatal(err)
	}
	defer resp.Body.Close()
	out, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(out)
}
