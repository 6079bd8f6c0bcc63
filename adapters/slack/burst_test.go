package slack

import (
	"encoding/json"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/getbackhq/getback/adapters/internal/adaptertest"
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
	burst := adaptertest.Burst{N: 120, Want: "send the agenda",
		Request: func(id string) *http.Request {
			return slacktest.NewRequest(e.Server.URL+"/slack/commands", secret, url.Values{"team_id": {"T1"}, "user_id": {"UANA"},
				"user_name": {"ana"}, "command": {"/getback"}, "text": {"list"}, "channel_id": {"CGEN"},
				"trigger_id": {"t." + id}, "response_url": {e.slack.ResponseURL(id)}})
		},
		Empty: func(body []byte) bool { return len(body) == 0 }}
	inline := burst.Send(t)
	e.a.Wait()
	posts := e.slack.CountEach("response/burst-")
	burst.CheckAnsweredOnce(t, inline, func(id string) int { return posts["response/"+id] })
	for _, c := range e.slack.Calls("") {
		if strings.HasPrefix(c.Method, "response/burst-") {
			if raw, _ := json.Marshal(c.JSON); !strings.Contains(string(raw), "send the agenda") {
				t.Fatalf("answer to %s: %v", c.Method, c.JSON)
			}
		}
	}
}
