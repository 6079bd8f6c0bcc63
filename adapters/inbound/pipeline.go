package inbound

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"maps"
	"net/http"
	"time"

	"github.com/getbackhq/getback/bot"
	"github.com/getbackhq/getback/commands"
)

// Commands is what a chat adapter asks of the command layer: run a command,
// a click, a form, and take the messages and profile changes a platform
// reports. *commands.Runner is one.
type Commands interface {
	Run(ctx context.Context, c commands.Call) bot.Reply
	Act(ctx context.Context, a commands.Action) commands.ActionResult
	Submit(ctx context.Context, s commands.Submission) (bot.Reply, error)
	Answer(ctx context.Context, m commands.Message) (rep bot.Reply, queued bool, err error)
	UserChanged(ctx context.Context, ws string, u bot.User) error
}

// Users looks platform users up by id: the adapter itself, with its cache.
type Users interface {
	LookupUser(ctx context.Context, ws, id string) (bot.User, error)
}

// Deduper remembers deliveries already handled, across every replica that
// shares it (the store).
type Deduper interface {
	FirstSeen(ctx context.Context, key string) (bool, error)
}

// Pipeline is the request path both chat adapters share, from a verified
// and decoded delivery to its answer: who the caller is, whether the
// delivery was seen before, whether a command is answered in its request
// or acknowledged at once and answered later, how long it may run, and
// what is counted. The adapter keeps what is its platform's: verifying and
// decoding requests, rendering replies, and the ways it answers.
type Pipeline struct {
	// Platform names the platform; it prefixes delivery keys and logs.
	Platform string
	Commands Commands
	Users    Users
	// Work runs what follows an acknowledgement.
	Work *Queue
	// Dedupe, when set, remembers delivery keys in the store, so that a
	// replayed delivery runs once on any replica; without it Recent does,
	// in this process.
	Dedupe Deduper
	Recent Recent
	// AckWithin bounds how long a command runs in its request before it
	// is acknowledged and answered later.
	AckWithin time.Duration
	// Inline answers reads in their request too, when they finish within
	// AckWithin.
	Inline bool
	// Observe, when set, is told how each command went: its name with the
	// subcommand (commands.Kind), how long it took, and "ok", "error" or
	// "late".
	Observe func(command string, took time.Duration, outcome string)
	Log     *slog.Logger
}

// FirstTime reports whether a delivery key is new (true for no key); when
// the store cannot tell, the delivery is processed: a duplicate beats a
// loss.
func (p *Pipeline) FirstTime(ctx context.Context, key string) bool {
	if key == "" {
		return true
	}
	if p.Dedupe == nil {
		return p.Recent.Add(key)
	}
	first, err := p.Dedupe.FirstSeen(ctx, p.Platform+":"+key)
	if err != nil {
		p.Log.Error("dedupe lookup failed", "err", err)
		return true
	}
	return first
}

// Caller describes the user behind a delivery, with the time zone and the
// admin flag from the platform when it answers, and the id and name the
// delivery carried when it does not.
func (p *Pipeline) Caller(ctx context.Context, ws, id, name string) bot.User {
	u, err := p.Users.LookupUser(ctx, ws, id)
	if err != nil {
		p.Log.Warn("user lookup failed; going on with the id", "user", id, "err", err)
		return bot.User{ID: id, Name: name}
	}
	return u
}

// Command is a slash command on its way through the pipeline.
type Command struct {
	// Call is the command as delivered; its User carries the id and name
	// from the delivery, completed by Caller before the command runs.
	Call commands.Call
	// Trigger is the platform's id of this delivery ("" when it has
	// none): a replayed one runs once.
	Trigger string
	// Answer turns a reply that came within AckWithin into the request's
	// answer (nil: an empty acknowledgement). It may open a form, and
	// queue the rest of a long reply on the pipeline's Work.
	Answer func(ctx context.Context, rep bot.Reply) any
	// Later delivers a reply after the acknowledgement (response_url, a
	// form); late says the command outran AckWithin, so that a trigger
	// needed to open a form may have expired.
	Later func(ctx context.Context, rep bot.Reply, late bool)
}

// Handle takes a slash command and returns the request's answer, nil for
// an empty acknowledgement. A command that reads is acknowledged at once
// and queued; Workers of them run at a time, answered through Later. A
// command that writes runs in the request and is answered there, after
// its commit, so an acknowledged write survives a crash; so does a read
// when the queue is full (acknowledgements slow down rather than the queue
// growing without bound), or with Inline. A command still running after
// AckWithin is acknowledged and answered through Later.
func (p *Pipeline) Handle(ctx context.Context, c Command) any {
	start := time.Now()
	// A replayed delivery runs once; a queued read checks when it runs,
	// so that acknowledging it writes nothing.
	fresh := func(ctx context.Context) bool { return c.Trigger == "" || p.FirstTime(ctx, "trigger:"+c.Trigger) }
	kind := commands.Classify(c.Call.Command, c.Call.Text)
	run := func(ctx context.Context) bot.Reply {
		call := c.Call
		call.User = p.Caller(ctx, call.Workspace, call.User.ID, call.User.Name)
		return p.Commands.Run(ctx, call)
	}
	if !p.Inline && !kind.Writes && p.Work.TryGo(ctx, func(ctx context.Context) {
		if !fresh(ctx) {
			return
		}
		rep := run(ctx)
		p.observe(kind.Name, start, Outcome(rep))
		c.Later(ctx, rep, false)
	}) {
		return nil
	}
	if !fresh(ctx) {
		return nil
	}
	done := make(chan bot.Reply, 1)
	p.Work.Go(ctx, func(ctx context.Context) { done <- run(ctx) })
	timer := time.NewTimer(p.AckWithin)
	defer timer.Stop()
	select {
	case rep := <-done:
		p.observe(kind.Name, start, Outcome(rep))
		return c.Answer(ctx, rep)
	case <-timer.C:
		p.Work.Go(ctx, func(ctx context.Context) {
			rep := <-done
			p.observe(kind.Name, start, "late")
			c.Later(ctx, rep, true)
		})
		return nil
	}
}

