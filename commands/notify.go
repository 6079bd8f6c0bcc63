package commands

import (
	"context"
	"fmt"

	"github.com/getbackhq/getback/bot"
)

// withNotices returns ctx carrying the notices of a change: the store
// builds them from the change's stored result and queues them in the
// change's own transaction, so that a change is never stored without the
// DMs it causes, nor a DM queued for a change that was not made. Each DM's
// key (the item, the change and its instant) makes it sent once. Without a
// sender, there are no DMs.
func (inv *invocation) withNotices(ctx context.Context, builders ...bot.NoticeFunc) context.Context {
	if inv.r.Outbox == nil || len(builders) == 0 {
		return ctx
	}
	return bot.WithNotices(ctx, func(gbs []*bot.Getback, m *bot.Meeting) []*bot.OutboxItem {
		var out []*bot.OutboxItem
		for _, b := range builders {
			out = append(out, b(gbs, m)...)
		}
		return out
	})
}

// assignmentNotices tells each new owner (other than the caller) by DM
// that an item is now theirs. The owners' names are looked up now, so that
// building the DMs inside the transaction reads nothing.
func (inv *invocation) assignmentNotices(ctx context.Context, owners []string) bot.NoticeFunc {
	inv.prefetchNames(ctx, owners)
	for _, id := range owners {
		if _, ok := inv.names[id]; !ok {
			inv.names[id] = id // unknown: shown by id, as name() would
		}
	}
	return func(gbs []*bot.Getback, m *bot.Meeting) []*bot.OutboxItem {
		var out []*bot.OutboxItem
		for _, g := range gbs {
			if g.OwnerKind != bot.OwnerUser || g.Owner == inv.User.ID {
				continue
			}
			if m != nil && g.Meeting == nil {
				g.Meeting = &bot.MeetingRef{ID: m.ID, Region: m.Region, States: m.StateList(), Date: m.Date}
			}
			text := fmt.Sprintf("%s assigned you getback #%d%s.", inv.actor.Name, g.ID, dueText(g.Due))
			if m != nil {
				text = fmt.Sprintf("%s logged meeting #%d (%s, %s) and assigned you getback #%d%s.",
					inv.actor.Name, m.ID, m.StateList(), m.DateText(), g.ID, dueText(g.Due))
			}
			rep := bot.Reply{Text: text, View: fmt.Sprintf("/getback show %d", g.ID),
				Blocks: []bot.Block{bot.GetbackBlock(g, inv.today, inv.names[g.Owner], true)}}
			out = append(out, &bot.OutboxItem{
				Key:         fmt.Sprintf("assign:%s:%d:%s:%d", inv.Workspace, g.ID, g.Owner, g.UpdatedAt.UnixMicro()),
				Target:      bot.Target{Workspace: inv.Workspace, User: g.Owner},
				Reply:       rep,
				NextAttempt: inv.now,
			})
		}
		return out
	}
}

// previousHolder returns the person who held g before a change: its owner
// when a user, or the person its label is mapped to. It is "" when nobody
// held it, or when that is the caller (who knows already).
func (inv *invocation) previousHolder(ctx context.Context, g *bot.Getback) string {
	holder := ""
	switch g.OwnerKind {
	case bot.OwnerUser:
		holder = g.Owner
	case bot.OwnerLabel:
		if ms, err := inv.ownerMappings(ctx); err == nil {
			for _, m := range ms {
				if m.Label == g.Owner {
					holder = m.UserID
				}
			}
		}
	}
	if holder == inv.User.ID {
		return ""
	}
	return holder
}

// formerOwnerNotice tells whoever held an item (before) by DM that
// someone else reassigned or cancelled it: text says what happened, and
// ownerName names the item's owner after the change. Who held it is looked
// up now; the DM is built from the stored item.
func (inv *invocation) formerOwnerNotice(ctx context.Context, before *bot.Getback, change, text, ownerName string) bot.NoticeFunc {
	holder := inv.previousHolder(ctx, before)
	return func(gbs []*bot.Getback, _ *bot.Meeting) []*bot.OutboxItem {
		if holder == "" || len(gbs) != 1 {
			return nil
		}
		after := gbs[0]
		if after.IsOpen() && after.OwnerKind == bot.OwnerUser && after.Owner == holder {
			return nil // still theirs
		}
		if before.Meeting != nil && after.Meeting == nil {
			after.Meeting = before.Meeting
		}
		rep := bot.Reply{Text: text, View: fmt.Sprintf("/getback show %d", after.ID),
			Blocks: []bot.Block{bot.GetbackBlock(after, inv.today, ownerName, false)}}
		return []*bot.OutboxItem{{
			Key:         fmt.Sprintf("%s:%s:%d:%s:%d", change, inv.Workspace, after.ID, holder, after.UpdatedAt.UnixMicro()),
			Target:      bot.Target{Workspace: inv.Workspace, User: holder},
			Reply:       rep,
			NextAttempt: inv.now,
		}}
	}
}

// noticesQueued tells a running sender that a change queued posts.
func (inv *invocation) noticesQueued() {
	if w, ok := inv.r.Outbox.(interface{ Wake() }); ok {
		w.Wake()
	}
}

// owners returns the owners of the items.
func owners(gbs []*bot.Getback) []string {
	var out []string
	for _, g := range gbs {
		out = append(out, g.Owner)
	}
	return out
}
