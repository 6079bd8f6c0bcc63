package sqlite_test

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"path/filepath"
	"testing"
	"time"

	"github.com/getbackhq/getback/bot"
	"github.com/getbackhq/getback/storage/sqlite"
)

func importedMeeting(i int, day bot.Date) *bot.Meeting {
	m := meeting("Nevada", 9, day)
	m.Location = fmt.Sprintf("Office %d", i)
	m.Discussion = fmt.Sprintf("tabletop number %d with the county clerk", i)
	m.SourceKey = fmt.Sprintf("sheet:%024x:1", i)
	m.CreatedBy = "import"
	return m
}

func TestApplyImportWritesMeetingsGetbacksSearchAndOneAuditEntry(t *testing.T) {
	db := open(t)
	ctx := ctxAs("import")
	day := bot.Date{Year: 2017, Month: 10, Day: 11}
	opened := day.At(12, 0, time.UTC)
	var ms []*bot.Meeting
	for i := range 70 { // more than one multi-row statement
		m := importedMeeting(i, day)
		m.Getbacks = []*bot.Getback{{Number: 1, Text: fmt.Sprintf("send list %d", i), Owner: "RD", OwnerKind: bot.OwnerLabel,
			Status: bot.StatusOpen, AssignedBy: "import", CreatedAt: opened}}
		ms = append(ms, m)
	}
	ms[3].States, ms[3].Region = []string{"Pennsylvania", "New York"}, 3
	if err := db.ApplyImport(ctx, ws, &bot.ImportBatch{Create: ms}); err != nil {
		t.Fatal(err)
	}
	for i, m := range ms {
		if m.ID != ms[0].ID+int64(i) || m.Getbacks[0].ID == 0 {
			t.Fatalf("ids are not consecutive: %d %d", ms[0].ID, m.ID)
		}
	}
	got, err := db.FindMeetingByID(ctx, ws, ms[69].ID)
	if err != nil || got.Discussion != ms[69].Discussion || got.SourceKey != ms[69].SourceKey {
		t.Fatalf("meeting: %+v %v", got, err)
	}
	q := `"tabletop number 69"`
	if found, _, err := db.FindMeetings(ctx, bot.MeetingFilter{Workspace: ws, Query: &q}); err != nil || len(found) != 1 {
		t.Fatalf("the imported text is not searchable: %d %v", len(found), err)
	}
	two := 2
	if found, _, _ := db.FindMeetings(ctx, bot.MeetingFilter{Workspace: ws, Region: &two}); len(found) != 1 || found[0].ID != ms[3].ID {
		t.Fatalf("a meeting about New York is not in region 2: %+v", found)
	}
	id := ms[5].ID
	gbs, _, _ := db.FindGetbacks(ctx, bot.GetbackFilter{Workspace: ws, MeetingID: &id})
	if len(gbs) != 1 || !gbs[0].CreatedAt.Equal(opened) || gbs[0].Region != 9 || gbs[0].Meeting == nil {
		t.Fatalf("an imported item keeps the instant it was opened: %+v", gbs)
	}
	entries, _ := db.FindAudit(ctx, bot.AuditFilter{Workspace: ws})
	if len(entries) != 1 || entries[0].Entity != "import" || entries[0].Actor != "import" || entries[0].Action != bot.AuditCreate {
		t.Fatalf("one audit entry for the batch: %+v", entries)
	}
	var a sqlite.ImportAudit
	if err := json.Unmarshal([]byte(entries[0].After), &a); err != nil {
		t.Fatal(err)
	}
	if a.Meetings != (sqlite.IDRange{First: ms[0].ID, Last: ms[69].ID, Count: 70}) || a.Getbacks.Count != 70 {
		t.Fatalf("audit entry: %s", entries[0].After)
	}
}

func TestApplyImportWritesNothingWhenAnyRowIsBad(t *testing.T) {
	db := open(t)
	ctx := ctxAs("import")
	day := bot.Date{Year: 2017, Month: 10, Day: 11}
	good, dup := importedMeeting(1, day), importedMeeting(2, day)
	dup.SourceKey = good.SourceKey
	for name, b := range map[string]*bot.ImportBatch{
		"an invalid meeting":    {Create: []*bot.Meeting{good, {Workspace: ws, Region: 11, States: []string{"Nevada"}}}},
		"a repeated source key": {Create: []*bot.Meeting{good, dup}},
		"an invalid getback": {Create: []*bot.Meeting{good}, NewGetbacks: []*bot.Getback{
			{Text: "", Owner: "RD", OwnerKind: bot.OwnerLabel, Status: bot.StatusOpen}}},
		"another workspace's meeting": {Create: []*bot.Meeting{{Workspace: "slack:T1", Region: 9, States: []string{"Nevada"}}}},
	} {
		t.Run(name, func(t *testing.T) {
			if err := db.ApplyImport(ctx, ws, b); err == nil {
				t.Fatal("accepted")
			}
			if ms, _, _ := db.FindMeetings(ctx, bot.MeetingFilter{Workspace: ws}); len(ms) != 0 {
				t.Fatalf("%d meetings written", len(ms))
			}
			if entries, _ := db.FindAudit(ctx, bot.AuditFilter{Workspace: ws}); len(entries) != 0 {
				t.Fatalf("audited: %+v", entries)
			}
		})
	}
}

