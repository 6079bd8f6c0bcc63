// Package commands is getback's command language: it parses what a user
// types (/meeting, /getback, /digest, help), runs it against the bot's
// services, and answers with a platform-neutral bot.Reply. Every adapter
// (Slack, Mattermost, console) shares it.
package commands

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"runtime/debug"
	"time"

	"github.com/getbackhq/getback/bot"
)

// Directory resolves chat users and channels. Every chat adapter is one.
type Directory interface {
	LookupUser(ctx context.Context, ws, id string) (bot.User, error)
	FindUser(ctx context.Context, ws, name string) (bot.User, error)
	FindChannel(ctx context.Context, ws, name string) (bot.Channel, error)
}

// Runner runs commands for one platform.
type Runner struct {
	Store bot.Store
	Users Directory
	// Now is the clock; every date in a command is relative to it.
	Now func() time.Time
	// Admins are platform user ids with admin rights, besides the users the
	// platform itself reports as admins.
	Admins map[string]bool
	// Reporter builds digests and reminders; Outbox queues posts. Both are
	// optional: without them /digest answers that digests are not set up
	// and assignments are not announced.
	Reporter *bot.Reporter
	Outbox   bot.Enqueuer
	Log      *slog.Logger
}

// Call is one command as a platform delivered it.
type Call struct {
	Workspace   string
	User        bot.User // the caller; Admin when the platform says so
	Channel     string   // channel id the command was typed in
	ChannelName string
	Command     string // "/meeting", "/getback", "/digest", "help"
	Text        string // the rest of the line
	// Mentions maps @names in Text (without the @) to user ids, when the
	// platform resolved them: Mattermost's user_mentions, or the users a
	// Slack adapter turned from its own markup into @name. Text names users
	// only as @name; a user the platform gave no name for is written @id,
	// mapped to itself.
	Mentions map[string]string
	// Channels maps #names in Text (without the #) to channel ids, when the
	// platform resolved them, as Mentions does for users.
	Channels map[string]string
}

// invocation is one Call being run: the caller's actor, local day, and caches.
type invocation struct {
	Call
	r      *Runner
	actor  bot.Actor
	person *bot.Person
	now    time.Time
	today  bot.Date
	names  map[string]string
	// unsaved marks a caller seen for the first time, stored once a
	// command of theirs succeeds.
	unsaved bool
	// mappings caches the workspace's owner mappings for the invocation.
	mappings []bot.OwnerMapping
	mapped   bool
	// pickedUsers marks the fields of a submitted form whose values are
	// user ids (a user picker), not text as typed.
	pickedUsers map[string]bool
	// unowned marks extracted items written with no owner (by itemKey):
	// they went to the caller, and the reply says so.
	unowned map[string]bool
}

func (r *Runner) log() *slog.Logger {
	if r.Log == nil {
		return slog.Default()
	}
	return r.Log
}

func (r *Runner) now() time.Time {
	if r.Now == nil {
		return time.Now()
	}
	return r.Now()
}

// IsAdmin reports whether a user has admin rights here.
func (r *Runner) IsAdmin(u bot.User) bool { return u.Admin || r.Admins[u.ID] }

// begin prepares the invocation of a call: who is calling, their time zone and local day.
func (r *Runner) begin(ctx context.Context, c Call) (context.Context, *invocation, error) {
	if c.Workspace == "" || c.User.ID == "" {
		return ctx, nil, bot.Errorf(bot.EINVALID, "The request did not say who sent it.")
	}
	inv := &invocation{Call: c, r: r, names: map[string]string{}}
	inv.actor = bot.Actor{Workspace: c.Workspace, UserID: c.User.ID, Name: c.User.Label(), Admin: r.IsAdmin(c.User)}
	ctx = bot.WithActor(ctx, inv.actor)
	p, known, err := r.findPerson(ctx, c.Workspace, c.User)
	if err != nil {
		return ctx, nil, err
	}
	inv.person, inv.unsaved = p, !known
	// The caller's name is known from the platform even before their
	// person record is saved (after a first command succeeds): replies to
	// that first command show it, not the platform id.
	if p.Name != "" {
		inv.names[c.User.ID] = p.Name
	}
	inv.now = r.now()
	inv.today = bot.DateOf(inv.now.In(p.Location()))
	return ctx, inv, nil
}

// ensurePerson returns the stored person for u, creating it on first
// contact with the platform's name and time zone.
func (r *Runner) ensurePerson(ctx context.Context, ws string, u bot.User) (*bot.Person, error) {
	p, known, err := r.findPerson(ctx, ws, u)
	if err != nil || known {
		return p, err
	}
	if err := r.Store.UpsertPerson(ctx, p); err != nil {
		return nil, err
	}
	return p, nil
}

