package slack

import (
	"reflect"
	"testing"

	"github.com/getbackhq/getback/commands"
)

func TestNeutralCallResolvesSlackEscapes(t *testing.T) {
	for _, tc := range []struct {
		name, text, want   string
		mentions, channels map[string]string
	}{
		{name: "plain text is left alone", text: `list mine`, want: `list mine`},
		{name: "named user", text: `add <@U9|bob> send the list`, want: `add @bob send the list`,
			mentions: map[string]string{"bob": "U9"}},
		{name: "named user as a key's value", text: `add state:NV poc:<@U123|ana>`, want: `add state:NV poc:@ana`,
			mentions: map[string]string{"ana": "U123"}},
		{name: "named user inside quoted text", text: `add followup:"GETBACK (1): send it. <@UBOB|bob> FORAC."`,
			want: `add followup:"GETBACK (1): send it. @bob FORAC."`, mentions: map[string]string{"bob": "UBOB"}},
		{name: "user with no name", text: `reassign 4 <@W42>`, want: `reassign 4 @W42`,
			mentions: map[string]string{"W42": "W42"}},
		{name: "user with no name as a key's value", text: `add owner:<@U7> x`, want: `add owner:@U7 x`,
			mentions: map[string]string{"U7": "U7"}},
		{name: "user with no name inside quotes is kept", text: `add @bob "ping <@UADM> now"`, want: `add @bob "ping <@UADM> now"`},
		{name: "a name that would not read back is read by id", text: `add <@U5|a"b> x`, want: `add @U5 x`,
			mentions: map[string]string{"U5": "U5"}},
		{name: "dotted handle", text: `list <@U3|ana.lopez>`, want: `list @ana.lopez`, mentions: map[string]string{"ana.lopez": "U3"}},
		{name: "named channel", text: `config region:3 channel:<#C123|region-3>`, want: `config region:3 channel:#region-3`,
			channels: map[string]string{"region-3": "C123"}},
		{name: "channel with no name", text: `config region:3 channel:<#C123>`, want: `config region:3 channel:#C123`,
			channels: map[string]string{"C123": "C123"}},
		{name: "broadcasts and links are not users", text: `add @bob "<!channel> <https://x.example|see>" <!here>`,
			want: `add @bob "<!channel> <https://x.example|see>" <!here>`},
		{name: "an unclosed quote keeps the rest", text: `add <@U1|ana> "open <@U2>`, want: `add @ana "open <@U2>`,
			mentions: map[string]string{"ana": "U1"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got := neutralCall(commands.Call{Workspace: "slack:T1", Command: "/getback", Text: tc.text})
			if got.Text != tc.want {
				t.Errorf("text\n got %q\nwant %q", got.Text, tc.want)
			}
			if len(got.Mentions) > 0 || len(tc.mentions) > 0 {
				if !reflect.DeepEqual(got.Mentions, tc.mentions) {
					t.Errorf("mentions = %v, want %v", got.Mentions, tc.mentions)
				}
			}
			if len(got.Channels) > 0 || len(tc.channels) > 0 {
				if !reflect.DeepEqual(got.Channels, tc.channels) {
					t.Errorf("channels = %v, want %v", got.Channels, tc.channels)
				}
			}
			if got.Workspace != "slack:T1" || got.Command != "/getback" {
				t.Errorf("the rest of the call changed: %+v", got)
			}
		})
	}
}

func TestNeutralCallKeepsMentionsAlreadyGiven(t *testing.T) {
	got := neutralCall(commands.Call{Text: "add <@U9|bob> x", Mentions: map[string]string{"ana": "U1"}})
	if want := map[string]string{"ana": "U1", "bob": "U9"}; !reflect.DeepEqual(got.Mentions, want) {
		t.Fatalf("mentions = %v, want %v", got.Mentions, want)
	}
}
