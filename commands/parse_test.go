package commands

import (
	"errors"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/getbackhq/getback/bot"
)

var today = bot.Date{Year: 2026, Month: time.November, Day: 26} // Thursday

func ip(n int) *int                    { return &n }
func dp(d bot.Date) *bot.Date          { return &d }
func sp(s string) *string              { return &s }
func bp(b bool) *bool                  { return &b }
func date(m, d int) bot.Date           { return bot.Date{Year: 2026, Month: time.Month(m), Day: d} }
func wdp(w time.Weekday) *time.Weekday { return &w }

func TestParse(t *testing.T) {
	fri := date(11, 27)
	tests := []struct {
		name, cmd, text string
		want            Request
	}{
		{"help", "help", "", Help{}},
		{"help topic", "help", "/getback", Help{Command: "getback"}},
		{"bare command", "/meeting", "", Help{Command: "meeting"}},
		{"sub help", "/digest", "help", Help{Command: "digest"}},
		{"meeting add form", "/meeting", "add", MeetingAdd{Fields: map[string]string{}}},
		{"meeting add fields", "/meeting", `add state:Nevada date:2026-11-20 location:"Las Vegas" poc:@ana attendees:"SoS staff" discussion:"a \"quoted\" word" concerns:x followup:"GETBACK (1): x RD FORAC." awareness:a action:b next:"Dec 5" notes:n`,
			MeetingAdd{Fields: map[string]string{"state": "Nevada", "date": "2026-11-20", "location": "Las Vegas", "poc": "@ana",
				"attendees": "SoS staff", "discussion": `a "quoted" word`, "concerns": "x", "followup": "GETBACK (1): x RD FORAC.",
				"awareness": "a", "action": "b", "next": "Dec 5", "notes": "n"}}},
		{"meeting add aliases and curly quotes", "/meeting", "add territory:Guam where:“Hagåtña office” comments:ok",
			MeetingAdd{Fields: map[string]string{"state": "Guam", "location": "Hagåtña office", "notes": "ok"}}},
		{"meeting add user", "/meeting", "add state:NV poc:@ana.lopez", MeetingAdd{Fields: map[string]string{"state": "NV", "poc": "@ana.lopez"}}},
		{"meeting list", "/meeting", "list", MeetingList{}},
		{"meeting list filters", "/meeting", "list region:9 state:nv since:2026-11-01 until:friday mine page:2",
			MeetingList{Region: ip(9), State: "Nevada", Since: dp(date(11, 1)), Until: dp(fri), Mine: true, Page: 2}},
		{"meeting show", "/meeting", "show 42", MeetingShow{42}},
		{"meeting show hash", "/meeting", "show #42", MeetingShow{42}},
		{"meeting edit", "/meeting", "edit 42 notes:\"new\" date:Pending", MeetingEdit{ID: 42, Fields: map[string]string{"notes": "new", "date": "Pending"}}},
		{"meeting edit form", "/meeting", "edit 42", MeetingEdit{ID: 42, Fields: map[string]string{}}},
		{"meeting delete", "/meeting", "delete 42", MeetingDelete{42}},
		{"meeting search", "/meeting", `search "fusion center"`, MeetingSearch{Query: `"fusion center"`}},
		{"meeting search words", "/meeting", `search fusion center page:3`, MeetingSearch{Query: "fusion center", Page: 3}},
		{"meeting import", "/meeting", "import", MeetingImport{}},
		{"getback add", "/getback", `add @bob "send the list" due:friday meeting:42`, GetbackAdd{Owner: UserRef{Name: "bob"}, Text: "send the list", Due: fri, MeetingID: 42}},
		{"getback add unquoted", "/getback", `add @bob send the list`, GetbackAdd{Owner: UserRef{Name: "bob"}, Text: "send the list"}},
		{"getback add inline due", "/getback", `add @bob call the state EOC by Friday`, GetbackAdd{Owner: UserRef{Name: "bob"}, Text: "call the state EOC by Friday", Due: fri}},
		{"getback add inline due quoted", "/getback", `add @bob "send the list due 12/5"`, GetbackAdd{Owner: UserRef{Name: "bob"}, Text: "send the list due 12/5", Due: date(12, 5)}},
		{"getback add due: wins over inline", "/getback", `add @bob call by Friday due:monday`, GetbackAdd{Owner: UserRef{Name: "bob"}, Text: "call by Friday", Due: date(11, 30)}},
		{"getback add by without a date", "/getback", `add @bob stop by the office`, GetbackAdd{Owner: UserRef{Name: "bob"}, Text: "stop by the office"}},
		{"getback add label", "/getback", `add owner:ITF "confirm contact" due:"in 3 days"`, GetbackAdd{Label: "ITF", Text: "confirm contact", Due: date(11, 29)}},
		{"getback list", "/getback", "list", GetbackList{}},
		{"getback list mine", "/getback", "list mine", GetbackList{Mine: true}},
		{"getback list overdue", "/getback", "list overdue region:9 page:2", GetbackList{Overdue: true, Region: ip(9), Page: 2}},
		{"getback list user", "/getback", "list @ana done", GetbackList{User: &UserRef{Name: "ana"}, Status: bot.StatusDone}},
		{"getback list meeting", "/getback", "list meeting:42 all", GetbackList{MeetingID: 42, Status: "all"}},
		{"getback list label", "/getback", "list owner:ITF", GetbackList{Label: "ITF"}},
		{"getback show", "/getback", "show 7", GetbackShow{7}},
		{"getback done", "/getback", "done 7", GetbackClose{ID: 7, Status: bot.StatusDone}},
		{"getback done note", "/getback", `done 7 "sent it Tuesday"`, GetbackClose{ID: 7, Status: bot.StatusDone, Note: "sent it Tuesday"}},
		{"getback cancel", "/getback", "cancel 7 no longer needed", GetbackClose{ID: 7, Status: bot.StatusCancelled, Note: "no longer needed"}},
		{"getback reopen", "/getback", "reopen 7", GetbackReopen{7}},
		{"getback reassign", "/getback", "reassign 7 @cat", GetbackReassign{ID: 7, To: UserRef{Name: "cat"}}},
		{"getback due", "/getback", "due 7 monday", GetbackDue{ID: 7, Due: date(11, 30)}},
		{"getback due words", "/getback", "due 7 next week", GetbackDue{ID: 7, Due: date(11, 30)}},
		{"getback due none", "/getback", "due 7 none", GetbackDue{ID: 7}},
		{"getback snooze default", "/getback", "snooze 7", GetbackSnooze{ID: 7, Until: fri}},
		{"getback snooze until", "/getback", "snooze 7 until:monday", GetbackSnooze{ID: 7, Until: date(11, 30)}},
		{"getback snooze words", "/getback", "snooze 7 until next week", GetbackSnooze{ID: 7, Until: date(11, 30)}},
		{"getback remind show", "/getback", "remind", GetbackRemind{}},
		{"getback remind at", "/getback", "remind at:08:30", GetbackRemind{Hour: ip(8), Minute: ip(30)}},
		{"getback remind pm", "/getback", "remind at:5:15pm", GetbackRemind{Hour: ip(17), Minute: ip(15)}},
		{"getback remind off", "/getback", "remind off", GetbackRemind{On: bp(false)}},
		{"getback remind days", "/getback", "remind on days:mon,wed", GetbackRemind{On: bp(true), Days: func() *bot.WeekdaySet { s := bot.WeekdaySet(1<<1 | 1<<3); return &s }()}},
		{"getback owner list", "/getback", "owner", GetbackOwner{}},
		{"getback owner map", "/getback", "owner itf @bob", GetbackOwner{Label: "ITF", User: &UserRef{Name: "bob"}}},
		{"getback owner remove", "/getback", "owner ITF none", GetbackOwner{Label: "ITF", Remove: true}},
		{"digest preview", "/digest", "preview", DigestPreview{}},
		{"digest preview region week", "/digest", "preview region:9 week:2026-11-23", DigestPreview{Region: ip(9), Week: dp(date(11, 23))}},
		{"digest preview leadership", "/digest", "preview region:leadership", DigestPreview{Region: ip(0)}},
		{"digest post", "/digest", "post region:9", DigestPost{Region: 9}},
		{"digest config", "/digest", "config region:9 channel:#region-9 tz:Pacific/Honolulu day:monday hour:9 coverage:6",
			DigestConfig{Region: ip(9), Channel: &ChannelRef{Name: "region-9"}, TZ: sp("Pacific/Honolulu"), Day: wdp(time.Monday), Hour: ip(9), Coverage: ip(6)}},
		{"digest config channel", "/digest", "config region:3 channel:#region-3", DigestConfig{Region: ip(3), Channel: &ChannelRef{Name: "region-3"}}},
		{"digest config mattermost channel", "/digest", "config leadership channel:~leaders", DigestConfig{Region: ip(0), Channel: &ChannelRef{Name: "leaders"}}},
		{"digest config show", "/digest", "config", DigestConfig{}},
		{"digest states", "/digest", "states region:9", DigestStates{Region: ip(9)}},
		{"digest states move", "/digest", "states Guam region:10", DigestStates{State: "Guam", To: 10}},
		{"digest states move two words", "/digest", `states "American Samoa" region:10`, DigestStates{State: "American Samoa", To: 10}},
		{"command aliases", "getbacks", "list mine", GetbackList{Mine: true}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := Parse(tt.cmd, tt.text, today)
			if err != nil {
				t.Fatalf("Parse(%q, %q): %v", tt.cmd, tt.text, err)
			}
			if !reflect.DeepEqual(got, tt.want) {
				t.Errorf("Parse(%q, %q)\n got %#v\nwant %#v", tt.cmd, tt.text, got, tt.want)
			}
		})
	}
}

