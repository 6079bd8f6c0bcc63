package mattermost

import (
	"context"
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

	"github.com/mattermost/mattermost/server/public/model"

	"github.com/getbackhq/getback/bot"
	"github.com/getbackhq/getback/commands"
	"github.com/getbackhq/getback/storage/sqlite"
)

// apiCall is one request the fake Mattermost API received.
type apiCall struct {
	Method, Path string
	Body         []byte
}

// fakeMM is an httptest server speaking Mattermost's REST API with the
// model package's JSON; it records every call.
type fakeMM struct {
	t   *testing.T
	srv *httptest.Server

	mu          sync.Mutex
	calls       []apiCall
	users       map[string]*model.User
	rateLimited int // posts answering 429 before succeeding
	lostReplies int // posts created whose answer is a 500
	postSeq     int
	posts       []*model.Post // created posts, oldest first
}

func newFakeMM(t *testing.T) *fakeMM {
	f := &fakeMM{t: t, users: map[string]*model.User{
		"botid":  {Id: "botid", Username: "getback", IsBot: true},
		"anaid":  {Id: "anaid", Username: "ana", FirstName: "Ana", LastName: "Lopez", Timezone: model.StringMap{"useAutomaticTimezone": "true", "automaticTimezone": "America/Los_Angeles"}},
		"bobid":  {Id: "bobid", Username: "bob", FirstName: "Bob", LastName: "Chen", Timezone: model.StringMap{"useAutomaticTimezone": "false", "manualTimezone": "Pacific/Guam"}},
		"bossid": {Id: "bossid", Username: "boss", Roles: "system_user system_admin", Timezone: model.StringMap{}},
	}}
	f.srv = httptest.NewServer(http.HandlerFunc(f.serve))
	t.Cleanup(f.srv.Close)
	return f
}

func (f *fakeMM) appError(w http.ResponseWriter, status int, id string) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	json.NewEncoder(w).Encode(model.NewAppError("fake", id, nil, "", status))
}

func (f *fakeMM) serve(w http.ResponseWriter, r *http.Request) {
	body, _ := io.ReadAll(r.Body)
	f.mu.Lock()
	f.calls = append(f.calls, apiCall{r.Method, r.URL.Path, body})
	f.mu.Unlock()
	reply := func(v any) {
		w.Header().Set("Content-Type", "application/json")
		json.NewEncoder(w).Encode(v)
	}
	p := r.URL.Path
	switch {
	case strings.HasPrefix(p, "/hooks/commands/"):
		w.WriteHeader(http.StatusOK)
	case p == "/api/v4/users/me":
		reply(f.users["botid"])
	case strings.HasPrefix(p, "/api/v4/users/username/"):
		name := strings.TrimPrefix(p, "/api/v4/users/username/")
		for _, u := range f.users {
			if u.Username == name {
				reply(u)
				return
			}
		}
		f.appError(w, 404, "app.user.missing_account.const")
	case strings.HasPrefix(p, "/api/v4/users/"):
		if u, ok := f.users[strings.TrimPrefix(p, "/api/v4/users/")]; ok {
			reply(u)
			return
		}
		f.appError(w, 404, "app.user.missing_account.const")
	case p == "/api/v4/channels/direct":
		var ids []string
		json.Unmarshal(body, &ids)
		reply(&model.Channel{Id: "dm_" + ids[1], Type: model.ChannelTypeDirect})
	case p == "/api/v4/posts" && r.Method == http.MethodPost:
		f.mu.Lock()
		limited := f.rateLimited > 0
		if limited {
			f.rateLimited--
		}
		f.postSeq++
		id := fmt.Sprintf("post%d", f.postSeq)
		f.mu.Unlock()
		if limited {
			w.Header().Set("Retry-After", "3")
			f.appError(w, 429, "api.context.rate_limited")
			return
		}
		var post model.Post
		json.Unmarshal(body, &post)
		post.Id, post.CreateAt, post.UpdateAt = id, model.GetMillis(), model.GetMillis()
		f.mu.Lock()
		f.posts = append(f.posts, &post)
		lost := f.lostReplies > 0
		if lost {
			f.lostReplies--
		}
		f.mu.Unlock()
		if lost { // created, but the answer never arrives
			f.appError(w, 500, "api.context.500.app_error")
			return
		}
		w.WriteHeader(http.StatusCreated)
		reply(&post)
	case strings.HasPrefix(p, "/api/v4/channels/") && strings.HasSuffix(p, "/posts") && r.Method == http.MethodGet:
		channel := strings.TrimSuffix(strings.TrimPrefix(p, "/api/v4/channels/"), "/posts")
		since, _ := strconv.ParseInt(r.URL.Query().Get("since"), 10, 64)
		list := model.NewPostList()
		f.mu.Lock()
		for _, post := range f.posts {
			if post.ChannelId == channel && post.UpdateAt >= since {
				list.AddPost(post)
				list.AddOrder(post.Id)
			}
		}
		f.mu.Unlock()
		reply(list)
	case strings.HasPrefix(p, "/api/v4/posts/") && r.Method == http.MethodPut:
		var post model.Post
		json.Unmarshal(body, &post)
		reply(&post)
	case p == "/api/v4/actions/dialogs/open":
		reply(map[string]string{"status": "OK"})
	case strings.HasPrefix(p, "/api/v4/teams/") && strings.Contains(p, "/channels/name/"):
		name := p[strings.LastIndex(p, "/")+1:]
		if name != "region-9" {
			f.appError(w, 404, "store.sql_channel.get_by_name.missing.app_error")
			return
		}
		reply(&model.Channel{Id: "chan9", Name: name, Type: model.ChannelTypeOpen})
	case strings.HasSuffix(p, "/members") && r.Method == http.MethodPost:
		w.WriteHeader(http.StatusCreated)
		reply(&model.ChannelMember{ChannelId: "chan9", UserId: "botid"})
	case p == "/api/v4/system/ping":
		reply(map[string]string{"status": "OK"})
	default:
		f.appError(w, 404, "api.context.404.app_error")
	}
}

