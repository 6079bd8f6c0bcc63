package storetest

import (
	"context"
	"encoding/json"
	"fmt"
	"testing"
	"time"

	"github.com/getbackhq/getback/bot"
)

// ImportStore is a store a spreadsheet import writes to in bulk.
type ImportStore interface {
	Store
	FindImportCandidates(ctx context.Context, ws string, l bot.ImportLookup) ([]*bot.Meeting, error)
	FindImportGetbacks(ctx context.Context, ws string, meetingIDs []int64, unlinked bool) ([]*bot.Getback, error)
	ApplyImport(ctx context.Context, ws string, b *bot.ImportBatch) error
}

// ImportOpener opens a fresh, empty store for one test of the import
// contract.
type ImportOpener func(t testing.TB, now func() time.Time) ImportStore

type importOpener func(t testing.TB) ImportStore

// RunImport holds a store to the contract of bulk imports: batches written
// whole or not at all, with one audit entry, items opened when the batch
// says, candidates found by source group, state and day, and id.
func RunImport(t *testing.T, open ImportOpener) {
	for name, fn := range map[string]func(*testing.T, importOpener){
		"ApplyImportWritesMeetingsGetbacksSearchAndOneAuditEntry": testApplyImportWritesMeetingsGetbacksSearchAndOneAuditEntry,
		"ApplyImportWritesNothingWhenAnyRowIsBad":                 testApplyImportWritesNothingWhenAnyRowIsBad,
		"FindImportCandidatesBySourceGroupDayAndID":               testFindImportCandidatesBySourceGroupDayAndID,
		"ApplyImportChangesGetbacksWithAudit":                     testApplyImportChangesGetbacksWithAudit,
		"FindImportGetbacks":                                      testFindImportGetbacks,
		"ApplyImportNumbersItemsAfterTheirMeetingsLast":           testApplyImportNumbersItemsAfterTheirMeetingsLast,
	} {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			fn(t, func(t testing.TB) ImportStore { return open(t, func() time.Time { return Start }) })
		})
	}
}

func importedMeeting(i int, day bot.Date) *bot.Meeting {
	m := meeting("Nevada", 9, day)
	m.Location = fmt.Sprintf("Office %d", i)
	m.Discussion = fmt.Sprintf("tabletop number %d with the county clerk", i)
	m.SourceKey = fmt.Sprintf("sheet:%024x:1", i)
	m.CreatedBy = "import"
	return m
}

