package mattermost

import (
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"runtime"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"

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
	answers = &atomic.Int64{}
	fake := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		io.Copy(io.Discard, r.Body)
		if strings.HasPrefix(r.URL.Path, "/hooks/") {
			answers.Add(1)
			return
		}
		w.Header().Set("Content-Type", "application/json")
		io.WriteString(w, `{"id":"u0001","username":"p1","timezone":{"useAutomaticTimezone":"true","automaticTimezone":"America/New_York"}}`)
	}))
	b.Cleanup(fake.Close)
	a = New(Config{URL: fake.URL, BotToken: "bot", CommandTokens: []string{token}, PublicURL: "http://getback.test", Log: quiet})
	a.SetCommands(&commands.Runner{Store: db, Users: a, Now: time.Now, Reporter: &bot.Reporter{Store: db}, Outbox: db, Log: quiet})
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
	return srv, answers, a, fake.URL + "/hooks/"
}

var benchSeq atomic.Int64

// benchMMAcks sends /getback list overdue from 8 clients and reports
// acknowledgements per second and their latency percentiles; hold keeps
// the workers from running, to measure the acknowledgement path alone.
func benchMMAcks(b *testing.B, path string, hold bool) {
	srv, answers, a, hooks := benchMM(b)
	if hold {
		a.work.SetMax(1 << 30)
		release := a.work.Hold()
		b.Cleanup(func() { release(); a.Wait() })
	}
	client := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: 16}}
	var inline atomic.Int64
	lats := make(chan time.Duration, 1<<20)
	b.SetParallelism(max(1, 8/runtime.GOMAXPROCS(0))) // 8 clients
	b.ResetTimer()
	start := time.Now()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			n := benchSeq.Add(1)
			form := url.Values{"token": {token}, "team_id": {"team1"}, "channel_id": {"c1"}, "user_id": {"u0001"},
				"user_name": {"p1"}, "command": {"/getback"}, "text": {"list overdue"}, "trigger_id": {"t" + strconv.FormatInt(n, 10)},
				"response_url": {hooks + strconv.FormatInt(n, 10)}}.Encode()
			req, _ := http.NewRequest(http.MethodPost, srv.URL+path, strings.NewReader(form))
			req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
			req.Header.Set("Authorization", "Token "+token)
			t0 := time.Now()
			resp, err := client.Do(req)
			if err != nil {
				b.Fatal(err)
			}
			body, _ := io.ReadAll(resp.Body)
			resp.Body.Close()
			lats <- time.Since(t0)
			if resp.StatusCode != 200 {
				b.Fatalf("status %d", resp.StatusCode)
			}
			if strings.TrimSpace(string(body)) != "{}" {
				inline.Add(1)
			}
		}
	})
	acked := time.Since(start)
	b.StopTimer()
	close(lats)
	var lat sqlitetest.Latencies
	for d := range lats {
		lat.Add(d)
	}
	lat.Report(b)
	b.ReportMetric(float64(b.N)/acked.Seconds(), "acks/s")
	if hold || path != "/mattermost/commands" {
		return
	}
	a.Wait()
	if got := answers.Load() + inline.Load(); got != int64(b.N) {
		b.Fatalf("%d answers for %d commands", got, b.N)
	}
	b.ReportMetric(float64(b.N)/time.Since(start).Seconds(), "answered/s")
}

// BenchmarkMattermostListAck: /getback list through the real handler,
// every command run to its answer.
func BenchmarkMattermostListAck(b *testing.B) { benchMMAcks(b, "/mattermost/commands", false) }

// BenchmarkMattermostQueueOnlyAck: the acknowledgement path alone.
func BenchmarkMattermostQueueOnlyAck(b *testing.B) { benchMMAcks(b, "/mattermost/commands", true) }

// BenchmarkMattermostTokenOnlyAck: a handler that only checks the token.
func BenchmarkMattermostTokenOnlyAck(b *testing.B) { benchMMAcks(b, "/token-only", false) }
