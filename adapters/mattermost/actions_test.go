package mattermost

import (
	"context"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/mattermost/mattermost/server/public/model"

	"github.com/getbackhq/getback/bot"
	"github.com/getbackhq/getback/commands"
)

// shown runs a command as user and returns the ephemeral post the user's
// client shows for its answer, as the server delivers it (with cookies on
// its buttons).
func (e *env) shown(user, cmd, text string) *model.Post {
	e.t.Helper()
	before := len(e.mm.View(user))
	cr := e.answer(user, cmd, text, nil)
	if commands.Mutates(cmd, text) { // answered in the HTTP response
		return e.mm.ShowCommandResponse(user, "chan1", cr)
	}
	// The answer went to the response_url; the fake shows it once it has
	// read it.
	deadline := time.Now().Add(5 * time.Second)
	for {
		if view := e.mm.View(user); len(view) > before {
			return view[len(view)-1]
		}
		if time.Now().After(deadline) {
			e.t.Fatalf("%s %s: nothing shown", cmd, text)
		}
		time.Sleep(2 * time.Millisecond)
	}
}

// clickAs clicks a post's button the way the webapp does: POST
// /api/v4/posts/{id}/actions/{action} with the user's session, and the
// action's cookie for an ephemeral post.
func (e *env) clickAs(user string, p *model.Post, label, selected string) error {
	e.t.Helper()
	for _, att := range p.Attachments() {
		for _, act := range att.Actions {
			if act.Name != label {
				continue
			}
			c := model.NewAPIv4Client(e.mm.URL)
			c.SetToken(e.mm.Login(user))
			_, err := c.DoPostActionWithCookie(context.Background(), p.Id, act.Id, selected, act.Cookie)
			return err
		}
	}
	e.t.Fatalf("no %q button on %s", label, p.Message)
	return nil
}

// viewed returns the post of id in a user's view.
func (e *env) viewed(user, id string) *model.Post {
	for _, p := range e.mm.View(user) {
		if p.Id == id {
			return p
		}
	}
	e.t.Fatalf("%s does not see post %s", user, id)
	return nil
}

func buttons(p *model.Post) int {
	n := 0
	for _, att := range p.Attachments() {
		n += len(att.Actions)
	}
	return n
}

// letBotPostEphemeral runs setup --bot --ephemeral against the fake.
func (e *env) letBotPostEphemeral() {
	e.t.Helper()
	e.mm.AddTeam("team1", "acme")
	e.mm.SetToken("admintoken", "bossid")
	res, err := Setup(context.Background(), adminClient(e.mm, "admintoken"),
		SetupOptions{Team: "acme", PublicURL: "http://getback.test", Bot: true, Ephemeral: true})
	if err != nil || !res.RoleGiven {
		e.t.Fatalf("setup --ephemeral: %+v %v", res, err)
	}
}

func TestAClickOnAnEphemeralAnswerReplacesIt(t *testing.T) {
	e := newEnv(t)
	e.mm.Route("http://getback.test", e.Server.URL)
	e.letBotPostEphemeral()
	e.answer("anaid", "/getback", `add @bob "send the contact list" due:friday`, nil)
	e.answer("anaid", "/getback", `add @bob "share the guide"`, nil)

	list := e.shown("bobid", "/getback", "list mine")
	if buttons(list) == 0 || !strings.Contains(list.Message, "You owe 2") {
		t.Fatalf("list: %q with %d buttons", list.Message, buttons(list))
	}
	if err := e.clickAs("bobid", list, "Done", ""); err != nil {
		t.Fatalf("the server refused the click: %v", err)
	}
	if g, _ := e.DB.FindGetbackByID(context.Background(), "mattermost:team1", 1); g.Status != bot.StatusDone {
		t.Fatal("the click did not close the item")
	}
	now := e.viewed("bobid", list.Id)
	if !strings.Contains(now.Message, "You owe 1") || strings.Contains(now.Message+attachmentText(now), "send the contact list") {
		t.Fatalf("bob still sees the old list: %q %q", now.Message, attachmentText(now))
	}
	if n := len(e.mm.View("bobid")); n != 1 {
		t.Fatalf("the new state must take the old one's place, not add to it: %d posts shown", n)
	}
	// The new state's buttons work the same way.
	if err := e.clickAs("bobid", now, "Done", ""); err != nil {
		t.Fatal(err)
	}
	if last := e.viewed("bobid", list.Id); !strings.Contains(last.Message, "You owe nothing") || buttons(last) != 0 {
		t.Fatalf("after the last item: %q with %d buttons", last.Message, buttons(last))
	}

	// A click refused by the rules leaves the list and says why.
	e.answer("anaid", "/getback", `add @ana "call the clerk"`, nil)
	mine := e.shown("anaid", "/getback", "list")
	e.mm.SetUser(&model.User{Id: "eveid", Username: "eve"})
	if err := e.clickAs("eveid", mine, "Done", ""); err != nil {
		t.Fatal(err)
	}
	view := e.mm.View("eveid")
	if len(view) != 1 || !strings.Contains(view[0].Message, "Only the owner") {
		t.Fatalf("eve's view: %+v", view)
	}
}

