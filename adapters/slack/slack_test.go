package slack

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/getbackhq/getback/bot"
	"github.com/getbackhq/getback/commands/commandstest"
)

func TestSignatureChecks(t *testing.T) {
	e := newEnv(t)
	form := url.Values{"team_id": {"T1"}, "user_id": {"UANA"}, "command": {"/meeting"}, "text": {"add state:Nevada"},
		"trigger_id": {"t-forged"}, "channel_id": {"C1"}}.Encode()
	for name, tamper := range map[string]func(h http.Header){
		"missing signature": func(h http.Header) { h.Del("X-Slack-Signature") },
		"wrong signature":   func(h http.Header) { h.Set("X-Slack-Signature", "v0="+strings.Repeat("ab", 32)) },
		"stale timestamp": func(h http.Header) {
			old := time.Now().Add(-10 * time.Minute).Unix()
			h.Set("X-Slack-Request-Timestamp", strconv.FormatInt(old, 10))
			h.Set("X-Slack-Signature", sign(old, form))
		},
		"missing timestamp": func(h http.Header) { h.Del("X-Slack-Request-Timestamp") },
	} {
		for _, path := range []string{"/slack/commands", "/slack/interactivity", "/slack/events"} {
			resp, _ := e.post(path, form, tamper)
			if resp.StatusCode != http.StatusUnauthorized {
				t.Errorf("%s on %s: %d, want 401", name, path, resp.StatusCode)
			}
		}
	}
	// A body signed with one content and sent with another is forged too.
	resp, _ := e.post("/slack/commands", form, func(h http.Header) {
		ts := time.Now().Unix()
		h.Set("X-Slack-Request-Timestamp", strconv.FormatInt(ts, 10))
		h.Set("X-Slack-Signature", sign(ts, strings.Replace(form, "Nevada", "Oregon", 1)))
	})
	if resp.StatusCode != http.StatusUnauthorized {
		t.Fatalf("tampered body: %d", resp.StatusCode)
	}
	if n := e.Meetings("slack:T1"); n != 0 || len(e.slack.Calls("")) != 0 {
		t.Fatalf("forged requests changed something: %d meetings, %d API calls", n, len(e.slack.Calls("")))
	}
	big := strings.Repeat("x", 300<<10)
	for _, path := range []string{"/slack/commands", "/slack/interactivity", "/slack/events"} {
		if resp, _ := e.post(path, big, nil); resp.StatusCode != http.StatusRequestEntityTooLarge {
			t.Fatalf("oversized body to %s: %d", path, resp.StatusCode)
		}
	}
}

func TestSlashCommandAnswersAndDedupe(t *testing.T) {
	e := newEnv(t)
	msg := e.answer("UANA", "/meeting", `add state:Nevada date:2026-11-20 followup:"GETBACK (1): send the list. <@UBOB|bob> FORAC."`)
	blocks, _ := msg["blocks"].([]any)
	if msg["response_type"] != "ephemeral" || !strings.HasPrefix(msg["text"].(string), "Logged meeting #1: Nevada, 2026-11-20 (Region 9).") || len(blocks) == 0 {
		t.Fatalf("answer: %v", msg)
	}
	g, err := e.DB.FindGetbackByID(context.Background(), "slack:T1", 1)
	if err != nil || g.Owner != "UBOB" {
		t.Fatalf("getback from <@UBOB|bob>: %+v %v", g, err)
	}
	p, _ := e.DB.FindPerson(context.Background(), "slack:T1", "UANA")
	if p == nil || p.TZ != "America/Los_Angeles" || p.Name != "Ana" {
		t.Fatalf("caller's time zone from users.info: %+v", p)
	}

	// The same delivery again (same trigger_id) is processed once.
	form := url.Values{"team_id": {"T1"}, "user_id": {"UANA"}, "command": {"/meeting"}, "text": {"add state:Guam"},
		"trigger_id": {"dup-1"}, "channel_id": {"C1"}, "response_url": {e.slack.URL + "/response/x"}}.Encode()
	if _, body := e.post("/slack/commands", form, nil); !strings.Contains(body, "Logged meeting #2") {
		t.Fatalf("first delivery: %q", body)
	}
	resp, body := e.post("/slack/commands", form, func(h http.Header) { h.Set("X-Slack-Retry-Num", "1") })
	if resp.StatusCode != 200 || body != "" {
		t.Fatalf("duplicate: %d %q", resp.StatusCode, body)
	}
	e.a.Wait()
	if n := e.Meetings("slack:T1"); n != 2 {
		t.Fatalf("%d meetings, want 2", n)
	}

	raw, _ := json.Marshal(e.answer("UANA", "/meeting", "add stat:Nevada"))
	if !strings.Contains(string(raw), "did you mean 'state'?") || !strings.Contains(string(raw), "Usage: /meeting add") {
		t.Fatalf("error answer: %s", raw)
	}
	if text := e.answerText("UANA", "/getback", `add <@UNOBODY|ghost> "x"`); !strings.Contains(text, "I don't know") {
		t.Fatalf("unknown user: %s", text)
	}
}