func TestParseErrors(t *testing.T) {
	tests := []struct {
		name, cmd, text string
		wantMsg         string // substring of the message
		wantUsage       string // substring of the usage line
	}{
		{"unknown field", "/meeting", "add dat:2026-11-20", "Unknown field 'dat' — did you mean 'date'?", "/meeting add"},
		{"unknown field no suggestion", "/meeting", "add zzzzzz:1", "Unknown field 'zzzzzz'", "/meeting add"},
		{"positional in add", "/meeting", "add Nevada", `Unexpected "Nevada"`, "/meeting add"},
		{"repeated field", "/meeting", "add state:NV state:OR", "given twice", ""},
		{"missing quote", "/meeting", `add notes:"open`, "closing quote", "/meeting add"},
		{"show without id", "/meeting", "show", "Which meeting?", "/meeting show 42"},
		{"show bad id", "/meeting", "show abc", `"abc" is not a meeting number`, ""},
		{"show extra", "/meeting", "show 4 5", `Unexpected "5"`, ""},
		{"list bad region", "/meeting", "list region:18", "region must be 1-10", ""},
		{"list bad state", "/meeting", "list state:Nevda", "did you mean Nevada?", ""},
		{"list bad date", "/meeting", "list since:someday", `since: "someday" is not a date`, ""},
		{"list unknown filter", "/meeting", "list color:red", `Unknown filter "color:red"`, ""},
		{"search nothing", "/meeting", "search", "What should I search for?", ""},
		{"add no owner", "/getback", `add "send it"`, "Who owes it?", "/getback add"},
		{"add no text", "/getback", "add @bob", "What is owed?", ""},
		{"add bad due", "/getback", "add @bob send due:whenever", `due: "whenever" is not a date`, ""},
		{"add unknown option", "/getback", "add @bob send color:red", `Unknown option "color:"`, ""},
		{"done no id", "/getback", "done", "Which getback?", "/getback done 7"},
		{"reassign no user", "/getback", "reassign 7", "Reassign to whom?", ""},
		{"reassign not a user", "/getback", "reassign 7 bob", `"bob" is not a user`, ""},
		{"due missing", "/getback", "due 7", "Due when?", ""},
		{"snooze past", "/getback", "snooze 7 until:yesterday", "Snooze until a day after today", ""},
		{"remind bad time", "/getback", "remind at:25:00", "is not a time of day", ""},
		{"remind bad option", "/getback", "remind loud", `Unknown option "loud"`, ""},
		{"owner without label", "/getback", "owner @bob", "Name the team label first", ""},
		{"owner no user", "/getback", "owner ITF", "Map ITF to whom?", ""},
		{"post no region", "/digest", "post", "Which region?", "/digest post"},
		{"config bad tz", "/digest", "config region:9 tz:Mars/Base", "unknown time zone", ""},
		{"config bad day", "/digest", "config region:9 day:someday", "is not a weekday", ""},
		{"config bad hour", "/digest", "config region:9 hour:24", "hour must be a number from 0 to 23", ""},
		{"config no region", "/digest", "config hour:9", "Which region?", ""},
		{"states no region", "/digest", "states Guam", "Move Guam to which region?", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			req, err := Parse(tt.cmd, tt.text, today)
			var pe *ParseError
			if !errors.As(err, &pe) {
				t.Fatalf("Parse(%q, %q) = %#v, %v; want a ParseError", tt.cmd, tt.text, req, err)
			}
			if !strings.Contains(pe.Message, tt.wantMsg) {
				t.Errorf("message %q does not contain %q", pe.Message, tt.wantMsg)
			}
			if !strings.Contains(pe.Usage, tt.wantUsage) {
				t.Errorf("usage %q does not contain %q", pe.Usage, tt.wantUsage)
			}
		})
	}
}

