package commands_test

import (
	"context"
	"fmt"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/getbackhq/getback/bot"
	"github.com/getbackhq/getback/commands"
	"github.com/getbackhq/getback/storage/sqlite"
)

const ws = "slack:T1"

// roster stands in for the chat platform's user directory.
type roster map[string]bot.User

func (r roster) LookupUser(ctx context.Context, _ string, id string) (bot.User, error) {
	if u, ok := r[id]; ok {
		return u, nil
	}
	return bot.User{}, bot.Errorf(bot.ENOTFOUND, "no user %s", id)
}

func (r roster) FindUser(ctx context.Context, _ string, name string) (bot.User, error) {
	for _, u := range r {
		if u.Name == name {
			return u, nil
		}
	}
	return bot.User{}, bot.Errorf(bot.ENOTFOUND, "no user %s", name)
}

func (r roster) FindChannel(ctx context.Context, _ string, name string) (bot.Channel, error) {
	if name == "region-9" {
		return bot.Channel{ID: "C9", Name: name}, nil
	}
	return bot.Channel{}, bot.Errorf(bot.ENOTFOUND, "no channel %s", name)
}

var users = roster{
	"UANA": {ID: "UANA", Name: "ana", Display: "Ana Lopez", TZ: "America/Los_Angeles"},
	"UBOB": {ID: "UBOB", Name: "bob", Display: "Bob Chen", TZ: "Pacific/Honolulu"},
	"UCAT": {ID: "UCAT", Name: "cat", Display: "Cat Diaz", TZ: "Pacific/Guam"},
	"UADM": {ID: "UADM", Name: "admin", Display: "Admin", TZ: "America/New_York"},
	"UBOT": {ID: "UBOT", Name: "helper", Bot: true},
}

type env struct {
	t      *testing.T
	db     *sqlite.DB
	runner *commands.Runner
	now    time.Time
}

