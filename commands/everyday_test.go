package commands_test

import (
	"bytes"
	"context"
	"log/slog"
	"strings"
	"testing"
	"time"

	"github.com/getbackhq/getback/bot"
	"github.com/getbackhq/getback/commands"
)

// Everyday input, as a new user types it: typed buttons with parts
// missing, smart quotes, lower-case GETBACKs, weekday deadlines, a first
// command. One test per class, through the command language.

// watchPanics makes the runner log into a buffer and fails the test at
// its end if anything panicked (the runner answers a panic with an
// internal error, so only its log tells).
func watchPanics(t *testing.T, e *env) {
	t.Helper()
	var buf bytes.Buffer
	e.runner.Log = slog.New(slog.NewTextHandler(&buf, nil))
	t.Cleanup(func() {
		if strings.Contains(buf.String(), "panicked") {
			t.Errorf("a command panicked:\n%s", buf.String())
		}
	})
}

// TestNoInputPanics sends clicks and commands with parts missing, damaged
// or absurd: each gets an answer (an error where it must), none panics,
// and a refused one changes nothing.
func TestNoInputPanics(t *testing.T) {
	e := newEnv(t)
	watchPanics(t, e)
	e.ok("UANA", "/getback", `add @bob "send the list"`)
	ctx := context.Background()
	clicks := []struct {
		name              string
		action, value     string
		selected, view    string
		wantNoticeContain string
	}{
		{"reassign with nobody picked", bot.ActionReassign, "1", "", "", "Pick someone"},
		{"reassign to an unknown id", bot.ActionReassign, "1", "UNOBODY", "", "I don't know"},
		{"done without an item", bot.ActionDone, "", "", "", "damaged"},
		{"done on a huge number", bot.ActionDone, "99999999999999999999999", "", "", "damaged"},
		{"done on a negative number", bot.ActionDone, "-1", "", "", "No getback #-1"},
		{"an action nobody knows", "getback.explode", "1", "", "", "Unknown action"},
		{"no action at all", "", "1", "", "", "Unknown action"},
		{"a page with no command", bot.ActionPage, "", "", "", ""},
		{"a page with a broken command", bot.ActionPage, `/getback list owner:"`, "", "", "closing quote"},
		{"a view that is not a command", bot.ActionSnoozeDay, "999", "", "/", "No getback #999"},
	}
	for _, c := range clicks {
		t.Run(c.name, func(t *testing.T) {
			res := e.runner.Act(ctx, commands.Action{Call: e.call("UBOB", "", ""), Name: c.action, Value: c.value, Selected: c.selected, View: c.view})
			if !strings.Contains(res.Notice, c.wantNoticeContain) || (c.wantNoticeContain != "" && !res.Error) {
				t.Errorf("notice %q (error=%v), want an error containing %q", res.Notice, res.Error, c.wantNoticeContain)
			}
		})
	}
	lines := []struct{ command, text string }{
		{"", ""}, {"/", ""}, {"/getback", "reassign"}, {"/getback", "reassign 1"}, {"/getback", "reassign 1 @"},
		{"/getback", "reassign # @bob"}, {"/getback", "done #"}, {"/getback", "snooze 1 until:"}, {"/getback", "due 1 \x00"},
		{"/meeting", `add state:"`}, {"/meeting", "add :"}, {"/meeting", "add state:Nevada followup:GETBACK"},
		{"/meeting", `add state:Nevada followup:"GETBACK ( ): FORAC FORAC. getback: / FORAC"`}, {"/getback", "owner / @bob"},
		{"/digest", "config region:9 day: hour:"}, {"/getback", "list owner:"}, {"/meeting", "edit 1 date:13/45/2026"},
	}
	for _, l := range lines {
		r := e.run("UADM", l.command, l.text)
		if r.Text == "" && len(r.Blocks) == 0 {
			t.Errorf("%s %q: an empty answer", l.command, l.text)
		}
	}
	g, _ := e.db.FindGetbackByID(ctx, ws, 1)
	if g.Owner != "UBOB" || !g.IsOpen() {
		t.Fatalf("refused clicks changed the item: %+v", g)
	}
	before, _, _ := e.counts()
	forms := []commands.Submission{
		{Call: e.call("UANA", "", ""), FormID: "meeting.edit:"},
		{Call: e.call("UANA", "", ""), FormID: "meeting.edit:x"},
		{Call: e.call("UANA", "", ""), FormID: "no-such-form", Values: map[string]string{"state": "Nevada"}},
		{Call: e.call("UANA", "", ""), FormID: commands.FormMeetingAdd, Values: map[string]string{"poc": "<@", "date": "13/11/2026"}},
	}
	for _, f := range forms {
		if _, err := e.runner.Submit(ctx, f); err == nil {
			t.Errorf("form %q %v accepted", f.FormID, f.Values)
		}
	}
	if m, _, _ := e.counts(); m != before {
		t.Fatalf("refused forms stored %d meetings", m-before)
	}
}

