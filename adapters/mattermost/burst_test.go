package mattermost

import (
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/getbackhq/getback/adapters/internal/adaptertest"
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
	burst := adaptertest.Burst{N: 120, Want: "send the agenda",
		Request: func(id string) *http.Request {
			return mattermosttest.NewCommandRequest(e.Server.URL+"/mattermost/commands", url.Values{"token": {token},
				"team_id": {"team1"}, "channel_id": {"chan1"}, "user_id": {"anaid"}, "user_name": {"ana"},
				"command": {"/getback"}, "text": {"list"}, "trigger_id": {"t" + id}, "response_url": {e.mm.ResponseURL(id)}})
		},
		Empty: acked}
	inline := burst.Send(t)
	e.a.Wait()
	posts := e.mm.CountEach("/hooks/commands/burst-")
	burst.CheckAnsweredOnce(t, inline, func(id string) int { return posts["/hooks/commands/"+id] })
	for _, c := range e.mm.Calls(http.MethodPost, "/hooks/commands/burst-") {
		if !strings.Contains(string(c.Body), "send the agenda") {
			t.Fatalf("answer to %s: %s", c.Path, c.Body)
		}
	}
}
