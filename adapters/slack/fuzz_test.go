package slack

import (
	"encoding/json"
	"net/http"
	"net/url"
	"strings"
	"testing"

	slackgo "github.com/slack-go/slack"
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

// FuzzParseSlashCommand: the adapter's one-pass decoding of a slash
// command reads every body as slack-go's SlashCommandParse (over
// http.Request.ParseForm) does — the same fields, or an error for the
// same bodies.
func FuzzParseSlashCommand(f *testing.F) {
	for _, tc := range slashCommandBodies {
		f.Add(tc.body)
	}
	f.Fuzz(func(t *testing.T, body string) {
		checkSlashCommandParse(t, body)
	})
}

// slashCommandBodies are bodies of every shape the decoding must agree
// on, by what they show.
var slashCommandBodies = []struct{ name, body string }{
	{"a command as Slack sends it", url.Values{"team_id": {"T1"}, "user_id": {"UANA"}, "command": {"/getback"},
		"text": {`add <@UBOB|bob> "send it" due:friday`}, "trigger_id": {"1.2.abc"},
		"response_url": {"https://hooks.slack.com/commands/T1/1/x"}, "channel_name": {"région-9"}}.Encode()},
	{"the first of two values counts", "team_id=T1&team_id=T2&user_id=U1"},
	{"even when it is empty", "team_id=&team_id=T2"},
	{"plus and percent escapes", "text=a+b%20c%2Bd&command=%2Fmeeting"},
	{"a bad escape", "text=%zz"},
	{"a bad escape in a field not read", "token=%zz&text=x"},
	{"a semicolon separator", "team_id=T1;user_id=U1"},
	{"empty pairs, keys and values", "&&=&text&=x&user_id=U1&"},
	{"an escaped key", "te%78t=escaped+key&enterprise_id=E1"},
	{"fields getback does not read", "is_enterprise_install=true&api_app_id=A1&token=t"},
	{"an interactivity payload", "payload=%7B%7D"},
	{"nothing", ""},
}

func checkSlashCommandParse(t *testing.T, body string) {
	t.Helper()
	got, err := parseSlashCommand([]byte(body))
	req, _ := http.NewRequest(http.MethodPost, "/", strings.NewReader(body))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	want, wantErr := slackgo.SlashCommandParse(req)
	if (err != nil) != (wantErr != nil) {
		t.Fatalf("%q: error %v, slack-go %v", body, err, wantErr)
	}
	if err != nil {
		return
	}
	// getback reads neither the deprecated verification token nor these.
	want.Token, want.EnterpriseName, want.IsEnterpriseInstall = "", "", false
	if got != want {
		t.Fatalf("%q:\n got %+v\nwant %+v", body, got, want)
	}
}

func TestSlashCommandsAreDecodedAsSlackGoDoes(t *testing.T) {
	for _, tc := range slashCommandBodies {
		t.Run(tc.name, func(t *testing.T) { checkSlashCommandParse(t, tc.body) })
	}
}