func TestParseUnknownSubcommandIsHelp(t *testing.T) {
	req, err := Parse("/getback", "lsit mine", today)
	if err != nil {
		t.Fatal(err)
	}
	h, ok := req.(Help)
	if !ok || h.Command != "getback" || !strings.Contains(h.Problem, "did you mean /getback list?") {
		t.Fatalf("got %#v", req)
	}
	req, _ = Parse("/meetnig", "add", today)
	if h := req.(Help); !strings.Contains(h.Problem, "did you mean /meeting?") {
		t.Fatalf("unknown command: %#v", h)
	}
}

func TestLex(t *testing.T) {
	toks, err := lex(`add key:"a b" plain "quoted word" <https://x.example|the plan> at:08:30 x:“curly” esc:"say \"hi\""`)
	if err != nil {
		t.Fatal(err)
	}
	want := []token{{Value: "add"}, {Key: "key", Value: "a b", Quoted: true}, {Value: "plain"}, {Value: "quoted word", Quoted: true},
		{Value: "<https://x.example|the plan>"}, {Key: "at", Value: "08:30"}, {Key: "x", Value: "curly", Quoted: true}, {Key: "esc", Value: `say "hi"`, Quoted: true}}
	if !reflect.DeepEqual(toks, want) {
		t.Fatalf("lex:\n got %#v\nwant %#v", toks, want)
	}
}

