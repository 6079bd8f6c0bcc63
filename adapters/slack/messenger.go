package slack

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	slackgo "github.com/slack-go/slack"

	"github.com/getbackhq/getback/bot"
)

// Ensure the adapter is a bot.Messenger.
var (
	_ bot.Messenger       = (*Adapter)(nil)
	_ bot.DeliveryChecker = (*Adapter)(nil)
)

// Limits implements bot.Messenger.
func (a *Adapter) Limits() bot.MessageLimits { return limits }

// sendError classifies a Slack API failure for the outbox.
func sendError(err error) error {
	var rl *slackgo.RateLimitedError
	if errors.As(err, &rl) {
		return &bot.SendError{RetryAfter: max(rl.RetryAfter, time.Second), Err: err}
	}
	var se slackgo.SlackErrorResponse
	if errors.As(err, &se) {
		switch se.Err {
		case "channel_not_found", "not_in_channel", "is_archived", "account_inactive", "user_not_found",
			"invalid_auth", "not_authed", "token_revoked", "missing_scope", "cannot_dm_bot", "user_disabled",
			"invalid_blocks", "msg_too_long", "no_text":
			return &bot.SendError{Permanent: true, Err: err}
		}
	}
	return &bot.SendError{Err: err}
}

// channelOf returns the target's channel: its own, or the DM channel with
// its user (conversations.open, cached).
func (a *Adapter) channelOf(ctx context.Context, to bot.Target) (string, error) {
	if to.User == "" {
		return to.Channel, nil
	}
	if id, ok := a.dms.Get(to.User); ok {
		return id, nil
	}
	ch, _, _, err := a.api.OpenConversationContext(ctx, &slackgo.OpenConversationParameters{Users: []string{to.User}})
	if err != nil {
		return "", err
	}
	a.dms.Put(to.User, ch.ID)
	return ch.ID, nil
}

// Post implements bot.Messenger: chat.postMessage with the bot token, to a
// channel or (after conversations.open) a user's DMs. The reply's pictures
// are uploaded first and shown in image blocks of the same message, which
// also carries the delivery key: if getback stops between the upload and
// the post, the retry finds no message, uploads again (the first files
// stay unused and private) and posts once. A failed upload is logged and
// the text goes alone.
func (a *Adapter) Post(ctx context.Context, to bot.Target, r bot.Reply) (bot.MessageRef, error) {
	channel, err := a.channelOf(ctx, to)
	if err != nil {
		return bot.MessageRef{}, sendError(err)
	}
	ch, ts, err := a.postWithFiles(ctx, channel, r, a.uploadOrLog(ctx, r))
	if err != nil {
		return bot.MessageRef{}, sendError(err)
	}
	return bot.MessageRef{Channel: ch, ID: ts}, nil
}

// deliveryEvent is the metadata event type of messages posted by the
// outbox; its payload carries the delivery key.
const deliveryEvent = "getback_delivery"

// Delivered implements bot.DeliveryChecker: it reads the target's history
// since the moment (conversations.history with metadata) for a message
// carrying the key.
func (a *Adapter) Delivered(ctx context.Context, to bot.Target, key string, since time.Time) (bot.MessageRef, bool, error) {
	channel, err := a.channelOf(ctx, to)
	if err != nil {
		return bot.MessageRef{}, false, err
	}
	params := &slackgo.GetConversationHistoryParameters{
		ChannelID:          channel,
		Oldest:             fmt.Sprintf("%d.000000", since.Unix()),
		Limit:              200,
		IncludeAllMetadata: true,
	}
	for range 10 { // at most 2,000 messages back
		h, err := a.api.GetConversationHistoryContext(ctx, params)
		if err != nil {
			return bot.MessageRef{}, false, err
		}
		for _, m := range h.Messages {
			if m.Metadata.EventType == deliveryEvent && m.Metadata.EventPayload["key"] == key {
				return bot.MessageRef{Channel: channel, ID: m.Timestamp}, true, nil
			}
		}
		if !h.HasMore || h.ResponseMetaData.NextCursor == "" {
			break
		}
		params.Cursor = h.ResponseMetaData.NextCursor
	}
	return bot.MessageRef{}, false, nil
}

