package storetest

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"testing"

	"github.com/getbackhq/getback/bot"
)

func meeting(state string, region int, date bot.Date) *bot.Meeting {
	return &bot.Meeting{Workspace: ws, Region: region, States: []string{state}, Date: date, CreatedBy: "ana"}
}

func testCreateMeetingWithGetbacksAndAudit(t *testing.T, open opener) {
	db := open(t)
	ctx := ctxAs("ana")
	m := meeting("Nevada", 9, bot.Date{Year: 2026, Month: 11, Day: 20})
	m.Discussion = "Fusion center tabletop"
	m.Getbacks = []*bot.Getback{
		{Number: 1, Text: "send the contact list", Owner: "RD", OwnerKind: bot.OwnerLabel, Status: bot.StatusOpen},
		{Number: 2, Text: "share the offer", Owner: "bob", OwnerKind: bot.OwnerUser, Status: bot.StatusOpen},
	}
	if err := db.CreateMeeting(ctx, m); err != nil {
		t.Fatal(err)
	}
	got, err := db.FindMeetingByID(ctx, ws, m.ID)
	if err != nil {
		t.Fatal(err)
	}
	if got.Discussion != m.Discussion || got.Date != m.Date || got.StateList() != "Nevada" || got.CreatedAt.IsZero() {
		t.Fatalf("round trip: %+v", got)
	}
	mid := m.ID
	gbs, n, err := db.FindGetbacks(ctx, bot.GetbackFilter{Workspace: ws, MeetingID: &mid})
	if err != nil || n != 2 {
		t.Fatalf("getbacks: %d %v", n, err)
	}
	if gbs[0].Meeting == nil || gbs[0].Meeting.States != "Nevada" || gbs[0].Meeting.Region != 9 {
		t.Fatalf("meeting ref not joined: %+v", gbs[0].Meeting)
	}
	entries, err := db.FindAudit(ctx, bot.AuditFilter{Workspace: ws})
	if err != nil {
		t.Fatal(err)
	}
	if len(entries) != 3 {
		t.Fatalf("%d audit entries, want 3 (meeting + 2 getbacks)", len(entries))
	}
	last := entries[len(entries)-1]
	if last.Entity != "meeting" || last.Action != bot.AuditCreate || last.Actor != "ana" || last.Before != "" {
		t.Fatalf("meeting audit entry: %+v", last)
	}
	var after bot.Meeting
	if err := json.Unmarshal([]byte(last.After), &after); err != nil || after.Discussion != m.Discussion {
		t.Fatalf("audit 'after' does not hold the meeting: %v %s", err, last.After)
	}
}

func testCreateMeetingRollsBackOnBadGetback(t *testing.T, open opener) {
	db := open(t)
	ctx := ctxAs("ana")
	m := meeting("Nevada", 9, bot.Date{})
	m.Getbacks = []*bot.Getback{{Text: "ok", Owner: "RD", OwnerKind: bot.OwnerLabel, Status: bot.StatusOpen}, {Text: "", Owner: "RD", OwnerKind: bot.OwnerLabel, Status: bot.StatusOpen}}
	err := db.CreateMeeting(ctx, m)
	if bot.ErrorCode(err) != bot.EINVALID {
		t.Fatalf("CreateMeeting = %v, want EINVALID", err)
	}
	_, n, _ := db.FindMeetings(ctx, bot.MeetingFilter{Workspace: ws})
	_, g, _ := db.FindGetbacks(ctx, bot.GetbackFilter{Workspace: ws})
	a, _ := db.FindAudit(ctx, bot.AuditFilter{Workspace: ws})
	if n != 0 || g != 0 || len(a) != 0 {
		t.Fatalf("partial write: %d meetings, %d getbacks, %d audit entries", n, g, len(a))
	}
}

