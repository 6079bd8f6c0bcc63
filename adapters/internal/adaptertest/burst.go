package adaptertest

import (
	"fmt"
	"io"
	"net/http"
	"strings"
	"sync"
	"testing"
)

// Burst is many slash commands sent at once, more than an adapter's queue
// holds. Each must be acknowledged with 200: empty when its command was
// queued, with its answer when the queue was full and it ran in the
// request.
type Burst struct {
	// N is how many commands are sent.
	N int
	// Request returns the command with id "burst-<i>", whose answers
	// through response_url are recorded under that id.
	Request func(id string) *http.Request
	// Empty reports whether an acknowledgement's body is the empty one
	// (the command was queued).
	Empty func(body []byte) bool
	// Want is text every answer holds.
	Want string
}

// Send sends the burst and returns, for each command, whether it was
// answered in its acknowledgement. It fails t when a request fails, is not
// answered 200, or is answered with neither the empty acknowledgement nor
// an answer holding Want.
func (b Burst) Send(t testing.TB) (inline []bool) {
	t.Helper()
	inline = make([]bool, b.N)
	var wg sync.WaitGroup
	var mu sync.Mutex
	var failures []string
	fail := func(s string) { mu.Lock(); failures = append(failures, s); mu.Unlock() }
	for i := range b.N {
		wg.Go(func() {
			id := fmt.Sprintf("burst-%d", i)
			resp, err := http.DefaultClient.Do(b.Request(id))
			if err != nil {
				fail(err.Error())
				return
			}
			body, _ := io.ReadAll(resp.Body)
			resp.Body.Close()
			switch {
			case resp.StatusCode != http.StatusOK:
				fail(fmt.Sprintf("%s: %d %s", id, resp.StatusCode, body))
			case b.Empty(body):
			case strings.Contains(string(body), b.Want):
				inline[i] = true
			default:
				fail(fmt.Sprintf("%s: inline answer %s", id, body))
			}
		})
	}
	wg.Wait()
	if len(failures) > 0 {
		t.Fatalf("%d requests failed: %v", len(failures), failures)
	}
	return inline
}

// CheckAnsweredOnce fails t unless each command the burst queued was
// answered exactly once through its response_url, each answered in its
// acknowledgement was not answered again, and at least one was queued.
// answers returns how many answers the response_url of id got.
func (b Burst) CheckAnsweredOnce(t testing.TB, inline []bool, answers func(id string) int) {
	t.Helper()
	queued := 0
	for i := range b.N {
		got := answers(fmt.Sprintf("burst-%d", i))
		switch {
		case inline[i] && got != 0:
			t.Errorf("command %d was answered in its acknowledgement and again through response_url", i)
		case !inline[i] && got != 1:
			t.Errorf("command %d was queued and answered %d times through response_url", i, got)
		}
		if !inline[i] {
			queued++
		}
	}
	if queued == 0 {
		t.Fatal("no command was queued")
	}
}
