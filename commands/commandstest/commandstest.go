// Package commandstest holds what the adapters' tests share to check the
// command language's permission rules end to end: the cases, run as each
// kind of user, and a snapshot of everything a refused command must leave
// unchanged.
package commandstest

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"testing"

	"github.com/getbackhq/getback/bot"
)

// Users names the platform user ids of each role in the cases, and how a
// command mentions a user on the platform.
type Users struct {
	Creator  string // logs meeting #1 and assigns getbacks #1 and #2 to Owner
	Owner    string
	Stranger string // neither, and not an admin
	Admin    string // a platform admin
	Mention  func(user string) string
}

// Case is one command by one user; Refusal is the start of the error it
// must get, or "" when it must succeed.
type Case struct {
	Actor, Command, Text, Refusal string
}

// Setup is what the creator runs first: meeting #1, and getbacks #1 and
// #2 for the owner.
func Setup(u Users) []Case {
	return []Case{
		{u.Creator, "/meeting", `add state:Nevada date:2026-11-20 notes:"original"`, ""},
		{u.Creator, "/getback", fmt.Sprintf(`add %s "send the contact list" due:friday meeting:1`, u.Mention(u.Owner)), ""},
		{u.Creator, "/getback", fmt.Sprintf(`add %s "share the guide"`, u.Mention(u.Owner)), ""},
	}
}

// Refused lists every permission rule broken by someone without the
// right: each must be refused and change nothing.
func Refused(u Users) []Case {
	item := "Only the owner of #1, whoever assigned it, or an admin"
	return []Case{
		{u.Stranger, "/meeting", "edit 1 notes:changed", "Only whoever logged meeting #1"},
		{u.Owner, "/meeting", "edit 1 notes:changed", "Only whoever logged meeting #1"},
		{u.Stranger, "/meeting", "delete 1", "Only whoever logged meeting #1, or an admin, can delete it"},
		{u.Stranger, "/getback", "done 1", item},
		{u.Stranger, "/getback", "reassign 1 " + u.Mention(u.Stranger), item},
		{u.Stranger, "/getback", "snooze 1", item},
		{u.Stranger, "/getback", "due 1 monday", item},
		{u.Stranger, "/digest", "post region:9", "Only admins can post digests"},
		{u.Owner, "/digest", "config region:9 hour:8", "Only admins can configure digests"},
		{u.Creator, "/digest", "states Guam region:10", "Only admins can change the state-to-region table"},
		{u.Stranger, "/getback", "owner ITF " + u.Mention(u.Stranger), "Only admins can map team labels to people"},
	}
}

// Allowed lists what the right people may do, run after Refused.
func Allowed(u Users) []Case {
	return []Case{
		{u.Owner, "/getback", "done 1", ""},
		{u.Stranger, "/getback", "reopen 1", "Only the owner of #1, whoever assigned it, or an admin"},
		{u.Creator, "/getback", "reopen 1", ""},
		{u.Creator, "/getback", "reassign 2 " + u.Mention(u.Stranger), ""},
		{u.Stranger, "/getback", "done 2", ""}, // now theirs
		{u.Admin, "/meeting", "edit 1 notes:admin", ""},
		{u.Admin, "/getback", "owner ITF " + u.Mention(u.Owner), ""},
		{u.Admin, "/meeting", "delete 1", ""},
	}
}

// Check runs the setup, then every refused case (which must leave the
// store as it was), then every allowed case, through answer: the text of
// the answer the platform showed the actor.
func Check(t *testing.T, s bot.Store, ws string, u Users, answer func(c Case) string) {
	t.Helper()
	run := func(c Case) {
		t.Helper()
		text := answer(c)
		if c.Refusal == "" && strings.Contains(text, "Only ") {
			t.Fatalf("%s %s %s refused: %s", c.Actor, c.Command, c.Text, text)
		}
		if c.Refusal != "" && !strings.Contains(text, c.Refusal) {
			t.Fatalf("%s %s %s: %q, want the refusal %q", c.Actor, c.Command, c.Text, text, c.Refusal)
		}
	}
	for _, c := range Setup(u) {
		run(c)
	}
	ctx := context.Background()
	before, err := Snapshot(ctx, s, ws)
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range Refused(u) {
		run(c)
	}
	if after, _ := Snapshot(ctx, s, ws); after != before {
		t.Fatalf("refused commands changed the store:\nbefore %s\nafter %s", before, after)
	}
	for _, c := range Allowed(u) {
		run(c)
	}
	if g, err := s.FindGetbackByID(ctx, ws, 2); err != nil || g.Owner != u.Stranger || g.Status != bot.StatusDone {
		t.Fatalf("#2 after its reassignment and done: %+v %v", g, err)
	}
	if _, err := s.FindMeetingByID(ctx, ws, 1); bot.ErrorCode(err) != bot.ENOTFOUND {
		t.Fatalf("the admin's delete of meeting #1: %v", err)
	}
}

// Snapshot renders everything in ws that a command could change: meetings,
// getbacks, people's settings, regions, the state table, owner mappings,
// queued posts and the audit log's length.
func Snapshot(ctx context.Context, s bot.Store, ws string) (string, error) {
	type snap struct {
		Meetings []*bot.Meeting
		Getbacks []*bot.Getback
		People   []*bot.Person
		Regions  []*bot.Region
		States   map[string]int
		Mappings []bot.OwnerMapping
		Outbox   int
		Audit    int
	}
	var out snap
	var err error
	if out.Meetings, _, err = s.FindMeetings(ctx, bot.MeetingFilter{Workspace: ws}); err != nil {
		return "", err
	}
	if out.Getbacks, _, err = s.FindGetbacks(ctx, bot.GetbackFilter{Workspace: ws}); err != nil {
		return "", err
	}
	if out.People, err = s.FindPeople(ctx, ws); err != nil {
		return "", err
	}
	if out.Regions, err = s.FindRegions(ctx, ws); err != nil {
		return "", err
	}
	if out.States, err = s.StateRegions(ctx, ws); err != nil {
		return "", err
	}
	if out.Mappings, err = s.FindOwnerMappings(ctx, ws); err != nil {
		return "", err
	}
	items, err := s.FindOutbox(ctx, bot.OutboxFilter{})
	if err != nil {
		return "", err
	}
	out.Outbox = len(items)
	audit, err := s.FindAudit(ctx, bot.AuditFilter{Workspace: ws})
	if err != nil {
		return "", err
	}
	out.Audit = len(audit)
	b, err := json.MarshalIndent(out, "", " ")
	return string(b), err
}