func testUpdateAndDeleteMeeting(t *testing.T, open opener) {
	db := open(t)
	ctx := ctxAs("ana")
	m := meeting("Nevada", 9, bot.Date{Year: 2026, Month: 11, Day: 20})
	m.Getbacks = []*bot.Getback{{Text: "x", Owner: "RD", OwnerKind: bot.OwnerLabel, Status: bot.StatusOpen}}
	if err := db.CreateMeeting(ctx, m); err != nil {
		t.Fatal(err)
	}
	states := []string{"Guam", "Hawaii"}
	notes := "moved"
	upd := bot.MeetingUpdate{States: &states, Notes: &notes,
		AddGetbacks: []*bot.Getback{{Number: 2, Text: "y", Owner: "CS", OwnerKind: bot.OwnerLabel, Status: bot.StatusOpen}}}
	got, err := db.UpdateMeeting(ctx, ws, m.ID, upd)
	if err != nil {
		t.Fatal(err)
	}
	if got.StateList() != "Guam, Hawaii" || got.Notes != "moved" {
		t.Fatalf("update: %+v", got)
	}
	guam := "Guam"
	if _, n, _ := db.FindMeetings(ctx, bot.MeetingFilter{Workspace: ws, State: &guam}); n != 1 {
		t.Fatalf("state filter after update: %d", n)
	}
	nevada := "Nevada"
	if _, n, _ := db.FindMeetings(ctx, bot.MeetingFilter{Workspace: ws, State: &nevada}); n != 0 {
		t.Fatalf("old state still tagged: %d", n)
	}
	id := fmt.Sprint(m.ID)
	ent := "meeting"
	a, _ := db.FindAudit(ctx, bot.AuditFilter{Workspace: ws, Entity: &ent, EntityID: &id})
	if len(a) != 2 || a[0].Action != bot.AuditUpdate || a[0].Before == "" || a[0].After == "" {
		t.Fatalf("update audit: %+v", a)
	}
	// An invalid update changes nothing.
	bad := 18
	if _, err := db.UpdateMeeting(ctx, ws, m.ID, bot.MeetingUpdate{Region: &bad}); bot.ErrorCode(err) != bot.EINVALID {
		t.Fatalf("region 18: %v", err)
	}
	if again, _ := db.FindMeetingByID(ctx, ws, m.ID); again.Region != 9 {
		t.Fatal("invalid update was written")
	}

	if err := db.DeleteMeeting(ctx, ws, m.ID); err != nil {
		t.Fatal(err)
	}
	if _, err := db.FindMeetingByID(ctx, ws, m.ID); bot.ErrorCode(err) != bot.ENOTFOUND {
		t.Fatalf("after delete: %v", err)
	}
	gbs, n, _ := db.FindGetbacks(ctx, bot.GetbackFilter{Workspace: ws})
	if n != 2 || gbs[0].MeetingID != 0 || gbs[0].Meeting != nil {
		t.Fatalf("getbacks must survive, unlinked: %d %+v", n, gbs)
	}
	if err := db.DeleteMeeting(ctx, ws, m.ID); bot.ErrorCode(err) != bot.ENOTFOUND {
		t.Fatalf("second delete: %v", err)
	}
	// Another workspace cannot see or touch it.
	if _, err := db.FindMeetingByID(ctx, "slack:T1", 1); bot.ErrorCode(err) != bot.ENOTFOUND {
		t.Fatal("workspace isolation")
	}
}

