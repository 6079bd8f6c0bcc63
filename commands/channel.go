package commands

import (
	"context"

	"github.com/getbackhq/getback/bot"
)

// ChannelJoiner is a Directory on a platform where the bot must join a
// channel before it can post there (Mattermost). Setting a region's digest
// channel joins it, so that the first digest does not fail.
type ChannelJoiner interface {
	JoinChannel(ctx context.Context, ws string, ch bot.Channel) error
}

// joinChannel joins ch when the platform asks for it; a refusal says what
// to do.
func (inv *invocation) joinChannel(ctx context.Context, ch bot.Channel) error {
	j, ok := inv.r.Users.(ChannelJoiner)
	if !ok {
		return nil
	}
	if err := j.JoinChannel(ctx, inv.Workspace, ch); err != nil {
		inv.r.log().Warn("could not join a digest channel", "channel", ch.Name, "err", err)
		return bot.Errorf(bot.EINVALID, "I couldn't join channel %s to post digests there. Invite me there first, then try again.",
			inv.r.channelName(ch.Name))
	}
	return nil
}