func FuzzParse(f *testing.F) {
	for _, s := range []string{`add state:Nevada date:"11/30/26" followup:"GETBACK (1): x RD FORAC."`, `list overdue region:9`,
		`add @bob "x" due:friday`, `config region:9 channel:#x tz:UTC`, `search "fusion`, `edit 42 notes:""`} {
		f.Add("/meeting", s)
		f.Add("/getback", s)
		f.Add("/digest", s)
	}
	f.Fuzz(func(t *testing.T, cmd, text string) {
		req, err := Parse(cmd, text, today)
		if err == nil && req == nil {
			t.Fatal("nil request without error")
		}
		var pe *ParseError
		if err != nil && (!errors.As(err, &pe) || pe.Message == "") {
			t.Fatalf("error without a message: %v", err)
		}
	})
}

func TestMutates(t *testing.T) {
	for _, tc := range []struct {
		cmd, text string
		want      bool
	}{
		{"/meeting", "add state:Nevada", true}, {"/meeting", "add", false}, {"/meeting", "list", false},
		{"/meeting", "edit 4 notes:x", true}, {"/meeting", "edit 4", false}, {"/meeting", "delete 4", true},
		{"/meeting", "search x", false}, {"/getback", "add @a x", true}, {"/getback", "done 3", true},
		{"/getback", "snooze 3", true}, {"/getback", "list mine", false}, {"/getback", "remind", false},
		{"/getback", "remind off", true}, {"/getback", "owner", false}, {"/getback", "owner ITF @b", true},
		{"/digest", "preview region:9", false}, {"/digest", "post region:9", true}, {"/digest", "config", false},
		{"/digest", "config region:9 hour:8", true}, {"/digest", "states", false}, {"/digest", "states Guam region:10", true},
		{"/meeting", "add stat:x", false}, {"help", "", false},
	} {
		if got := Mutates(tc.cmd, tc.text); got != tc.want {
			t.Errorf("Mutates(%s %s) = %v, want %v", tc.cmd, tc.text, got, tc.want)
		}
	}
}

