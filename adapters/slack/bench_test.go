package slack

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strconv"
	"sync/atomic"
	"testing"
	"time"

	"github.com/getbackhq/getback/adapters/internal/adaptertest"
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

// benchSlack returns a server with the real Slack handlers over db, a
// verify-only handler next to them, and a counter of answers posted to
// response_url.
func benchSlack(b *testing.B, db benchStore) (srv *httptest.Server, answers *atomic.Int64, a *Adapter, responseURL string) {
	api, answers := adaptertest.BenchAPI(b, "/response/", `{"ok":true,"user":{"id":"u0001","name":"p1","tz":"America/New_York","profile":{}}}`)
	a = New(Config{BotToken: "xoxb", SigningSecret: secret, APIURL: api + "/api/", Log: adaptertest.Quiet, Workers: benchWorkers}, db)
	a.SetCommands(&commands.Runner{Store: db, Users: a, Now: time.Now, Reporter: &bot.Reporter{Store: db}, Outbox: db, Log: adaptertest.Quiet})
	mux := http.NewServeMux()
	a.Register(mux)
	mux.HandleFunc("POST /verify-only", func(w http.ResponseWriter, r *http.Request) {
		if _, ok := a.verified(w, r); ok {
			w.WriteHeader(http.StatusOK)
		}
	})
	srv = httptest.NewServer(mux)
	b.Cleanup(srv.Close)
	return srv, answers, a, api + "/response/"
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
		adaptertest.HoldQueue(b, a.work, a.Wait)
	}
	inline, start := adaptertest.Acks{Request: func() *http.Request { return signedList(b, srv.URL+path, responseURL) },
		Empty: func(body []byte) bool { return len(body) == 0 }}.Run(b)
	if hold || path != "/slack/commands" {
		return
	}
	a.Wait()
	adaptertest.CheckAnswers(b, answers, inline, start)
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