func TestABotThatMayNotPostEphemeralSendsTheNewStateAsText(t *testing.T) {
	e := newEnv(t)
	e.mm.Route("http://getback.test", e.Server.URL)
	e.answer("anaid", "/getback", `add @bob "send the contact list"`, nil)
	e.answer("anaid", "/getback", `add @bob "share the guide"`, nil)
	list := e.shown("bobid", "/getback", "list mine")
	if err := e.clickAs("bobid", list, "Done", ""); err != nil {
		t.Fatalf("the server refused the click: %v", err)
	}
	view := e.mm.View("bobid")
	if len(view) != 2 || view[0].Id != list.Id || view[0].Message != list.Message {
		t.Fatalf("bob's view: %d posts", len(view))
	}
	text := view[1].Message
	notice, state, _ := strings.Cut(text, "\n\n")
	if !strings.Contains(notice, "Marked #1 done") || !strings.Contains(state, "You owe 1") || !strings.Contains(state, "share the guide") ||
		strings.Contains(state, "send the contact list") || buttons(view[1]) != 0 {
		t.Fatalf("the new state as text: %q", text)
	}
	// The refusal is remembered: the next click does not ask again.
	if err := e.clickAs("bobid", list, "Snooze 1 day", ""); err != nil {
		t.Fatal(err)
	}
	if n := len(e.mm.Calls(http.MethodPost, "/api/v4/posts/ephemeral")); n != 1 {
		t.Fatalf("%d ephemeral posts tried, want 1", n)
	}
	if last := e.mm.View("bobid"); len(last) != 3 || !strings.Contains(last[2].Message, "nothing to snooze") {
		t.Fatalf("second click: %d posts shown", len(last))
	}
}

func TestAClosedItemsCardLosesItsButtons(t *testing.T) {
	e := newEnv(t)
	e.mm.Route("http://getback.test", e.Server.URL)
	e.answer("anaid", "/getback", `add @bob "send the contact list" due:friday`, nil)
	p, _ := e.DB.FindPerson(context.Background(), "mattermost:team1", "bobid")
	rep, _, _ := (&bot.Reporter{Store: e.DB}).Reminder(context.Background(), p, bot.DateOf(e.Clock.Now()))
	ref, err := e.a.Post(context.Background(), bot.Target{Workspace: "mattermost:team1", User: "bobid"}, rep)
	if err != nil {
		t.Fatal(err)
	}
	dm := e.mm.Post(ref.ID)
	if buttons(dm) != 4 {
		t.Fatalf("reminder buttons: %d", buttons(dm))
	}
	if err := e.clickAs("bobid", dm, "Done", ""); err != nil {
		t.Fatal(err)
	}
	after := e.mm.Post(ref.ID)
	if buttons(after) != 0 || len(after.Attachments()) != 0 || !strings.Contains(after.Message, "you owe nothing") {
		t.Fatalf("the closed item's card stays: %q, %d attachments, %d buttons", after.Message, len(after.Attachments()), buttons(after))
	}
	if len(e.mm.Calls(http.MethodPost, "/api/v4/posts/ephemeral")) != 0 {
		t.Fatal("a stored post is updated in place, not re-sent")
	}
}

func attachmentText(p *model.Post) string {
	var b strings.Builder
	for _, att := range p.Attachments() {
		b.WriteString(att.Text + "\n")
	}
	return b.String()
}

func TestTheEphemeralFlagIsSigned(t *testing.T) {
	e := newEnv(t)
	e.answer("anaid", "/getback", `add @bob "send the contact list"`, nil)
	cr := e.answer("bobid", "/getback", "list mine", nil)
	ctxt := cr.Attachments[0].Actions[0].Integration.Context
	if ctxt["eph"] != "1" {
		t.Fatalf("a command's ephemeral answer must carry the flag: %v", ctxt)
	}
	click := func(c map[string]any) int {
		code, _ := e.postJSON("/mattermost/actions", model.PostActionIntegrationRequest{UserId: "bobid", ChannelId: "chan1", PostId: "p1", Context: c})
		return code
	}
	flipped := map[string]any{}
	for k, v := range ctxt {
		flipped[k] = v
	}
	flipped["eph"] = ""
	if code := click(flipped); code != http.StatusUnauthorized {
		t.Fatalf("a context whose flag was dropped: %d, want 401", code)
	}
	// A button posted before the flag existed (signed without it) still works.
	n := nonce()
	legacy := map[string]any{"ws": "mattermost:team1", "action": bot.ActionSnoozeDay, "value": "1", "view": "", "nonce": n,
		"sig": e.a.sign.mac("action", "mattermost:team1", bot.ActionSnoozeDay, "1", "", n)}
	if code := click(legacy); code != http.StatusOK {
		t.Fatalf("a button signed before the flag: %d", code)
	}
	if g, _ := e.DB.FindGetbackByID(context.Background(), "mattermost:team1", 1); g.SnoozedUntil.IsZero() {
		t.Fatal("the older button did not snooze the item")
	}
}
