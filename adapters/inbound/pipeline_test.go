package inbound

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/getbackhq/getback/bot"
	"github.com/getbackhq/getback/commands"
)

// commandLayer stands in for the command layer: it records what it was
// asked and answers each command with its text, after release is closed
// when one is set.
type commandLayer struct {
	mu       sync.Mutex
	calls    []commands.Call
	acts     []commands.Action
	messages []commands.Message
	changed  []bot.User
	release  chan struct{}
	queue    bool
}

func (c *commandLayer) Run(ctx context.Context, call commands.Call) bot.Reply {
	c.mu.Lock()
	c.calls = append(c.calls, call)
	release := c.release
	c.mu.Unlock()
	if release != nil {
		<-release
	}
	return bot.Reply{Text: "ran " + call.Text, Error: strings.HasPrefix(call.Text, "bad")}
}

func (c *commandLayer) Act(ctx context.Context, a commands.Action) commands.ActionResult {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.acts = append(c.acts, a)
	return commands.ActionResult{Notice: "did " + a.Name + " as " + a.Call.User.ID}
}

func (c *commandLayer) Submit(ctx context.Context, s commands.Submission) (bot.Reply, error) {
	if s.Values["state"] == "" {
		return bot.Reply{}, &bot.Error{Code: bot.EINVALID, Message: "Give a state.", Fields: map[string]string{"state": "Required."}}
	}
	if s.Values["state"] == "Atlantis" {
		return bot.Reply{}, bot.Errorf(bot.EINVALID, "No such state.")
	}
	return bot.Reply{Text: "logged"}, nil
}

func (c *commandLayer) Answer(ctx context.Context, m commands.Message) (bot.Reply, bool, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.messages = append(c.messages, m)
	return bot.Reply{Text: "help"}, c.queue, nil
}

func (c *commandLayer) UserChanged(ctx context.Context, ws string, u bot.User) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.changed = append(c.changed, u)
	return nil
}

func (c *commandLayer) ran() []commands.Call {
	c.mu.Lock()
	defer c.mu.Unlock()
	return append([]commands.Call(nil), c.calls...)
}

// directory knows one user, ana, as an admin in Honolulu.
type directory struct{}

func (directory) LookupUser(ctx context.Context, ws, id string) (bot.User, error) {
	if id == "UANA" {
		return bot.User{ID: id, Name: "ana", TZ: "Pacific/Honolulu", Admin: true}, nil
	}
	return bot.User{}, bot.Errorf(bot.ENOTFOUND, "No user %s.", id)
}

type observation struct {
	command, outcome string
}

func newPipeline(t *testing.T) (*Pipeline, *commandLayer, *[]observation) {
	t.Helper()
	cl := &commandLayer{}
	var mu sync.Mutex
	var seen []observation
	q := NewQueue(2, 16)
	q.Quiet, q.Alone = time.Millisecond, time.Millisecond
	p := &Pipeline{Platform: "test", Commands: cl, Users: directory{}, Work: q, AckWithin: time.Minute,
		Log: slog.New(slog.NewTextHandler(io.Discard, nil)),
		Observe: func(command string, took time.Duration, outcome string) {
			mu.Lock()
			defer mu.Unlock()
			seen = append(seen, observation{command, outcome})
		}}
	t.Cleanup(q.Wait)
	return p, cl, &seen
}

// answers records how a command was answered: in the request, or later.
type answers struct {
	mu    sync.Mutex
	now   []string
	later []string
	late  []bool
	done  chan struct{}
}

func (a *answers) command(call commands.Call, trigger string) Command {
	a.done = make(chan struct{}, 8)
	return Command{Call: call, Trigger: trigger,
		Answer: func(ctx context.Context, rep bot.Reply) any {
			a.mu.Lock()
			defer a.mu.Unlock()
			a.now = append(a.now, rep.Text)
			return rep.Text
		},
		Later: func(ctx context.Context, rep bot.Reply, late bool) {
			a.mu.Lock()
			a.later, a.late = append(a.later, rep.Text), append(a.late, late)
			a.mu.Unlock()
			a.done <- struct{}{}
		}}
}