func TestBusyAdapterAnswersInline(t *testing.T) {
	e := newEnv(t)
	e.a.pipe.AckWithin = 2 * time.Second
	defer e.a.work.Fill()() // the queue is full
	resp, body := e.command("UANA", "/getback", "remind")
	if resp.StatusCode != 200 || !strings.Contains(body, "Your daily reminder comes at 09:00") {
		t.Fatalf("inline answer: %d %s", resp.StatusCode, body)
	}
	// A slow command (here a write, which always runs in the request) is
	// acknowledged within AckWithin and answered later through
	// response_url.
	e.a.pipe.AckWithin = 50 * time.Millisecond
	e.slack.Slow("users.list", 400*time.Millisecond)
	start := time.Now()
	resp, body = e.command("UANA", "/getback", `add @bob "send the agenda"`)
	if took := time.Since(start); took > 300*time.Millisecond {
		t.Fatalf("the ack took %v", took)
	}
	if resp.StatusCode != 200 || body != "" {
		t.Fatalf("ack: %d %q", resp.StatusCode, body)
	}
	calls := e.waitFor("response/"+strconv.Itoa(triggerSeq), 1)
	if text, _ := calls[0].JSON["text"].(string); !strings.HasPrefix(text, "Added getback #1 for Bob") {
		t.Fatalf("late answer: %v", calls[0].JSON)
	}
}

