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
