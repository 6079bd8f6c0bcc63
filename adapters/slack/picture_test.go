package slack

import (
	"bytes"
	"context"
	"encoding/json"
	"log/slog"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/getbackhq/getback/adapters/internal/adaptertest"
	"github.com/getbackhq/getback/bot"
)

// enqueueDigest queues a digest with pictures for #region-9 through the
// store, as the scheduler does.
func (e *env) enqueueDigest(key string) *bot.OutboxItem {
	return e.EnqueueDigest(key, bot.Target{Workspace: "slack:T1", Channel: "C9"})
}

// imageBlock is what a test reads of an image block.
type imageBlock struct {
	at         int
	file, alt  string
	title      string
	blockCount int
}

// imageBlocks returns the image blocks of a message's blocks JSON.
func imageBlocks(t *testing.T, blocksJSON string) []imageBlock {
	t.Helper()
	var bs []map[string]any
	if err := json.Unmarshal([]byte(blocksJSON), &bs); err != nil {
		t.Fatalf("blocks: %v: %s", err, blocksJSON)
	}
	var out []imageBlock
	for i, b := range bs {
		if b["type"] != "image" {
			continue
		}
		ib := imageBlock{at: i, blockCount: len(bs)}
		ib.file, _ = b["slack_file"].(map[string]any)["id"].(string)
		ib.alt, _ = b["alt_text"].(string)
		if title, ok := b["title"].(map[string]any); ok {
			ib.title, _ = title["text"].(string)
		}
		out = append(out, ib)
	}
	return out
}

func TestDigestPicturesGoOutOnceInTheDigestMessage(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	e.enqueueDigest("digest:slack:T1:9:2026-W48")
	if n, err := e.Sender().Drain(ctx); n != 1 || err != nil {
		t.Fatalf("drain: %d %v", n, err)
	}
	sets := e.slack.UploadSets()
	if len(sets) != 1 || len(sets[0]) != 2 {
		t.Fatalf("upload sets %v, want one set of the two pictures", sets)
	}
	ups := e.slack.Uploads()
	for i, want := range adaptertest.Pictures() {
		u := ups[i]
		if u.Name != want.Name || !bytes.Equal(u.Data, want.PNG) || u.Alt != want.Alt || !u.Completed || u.Channel != "" {
			t.Errorf("upload %d: %+v; want %s with its bytes and alt text, completed and shared to no channel", i, u, want.Name)
		}
	}
	posts := e.slack.Calls("chat.postMessage")
	if len(posts) != 1 {
		t.Fatalf("%d posts, want 1", len(posts))
	}
	if m := e.slack.Posted()[0]; !slices.Equal(m.Files, sets[0]) || m.Channel != "C9" {
		t.Fatalf("the digest shows files %v in %s, want %v in C9", m.Files, m.Channel, sets[0])
	}
	imgs := imageBlocks(t, posts[0].Form.Get("blocks"))
	for i, want := range adaptertest.Pictures() {
		if imgs[i].at != 1+i || imgs[i].file != sets[0][i] || imgs[i].alt != want.Alt || imgs[i].title != want.Title {
			t.Errorf("image block %d: %+v; want file %s after the summary, with its alt text and title", i, imgs[i], sets[0][i])
		}
	}
	var meta map[string]any
	json.Unmarshal([]byte(posts[0].Form.Get("metadata")), &meta)
	if meta["event_payload"].(map[string]any)["key"] != "digest:slack:T1:9:2026-W48#0" {
		t.Fatalf("the message lacks its delivery key: %v", meta)
	}
	if n, _ := e.Sender().Drain(ctx); n != 0 || len(e.slack.UploadSets()) != 1 || len(e.slack.Calls("chat.postMessage")) != 1 {
		t.Fatal("a second drain uploaded or posted again")
	}
}

func TestAKillBetweenUploadAndPostPostsTheDigestOnce(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	it := e.enqueueDigest("digest:slack:T1:9:2026-W48")
	// The sender marks its attempt, uploads the pictures, and getback is
	// killed before chat.postMessage.
	e.MarkAttempted(it)
	if _, err := e.a.upload(ctx, it.Reply.Images); err != nil {
		t.Fatal(err)
	}
	// A new process: a fresh adapter over the same store.
	e.Clock.Advance(time.Minute)
	fresh := New(Config{BotToken: "xoxb-test", SigningSecret: secret, APIURL: e.slack.APIURL(), Log: adaptertest.Quiet, Now: e.Clock.Now}, e.DB)
	s := e.SenderWith(fresh)
	if n, err := s.Drain(ctx); n != 1 || err != nil {
		t.Fatalf("drain after the restart: %d %v", n, err)
	}
	if h := e.slack.Calls("conversations.history"); len(h) != 1 {
		t.Fatalf("the restart looked for the interrupted post %d times, want 1", len(h))
	}
	sets, posted := e.slack.UploadSets(), e.slack.Posted()
	if len(posted) != 1 {
		t.Fatalf("the digest was posted %d times", len(posted))
	}
	if len(sets) != 2 || !slices.Equal(posted[0].Files, sets[1]) {
		t.Fatalf("upload sets %v, post shows %v: want the killed run's set left unused and the new one shown", sets, posted[0].Files)
	}
	if items, _ := e.DB.FindOutbox(ctx, bot.OutboxFilter{}); items[0].Status != bot.OutboxSent || items[0].Ref.ID != posted[0].TS {
		t.Fatalf("recorded: %+v", items[0])
	}

	// The post takes effect but its answer is lost: the retry finds it and
	// neither uploads nor posts again.
	e.slack.LoseReplies("chat.postMessage", 1)
	before := len(e.slack.Calls("chat.postMessage"))
	e.DrainAfterALostAnswer(s, e.enqueueDigest("digest:slack:T1:9:2026-W49"), func() int { return len(e.slack.Calls("chat.postMessage")) - before })
	if sets, posted := e.slack.UploadSets(), e.slack.Posted(); len(sets) != 3 || len(posted) != 2 || !slices.Equal(posted[1].Files, sets[2]) {
		t.Fatalf("after a lost answer: %d upload sets, %d posts; want one more of each", len(sets), len(posted))
	}
}