func testApplyImportWritesMeetingsGetbacksSearchAndOneAuditEntry(t *testing.T, open importOpener) {
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
	for _, m := range ms {
		if m.ID == 0 || m.Getbacks[0].ID == 0 {
			t.Fatalf("ids not set: %+v", m)
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
	// A store may leave work to run beside the next batch (sheet's
	// checkpointer); the text stays searchable after it.
	if cp, ok := db.(interface{ CheckpointImport(context.Context) error }); ok {
		if err := cp.CheckpointImport(ctx); err != nil {
			t.Fatal(err)
		}
		if found, _, err := db.FindMeetings(ctx, bot.MeetingFilter{Workspace: ws, Query: &q}); err != nil || len(found) != 1 {
			t.Fatalf("after CheckpointImport the imported text is not searchable: %d %v", len(found), err)
		}
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
	var a bot.ImportAudit
	if err := json.Unmarshal([]byte(entries[0].After), &a); err != nil {
		t.Fatal(err)
	}
	if a.Meetings.Count() != 70 || a.Meetings[0][0] != ms[0].ID || a.Getbacks.Count() != 70 {
		t.Fatalf("audit entry: %s", entries[0].After)
	}
}

func testApplyImportWritesNothingWhenAnyRowIsBad(t *testing.T, open importOpener) {
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

func testFindImportCandidatesBySourceGroupDayAndID(t *testing.T, open importOpener) {
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
		"by id":                 {bot.ImportLookup{IDs: []int64{chat.ID, ms[0].ID, 9999}}, []int64{ms[0].ID, chat.ID}},
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

func testApplyImportChangesGetbacksWithAudit(t *testing.T, open importOpener) {
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

func testFindImportGetbacks(t *testing.T, open importOpener) {
	db := open(t)
	ctx := ctxAs("import")
	day := bot.Date{Year: 2017, Month: 10, Day: 11}
	a, b := importedMeeting(1, day), importedMeeting(2, day)
	for _, m := range []*bot.Meeting{a, b} {
		m.Getbacks = []*bot.Getback{{Number: 1, Text: "send the list", Owner: "RD", OwnerKind: bot.OwnerLabel, Status: bot.StatusOpen}}
	}
	free := &bot.Getback{Text: "call the clerk", Owner: "ana", OwnerKind: bot.OwnerUser, Status: bot.StatusOpen}
	if err := db.ApplyImport(ctx, ws, &bot.ImportBatch{Create: []*bot.Meeting{a, b}, NewGetbacks: []*bot.Getback{free}}); err != nil {
		t.Fatal(err)
	}
	texts := func(gbs []*bot.Getback) string {
		var out []string
		for _, g := range gbs {
			out = append(out, fmt.Sprintf("%d:%s", g.MeetingID, g.Text))
		}
		return fmt.Sprint(out)
	}
	for name, tc := range map[string]struct {
		ids      []int64
		unlinked bool
		want     []*bot.Getback
	}{
		"one meeting's":       {[]int64{b.ID}, false, b.Getbacks},
		"and those of none":   {[]int64{a.ID}, true, []*bot.Getback{a.Getbacks[0], free}},
		"only those of none":  {nil, true, []*bot.Getback{free}},
		"nothing asked":       {nil, false, nil},
		"a meeting with none": {[]int64{9999}, false, nil},
	} {
		got, err := db.FindImportGetbacks(ctx, ws, tc.ids, tc.unlinked)
		if err != nil || texts(got) != texts(tc.want) {
			t.Errorf("%s: %s, want %s (%v)", name, texts(got), texts(tc.want), err)
		}
	}
}

// testApplyImportNumbersItemsAfterTheirMeetingsLast: an item of a batch
// without a number gets the one after the last of its meeting, stored or
// given earlier in the batch; numbered ones keep theirs; a meeting's
// states are tagged once.
func testApplyImportNumbersItemsAfterTheirMeetingsLast(t *testing.T, open importOpener) {
	db := open(t)
	ctx := ctxAs("import")
	day := bot.Date{Year: 2017, Month: 10, Day: 11}
	first := importedMeeting(1, day)
	first.States = []string{"Nevada", "Nevada", "Arizona"}
	first.Getbacks = []*bot.Getback{
		{Number: 1, Text: "one", Owner: "RD", OwnerKind: bot.OwnerLabel, Status: bot.StatusOpen, AssignedBy: "import"},
		{Number: 2, Text: "two", Owner: "RD", OwnerKind: bot.OwnerLabel, Status: bot.StatusOpen, AssignedBy: "import"}}
	if err := db.ApplyImport(ctx, ws, &bot.ImportBatch{Create: []*bot.Meeting{first}}); err != nil {
		t.Fatal(err)
	}
	item := func(text string, n int) *bot.Getback {
		return &bot.Getback{MeetingID: first.ID, Number: n, Text: text, Owner: "RD", OwnerKind: bot.OwnerLabel, Status: bot.StatusOpen, AssignedBy: "import"}
	}
	b := &bot.ImportBatch{NewGetbacks: []*bot.Getback{item("three", 0), item("seven", 7), item("eight", 0)}}
	if err := db.ApplyImport(ctx, ws, b); err != nil {
		t.Fatal(err)
	}
	three, seven, eight := b.NewGetbacks[0].Number, b.NewGetbacks[1].Number, b.NewGetbacks[2].Number
	if three != 3 || seven != 7 || eight != 8 {
		t.Fatalf("numbers %d, %d, %d: want 3, 7, 8 (after the last, stored or given before)", three, seven, eight)
	}
	id := first.ID
	gbs, _, err := db.FindGetbacks(ctx, bot.GetbackFilter{Workspace: ws, MeetingID: &id})
	if err != nil || len(gbs) != 5 {
		t.Fatalf("%d items of the meeting, want 5: %v", len(gbs), err)
	}
	nums := map[int]string{}
	for _, g := range gbs {
		if g.Region != first.Region {
			t.Errorf("item %q in region %d, want its meeting's %d", g.Text, g.Region, first.Region)
		}
		nums[g.Number] = g.Text
	}
	if len(nums) != 5 || nums[3] != "three" || nums[7] != "seven" || nums[eight] != "eight" {
		t.Fatalf("stored numbers: %v", nums)
	}
	got, err := db.FindMeetingByID(ctx, ws, first.ID)
	if err != nil || fmt.Sprint(got.States) != "[Nevada Nevada Arizona]" {
		t.Fatalf("meeting states: %+v %v", got, err)
	}
	nv, az := "Nevada", "Arizona"
	for _, st := range []*string{&nv, &az} {
		if found, _, err := db.FindMeetings(ctx, bot.MeetingFilter{Workspace: ws, State: st}); err != nil || len(found) != 1 {
			t.Fatalf("meetings in %s: %d %v", *st, len(found), err)
		}
	}
}
