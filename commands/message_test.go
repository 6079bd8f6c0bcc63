package commands_test

import (
	"context"
	"testing"

	"github.com/getbackhq/getback/bot"
	"github.com/getbackhq/getback/commands"
)

func TestAMessageToTheBotIsAnsweredOnceThroughTheOutbox(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	dm := commands.Message{Key: "dm:slack:T1:Ev1", Workspace: ws, Channel: "DANA", Text: "help"}
	for range 2 { // the platform delivers it twice
		rep, queued, err := e.runner.Answer(ctx, dm)
		if err != nil || !queued || rep.Error {
			t.Fatalf("answer: %+v %v %v", rep, queued, err)
		}
	}
	mention := commands.Message{Key: "mention:slack:T1:Ev2", Workspace: ws, Channel: "CGEN", Text: "<@UBOT> hi", Mention: true}
	if _, _, err := e.runner.Answer(ctx, mention); err != nil {
		t.Fatal(err)
	}
	items, err := e.db.FindOutbox(ctx, bot.OutboxFilter{})
	if err != nil || len(items) != 2 {
		t.Fatalf("outbox: %d items, %v; want one answer per message", len(items), err)
	}
	byKey := map[string]*bot.OutboxItem{}
	for _, it := range items {
		byKey[it.Key] = it
	}
	if it := byKey[dm.Key]; it == nil || it.Target.Channel != "DANA" || !it.NextAttempt.Equal(e.now) || it.Reply.Text == byKey[mention.Key].Reply.Text {
		t.Fatalf("the DM's answer %+v, the mention's %+v", it, byKey[mention.Key])
	}

	e.runner.Outbox = nil
	rep, queued, err := e.runner.Answer(ctx, commands.Message{Key: "dm:3", Workspace: ws, Channel: "DANA", Text: "what?"})
	if err != nil || queued || rep.Text == "" {
		t.Fatalf("without an outbox the answer comes back to post: %+v %v %v", rep, queued, err)
	}
}

func TestAProfileChangeUpdatesAKnownPersonOnly(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	e.ok("UANA", "/getback", "remind") // ana is known from her first command
	changed := users["UANA"]
	changed.TZ, changed.Display = "Europe/Paris", "Ana L."
	if err := e.runner.UserChanged(ctx, ws, changed); err != nil {
		t.Fatal(err)
	}
	p, err := e.db.FindPerson(ctx, ws, "UANA")
	if err != nil || p.TZ != "Europe/Paris" || p.Name != "Ana L." {
		t.Fatalf("ana after the change: %+v %v", p, err)
	}
	if err := e.runner.UserChanged(ctx, ws, bot.User{ID: "UNEW", Name: "new", TZ: "UTC"}); err != nil {
		t.Fatal(err)
	}
	if _, err := e.db.FindPerson(ctx, ws, "UNEW"); bot.ErrorCode(err) != bot.ENOTFOUND {
		t.Fatalf("a stranger's profile change stored them: %v", err)
	}
}

// joiningRoster is a directory on a platform where the bot joins a channel
// to post there; it refuses channels named in refuse.
type joiningRoster struct {
	roster
	joined []string
	refuse map[string]bool
}

func (j *joiningRoster) JoinChannel(ctx context.Context, ws string, ch bot.Channel) error {
	if j.refuse[ch.Name] {
		return bot.Errorf(bot.EUNAUTHORIZED, "not allowed")
	}
	j.joined = append(j.joined, ch.ID)
	return nil
}

func (j *joiningRoster) FindChannel(ctx context.Context, ws, name string) (bot.Channel, error) {
	if name == "private-9" {
		return bot.Channel{ID: "P9", Name: name}, nil
	}
	return j.roster.FindChannel(ctx, ws, name)
}

func TestSettingADigestChannelJoinsItOrSaysWhyNot(t *testing.T) {
	e := newEnv(t)
	dir := &joiningRoster{roster: users, refuse: map[string]bool{"private-9": true}}
	e.runner.Users = dir
	e.ok("UADM", "/digest", "config region:9 channel:~region-9 tz:UTC")
	if len(dir.joined) != 1 || dir.joined[0] != "C9" {
		t.Fatalf("joined %v, want the digest channel C9", dir.joined)
	}
	e.fails("UADM", "/digest", "config region:9 channel:~private-9", "Invite me there first")
	r, err := e.db.FindRegion(context.Background(), ws, 9)
	if err != nil || r.Channel != "C9" {
		t.Fatalf("a refused join changed the region: %+v %v", r, err)
	}
}