func TestAReadIsAcknowledgedAtOnceAndAnsweredLaterAWriteInItsRequest(t *testing.T) {
	p, cl, seen := newPipeline(t)
	var a answers
	read := commands.Call{Workspace: "test:T1", User: bot.User{ID: "UANA", Name: "ana"}, Command: "/getback", Text: "list mine"}
	if got := p.Handle(context.Background(), a.command(read, "t1")); got != nil {
		t.Fatalf("a read answered %v in its request, want an empty acknowledgement", got)
	}
	<-a.done
	if len(a.later) != 1 || a.later[0] != "ran list mine" || a.late[0] || len(a.now) != 0 {
		t.Fatalf("read: later %v (late %v), now %v", a.later, a.late, a.now)
	}
	write := read
	write.Text = `add @bob "send the agenda"`
	if got := p.Handle(context.Background(), a.command(write, "t2")); got != `ran add @bob "send the agenda"` {
		t.Fatalf("a write answered %v in its request", got)
	}
	calls := cl.ran()
	if len(calls) != 2 || calls[0].User.TZ != "Pacific/Honolulu" || !calls[0].User.Admin {
		t.Fatalf("the commands ran as %+v, want the caller as the platform describes them", calls)
	}
	p.Work.Wait()
	if len(*seen) != 2 || (*seen)[0] != (observation{"getback list", "ok"}) || (*seen)[1] != (observation{"getback add", "ok"}) {
		t.Fatalf("observed %v", *seen)
	}
}

func TestAReplayedTriggerRunsOnce(t *testing.T) {
	p, cl, _ := newPipeline(t)
	var a answers
	for _, text := range []string{"list mine", "add @bob x"} {
		call := commands.Call{Workspace: "test:T1", User: bot.User{ID: "UANA"}, Command: "/getback", Text: text}
		for range 3 {
			p.Handle(context.Background(), a.command(call, "trigger-"+text))
		}
	}
	p.Work.Wait()
	if calls := cl.ran(); len(calls) != 2 {
		t.Fatalf("three deliveries each of two commands ran %d times, want once each", len(calls))
	}
	if _, ok := p.Act(context.Background(), "click-1", commands.Action{Name: "done"}); !ok {
		t.Fatal("a first click was not run")
	}
	if _, ok := p.Act(context.Background(), "click-1", commands.Action{Name: "done"}); ok || len(cl.acts) != 1 {
		t.Fatalf("a replayed click ran again: %d runs", len(cl.acts))
	}
}

func TestACommandOutrunningAckWithinIsAnsweredLater(t *testing.T) {
	p, cl, seen := newPipeline(t)
	p.AckWithin = time.Millisecond
	cl.release = make(chan struct{})
	var a answers
	call := commands.Call{Workspace: "test:T1", User: bot.User{ID: "UANA"}, Command: "/getback", Text: "add @bob slow"}
	if got := p.Handle(context.Background(), a.command(call, "")); got != nil {
		t.Fatalf("a slow write answered %v in its request, want an acknowledgement", got)
	}
	close(cl.release)
	<-a.done
	if len(a.later) != 1 || !a.late[0] || len(a.now) != 0 {
		t.Fatalf("slow write: later %v (late %v), now %v", a.later, a.late, a.now)
	}
	p.Work.Wait()
	if len(*seen) != 1 || (*seen)[0].outcome != "late" {
		t.Fatalf("observed %v", *seen)
	}
}

func TestAFullQueueOrInlineAnswersReadsInTheirRequest(t *testing.T) {
	p, _, _ := newPipeline(t)
	var a answers
	call := commands.Call{Workspace: "test:T1", User: bot.User{ID: "UANA"}, Command: "/getback", Text: "bad list"}
	release := p.Work.Fill()
	if got := p.Handle(context.Background(), a.command(call, "")); got != "ran bad list" {
		t.Fatalf("with the queue full a read answered %v", got)
	}
	release()
	p.Inline = true
	if got := p.Handle(context.Background(), a.command(call, "")); got != "ran bad list" {
		t.Fatalf("inline, a read answered %v", got)
	}
}

