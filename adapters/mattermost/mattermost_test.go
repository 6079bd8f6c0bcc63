package mattermost

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/mattermost/mattermost/server/public/model"

	"github.com/getbackhq/getback/bot"
	"github.com/getbackhq/getback/commands/commandstest"
)

func TestCommandTokens(t *testing.T) {
	e := newEnv(t)
	for name, tok := range map[string]string{"wrong": "nope", "empty": "", "prefix": token[:5]} {
		code, _ := e.command("anaid", "/meeting", "add state:Nevada", url.Values{"token": {tok}})
		if code != http.StatusUnauthorized {
			t.Errorf("%s token: %d, want 401", name, code)
		}
	}
	// Bodies over MaxBody are refused before they are read, on every
	// endpoint, even with a good token.
	huge := strings.Repeat("x", 300<<10)
	if code, _ := e.command("anaid", "/meeting", "add state:Nevada notes:"+huge, nil); code != http.StatusRequestEntityTooLarge {
		t.Errorf("oversized command: %d, want 413", code)
	}
	for _, path := range []string{"/mattermost/actions", "/mattermost/dialogs"} {
		if code, _ := e.postJSON(path, map[string]any{"user_id": "anaid", "context": map[string]any{"pad": huge}}); code != http.StatusRequestEntityTooLarge {
			t.Errorf("oversized %s: %d, want 413", path, code)
		}
	}
	e.a.Wait()
	if e.Meetings("mattermost:team1") != 0 || len(e.mm.Calls("", "")) != 0 {
		t.Fatal("a refused command changed something")
	}
	// The token may come in the form alone, too.
	form := url.Values{"token": {token}, "team_id": {"team1"}, "channel_id": {"c"}, "user_id": {"anaid"}, "command": {"/getback"}, "text": {"remind"}}
	resp, err := http.PostForm(e.Server.URL+"/mattermost/commands", form)
	if err != nil || resp.StatusCode != 200 {
		t.Fatalf("token in the form: %v %v", resp.StatusCode, err)
	}
}

func TestCommandAnswersAndMentions(t *testing.T) {
	e := newEnv(t)
	cr := e.answer("anaid", "/meeting", `add state:Nevada date:2026-11-20 discussion:"**bold** @channel [x](http://evil)" followup:"GETBACK (1): call the clerk. @bob FORAC."`,
		url.Values{"user_mentions": {"bob"}, "user_mentions_ids": {"bobid"}})
	if cr.ResponseType != model.CommandResponseTypeEphemeral || !strings.HasPrefix(cr.Text, "Logged meeting #1: Nevada, 2026-11-20 (Region 9).") || !cr.SkipSlackParsing {
		t.Fatalf("answer: %+v", cr)
	}
	g, _ := e.DB.FindGetbackByID(context.Background(), "mattermost:team1", 1)
	if g == nil || g.Owner != "bobid" {
		t.Fatalf("owner from user_mentions_ids: %+v", g)
	}
	if n := len(e.mm.Calls(http.MethodGet, "/api/v4/users/username/")); n != 0 {
		t.Fatalf("the mention map should spare a lookup, got %d", n)
	}
	p, _ := e.DB.FindPerson(context.Background(), "mattermost:team1", "bobid")
	if p == nil || p.TZ != "Pacific/Guam" || p.Name != "Bob Chen" {
		t.Fatalf("manual time zone: %+v", p)
	}
	show := e.answer("anaid", "/meeting", "show 1", nil)
	if strings.Contains(show.Text, "@channel") || !strings.Contains(show.Text, "@\u200bchannel") ||
		strings.Contains(show.Text, "**bold**") || strings.Contains(show.Text, "[x](") {
		t.Fatalf("user text must be escaped: %q", show.Text)
	}
	bad := e.answer("anaid", "/getback", `add @nobody "x"`, nil)
	if !strings.Contains(bad.Text, "I don't know @\u200bnobody") {
		t.Fatalf("unknown user: %q", bad.Text)
	}
}