func TestModalOpenValidateAndSubmit(t *testing.T) {
	e := newEnv(t)
	resp, body := e.command("UANA", "/meeting", "add")
	if resp.StatusCode != 200 || body != "" {
		t.Fatalf("form command answers empty: %d %q", resp.StatusCode, body)
	}
	opens := e.waitFor("views.open", 1)
	if len(opens) != 1 || opens[0].JSON["trigger_id"] != "trig."+strconv.Itoa(triggerSeq) {
		t.Fatalf("views.open: %+v", opens)
	}
	view := opens[0].JSON["view"].(map[string]any)
	blocks := view["blocks"].([]any)
	if view["type"] != "modal" || len(blocks) != 13 || !strings.HasPrefix(view["private_metadata"].(string), "meeting.add\nCGEN") {
		t.Fatalf("modal: %v", view)
	}
	kinds := map[string]string{}
	for _, b := range blocks {
		bm := b.(map[string]any)
		kinds[bm["block_id"].(string)] = bm["element"].(map[string]any)["type"].(string)
	}
	want := map[string]string{"state": "static_select", "date": "datepicker", "poc": "users_select", "discussion": "plain_text_input", "region": "static_select"}
	for k, v := range want {
		if kinds[k] != v {
			t.Errorf("field %s is %s, want %s", k, kinds[k], v)
		}
	}

	submission := func(values map[string]map[string]any) map[string]any {
		return map[string]any{"type": "view_submission", "team": map[string]any{"id": "T1"}, "user": map[string]any{"id": "UANA", "name": "ana"},
			"trigger_id": "sub." + strconv.Itoa(len(values)),
			"view":       map[string]any{"callback_id": formCallback, "private_metadata": "meeting.add\nCGEN", "state": map[string]any{"values": values}}}
	}
	resp, body = e.interact(submission(map[string]map[string]any{
		"state":      {"state": map[string]any{"type": "static_select"}},
		"date":       {"date": map[string]any{"type": "datepicker", "selected_date": "2026-13-40"}},
		"discussion": {"discussion": map[string]any{"type": "plain_text_input", "value": "talked"}},
	}))
	var errs struct {
		Action string            `json:"response_action"`
		Errors map[string]string `json:"errors"`
	}
	json.Unmarshal([]byte(body), &errs)
	if resp.StatusCode != 200 || errs.Action != "errors" || errs.Errors["state"] == "" || errs.Errors["date"] == "" {
		t.Fatalf("field errors: %d %s", resp.StatusCode, body)
	}
	if n := e.Meetings("slack:T1"); n != 0 {
		t.Fatal("an invalid submission was saved")
	}
	resp, body = e.interact(submission(map[string]map[string]any{
		"state":    {"state": map[string]any{"type": "static_select", "selected_option": map[string]any{"value": "Guam"}}},
		"date":     {"date": map[string]any{"type": "datepicker", "selected_date": "2026-11-24"}},
		"poc":      {"poc": map[string]any{"type": "users_select", "selected_user": "UBOB"}},
		"followup": {"followup": map[string]any{"type": "plain_text_input", "value": "GETBACK (1): call back. RD FORAC."}},
	}))
	if resp.StatusCode != 200 || body != "" {
		t.Fatalf("valid submission closes the modal: %d %q", resp.StatusCode, body)
	}
	m, err := e.DB.FindMeetingByID(context.Background(), "slack:T1", 1)
	if err != nil || m.StateList() != "Guam" || m.POC != "UBOB" || m.Date != (bot.Date{Year: 2026, Month: 11, Day: 24}) {
		t.Fatalf("saved: %+v %v", m, err)
	}
	eph := e.waitFor("chat.postEphemeral", 1)
	if eph[0].Form.Get("channel") != "CGEN" || eph[0].Form.Get("user") != "UANA" || !strings.Contains(eph[0].Form.Get("text"), "Logged meeting #1") {
		t.Fatalf("confirmation: %v", eph[0].Form)
	}
}

