package commands

import (
	"context"
	"fmt"

	"github.com/getbackhq/getback/bot"
)

// announceAssignments tells each new owner (other than the caller) by DM
// that an item is now theirs. The DM goes through the outbox, keyed by the
// item and the assignment instant, so it is sent once.
func (cl *call) announceAssignments(ctx context.Context, gbs []*bot.Getback, m *bot.Meeting) {
	if cl.r.Outbox == nil {
		return
	}
	for _, g := range gbs {
		if g.OwnerKind != bot.OwnerUser || g.Owner == cl.User.ID {
			continue
		}
		if m != nil && g.Meeting == nil {
			g.Meeting = &bot.MeetingRef{ID: m.ID, Region: m.Region, States: m.StateList(), Date: m.Date}
		}
		text := fmt.Sprintf("%s assigned you getback #%d%s.", cl.actor.Name, g.ID, dueText(g.Due))
		if m != nil {
			text = fmt.Sprintf("%s logged meeting #%d (%s, %s) and assigned you getback #%d%s.",
				cl.actor.Name, m.ID, m.StateList(), m.DateText(), g.ID, dueText(g.Due))
		}
		rep := bot.Reply{Text: text, View: fmt.Sprintf("/getback show %d", g.ID),
			Blocks: []bot.Block{bot.GetbackBlock(g, cl.today, cl.name(ctx, g.Owner), true)}}
		item := &bot.OutboxItem{
			Key:         fmt.Sprintf("assign:%s:%d:%s:%d", cl.Workspace, g.ID, g.Owner, g.UpdatedAt.UnixMicro()),
			Target:      bot.Target{Workspace: cl.Workspace, User: g.Owner},
			Reply:       rep,
			NextAttempt: cl.now,
		}
		if _, err := cl.r.Outbox.Enqueue(ctx, item); err != nil {
			// The item itself is saved; only the courtesy DM is lost. Log it.
			cl.r.log().ErrorContext(ctx, "queue assignment DM", "getback", g.ID, "err", err)
		}
	}
}

// previousHolder returns the person who held g before a change: its owner
// when a user, or the person its label is mapped to. It is "" when nobody
// held it, or when that is the caller (who knows already).
func (cl *call) previousHolder(ctx context.Context, g *bot.Getback) string {
	holder := ""
	switch g.OwnerKind {
	case bot.OwnerUser:
		holder = g.Owner
	case bot.OwnerLabel:
		if ms, err := cl.ownerMappings(ctx); err == nil {
			for _, m := range ms {
				if m.Label == g.Owner {
					holder = m.UserID
				}
			}
		}
	}
	if holder == cl.User.ID {
		return ""
	}
	return holder
}

// noticeFormerOwner tells whoever held an item (before) by DM that someone
// else reassigned or cancelled it (after): text says what happened. The DM
// goes through the outbox, keyed by the item, the change and its instant,
// so it is sent once.
func (cl *call) noticeFormerOwner(ctx context.Context, before, after *bot.Getback, change, text string) {
	holder := cl.previousHolder(ctx, before)
	stillTheirs := after.IsOpen() && after.OwnerKind == bot.OwnerUser && after.Owner == holder
	if cl.r.Outbox == nil || holder == "" || stillTheirs {
		return
	}
	if before.Meeting != nil && after.Meeting == nil {
		after.Meeting = before.Meeting
	}
	rep := bot.Reply{Text: text, View: fmt.Sprintf("/getback show %d", after.ID),
		Blocks: []bot.Block{bot.GetbackBlock(after, cl.today, cl.ownerName(ctx, after), false)}}
	item := &bot.OutboxItem{
		Key:         fmt.Sprintf("%s:%s:%d:%s:%d", change, cl.Workspace, after.ID, holder, after.UpdatedAt.UnixMicro()),
		Target:      bot.Target{Workspace: cl.Workspace, User: holder},
		Reply:       rep,
		NextAttempt: cl.now,
	}
	if _, err := cl.r.Outbox.Enqueue(ctx, item); err != nil {
		// The change itself is saved; only the courtesy DM is lost. Log it.
		cl.r.log().ErrorContext(ctx, "queue former owner notice", "getback", after.ID, "err", err)
	}
}