func TestFindImportCandidatesBySourceGroupAndDaySkippingRanges(t *testing.T) {
	db := open(t)
	ctx := ctxAs("import")
	day := bot.Date{Year: 2017, Month: 10, Day: 11}
	ms := []*bot.Meeting{importedMeeting(1, day), importedMeeting(2, day), importedMeeting(3, day.AddDays(1))}
	chat := meeting("Nevada", 9, day) // logged in chat: no source key
	if err := db.ApplyImport(ctx, ws, &bot.ImportBatch{Create: ms}); err != nil {
		t.Fatal(err)
	}
	if err := db.CreateMeeting(ctx, chat); err != nil {
		t.Fatal(err)
	}
	ids := func(ms []*bot.Meeting) []int64 {
		var out []int64
		for _, m := range ms {
			out = append(out, m.ID)
		}
		return out
	}
	group := ms[2].SourceKey[:len(ms[2].SourceKey)-1]
	for name, tc := range map[string]struct {
		l    bot.ImportLookup
		want []int64
	}{
		"by group":              {bot.ImportLookup{Groups: []string{group}}, []int64{ms[2].ID}},
		"by state and day":      {bot.ImportLookup{Days: []bot.StateDay{{State: "Nevada", Date: day}}}, []int64{ms[0].ID, ms[1].ID, chat.ID}},
		"skipping a range":      {bot.ImportLookup{Days: []bot.StateDay{{State: "Nevada", Date: day}}, Skip: [][2]int64{{ms[0].ID, ms[1].ID}}}, []int64{chat.ID}},
		"each once, by id":      {bot.ImportLookup{Groups: []string{group}, Days: []bot.StateDay{{State: "Nevada", Date: day.AddDays(1)}}}, []int64{ms[2].ID}},
		"another state":         {bot.ImportLookup{Days: []bot.StateDay{{State: "Utah", Date: day}}}, nil},
		"nothing asked":         {bot.ImportLookup{}, nil},
		"another day, no match": {bot.ImportLookup{Days: []bot.StateDay{{State: "Nevada", Date: day.AddDays(2)}}}, nil},
	} {
		t.Run(name, func(t *testing.T) {
			got, err := db.FindImportCandidates(ctx, ws, tc.l)
			if err != nil {
				t.Fatal(err)
			}
			if fmt.Sprint(ids(got)) != fmt.Sprint(tc.want) {
				t.Fatalf("got %v, want %v", ids(got), tc.want)
			}
		})
	}
}