func TestTheCallerIsWhoTheDeliverySaysWhenThePlatformDoesNotAnswer(t *testing.T) {
	p, _, _ := newPipeline(t)
	if u := p.Caller(context.Background(), "test:T1", "UGHOST", "ghost"); u.ID != "UGHOST" || u.Name != "ghost" || u.Admin {
		t.Fatalf("unknown caller: %+v", u)
	}
	res, _ := p.Act(context.Background(), "", commands.Action{Call: commands.Call{User: bot.User{ID: "UANA"}}, Name: "done"})
	if res.Notice != "did done as UANA" {
		t.Fatalf("act: %+v", res)
	}
}

func TestASubmissionsErrorGoesToItsFieldsOrTheWholeForm(t *testing.T) {
	p, _, _ := newPipeline(t)
	ctx := context.Background()
	if rep, user, err := p.Submit(ctx, commands.Submission{Call: commands.Call{User: bot.User{ID: "UANA"}},
		Values: map[string]string{"state": "Nevada"}}); err != nil || rep.Text != "logged" || user.Name != "ana" {
		t.Fatalf("submit: %+v %+v %v", rep, user, err)
	}
	_, _, err := p.Submit(ctx, commands.Submission{Values: map[string]string{}})
	if fields, whole := FieldErrors(err); fields["state"] != "Required." || whole != "" {
		t.Fatalf("field error: %v %q", fields, whole)
	}
	_, _, err = p.Submit(ctx, commands.Submission{Values: map[string]string{"state": "Atlantis"}})
	if fields, whole := FieldErrors(err); fields != nil || whole != "No such state." {
		t.Fatalf("form error: %v %q", fields, whole)
	}
	if fields, whole := FieldErrors(errors.Join(errors.New("while saving"), err)); fields != nil || whole == "" {
		t.Fatalf("wrapped error: %v %q", fields, whole)
	}
}

func TestAMessageIsQueuedOrPostedAndAProfileChangePassedOn(t *testing.T) {
	p, cl, _ := newPipeline(t)
	ctx := context.Background()
	var posted []string
	post := func(ctx context.Context, rep bot.Reply) error { posted = append(posted, rep.Text); return nil }
	cl.queue = true
	p.Message(ctx, commands.Message{Key: "dm:1", Text: "help"}, post)
	if len(cl.messages) != 1 || len(posted) != 0 {
		t.Fatalf("queued answer: %d messages, posted %v", len(cl.messages), posted)
	}
	cl.queue = false
	p.Message(ctx, commands.Message{Key: "dm:2", Text: "help"}, post)
	if len(posted) != 1 || posted[0] != "help" {
		t.Fatalf("without an outbox the answer is posted: %v", posted)
	}
	p.UserChanged(ctx, "test:T1", bot.User{ID: "UANA", TZ: "Europe/Paris"})
	if len(cl.changed) != 1 || cl.changed[0].TZ != "Europe/Paris" {
		t.Fatalf("profile change: %+v", cl.changed)
	}
}

func TestABodyTooLargeOrUnreadableIsRefused(t *testing.T) {
	for _, tc := range []struct {
		body   string
		status int
	}{{strings.Repeat("x", 64), http.StatusRequestEntityTooLarge}, {"short", http.StatusOK}} {
		w := httptest.NewRecorder()
		r := httptest.NewRequest(http.MethodPost, "/", strings.NewReader(tc.body))
		body, status, err := ReadBody(w, r, 16)
		if status != tc.status || (err == nil) != (tc.status == http.StatusOK) {
			t.Fatalf("%d bytes: status %d err %v", len(tc.body), status, err)
		}
		if err == nil && string(body) != tc.body {
			t.Fatalf("body %q", body)
		}
		if err != nil {
			Refuse(w, status)
			if w.Code != status || !strings.Contains(w.Body.String(), "too large") {
				t.Fatalf("refusal: %d %q", w.Code, w.Body.String())
			}
		}
	}
}