func testSearch(t *testing.T, open opener) {
	db := open(t)
	ctx := ctxAs("ana")
	texts := []string{
		"Discussed the fusion center and information sharing.",
		"Talked about tabletop exercises for county clerks.",
		"Fusion centres in Europe are different.",
		"Physical security of voting machines in storage.",
	}
	for i, d := range texts {
		m := meeting("Nevada", 9, bot.Date{Year: 2026, Month: 11, Day: 1 + i})
		m.Discussion = d
		if err := db.CreateMeeting(ctx, m); err != nil {
			t.Fatal(err)
		}
	}
	search := func(q string) []*bot.Meeting {
		t.Helper()
		ms, n, err := db.FindMeetings(ctx, bot.MeetingFilter{Workspace: ws, Query: &q})
		if err != nil {
			t.Fatalf("search %q: %v", q, err)
		}
		if n != len(ms) {
			t.Fatalf("search %q: total %d, rows %d", q, n, len(ms))
		}
		return ms
	}
	if ms := search("fusion center"); len(ms) != 1 || ms[0].Discussion != texts[0] || ms[0].Snippet == "" {
		t.Fatalf("fusion center: %d results", len(ms))
	}
	if ms := search("fusion"); len(ms) != 2 {
		t.Fatalf("fusion: %d results, want 2", len(ms))
	}
	if ms := search("clerk"); len(ms) != 1 {
		t.Fatalf("prefix 'clerk' should match 'clerks': %d", len(ms))
	}
	if ms := search("Nevada"); len(ms) != 4 {
		t.Fatalf("state is searchable: %d", len(ms))
	}
	if ms := search(`"tabletop exercises"`); len(ms) != 1 {
		t.Fatalf("phrase: %d results", len(ms))
	}
	if ms := search(`"exercises tabletop"`); len(ms) != 0 {
		t.Fatalf("a phrase keeps its word order: %d results", len(ms))
	}
	if ms := search(`"information sharing" fusion`); len(ms) != 1 {
		t.Fatalf("phrase plus word: %d results", len(ms))
	}
	// A capped count lists newest first instead of scoring every match.
	nv := "Nevada"
	ms, n, err := db.FindMeetings(ctx, bot.MeetingFilter{Workspace: ws, Query: &nv, CountCap: 2, Limit: 10})
	if err != nil || n != 2 || len(ms) != 4 || ms[0].ID != 4 || ms[3].ID != 1 {
		t.Fatalf("capped search: total %d, %d rows, %v", n, len(ms), err)
	}
	// FTS syntax in user text is data, not query syntax.
	for _, q := range []string{`fusion" OR "storage`, `NOT fusion`, `fusion*`, `discussion:fusion`, `(fusion`} {
		search(q)
	}
	if ms := search(`fusion" OR "storage`); len(ms) != 0 {
		t.Fatalf("OR injected into the query: %d results", len(ms))
	}
	q := ` " `
	if _, _, err := db.FindMeetings(ctx, bot.MeetingFilter{Workspace: ws, Query: &q}); bot.ErrorCode(err) != bot.EINVALID {
		t.Fatalf("empty search: %v", err)
	}
	// Search follows edits and deletes.
	ms = search("voting machines")
	d := "Nothing about that any more."
	if _, err := db.UpdateMeeting(ctx, ws, ms[0].ID, bot.MeetingUpdate{Discussion: &d}); err != nil {
		t.Fatal(err)
	}
	if len(search("voting machines")) != 0 {
		t.Fatal("index not updated")
	}
	if err := db.DeleteMeeting(ctx, ws, search("clerk")[0].ID); err != nil {
		t.Fatal(err)
	}
	if len(search("clerk")) != 0 {
		t.Fatal("index not updated on delete")
	}
}

func testMeetingFilters(t *testing.T, open opener) {
	db := open(t)
	ctx := ctxAs("ana")
	for i, st := range []string{"Nevada", "Guam", "Nevada", "Oregon"} {
		region := bot.RegionOf(st, nil)
		m := meeting(st, region, bot.Date{Year: 2026, Month: 11, Day: 1 + 7*i})
		if i == 3 {
			m.Date, m.DateStatus = bot.Date{}, bot.DatePending
		}
		if err := db.CreateMeeting(ctx, m); err != nil {
			t.Fatal(err)
		}
	}
	count := func(f bot.MeetingFilter) int {
		f.Workspace = ws
		_, n, err := db.FindMeetings(ctx, f)
		if err != nil {
			t.Fatal(err)
		}
		return n
	}
	nine, nevada := 9, "Nevada"
	since := bot.Date{Year: 2026, Month: 11, Day: 8}
	if n := count(bot.MeetingFilter{Region: &nine}); n != 3 {
		t.Errorf("region 9: %d", n)
	}
	if n := count(bot.MeetingFilter{State: &nevada}); n != 2 {
		t.Errorf("Nevada: %d", n)
	}
	if n := count(bot.MeetingFilter{Since: &since}); n != 2 {
		t.Errorf("since: %d (undated meetings are not 'since' anything)", n)
	}
	ms, _, _ := db.FindMeetings(ctx, bot.MeetingFilter{Workspace: ws, Limit: 2, Offset: 1})
	if len(ms) != 2 || ms[0].Date != (bot.Date{Year: 2026, Month: 11, Day: 8}) {
		t.Errorf("paging/order: %v", ms)
	}
	all, _, _ := db.FindMeetings(ctx, bot.MeetingFilter{Workspace: ws})
	if all[len(all)-1].DateStatus != bot.DatePending {
		t.Errorf("undated meetings sort last")
	}
	last, err := db.LastMeetingDates(ctx, ws, []string{"Nevada", "Guam", "Oregon", "Hawaii"}, bot.Date{Year: 2026, Month: 12, Day: 31})
	if err != nil {
		t.Fatal(err)
	}
	if last["Nevada"] != (bot.Date{Year: 2026, Month: 11, Day: 15}) || last["Guam"] != (bot.Date{Year: 2026, Month: 11, Day: 8}) {
		t.Errorf("last meeting dates: %v", last)
	}
	if _, ok := last["Oregon"]; ok {
		t.Error("an undated meeting is not a last meeting date")
	}
	if _, ok := last["Hawaii"]; ok {
		t.Error("Hawaii had no meeting")
	}
}