// Update implements bot.Updater with chat.update.
func (a *Adapter) Update(ctx context.Context, ws string, ref bot.MessageRef, r bot.Reply) error {
	_, _, _, err := a.api.UpdateMessageContext(ctx, ref.Channel, ref.ID, slackgo.MsgOptionText(fallback(r), false),
		slackgo.MsgOptionBlocks(blocks(r)...))
	if err != nil {
		return sendError(err)
	}
	return nil
}

func toUser(u *slackgo.User) bot.User {
	name := u.Name
	display := u.Profile.DisplayName
	if display == "" {
		display = u.RealName
	}
	return bot.User{ID: u.ID, Name: name, Display: display, TZ: u.TZ, Admin: u.IsAdmin || u.IsOwner,
		Bot: u.IsBot || u.ID == "USLACKBOT"}
}

// LookupUser implements commands.Directory with users.info, cached.
func (a *Adapter) LookupUser(ctx context.Context, ws, id string) (bot.User, error) {
	if u, ok := a.users.Get(id); ok {
		return u, nil
	}
	su, err := a.api.GetUserInfoContext(ctx, id)
	if err != nil {
		var se slackgo.SlackErrorResponse
		if errors.As(err, &se) && (se.Err == "user_not_found" || se.Err == "users_not_found") {
			return bot.User{}, bot.Errorf(bot.ENOTFOUND, "No Slack user %s.", id)
		}
		return bot.User{}, err
	}
	if su.Deleted {
		return bot.User{}, bot.Errorf(bot.ENOTFOUND, "Slack user %s is deactivated.", id)
	}
	u := toUser(su)
	a.users.Put(id, u)
	return u, nil
}

// directory returns the workspace's users (users.list, every page), cached.
func (a *Adapter) directory(ctx context.Context) ([]slackgo.User, error) {
	if us, ok := a.userList.Get(""); ok {
		return us, nil
	}
	us, err := a.api.GetUsersContext(ctx, slackgo.GetUsersOptionLimit(200))
	if err != nil {
		return nil, err
	}
	a.userList.Put("", us)
	return us, nil
}

// FindUser implements commands.Directory: a handle (or display name) from
// users.list. Slack usually sends users as <@U123>, so this is the
// fallback for plain @name.
func (a *Adapter) FindUser(ctx context.Context, ws, name string) (bot.User, error) {
	us, err := a.directory(ctx)
	if err != nil {
		return bot.User{}, err
	}
	for i := range us {
		u := &us[i]
		if !u.Deleted && (strings.EqualFold(u.Name, name) || strings.EqualFold(u.Profile.DisplayName, name)) {
			bu := toUser(u)
			a.users.Put(u.ID, bu)
			return bu, nil
		}
	}
	return bot.User{}, bot.Errorf(bot.ENOTFOUND, "No Slack user @%s.", name)
}

// FindChannel implements commands.Directory: a public or private channel the
// bot can see (conversations.list), cached.
func (a *Adapter) FindChannel(ctx context.Context, ws, name string) (bot.Channel, error) {
	if ch, ok := a.channels.Get(name); ok {
		return ch, nil
	}
	cursor := ""
	for {
		chans, next, err := a.api.GetConversationsContext(ctx, &slackgo.GetConversationsParameters{Cursor: cursor,
			ExcludeArchived: true, Limit: 200, Types: []string{"public_channel", "private_channel"}})
		if err != nil {
			return bot.Channel{}, err
		}
		for _, c := range chans {
			a.channels.Put(c.Name, bot.Channel{ID: c.ID, Name: c.Name})
			if strings.EqualFold(c.Name, name) {
				return bot.Channel{ID: c.ID, Name: c.Name}, nil
			}
		}
		if next == "" {
			return bot.Channel{}, bot.Errorf(bot.ENOTFOUND, "No Slack channel #%s.", name)
		}
		cursor = next
	}
}

// Ping checks that Slack answers and accepts the bot token (auth.test).
func (a *Adapter) Ping(ctx context.Context) error {
	_, err := a.api.AuthTestContext(ctx)
	return err
}
