package slack

import (
	"encoding/json"
	"net/http"
	"net/url"
	"testing"
)

// FuzzSignedRequests sends correctly signed bodies of any shape to each
// Slack endpoint, through the real handlers over a real store: whatever
// the content, getback answers 200 or 400 (never a 5xx or a panic), and a
// 200 with a body is JSON.
func FuzzSignedRequests(f *testing.F) {
	cmd := url.Values{"team_id": {"T1"}, "user_id": {"UANA"}, "command": {"/getback"}, "text": {"list mine"},
		"trigger_id": {"t"}, "response_url": {"http://127.0.0.1:1/r"}}.Encode()
	click := `{"type":"block_actions","team":{"id":"T1"},"user":{"id":"UANA"},"trigger_id":"x","response_url":"http://127.0.0.1:1/r",` +
		`"container":{"type":"message","is_ephemeral":true},"actions":[{"type":"button","action_id":"getback.done|1","block_id":"b0|/getback list","value":"1"}]}`
	submit := `{"type":"view_submission","team":{"id":"T1"},"user":{"id":"UANA"},"view":{"callback_id":"meeting.add","private_metadata":"C1",` +
		`"state":{"values":{"state":{"state":{"type":"plain_text_input","value":"Nevada"}}}}}}`
	f.Add(uint8(0), cmd)
	f.Add(uint8(0), "team_id=T1&user_id=UANA&command=%2Fmeeting&text=add+state%3A%22Nev")
	f.Add(uint8(1), url.Values{"payload": {click}}.Encode())
	f.Add(uint8(1), url.Values{"payload": {submit}}.Encode())
	f.Add(uint8(1), "payload=%7B%22type%22%3A%22block_actions%22%2C%22actions%22%3Anull%7D")
	f.Add(uint8(2), `{"type":"url_verification","challenge":"abc"}`)
	f.Add(uint8(2), `{"type":"event_callback","team_id":"T1","event_id":"E1","event":{"type":"app_mention","user":"UANA","text":"<@UBOT> list","channel":"C1"}}`)
	f.Add(uint8(2), `{"type":"event_callback","event":{"type":"user_change","user":{"id":"UANA","tz":"Mars/Base"}}}`)
	e := newEnv(f)
	paths := []string{"/slack/commands", "/slack/interactivity", "/slack/events"}
	f.Fuzz(func(t *testing.T, which uint8, body string) {
		e.t = t
		resp, out := e.post(paths[int(which)%len(paths)], body, nil)
		if resp.StatusCode != http.StatusOK && resp.StatusCode != http.StatusBadRequest {
			t.Fatalf("%s %q: status %d %q", paths[int(which)%len(paths)], body, resp.StatusCode, out)
		}
		if resp.StatusCode == http.StatusOK && out != "" && out != "\n" && !json.Valid([]byte(out)) && resp.Header.Get("Content-Type") != "text/plain" {
			t.Fatalf("%q: a 200 answer that is not JSON: %q", body, out)
		}
	})
}