func TestButtonClickUpdatesTheMessage(t *testing.T) {
	e := newEnv(t)
	e.answer("UANA", "/getback", `add <@UBOB|bob> "send the contact list" due:friday`)
	e.answer("UANA", "/getback", `add <@UBOB|bob> "share the guide"`)
	// The reminder DM, as the outbox would post it.
	p, _ := e.DB.FindPerson(context.Background(), "slack:T1", "UBOB")
	rep, ok, err := (&bot.Reporter{Store: e.DB}).Reminder(context.Background(), p, bot.Date{Year: 2026, Month: 11, Day: 26})
	if err != nil || !ok {
		t.Fatal(err)
	}
	ref, err := e.a.Post(context.Background(), bot.Target{Workspace: "slack:T1", User: "UBOB"}, rep)
	if err != nil {
		t.Fatal(err)
	}
	if open := e.slack.Calls("conversations.open"); len(open) != 1 || open[0].Form.Get("users") != "UBOB" || ref.Channel != "DUBOB" {
		t.Fatalf("DM channel: %+v %v", open, ref)
	}
	posted := e.slack.Calls("chat.postMessage")[0]
	var blocks []map[string]any
	json.Unmarshal([]byte(posted.Form.Get("blocks")), &blocks)
	var doneAction map[string]any
	var blockID string
	for _, b := range blocks {
		if b["type"] == "actions" {
			blockID = b["block_id"].(string)
			doneAction = b["elements"].([]any)[0].(map[string]any)
			break
		}
	}
	if doneAction == nil || !strings.HasPrefix(doneAction["action_id"].(string), bot.ActionDone+"|") || !strings.HasSuffix(blockID, "|"+bot.ViewReminder) {
		t.Fatalf("reminder buttons: %v", blocks)
	}
	click := map[string]any{"type": "block_actions", "team": map[string]any{"id": "T1"}, "user": map[string]any{"id": "UBOB"},
		"trigger_id": "click-1", "channel": map[string]any{"id": ref.Channel}, "response_url": e.slack.URL + "/response/click",
		"container": map[string]any{"type": "message", "message_ts": ref.ID, "channel_id": ref.Channel},
		"actions":   []any{map[string]any{"type": "button", "action_id": doneAction["action_id"], "block_id": blockID, "value": doneAction["value"]}}}
	resp, body := e.interact(click)
	if resp.StatusCode != 200 || body != "" {
		t.Fatalf("click ack: %d %q", resp.StatusCode, body)
	}
	upd := e.waitFor("chat.update", 1)
	if upd[0].Form.Get("channel") != "DUBOB" || upd[0].Form.Get("ts") != ref.ID || !strings.Contains(upd[0].Form.Get("text"), "you owe 1 getback") {
		t.Fatalf("chat.update: %v", upd[0].Form)
	}
	id, _ := strconv.ParseInt(doneAction["value"].(string), 10, 64)
	g, _ := e.DB.FindGetbackByID(context.Background(), "slack:T1", id)
	if g.Status != bot.StatusDone {
		t.Fatalf("the click did not close #%d", id)
	}
	// The same click delivered again changes nothing more.
	e.interact(click)
	time.Sleep(50 * time.Millisecond)
	e.a.Wait()
	if n := len(e.slack.Calls("chat.update")); n != 1 {
		t.Fatalf("a repeated click updated the message %d times", n)
	}

	// Someone else's click is refused, told through response_url, and
	// changes nothing.
	click["user"] = map[string]any{"id": "UANA-not-owner"}
	e.slack.SetUser(map[string]any{"id": "UANA-not-owner", "name": "eve", "profile": map[string]any{}})
	click["trigger_id"] = "click-2"
	act := click["actions"].([]any)[0].(map[string]any)
	act["action_id"] = bot.ActionSnoozeWeek + "|2"
	e.interact(click)
	resps := e.waitFor("response/click", 1)
	if !strings.Contains(resps[0].JSON["text"].(string), "Only the owner of #2") {
		t.Fatalf("refusal: %v", resps[0].JSON)
	}
	if g2, _ := e.DB.FindGetbackByID(context.Background(), "slack:T1", 2); !g2.SnoozedUntil.IsZero() {
		t.Fatal("a refused click changed the item")
	}

	// A click on an ephemeral list replaces it through response_url.
	click["user"] = map[string]any{"id": "UBOB"}
	click["trigger_id"] = "click-3"
	click["response_url"] = e.slack.URL + "/response/list"
	click["container"] = map[string]any{"type": "message", "message_ts": "", "is_ephemeral": true}
	act["action_id"], act["block_id"] = bot.ActionSnoozeDay+"|2", "b0|/getback list mine"
	e.interact(click)
	replaced := e.waitFor("response/list", 1)
	if replaced[0].JSON["replace_original"] != true || !strings.Contains(replaced[0].JSON["text"].(string), "You owe 1 open getback") {
		t.Fatalf("ephemeral update: %v", replaced[0].JSON)
	}
}

