package mattermost

import (
	"context"
	"errors"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/mattermost/mattermost/server/public/model"

	"github.com/getbackhq/getback/bot"
	"github.com/getbackhq/getback/commands"
)

// Ensure the adapter is a bot.Messenger that can tell what was delivered,
// and names channels the Mattermost way.
var (
	_ bot.Messenger         = (*Adapter)(nil)
	_ bot.DeliveryChecker   = (*Adapter)(nil)
	_ commands.ChannelStyle = (*Adapter)(nil)
)

// ChannelSigil implements commands.ChannelStyle: Mattermost users type
// and read ~town-square.
func (a *Adapter) ChannelSigil() string { return "~" }

// Limits implements bot.Messenger.
func (a *Adapter) Limits() bot.MessageLimits { return limits }

// statusOf returns the HTTP status of a Client4 failure.
func statusOf(resp *model.Response, err error) int {
	var ae *model.AppError
	if errors.As(err, &ae) && ae.StatusCode != 0 {
		return ae.StatusCode
	}
	if resp != nil {
		return resp.StatusCode
	}
	return 0
}

// sendError classifies a failed call for the outbox: 429 waits for the
// server's Retry-After (or X-Ratelimit-Reset); 4xx other than 408 are
// permanent; the rest are retried.
func sendError(resp *model.Response, err error) error {
	status := statusOf(resp, err)
	err = apiError("post", resp, err)
	switch {
	case status == http.StatusTooManyRequests:
		wait := time.Second
		if resp != nil {
			for _, h := range []string{"Retry-After", "X-Ratelimit-Reset"} {
				if n, err := strconv.Atoi(resp.Header.Get(h)); err == nil && n > 0 {
					wait = time.Duration(n) * time.Second
					break
				}
			}
		}
		return &bot.SendError{RetryAfter: wait, Err: err}
	case status >= 400 && status < 500 && status != http.StatusRequestTimeout:
		return &bot.SendError{Permanent: true, Err: err}
	}
	return &bot.SendError{Err: err}
}

// me returns the bot account's user id.
func (a *Adapter) me(ctx context.Context) (string, error) {
	a.mu.Lock()
	id := a.botID
	a.mu.Unlock()
	if id != "" {
		return id, nil
	}
	u, resp, err := a.api.GetMe(ctx, "")
	if err != nil {
		return "", apiError("read the bot account", resp, err)
	}
	a.mu.Lock()
	a.botID = u.Id
	a.mu.Unlock()
	return u.Id, nil
}

// channelOf returns the target's channel: its own, or the direct channel
// between the bot and its user (cached).
func (a *Adapter) channelOf(ctx context.Context, to bot.Target) (string, *model.Response, error) {
	if to.User == "" {
		return to.Channel, nil, nil
	}
	user := to.User
	if id, ok := a.dms.Get(user); ok {
		return id, nil, nil
	}
	botID, err := a.me(ctx)
	if err != nil {
		return "", nil, err
	}
	ch, resp, err := a.api.CreateDirectChannel(ctx, botID, user)
	if err != nil {
		return "", resp, apiError("open the direct channel", resp, err)
	}
	a.dms.Put(user, ch.Id)
	return ch.Id, nil, nil
}

// Post implements bot.Messenger: a post with the bot token in a channel,
// or in the DM channel with a user. The reply's pictures are uploaded to
// the channel first and attached to the post (file_ids), which also
// carries the delivery key: if getback stops between the upload and the
// post, the retry finds no post, uploads again (the first files stay
// unattached, unseen) and posts once. A failed upload is logged and the
// text goes alone.
func (a *Adapter) Post(ctx context.Context, to bot.Target, r bot.Reply) (bot.MessageRef, error) {
	channel, resp, err := a.channelOf(ctx, to)
	if err != nil {
		return bot.MessageRef{}, sendError(resp, err)
	}
	p := a.post(to.Workspace, r)
	p.ChannelId = channel
	p.FileIds = a.uploadOrLog(ctx, channel, r)
	created, resp, err := a.api.CreatePost(ctx, p)
	if err != nil {
		return bot.MessageRef{}, sendError(resp, err)
	}
	return bot.MessageRef{Channel: channel, ID: created.Id}, nil
}

// deliveryProp is the post prop that carries an outbox delivery key.
const deliveryProp = "getback_delivery"

