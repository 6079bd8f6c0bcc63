package console_test

import (
	"bytes"
	"context"
	"flag"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/getbackhq/getback/adapters/console"
	"github.com/getbackhq/getback/bot"
	"github.com/getbackhq/getback/bot/clocktest"
	"github.com/getbackhq/getback/commands"
	"github.com/getbackhq/getback/storage/sqlite"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata")

// monday is the pinned clock of these tests: Monday 2026-11-23, 09:00 in
// Los Angeles, where the console user is.
var monday = time.Date(2026, 11, 23, 17, 0, 0, 0, time.UTC)

// env is a console session on a real store, with the outbox delivered to
// the same terminal after every line, as the console does.
type env struct {
	t       testing.TB
	out     bytes.Buffer
	logs    bytes.Buffer
	db      *sqlite.DB
	session *console.Session
	sender  *bot.Sender
}

func newEnv(t testing.TB) *env {
	t.Helper()
	clock := clocktest.New(monday)
	db, err := sqlite.Open(context.Background(), filepath.Join(t.TempDir(), "g.db"), sqlite.WithClock(clock.Now))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	e := &env{t: t, db: db}
	log := slog.New(slog.NewTextHandler(&e.logs, &slog.HandlerOptions{Level: slog.LevelWarn}))
	msgr := console.NewMessenger(&e.out, "America/Los_Angeles")
	e.sender = &bot.Sender{Store: db, Messengers: map[string]bot.Messenger{"console": msgr}, Now: clock.Now, Log: log, Workers: 1}
	runner := &commands.Runner{Store: db, Users: msgr, Now: clock.Now, Reporter: &bot.Reporter{Store: db}, Outbox: e.sender, Log: log}
	e.session = &console.Session{Commands: runner, Messenger: msgr, Channel: "general", Log: log,
		User: bot.User{ID: "ana", Name: "ana", TZ: "America/Los_Angeles", Admin: true}}
	t.Cleanup(func() {
		if strings.Contains(e.logs.String(), "panic") {
			t.Errorf("something panicked:\n%s", e.logs.String())
		}
	})
	return e
}

// line types one line and returns what the terminal shows for it,
// direct messages included.
func (e *env) line(s string) string {
	e.t.Helper()
	e.out.Reset()
	e.session.Messenger.Printf("%s", e.session.Handle(context.Background(), s))
	if _, err := e.sender.Drain(context.Background()); err != nil {
		e.t.Fatal(err)
	}
	return e.out.String()
}

// TestTypedButtonsAnswerWhateverIsMissing: a button label typed with its
// number, user or anything else missing or wrong gets an answer and the
// session goes on; nothing is changed by a refused one.
func TestTypedButtonsAnswerWhateverIsMissing(t *testing.T) {
	e := newEnv(t)
	e.line(`/getback add @bob "send the contact list"`)
	tests := []struct{ in, want string }{
		{"Reassign 1", "Reassign #1 to whom? Type: Reassign 1 @name"},
		{"Reassign 9", "Reassign #9 to whom? Type: Reassign 9 @name"},
		{"reassign #1 @", "Reassign #1 to whom?"},
		{"Reassign 1 to", "Reassign #1 to whom?"},
		{"Reassign", "Reassign which getback? Type its number: Reassign 7"},
		{"Done", "Done which getback? Type its number: Done 7"},
		{"snooze 1 week", "Snooze 1 week which getback?"},
		{"Done 99999999999999999999", "There is no getback #99999999999999999999."},
		{"Done 0", "There is no getback #0."},
		{"Done 1 right now", `Unexpected "right now" after Done 1.`},
		{"Reassign 1 @bob @cat", "Reassign #1 to one person"},
		{"Reassign 9 @cat", "No getback #9"},
		{"Reassign 1 @no/such", "I don't know"},
		{"Next page", "There is no next page."},
		{"Done with that", `Unknown command "Done"`},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			if got := e.line(tt.in); !strings.Contains(got, tt.want) {
				t.Errorf("%q printed %q, want %q", tt.in, got, tt.want)
			}
		})
	}
	g, err := e.db.FindGetbackByID(context.Background(), console.Workspace, 1)
	if err != nil || g.Owner != "bob" || !g.IsOpen() {
		t.Fatalf("refused buttons changed the item: %+v %v", g, err)
	}
	if got := e.line("Reassign 1 to @carol"); !strings.Contains(got, "✓ Reassigned #1 to carol.") || !strings.Contains(got, "DM to @bob") {
		t.Fatalf("reassign with a user: %q", got)
	}
}

