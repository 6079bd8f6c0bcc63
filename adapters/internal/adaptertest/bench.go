package adaptertest

import (
	"io"
	"net/http"
	"net/http/httptest"
	"runtime"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/getbackhq/getback/adapters/inbound"
	"github.com/getbackhq/getback/storage/sqlite/sqlitetest"
)

// BenchAPI starts a chat API stand-in for benchmarks: it counts the posts
// to paths starting with answerPath (the response_urls) and answers every
// other call with user, a JSON body. It returns its address and the count.
func BenchAPI(b *testing.B, answerPath, user string) (url string, answered *atomic.Int64) {
	answered = &atomic.Int64{}
	fake := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		io.Copy(io.Discard, r.Body)
		if strings.HasPrefix(r.URL.Path, answerPath) {
			answered.Add(1)
			return
		}
		w.Header().Set("Content-Type", "application/json")
		io.WriteString(w, user)
	}))
	b.Cleanup(fake.Close)
	return fake.URL, answered
}

// HoldQueue keeps the adapter's queued commands from running until the
// benchmark ends (then waits for them), and lets any number wait: the
// acknowledgement path is measured alone.
func HoldQueue(b *testing.B, q *inbound.Queue, wait func()) {
	q.SetMax(1 << 30)
	release := q.Hold()
	b.Cleanup(func() { release(); wait() })
}

// Acks is an acknowledgement benchmark: slash commands sent from 8
// clients, each timed until its acknowledgement.
type Acks struct {
	// Request returns the next command to send.
	Request func() *http.Request
	// Empty reports whether an acknowledgement's body is the empty one
	// (the command was queued, not answered in the request).
	Empty func(body []byte) bool
}

// Run sends b.N commands and reports acknowledgements per second and
// their latency percentiles. It returns how many were answered in their
// acknowledgement, and when sending began.
func (a Acks) Run(b *testing.B) (inline int64, start time.Time) {
	client := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: 16}}
	var answeredInline atomic.Int64
	lats := make(chan time.Duration, 1<<20)
	b.SetParallelism(max(1, 8/runtime.GOMAXPROCS(0))) // 8 clients
	b.ResetTimer()
	start = time.Now()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			req := a.Request()
			t0 := time.Now()
			resp, err := client.Do(req)
			if err != nil {
				b.Fatal(err)
			}
			body, _ := io.ReadAll(resp.Body)
			resp.Body.Close()
			lats <- time.Since(t0)
			if resp.StatusCode != http.StatusOK {
				b.Fatalf("status %d", resp.StatusCode)
			}
			if !a.Empty(body) {
				answeredInline.Add(1)
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
	return answeredInline.Load(), start
}

// CheckAnswers, once the adapter's work is done, fails b unless each of
// the b.N commands was answered once, in its acknowledgement (inline) or
// through its response_url (answered), and reports the share answered
// inline and the answers per second since start.
func CheckAnswers(b *testing.B, answered *atomic.Int64, inline int64, start time.Time) {
	done := time.Since(start)
	if got := answered.Load() + inline; got != int64(b.N) {
		b.Fatalf("%d answers for %d commands", got, b.N)
	}
	b.ReportMetric(float64(inline)/float64(b.N), "inline-share")
	b.ReportMetric(float64(b.N)/done.Seconds(), "answered/s")
}
