package commands_test

import (
	"strings"
	"testing"
)

// overviewLines are the one-line descriptions every help answer starts with.
var overviewLines = []string{
	"/meeting — Log and find meetings",
	"/getback — Track GETBACK items",
	"/digest — Weekly regional digests",
}

func TestEveryHelpListsAllThreeCommandsOneLineEach(t *testing.T) {
	e := newEnv(t)
	for _, tc := range []struct {
		name, command, text string
		usage, notUsage     string // a usage line the answer shows, and one it does not
	}{
		{"help alone", "help", "", "/digest config", ""},
		{"help with a topic", "help", "getback", "/getback snooze", "/meeting add state"},
		{"/getback help", "/getback", "help", "/getback snooze", "/digest config"},
		{"/meeting help", "/meeting", "help", "/meeting search", "/getback snooze"},
		{"/digest help", "/digest", "help", "/digest config", "/meeting search"},
		{"a bare command", "/digest", "", "/digest preview", "/getback add"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := e.ok("UANA", tc.command, tc.text)
			if len(r.Blocks) < 2 {
				t.Fatalf("blocks: %+v", r.Blocks)
			}
			lines := strings.Split(r.Blocks[0].Text, "\n")
			if len(lines) != len(overviewLines) {
				t.Fatalf("overview has %d lines, want one per command: %q", len(lines), r.Blocks[0].Text)
			}
			for i, want := range overviewLines {
				if !strings.HasPrefix(lines[i], want) {
					t.Errorf("overview line %d: %q, want %q…", i, lines[i], want)
				}
			}
			text := r.PlainText()
			if !strings.Contains(text, tc.usage) {
				t.Errorf("lacks %q:\n%s", tc.usage, text)
			}
			if tc.notUsage != "" && strings.Contains(text, tc.notUsage) {
				t.Errorf("shows another command's usage %q:\n%s", tc.notUsage, text)
			}
		})
	}
}

func TestUnknownSubcommandHelpLeadsWithTheProblem(t *testing.T) {
	e := newEnv(t)
	r := e.run("UANA", "/getback", "lsit")
	if !r.Error || !strings.Contains(r.Text, "did you mean /getback list?") || !strings.HasPrefix(r.Blocks[0].Text, overviewLines[0]) {
		t.Fatalf("unknown subcommand: %s", r.PlainText())
	}
}

// tildeRoster is a directory whose platform writes channels ~name, as
// Mattermost does.
type tildeRoster struct{ roster }

func (tildeRoster) ChannelSigil() string { return "~" }

func TestChannelsAreNamedThePlatformsWay(t *testing.T) {
	for _, tc := range []struct {
		name       string
		mattermost bool
		sigil      string
		absent     string
	}{
		{"Slack and the console", false, "#", "~region"},
		{"Mattermost", true, "~", "#region"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			e := newEnv(t)
			if tc.mattermost {
				e.runner.Users = tildeRoster{users}
			}
			var texts []string
			texts = append(texts, e.fails("UADM", "/digest", "post region:9", "has no digest channel").Text)
			texts = append(texts, e.ok("UADM", "/digest", "help").PlainText())
			texts = append(texts, e.fails("UADM", "/digest", "config region:9 channel:~nowhere", "can't find channel").Text)
			texts = append(texts, e.run("UADM", "/digest", "config region:99").PlainText())
			saved := e.ok("UADM", "/digest", "config region:9 channel:~region-9 tz:UTC").Text
			texts = append(texts, saved)
			if !strings.Contains(saved, "Region 9: "+tc.sigil+"region-9,") {
				t.Errorf("saved: %q", saved)
			}
			texts = append(texts, e.ok("UADM", "/digest", "post region:9").Text)
			for i, s := range texts {
				if !strings.Contains(s, tc.sigil+"region-") && !strings.Contains(s, tc.sigil+"nowhere") {
					t.Errorf("answer %d names no channel with %q: %q", i, tc.sigil, s)
				}
				if strings.Contains(s, tc.absent) {
					t.Errorf("answer %d names a channel %q: %q", i, tc.absent, s)
				}
			}
		})
	}
}

func TestADirectMessageIsAnsweredWithHelp(t *testing.T) {
	e := newEnv(t)
	for _, tc := range []struct{ text, lead string }{
		{"help", "getback — meetings"},
		{" Help? ", "getback — meetings"},
		{"/help", "getback — meetings"},
		{"done 7", "I answer commands, not messages"},
	} {
		r := e.runner.DirectMessage(tc.text)
		if !strings.HasPrefix(r.Text, tc.lead) || r.Error || !strings.HasPrefix(r.Blocks[0].Text, overviewLines[0]) ||
			!strings.Contains(r.PlainText(), "/digest config") {
			t.Errorf("%q: %s", tc.text, r.PlainText())
		}
	}
}