func TestDialogOpenValidateSubmit(t *testing.T) {
	e := newEnv(t)
	code, body := e.command("anaid", "/meeting", "add", nil)
	if code != 200 || strings.TrimSpace(body) != "{}" {
		t.Fatalf("ack: %d %q", code, body)
	}
	opens := e.waitFor(http.MethodPost, "/api/v4/actions/dialogs/open", 1)
	var req model.OpenDialogRequest
	json.Unmarshal(opens[0].Body, &req)
	if req.TriggerId != "trig"+strconv.Itoa(trigger) || req.URL != "http://getback.test/mattermost/dialogs" || len(req.Dialog.Elements) != 13 {
		t.Fatalf("dialog request: %+v", req)
	}
	if err := req.Dialog.IsValid(); err != nil {
		t.Fatalf("Mattermost would refuse the dialog: %v", err)
	}
	// The meeting date and the next engagement are date pickers, bounded
	// around the caller's today.
	la, _ := time.LoadLocation("America/Los_Angeles")
	today := bot.DateOf(e.Clock.Now().In(la))
	for _, el := range req.Dialog.Elements {
		if el.Name != "date" && el.Name != "next" {
			continue
		}
		ahead := 366
		if el.Name == "next" {
			ahead = 732
		}
		if el.Type != "date" || el.MinDate != today.AddDays(-366).String() || el.MaxDate != today.AddDays(ahead).String() {
			t.Errorf("%s element: %s %s..%s", el.Name, el.Type, el.MinDate, el.MaxDate)
		}
	}
	submit := func(user string, values map[string]any, state string) (int, string) {
		return e.postJSON("/mattermost/dialogs", model.SubmitDialogRequest{Type: "dialog_submission", CallbackId: req.Dialog.CallbackId,
			State: state, UserId: user, ChannelId: "chan1", TeamId: "team1", Submission: values})
	}
	code, body = submit("anaid", map[string]any{"state": nil, "date": "someday", "discussion": "talked"}, req.Dialog.State)
	var resp model.SubmitDialogResponse
	json.Unmarshal([]byte(body), &resp)
	if code != 200 || resp.Errors["state"] == "" || resp.Errors["date"] == "" {
		t.Fatalf("field errors: %d %s", code, body)
	}
	if e.Meetings("mattermost:team1") != 0 {
		t.Fatal("an invalid submission was saved")
	}
	// Forged submissions: another user, a tampered state, an expired one.
	for name, tc := range map[string]struct{ user, state string }{
		"other user":     {"bobid", req.Dialog.State},
		"tampered state": {"anaid", strings.Replace(req.Dialog.State, "meeting.add", "meeting.edit:1", 1)},
		"no state":       {"anaid", ""},
	} {
		if code, _ := submit(tc.user, map[string]any{"state": "Guam"}, tc.state); code != http.StatusUnauthorized {
			t.Errorf("%s: %d, want 401", name, code)
		}
	}
	opened := e.Clock.Now()
	e.Clock.Advance(25 * time.Hour)
	if code, _ := submit("anaid", map[string]any{"state": "Guam"}, req.Dialog.State); code != http.StatusUnauthorized {
		t.Errorf("expired state: %d", code)
	}
	e.Clock.Set(opened)
	code, body = submit("anaid", map[string]any{"state": "Guam", "date": "2026-11-24", "poc": "bobid", "region": ""}, req.Dialog.State)
	if code != 200 || strings.TrimSpace(body) != "{}" {
		t.Fatalf("valid submission: %d %s", code, body)
	}
	m, err := e.DB.FindMeetingByID(context.Background(), "mattermost:team1", 1)
	if err != nil || m.StateList() != "Guam" || m.POC != "bobid" {
		t.Fatalf("saved: %+v %v", m, err)
	}
	posts := e.waitFor(http.MethodPost, "/api/v4/posts", 1)
	var post model.Post
	json.Unmarshal(posts[0].Body, &post)
	if post.ChannelId != "dm_anaid" || !strings.Contains(post.Message, "Logged meeting #1") {
		t.Fatalf("confirmation DM: %s", posts[0].Body)
	}
}

// clickable returns the actions of a recorded post.
func clickable(t *testing.T, body []byte) []*model.PostAction {
	var post model.Post
	if err := json.Unmarshal(body, &post); err != nil {
		t.Fatal(err)
	}
	var acts []*model.PostAction
	for _, att := range post.Attachments() {
		acts = append(acts, att.Actions...)
	}
	return acts
}

