package commands

import (
	"context"

	"github.com/getbackhq/getback/bot"
)

// Message is something a user said to the bot outside a command: a direct
// message, or a mention of the bot in a channel.
type Message struct {
	// Key names the delivery, unique on its platform (e.g.
	// "dm:slack:T1:Ev123"): the answer is queued once per key, however
	// often the platform delivers it.
	Key       string
	Workspace string
	Channel   string // where the answer goes
	Text      string
	// Mention marks a mention in a channel: it gets a pointer to the
	// commands; a direct message gets the help.
	Mention bool
}

// mentionReply answers a mention of the bot in a channel.
var mentionReply = bot.Reply{Text: "Hi! I track meetings and GETBACK items. Try /meeting add, /getback list mine, or /getback help."}

// Answer answers a message: the help for a direct message ("help", or
// anything else), a pointer to the commands for a mention. With an Outbox
// the answer is queued, once per m.Key, and queued is true; without one
// the caller posts rep itself.
func (r *Runner) Answer(ctx context.Context, m Message) (rep bot.Reply, queued bool, err error) {
	if m.Mention {
		rep = mentionReply
	} else {
		rep = r.DirectMessage(m.Text)
	}
	if r.Outbox == nil {
		return rep, false, nil
	}
	item := &bot.OutboxItem{Key: m.Key, Target: bot.Target{Workspace: m.Workspace, Channel: m.Channel},
		Reply: rep, NextAttempt: r.now()}
	if _, err := r.Outbox.Enqueue(ctx, item); err != nil {
		return rep, false, err
	}
	return rep, true, nil
}

// UserChanged takes a profile change the platform reported: a person
// getback knows gets the new name and time zone (reminders follow the
// zone). Someone getback has not met yet is left alone.
func (r *Runner) UserChanged(ctx context.Context, ws string, u bot.User) error {
	p, err := r.Store.FindPerson(ctx, ws, u.ID)
	if bot.ErrorCode(err) == bot.ENOTFOUND {
		return nil
	}
	if err != nil {
		return err
	}
	if p.TZ == u.TZ && p.Name == u.Label() {
		return nil
	}
	p.TZ, p.Name = u.TZ, u.Label()
	return r.Store.UpsertPerson(bot.WithActor(ctx, bot.Actor{Workspace: ws, UserID: u.ID}), p)
}
