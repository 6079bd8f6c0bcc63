package commands_test

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"github.com/getbackhq/getback/bot"
)

// payloads are hostile texts: SQL, FTS5 query syntax, Slack and
// Mattermost markup and mentions, HTML, control characters.
var payloads = []string{
	`'); DROP TABLE meetings; --`,
	`" OR 1=1 --`,
	`x' UNION SELECT user_id, name FROM people --`,
	`NEAR(a b) OR c* AND "d`,
	`<!channel> <!here> <@U0ADMIN> <https://evil.example|click me> &amp;`,
	"@channel @here @all **bold** [link](https://evil.example) ![img](https://evil.example/x.png) `code`",
	`<script>alert(1)</script><p>hi</p>`,
	"line1\r\nline2\x00nul\u202etxt",
}

var freeText = []string{"location", "poc", "attendees", "discussion", "concerns", "followup", "awareness", "action", "next", "notes"}

// TestInjectionIsStoredVerbatim puts every payload in every free-text
// field and in getback texts: each is stored and read back exactly, the
// schema is intact, and searching for a payload finds it or nothing.
func TestInjectionIsStoredVerbatim(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	for i, p := range payloads {
		q := strings.ReplaceAll(p, `"`, `'`) // the command language quotes with "
		var args []string
		for _, f := range freeText {
			args = append(args, fmt.Sprintf(`%s:"%s %s"`, f, f, q))
		}
		r := e.ok("UANA", "/meeting", "add state:Nevada date:2026-11-02 "+strings.Join(args, " "))
		id := int64(i + 1)
		if !strings.Contains(r.Text, fmt.Sprintf("#%d", id)) {
			t.Fatalf("payload %d: %s", i, r.Text)
		}
		m, err := e.db.FindMeetingByID(ctx, ws, id)
		if err != nil {
			t.Fatal(err)
		}
		for _, f := range freeText {
			if got, want := m.Text(f), f+" "+q; got != want {
				t.Errorf("payload %d, %s stored as %q, want %q", i, f, got, want)
			}
		}
		e.ok("UANA", "/getback", fmt.Sprintf(`add @bob "%s" due:friday`, q))
		e.ok("UANA", "/meeting", "search "+q)
		e.ok("UANA", "/meeting", fmt.Sprintf("show %d", id))
	}
	n, total, err := e.db.FindMeetings(ctx, bot.MeetingFilter{Workspace: ws})
	if err != nil || total != len(payloads) || len(n) != len(payloads) {
		t.Fatalf("meetings after the payloads: %d %v", total, err)
	}
	gbs, _, _ := e.db.FindGetbacks(ctx, bot.GetbackFilter{Workspace: ws})
	for i, g := range gbs {
		if want := strings.ReplaceAll(payloads[i], `"`, `'`); g.Text != want {
			t.Errorf("getback %d text %q, want %q", g.ID, g.Text, want)
		}
	}
	// A search for an SQL payload matches the meeting that holds it, and
	// nothing is dropped.
	r := e.ok("UANA", "/meeting", `search DROP TABLE meetings`)
	if !strings.Contains(r.PlainText(), "#1 ") {
		t.Fatalf("search for the payload: %s", r.PlainText())
	}
}

// TestInjectionInValidatedFieldsChangesNothing sends payloads where a
// region, state, date or id is expected: each is refused with a clear
// message and nothing is stored.
func TestInjectionInValidatedFieldsChangesNothing(t *testing.T) {
	e := newEnv(t)
	for _, p := range payloads[:4] {
		q := strings.ReplaceAll(p, `"`, `'`)
		for _, cmd := range []struct{ command, text string }{
			{"/meeting", fmt.Sprintf(`add state:"%s" date:today`, q)},
			{"/meeting", fmt.Sprintf(`add state:Nevada region:"%s"`, q)},
			{"/meeting", fmt.Sprintf(`add state:Nevada date:"%s"`, q)},
			{"/meeting", fmt.Sprintf(`show "%s"`, q)},
			{"/getback", fmt.Sprintf(`done "%s"`, q)},
			{"/getback", fmt.Sprintf(`add @bob "x" due:"%s"`, q)},
			{"/digest", fmt.Sprintf(`config region:9 tz:"%s"`, q)},
		} {
			r := e.run("UADM", cmd.command, cmd.text)
			if !r.Error || r.Text == "" {
				t.Errorf("%s %s: accepted: %s", cmd.command, cmd.text, r.PlainText())
			}
		}
	}
	if m, g, o := e.counts(); m+g+o != 0 {
		t.Fatalf("refused commands stored %d meetings, %d getbacks, %d posts", m, g, o)
	}
}

// TestFirstContactIsStoredOnlyOnSuccess: a new user's malformed or
// refused command leaves no trace; their first command that works
// records them (with the platform's time zone).
func TestFirstContactIsStoredOnlyOnSuccess(t *testing.T) {
	e := newEnv(t)
	e.fails("UCAT", "/meeting", "add stat:Nevada", "did you mean 'state'")
	e.fails("UCAT", "/digest", "post region:9", "Only admins")
	if _, err := e.db.FindPerson(context.Background(), ws, "UCAT"); bot.ErrorCode(err) != bot.ENOTFOUND {
		t.Fatalf("a failed command stored the caller: %v", err)
	}
	e.ok("UCAT", "/getback", "list mine")
	p, err := e.db.FindPerson(context.Background(), ws, "UCAT")
	if err != nil || p.TZ != "Pacific/Guam" || p.Name != "Cat Diaz" {
		t.Fatalf("first successful command: %+v %v", p, err)
	}
}