func newEnv(t *testing.T) *env {
	t.Helper()
	db, err := sqlite.Open(context.Background(), filepath.Join(t.TempDir(), "g.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	e := &env{t: t, db: db, now: time.Date(2026, 11, 26, 17, 0, 0, 0, time.UTC)} // Thursday 09:00 in Los Angeles
	db.Now = func() time.Time { return e.now }
	e.runner = &commands.Runner{Store: db, Users: users, Now: func() time.Time { return e.now },
		Admins: map[string]bool{"UADM": true}, Reporter: &bot.Reporter{Store: db}, Outbox: db}
	return e
}

func (e *env) call(user, command, text string) commands.Call {
	return commands.Call{Workspace: ws, User: users[user], Channel: "CGEN", Command: command, Text: text}
}

func (e *env) run(user, command, text string) bot.Reply {
	e.t.Helper()
	return e.runner.Run(context.Background(), e.call(user, command, text))
}

// ok runs a command that must succeed.
func (e *env) ok(user, command, text string) bot.Reply {
	e.t.Helper()
	r := e.run(user, command, text)
	if r.Error {
		e.t.Fatalf("%s %s: %s", command, text, r.PlainText())
	}
	return r
}

// fails runs a command that must fail with a message containing want.
func (e *env) fails(user, command, text, want string) bot.Reply {
	e.t.Helper()
	r := e.run(user, command, text)
	if !r.Error || !strings.Contains(r.Text, want) {
		e.t.Fatalf("%s %s: got %q (error=%v), want an error containing %q", command, text, r.Text, r.Error, want)
	}
	return r
}

func (e *env) counts() (meetings, getbacks, outbox int) {
	e.t.Helper()
	ctx := context.Background()
	_, meetings, _ = e.db.FindMeetings(ctx, bot.MeetingFilter{Workspace: ws})
	_, getbacks, _ = e.db.FindGetbacks(ctx, bot.GetbackFilter{Workspace: ws})
	items, _ := e.db.FindOutbox(ctx, bot.OutboxFilter{})
	return meetings, getbacks, len(items)
}

func blockTexts(r bot.Reply) string {
	return r.PlainText()
}

func TestMeetingAddExtractsGetbacks(t *testing.T) {
	e := newEnv(t)
	r := e.ok("UANA", "/meeting", `add state:Nevada date:2026-11-20 location:"Las Vegas" discussion:"Fusion center, tabletop" `+
		`followup:"Team will visit. GETBACK (1): Send the tabletop schedule. RD FORAC. GETBACK (2) Share the offer. @bob FORAC. GETBACK: Confirm contact. ITF FORAC." next:"Dec 5"`)
	if !strings.Contains(r.Text, "Logged meeting #1: Nevada, 2026-11-20 (Region 9)") {
		t.Fatalf("reply: %q", r.Text)
	}
	txt := blockTexts(r)
	for _, want := range []string{"Created 3 getbacks", "GETBACK (1) #1: Send the tabletop schedule", "Owner: RD",
		"GETBACK (2) #2: Share the offer", "Owner: Bob Chen", "GETBACK (3) #3: Confirm contact", "Owner: ITF"} {
		if !strings.Contains(txt, want) {
			t.Errorf("reply lacks %q:\n%s", want, txt)
		}
	}
	ctx := context.Background()
	m, err := e.db.FindMeetingByID(ctx, ws, 1)
	if err != nil {
		t.Fatal(err)
	}
	if m.Region != 9 || m.POC != "UANA" || m.CreatedBy != "UANA" || m.NextDate != (bot.Date{Year: 2026, Month: 12, Day: 5}) {
		t.Fatalf("meeting: %+v", m)
	}
	g2, _ := e.db.FindGetbackByID(ctx, ws, 2)
	if g2.Owner != "UBOB" || g2.OwnerKind != bot.OwnerUser || g2.MeetingID != 1 || g2.Number != 2 || g2.AssignedBy != "UANA" {
		t.Fatalf("getback 2: %+v", g2)
	}
	g3, _ := e.db.FindGetbackByID(ctx, ws, 3)
	if g3.Number != 3 || g3.Owner != "ITF" || g3.OwnerKind != bot.OwnerLabel {
		t.Fatalf("unnumbered item gets the next number: %+v", g3)
	}
	// Bob was told; nobody else (labels have nobody to tell yet).
	items, _ := e.db.FindOutbox(ctx, bot.OutboxFilter{})
	if len(items) != 1 || items[0].Target.User != "UBOB" || !strings.Contains(items[0].Reply.Text, "assigned you getback #2") {
		t.Fatalf("assignment DMs: %+v", items)
	}
}

func TestMeetingAddBadInputChangesNothing(t *testing.T) {
	e := newEnv(t)
	e.fails("UANA", "/meeting", `add date:2026-11-20`, "state: a state or territory is required")
	e.fails("UANA", "/meeting", `add state:Nevda`, "did you mean Nevada?")
	e.fails("UANA", "/meeting", `add state:Nevada date:someday`, `"someday" is not a date`)
	e.fails("UANA", "/meeting", `add state:Nevada poc:@nobody`, "I don't know @nobody")
	e.fails("UANA", "/meeting", `add state:Nevada followup:"GETBACK (1): x @nobody FORAC."`, "I don't know @nobody")
	e.fails("UANA", "/meeting", `add state:Nevada region:18`, "region must be 1-10")
	r := e.fails("UANA", "/meeting", `add stat:Nevada`, "did you mean 'state'?")
	if !strings.Contains(r.PlainText(), "Usage: /meeting add") {
		t.Errorf("a bad command shows the usage line: %s", r.PlainText())
	}
	if m, g, o := e.counts(); m+g+o != 0 {
		t.Fatalf("bad input wrote %d meetings, %d getbacks, %d outbox items", m, g, o)
	}
	if a, _ := e.db.FindAudit(context.Background(), bot.AuditFilter{Workspace: ws, Entity: sp("meeting")}); len(a) != 0 {
		t.Fatal("audit entries for failed commands")
	}
}

func sp(s string) *string { return &s }

func TestMeetingAddNotesAndDefaults(t *testing.T) {
	e := newEnv(t)
	r := e.ok("UANA", "/meeting", `add state:"New Hampshire" date:Pending`)
	if !strings.Contains(r.PlainText(), `Date "Pending" kept as pending.`) || !strings.Contains(r.Text, "New Hampshire, Pending (Region 1)") {
		t.Fatalf("pending date: %s", r.PlainText())
	}
	r = e.ok("UANA", "/meeting", `add state:Guam region:10`)
	if !strings.Contains(r.PlainText(), "Guam is in region 9; kept region 10 as you gave it.") {
		t.Fatalf("region mismatch note: %s", r.PlainText())
	}
	if !strings.Contains(r.PlainText(), "No date given: logged for today, 2026-11-26.") {
		t.Fatalf("default date note: %s", r.PlainText())
	}
	r = e.ok("UANA", "/meeting", `add state:"PA, NY, VA, DC, MD" date:N/A`)
	if !strings.Contains(r.Text, "Pennsylvania, New York, Virginia, District of Columbia, Maryland, N/A (Region 3, also Region 2)") {
		t.Fatalf("multi-state: %s", r.Text)
	}
	if !strings.Contains(r.PlainText(), "New York is in region 2: the meeting shows in region 2's lists and digest too.") {
		t.Fatalf("multi-state region note: %s", r.PlainText())
	}
	r = e.ok("UANA", "/meeting", "add")
	if r.Form == nil || r.Form.ID != commands.FormMeetingAdd || len(r.Form.Fields) != 13 {
		t.Fatalf("no-argument add opens the 13-field form: %+v", r.Form)
	}
}

func TestMeetingEditDeletePermissions(t *testing.T) {
	e := newEnv(t)
	e.ok("UANA", "/meeting", `add state:Nevada date:2026-11-20 followup:"GETBACK (1): a. RD FORAC."`)
	e.fails("UBOB", "/meeting", `edit 1 notes:"mine now"`, "Only whoever logged meeting #1, or an admin, can change it.")
	e.fails("UBOB", "/meeting", `delete 1`, "can delete it")
	e.fails("UBOB", "/meeting", `edit 1`, "can change it")
	r := e.ok("UANA", "/meeting", `edit 1 followup:"GETBACK (1): a. RD FORAC. GETBACK (2): b. CS FORAC." notes:"n"`)
	if !strings.Contains(r.Text, "Updated meeting #1 (followup, notes)") || !strings.Contains(r.PlainText(), "GETBACK (2) #2: b") {
		t.Fatalf("edit: %s", r.PlainText())
	}
	if _, g, _ := e.counts(); g != 2 {
		t.Fatalf("editing the follow-up must add only the new item: %d getbacks", g)
	}
	r = e.ok("UADM", "/meeting", `edit 1`)
	if r.Form == nil || r.Form.ID != "meeting.edit:1" || r.Form.Fields[1].Value != "Nevada" {
		t.Fatalf("edit form pre-filled: %+v", r.Form)
	}
	r = e.ok("UADM", "/meeting", `delete 1`)
	if !strings.Contains(r.PlainText(), "Its 2 getbacks stay on the list") {
		t.Fatalf("delete: %s", r.PlainText())
	}
	e.fails("UADM", "/meeting", `show 1`, "No meeting #1.")
}

func TestMeetingListShowSearch(t *testing.T) {
	e := newEnv(t)
	for i := 1; i <= 22; i++ {
		e.ok("UANA", "/meeting", fmt.Sprintf(`add state:Nevada date:2026-10-%02d discussion:"meeting number %d about elections"`, i, i))
	}
	e.ok("UBOB", "/meeting", `add state:Oregon date:2026-11-02 discussion:"fusion center visit" awareness:"Clearances pending"`)
	r := e.ok("UANA", "/meeting", "list region:9")
	if r.Text != "22 meetings, newest first." || !strings.Contains(r.PlainText(), "Next: /meeting list region:9 page:2") {
		t.Fatalf("list: %s", r.PlainText())
	}
	if got := len(r.Blocks); got != 21 {
		t.Fatalf("20 meetings and a pager: %d blocks", got)
	}
	if !strings.HasPrefix(r.Blocks[0].Text, "#22 · Nevada · 2026-10-22") {
		t.Fatalf("newest first: %q", r.Blocks[0].Text)
	}
	res := e.runner.Act(context.Background(), commands.Action{Call: e.call("UANA", "", ""), Name: bot.ActionPage, Value: "/meeting list region:9 page:2"})
	if res.Update == nil || len(res.Update.Blocks) != 3 || !strings.Contains(res.Update.PlainText(), "Showing 21–22 of 22") {
		t.Fatalf("page 2: %+v", res)
	}
	r = e.ok("UBOB", "/meeting", "list mine")
	if r.Text != "1 meeting, newest first." {
		t.Fatalf("mine: %s", r.Text)
	}
	r = e.ok("UANA", "/meeting", `search "fusion center"`)
	if !strings.Contains(r.PlainText(), "#23 · Oregon · 2026-11-02") || !strings.Contains(r.PlainText(), "fusion center visit") {
		t.Fatalf("search: %s", r.PlainText())
	}
	r = e.ok("UANA", "/meeting", "show 23")
	for _, want := range []string{"Meeting #23: Oregon, 2026-11-02 (Region 10)", "Key Discussion Points", "fusion center visit", "For NPPD Leadership Awareness", "Logged by Bob Chen"} {
		if !strings.Contains(r.PlainText(), want) {
			t.Errorf("show lacks %q:\n%s", want, r.PlainText())
		}
	}
	e.ok("UANA", "/meeting", `search nothingmatches`)

	// Past CountCap a list stops counting.
	var many []*bot.Meeting
	for i := 0; i < commands.CountCap+5; i++ {
		many = append(many, &bot.Meeting{Workspace: ws, Region: 9, States: []string{"Nevada"}, Date: bot.Date{Year: 2025, Month: 1, Day: 1 + i%28}, CreatedBy: "UANA"})
	}
	if err := e.db.CreateMeetings(context.Background(), many); err != nil {
		t.Fatal(err)
	}
	r = e.ok("UANA", "/meeting", "list")
	if r.Text != fmt.Sprintf("More than %d meetings, newest first.", commands.CountCap) || !strings.Contains(r.PlainText(), fmt.Sprintf("of more than %d", commands.CountCap)) {
		t.Fatalf("capped list: %s", r.PlainText())
	}
}

func TestGetbackLifecycleAndPermissions(t *testing.T) {
	e := newEnv(t)
	r := e.ok("UANA", "/getback", `add @bob "send the contact list" due:friday`)
	if r.Text != "Added getback #1 for Bob Chen, due Fri 2026-11-27." {
		t.Fatalf("add: %q", r.Text)
	}
	e.fails("UANA", "/getback", `add @nobody "x"`, "I don't know @nobody in this workspace.")
	e.fails("UANA", "/getback", `add @helper "x"`, "is a bot")
	e.fails("UANA", "/getback", `add @bob "x" meeting:99`, "No meeting #99.")
	e.fails("UANA", "/getback", `add @bob "x" due:yesterday`, "is in the past")

	e.fails("UCAT", "/getback", "done 1", "Only the owner of #1, whoever assigned it, or an admin can change it.")
	e.fails("UCAT", "/getback", "reassign 1 @cat", "Only the owner")
	e.fails("UCAT", "/getback", "snooze 1", "Only the owner")
	r = e.ok("UBOB", "/getback", `done 1 "sent Tuesday"`)
	if r.Text != "Marked #1 done: send the contact list" {
		t.Fatalf("done: %q", r.Text)
	}
	e.fails("UBOB", "/getback", "done 1", "#1 is already done")
	e.ok("UANA", "/getback", "reopen 1") // the assigner may
	e.fails("UANA", "/getback", "reopen 1", "already open")
	e.ok("UBOB", "/getback", "reassign 1 @cat")
	g, _ := e.db.FindGetbackByID(context.Background(), ws, 1)
	if g.Owner != "UCAT" || g.AssignedBy != "UBOB" || g.Status != bot.StatusOpen {
		t.Fatalf("after reassign: %+v", g)
	}
	// A user the platform resolved (Call.Mentions) is that user, whatever
	// the directory would find under the name.
	mentioned := e.call("UCAT", "/getback", "reassign 1 @kitty")
	mentioned.Mentions = map[string]string{"kitty": "UCAT"}
	if r := e.runner.Run(context.Background(), mentioned); !r.Error || !strings.Contains(r.Text, "already belongs to Cat Diaz") {
		t.Fatalf("reassign to a mentioned user: %q", r.Text)
	}
	r = e.ok("UCAT", "/getback", "due 1 next week")
	if r.Text != "#1 is now due Monday 2026-11-30." {
		t.Fatalf("due: %q", r.Text)
	}
	r = e.ok("UCAT", "/getback", "snooze 1 until:monday")
	if !strings.Contains(r.Text, "Snoozed #1 until Monday 2026-11-30") {
		t.Fatalf("snooze: %q", r.Text)
	}
	e.ok("UADM", "/getback", "cancel 1 duplicate")
	g, _ = e.db.FindGetbackByID(context.Background(), ws, 1)
	if g.Status != bot.StatusCancelled || g.DoneNote != "duplicate" {
		t.Fatalf("cancelled: %+v", g)
	}
	// Assignment DMs: to Bob on add, to Cat on reassign; Cat hears that
	// the admin cancelled her item. Bob reassigned it himself: no notice.
	items, _ := e.db.FindOutbox(context.Background(), bot.OutboxFilter{})
	if len(items) != 3 || items[0].Target.User != "UBOB" || items[1].Target.User != "UCAT" || items[2].Target.User != "UCAT" ||
		!strings.Contains(items[2].Reply.Text, `Admin cancelled getback #1, which was yours ("duplicate")`) {
		t.Fatalf("DMs: %d", len(items))
	}
}

func TestGetbackListOrderPagingAndButtons(t *testing.T) {
	e := newEnv(t)
	for i := 0; i < 23; i++ {
		due := "in 10 days"
		if i%5 == 0 {
			due = "2026-11-27"
		}
		e.ok("UANA", "/getback", fmt.Sprintf(`add @bob "item %d" due:"%s"`, i, due))
	}
	// Two become overdue by moving the clock.
	e.now = e.now.Add(3 * 24 * time.Hour)
	r := e.ok("UANA", "/getback", "list")
	if r.Text != "23 open getbacks, 5 overdue (listed first)." {
		t.Fatalf("list title: %q", r.Text)
	}
	if !strings.Contains(r.Blocks[0].Note, "overdue") || strings.Contains(r.Blocks[5].Note, "overdue") {
		t.Fatalf("overdue first: %q / %q", r.Blocks[0].Note, r.Blocks[5].Note)
	}
	if len(r.Blocks[0].Buttons) != 4 || r.Blocks[0].Buttons[0].Action != bot.ActionDone || !r.Blocks[0].Buttons[3].UserSelect {
		t.Fatalf("buttons for the assigner: %+v", r.Blocks[0].Buttons)
	}
	last := r.Blocks[len(r.Blocks)-1]
	if len(last.Buttons) != 1 || last.Buttons[0].Value != "/getback list page:2" {
		t.Fatalf("pager: %+v", last)
	}
	// Cat may not change Bob's items: no buttons for her.
	if rc := e.ok("UCAT", "/getback", "list"); len(rc.Blocks[0].Buttons) != 0 {
		t.Fatal("buttons shown to someone who may not use them")
	}
	overdue := e.ok("UBOB", "/getback", "list overdue mine")
	if overdue.Text != "You owe 5 overdue getbacks." || overdue.View != "/getback list mine overdue" {
		t.Fatalf("overdue: %q view %q", overdue.Text, overdue.View)
	}
	r = e.ok("UCAT", "/getback", "list mine")
	if r.Text != "You owe nothing. Nice." {
		t.Fatalf("mine: %q", r.Text)
	}
	r = e.ok("UCAT", "/getback", "list @bob")
	if r.Text != "Bob Chen owes 23 open getbacks, 5 overdue (listed first)." {
		t.Fatalf("by user: %q", r.Text)
	}

	// Clicking Done re-renders the list without the item.
	r = overdue
	id := r.Blocks[0].Buttons[0].Value
	res := e.runner.Act(context.Background(), commands.Action{Call: e.call("UBOB", "", ""), Name: bot.ActionDone, Value: id, View: overdue.View})
	if res.Error || res.Update == nil || res.Update.Text != "You owe 4 overdue getbacks." {
		t.Fatalf("after Done: %+v", res)
	}
	res = e.runner.Act(context.Background(), commands.Action{Call: e.call("UCAT", "", ""), Name: bot.ActionDone, Value: r.Blocks[1].Buttons[0].Value})
	if !res.Error || !strings.Contains(res.Notice, "Only the owner") || res.Update != nil {
		t.Fatalf("forbidden click: %+v", res)
	}
	res = e.runner.Act(context.Background(), commands.Action{Call: e.call("UBOB", "", ""), Name: bot.ActionReassign, Value: r.Blocks[1].Buttons[0].Value, Selected: "UCAT"})
	if res.Error || !strings.Contains(res.Notice, "Reassigned") {
		t.Fatalf("reassign by select: %+v", res)
	}
	res = e.runner.Act(context.Background(), commands.Action{Call: e.call("UBOB", "", ""), Name: bot.ActionSnoozeWeek, Value: "999"})
	if !res.Error || !strings.Contains(res.Notice, "No getback #999") {
		t.Fatalf("unknown item: %+v", res)
	}
	res = e.runner.Act(context.Background(), commands.Action{Call: e.call("UBOB", "", ""), Name: bot.ActionDone, Value: "1; DROP TABLE getbacks"})
	if !res.Error {
		t.Fatalf("damaged value accepted: %+v", res)
	}
}

func TestOwnerLabels(t *testing.T) {
	e := newEnv(t)
	e.ok("UANA", "/meeting", `add state:Guam followup:"GETBACK (1): confirm contact. ITF FORAC."`)
	e.fails("UBOB", "/getback", "owner ITF @bob", "Only admins can map team labels to people: ask @admin")
	e.fails("UBOB", "/getback", "done 1", "Only the owner")
	r := e.ok("UADM", "/getback", "owner ITF @bob")
	if r.Text != "ITF's items now go to Bob Chen (1 open)." {
		t.Fatalf("map: %q", r.Text)
	}
	r = e.ok("UBOB", "/getback", "list mine")
	if r.Text != "You owe 1 open getback." || !strings.Contains(r.PlainText(), "Owner: ITF (Bob Chen)") {
		t.Fatalf("mine includes mapped labels: %s", r.PlainText())
	}
	e.ok("UBOB", "/getback", "done 1")
	r = e.ok("UANA", "/getback", "owner")
	if !strings.Contains(r.PlainText(), "ITF → Bob Chen") {
		t.Fatalf("mapping list: %s", r.PlainText())
	}
	e.ok("UADM", "/getback", "owner ITF none")
	e.fails("UADM", "/getback", "owner ITF none", "not mapped")
}

func TestRemindSettings(t *testing.T) {
	e := newEnv(t)
	r := e.ok("UBOB", "/getback", "remind")
	if r.Text != "Your daily reminder comes at 09:00 (Pacific/Honolulu) on mon,tue,wed,thu,fri, when you owe something." {
		t.Fatalf("defaults: %q", r.Text)
	}
	e.ok("UBOB", "/getback", "remind at:08:30 days:mon-thu")
	p, _ := e.db.FindPerson(context.Background(), ws, "UBOB")
	if p.RemindAt() != "08:30" || p.WorkDays.String() != "mon,tue,wed,thu" || p.RemindersOff {
		t.Fatalf("person: %+v", p)
	}
	r = e.ok("UBOB", "/getback", "remind off")
	if !strings.Contains(r.Text, "off") {
		t.Fatalf("off: %q", r.Text)
	}
	p, _ = e.db.FindPerson(context.Background(), ws, "UBOB")
	if !p.RemindersOff {
		t.Fatal("reminders still on")
	}
}

func TestFormSubmission(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	_, err := e.runner.Submit(ctx, commands.Submission{Call: e.call("UANA", "", ""), FormID: commands.FormMeetingAdd,
		Values: map[string]string{"state": "", "date": "someday", "poc": "UNOPE", "discussion": "x"}})
	fields := bot.ErrorFields(err)
	if fields["state"] == "" || fields["date"] == "" || fields["poc"] == "" {
		t.Fatalf("field errors: %#v", err)
	}
	if m, _, _ := e.counts(); m != 0 {
		t.Fatal("invalid form saved")
	}
	rep, err := e.runner.Submit(ctx, commands.Submission{Call: e.call("UANA", "", ""), FormID: commands.FormMeetingAdd,
		Values: map[string]string{"state": "Guam", "date": "2026-11-24", "poc": "UCAT", "region": "", "followup": "GETBACK (1): call back. @bob FORAC."}})
	if err != nil || !strings.Contains(rep.Text, "Logged meeting #1: Guam, 2026-11-24 (Region 9)") {
		t.Fatalf("valid form: %v %q", err, rep.Text)
	}
	m, _ := e.db.FindMeetingByID(ctx, ws, 1)
	if m.POC != "UCAT" {
		t.Fatalf("POC from the user picker: %q", m.POC)
	}
	// Edit form: unchanged fields are not sent, changed ones are.
	form := e.ok("UANA", "/meeting", "edit 1").Form
	values := map[string]string{}
	for _, f := range form.Fields {
		values[f.Key] = f.Value
	}
	values["notes"] = "added later"
	rep, err = e.runner.Submit(ctx, commands.Submission{Call: e.call("UANA", "", ""), FormID: form.ID, Values: values})
	if err != nil || rep.Text != "Updated meeting #1 (notes)." {
		t.Fatalf("edit form: %v %q", err, rep.Text)
	}
	if _, err := e.runner.Submit(ctx, commands.Submission{Call: e.call("UBOB", "", ""), FormID: form.ID, Values: values}); bot.ErrorCode(err) != bot.EUNAUTHORIZED {
		t.Fatalf("someone else's edit form: %v", err)
	}
}

func TestDigestCommands(t *testing.T) {
	e := newEnv(t)
	e.ok("UANA", "/meeting", `add state:Nevada date:2026-11-18 discussion:"Met the SoS" awareness:"SoS asks for clearances"`)
	e.fails("UANA", "/digest", "config region:9 channel:#region-9", "Only admins can configure digests: ask @admin")
	e.fails("UADM", "/digest", "config region:9 channel:#nowhere", "I can't find channel #nowhere")
	r := e.ok("UADM", "/digest", "config region:9 channel:#region-9 tz:Pacific/Honolulu day:monday hour:8")
	if !strings.Contains(r.Text, "Region 9: #region-9, Mondays at 08:00 Pacific/Honolulu") || !strings.Contains(r.Text, "Next: Mon 2026-11-30 08:00 HST (covers 2026-W48)") {
		t.Fatalf("config: %q", r.Text)
	}
	r = e.ok("UANA", "/digest", "preview region:9 week:2026-11-18")
	if r.Visibility != bot.Ephemeral || !strings.Contains(r.Text, "Region 9 weekly digest: Mon 2026-11-16 to Sun 2026-11-22 (2026-W47)") ||
		!strings.Contains(r.PlainText(), "SoS asks for clearances") {
		t.Fatalf("preview: %s", r.PlainText())
	}
	e.fails("UANA", "/digest", "post region:9", "Only admins can post digests: ask @admin")
	e.fails("UADM", "/digest", "post region:3", "Region 3 has no digest channel")
	r = e.ok("UADM", "/digest", "post region:9 week:2026-11-18")
	if r.Text != "Posting the Region 9 digest for 2026-W47 to #region-9." {
		t.Fatalf("post: %q", r.Text)
	}
	e.fails("UADM", "/digest", "post region:9 week:2026-11-18", "already posted")
	items, _ := e.db.FindOutbox(context.Background(), bot.OutboxFilter{})
	if len(items) != 1 || items[0].Key != "digest:slack:T1:9:2026-W47" || items[0].Target.Channel != "C9" {
		t.Fatalf("outbox: %+v", items)
	}
	e.fails("UANA", "/digest", "preview", "Which region?")
	r = e.ok("UANA", "/digest", "states region:9")
	if !strings.Contains(r.PlainText(), "Region 9: American Samoa, Arizona, California, Guam, Hawaii, Nevada, Northern Mariana Islands") {
		t.Fatalf("states: %s", r.PlainText())
	}
	e.fails("UANA", "/digest", "states Guam region:10", "Only admins")
	e.ok("UADM", "/digest", "states Guam region:10")
	r = e.ok("UANA", "/meeting", "add state:Guam")
	if !strings.Contains(r.Text, "(Region 10)") {
		t.Fatalf("override applies to inference: %q", r.Text)
	}
}

func TestHelpAndUnknown(t *testing.T) {
	e := newEnv(t)
	r := e.ok("UANA", "help", "")
	for _, want := range []string{"/meeting add", "/getback snooze", "/digest config", "Dates:"} {
		if !strings.Contains(r.PlainText(), want) {
			t.Errorf("help lacks %q", want)
		}
	}
	r = e.run("UANA", "/getback", "lsit")
	if !r.Error || !strings.Contains(r.Text, "did you mean /getback list?") || !strings.Contains(r.PlainText(), "/getback add @owner") {
		t.Fatalf("unknown subcommand: %s", r.PlainText())
	}
	r = e.run("UANA", "/meeting", "import")
	if !r.Error || !strings.Contains(r.Text, "getback import FILE") {
		t.Fatalf("import from chat: %q", r.Text)
	}
	r = e.runner.Run(context.Background(), commands.Call{Workspace: ws, Command: "/meeting", Text: "list"})
	if !r.Error {
		t.Fatal("a call without a user must fail")
	}
}