func TestAFailedUploadStillPostsTheTextAndSaysWhy(t *testing.T) {
	for _, method := range []string{"files.getUploadURLExternal", "files.completeUploadExternal"} {
		t.Run(method, func(t *testing.T) {
			e := newEnv(t)
			var logs bytes.Buffer
			e.a.log = slog.New(slog.NewTextHandler(&logs, nil))
			e.slack.RateLimit(method, 5, 30)
			e.enqueueDigest("digest:slack:T1:9:2026-W48")
			if n, err := e.Sender().Drain(context.Background()); n != 1 || err != nil {
				t.Fatalf("drain: %d %v", n, err)
			}
			posts := e.slack.Calls("chat.postMessage")
			if len(posts) != 1 || len(imageBlocks(t, posts[0].Form.Get("blocks"))) != 0 || !strings.Contains(posts[0].Form.Get("blocks"), "Meetings held") {
				t.Fatalf("want the digest's text alone, once: %d posts", len(posts))
			}
			if !strings.Contains(logs.String(), "posting without pictures: their upload failed") || !strings.Contains(logs.String(), method) {
				t.Fatalf("the log does not say why:\n%s", logs.String())
			}
		})
	}
}

func TestPicturesNotYetReadyAreWaitedFor(t *testing.T) {
	cases := []struct {
		name      string
		notReady  int
		posts     int  // chat.postMessage calls, refused ones included
		withFiles bool // the digest that went out shows the pictures
	}{
		{"ready after one refusal", 1, 2, true},
		{"never ready: the text goes alone", 10, 4, false},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			e := newEnv(t)
			var logs bytes.Buffer
			e.a.log = slog.New(slog.NewTextHandler(&logs, nil))
			e.a.cfg.FileWaits = []time.Duration{time.Millisecond, time.Millisecond}
			e.slack.FilesNotReady(tc.notReady)
			e.enqueueDigest("digest:slack:T1:9:2026-W48")
			if n, err := e.Sender().Drain(context.Background()); n != 1 || err != nil {
				t.Fatalf("drain: %d %v", n, err)
			}
			posted := e.slack.Posted()
			if calls := len(e.slack.Calls("chat.postMessage")); calls != tc.posts || len(posted) != 1 {
				t.Fatalf("%d calls and %d messages, want %d calls and 1 message", calls, len(posted), tc.posts)
			}
			if got := len(posted[0].Files) > 0; got != tc.withFiles {
				t.Fatalf("message shows files %v, want pictures %v", posted[0].Files, tc.withFiles)
			}
			if len(e.slack.UploadSets()) != 1 {
				t.Fatalf("uploaded %d times, want once", len(e.slack.UploadSets()))
			}
			if !tc.withFiles && !strings.Contains(logs.String(), "Slack refused the uploaded files") {
				t.Fatalf("the log does not say why:\n%s", logs.String())
			}
		})
	}
}

func TestDigestPreviewShowsThePicturesToTheCaller(t *testing.T) {
	e := newEnv(t)
	e.Runner.Reporter.Pictures = true
	e.answer("UANA", "/meeting", "add state:Nevada date:2026-11-24 location:Reno")
	msg := e.answer("UANA", "/digest", "preview region:9")
	if msg["response_type"] != "ephemeral" || !strings.HasPrefix(msg["text"].(string), "Preview (only you see this): Region 9 weekly digest") {
		t.Fatalf("preview: %v", msg)
	}
	raw, _ := json.Marshal(msg["blocks"])
	imgs := imageBlocks(t, string(raw))
	sets := e.slack.UploadSets()
	if len(sets) != 1 || len(imgs) != 2 || imgs[0].file != sets[0][0] || imgs[1].file != sets[0][1] {
		t.Fatalf("preview shows %+v; uploads %v", imgs, sets)
	}
	if !strings.Contains(imgs[0].alt, "Nevada (2 days)") || !strings.HasPrefix(imgs[0].title, "Region 9 coverage, week 2026-W48") {
		t.Fatalf("coverage picture: %+v", imgs[0])
	}
	for _, u := range e.slack.Uploads() {
		if u.Channel != "" || len(u.Data) < 1000 || !bytes.HasPrefix(u.Data, []byte("\x89PNG")) {
			t.Fatalf("upload %s: %d bytes shared to %q; want a private PNG", u.Name, len(u.Data), u.Channel)
		}
	}
	if n := len(e.slack.Calls("chat.postMessage")); n != 0 {
		t.Fatalf("a preview posted %d messages to a channel", n)
	}
}