// FuzzRunAndAct runs any command text and any click through the runner:
// no input panics (its seeds run in make test).
func FuzzRunAndAct(f *testing.F) {
	for _, s := range []string{"/getback reassign 1", "/meeting add state:“Nevada", "/getback due 1 13/11/2026",
		"/getback add owner:'itf' ‘x’ due:'Oct 11'", "/meeting add state:NV followup:'getback (2): x. itf/rd forac by friday.'",
		"Reassign 9", "/digest preview week:", "/getback snooze 1 until until"} {
		f.Add(s, uint8(0), "1")
	}
	f.Add("", uint8(1), "")
	f.Add("", uint8(2), "/getback list page:0")
	f.Fuzz(func(t *testing.T, line string, which uint8, value string) {
		e := newEnv(t)
		watchPanics(t, e)
		cmd, text := commands.SplitCommand(line)
		if r := e.run("UANA", cmd, text); r.Text == "" && len(r.Blocks) == 0 && r.Form == nil {
			t.Fatalf("%q: an empty answer", line)
		}
		actions := []string{bot.ActionDone, bot.ActionReassign, bot.ActionPage, bot.ActionSnoozeWeek}
		e.runner.Act(context.Background(), commands.Action{Call: e.call("UANA", "", ""), Name: actions[int(which)%len(actions)],
			Value: value, Selected: text, View: line})
	})
}

// TestSmartAndSingleQuotes: curly and single quotes delimit values like
// straight ones; quotes of any kind inside a quoted value, and
// apostrophes inside words, are text.
func TestSmartAndSingleQuotes(t *testing.T) {
	tests := []struct {
		name, text string
		field      string // meeting field to check
		want       string
	}{
		{"curly quotes inside straight ones", `discussion:"He said “hi” today"`, "discussion", "He said “hi” today"},
		{"curly quotes around a value", `location:“Las Vegas”`, "location", "Las Vegas"},
		{"right quotes on both sides, as typed after a colon", `location:”Las Vegas”`, "location", "Las Vegas"},
		{"low-high German quotes", `location:„Las Vegas“`, "location", "Las Vegas"},
		{"straight quotes inside curly ones", `discussion:“He said "hi" today”`, "discussion", `He said "hi" today`},
		{"nested curly quotes", `discussion:“He said “hi” today”`, "discussion", "He said “hi” today"},
		{"one curly and one straight quote", `location:“Las Vegas"`, "location", "Las Vegas"},
		{"single quotes", `location:'Las Vegas'`, "location", "Las Vegas"},
		{"single quotes around an apostrophe", `notes:'Ana's list'`, "notes", "Ana's list"},
		{"curly single quotes around a curly apostrophe", `notes:‘don’t forget’`, "notes", "don’t forget"},
		{"apostrophe inside an unquoted word", `attendees:O'Brien`, "attendees", "O'Brien"},
		{"curly apostrophe inside an unquoted word", `notes:don’t`, "notes", "don’t"},
		{"an apostrophe that opens nothing", `notes:'90s`, "notes", "'90s"},
		{"double quotes inside single ones", `notes:'the "fusion" center'`, "notes", `the "fusion" center`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := newEnv(t)
			e.ok("UANA", "/meeting", "add state:Nevada date:2026-11-20 "+tt.text)
			m, err := e.db.FindMeetingByID(context.Background(), ws, 1)
			if err != nil {
				t.Fatal(err)
			}
			if got := m.Text(tt.field); got != tt.want {
				t.Errorf("%s = %q, want %q", tt.field, got, tt.want)
			}
		})
	}
	e := newEnv(t)
	r := e.ok("UANA", "/getback", `add @bob ‘send the county’s list’ due:“next week”`)
	if r.Text != "Added getback #1 for Bob Chen, due Mon 2026-11-30." {
		t.Fatalf("getback add with curly quotes: %q", r.Text)
	}
	if g, _ := e.db.FindGetbackByID(context.Background(), ws, 1); g.Text != "send the county’s list" {
		t.Fatalf("text: %q", g.Text)
	}
	e.ok("UANA", "/meeting", `add state:Nevada discussion:"fusion center tour"`)
	if r := e.ok("UANA", "/meeting", "search “fusion center”"); !strings.Contains(r.Text, "1 meeting mentions") {
		t.Fatalf("search with curly quotes: %s", r.PlainText())
	}
	e.fails("UANA", "/meeting", "add state:Nevada notes:“never closed", "Missing closing quote (”)")
	e.fails("UANA", "/meeting", `add state:Nevada notes:"never closed`, `Missing closing quote (")`)
	if m, _, _ := e.counts(); m != 1 {
		t.Fatalf("unclosed quotes stored a meeting: %d", m)
	}
}

