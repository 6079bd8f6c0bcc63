package mattermost

import (
	"context"
	"encoding/json"
	"net/http"
	"strings"
	"testing"

	"github.com/mattermost/mattermost/server/public/model"

	"github.com/getbackhq/getback/bot"
)

// Everyday input through Mattermost: a new user's first command, smart
// quotes, and signed clicks with parts missing.

// TestFirstCommandFromAnUnknownUserShowsTheirName: the reply to a user's
// first /meeting add names them as DHS POC and owner, as Mattermost
// knows them, not by their platform id (seen on a real 11.2 server).
func TestFirstCommandFromAnUnknownUserShowsTheirName(t *testing.T) {
	e := newEnv(t)
	if _, err := e.DB.FindPerson(context.Background(), "mattermost:team1", "anaid"); bot.ErrorCode(err) != bot.ENOTFOUND {
		t.Fatalf("ana is known before her first command: %v", err)
	}
	cr := e.answer("anaid", "/meeting", `add state:Nevada date:2026-11-20 followup:"GETBACK: call the clerk."`, nil)
	raw, _ := json.Marshal(cr)
	if !strings.Contains(string(raw), "**DHS POC:** Ana Lopez") || !strings.Contains(string(raw), "Owner: Ana Lopez") || strings.Contains(string(raw), "anaid") {
		t.Fatalf("first answer shows the platform id or no name: %s", raw)
	}
	p, err := e.DB.FindPerson(context.Background(), "mattermost:team1", "anaid")
	if err != nil || p.Name != "Ana Lopez" {
		t.Fatalf("person after the first command: %+v %v", p, err)
	}
}

func TestSlashCommandWithSmartQuotesMattermost(t *testing.T) {
	e := newEnv(t)
	cr := e.answer("anaid", "/meeting", `add state:Nevada date:2026-11-20 location:“Las Vegas” discussion:"He said “hi” today" attendees:'O’Brien, Diaz'`, nil)
	if !strings.HasPrefix(cr.Text, "Logged meeting #1: Nevada, 2026-11-20") {
		t.Fatalf("answer: %q", cr.Text)
	}
	m, err := e.DB.FindMeetingByID(context.Background(), "mattermost:team1", 1)
	if err != nil || m.Location != "Las Vegas" || m.Discussion != "He said “hi” today" || m.Attendees != "O’Brien, Diaz" {
		t.Fatalf("stored: %+v %v", m, err)
	}
}

// TestSignedClicksWithPartsMissing: buttons getback signed, clicked with
// no user picked, no item, or an unknown action, are answered in the
// action response; nothing panics and nothing changes.
func TestSignedClicksWithPartsMissing(t *testing.T) {
	e := newEnv(t)
	e.WatchPanics(t)
	e.answer("anaid", "/getback", `add @bob "send the contact list"`, url1("bob", "bobid"))
	click := func(action, value, view, selected string) (int, model.PostActionIntegrationResponse) {
		n := nonce()
		ctx := map[string]any{"ws": "mattermost:team1", "action": action, "value": value, "view": view, "nonce": n,
			"sig": e.a.sign.mac("action", "mattermost:team1", action, value, view, "", n)}
		if selected != "-" {
			ctx["selected_option"] = selected
		}
		code, body := e.postJSON("/mattermost/actions", model.PostActionIntegrationRequest{UserId: "anaid", ChannelId: "chan1", Context: ctx})
		var resp model.PostActionIntegrationResponse
		json.Unmarshal([]byte(body), &resp)
		return code, resp
	}
	tests := []struct {
		name                          string
		action, value, view, selected string
		want                          string
	}{
		{"reassign with nobody picked", bot.ActionReassign, "1", "/getback list", "-", "Pick someone"},
		{"reassign with an empty pick", bot.ActionReassign, "1", "/getback list", "", "Pick someone"},
		{"reassign to someone unknown", bot.ActionReassign, "1", "", "nobodyid", "I don't know"},
		{"done without an item", bot.ActionDone, "", "", "-", "damaged"},
		{"an unknown action", "getback.explode", "1", "", "-", "Unknown action"},
		{"a page without a command", bot.ActionPage, "", "", "-", ""},
		{"a view that is not a command", bot.ActionSnoozeDay, "7", "not a view", "-", "No getback #7"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			code, resp := click(tt.action, tt.value, tt.view, tt.selected)
			if code != http.StatusOK || !strings.Contains(resp.EphemeralText, tt.want) {
				t.Fatalf("%d %+v, want a notice containing %q", code, resp, tt.want)
			}
		})
	}
	g, _ := e.DB.FindGetbackByID(context.Background(), "mattermost:team1", 1)
	if g.Owner != "bobid" || !g.IsOpen() {
		t.Fatalf("refused clicks changed the item: %+v", g)
	}
}

func url1(name, id string) map[string][]string {
	return map[string][]string{"user_mentions": {name}, "user_mentions_ids": {id}}
}
