package slack

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"testing"

	"github.com/getbackhq/getback/adapters/slack/slacktest"
)

// TestABurstOfReadsIsAcknowledgedAndEachAnsweredOnce: many signed
// /getback list commands at once, more than the queue holds. Each is
// acknowledged with 200 — empty when its command was queued, with the
// answer when the queue was full and it ran in the request — and each
// queued one is answered exactly once through its own response_url.
func TestABurstOfReadsIsAcknowledgedAndEachAnsweredOnce(t *testing.T) {
	e := newEnv(t)
	for _, text := range []string{`add <@UBOB|bob> "send the agenda"`, `add <@UANA|ana> "call the clerk"`} {
		if got := e.answerText("UANA", "/getback", text); !strings.HasPrefix(got, "Added getback #") {
			t.Fatalf("%s: %s", text, got)
		}
	}
	e.a.work.SetMax(8)
	const n = 120
	inline := make([]bool, n)
	var wg sync.WaitGroup
	var mu sync.Mutex
	var failures []string
	for i := range n {
		wg.Go(func() {
			id := fmt.Sprintf("burst-%d", i)
			req := slacktest.NewRequest(e.srv.URL+"/slack/commands", secret, url.Values{"team_id": {"T1"}, "user_id": {"UANA"},
				"user_name": {"ana"}, "command": {"/getback"}, "text": {"list"}, "channel_id": {"CGEN"},
				"trigger_id": {"t." + id}, "response_url": {e.slack.ResponseURL(id)}})
			resp, err := http.DefaultClient.Do(req)
			if err != nil {
				mu.Lock()
				failures = append(failures, err.Error())
				mu.Unlock()
				return
			}
			body, _ := io.ReadAll(resp.Body)
			resp.Body.Close()
			if resp.StatusCode != http.StatusOK {
				mu.Lock()
				failures = append(failures, fmt.Sprintf("%s: %d %s", id, resp.StatusCode, body))
				mu.Unlock()
				return
			}
			if len(body) > 0 {
				if !strings.Contains(string(body), "send the agenda") {
					mu.Lock()
					failures = append(failures, fmt.Sprintf("%s: inline answer %s", id, body))
					mu.Unlock()
				}
				inline[i] = true
			}
		})
	}
	wg.Wait()
	if len(failures) > 0 {
		t.Fatalf("%d requests failed: %v", len(failures), failures)
	}
	e.a.Wait()
	posts := e.slack.CountEach("response/burst-")
	queued := 0
	for i := range n {
		got := posts[fmt.Sprintf("response/burst-%d", i)]
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
	for _, c := range e.slack.Calls("") {
		if strings.HasPrefix(c.Method, "response/burst-") {
			if raw, _ := json.Marshal(c.JSON); !strings.Contains(string(raw), "send the agenda") {
				t.Fatalf("answer to %s: %v", c.Method, c.JSON)
			}
		}
	}
}
