package mattermost

import (
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"testing"

	"github.com/getbackhq/getback/adapters/mattermost/mattermosttest"
)

// TestABurstOfReadsIsAcknowledgedAndEachAnsweredOnce: many /getback list
// commands at once, more than the queue holds. Each is acknowledged with
// 200 — {} when its command was queued, the answer when the queue was full
// and it ran in the request — and each queued one is answered exactly once
// through its own response_url.
func TestABurstOfReadsIsAcknowledgedAndEachAnsweredOnce(t *testing.T) {
	e := newEnv(t)
	for _, text := range []string{`add @bob "send the agenda"`, `add @ana "call the clerk"`} {
		if got := e.answer("anaid", "/getback", text, nil).Text; !strings.HasPrefix(got, "Added getback #") {
			t.Fatalf("%s: %s", text, got)
		}
	}
	e.a.work.SetMax(8)
	const n = 120
	inline := make([]bool, n)
	var wg sync.WaitGroup
	var mu sync.Mutex
	var failures []string
	fail := func(s string) { mu.Lock(); failures = append(failures, s); mu.Unlock() }
	for i := range n {
		wg.Go(func() {
			id := fmt.Sprintf("burst-%d", i)
			req := mattermosttest.NewCommandRequest(e.srv.URL+"/mattermost/commands", url.Values{"token": {token},
				"team_id": {"team1"}, "channel_id": {"chan1"}, "user_id": {"anaid"}, "user_name": {"ana"},
				"command": {"/getback"}, "text": {"list"}, "trigger_id": {"t" + id}, "response_url": {e.mm.ResponseURL(id)}})
			resp, err := http.DefaultClient.Do(req)
			if err != nil {
				fail(err.Error())
				return
			}
			body, _ := io.ReadAll(resp.Body)
			resp.Body.Close()
			switch {
			case resp.StatusCode != http.StatusOK:
				fail(fmt.Sprintf("%s: %d %s", id, resp.StatusCode, body))
			case strings.TrimSpace(string(body)) == "{}":
			case strings.Contains(string(body), "send the agenda"):
				inline[i] = true
			default:
				fail(fmt.Sprintf("%s: answer %s", id, body))
			}
		})
	}
	wg.Wait()
	if len(failures) > 0 {
		t.Fatalf("%d requests failed: %v", len(failures), failures)
	}
	e.a.Wait()
	posts := e.mm.CountEach("/hooks/commands/burst-")
	queued := 0
	for i := range n {
		got := posts[fmt.Sprintf("/hooks/commands/burst-%d", i)]
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
	for _, c := range e.mm.Calls(http.MethodPost, "/hooks/commands/burst-") {
		if !strings.Contains(string(c.Body), "send the agenda") {
			t.Fatalf("answer to %s: %s", c.Path, c.Body)
		}
	}
}