// findPerson returns the stored person for u, or (known false) a new one
// with the platform's name and time zone, not yet saved.
func (r *Runner) findPerson(ctx context.Context, ws string, u bot.User) (p *bot.Person, known bool, err error) {
	p, err = r.Store.FindPerson(ctx, ws, u.ID)
	if err == nil {
		return p, true, nil
	} else if bot.ErrorCode(err) != bot.ENOTFOUND {
		return nil, false, err
	}
	if u.TZ == "" && r.Users != nil {
		if full, err := r.Users.LookupUser(ctx, ws, u.ID); err == nil {
			u = mergeUser(u, full)
		}
	}
	p = bot.NewPerson(ws, u.ID, u.Label(), u.TZ)
	if _, err := time.LoadLocation(p.TZ); err != nil {
		p.TZ = ""
	}
	return p, false, nil
}

// saveCaller stores the caller's person record on first contact, once a
// command of theirs has succeeded: a refused or malformed command leaves
// no trace.
func (inv *invocation) saveCaller(ctx context.Context) error {
	if !inv.unsaved {
		return nil
	}
	if _, err := inv.r.Store.FindPerson(ctx, inv.Workspace, inv.User.ID); err == nil {
		inv.unsaved = false // the command stored it (it named the caller)
		return nil
	}
	if err := inv.r.Store.UpsertPerson(ctx, inv.person); err != nil {
		return err
	}
	inv.unsaved = false
	return nil
}

func mergeUser(a, b bot.User) bot.User {
	if a.Name == "" {
		a.Name = b.Name
	}
	if a.Display == "" {
		a.Display = b.Display
	}
	if a.TZ == "" {
		a.TZ = b.TZ
	}
	a.Admin = a.Admin || b.Admin
	return a
}

// recoverPanic, deferred by every entry point, turns a panic into an
// internal error handed to answer, logged with its stack: no input ends an
// adapter's process or a console session.
func (r *Runner) recoverPanic(ctx context.Context, what string, answer func(err error)) {
	p := recover()
	if p == nil {
		return
	}
	r.log().ErrorContext(ctx, what+" panicked", "panic", fmt.Sprint(p), "stack", string(debug.Stack()))
	answer(bot.Errorf(bot.EINTERNAL, "%s panicked: %v", what, p))
}

// Run parses and runs one command and returns the reply. It never fails:
// errors become an error reply (internal ones are logged, not shown).
func (r *Runner) Run(ctx context.Context, c Call) bot.Reply {
	return r.runCall(ctx, c, func(inv *invocation) (Request, error) { return Parse(c.Command, c.Text, inv.today) })
}

// RunRequest runs an already parsed request for c.
func (r *Runner) RunRequest(ctx context.Context, c Call, req Request) bot.Reply {
	return r.runCall(ctx, c, func(*invocation) (Request, error) { return req, nil })
}

// runCall runs the request that parse gives for c (parsing once the
// caller's local day is known), for Run and RunRequest.
func (r *Runner) runCall(ctx context.Context, c Call, parse func(*invocation) (Request, error)) (rep bot.Reply) {
	defer r.recoverPanic(ctx, "command", func(err error) { rep = bot.ErrorReply(err, "") })
	ctx, inv, err := r.begin(ctx, c)
	if err != nil {
		return r.errorReply(ctx, err, "")
	}
	req, err := parse(inv)
	if err != nil {
		var pe *ParseError
		if errors.As(err, &pe) {
			return bot.ErrorReply(bot.Errorf(bot.EINVALID, "%s", pe.Message), r.styled(pe.Usage))
		}
		return r.errorReply(ctx, err, "")
	}
	reply, err := inv.run(ctx, req)
	if err != nil {
		return r.errorReply(ctx, err, usages[req.command()])
	}
	return reply
}

func (r *Runner) errorReply(ctx context.Context, err error, usage string) bot.Reply {
	if bot.ErrorCode(err) == bot.EINTERNAL {
		r.log().ErrorContext(ctx, "command failed", "err", err)
		usage = ""
	}
	if bot.ErrorCode(err) == bot.EUNAUTHORIZED {
		usage = ""
	}
	return bot.ErrorReply(err, r.styled(usage))
}

func (inv *invocation) run(ctx context.Context, req Request) (bot.Reply, error) {
	rep, err := inv.dispatch(ctx, req)
	if err == nil {
		err = inv.saveCaller(ctx)
	}
	return rep, err
}

func (inv *invocation) dispatch(ctx context.Context, req Request) (bot.Reply, error) {
	switch q := req.(type) {
	case Help:
		return inv.help(q), nil
	case MeetingAdd:
		return inv.meetingAdd(ctx, q)
	case MeetingList:
		return inv.meetingList(ctx, q)
	case MeetingShow:
		return inv.meetingShow(ctx, q.ID)
	case MeetingEdit:
		return inv.meetingEdit(ctx, q)
	case MeetingDelete:
		return inv.meetingDelete(ctx, q.ID)
	case MeetingSearch:
		return inv.meetingSearch(ctx, q)
	case MeetingImport:
		return bot.Reply{}, bot.Errorf(bot.ENOTIMPLEMENTED,
			"Importing from chat is not available yet. Ask an admin to run `getback import FILE` on the server.")
	case GetbackAdd:
		return inv.getbackAdd(ctx, q)
	case GetbackList:
		return inv.getbackList(ctx, q)
	case GetbackShow:
		return inv.getbackShow(ctx, q.ID)
	case GetbackClose:
		return inv.getbackClose(ctx, q)
	case GetbackReopen:
		return inv.getbackReopen(ctx, q.ID)
	case GetbackReassign:
		return inv.getbackReassign(ctx, q)
	case GetbackDue:
		return inv.getbackDue(ctx, q)
	case GetbackSnooze:
		return inv.getbackSnooze(ctx, q)
	case GetbackRemind:
		return inv.getbackRemind(ctx, q)
	case GetbackOwner:
		return inv.getbackOwner(ctx, q)
	case DigestPreview:
		return inv.digestPreview(ctx, q)
	case DigestPost:
		return inv.digestPost(ctx, q)
	case DigestConfig:
		return inv.digestConfig(ctx, q)
	case DigestStates:
		return inv.digestStates(ctx, q)
	}
	return bot.Reply{}, fmt.Errorf("unhandled request %T", req)
}