// callsTo returns the recorded calls whose path starts with prefix.
func (f *fakeMM) callsTo(method, prefix string) []apiCall {
	f.mu.Lock()
	defer f.mu.Unlock()
	var out []apiCall
	for _, c := range f.calls {
		if c.Method == method && strings.HasPrefix(c.Path, prefix) {
			out = append(out, c)
		}
	}
	return out
}

func (f *fakeMM) waitFor(method, prefix string, n int) []apiCall {
	f.t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for time.Now().Before(deadline) {
		if c := f.callsTo(method, prefix); len(c) >= n {
			return c
		}
		time.Sleep(5 * time.Millisecond)
	}
	f.t.Fatalf("%s %s called %d times, want %d", method, prefix, len(f.callsTo(method, prefix)), n)
	return nil
}

var quiet = slog.New(slog.NewTextHandler(io.Discard, nil))

const token = "cmdtoken123"

type env struct {
	t   *testing.T
	mm  *fakeMM
	a   *Adapter
	db  *sqlite.DB
	srv *httptest.Server
	now time.Time
}

func newEnv(t *testing.T) *env {
	t.Helper()
	db, err := sqlite.Open(context.Background(), filepath.Join(t.TempDir(), "g.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	e := &env{t: t, mm: newFakeMM(t), db: db, now: time.Date(2026, 11, 26, 17, 0, 0, 0, time.UTC)}
	e.a = New(Config{URL: e.mm.srv.URL, BotToken: "bottoken", CommandTokens: []string{"othertoken", token},
		PublicURL: "http://getback.test", Log: quiet})
	e.a.SetRunner(&commands.Runner{Store: db, Users: e.a, Now: func() time.Time { return e.now },
		Digests: &bot.Digests{Store: db}, Outbox: db, Log: quiet})
	mux := http.NewServeMux()
	e.a.Register(mux)
	e.srv = httptest.NewServer(mux)
	t.Cleanup(func() { e.srv.Close(); e.a.Wait() })
	return e
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
		"response_url": {e.mm.srv.URL + "/hooks/commands/" + strconv.Itoa(trigger)}}
	for k, v := range extra {
		form[k] = v
	}
	req, _ := http.NewRequest(http.MethodPost, e.srv.URL+"/mattermost/commands", strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Authorization", "Token "+form.Get("token"))
	resp, err := http.DefaultClient.Do(req)
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
	resp, err := http.Post(e.srv.URL+path, "application/json", strings.NewReader(string(b)))
	if err != nil {
		e.t.Fatal(err)
	}
	defer resp.Body.Close()
	out, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(out)
}