func TestApplyImportChangesGetbacksWithAudit(t *testing.T) {
	db := open(t)
	ctx := ctxAs("import")
	day := bot.Date{Year: 2017, Month: 10, Day: 11}
	m := importedMeeting(1, day)
	m.Getbacks = []*bot.Getback{{Number: 1, Text: "send the list", Owner: "RD", OwnerKind: bot.OwnerLabel, Status: bot.StatusOpen}}
	if err := db.ApplyImport(ctx, ws, &bot.ImportBatch{Create: []*bot.Meeting{m}}); err != nil {
		t.Fatal(err)
	}
	g := *m.Getbacks[0]
	closed := time.Date(2017, 10, 20, 15, 4, 5, 0, time.UTC)
	g.Status, g.DoneAt, g.DoneNote, g.Owner, g.OwnerKind = bot.StatusDone, closed, "sent", "bob", bot.OwnerUser
	free := &bot.Getback{Text: "call the clerk", Owner: "ana", OwnerKind: bot.OwnerUser, Status: bot.StatusCancelled,
		DoneAt: closed, CreatedAt: day.At(12, 0, time.UTC)}
	extra := &bot.Getback{MeetingID: m.ID, Text: "one more", Owner: "RD", OwnerKind: bot.OwnerLabel, Status: bot.StatusOpen}
	if err := db.ApplyImport(ctx, ws, &bot.ImportBatch{ChangedGetbacks: []*bot.Getback{&g}, NewGetbacks: []*bot.Getback{free, extra}}); err != nil {
		t.Fatal(err)
	}
	got, _ := db.FindGetbackByID(ctx, ws, g.ID)
	if got.Status != bot.StatusDone || !got.DoneAt.Equal(closed) || got.DoneNote != "sent" || got.Owner != "bob" || got.MeetingID != m.ID {
		t.Fatalf("changed item: %+v", got)
	}
	if extra.Number != 2 || extra.Region != 9 {
		t.Fatalf("an item added to a meeting takes the next number and the meeting's region: %+v", extra)
	}
	if got, _ := db.FindGetbackByID(ctx, ws, free.ID); got.MeetingID != 0 || got.Status != bot.StatusCancelled || !got.DoneAt.Equal(closed) {
		t.Fatalf("an item without a meeting: %+v", got)
	}
	gid, entity := fmt.Sprint(g.ID), "getback"
	entries, _ := db.FindAudit(ctx, bot.AuditFilter{Workspace: ws, Entity: &entity, EntityID: &gid})
	if len(entries) != 1 || entries[0].Action != bot.AuditUpdate || entries[0].Before == "" {
		t.Fatalf("the change is audited with its before: %+v", entries)
	}
	// The same values again change nothing and audit nothing.
	same := *got
	if err := db.ApplyImport(ctx, ws, &bot.ImportBatch{ChangedGetbacks: []*bot.Getback{&same}}); err != nil {
		t.Fatal(err)
	}
	if entries, _ := db.FindAudit(ctx, bot.AuditFilter{Workspace: ws, Entity: &entity, EntityID: &gid}); len(entries) != 1 {
		t.Fatalf("an unchanged item was audited again: %d entries", len(entries))
	}
}

// TestMigrationOpensImportedItemsOnTheirMeetingsDay: items an import made
// before they were dated by their meeting take its day; items added in chat
// to an imported meeting, and items of meetings without a date or logged in
// chat, keep theirs.
func TestMigrationOpensImportedItemsOnTheirMeetingsDay(t *testing.T) {
	path := filepath.Join(t.TempDir(), "g.db")
	importDay := time.Date(2026, 11, 26, 15, 0, 0, 0, time.UTC)
	db, err := sqlite.Open(context.Background(), path, sqlite.WithClock(func() time.Time { return importDay }))
	if err != nil {
		t.Fatal(err)
	}
	ctx := ctxAs("import")
	day := bot.Date{Year: 2017, Month: 10, Day: 11}
	imported, undated := importedMeeting(1, day), importedMeeting(2, bot.Date{})
	chat := meeting("Nevada", 9, day)
	for _, m := range []*bot.Meeting{imported, undated, chat} {
		m.Getbacks = []*bot.Getback{{Number: 1, Text: "send the list", Owner: "RD", OwnerKind: bot.OwnerLabel, Status: bot.StatusOpen, AssignedBy: "import"}}
		if err := db.CreateMeeting(ctx, m); err != nil {
			t.Fatal(err)
		}
	}
	later := &bot.Getback{Workspace: ws, MeetingID: imported.ID, Text: "added in chat", Owner: "ana", OwnerKind: bot.OwnerUser,
		Status: bot.StatusOpen, AssignedBy: "ana"}
	db.Now = func() time.Time { return importDay.Add(48 * time.Hour) }
	if err := db.CreateGetback(ctxAs("ana"), later); err != nil {
		t.Fatal(err)
	}
	db.Close()
	raw, err := sql.Open("sqlite", path)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := raw.Exec(`DELETE FROM schema_migrations WHERE version >= 11`); err != nil {
		t.Fatal(err)
	}
	raw.Close()
	if db, err = sqlite.Open(context.Background(), path); err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	for name, tc := range map[string]struct {
		g    *bot.Getback
		want time.Time
	}{
		"extracted from a dated imported row": {imported.Getbacks[0], day.At(12, 0, time.UTC)},
		"added in chat later":                 {later, importDay.Add(48 * time.Hour)},
		"of an undated imported row":          {undated.Getbacks[0], importDay},
		"of a meeting logged in chat":         {chat.Getbacks[0], importDay},
	} {
		got, err := db.FindGetbackByID(ctx, ws, tc.g.ID)
		if err != nil || !got.CreatedAt.Equal(tc.want) {
			t.Errorf("%s: opened %v, want %v (%v)", name, got.CreatedAt, tc.want, err)
		}
	}
}