func TestPostHonoursRateLimitsAndClassifiesErrors(t *testing.T) {
	e := newEnv(t)
	e.slack.RateLimit("chat.postMessage", 1, 7)
	_, err := e.a.Post(context.Background(), bot.Target{Workspace: "slack:T1", Channel: "C9"}, bot.Reply{Text: "hi"})
	var se *bot.SendError
	if !errors.As(err, &se) || se.RetryAfter != 7*time.Second {
		t.Fatalf("429: %v", err)
	}
	if _, err := e.a.Post(context.Background(), bot.Target{Workspace: "slack:T1", Channel: "C9"}, bot.Reply{Text: "hi"}); err != nil {
		t.Fatalf("after Retry-After: %v", err)
	}
	if err := sendError(errors.New("connection reset")); errors.As(err, &se) && (se.Permanent || se.RetryAfter != 0) {
		t.Fatalf("a network error is transient: %+v", se)
	}
	if _, err := e.a.LookupUser(context.Background(), "slack:T1", "UNOPE"); bot.ErrorCode(err) != bot.ENOTFOUND {
		t.Fatalf("unknown user: %v", err)
	}
	if ch, err := e.a.FindChannel(context.Background(), "slack:T1", "region-9"); err != nil || ch.ID != "C9" {
		t.Fatalf("channel: %v %v", ch, err)
	}
	if _, err := e.a.FindChannel(context.Background(), "slack:T1", "nowhere"); bot.ErrorCode(err) != bot.ENOTFOUND {
		t.Fatalf("unknown channel: %v", err)
	}

	// Through the outbox: the 429 defers the item by Retry-After.
	e.slack.RateLimit("chat.postMessage", 1, 7)
	now := e.Clock.Now()
	before := len(e.slack.Calls("chat.postMessage"))
	if _, err := e.DB.Enqueue(context.Background(), &bot.OutboxItem{Key: "digest:x", Target: bot.Target{Workspace: "slack:T1", Channel: "C9"},
		Reply: bot.Reply{Text: "digest"}, NextAttempt: now}); err != nil {
		t.Fatal(err)
	}
	s := e.Sender()
	if n, err := s.Drain(context.Background()); n != 0 || err != nil {
		t.Fatalf("sent during a 429: %d %v", n, err)
	}
	if tried := len(e.slack.Calls("chat.postMessage")) - before; tried != 1 {
		t.Fatalf("the sender tried %d posts, want the one that was refused", tried)
	}
	items, _ := e.DB.FindOutbox(context.Background(), bot.OutboxFilter{})
	if !items[0].NextAttempt.Equal(now.Add(7*time.Second)) || items[0].Attempts != 0 || items[0].Status != bot.OutboxPending {
		t.Fatalf("deferred: %+v", items[0])
	}
	// Not due again before Retry-After has passed; sent once it has.
	e.Clock.Advance(6 * time.Second)
	if n, _ := s.Drain(context.Background()); n != 0 || len(e.slack.Calls("chat.postMessage"))-before != 1 {
		t.Fatal("retried before Retry-After passed")
	}
	e.Clock.Advance(time.Second)
	if n, err := s.Drain(context.Background()); n != 1 || err != nil {
		t.Fatalf("after Retry-After: %d %v", n, err)
	}
}

func TestLongMessagesAreSplit(t *testing.T) {
	r := bot.Reply{Text: "Region 9 weekly digest"}
	for i := 0; i < 70; i++ {
		r.Blocks = append(r.Blocks, bot.Block{Heading: "State " + strconv.Itoa(i), Text: strings.Repeat("meeting notes ", 40)})
	}
	r.Blocks = append(r.Blocks, bot.Block{Text: strings.Repeat("x", 7000)})
	parts := r.Split(limits)
	total := 0
	for _, p := range parts {
		bs := blocks(p)
		if len(bs) > 50 {
			t.Fatalf("a part renders to %d blocks", len(bs))
		}
		raw, _ := json.Marshal(bs)
		if len(raw) > 16000 {
			t.Fatalf("a part renders to %d bytes of blocks", len(raw))
		}
		for _, b := range p.Blocks {
			if len([]rune(b.Text)) > 3000 {
				t.Fatal("a section over 3,000 characters")
			}
			total += len(b.Text)
		}
	}
	if len(parts) < 3 || total < 70*40*len("meeting notes ")-70*40 {
		t.Fatalf("%d parts, %d characters of text kept", len(parts), total)
	}
}