// TestGetbackExtractionEveryday: GETBACK markers and owners in any case,
// several owners, inline due dates, and items with no owner written.
func TestGetbackExtractionEveryday(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	// Thursday 2026-11-26; the meeting was on Monday the 23rd.
	r := e.ok("UANA", "/meeting", `add state:Nevada date:2026-11-23 followup:"Met the clerk. getback (2): call back the county. itf forac. `+
		`GETBACK (3): brief the SoS by Friday. ITF/RD FORAC. Getback: send the MOU, due 12/5. Itf FORAC. GETBACK: check the badge list."`)
	txt := r.PlainText()
	for _, want := range []string{"Created 5 getbacks", "GETBACK (2) #1: call back the county", "Owner: ITF",
		"GETBACK (3) #2: brief the SoS by Friday", "GETBACK (4) #3: brief the SoS by Friday", "Owner: RD, due Fri 2026-11-27",
		"GETBACK (5) #4: send the MOU, due 12/5", "due Sat 2026-12-05",
		"GETBACK (6) #5: check the badge list", "Owner: Ana Lopez — no owner was written, so it went to you; hand it on with /getback reassign 5 @name"} {
		if !strings.Contains(txt, want) {
			t.Errorf("reply lacks %q:\n%s", want, txt)
		}
	}
	want := map[int64]struct {
		owner, kind string
		due         bot.Date
	}{
		1: {"ITF", bot.OwnerLabel, bot.Date{}},
		2: {"ITF", bot.OwnerLabel, bot.Date{Year: 2026, Month: 11, Day: 27}},
		3: {"RD", bot.OwnerLabel, bot.Date{Year: 2026, Month: 11, Day: 27}},
		4: {"ITF", bot.OwnerLabel, bot.Date{Year: 2026, Month: 12, Day: 5}},
		5: {"UANA", bot.OwnerUser, bot.Date{}},
	}
	for id, w := range want {
		g, err := e.db.FindGetbackByID(ctx, ws, id)
		if err != nil || g.Owner != w.owner || g.OwnerKind != w.kind || g.Due != w.due {
			t.Errorf("#%d: %+v %v, want owner %s (%s) due %s", id, g, err, w.owner, w.kind, w.due)
		}
	}
	// Labels are one label whatever their case, wherever they are typed.
	r = e.ok("UADM", "/getback", "owner itf @bob")
	if r.Text != "ITF's items now go to Bob Chen (3 open)." {
		t.Fatalf("mapping a lower-case label: %q", r.Text)
	}
	if r := e.ok("UBOB", "/getback", "list mine"); r.Text != "You owe 3 open getbacks." {
		t.Fatalf("mapped label in mine: %q", r.Text)
	}
	if r := e.ok("UANA", "/getback", "list owner:Itf"); r.Text != "ITF owes 3 open getbacks." {
		t.Fatalf("list by a mixed-case label: %q", r.Text)
	}
	e.ok("UANA", "/getback", `add owner:rd "call the CIO"`)
	if g, _ := e.db.FindGetbackByID(ctx, ws, 6); g.Owner != "RD" || g.OwnerKind != bot.OwnerLabel {
		t.Fatalf("owner:rd stored as %+v", g)
	}
	// Editing the follow-up adds only what is new.
	r = e.ok("UANA", "/meeting", `edit 1 followup:"getback (2): call back the county. itf forac. GETBACK (3): brief the SoS by Friday. ITF/RD/CS FORAC."`)
	if !strings.Contains(r.PlainText(), "Created 1 getback") || !strings.Contains(r.PlainText(), "Owner: CS, due Fri 2026-11-27") {
		t.Fatalf("edit: %s", r.PlainText())
	}
	// Prose that mentions getbacks creates nothing.
	r = e.ok("UANA", "/meeting", `add state:Nevada followup:"Reviewed the getback list; no new getbacks."`)
	if strings.Contains(r.PlainText(), "Created") {
		t.Fatalf("prose made items: %s", r.PlainText())
	}
}