func TestButtonsUpdateThePostAndForgeriesAreRefused(t *testing.T) {
	e := newEnv(t)
	e.answer("anaid", "/getback", `add @bob "send the contact list" due:friday`, nil)
	e.answer("anaid", "/getback", `add @bob "share the guide"`, nil)
	p, _ := e.DB.FindPerson(context.Background(), "mattermost:team1", "bobid")
	rep, _, _ := (&bot.Reporter{Store: e.DB}).Reminder(context.Background(), p, bot.Date{Year: 2026, Month: 11, Day: 26})
	ref, err := e.a.Post(context.Background(), bot.Target{Workspace: "mattermost:team1", User: "bobid"}, rep)
	if err != nil {
		t.Fatal(err)
	}
	if ref.Channel != "dm_bobid" {
		t.Fatalf("DM channel %q", ref.Channel)
	}
	posts := e.mm.Calls(http.MethodPost, "/api/v4/posts")
	acts := clickable(t, posts[len(posts)-1].Body)
	if len(acts) != 8 || acts[0].Integration.URL != "http://getback.test/mattermost/actions" || acts[3].DataSource != model.PostActionDataSourceUsers {
		t.Fatalf("actions: %d %+v", len(acts), acts[0])
	}
	for _, a := range acts {
		if err := a.IsValid(); err != nil {
			t.Fatalf("Mattermost would refuse action %+v: %v", a, err)
		}
	}
	click := func(user string, ctxt map[string]any) (int, model.PostActionIntegrationResponse) {
		trigger++
		code, body := e.postJSON("/mattermost/actions", model.PostActionIntegrationRequest{UserId: user, ChannelId: ref.Channel,
			PostId: ref.ID, TriggerId: "click" + string(rune('a'+trigger)), Context: ctxt})
		var resp model.PostActionIntegrationResponse
		json.Unmarshal([]byte(body), &resp)
		return code, resp
	}
	done := acts[0].Integration.Context
	code, resp := click("bobid", done)
	if code != 200 || resp.Update == nil || !strings.Contains(resp.Update.Message, "you owe 1 getback") || !resp.SkipSlackParsing {
		t.Fatalf("click: %d %+v", code, resp)
	}
	id := done["value"].(string)
	if g, _ := e.DB.FindGetbackByID(context.Background(), "mattermost:team1", atoi(id)); g.Status != bot.StatusDone {
		t.Fatal("the click did not close the item")
	}
	// A forged click: the value changed, the signature kept; or no signature.
	forged := map[string]any{}
	for k, v := range acts[4].Integration.Context {
		forged[k] = v
	}
	forged["value"] = "1"
	if code, _ := click("bobid", forged); code != http.StatusUnauthorized {
		t.Fatalf("tampered context: %d", code)
	}
	forged["value"], forged["ws"] = acts[4].Integration.Context["value"], "mattermost:otherteam"
	if code, _ := click("bobid", forged); code != http.StatusUnauthorized {
		t.Fatalf("another workspace: %d", code)
	}
	delete(forged, "sig")
	if code, _ := click("bobid", forged); code != http.StatusUnauthorized {
		t.Fatalf("unsigned context: %d", code)
	}
	// A genuine button pressed by someone who may not: refused, unchanged.
	e.mm.SetUser(&model.User{Id: "eveid", Username: "eve"})
	code, resp = click("eveid", acts[5].Integration.Context)
	if code != 200 || !strings.Contains(resp.EphemeralText, "Only the owner") || resp.Update != nil {
		t.Fatalf("refused click: %d %+v", code, resp)
	}
	if g, _ := e.DB.FindGetbackByID(context.Background(), "mattermost:team1", atoi(acts[5].Integration.Context["value"].(string))); !g.SnoozedUntil.IsZero() {
		t.Fatal("a refused click changed the item")
	}
	// Reassign through the user picker.
	sel := map[string]any{}
	for k, v := range acts[7].Integration.Context {
		sel[k] = v
	}
	sel["selected_option"] = "anaid"
	code, resp = click("bobid", sel)
	if code != 200 || resp.Update == nil || !strings.Contains(resp.Update.Message, "you owe") {
		t.Fatalf("reassign: %d %+v", code, resp)
	}
	g2, _ := e.DB.FindGetbackByID(context.Background(), "mattermost:team1", atoi(acts[7].Integration.Context["value"].(string)))
	if g2.Owner != "anaid" {
		t.Fatalf("reassigned to %q", g2.Owner)
	}
}

func atoi(s string) int64 {
	var n int64
	for _, c := range s {
		n = n*10 + int64(c-'0')
	}
	return n
}