func TestEvents(t *testing.T) {
	e := newEnv(t)
	resp, body := e.post("/slack/events", `{"token":"x","challenge":"3eZbrw1aBm2rZgRNFdxV2595E9CY3gmdALWMmHkvFXO7tYXAYM8P","type":"url_verification"}`, nil)
	if resp.StatusCode != 200 || body != "3eZbrw1aBm2rZgRNFdxV2595E9CY3gmdALWMmHkvFXO7tYXAYM8P" {
		t.Fatalf("challenge: %d %q", resp.StatusCode, body)
	}
	mention := `{"type":"event_callback","team_id":"T1","event_id":"Ev1","event":{"type":"app_mention","user":"UANA","text":"<@UBOT> hi","channel":"C9","ts":"1.2"}}`
	e.post("/slack/events", mention, nil)
	e.post("/slack/events", mention, func(h http.Header) { h.Set("X-Slack-Retry-Num", "1"); h.Set("X-Slack-Retry-Reason", "http_timeout") })
	items, _ := e.DB.FindOutbox(context.Background(), bot.OutboxFilter{})
	if len(items) != 1 || items[0].Target.Channel != "C9" {
		t.Fatalf("mention replies: %+v", items)
	}
	// A direct message to the bot gets the help; the bot's own messages
	// and edits in the DM do not.
	for i, ev := range []string{
		`{"type":"message","channel_type":"im","channel":"D1","user":"UANA","text":"help","ts":"2.1"}`,
		`{"type":"message","channel_type":"im","channel":"D1","bot_id":"B1","user":"UBOT","text":"reminder","ts":"2.2"}`,
		`{"type":"message","channel_type":"im","channel":"D1","subtype":"message_changed","ts":"2.3"}`,
		`{"type":"message","channel_type":"channel","channel":"C9","user":"UANA","text":"help","ts":"2.4"}`,
	} {
		e.post("/slack/events", fmt.Sprintf(`{"type":"event_callback","team_id":"T1","event_id":"EvDM%d","event":%s}`, i, ev), nil)
	}
	items, _ = e.DB.FindOutbox(context.Background(), bot.OutboxFilter{})
	var dms []*bot.OutboxItem
	for _, it := range items {
		if it.Target.Channel == "D1" {
			dms = append(dms, it)
		}
	}
	if len(items) != 2 || len(dms) != 1 || !strings.Contains(dms[0].Reply.PlainText(), "/getback — Track GETBACK items") ||
		!strings.Contains(dms[0].Reply.PlainText(), "/digest config") {
		t.Fatalf("DM replies: %d items, %+v", len(items), dms)
	}
	// A profile change updates the person's time zone.
	e.answer("UBOB", "/getback", "remind")
	change := `{"type":"event_callback","team_id":"T1","event_id":"Ev2","event":{"type":"user_change","user":{"id":"UBOB","name":"bob","real_name":"Bob Chen","tz":"Pacific/Guam","profile":{"display_name":"Bob"}}}}`
	e.post("/slack/events", change, nil)
	p, _ := e.DB.FindPerson(context.Background(), "slack:T1", "UBOB")
	if p.TZ != "Pacific/Guam" {
		t.Fatalf("tz after user_change: %q", p.TZ)
	}
}

