package bot_test

import (
	"context"
	"fmt"
	"path/filepath"
	"sort"
	"sync"
	"testing"
	"time"

	"github.com/getbackhq/getback/bot"
	"github.com/getbackhq/getback/bot/clocktest"
	"github.com/getbackhq/getback/storage/sqlite"
)

const ws = "console"

// clock is the test's one clock, shared by the store and the code under
// test.
type clock = clocktest.Clock

func openStore(t testing.TB, c *clock) *sqlite.DB {
	t.Helper()
	db, err := sqlite.Open(context.Background(), filepath.Join(t.TempDir(), "g.db"), sqlite.WithClock(c.Now))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	return db
}

func mustZone(t testing.TB, name string) *time.Location {
	t.Helper()
	loc, err := time.LoadLocation(name)
	if err != nil {
		t.Fatal(err)
	}
	return loc
}

// person stores a person (updated long ago, so today's reminder counts).
func person(t testing.TB, db *sqlite.DB, c *clock, id, tz string) *bot.Person {
	t.Helper()
	saved := c.Now()
	c.Set(time.Date(2020, 1, 1, 0, 0, 0, 0, time.UTC))
	defer c.Set(saved)
	p := bot.NewPerson(ws, id, id, tz)
	if err := db.UpsertPerson(context.Background(), p); err != nil {
		t.Fatal(err)
	}
	return p
}

func owe(t testing.TB, db *sqlite.DB, owner string, due bot.Date) *bot.Getback {
	t.Helper()
	g := &bot.Getback{Workspace: ws, Text: "item for " + owner, Owner: owner, OwnerKind: bot.OwnerUser, Status: bot.StatusOpen, Due: due}
	if err := db.CreateGetback(context.Background(), g); err != nil {
		t.Fatal(err)
	}
	return g
}

// keys lists the outbox keys in the given status ("" for all), sorted.
func keys(t testing.TB, db *sqlite.DB, status string) []string {
	t.Helper()
	f := bot.OutboxFilter{}
	if status != "" {
		f.Status = &status
	}
	items, err := db.FindOutbox(context.Background(), f)
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, it := range items {
		out = append(out, it.Key)
	}
	sort.Strings(out)
	return out
}

// fakeMessenger records posts. failFor makes a target fail; rateLimit makes
// the first post to each target answer 429; stopAfter cancels after that
// many successful posts.
type fakeMessenger struct {
	mu        sync.Mutex
	limits    bot.MessageLimits
	posts     []post
	fail      map[string]error
	stopAfter int
	cancel    context.CancelFunc
	limited   map[string]bool
	rateLimit time.Duration
}

type post struct {
	to   bot.Target
	text string
	key  string
	at   time.Time
}

func (f *fakeMessenger) Limits() bot.MessageLimits { return f.limits }

func (f *fakeMessenger) Post(ctx context.Context, to bot.Target, r bot.Reply) (bot.MessageRef, error) {
	if err := ctx.Err(); err != nil {
		return bot.MessageRef{}, err
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	if err := f.fail[to.String()]; err != nil {
		return bot.MessageRef{}, err
	}
	if f.rateLimit > 0 && !f.limited[to.String()] {
		if f.limited == nil {
			f.limited = map[string]bool{}
		}
		f.limited[to.String()] = true
		return bot.MessageRef{}, &bot.SendError{RetryAfter: f.rateLimit, Err: fmt.Errorf("ratelimited")}
	}
	f.posts = append(f.posts, post{to, r.Text, r.DeliveryKey, time.Now()})
	if f.stopAfter > 0 && len(f.posts) == f.stopAfter && f.cancel != nil {
		f.cancel()
	}
	return bot.MessageRef{Channel: to.Channel + to.User, ID: fmt.Sprint(len(f.posts))}, nil
}

func (f *fakeMessenger) sentTo() map[string]int {
	f.mu.Lock()
	defer f.mu.Unlock()
	out := map[string]int{}
	for _, p := range f.posts {
		out[p.to.String()]++
	}
	return out
}