// Outcome names how a command went for the metrics: "ok" or "error".
func Outcome(rep bot.Reply) string {
	if rep.Error {
		return "error"
	}
	return "ok"
}

func (p *Pipeline) observe(command string, start time.Time, outcome string) {
	if p.Observe != nil {
		p.Observe(command, time.Since(start), outcome)
	}
}

// Act runs a click once per trigger (a replayed one returns ok=false and
// runs nothing), as the user who clicked: act.Call carries the id and name
// from the delivery.
func (p *Pipeline) Act(ctx context.Context, trigger string, act commands.Action) (res commands.ActionResult, ok bool) {
	if trigger != "" && !p.FirstTime(ctx, "trigger:"+trigger) {
		return res, false
	}
	act.Call.User = p.Caller(ctx, act.Call.Workspace, act.Call.User.ID, act.Call.User.Name)
	return p.Commands.Act(ctx, act), true
}

// Submit runs a submitted form as its user (sub.Call carries the id and
// name from the delivery) and returns the reply to confirm it with, and
// who that user is. An error is for the form: FieldErrors splits it.
func (p *Pipeline) Submit(ctx context.Context, sub commands.Submission) (bot.Reply, bot.User, error) {
	sub.Call.User = p.Caller(ctx, sub.Call.Workspace, sub.Call.User.ID, sub.Call.User.Name)
	rep, err := p.Commands.Submit(ctx, sub)
	return rep, sub.Call.User, err
}

// FieldErrors splits a refused form's error into messages for its fields,
// or, when it is about none of them, one message for the whole form.
func FieldErrors(err error) (fields map[string]string, whole string) {
	if fs := bot.ErrorFields(err); fs != nil {
		return maps.Clone(fs), ""
	}
	return nil, bot.ErrorMessage(err)
}

// Message answers a message a user sent the bot outside a command (a
// direct message, a mention): through the outbox, once per message, when
// the command layer has one; otherwise post sends the answer now.
func (p *Pipeline) Message(ctx context.Context, m commands.Message, post func(ctx context.Context, rep bot.Reply) error) {
	if p.Commands == nil {
		return
	}
	rep, queued, err := p.Commands.Answer(ctx, m)
	if err != nil {
		p.Log.Error("queue the answer to a message", "key", m.Key, "err", err)
		return
	}
	if !queued {
		if err := post(ctx, rep); err != nil {
			p.Log.Error("answering a message failed", "key", m.Key, "err", err)
		}
	}
}

// UserChanged passes on a profile change the platform reported.
func (p *Pipeline) UserChanged(ctx context.Context, ws string, u bot.User) {
	if p.Commands == nil {
		return
	}
	if err := p.Commands.UserChanged(ctx, ws, u); err != nil {
		p.Log.Error("update a person from a profile change", "user", u.ID, "err", err)
	}
}

// FormFailed answers a command whose form could not be opened.
var FormFailed = bot.Reply{Text: "I couldn't open the form. Give the fields on one line instead: " +
	commands.Usage("meeting add"), Error: true}

// ReadBody reads a request's body, at most max bytes. When the request
// must be refused it returns the status to answer (400 or 413) and why.
func ReadBody(w http.ResponseWriter, r *http.Request, max int64) (body []byte, status int, err error) {
	body, err = io.ReadAll(http.MaxBytesReader(w, r.Body, max))
	if err != nil {
		var mbe *http.MaxBytesError
		if errors.As(err, &mbe) {
			return nil, http.StatusRequestEntityTooLarge, err
		}
		return nil, http.StatusBadRequest, err
	}
	return body, http.StatusOK, nil
}

// Refuse answers a body ReadBody refused (400 or 413).
func Refuse(w http.ResponseWriter, status int) {
	if status == http.StatusRequestEntityTooLarge {
		http.Error(w, "request too large", status)
		return
	}
	http.Error(w, "bad request", status)
}

// Intake is the part of an adapter its owner drives: setting the command
// layer, and waiting for the work its requests left behind. Adapters embed
// it, so that both offer the same three methods from one place.
type Intake struct{ p *Pipeline }

// IntakeOf returns the Intake of p.
func IntakeOf(p *Pipeline) Intake { return Intake{p} }

// SetCommands sets the command layer (which uses the adapter as its user
// directory, hence the two steps).
func (i Intake) SetCommands(c Commands) { i.p.Commands = c }

// Wait blocks until background work started by requests has finished.
func (i Intake) Wait() { i.p.Work.Wait() }

// Drain waits at most d for the work behind acknowledged requests (answers
// still to post) and returns how many jobs it gave up on.
func (i Intake) Drain(d time.Duration) int { return i.p.Work.WaitTimeout(d) }
