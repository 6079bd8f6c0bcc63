package mattermost

import (
	"context"
	"encoding/json"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/mattermost/mattermost/server/public/model"

	"github.com/getbackhq/getback/adapters/mattermost/mattermosttest"
	"github.com/getbackhq/getback/bot"
)

// waitListeners waits until n websockets listen to the fake.
func (e *env) waitListeners(n int) {
	e.t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for e.mm.Listeners() != n {
		if time.Now().After(deadline) {
			e.t.Fatalf("%d websockets listen, want %d", e.mm.Listeners(), n)
		}
		time.Sleep(5 * time.Millisecond)
	}
}

// dmAnswers drains the outbox and returns the posts made to channel.
func (e *env) dmAnswers(channel string) []*model.Post {
	e.t.Helper()
	if _, err := e.Sender().Drain(context.Background()); err != nil {
		e.t.Fatal(err)
	}
	var out []*model.Post
	for _, c := range e.mm.Calls(http.MethodPost, "/api/v4/posts") {
		p := &model.Post{}
		json.Unmarshal(c.Body, p)
		if p.ChannelId == channel {
			out = append(out, p)
		}
	}
	return out
}

func TestADirectMessageToTheBotIsAnsweredWithHelp(t *testing.T) {
	e := newEnv(t)
	e.mm.SetUser(&model.User{Id: "otherbotid", Username: "jira", IsBot: true})
	ctx, cancel := context.WithCancel(context.Background())
	stopped := make(chan error, 1)
	go func() { stopped <- e.a.RunEvents(ctx) }()
	e.waitListeners(1)

	e.mm.PostAsUser("anaid", "dm_anaid", "help")
	e.mm.PostAsUser(mattermosttest.BotID, "dm_anaid", "your reminder")
	e.mm.PostAsUser("otherbotid", "dm_otherbotid", "help")
	e.mm.PostAsUser("anaid", "chan9", "help")
	deadline := time.Now().Add(5 * time.Second)
	for {
		items, _ := e.DB.FindOutbox(ctx, bot.OutboxFilter{})
		if len(items) > 0 || time.Now().After(deadline) {
			break
		}
		time.Sleep(5 * time.Millisecond)
	}
	time.Sleep(50 * time.Millisecond) // the events that must not be answered
	items, _ := e.DB.FindOutbox(ctx, bot.OutboxFilter{})
	if len(items) != 1 || items[0].Target.Channel != "dm_anaid" || !strings.HasPrefix(items[0].Key, "dm:mattermost:post") {
		t.Fatalf("outbox: %+v", items)
	}
	answers := e.dmAnswers("dm_anaid")
	if len(answers) != 1 || !strings.Contains(answers[0].Message, "/getback — Track GETBACK items") ||
		!strings.Contains(answers[0].Message, `channel:\~region-9`) {
		t.Fatalf("answers: %+v", answers)
	}

	// The stream comes back after the server drops it.
	e.mm.DropListeners()
	e.waitListeners(1)
	e.mm.PostAsUser("bobid", "dm_bobid", "what can you do?")
	deadline = time.Now().Add(5 * time.Second)
	for len(e.dmAnswers("dm_bobid")) == 0 {
		if time.Now().After(deadline) {
			t.Fatal("no answer after the reconnection")
		}
		time.Sleep(10 * time.Millisecond)
	}
	if got := e.dmAnswers("dm_bobid")[0].Message; !strings.Contains(got, "I answer commands, not messages") {
		t.Fatalf("answer to a message: %q", got)
	}

	cancel()
	select {
	case err := <-stopped:
		if err != nil {
			t.Fatal(err)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("RunEvents did not stop")
	}
}