// TestDueAndSnoozeDatesReadForward: on a Monday, "monday" as a due or
// snooze date is next week's; "Oct 11" is the next one to come; day-first
// dates are explained; a meeting date keeps the nearest reading.
func TestDueAndSnoozeDatesReadForward(t *testing.T) {
	e := newEnv(t)
	e.now = time.Date(2026, 11, 23, 17, 0, 0, 0, time.UTC) // Monday, 09:00 in Los Angeles
	e.ok("UANA", "/getback", `add @bob "send the list"`)
	tests := []struct {
		name, text, want string
	}{
		{"due on today's weekday is a week away", "due 1 monday", "#1 is now due Monday 2026-11-30."},
		{"due on a later weekday", "due 1 wed", "#1 is now due Wednesday 2026-11-25."},
		{"due on a date without a year, already past this year", "due 1 Oct 11", "#1 is now due Monday 2027-10-11."},
		{"due on a date without a year, still to come", "due 1 Dec 5", "#1 is now due Saturday 2026-12-05."},
		{"due on a day-month date", "due 1 11-Oct", "#1 is now due Monday 2027-10-11."},
		{"due today", "due 1 today", "#1 is now due Monday 2026-11-23."},
		{"snooze until today's weekday", "snooze 1 until:monday", "Snoozed #1 until Monday 2026-11-30"},
		{"snooze with the word until", "snooze 1 Until Monday", "Snoozed #1 until Monday 2026-11-30"},
		{"snooze until a date without a year", "snooze 1 until:10/11", "Snoozed #1 until Monday 2027-10-11"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if r := e.ok("UANA", "/getback", tt.text); !strings.HasPrefix(r.Text, tt.want) {
				t.Errorf("%q: %q, want %q", tt.text, r.Text, tt.want)
			}
		})
	}
	r := e.ok("UANA", "/getback", `add @bob "call" due:monday`)
	if r.Text != "Added getback #2 for Bob Chen, due Mon 2026-11-30." {
		t.Fatalf("add due:monday on a Monday: %q", r.Text)
	}
	for _, text := range []string{"due 1 13/11/2026", `add @bob "x" due:13/11/2026`, "snooze 1 until:13/11"} {
		e.fails("UANA", "/getback", text, "month first (MM/DD/YYYY); did you mean 11/13")
	}
	e.fails("UANA", "/meeting", "add state:Nevada date:25/12/2026", "did you mean 12/25/2026?")
	e.fails("UANA", "/getback", "snooze 1 until:today", "Snooze until a day after today")
	// A meeting date is the nearest such day: this Monday, last Oct 11.
	r = e.ok("UANA", "/meeting", "add state:Nevada date:monday")
	if !strings.Contains(r.Text, "Nevada, 2026-11-23") {
		t.Fatalf("meeting on monday: %q", r.Text)
	}
	r = e.ok("UANA", "/meeting", `add state:Nevada date:"Oct 11"`)
	if !strings.Contains(r.Text, "Nevada, 2026-10-11") {
		t.Fatalf("meeting on Oct 11: %q", r.Text)
	}
}

