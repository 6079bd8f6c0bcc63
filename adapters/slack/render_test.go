package slack

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/getbackhq/getback/adapters/internal/adaptertest"
	"github.com/getbackhq/getback/bot"
)

func sampleReply() bot.Reply {
	return bot.Reply{
		Text: "You owe 2 open getbacks, 1 overdue (listed first).",
		View: "/getback list mine",
		Blocks: []bot.Block{
			{Heading: "Overdue (1)"},
			{Text: "#7 · send the contact list <!channel> *now* <https://evil.example|click>",
				Note: "Owner: RD (Ana) · due Fri 2026-11-20 (6 days overdue) · Nevada, 2026-11-18 (meeting #42)",
				Buttons: []bot.Button{
					{Action: bot.ActionDone, Label: "Done", Value: "7", Style: "primary"},
					{Action: bot.ActionSnoozeDay, Label: "Snooze 1 day", Value: "7"},
					{Action: bot.ActionSnoozeWeek, Label: "Snooze 1 week", Value: "7"},
					{Action: bot.ActionReassign, Label: "Reassign", Value: "7", UserSelect: true},
				}},
			{Fields: []bot.Field{{Label: "Region", Value: "9"}, {Label: "State", Value: "Nevada & <Guam>"}}},
			{Note: "Showing 1–20 of 57.", Buttons: []bot.Button{{Action: bot.ActionPage, Label: "Next page", Value: "/getback list mine page:2"}}},
		},
	}
}

func TestRenderGolden(t *testing.T) {
	adaptertest.Golden(t, "reply.golden.json", message(sampleReply()))
	f := &bot.Form{ID: "meeting.edit:42", Title: "Edit meeting #42", Submit: "Save", Fields: []bot.FormField{
		{Key: "state", Label: "State", Kind: bot.FieldSelect, Value: "Guam", Options: []bot.Option{{Label: "Guam", Value: "Guam"}, {Label: "Nevada", Value: "Nevada"}}},
		{Key: "date", Label: "Meeting Date", Kind: bot.FieldDate, Value: "2026-11-20", Optional: true},
		{Key: "next", Label: "Next", Kind: bot.FieldDate, Value: "Pending", Optional: true},
		{Key: "poc", Label: "DHS POC", Kind: bot.FieldUser, Value: "UBOB", Optional: true, Hint: "Empty means you."},
		{Key: "discussion", Label: "Key Discussion Points", Kind: bot.FieldTextarea, Value: "talked", Optional: true, MaxLength: 3000},
	}}
	adaptertest.Golden(t, "modal.golden.json", modal(f, "C1"))
}

func TestRenderEscapesAndKeepsUserTextPlain(t *testing.T) {
	raw, _ := json.Marshal(message(sampleReply()))
	// Walk every text object: mrkdwn ones may hold no raw < or > (no
	// mention, link or channel can be smuggled in); user text is plain_text.
	var walk func(v any)
	sawPlain := false
	walk = func(v any) {
		switch x := v.(type) {
		case map[string]any:
			if typ, _ := x["type"].(string); typ == "mrkdwn" {
				if text := x["text"].(string); strings.ContainsAny(text, "<>") {
					t.Errorf("raw markup in mrkdwn: %q", text)
				}
			} else if typ == "plain_text" && strings.Contains(x["text"].(string), "<!channel>") {
				sawPlain = true
			}
			for _, c := range x {
				walk(c)
			}
		case []any:
			for _, c := range x {
				walk(c)
			}
		}
	}
	var doc any
	json.Unmarshal(raw, &doc)
	walk(doc)
	if !sawPlain {
		t.Fatal("user text must be plain_text, shown literally")
	}
	if !strings.Contains(string(raw), "Nevada \\u0026amp; \\u0026lt;Guam\\u0026gt;") {
		t.Fatalf("mrkdwn fields must be escaped: %s", raw)
	}
	action, value := parseActionID(actionID(bot.Button{Action: bot.ActionReassign, Value: "7"}))
	if action != bot.ActionReassign || value != "7" || viewOf(blockID(3, "/getback list mine")) != "/getback list mine" {
		t.Fatal("action and view round trip")
	}
}