func TestName(t *testing.T) {
	for _, tc := range []struct{ cmd, text, want string }{
		{"/getback", "list mine", "getback list"}, {"/getback", "done 7", "getback done"}, {"/meeting", "add state:Nevada", "meeting add"},
		{"/meeting", "", "help"}, {"/digest", "config region:9", "digest config"}, {"/meeting", "add stat:x", "meeting invalid"},
		{"/getback", "frobnicate", "help"}, {"/whatever", "x", "help"},
	} {
		if got := Name(tc.cmd, tc.text); got != tc.want {
			t.Errorf("Name(%s %s) = %q, want %q", tc.cmd, tc.text, got, tc.want)
		}
	}
}

func BenchmarkLex(b *testing.B) {
	text := `add state:Nevada date:2026-11-20 location:“Las Vegas” poc:@ana attendees:'O’Brien, SoS staff' ` +
		`discussion:"He said “hi” today; tabletop planning" followup:"GETBACK (1): send the list. RD FORAC." next:"Dec 5" notes:n`
	for b.Loop() {
		if _, err := lex(text); err != nil {
			b.Fatal(err)
		}
	}
}

func TestMapWordsTouchesOnlyValuesOutsideQuotes(t *testing.T) {
	up := func(v string) string { return "[" + strings.ToUpper(v) + "]" }
	for _, tc := range []struct{ text, want string }{
		{``, ``},
		{`add @bob  send`, `[ADD] [@BOB]  [SEND]`},
		{` list   mine `, ` [LIST]   [MINE] `},
		{`add poc:x notes:"keep <this>" due:‘fri’`, `[ADD] poc:[X] notes:"keep <this>" due:‘fri’`},
		{`say <a b> O'Brien`, `[SAY] [<A B>] [O'BRIEN]`},
		{`key: x`, `key: [X]`},
		{`add "open <@U1> x`, `[ADD] "open <@U1> x`},
	} {
		if got := MapWords(tc.text, up); got != tc.want {
			t.Errorf("MapWords(%q)\n got %q\nwant %q", tc.text, got, tc.want)
		}
	}
}

func TestEverySubcommandHelpListsHasAParserAndAUsage(t *testing.T) {
	for cmd, subs := range subcommands {
		if len(subs) != len(subcommandParsers[cmd]) {
			t.Errorf("/%s: help lists %d subcommands, %d parse", cmd, len(subs), len(subcommandParsers[cmd]))
		}
		for _, sub := range subs {
			if subcommandParsers[cmd][sub] == nil || usages[cmd+" "+sub] == "" {
				t.Errorf("/%s %s: parser or usage missing", cmd, sub)
			}
		}
	}
	if len(subcommandParsers) != len(subcommands) {
		t.Errorf("%d commands parse, help lists %d", len(subcommandParsers), len(subcommands))
	}
}