func (inv *invocation) help(h Help) bot.Reply { return inv.r.Help(h.Command, h.Problem) }

// resolveUser turns a reference from a command into a known user, creating
// the person record on first sight. Unknown users are an EINVALID error.
func (inv *invocation) resolveUser(ctx context.Context, ref UserRef) (bot.User, error) {
	if inv.r.Users == nil {
		return bot.User{}, bot.Errorf(bot.EINTERNAL, "no user directory")
	}
	var u bot.User
	var err error
	switch {
	case ref.ID != "":
		u, err = inv.r.Users.LookupUser(ctx, inv.Workspace, ref.ID)
	case inv.Mentions[ref.Name] != "":
		u, err = inv.r.Users.LookupUser(ctx, inv.Workspace, inv.Mentions[ref.Name])
	default:
		u, err = inv.r.Users.FindUser(ctx, inv.Workspace, ref.Name)
	}
	if bot.ErrorCode(err) == bot.ENOTFOUND {
		return bot.User{}, bot.Errorf(bot.EINVALID, "I don't know %s in this workspace.", ref)
	} else if err != nil {
		return bot.User{}, err
	}
	if u.Bot {
		return bot.User{}, bot.Errorf(bot.EINVALID, "%s is a bot; getbacks need a person.", ref)
	}
	if _, err := inv.r.ensurePerson(ctx, inv.Workspace, u); err != nil {
		return bot.User{}, err
	}
	inv.names[u.ID] = u.Label()
	return u, nil
}

// name returns the display name of a user id, falling back to the id.
func (inv *invocation) name(ctx context.Context, id string) string {
	if id == "" {
		return ""
	}
	if n, ok := inv.names[id]; ok {
		return n
	}
	n := id
	if p, err := inv.r.Store.FindPerson(ctx, inv.Workspace, id); err == nil && p.Name != "" {
		n = p.Name
	}
	inv.names[id] = n
	return n
}

// prefetchNames loads the names of the users in one query, so that
// rendering a list does not look them up one by one.
func (inv *invocation) prefetchNames(ctx context.Context, ids []string) {
	var missing []string
	for _, id := range ids {
		if _, ok := inv.names[id]; !ok && id != "" {
			missing = append(missing, id)
		}
	}
	if len(missing) == 0 {
		return
	}
	people, err := inv.r.Store.FindPeopleByID(ctx, inv.Workspace, missing)
	if err != nil {
		return // name() looks them up one by one
	}
	for _, p := range people {
		if p.Name != "" {
			inv.names[p.UserID] = p.Name
		}
	}
}

// prefetchOwners loads the names of the items' owners (and of the people
// their labels map to).
func (inv *invocation) prefetchOwners(ctx context.Context, gbs []*bot.Getback) {
	var ids []string
	for _, g := range gbs {
		if g.OwnerKind == bot.OwnerUser {
			ids = append(ids, g.Owner)
		}
	}
	if ms, err := inv.ownerMappings(ctx); err == nil {
		for _, m := range ms {
			ids = append(ids, m.UserID)
		}
	}
	inv.prefetchNames(ctx, ids)
}

// ownerMappings returns the workspace's owner mappings, read once per invocation.
func (inv *invocation) ownerMappings(ctx context.Context) ([]bot.OwnerMapping, error) {
	if inv.mapped {
		return inv.mappings, nil
	}
	ms, err := inv.r.Store.FindOwnerMappings(ctx, inv.Workspace)
	if err != nil {
		return nil, err
	}
	inv.mappings, inv.mapped = ms, true
	return ms, nil
}

// myLabels returns the owner labels mapped to the caller.
func (inv *invocation) myLabels(ctx context.Context) ([]string, error) {
	return inv.labelsOf(ctx, inv.User.ID)
}

// labelsOf returns the owner labels mapped to a user.
func (inv *invocation) labelsOf(ctx context.Context, userID string) ([]string, error) {
	ms, err := inv.ownerMappings(ctx)
	if err != nil {
		return nil, err
	}
	var out []string
	for _, m := range ms {
		if m.UserID == userID {
			out = append(out, m.Label)
		}
	}
	return out, nil
}

func clip(s string, n int) string { return bot.Clip(s, n) }
