package commands_test

import (
	"context"
	"fmt"
	"math/rand/v2"
	"testing"
	"time"

	"github.com/getbackhq/getback/bot"
	"github.com/getbackhq/getback/commands"
	"github.com/getbackhq/getback/storage/sqlite/sqlitetest"
)

// benchRunner returns a runner over the standard 100k-meeting, 300k-getback
// database, with a console-like directory where every uNNNN is a user.
func benchRunner(b *testing.B) (*commands.Runner, func(user, cmd, text string) bot.Reply) {
	db := sqlitetest.Open(b, sqlitetest.Standard)
	now := time.Date(2026, 11, 26, 17, 0, 0, 0, time.UTC)
	r := &commands.Runner{Store: db, Users: benchDirectory{}, Now: func() time.Time { return now },
		Reporter: &bot.Reporter{Store: db}, Outbox: db}
	run := func(user, cmd, text string) bot.Reply {
		return r.Run(context.Background(), commands.Call{Workspace: sqlitetest.Standard.Workspace,
			User: bot.User{ID: user, Name: user}, Command: cmd, Text: text})
	}
	return r, run
}

type benchDirectory struct{}

func (benchDirectory) LookupUser(_ context.Context, _, id string) (bot.User, error) {
	return bot.User{ID: id, Name: id, TZ: "America/New_York"}, nil
}
func (benchDirectory) FindUser(_ context.Context, _, name string) (bot.User, error) {
	return bot.User{ID: name, Name: name, TZ: "America/New_York"}, nil
}
func (benchDirectory) FindChannel(_ context.Context, _, name string) (bot.Channel, error) {
	return bot.Channel{ID: name, Name: name}, nil
}

func benchCommand(b *testing.B, cmd string, text func(i int) string) {
	_, run := benchRunner(b)
	run("u0001", "/getback", "remind") // create the caller's person record
	var lat sqlitetest.Latencies
	b.ResetTimer()
	for i := 0; b.Loop(); i++ {
		var rep bot.Reply
		lat.Time(func() { rep = run("u0001", cmd, text(i)) })
		if rep.Error {
			b.Fatalf("%s %s: %s", cmd, text(i), rep.Text)
		}
	}
	lat.Report(b)
}

// BenchmarkMeetingAdd parses and runs /meeting add with a 2 KB discussion
// and a follow-up holding two GETBACK items.
func BenchmarkMeetingAdd(b *testing.B) {
	r := rand.New(rand.NewPCG(3, 4))
	discussion := sqlitetest.Text(r, 2048)
	benchCommand(b, "/meeting", func(i int) string {
		return fmt.Sprintf(`add state:Nevada date:2026-11-%02d location:"Las Vegas" discussion:"%s" `+
			`followup:"GETBACK (1): send the list. RD FORAC. GETBACK (2): call back. @u0002 FORAC." next:"Dec 5"`, 1+i%25, discussion)
	})
}

// BenchmarkGetbackListOverdue lists the workspace's overdue items (first page).
func BenchmarkGetbackListOverdue(b *testing.B) {
	benchCommand(b, "/getback", func(int) string { return "list overdue" })
}

// BenchmarkGetbackListOpen lists all open items, overdue first (first page).
func BenchmarkGetbackListOpen(b *testing.B) {
	benchCommand(b, "/getback", func(int) string { return "list" })
}

// BenchmarkGetbackListMine lists one person's open items.
func BenchmarkGetbackListMine(b *testing.B) {
	benchCommand(b, "/getback", func(int) string { return "list mine" })
}

// BenchmarkMeetingSearch runs a two-word full-text search.
func BenchmarkMeetingSearch(b *testing.B) {
	queries := []string{`"fusion center"`, `"paper ballots"`, `"county clerk"`, `"phishing assessment"`}
	benchCommand(b, "/meeting", func(i int) string { return "search " + queries[i%len(queries)] })
}

// BenchmarkGetbackAdd adds an item for another user, with a due date.
func BenchmarkGetbackAdd(b *testing.B) {
	benchCommand(b, "/getback", func(i int) string {
		return fmt.Sprintf(`add @u%04d "send the contact list %d" due:friday`, i%2000, i)
	})
}