func TestRateLimitsAndLookups(t *testing.T) {
	e := newEnv(t)
	e.mm.RateLimit(1)
	_, err := e.a.Post(context.Background(), bot.Target{Workspace: "mattermost:team1", Channel: "chan9"}, bot.Reply{Text: "hi"})
	var se *bot.SendError
	if !errors.As(err, &se) || se.RetryAfter != 3*time.Second {
		t.Fatalf("429: %v", err)
	}
	if _, err := e.a.Post(context.Background(), bot.Target{Workspace: "mattermost:team1", Channel: "chan9"}, bot.Reply{Text: "hi"}); err != nil {
		t.Fatal(err)
	}
	if _, err := e.a.LookupUser(context.Background(), "mattermost:team1", "ghost"); bot.ErrorCode(err) != bot.ENOTFOUND {
		t.Fatalf("unknown user: %v", err)
	}
	u, err := e.a.LookupUser(context.Background(), "mattermost:team1", "bossid")
	if err != nil || !u.Admin || u.TZ != "" {
		t.Fatalf("system admin: %+v %v", u, err)
	}
	ch, err := e.a.FindChannel(context.Background(), "mattermost:team1", "region-9")
	if err != nil || ch.ID != "chan9" {
		t.Fatalf("channel: %+v %v", ch, err)
	}
	if n := len(e.mm.Calls(http.MethodPost, "/api/v4/channels/chan9/members")); n != 0 {
		t.Fatalf("finding a channel joined it (%d calls)", n)
	}
	if err := e.a.JoinChannel(context.Background(), "mattermost:team1", ch); err != nil {
		t.Fatal(err)
	}
	if len(e.mm.Calls(http.MethodPost, "/api/v4/channels/chan9/members")) != 1 {
		t.Fatal("getback should join the digest channel")
	}
	if _, err := e.a.FindChannel(context.Background(), "mattermost:team1", "nowhere"); bot.ErrorCode(err) != bot.ENOTFOUND {
		t.Fatalf("unknown channel: %v", err)
	}
	if err := e.a.Ping(context.Background()); err != nil {
		t.Fatal(err)
	}
	// Permanent failures are not retried.
	if err := sendError(&model.Response{StatusCode: 403}, errors.New("forbidden")); !errors.As(err, &se) || !se.Permanent {
		t.Fatalf("403: %v", err)
	}
	if err := sendError(&model.Response{StatusCode: 502}, errors.New("bad gateway")); !errors.As(err, &se) || se.Permanent {
		t.Fatalf("502: %v", err)
	}
}

func TestBusyAdapterAnswersInline(t *testing.T) {
	e := newEnv(t)
	defer e.a.work.Fill()()
	code, body := e.command("anaid", "/getback", "remind", nil)
	var cr model.CommandResponse
	json.Unmarshal([]byte(body), &cr)
	if code != 200 || !strings.Contains(cr.Text, "Your daily reminder comes at 09:00") {
		t.Fatalf("inline: %d %s", code, body)
	}
}

func TestInterruptedPostsAreNotRepeated(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	s := e.Sender()

	// A reminder DM is created but the answer is lost; the retry finds it
	// by its delivery key and records it instead of posting again.
	e.mm.LoseReplies(1)
	reminder := &bot.OutboxItem{Key: "reminder:bobid:2026-11-26", Target: bot.Target{Workspace: "mattermost:team1", User: "bobid"},
		Reply: bot.Reply{Text: "you owe 1"}, NextAttempt: e.Clock.Now()}
	e.Enqueue(reminder)
	e.DrainAfterALostAnswer(s, reminder, func() int { return len(e.mm.Calls(http.MethodPost, "/api/v4/posts")) })
	posts := e.mm.Calls(http.MethodPost, "/api/v4/posts")
	if len(posts) != 1 {
		t.Fatalf("the reminder was posted %d times", len(posts))
	}
	var p model.Post
	json.Unmarshal(posts[0].Body, &p)
	if p.GetProp("getback_delivery") != "reminder:bobid:2026-11-26#0" || p.ChannelId != "dm_bobid" {
		t.Fatalf("post: %s %v", p.ChannelId, p.GetProps())
	}
	if len(e.mm.Calls(http.MethodGet, "/api/v4/channels/dm_bobid/posts")) != 1 {
		t.Fatal("the retry did not look for the interrupted post")
	}
	items, _ := e.DB.FindOutbox(ctx, bot.OutboxFilter{})
	if items[0].Status != bot.OutboxSent || items[0].Ref.ID != e.mm.Posts()[0].Id {
		t.Fatalf("recorded: %+v", items[0])
	}

	// A post that never arrived is sent after the check.
	digest := &bot.OutboxItem{Key: "digest:r9:2026-W48", Target: bot.Target{Workspace: "mattermost:team1", Channel: "chan9"},
		Reply: bot.Reply{Text: "digest"}, NextAttempt: e.Clock.Now()}
	e.Enqueue(digest)
	e.MarkAttempted(digest)
	if n, err := s.Drain(ctx); n != 1 || err != nil {
		t.Fatalf("drain: %d %v", n, err)
	}
	if n := len(e.mm.Calls(http.MethodPost, "/api/v4/posts")); n != 2 {
		t.Fatalf("%d posts, want the digest posted once", n)
	}
}

