package mattermost

import (
	"encoding/json"
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/mattermost/mattermost/server/public/model"

	"github.com/getbackhq/getback/adapters/mattermost/mattermosttest"
)

// FuzzRequests sends bodies of any shape to each Mattermost endpoint
// (commands with a valid token), through the real handlers over a real
// store: getback answers 200, 400 or 401 — never a 5xx or a panic — and a
// 200 is JSON.
func FuzzRequests(f *testing.F) {
	f.Add(uint8(0), url.Values{"token": {token}, "team_id": {"team1"}, "user_id": {"anaid"}, "command": {"/getback"},
		"text": {"list mine"}, "response_url": {"http://127.0.0.1:1/r"}}.Encode())
	f.Add(uint8(0), "token="+token+"&team_id=team1&user_id=anaid&command=%2Fmeeting&text=add+notes%3A%22x&user_mentions=a,b&user_mentions_ids=c")
	f.Add(uint8(1), `{"user_id":"anaid","context":{"ws":"mattermost:team1","action":"getback.done","value":"1","nonce":"n","sig":"x"}}`)
	f.Add(uint8(1), `{"user_id":"anaid","context":{"ws":7,"value":[1]}}`)
	f.Add(uint8(2), `{"user_id":"anaid","callback_id":"meeting.add","state":"meeting.add\nc\nanaid\n9999999999\nsig","submission":{"state":"Nevada"}}`)
	f.Add(uint8(2), `{"user_id":"anaid","submission":{"date":{"nested":true}},"cancelled":true}`)
	e := newEnv(f)
	f.Fuzz(func(t *testing.T, which uint8, body string) {
		e.t = t
		var code int
		var out string
		switch which % 3 {
		case 0:
			form, _ := url.ParseQuery(body)
			if form == nil {
				form = url.Values{}
			}
			form.Set("token", token)
			resp, err := http.DefaultClient.Do(mattermosttest.NewCommandRequest(e.Server.URL+"/mattermost/commands", form))
			if err != nil {
				t.Fatal(err)
			}
			b, _ := io.ReadAll(resp.Body)
			resp.Body.Close()
			code, out = resp.StatusCode, string(b)
		case 1:
			code, out = e.postRaw("/mattermost/actions", body)
		default:
			code, out = e.postRaw("/mattermost/dialogs", body)
		}
		switch code {
		case http.StatusOK:
			if !json.Valid([]byte(out)) {
				t.Fatalf("%q: a 200 answer that is not JSON: %q", body, out)
			}
		case http.StatusBadRequest, http.StatusUnauthorized:
		default:
			t.Fatalf("%d %q for %q", code, out, body)
		}
	})
}

// FuzzDialogState checks that a dialog state is accepted only as signed:
// for the user it was made for, before it expires, unaltered.
func FuzzDialogState(f *testing.F) {
	s := newSigner("secret")
	now := time.Unix(1_800_000_000, 0)
	good := s.dialogState("meeting.edit:4", "chan1", "anaid", now.Add(time.Hour))
	f.Add(good, "anaid")
	f.Add(good, "bobid")
	f.Add(strings.Replace(good, "edit:4", "edit:5", 1), "anaid")
	f.Add("a\nb\nc\nd\ne", "c")
	f.Add("\n\n\n\n", "")
	f.Fuzz(func(t *testing.T, state, user string) {
		form, channel, ok := s.checkDialogState(state, user, now)
		if !ok {
			return
		}
		parts := strings.Split(state, "\n")
		if parts[2] != user || form != parts[0] || channel != parts[1] {
			t.Fatalf("accepted %q for %q as %q %q", state, user, form, channel)
		}
		// Only the signer can have made it: re-signing gives the same state.
		if again := strings.Join(parts[:4], "\n") + "\n" + s.mac("dialog", parts[0], parts[1], parts[2], parts[3]); again != state {
			t.Fatalf("accepted a state the signer did not make: %q", state)
		}
	})
}

// FuzzSignedActions sends button clicks whose context getback itself
// signed, with any action, value and view: whatever they hold, the answer
// is a well-formed action response, never a 5xx.
func FuzzSignedActions(f *testing.F) {
	f.Add("getback.done", "1", "reminder")
	f.Add("getback.page", "/meeting list page:2", "")
	f.Add("getback.reassign", "x", "/getback list mine")
	f.Add("", "", "")
	f.Add("getback.snooze1d", "99999999999999999999", "/digest post region:9")
	e := newEnv(f)
	f.Fuzz(func(t *testing.T, action, value, view string) {
		e.t = t
		// Contexts travel as JSON, which holds only valid UTF-8.
		action, value, view = strings.ToValidUTF8(action, "?"), strings.ToValidUTF8(value, "?"), strings.ToValidUTF8(view, "?")
		n := nonce()
		ctx := map[string]any{"ws": "mattermost:team1", "action": action, "value": value, "view": view, "nonce": n,
			"sig": e.a.sign.mac("action", "mattermost:team1", action, value, view, "", n)}
		code, out := e.postJSON("/mattermost/actions", model.PostActionIntegrationRequest{UserId: "anaid", ChannelId: "c", Context: ctx})
		var resp model.PostActionIntegrationResponse
		if code != http.StatusOK || json.Unmarshal([]byte(out), &resp) != nil {
			t.Fatalf("%q %q %q: %d %q", action, value, view, code, out)
		}
	})
}
