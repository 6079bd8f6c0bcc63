package mattermost

import (
	"net/http"
	"net/http/httptest"
	"net/url"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/getbackhq/getback/adapters/internal/adaptertest"
	"github.com/getbackhq/getback/adapters/mattermost/mattermosttest"
	"github.com/getbackhq/getback/bot"
	"github.com/getbackhq/getback/commands"
	"github.com/getbackhq/getback/storage/sqlite/sqlitetest"
)

// benchMM returns a server with the real Mattermost handlers over the
// standard 100k-meeting store (workspace mattermost:team1), a token-only
// handler next to them, and a counter of answers posted to response_url.
func benchMM(b *testing.B) (srv *httptest.Server, answers *atomic.Int64, a *Adapter, hooks string) {
	size := sqlitetest.Standard
	size.Workspace = "mattermost:team1"
	db := sqlitetest.Open(b, size)
	api, answers := adaptertest.BenchAPI(b, "/hooks/", `{"id":"u0001","username":"p1","timezone":{"useAutomaticTimezone":"true","automaticTimezone":"America/New_York"}}`)
	a = New(Config{URL: api, BotToken: "bot", CommandTokens: []string{token}, PublicURL: "http://getback.test", Log: adaptertest.Quiet})
	a.SetCommands(&commands.Runner{Store: db, Users: a, Now: time.Now, Reporter: &bot.Reporter{Store: db}, Outbox: db, Log: adaptertest.Quiet})
	mux := http.NewServeMux()
	a.Register(mux)
	mux.HandleFunc("POST /token-only", func(w http.ResponseWriter, r *http.Request) {
		body, ok := a.readBody(w, r)
		if !ok {
			return
		}
		form, _ := url.ParseQuery(string(body))
		if !a.tokenOK(strings.TrimPrefix(r.Header.Get("Authorization"), "Token ")) && !a.tokenOK(form.Get("token")) {
			http.Error(w, "invalid token", http.StatusUnauthorized)
			return
		}
		writeJSON(w, empty)
	})
	srv = httptest.NewServer(mux)
	b.Cleanup(srv.Close)
	return srv, answers, a, api + "/hooks/"
}

var benchSeq atomic.Int64

// benchMMAcks sends /getback list overdue from 8 clients and reports
// acknowledgements per second and their latency percentiles; hold keeps
// the workers from running, to measure the acknowledgement path alone.
func benchMMAcks(b *testing.B, path string, hold bool) {
	srv, answers, a, hooks := benchMM(b)
	if hold {
		adaptertest.HoldQueue(b, a.work, a.Wait)
	}
	next := func() *http.Request {
		n := strconv.FormatInt(benchSeq.Add(1), 10)
		form := url.Values{"token": {token}, "team_id": {"team1"}, "channel_id": {"c1"}, "user_id": {"u0001"},
			"user_name": {"p1"}, "command": {"/getback"}, "text": {"list overdue"}, "trigger_id": {"t" + n},
			"response_url": {hooks + n}}
		return mattermosttest.NewCommandRequest(srv.URL+path, form)
	}
	inline, start := adaptertest.Acks{Request: next, Empty: acked}.Run(b)
	if hold || path != "/mattermost/commands" {
		return
	}
	a.Wait()
	adaptertest.CheckAnswers(b, answers, inline, start)
}

// BenchmarkMattermostListAck: /getback list through the real handler,
// every command run to its answer.
func BenchmarkMattermostListAck(b *testing.B) { benchMMAcks(b, "/mattermost/commands", false) }

// BenchmarkMattermostQueueOnlyAck: the acknowledgement path alone.
func BenchmarkMattermostQueueOnlyAck(b *testing.B) { benchMMAcks(b, "/mattermost/commands", true) }

// BenchmarkMattermostTokenOnlyAck: a handler that only checks the token.
func BenchmarkMattermostTokenOnlyAck(b *testing.B) { benchMMAcks(b, "/token-only", false) }