// TestHostileTextIsInert stores Mattermost markup (broadcast mentions, a
// disguised link, an image, emphasis, a heading) in every free-text field
// and in a getback, then shows them through command answers, a list, a
// search and a posted DM: no mention may fire anywhere, and no markup may
// render in the markdown fields (attachment fallbacks are plain text).
func TestHostileTextIsInert(t *testing.T) {
	e := newEnv(t)
	const evil = "@channel @here @all @boss **bold** [click me](https://evil.example) ![x](https://evil.example/p.png) <b>"
	var fields []string
	for _, f := range []string{"location", "poc", "attendees", "discussion", "concerns", "followup", "awareness", "action", "next", "notes"} {
		fields = append(fields, fmt.Sprintf(`%s:"%s"`, f, evil))
	}
	e.answer("anaid", "/meeting", "add state:Nevada date:2026-11-20 "+strings.Join(fields, " "), nil)
	e.answer("anaid", "/getback", `add @bob "# `+evil+`" due:friday`, url.Values{"user_mentions": {"bob"}, "user_mentions_ids": {"bobid"}})
	if m, _ := e.DB.FindMeetingByID(context.Background(), "mattermost:team1", 1); m.Notes != evil {
		t.Fatalf("stored %q", m.Notes)
	}
	var markdown, plain []string
	attachments := func(as []*model.SlackAttachment) {
		for _, a := range as {
			markdown = append(markdown, a.Text, a.Pretext, a.Title)
			plain = append(plain, a.Fallback)
			for _, f := range a.Fields {
				markdown = append(markdown, fmt.Sprint(f.Value))
			}
		}
	}
	for _, cmd := range [][2]string{{"/meeting", "show 1"}, {"/getback", "list"}, {"/meeting", "search click"}} {
		cr := e.answer("bobid", cmd[0], cmd[1], nil)
		markdown = append(markdown, cr.Text)
		attachments(cr.Attachments)
	}
	p, _ := e.DB.FindPerson(context.Background(), "mattermost:team1", "bobid")
	rep, _, _ := (&bot.Reporter{Store: e.DB}).Reminder(context.Background(), p, bot.Date{Year: 2026, Month: 11, Day: 26})
	if _, err := e.a.Post(context.Background(), bot.Target{Workspace: "mattermost:team1", User: "bobid"}, rep); err != nil {
		t.Fatal(err)
	}
	posted := e.mm.Posts()[0]
	markdown = append(markdown, posted.Message)
	attachments(posted.Attachments())

	rendered := regexp.MustCompile(`(^|[^\\])(\*\*bold|\]\(https|<b>)|(?m)^#`)
	shown := 0
	for i, s := range append(markdown, plain...) {
		for _, m := range []string{"@channel", "@here", "@all", "@boss"} {
			if strings.Contains(s, m) {
				t.Errorf("text %d would notify %s: %q", i, m, s)
			}
		}
		if i < len(markdown) && rendered.MatchString(s) {
			t.Errorf("markdown %d renders user markup %q: %q", i, rendered.FindString(s), s)
		}
		shown += strings.Count(s, "@\u200bchannel")
	}
	if shown < 8 {
		t.Fatalf("the text is not shown (escaped) in every output: %d times in %q", shown, markdown)
	}
}

// TestPermissionsThroughMattermost runs every permission rule as
// Mattermost users: a refused command gets the rule as its answer and
// changes nothing; the right people (a system admin among them) succeed.
func TestPermissionsThroughMattermost(t *testing.T) {
	e := newEnv(t)
	e.mm.SetUser(&model.User{Id: "eveid", Username: "eve", Timezone: model.StringMap{}})
	u := commandstest.Users{Creator: "anaid", Owner: "bobid", Stranger: "eveid", Admin: "bossid",
		Mention: func(id string) string { return "@" + strings.TrimSuffix(id, "id") }}
	mention := regexp.MustCompile(`@(\w+)`)
	commandstest.Check(t, e.DB, "mattermost:team1", u, func(c commandstest.Case) string {
		var extra url.Values
		if m := mention.FindStringSubmatch(c.Text); m != nil { // as Mattermost sends mentions
			extra = url.Values{"user_mentions": {m[1]}, "user_mentions_ids": {m[1] + "id"}}
		}
		return e.answer(c.Actor, c.Command, c.Text, extra).Text
	})
}