// Delivered implements bot.DeliveryChecker: it reads the target channel's
// posts since the moment for one carrying the key.
func (a *Adapter) Delivered(ctx context.Context, to bot.Target, key string, since time.Time) (bot.MessageRef, bool, error) {
	channel, _, err := a.channelOf(ctx, to)
	if err != nil {
		return bot.MessageRef{}, false, err
	}
	list, resp, err := a.api.GetPostsSince(ctx, channel, since.UnixMilli(), false)
	if err != nil {
		return bot.MessageRef{}, false, apiError("read the channel's posts", resp, err)
	}
	for _, p := range list.Posts {
		if k, _ := p.GetProp(deliveryProp).(string); k == key {
			return bot.MessageRef{Channel: channel, ID: p.Id}, true, nil
		}
	}
	return bot.MessageRef{}, false, nil
}

// Update implements bot.Updater.
func (a *Adapter) Update(ctx context.Context, ws string, ref bot.MessageRef, r bot.Reply) error {
	p := a.replacement(ws, r, false)
	p.Id, p.ChannelId = ref.ID, ref.Channel
	if _, resp, err := a.api.UpdatePost(ctx, ref.ID, p); err != nil {
		return sendError(resp, err)
	}
	return nil
}

func toUser(u *model.User) bot.User {
	display := strings.TrimSpace(u.FirstName + " " + u.LastName)
	if u.Nickname != "" {
		display = u.Nickname
	}
	return bot.User{ID: u.Id, Name: u.Username, Display: display, TZ: u.GetPreferredTimezone(),
		Admin: u.IsSystemAdmin(), Bot: u.IsBot}
}

func (a *Adapter) cacheUser(u bot.User) { a.users.Put(u.ID, u) }

// LookupUser implements commands.Directory, cached.
func (a *Adapter) LookupUser(ctx context.Context, ws, id string) (bot.User, error) {
	if u, ok := a.users.Get(id); ok {
		return u, nil
	}
	mu, resp, err := a.api.GetUser(ctx, id, "")
	if err != nil {
		if s := statusOf(resp, err); s == http.StatusNotFound || s == http.StatusBadRequest {
			return bot.User{}, bot.Errorf(bot.ENOTFOUND, "No Mattermost user %s.", id)
		}
		return bot.User{}, apiError("read a user", resp, err)
	}
	if mu.DeleteAt != 0 {
		return bot.User{}, bot.Errorf(bot.ENOTFOUND, "Mattermost user %s is deactivated.", id)
	}
	u := toUser(mu)
	a.cacheUser(u)
	return u, nil
}

// FindUser implements commands.Directory by username.
func (a *Adapter) FindUser(ctx context.Context, ws, name string) (bot.User, error) {
	mu, resp, err := a.api.GetUserByUsername(ctx, strings.ToLower(name), "")
	if err != nil {
		if s := statusOf(resp, err); s == http.StatusNotFound || s == http.StatusBadRequest {
			return bot.User{}, bot.Errorf(bot.ENOTFOUND, "No Mattermost user @%s.", name)
		}
		return bot.User{}, apiError("find a user by name", resp, err)
	}
	if mu.DeleteAt != 0 {
		return bot.User{}, bot.Errorf(bot.ENOTFOUND, "Mattermost user @%s is deactivated.", name)
	}
	u := toUser(mu)
	a.cacheUser(u)
	return u, nil
}

// FindChannel implements commands.Directory: a channel of the workspace's
// team by name. It only looks; JoinChannel makes the bot a member.
func (a *Adapter) FindChannel(ctx context.Context, ws, name string) (bot.Channel, error) {
	ch, resp, err := a.api.GetChannelByName(ctx, strings.ToLower(name), teamOf(ws), "")
	if err != nil {
		if s := statusOf(resp, err); s == http.StatusNotFound || s == http.StatusForbidden {
			return bot.Channel{}, bot.Errorf(bot.ENOTFOUND, "No Mattermost channel ~%s.", name)
		}
		return bot.Channel{}, apiError("find a channel", resp, err)
	}
	return bot.Channel{ID: ch.Id, Name: ch.Name}, nil
}

// JoinChannel implements commands.ChannelJoiner: the bot becomes a member
// of a channel it is to post in (a bot must be one to post).
func (a *Adapter) JoinChannel(ctx context.Context, ws string, ch bot.Channel) error {
	botID, err := a.me(ctx)
	if err != nil {
		return err
	}
	if _, resp, err := a.api.AddChannelMember(ctx, ch.ID, botID); err != nil {
		return apiError("join the channel", resp, err)
	}
	return nil
}

// Ping checks that the server answers and accepts the bot token.
func (a *Adapter) Ping(ctx context.Context) error {
	_, resp, err := a.api.GetMe(ctx, "")
	return apiError("check the bot token", resp, err)
}