func TestInterruptedPostsAreNotRepeated(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	s := e.Sender()
	pendingStatus := bot.OutboxPending

	// The post takes effect but its answer is lost: the retry finds it in
	// the channel's history instead of posting again.
	e.slack.LoseReplies("chat.postMessage", 1)
	digest := &bot.OutboxItem{Key: "digest:r9:2026-W48", Target: bot.Target{Workspace: "slack:T1", Channel: "C9"},
		Reply: bot.Reply{Text: "digest"}, NextAttempt: e.Clock.Now()}
	e.Enqueue(digest)
	e.DrainAfterALostAnswer(s, digest, func() int { return len(e.slack.Calls("chat.postMessage")) })
	posts := e.slack.Calls("chat.postMessage")
	if len(posts) != 1 {
		t.Fatalf("the digest was posted %d times", len(posts))
	}
	var meta map[string]any
	json.Unmarshal([]byte(posts[0].Form.Get("metadata")), &meta)
	if meta["event_type"] != "getback_delivery" || meta["event_payload"].(map[string]any)["key"] != "digest:r9:2026-W48#0" {
		t.Fatalf("metadata: %v", meta)
	}
	hist := e.slack.Calls("conversations.history")
	if len(hist) != 1 || hist[0].Form.Get("channel") != "C9" || hist[0].Form.Get("include_all_metadata") != "1" {
		t.Fatalf("history: %+v", hist)
	}
	items, _ := e.DB.FindOutbox(ctx, bot.OutboxFilter{})
	if items[0].Status != bot.OutboxSent || items[0].Ref.ID != e.slack.Posted()[0].TS {
		t.Fatalf("recorded: %+v", items[0])
	}

	// getback stopped after marking an attempt. One DM had arrived, the
	// other had not: only the missing one is posted.
	for _, u := range []string{"UANA", "UBOB"} {
		it := &bot.OutboxItem{Key: "reminder:" + u + ":2026-11-26", Target: bot.Target{Workspace: "slack:T1", User: u},
			Reply: bot.Reply{Text: "you owe"}, NextAttempt: e.Clock.Now()}
		e.Enqueue(it)
		e.MarkAttempted(it)
	}
	if _, err := e.a.Post(ctx, bot.Target{Workspace: "slack:T1", User: "UBOB"}, bot.Reply{Text: "you owe", DeliveryKey: "reminder:UBOB:2026-11-26#0"}); err != nil {
		t.Fatal(err)
	}
	before := len(e.slack.Calls("chat.postMessage"))
	if n, err := s.Drain(ctx); n != 2 || err != nil {
		t.Fatalf("drain after restart: %d %v", n, err)
	}
	after := e.slack.Calls("chat.postMessage")[before:]
	if len(after) != 1 || after[0].Form.Get("channel") != "DUANA" {
		t.Fatalf("after restart posted %d: %+v", len(after), after)
	}
	if pending, _ := e.DB.FindOutbox(ctx, bot.OutboxFilter{Status: &pendingStatus}); len(pending) != 0 {
		t.Fatalf("still pending: %+v", pending)
	}
}

// TestHostileTextIsInert stores Slack markup (mentions, broadcasts, a
// disguised link) in every free-text field and in a getback, then shows
// them through every way a message leaves getback: command answers, a
// list, a search and a posted DM. User text must reach Slack either as
// plain_text (shown literally) or escaped in mrkdwn and in the
// notification text, so it can neither ping anyone nor hide a link.
func TestHostileTextIsInert(t *testing.T) {
	e := newEnv(t)
	const evil = `<!channel> <!here> <@UADM> <https://evil.example|click me>`
	var fields []string
	for _, f := range []string{"location", "poc", "attendees", "discussion", "concerns", "followup", "awareness", "action", "next", "notes"} {
		fields = append(fields, fmt.Sprintf(`%s:"%s"`, f, evil))
	}
	e.answer("UANA", "/meeting", "add state:Nevada date:2026-11-20 "+strings.Join(fields, " "))
	e.answer("UANA", "/getback", `add <@UBOB|bob> "`+evil+`" due:friday`)
	m, _ := e.DB.FindMeetingByID(context.Background(), "slack:T1", 1)
	if m.Notes != evil {
		t.Fatalf("stored %q", m.Notes)
	}
	var outs []any
	for _, cmd := range [][2]string{{"/meeting", "show 1"}, {"/getback", "list"}, {"/meeting", "search click"}} {
		outs = append(outs, e.answer("UBOB", cmd[0], cmd[1]))
	}
	p, _ := e.DB.FindPerson(context.Background(), "slack:T1", "UBOB")
	rep, _, _ := (&bot.Reporter{Store: e.DB}).Reminder(context.Background(), p, bot.Date{Year: 2026, Month: 11, Day: 26})
	if _, err := e.a.Post(context.Background(), bot.Target{Workspace: "slack:T1", User: "UBOB"}, rep); err != nil {
		t.Fatal(err)
	}
	post := e.slack.Calls("chat.postMessage")[0].Form
	var blocks []any
	json.Unmarshal([]byte(post.Get("blocks")), &blocks)
	outs = append(outs, map[string]any{"text": post.Get("text"), "blocks": blocks})

	for i, o := range outs {
		shown := 0
		var walk func(v any, parsed bool)
		walk = func(v any, parsed bool) {
			switch x := v.(type) {
			case map[string]any:
				isMrkdwn := x["type"] == "mrkdwn"
				for k, c := range x {
					walk(c, isMrkdwn && k == "text" || k == "text" && x["type"] == nil)
				}
			case []any:
				for _, c := range x {
					walk(c, false)
				}
			case string:
				if parsed {
					for _, bad := range []string{"<!channel>", "<!here>", "<@UADM>", "<https://evil"} {
						if strings.Contains(x, bad) {
							t.Errorf("output %d: %s in text Slack parses: %q", i, bad, x)
						}
					}
					shown += strings.Count(x, "&lt;!channel&gt;")
				} else {
					shown += strings.Count(x, evil)
				}
			}
		}
		walk(o, false)
		if shown == 0 {
			t.Errorf("output %d does not show the text at all: %v", i, o)
		}
	}
}

