package mattermost

import (
	"bytes"
	"context"
	"log/slog"
	"net/http"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/getbackhq/getback/adapters/internal/adaptertest"
	"github.com/getbackhq/getback/adapters/mattermost/mattermosttest"
	"github.com/getbackhq/getback/bot"
)

// enqueueDigest queues a digest with pictures for ~region-9.
func (e *env) enqueueDigest(key string) *bot.OutboxItem {
	return e.EnqueueDigest(key, bot.Target{Workspace: "mattermost:team1", Channel: "chan9"})
}

func ids(ups []mattermosttest.Upload) []string {
	var out []string
	for _, u := range ups {
		out = append(out, u.ID)
	}
	return out
}

func TestDigestPicturesAreAttachedToTheDigestPostOnce(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	e.enqueueDigest("digest:mattermost:team1:9:2026-W48")
	if n, err := e.Sender().Drain(ctx); n != 1 || err != nil {
		t.Fatalf("drain: %d %v", n, err)
	}
	ups := e.mm.Uploads()
	if len(ups) != 2 {
		t.Fatalf("%d uploads, want the two pictures", len(ups))
	}
	for i, want := range adaptertest.Pictures() {
		if ups[i].Name != want.Name || ups[i].Channel != "chan9" || !bytes.Equal(ups[i].Data, want.PNG) {
			t.Errorf("upload %d: %s to %s (%d bytes); want %s to chan9 with its bytes", i, ups[i].Name, ups[i].Channel, len(ups[i].Data), want.Name)
		}
	}
	posts := e.mm.Posts()
	if len(posts) != 1 || !slices.Equal([]string(posts[0].FileIds), ids(ups)) {
		t.Fatalf("%d posts; the digest carries files %v, want %v", len(posts), posts, ids(ups))
	}
	if k, _ := posts[0].GetProp(deliveryProp).(string); k != "digest:mattermost:team1:9:2026-W48#0" || !strings.Contains(posts[0].Message, "Meetings held") {
		t.Fatalf("post: key %q, message %q", k, posts[0].Message)
	}
	if n, _ := e.Sender().Drain(ctx); n != 0 || len(e.mm.Uploads()) != 2 || len(e.mm.Posts()) != 1 {
		t.Fatal("a second drain uploaded or posted again")
	}
}

func TestAKillBetweenUploadAndPostPostsTheDigestOnce(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	it := e.enqueueDigest("digest:mattermost:team1:9:2026-W48")
	// The sender marks its attempt, uploads the pictures, and getback is
	// killed before it creates the post.
	e.MarkAttempted(it)
	if _, err := e.a.upload(ctx, "chan9", it.Reply.Images); err != nil {
		t.Fatal(err)
	}
	e.Clock.Advance(time.Minute)
	fresh := New(Config{URL: e.mm.URL, BotToken: "bottoken", CommandTokens: []string{token}, Log: adaptertest.Quiet, Now: e.Clock.Now})
	s := e.SenderWith(fresh)
	if n, err := s.Drain(ctx); n != 1 || err != nil {
		t.Fatalf("drain after the restart: %d %v", n, err)
	}
	if looked := e.mm.Calls("GET", "/api/v4/channels/chan9/posts"); len(looked) != 1 {
		t.Fatalf("the restart looked for the interrupted post %d times, want 1", len(looked))
	}
	ups, posts := e.mm.Uploads(), e.mm.Posts()
	if len(posts) != 1 {
		t.Fatalf("the digest was posted %d times", len(posts))
	}
	if len(ups) != 4 || !slices.Equal([]string(posts[0].FileIds), ids(ups[2:])) || ups[0].Post != "" || ups[1].Post != "" {
		t.Fatalf("uploads %+v, post files %v: want the killed run's files unattached and the new ones on the post", ups, posts[0].FileIds)
	}

	// The post is created but its answer is lost: the retry finds it and
	// neither uploads nor posts again.
	e.mm.LoseReplies(1)
	before := len(e.mm.Calls(http.MethodPost, "/api/v4/posts"))
	e.DrainAfterALostAnswer(s, e.enqueueDigest("digest:mattermost:team1:9:2026-W49"),
		func() int { return len(e.mm.Calls(http.MethodPost, "/api/v4/posts")) - before })
	if ups, posts := e.mm.Uploads(), e.mm.Posts(); len(ups) != 6 || len(posts) != 2 || !slices.Equal([]string(posts[1].FileIds), ids(ups[4:])) {
		t.Fatalf("after a lost answer: %d uploads, %d posts; want two and one more", len(ups), len(posts))
	}
}

func TestAFailedUploadStillPostsTheTextAndSaysWhy(t *testing.T) {
	e := newEnv(t)
	var logs bytes.Buffer
	e.a.log = slog.New(slog.NewTextHandler(&logs, nil))
	e.mm.FailUploads(1)
	e.enqueueDigest("digest:mattermost:team1:9:2026-W48")
	if n, err := e.Sender().Drain(context.Background()); n != 1 || err != nil {
		t.Fatalf("drain: %d %v", n, err)
	}
	posts := e.mm.Posts()
	if len(posts) != 1 || len(posts[0].FileIds) != 0 || !strings.Contains(posts[0].Message, "Meetings held") {
		t.Fatalf("want the digest's text alone, once: %+v", posts)
	}
	if !strings.Contains(logs.String(), "posting without pictures: their upload failed") || !strings.Contains(logs.String(), "attachments.disabled") {
		t.Fatalf("the log does not say why:\n%s", logs.String())
	}
}

func TestDigestPreviewSendsThePicturesByDirectMessage(t *testing.T) {
	e := newEnv(t)
	e.Runner.Reporter.Pictures = true
	e.answer("anaid", "/meeting", "add state:Nevada date:2026-11-24 location:Reno", nil)
	cr := e.answer("anaid", "/digest", "preview region:9", nil)
	if cr.ResponseType != "ephemeral" || !strings.Contains(cr.Text, "Preview (only you see this): Region 9 weekly digest") ||
		!strings.Contains(cr.Text, "The pictures come to you as a direct message from getback.") {
		t.Fatalf("preview answer: %+v", cr)
	}
	e.waitFor("POST", "/api/v4/posts", 1)
	e.a.Wait()
	posts := e.mm.Posts()
	if len(posts) != 1 || posts[0].ChannelId != "dm_anaid" || len(posts[0].FileIds) != 2 {
		t.Fatalf("want one DM to the caller with two pictures: %+v", posts)
	}
	if !strings.Contains(posts[0].Message, "Region 9 coverage, week 2026-W48") {
		t.Fatalf("DM text: %q", posts[0].Message)
	}
	for _, u := range e.mm.Uploads() {
		if u.Channel != "dm_anaid" || u.Post != posts[0].Id || !bytes.HasPrefix(u.Data, []byte("\x89PNG")) || len(u.Data) < 1000 {
			t.Fatalf("upload %s: to %s, on %q, %d bytes", u.Name, u.Channel, u.Post, len(u.Data))
		}
	}
}