// TestNamesFromTheFirstCommand: a new user's first command shows their
// name; whoever held an item hears when someone else reassigns or cancels
// it.
func TestNamesFromTheFirstCommand(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	r := e.ok("UCAT", "/meeting", `add state:Guam followup:"GETBACK: check the badges."`)
	txt := r.PlainText()
	if !strings.Contains(txt, "DHS POC: Cat Diaz") || !strings.Contains(txt, "Owner: Cat Diaz — no owner was written") || strings.Contains(txt, "UCAT") {
		t.Fatalf("first command shows the platform id:\n%s", txt)
	}
	if r := e.ok("UCAT", "/meeting", "show 1"); !strings.Contains(r.PlainText(), "Logged by Cat Diaz") {
		t.Fatalf("show: %s", r.PlainText())
	}

	e.ok("UANA", "/getback", `add @bob "send the list"`)        // #2
	e.ok("UANA", "/getback", `add @bob "call the clerk"`)       // #3
	e.ok("UANA", "/getback", `add owner:RD "brief the SoS"`)    // #4
	e.ok("UANA", "/getback", `add @cat "cancelled by herself"`) // #5
	e.ok("UADM", "/getback", "owner RD @cat")                   // Cat holds RD's items
	e.ok("UANA", "/getback", "reassign 2 @cat")                 // Bob hears
	e.ok("UANA", "/getback", `cancel 3 "no longer needed"`)     // Bob hears
	e.ok("UANA", "/getback", "reassign 4 @bob")                 // Cat hears (through RD)
	e.ok("UCAT", "/getback", "cancel 5")                        // nobody: her own
	e.ok("UANA", "/getback", `add @bob "done by bob"`)          // #6
	e.ok("UBOB", "/getback", "done 6")                          // nobody: done, not cancelled
	e.ok("UBOB", "/getback", "reassign 4 @ana")                 // Bob reassigns his own: nobody
	items, err := e.db.FindOutbox(ctx, bot.OutboxFilter{})
	if err != nil {
		t.Fatal(err)
	}
	var notices []string
	for _, it := range items {
		if strings.Contains(it.Reply.Text, "which was yours") {
			notices = append(notices, it.Target.User+": "+it.Reply.Text)
		}
	}
	want := []string{
		"UBOB: Ana Lopez reassigned getback #2, which was yours, to Cat Diaz: you no longer owe it.",
		`UBOB: Ana Lopez cancelled getback #3, which was yours ("no longer needed"): you no longer owe it.`,
		"UCAT: Ana Lopez reassigned getback #4, which was yours, to Bob Chen: you no longer owe it.",
	}
	if strings.Join(notices, "\n") != strings.Join(want, "\n") {
		t.Fatalf("notices:\n%s\nwant:\n%s", strings.Join(notices, "\n"), strings.Join(want, "\n"))
	}
	// A click reassigns too, and tells the former owner.
	e.ok("UANA", "/getback", `add @bob "by click"`) // #7
	res := e.runner.Act(ctx, commands.Action{Call: e.call("UANA", "", ""), Name: bot.ActionReassign, Value: "7", Selected: "UCAT"})
	if res.Error {
		t.Fatal(res.Notice)
	}
	items, _ = e.db.FindOutbox(ctx, bot.OutboxFilter{})
	last := items[len(items)-1]
	if last.Target.User != "UBOB" || !strings.Contains(last.Reply.Text, "reassigned getback #7, which was yours, to Cat Diaz") {
		t.Fatalf("click reassign notice: %s %q", last.Target.User, last.Reply.Text)
	}
}
