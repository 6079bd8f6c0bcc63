package slack

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"time"

	slackgo "github.com/slack-go/slack"

	"github.com/getbackhq/getback/bot"
)

// slackFile is an uploaded picture and what to show with it.
type slackFile struct {
	ID, Title, Alt string
}

// defaultFileWaits are the pauses before posting again when Slack refuses
// a message because a just-uploaded file is not ready yet.
var defaultFileWaits = []time.Duration{time.Second, 2 * time.Second}

// upload puts pictures into Slack without sharing them to any channel
// (files.getUploadURLExternal, a POST of the bytes to the URL it returns,
// then one files.completeUploadExternal for them all): the file stays
// private to the app until an image block of a message shows it.
func (a *Adapter) upload(ctx context.Context, imgs []bot.Image) ([]slackFile, error) {
	var files []slackFile
	var done []slackgo.FileSummary
	for _, im := range imgs {
		if len(im.PNG) == 0 {
			continue
		}
		u, err := a.api.GetUploadURLExternalContext(ctx, slackgo.GetUploadURLExternalParameters{
			FileName: im.Name, FileSize: len(im.PNG), AltTxt: clipRunes(im.Alt, 1000)})
		if err != nil {
			return nil, fmt.Errorf("files.getUploadURLExternal %s: %w", im.Name, err)
		}
		if err := a.api.UploadToURL(ctx, slackgo.UploadToURLParameters{UploadURL: u.UploadURL,
			Reader: bytes.NewReader(im.PNG), Filename: im.Name}); err != nil {
			return nil, fmt.Errorf("upload %s: %w", im.Name, err)
		}
		title := im.Title
		if title == "" {
			title = im.Name
		}
		done = append(done, slackgo.FileSummary{ID: u.FileID, Title: clipRunes(title, 250)})
		files = append(files, slackFile{ID: u.FileID, Title: title, Alt: im.Alt})
	}
	if len(done) == 0 {
		return nil, nil
	}
	if _, err := a.api.CompleteUploadExternalContext(ctx, slackgo.CompleteUploadExternalParameters{Files: done}); err != nil {
		return nil, fmt.Errorf("files.completeUploadExternal: %w", err)
	}
	return files, nil
}

// uploadOrLog uploads a reply's pictures; when that fails it logs why and
// returns none, so that the message goes out with its text alone.
func (a *Adapter) uploadOrLog(ctx context.Context, r bot.Reply) []slackFile {
	if len(r.Images) == 0 {
		return nil
	}
	files, err := a.upload(ctx, r.Images)
	if err != nil {
		a.log.WarnContext(ctx, "posting without pictures: their upload failed", "key", r.DeliveryKey, "pictures", len(r.Images), "err", err)
		return nil
	}
	return files
}

// fileRefused reports whether Slack refused a message for its image
// blocks: a file just uploaded may not be ready to show for a moment
// (invalid_blocks, "invalid slack file").
func fileRefused(err error) bool {
	var se slackgo.SlackErrorResponse
	return errors.As(err, &se) && se.Err == "invalid_blocks"
}

// postWithFiles posts with chat.postMessage, showing files in image
// blocks. When Slack refuses the image blocks it waits and tries again,
// and in the end posts the text alone (and logs why): a refused message
// was not posted, so trying again posts nothing twice.
func (a *Adapter) postWithFiles(ctx context.Context, channel string, r bot.Reply, files []slackFile) (string, string, error) {
	waits := a.cfg.FileWaits
	if waits == nil {
		waits = defaultFileWaits
	}
	for i := 0; ; i++ {
		ch, ts, err := a.api.PostMessageContext(ctx, channel, postOptions(r, files)...)
		if err == nil || len(files) == 0 || !fileRefused(err) {
			return ch, ts, err
		}
		if i == len(waits) {
			a.log.WarnContext(ctx, "posting without pictures: Slack refused the uploaded files", "key", r.DeliveryKey, "err", err)
			files = nil
			continue
		}
		t := time.NewTimer(waits[i])
		select {
		case <-ctx.Done():
			t.Stop()
			return "", "", ctx.Err()
		case <-t.C:
		}
	}
}

// postOptions renders a message for chat.postMessage: text, blocks with
// the pictures, and the delivery key in metadata.
func postOptions(r bot.Reply, files []slackFile) []slackgo.MsgOption {
	opts := []slackgo.MsgOption{slackgo.MsgOptionText(fallback(r), false), slackgo.MsgOptionBlocks(withImages(blocks(r), r, files)...)}
	if r.DeliveryKey != "" {
		opts = append(opts, slackgo.MsgOptionMetadata(slackgo.SlackMetadata{
			EventType:    deliveryEvent,
			EventPayload: map[string]any{"key": r.DeliveryKey},
		}))
	}
	return opts
}

// withImages puts an image block for each file after the reply's summary
// line (or first, when it has none).
func withImages(bs []slackgo.Block, r bot.Reply, files []slackFile) []slackgo.Block {
	if len(files) == 0 {
		return bs
	}
	at := 0
	if r.Text != "" && len(bs) > 0 {
		at = 1
	}
	out := append([]slackgo.Block{}, bs[:at]...)
	for i, f := range files {
		alt := f.Alt
		if alt == "" {
			alt = f.Title
		}
		out = append(out, slackgo.NewImageBlockSlackFile(&slackgo.SlackFileObject{ID: f.ID}, clipRunes(alt, 2000),
			fmt.Sprintf("picture%d", i+1), plain(clipRunes(f.Title, 2000))))
	}
	return append(out, bs[at:]...)
}