func testConstraintErrorsMapped(t *testing.T, open opener) {
	db := open(t)
	ctx := ctxAs("ana")
	m := meeting("Nevada", 9, bot.Date{})
	m.SourceKey = "row-1"
	if err := db.CreateMeeting(ctx, m); err != nil {
		t.Fatal(err)
	}
	dup := meeting("Nevada", 9, bot.Date{})
	dup.SourceKey = "row-1"
	if err := db.CreateMeeting(ctx, dup); bot.ErrorCode(err) != bot.ECONFLICT {
		t.Fatalf("duplicate source key: %v, want ECONFLICT", err)
	}
	g := &bot.Getback{Workspace: ws, MeetingID: 9999, Text: "x", Owner: "RD", OwnerKind: bot.OwnerLabel, Status: bot.StatusOpen}
	if err := db.CreateGetback(ctx, g); bot.ErrorCode(err) != bot.ENOTFOUND {
		t.Fatalf("getback for a missing meeting: %v, want ENOTFOUND", err)
	}
	if err := db.SetStateRegion(context.Background(), ws, "Atlantis", 3); bot.ErrorCode(err) != bot.EINVALID {
		t.Fatalf("unknown state: %v", err)
	}
	// A refused value is named in words, never by its table, whether the
	// store's checks or the schema's refuse it.
	for _, tc := range []struct {
		what string
		make func() error
		want string
	}{
		{"region 11", func() error { return db.CreateMeeting(ctx, meeting("Nevada", 11, bot.Date{})) }, "region"},
		{"empty getback text", func() error {
			return db.CreateGetback(ctx, &bot.Getback{Workspace: ws, MeetingID: m.ID, Owner: "RD", OwnerKind: bot.OwnerLabel, Status: bot.StatusOpen})
		}, "text"},
		{"unknown status", func() error {
			return db.CreateGetback(ctx, &bot.Getback{Workspace: ws, MeetingID: m.ID, Text: "x", Owner: "RD", OwnerKind: bot.OwnerLabel, Status: "maybe"})
		}, "status"},
	} {
		err := tc.make()
		if bot.ErrorCode(err) != bot.EINVALID {
			t.Errorf("%s: %v, want EINVALID", tc.what, err)
			continue
		}
		msg := bot.ErrorMessage(err)
		if !strings.Contains(msg, tc.want) || strings.Contains(msg, "getbacks") || strings.Contains(msg, "meetings") {
			t.Errorf("%s: %q, want the field (%q) and no table", tc.what, msg, tc.want)
		}
	}
}

// testSearchIgnoresAccents: a search finds words whatever their accents,
// in the text and in the query.
func testSearchIgnoresAccents(t *testing.T, open opener) {
	db := open(t)
	ctx := ctxAs("ana")
	m := meeting("Puerto Rico", 2, bot.Date{Year: 2026, Month: 11, Day: 3})
	m.Discussion = "Reunión con la Comisión Estatal de Elecciones en San Juan."
	if err := db.CreateMeeting(ctx, m); err != nil {
		t.Fatal(err)
	}
	for _, q := range []string{"comision", "Comisión", "reunion elecciones", `"comision estatal"`, "COMISIÓN"} {
		ms, n, err := db.FindMeetings(ctx, bot.MeetingFilter{Workspace: ws, Query: &q})
		if err != nil || n != 1 || len(ms) != 1 || ms[0].ID != m.ID {
			t.Errorf("search %q: %d results, %v; want the meeting", q, n, err)
		}
	}
}
