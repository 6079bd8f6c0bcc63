package slack

import (
	"fmt"
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

	"github.com/getbackhq/getback/adapters/slack/slacktest"
	"github.com/getbackhq/getback/bot"
	"github.com/getbackhq/getback/commands"
	"github.com/getbackhq/getback/storage/postgres/pgtest"
	"github.com/getbackhq/getback/storage/sqlite/sqlitetest"
)

// benchStore is a store the benchmarks run on.
type benchStore interface {
	bot.Store
	Deduper
}

// benchSize is the standard 100k-meeting store in workspace slack:T1.
func benchSize() sqlitetest.Size {
	size := sqlitetest.Standard
	size.Workspace = "slack:T1"
	return size
}

// sqliteStore is the standard store in SQLite.
func sqliteStore(b *testing.B) benchStore { return sqlitetest.Open(b, benchSize()) }

// postgresStore is a PostgreSQL copy of the same store (skipped without
// GETBACK_TEST_POSTGRES_URL).
func postgresStore(b *testing.B) benchStore {
	return pgtest.Seeded(b, benchSize().Workspace, sqlitetest.Cached(b, benchSize()))
}

// benchSlack returns a server with the real Slack handlers over the
// standard 100k-meeting store (workspace slack:T1), a verify-only handler
// next to them, and a counter of answers posted to response_url.
func benchSlack(b *testing.B, db benchStore) (srv *httptest.Server, answers *atomic.Int64, a *Adapter, responseURL string) {
	answers = &atomic.Int64{}
	fake := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		io.Copy(io.Discard, r.Body)
		if strings.HasPrefix(r.URL.Path, "/response/") {
			answers.Add(1)
			return
		}
		w.Header().Set("Content-Type", "application/json")
		io.WriteString(w, `{"ok":true,"user":{"id":"u0001","name":"p1","tz":"America/New_York","profile":{}}}`)
	}))
	b.Cleanup(fake.Close)
	a = New(Config{BotToken: "xoxb", SigningSecret: secret, APIURL: fake.URL + "/api/", Log: quiet, Workers: benchWorkers}, db)
	a.SetCommands(&commands.Runner{Store: db, Users: a, Now: time.Now, Reporter: &bot.Reporter{Store: db}, Outbox: db, Log: quiet})
	mux := http.NewServeMux()
	a.Register(mux)
	mux.HandleFunc("POST /verify-only", func(w http.ResponseWriter, r *http.Request) {
		if _, ok := a.verified(w, r); ok {
			w.WriteHeader(http.StatusOK)
		}
	})
	srv = httptest.NewServer(mux)
	b.Cleanup(srv.Close)
	return srv, answers, a, fake.URL + "/response/"
}

var benchSeq atomic.Int64

// benchRun keeps trigger ids unique across runs: the PostgreSQL benchmark
// store is kept between runs, and remembers the ids it has seen.
var benchRun = strconv.FormatInt(time.Now().UnixNano(), 36)

func signedList(b *testing.B, url_, responseURL string) *http.Request {
	n := benchSeq.Add(1)
	return slacktest.NewRequest(url_, secret, url.Values{"team_id": {"T1"}, "user_id": {"u0001"}, "user_name": {"p1"},
		"command": {"/getback"}, "text": {"list overdue"}, "channel_id": {"C1"}, "trigger_id": {fmt.Sprintf("bench.%s.%d", benchRun, n)},
		"response_url": {responseURL + strconv.FormatInt(n, 10)}})
}

// benchAcks sends signed /getback list requests from 8 clients and reports
// acknowledgements per second and their latency percentiles.
func benchAcks(b *testing.B, path string) { benchAcksWith(b, path, false, sqliteStore(b)) }

func benchAcksHeld(b *testing.B) { benchAcksWith(b, "/slack/commands", true, sqliteStore(b)) }

func benchAcksWith(b *testing.B, path string, hold bool, db benchStore) {
	srv, answers, a, responseURL := benchSlack(b, db)
	if hold {
		a.work.SetMax(1 << 30)
		release := a.work.Hold()
		b.Cleanup(func() { release(); a.Wait() })
	}
	client := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: 16}}
	var lat sqlitetest.Latencies
	var inline atomic.Int64 // answered in the acknowledgement itself (all workers busy)
	lats := make(chan time.Duration, 1<<20)
	b.SetParallelism(max(1, 8/runtime.GOMAXPROCS(0))) // 8 clients
	b.ResetTimer()
	start := time.Now()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			req := signedList(b, srv.URL+path, responseURL)
			t0 := time.Now()
			resp, err := client.Do(req)
			if err != nil {
				b.Fatal(err)
			}
			if n, _ := io.Copy(io.Discard, resp.Body); n > 0 {
				inline.Add(1)
			}
			resp.Body.Close()
			lats <- time.Since(t0)
			if resp.StatusCode != 200 {
				b.Fatalf("status %d", resp.StatusCode)
			}
		}
	})
	acked := time.Since(start)
	b.StopTimer()
	close(lats)
	for d := range lats {
		lat.Add(d)
	}
	lat.Report(b)
	b.ReportMetric(float64(b.N)/acked.Seconds(), "acks/s")
	if hold {
		return
	}
	a.Wait()
	done := time.Since(start)
	if path == "/slack/commands" {
		if got := answers.Load() + inline.Load(); got != int64(b.N) {
			b.Fatalf("%d answers for %d commands", got, b.N)
		}
		b.ReportMetric(float64(inline.Load())/float64(b.N), "inline-share")
		b.ReportMetric(float64(b.N)/done.Seconds(), "answered/s")
	}
}

// BenchmarkSlackListAck: signed /getback list through the real handler.
func BenchmarkSlackListAck(b *testing.B) { benchAcks(b, "/slack/commands") }

// BenchmarkSlackVerifyOnlyAck: the same requests through a handler that
// only checks the signature and answers 200.
func BenchmarkSlackVerifyOnlyAck(b *testing.B) { benchAcks(b, "/verify-only") }

// benchWorkers is the adapter's worker count in the benchmarks.
var benchWorkers = 0 // 0: the default

// BenchmarkSlackQueueOnlyAck measures the acknowledgement path alone: the
// workers are held, so every command is checked, parsed, de-duplicated and
// queued, and nothing runs. The ratio to BenchmarkSlackVerifyOnlyAck is
// the overhead the real handler adds before it answers Slack.
func BenchmarkSlackQueueOnlyAck(b *testing.B) { benchAcksHeld(b) }

// BenchmarkSlackListAckPostgres is BenchmarkSlackListAck on PostgreSQL.
func BenchmarkSlackListAckPostgres(b *testing.B) {
	benchAcksWith(b, "/slack/commands", false, postgresStore(b))
}

// BenchmarkSlackQueueOnlyAckPostgres is BenchmarkSlackQueueOnlyAck on
// PostgreSQL: the acknowledgement path, whose store work is recording the
// trigger id (FirstSeen).
func BenchmarkSlackQueueOnlyAckPostgres(b *testing.B) {
	benchAcksWith(b, "/slack/commands", true, postgresStore(b))
}
