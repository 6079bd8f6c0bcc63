package slack

import (
	"context"
	"encoding/json"
	"net/http"
	"strings"
	"testing"

	"github.com/getbackhq/getback/bot"
)

// Everyday input through Slack: smart quotes in a slash command, a new
// user's first command, and payloads with parts missing.

func TestSlashCommandWithSmartQuotes(t *testing.T) {
	e := newEnv(t)
	text := e.answerText("UANA", "/meeting", `add state:Nevada date:2026-11-20 location:“Las Vegas” discussion:"He said “hi” today" notes:‘don’t forget’`)
	if !strings.HasPrefix(text, "Logged meeting #1: Nevada, 2026-11-20") {
		t.Fatalf("answer: %q", text)
	}
	m, err := e.DB.FindMeetingByID(context.Background(), "slack:T1", 1)
	if err != nil {
		t.Fatal(err)
	}
	if m.Location != "Las Vegas" || m.Discussion != "He said “hi” today" || m.Notes != "don’t forget" {
		t.Fatalf("stored: location %q, discussion %q, notes %q", m.Location, m.Discussion, m.Notes)
	}
}

// TestFirstCommandShowsNames: a user getback has never seen logs a
// meeting; the answer names them, not their Slack id.
func TestFirstCommandShowsNames(t *testing.T) {
	e := newEnv(t)
	if _, err := e.DB.FindPerson(context.Background(), "slack:T1", "UBOB"); bot.ErrorCode(err) != bot.ENOTFOUND {
		t.Fatalf("Bob is known before his first command: %v", err)
	}
	ans := e.answer("UBOB", "/meeting", `add state:Guam followup:"GETBACK: check the badges."`)
	raw, _ := json.Marshal(ans)
	if !strings.Contains(string(raw), "DHS POC") || !strings.Contains(string(raw), "Owner: Bob") || strings.Contains(string(raw), "UBOB") {
		t.Fatalf("first answer shows the Slack id or no name: %s", raw)
	}
}

// TestPayloadsWithPartsMissing: signed clicks and submissions with a
// user, an item, an action or a state missing are answered (200, or 400
// when they are not payloads at all), nothing panics, nothing changes.
func TestPayloadsWithPartsMissing(t *testing.T) {
	e := newEnv(t)
	e.WatchPanics(t)
	e.answer("UANA", "/getback", `add <@UBOB|bob> "send the contact list"`)
	click := func(actionID, value, selected string) map[string]any {
		a := map[string]any{"type": "button", "action_id": actionID, "block_id": "b0|/getback list", "value": value}
		if selected != "" {
			a["type"], a["selected_user"] = "users_select", selected
		}
		return map[string]any{"type": "block_actions", "team": map[string]any{"id": "T1"}, "user": map[string]any{"id": "UANA"},
			"response_url": e.slack.URL + "/response/odd", "container": map[string]any{"type": "message", "is_ephemeral": true},
			"actions": []any{a}}
	}
	payloads := []struct {
		name    string
		payload map[string]any
		notice  string // what the clicker is told through response_url, "" for nothing
	}{
		{"reassign with nobody picked", click(bot.ActionReassign+"|1", "1", ""), "Pick someone"},
		{"reassign to someone Slack does not know", click(bot.ActionReassign+"|1", "1", "UNOBODY"), "I don't know"},
		{"an action id without a value", click(bot.ActionDone, "", ""), "damaged"},
		{"an action id with an empty value", click(bot.ActionDone+"|", "", ""), "damaged"},
		{"an unknown action", click("getback.explode|1", "1", ""), "Unknown action"},
		{"no actions", map[string]any{"type": "block_actions", "team": map[string]any{"id": "T1"}, "user": map[string]any{"id": "UANA"}, "actions": []any{}}, ""},
		{"no user", map[string]any{"type": "block_actions", "team": map[string]any{"id": "T1"}, "response_url": e.slack.URL + "/response/odd",
			"actions": []any{map[string]any{"type": "button", "action_id": bot.ActionDone + "|1", "block_id": "b0|", "value": "1"}}}, "did not say who"},
		{"a submission with no state", map[string]any{"type": "view_submission", "team": map[string]any{"id": "T1"}, "user": map[string]any{"id": "UANA"},
			"view": map[string]any{"callback_id": "meeting.add", "private_metadata": "meeting.edit:x\nC1"}}, ""},
		{"a submission of a damaged edit form", map[string]any{"type": "view_submission", "team": map[string]any{"id": "T1"}, "user": map[string]any{"id": "UANA"},
			"view": map[string]any{"callback_id": "meeting.add", "private_metadata": "meeting.edit:\n",
				"state": map[string]any{"values": map[string]any{"date": map[string]any{"date": map[string]any{"type": "datepicker", "selected_date": "13/11/2026"}}}}}}, ""},
	}
	for _, p := range payloads {
		t.Run(p.name, func(t *testing.T) {
			before := len(e.slack.Calls("response/odd"))
			resp, body := e.interact(p.payload)
			if resp.StatusCode != http.StatusOK {
				t.Fatalf("%d %q", resp.StatusCode, body)
			}
			if p.notice == "" {
				return
			}
			calls := e.waitFor("response/odd", before+1)
			if got, _ := calls[len(calls)-1].JSON["text"].(string); !strings.Contains(got, p.notice) {
				t.Fatalf("told %q, want %q", got, p.notice)
			}
		})
	}
	for _, body := range []string{"payload=null", "payload=%7B%7D", "payload=%5B%5D", "payload="} {
		if resp, out := e.post("/slack/interactivity", body, nil); resp.StatusCode != http.StatusOK && resp.StatusCode != http.StatusBadRequest {
			t.Errorf("%s: %d %q", body, resp.StatusCode, out)
		}
	}
	e.a.Wait()
	g, _ := e.DB.FindGetbackByID(context.Background(), "slack:T1", 1)
	if g.Owner != "UBOB" || !g.IsOpen() {
		t.Fatalf("odd payloads changed the item: %+v", g)
	}
}