// TestRunGoesOnAfterEveryLine pipes a session whose lines used to end it:
// every line is answered and the last still runs.
func TestRunGoesOnAfterEveryLine(t *testing.T) {
	e := newEnv(t)
	script := "/getback add @bob \"x\"\nReassign 1\nReassign 9\nDone\n/getback list\n"
	if err := e.session.Run(context.Background(), strings.NewReader(script)); err != nil {
		t.Fatal(err)
	}
	if got := e.out.String(); !strings.Contains(got, "Reassign #9 to whom?") || !strings.Contains(got, "1 open getback.") {
		t.Fatalf("session output:\n%s", got)
	}
}

// FuzzHandle types any line into the console: it is answered and nothing
// panics (the seeds run in make test).
func FuzzHandle(f *testing.F) {
	for _, s := range []string{"Reassign 9", "Reassign", "Done 1 x", "next page", "Snooze 1 week 1", "reassign 1 to @",
		"Done 99999999999999999999", "/getback add @bob ‘x’", "/meeting add state:“Nevada", "\x00", "Reassign\t1\t@bob"} {
		f.Add(s)
	}
	e := newEnv(f)
	e.line(`/getback add @bob "send the contact list"`)
	f.Fuzz(func(t *testing.T, line string) {
		e.t = t
		if out := e.line(line); out == "" && !strings.HasPrefix(line, "#") && strings.TrimSpace(line) != "" {
			t.Fatalf("%q: no answer", line)
		}
		if strings.Contains(e.logs.String(), "panic") {
			t.Fatalf("%q panicked:\n%s", line, e.logs.String())
		}
	})
}

// TestTranscript replays testdata/transcript.txt in a console session on
// a pinned clock (Monday 2026-11-23, 09:00 in Los Angeles) and compares
// the terminal with testdata/transcript.golden; go test -update rewrites
// it, for review in the diff. Each "# " line in the script is a comment
// and is copied to the transcript.
func TestTranscript(t *testing.T) {
	script, err := os.ReadFile(filepath.Join("testdata", "transcript.txt"))
	if err != nil {
		t.Fatal(err)
	}
	e := newEnv(t)
	var got strings.Builder
	for _, l := range strings.Split(strings.TrimRight(string(script), "\n"), "\n") {
		if strings.TrimSpace(l) == "" || strings.HasPrefix(l, "#") {
			got.WriteString(l + "\n")
			continue
		}
		got.WriteString("> " + l + "\n" + e.line(l))
	}
	golden := filepath.Join("testdata", "transcript.golden")
	if *update {
		if err := os.WriteFile(golden, []byte(got.String()), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(golden)
	if err != nil {
		t.Fatal(err)
	}
	if got.String() != string(want) {
		t.Errorf("transcript differs from %s (go test -run TestTranscript -update rewrites it):\n%s", golden, lineDiff(string(want), got.String()))
	}
}

// lineDiff shows the first lines where two texts differ.
func lineDiff(want, got string) string {
	w, g := strings.Split(want, "\n"), strings.Split(got, "\n")
	var b strings.Builder
	shown := 0
	for i := 0; i < max(len(w), len(g)) && shown < 10; i++ {
		var wl, gl string
		if i < len(w) {
			wl = w[i]
		}
		if i < len(g) {
			gl = g[i]
		}
		if wl != gl {
			fmt.Fprintf(&b, "line %d:\n  want %s\n  got  %s\n", i+1, wl, gl)
			shown++
		}
	}
	return b.String()
}
