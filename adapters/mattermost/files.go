package mattermost

import (
	"context"
	"fmt"
	"strings"

	"github.com/getbackhq/getback/bot"
)

// upload puts pictures into a channel (POST /api/v4/files) and returns
// their file ids, to attach to the post that follows. A file that no post
// claims stays invisible.
func (a *Adapter) upload(ctx context.Context, channel string, imgs []bot.Image) ([]string, error) {
	var ids []string
	for _, im := range imgs {
		if len(im.PNG) == 0 {
			continue
		}
		res, _, err := a.api.UploadFile(ctx, im.PNG, channel, im.Name)
		if err != nil {
			return nil, fmt.Errorf("upload %s: %w", im.Name, err)
		}
		if len(res.FileInfos) != 1 || res.FileInfos[0].Id == "" {
			return nil, fmt.Errorf("upload %s: the server answered %d file infos", im.Name, len(res.FileInfos))
		}
		ids = append(ids, res.FileInfos[0].Id)
	}
	return ids, nil
}

// uploadOrLog uploads a reply's pictures; when that fails it logs why and
// returns none, so that the post goes out with its text alone.
func (a *Adapter) uploadOrLog(ctx context.Context, channel string, r bot.Reply) []string {
	if len(r.Images) == 0 {
		return nil
	}
	ids, err := a.upload(ctx, channel, r.Images)
	if err != nil {
		a.log.WarnContext(ctx, "posting without pictures: their upload failed", "key", r.DeliveryKey, "pictures", len(r.Images), "err", err)
		return nil
	}
	return ids
}

// picturesByDM handles the pictures of a command's answer. Mattermost
// shows a command's answer as an ephemeral post, which cannot carry files
// (and an in-channel answer is posted as the caller), so the pictures go
// to the caller as a direct message from the bot, and the answer says so.
func (a *Adapter) picturesByDM(ctx context.Context, ws, user string, rep bot.Reply) bot.Reply {
	if len(rep.Images) == 0 {
		return rep
	}
	imgs := rep.Images
	rep.Images = nil
	var titles []string
	for _, im := range imgs {
		titles = append(titles, im.Title)
	}
	dm := bot.Reply{Text: "Pictures for the digest you asked for: " + strings.Join(titles, "; ") + ".", Images: imgs}
	a.work.Go(ctx, func(ctx context.Context) {
		if _, err := a.Post(ctx, bot.Target{Workspace: ws, User: user}, dm); err != nil {
			a.log.WarnContext(ctx, "could not send the pictures of an answer by direct message", "user", user, "err", err)
		}
	})
	rep.Blocks = append(rep.Blocks, bot.Block{Note: "The pictures come to you as a direct message from getback."})
	return rep
}
