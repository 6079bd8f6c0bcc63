package slack

import (
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/getbackhq/getback/adapters/internal/adaptertest"
	"github.com/gorilla/websocket"
)

// TestSocketModeRoundTrip connects the adapter to a fake Socket Mode
// endpoint (apps.connections.open on the fake API, then a websocket), sends
// a slash command and a modal submission, and checks the acknowledgements
// carry the same answers as the HTTP endpoints.
func TestSocketModeRoundTrip(t *testing.T) {
	e := newEnv(t)
	acks := make(chan map[string]any, 4)
	// Slack's client sends Origin: https://api.slack.com; the fake accepts it.
	upgrader := websocket.Upgrader{CheckOrigin: func(*http.Request) bool { return true }}
	ws := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		conn, err := upgrader.Upgrade(w, r, nil)
		if err != nil {
			return
		}
		defer conn.Close()
		conn.WriteJSON(map[string]any{"type": "hello", "num_connections": 1})
		conn.WriteJSON(map[string]any{"type": "slash_commands", "envelope_id": "env-1", "accepts_response_payload": true,
			"payload": map[string]any{"token": "x", "team_id": "T1", "user_id": "UANA", "user_name": "ana", "command": "/meeting",
				"text": "add state:Nevada date:2026-11-20", "trigger_id": "sock-1", "channel_id": "CGEN",
				"response_url": e.slack.URL + "/response/sock"}})
		conn.WriteJSON(map[string]any{"type": "interactive", "envelope_id": "env-2", "accepts_response_payload": true,
			"payload": map[string]any{"type": "view_submission", "team": map[string]any{"id": "T1"}, "user": map[string]any{"id": "UANA"},
				"trigger_id": "sock-2", "view": map[string]any{"callback_id": formCallback, "private_metadata": "meeting.add\nCGEN",
					"state": map[string]any{"values": map[string]any{}}}}})
		for {
			var msg map[string]any
			if err := conn.ReadJSON(&msg); err != nil {
				return
			}
			acks <- msg
		}
	}))
	defer ws.Close()
	e.slack.SetSocketURL("ws" + strings.TrimPrefix(ws.URL, "http") + "/link")
	e.a = New(Config{BotToken: "xoxb-test", AppToken: "xapp-1-test", APIURL: e.slack.URL + "/api/", Log: adaptertest.Quiet}, e.DB)
	r := e.NewRunner(adaptertest.Quiet)
	r.Users = e.a
	e.a.SetCommands(r)

	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- e.a.RunSocketMode(ctx) }()
	got := map[string]map[string]any{}
	timeout := time.After(10 * time.Second)
	for len(got) < 2 {
		select {
		case m := <-acks:
			got[m["envelope_id"].(string)] = m
		case <-timeout:
			t.Fatalf("acks received: %v; api calls %+v", got, e.slack.Calls(""))
		}
	}
	cancel()
	select {
	case <-done:
	case <-time.After(5 * time.Second):
		t.Fatal("socket mode did not stop")
	}
	e.a.Wait()
	// A write is answered in its acknowledgement, after the commit.
	raw, _ := json.Marshal(got["env-1"]["payload"])
	if !strings.Contains(string(raw), "Logged meeting #1: Nevada, 2026-11-20 (Region 9).") || !strings.Contains(string(raw), `"response_type":"ephemeral"`) {
		t.Fatalf("slash command ack: %s", raw)
	}
	raw, _ = json.Marshal(got["env-2"]["payload"])
	if !strings.Contains(string(raw), `"response_action":"errors"`) || !strings.Contains(string(raw), `"state"`) {
		t.Fatalf("view submission ack: %s", raw)
	}
	if opens := e.slack.Calls("apps.connections.open"); len(opens) == 0 {
		t.Fatal("apps.connections.open was not called")
	}
	if n := e.Meetings("slack:T1"); n != 1 {
		t.Fatalf("%d meetings", n)
	}
}