// TestPermissionsThroughSlack runs every permission rule as Slack users:
// a refused command gets the rule as its answer and changes nothing; the
// right people succeed. Buttons are held to the same rules.
func TestPermissionsThroughSlack(t *testing.T) {
	e := newEnv(t)
	e.slack.SetUser(map[string]any{"id": "UEVE", "name": "eve", "real_name": "Eve", "tz": "UTC", "profile": map[string]any{}})
	u := commandstest.Users{Creator: "UANA", Owner: "UBOB", Stranger: "UEVE", Admin: "UADM",
		Mention: func(id string) string { return fmt.Sprintf("<@%s|%s>", id, strings.ToLower(id[1:])) }}
	clicked := false
	commandstest.Check(t, e.DB, "slack:T1", u, func(c commandstest.Case) string {
		if !clicked && c.Refusal != "" {
			// A stranger's click on the owner's Done button is refused too.
			clicked = true
			e.interact(map[string]any{"type": "block_actions", "team": map[string]any{"id": "T1"}, "user": map[string]any{"id": "UEVE"},
				"trigger_id": "perm-click", "response_url": e.slack.URL + "/response/perm", "container": map[string]any{"type": "message", "is_ephemeral": true},
				"actions": []any{map[string]any{"type": "button", "action_id": bot.ActionDone + "|1", "block_id": "b0|/getback list", "value": "1"}}})
			if r := e.waitFor("response/perm", 1); !strings.Contains(fmt.Sprint(r[0].JSON["text"]), "Only the owner of #1") {
				t.Fatalf("click by a stranger: %v", r[0].JSON)
			}
		}
		return e.answerText(c.Actor, c.Command, c.Text)
	})
}

// TestUnknownUsersAndChannels: a caller Slack does not know (users.info
// fails) is still answered, under their id; naming an unknown user or
// channel gets a clear error and changes nothing.
func TestUnknownUsersAndChannels(t *testing.T) {
	e := newEnv(t)
	if text := e.answerText("UGHOST", "/getback", "list mine"); !strings.Contains(text, "You owe nothing") && !strings.Contains(text, "No ") {
		t.Fatalf("unknown caller: %q", text)
	}
	before, _ := commandstest.Snapshot(context.Background(), e.DB, "slack:T1")
	if text := e.answerText("UANA", "/getback", `add <@UNOBODY|ghost> "x"`); !strings.Contains(text, "I don't know") {
		t.Fatalf("unknown owner: %q", text)
	}
	if text := e.answerText("UADM", "/digest", "config region:9 channel:#nowhere"); !strings.Contains(text, "nowhere") {
		t.Fatalf("unknown channel: %q", text)
	}
	if after, _ := commandstest.Snapshot(context.Background(), e.DB, "slack:T1"); after != before {
		t.Fatalf("an unknown user or channel changed the store:\n%s\n%s", before, after)
	}
}
