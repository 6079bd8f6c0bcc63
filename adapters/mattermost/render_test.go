package mattermost

import (
	"strings"
	"testing"

	"github.com/getbackhq/getback/adapters/internal/adaptertest"
	"github.com/getbackhq/getback/bot"
)

func TestRenderGolden(t *testing.T) {
	a := New(Config{URL: "http://mm.test", BotToken: "bottoken", PublicURL: "http://getback.test/"})
	r := bot.Reply{Text: "You owe 2 open getbacks, 1 overdue (listed first).", View: "/getback list mine",
		Blocks: []bot.Block{
			{Heading: "Overdue (1)"},
			{Text: "#7 · send the list to @channel **now** [click](http://evil.example)\n- not a list\n# not a heading",
				Note: "Owner: RD (Ana) · due Fri 2026-11-20 (6 days overdue)",
				Buttons: []bot.Button{{Action: bot.ActionDone, Label: "Done", Value: "7", Style: "primary"},
					{Action: bot.ActionReassign, Label: "Reassign", Value: "7", UserSelect: true}}},
			{Fields: []bot.Field{{Label: "Region", Value: "9"}, {Label: "State", Value: "Nevada_and_Guam"}}},
			{Note: "Showing 1–20 of 57.", Buttons: []bot.Button{{Action: bot.ActionPage, Label: "Next page", Value: "/getback list mine page:2"}}},
		}}
	cr := a.commandResponse("mattermost:team1", r)
	// Signatures hold a random nonce: blank them for the golden file, after
	// checking they verify.
	for _, att := range cr.Attachments {
		for _, act := range att.Actions {
			c := act.Integration.Context
			if !a.sign.ok(c["sig"].(string), "action", c["ws"].(string), c["action"].(string), c["value"].(string), c["view"].(string), c["eph"].(string), c["nonce"].(string)) {
				t.Fatalf("action %s does not verify", act.Id)
			}
			c["sig"], c["nonce"] = "SIG", "NONCE"
		}
	}
	adaptertest.Golden(t, "command_response.golden.json", cr)
	for _, att := range cr.Attachments {
		for _, act := range att.Actions {
			if err := act.IsValid(); err != nil {
				t.Fatal(err)
			}
		}
	}
	if strings.Contains(cr.Text+cr.Attachments[0].Text, "@channel") {
		t.Fatal("a mention got through")
	}
}
