package commands_test

import (
	"context"
	"strings"
	"testing"

	"github.com/getbackhq/getback/commands"
)

// TestUsersAndChannelsThePlatformResolved: an adapter hands over the users
// and channels of a command already resolved (Call.Mentions, Call.Channels)
// and the command uses those ids, not the directory's guess by name.
func TestUsersAndChannelsThePlatformResolved(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	run := func(user, command, text string, mentions, channels map[string]string) string {
		t.Helper()
		c := e.call(user, command, text)
		c.Mentions, c.Channels = mentions, channels
		r := e.runner.Run(ctx, c)
		if r.Error {
			t.Fatalf("%s %s: %s", command, text, r.PlainText())
		}
		return r.View
	}

	run("UANA", "/getback", `add @robert "send the list"`, map[string]string{"robert": "UBOB"}, nil)
	run("UANA", "/meeting", `add state:Nevada poc:@catherine followup:"GETBACK (1): call the clerk. @robert FORAC."`,
		map[string]string{"catherine": "UCAT", "robert": "UBOB"}, nil)
	g1, _ := e.db.FindGetbackByID(ctx, ws, 1)
	g2, _ := e.db.FindGetbackByID(ctx, ws, 2)
	m, _ := e.db.FindMeetingByID(ctx, ws, 1)
	if g1.Owner != "UBOB" || g2.Owner != "UBOB" || m.POC != "UCAT" {
		t.Fatalf("owners %q %q, POC %q: want the mentioned users", g1.Owner, g2.Owner, m.POC)
	}

	// A user the platform gave no name for is written @id, mapped to itself;
	// the list's view names them by handle, so that it reads again without
	// the call's mentions.
	if view := run("UANA", "/getback", "list @UBOB", map[string]string{"UBOB": "UBOB"}, nil); view != "/getback list @bob" {
		t.Fatalf("view of a list by user id: %q", view)
	}
	if r := e.run("UANA", "/getback", "list @bob"); !strings.Contains(r.Text, "Bob Chen owes 2") {
		t.Fatalf("the view read again: %q", r.Text)
	}

	run("UADM", "/digest", "config region:9 channel:#ops", nil, map[string]string{"ops": "C77"})
	r, _ := e.db.FindRegion(ctx, ws, 9)
	if r.Channel != "C77" || r.ChannelName != "ops" {
		t.Fatalf("channel from Channels: %q %q", r.Channel, r.ChannelName)
	}
	run("UADM", "/digest", "config region:8 channel:#C78", nil, map[string]string{"C78": "C78"})
	r, _ = e.db.FindRegion(ctx, ws, 8)
	if r.Channel != "C78" || r.ChannelName != "" {
		t.Fatalf("channel known by id only: %q %q", r.Channel, r.ChannelName)
	}
}

// TestAUserPickedInAFormIsAnID: a form's user field carries a user id,
// whatever text it looks like.
func TestAUserPickedInAFormIsAnID(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	_, err := e.runner.Submit(ctx, commands.Submission{Call: e.call("UANA", "", ""), FormID: commands.FormMeetingAdd,
		Values: map[string]string{"state": "Guam", "poc": "@bob"}})
	if err == nil || !strings.Contains(err.Error(), "@bob") {
		t.Fatalf("a picked value that is no user id: %v", err)
	}
	if _, err := e.runner.Submit(ctx, commands.Submission{Call: e.call("UANA", "", ""), FormID: commands.FormMeetingAdd,
		Values: map[string]string{"state": "Guam", "poc": "UBOB"}}); err != nil {
		t.Fatal(err)
	}
	if m, _ := e.db.FindMeetingByID(ctx, ws, 1); m.POC != "UBOB" {
		t.Fatalf("POC %q", m.POC)
	}
}
