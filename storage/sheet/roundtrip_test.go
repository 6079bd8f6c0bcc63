package sheet

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/getbackhq/getback/bot"
	"github.com/getbackhq/getback/storage/postgres"
	"github.com/getbackhq/getback/storage/postgres/pgtest"
)

// testStore is a store an import writes and a test reads.
type testStore interface {
	Store
	bot.Store
}

// storeOpeners opens fresh stores of each kind: SQLite, and PostgreSQL
// when the tests have a server (see pgtest).
func storeOpeners() map[string]func(*testing.T) testStore {
	out := map[string]func(*testing.T) testStore{"sqlite": func(t *testing.T) testStore { return openDB(t) }}
	if os.Getenv(pgtest.EnvURL) != "" {
		out["postgres"] = func(t *testing.T) testStore {
			db, err := postgres.Open(context.Background(), pgtest.URL(t), postgres.WithClock(func() time.Time { return importDay }))
			if err != nil {
				t.Fatal(err)
			}
			t.Cleanup(func() { db.Close() })
			return db
		}
	}
	return out
}

// seedEverything fills a store with what an export must carry: meetings
// logged in chat by people (one of them twice, word for word), an imported
// legacy meeting with GETBACK items, and getbacks open, done with a note,
// cancelled, reassigned to a person, owned by a label, due, snoozed, and
// one with no meeting.
func seedEverything(t *testing.T, db testStore) {
	t.Helper()
	ctx := bot.WithActor(context.Background(), bot.Actor{Workspace: ws, UserID: "U0ANA"})
	for _, p := range []*bot.Person{bot.NewPerson(ws, "U0ANA", "Ana Lopez", "Pacific/Honolulu"), bot.NewPerson(ws, "U0BOB", "Bob Smith", "UTC")} {
		if err := db.UpsertPerson(ctx, p); err != nil {
			t.Fatal(err)
		}
	}
	day := bot.Date{Year: 2026, Month: 11, Day: 20}
	logged := func(discussion string, gbs ...*bot.Getback) *bot.Meeting {
		m := &bot.Meeting{Workspace: ws, Region: 9, States: []string{"Nevada"}, Date: day, Location: "Las Vegas", POC: "U0BOB",
			Discussion: discussion, FollowUp: "GETBACK (1): send the list. RD FORAC.", Awareness: "SoS wants clearances",
			Next: "Dec 5", NextDate: bot.Date{Year: 2026, Month: 12, Day: 5}, CreatedBy: "U0ANA", Getbacks: gbs}
		if err := db.CreateMeeting(ctx, m); err != nil {
			t.Fatal(err)
		}
		return m
	}
	open := func(n int, text, owner, kind string) *bot.Getback {
		return &bot.Getback{Number: n, Text: text, Owner: owner, OwnerKind: kind, Status: bot.StatusOpen, AssignedBy: "U0ANA"}
	}
	a := logged("Fusion center tour", open(1, "send the list", "RD", bot.OwnerLabel), open(2, "share the offer", "U0BOB", bot.OwnerUser))
	logged("Twice the same words", open(1, "send the list", "RD", bot.OwnerLabel))
	logged("Twice the same words", open(1, "send the list", "RD", bot.OwnerLabel))
	if _, err := importTextErr(db, "GETBACK (1): call the clerk. ITF FORAC. GETBACK (2): send the NCATS brochure. CS FORAC."); err != nil {
		t.Fatal(err)
	}
	gbs, _, _ := db.FindGetbacks(ctx, bot.GetbackFilter{Workspace: ws})
	done, cancelled := bot.StatusDone, bot.StatusCancelled
	note, bob, user := "sent on Monday", "U0BOB", bot.OwnerUser
	due, snooze := day.AddDays(10), day.AddDays(3)
	for _, g := range gbs {
		var upd bot.GetbackUpdate
		switch {
		case g.MeetingID == a.ID && g.Number == 1:
			upd = bot.GetbackUpdate{Status: &done, DoneNote: &note}
		case g.MeetingID == a.ID && g.Number == 2:
			upd = bot.GetbackUpdate{Due: &due, SnoozedUntil: &snooze}
		case g.Text == "call the clerk":
			upd = bot.GetbackUpdate{Owner: &bob, OwnerKind: &user, AssignedBy: &bob} // reassigned to a person
		case g.Text == "send the NCATS brochure":
			upd = bot.GetbackUpdate{Status: &cancelled}
		default:
			continue
		}
		if _, err := db.UpdateGetback(ctx, ws, g.ID, upd); err != nil {
			t.Fatal(err)
		}
	}
	free := &bot.Getback{Workspace: ws, Text: "=HYPERLINK(\"http://evil.example\",\"click\")", Owner: "U0ANA",
		OwnerKind: bot.OwnerUser, Status: bot.StatusOpen, AssignedBy: "U0BOB", Due: day.AddDays(1)}
	if err := db.CreateGetback(ctx, free); err != nil {
		t.Fatal(err)
	}
}

// importTextErr imports a one-row legacy sheet with the given follow-up.
func importTextErr(db testStore, followup string) (Summary, error) {
	text := Title + "\nRegion\tState\tMeeting Location\tMeeting Date\tDHS POC\tKey Discussion Points\tFollow-up Required\n" +
		"2\tNew Jersey\tTrenton\t10/11/2017\t(b) (6)\tTabletop planning\t" + followup + "\n"
	r := NewTSV(strings.NewReader(text))
	return (&Importer{Store: db, Workspace: ws, Now: func() time.Time { return importDay }}).Import(context.Background(), r)
}

// snapshot renders a store's meetings and getbacks as comparable lines,
// ids replaced by what identifies a meeting to a reader.
func snapshot(t *testing.T, db testStore) (meetings, getbacks []string) {
	t.Helper()
	ctx := context.Background()
	ms := allMeetings(t, db)
	name := map[int64]string{}
	for _, m := range ms {
		line := fmt.Sprintf("%d|%s|%s|%s|%s|%s|%s|%s|%s|%s|%s|%s|%s|%s", m.Region, m.StateList(), m.Date, m.DateStatus,
			m.Location, m.POC, m.Attendees, m.Discussion, m.Concerns, m.FollowUp, m.Awareness, m.Action, m.Next, m.Notes)
		meetings = append(meetings, line)
		name[m.ID] = line
	}
	gbs, _, err := db.FindGetbacks(ctx, bot.GetbackFilter{Workspace: ws})
	if err != nil {
		t.Fatal(err)
	}
	for _, g := range gbs {
		getbacks = append(getbacks, fmt.Sprintf("meeting %q #%d %q owner %s/%s by %s due %s %s closed %s %q snoozed %s opened %s",
			name[g.MeetingID], g.Number, g.Text, g.Owner, g.OwnerKind, g.AssignedBy, g.Due, g.Status,
			g.DoneAt.UTC().Format(time.RFC3339Nano), g.DoneNote, g.SnoozedUntil, g.CreatedAt.UTC().Format(time.RFC3339Nano)))
	}
	sort.Strings(meetings)
	sort.Strings(getbacks)
	return meetings, getbacks
}

// TestAnExportImportsBackAsItWas: an XLSX or CSV export imported into a
// fresh store brings back every meeting (two logged alike stay two), and
// every getback with its status, owner (a person stays a person, a label a
// label), assigner, due date, snooze, note, the instants it was opened and
// closed, and its meeting, or none. Imported again, into that store or the
// one it came from, it changes nothing.
func TestAnExportImportsBackAsItWas(t *testing.T) {
	for name, open := range storeOpeners() {
		t.Run(name, func(t *testing.T) { exportImportsBackAsItWas(t, open) })
	}
}

func exportImportsBackAsItWas(t *testing.T, open func(*testing.T) testStore) {
	src := open(t)
	seedEverything(t, src)
	wantMeetings, wantGetbacks := snapshot(t, src)
	if len(wantMeetings) != 4 || len(wantGetbacks) != 7 {
		t.Fatalf("seeded %d meetings, %d getbacks", len(wantMeetings), len(wantGetbacks))
	}
	ctx := context.Background()
	for _, format := range []string{FormatXLSX, FormatCSV} {
		t.Run(format, func(t *testing.T) {
			var buf bytes.Buffer
			if err := (&Exporter{Store: src}).Export(ctx, ExportOptions{Workspace: ws, Format: format}, &buf); err != nil {
				t.Fatal(err)
			}
			path := filepath.Join(t.TempDir(), "export."+format)
			if err := os.WriteFile(path, buf.Bytes(), 0o600); err != nil {
				t.Fatal(err)
			}
			fresh := open(t)
			dry, _ := importFile(t, fresh, path, true)
			s, flags := importFile(t, fresh, path, false)
			if s.Created != 4 || s.GetbackRows != 7 || s.GetbacksCreated != 7 || s.Getbacks != 0 {
				t.Fatalf("into a fresh store: %+v %+v", s, flags)
			}
			if fmt.Sprint(dry) != fmt.Sprint(s) {
				t.Fatalf("the dry run said %+v, the import did %+v", dry, s)
			}
			gotMeetings, gotGetbacks := snapshot(t, fresh)
			if strings.Join(gotMeetings, "\n") != strings.Join(wantMeetings, "\n") {
				t.Fatalf("meetings:\n%s\nwant:\n%s", strings.Join(gotMeetings, "\n"), strings.Join(wantMeetings, "\n"))
			}
			if strings.Join(gotGetbacks, "\n") != strings.Join(wantGetbacks, "\n") {
				t.Fatalf("getbacks:\n%s\nwant:\n%s", strings.Join(gotGetbacks, "\n"), strings.Join(wantGetbacks, "\n"))
			}
			for name, db := range map[string]testStore{"the fresh store": fresh, "the store it came from": src} {
				s, _ := importFile(t, db, path, false)
				if s.Created+s.Updated+s.GetbacksCreated+s.GetbacksChanged+s.Getbacks != 0 || s.Unchanged != 4 || s.GetbacksUnchanged != 7 {
					t.Fatalf("again into %s: %+v", name, s)
				}
				m, g := snapshot(t, db)
				if strings.Join(m, "\n") != strings.Join(wantMeetings, "\n") || strings.Join(g, "\n") != strings.Join(wantGetbacks, "\n") {
					t.Fatalf("again into %s changed it", name)
				}
			}
		})
	}
}

// TestEditedExportUpdatesGetbacks: a getback closed, reopened or handed to
// someone else in the exported sheet is changed by the import, not added.
func TestEditedExportUpdatesGetbacks(t *testing.T) {
	src := openDB(t)
	seedEverything(t, src)
	var buf bytes.Buffer
	if err := (&Exporter{Store: src}).Export(context.Background(), ExportOptions{Workspace: ws, Format: FormatCSV}, &buf); err != nil {
		t.Fatal(err)
	}
	text := strings.Replace(buf.String(), "share the offer,'@Bob Smith (U0BOB)", "share the offer,ITF", 1)
	path := filepath.Join(t.TempDir(), "edited.csv")
	os.WriteFile(path, []byte(text), 0o600)
	s, _ := importFile(t, src, path, false)
	if s.GetbacksChanged != 1 || s.GetbacksCreated != 0 || s.GetbacksUnchanged != 6 {
		t.Fatalf("%+v", s)
	}
	gbs, _, _ := src.FindGetbacks(context.Background(), bot.GetbackFilter{Workspace: ws, Owners: []string{"ITF"}})
	if len(gbs) != 1 || gbs[0].Text != "share the offer" || gbs[0].OwnerKind != bot.OwnerLabel {
		t.Fatalf("%+v", gbs)
	}
}

// TestAnExportWithoutItsGetbacksList: the meetings of an export, kept
// without the Getbacks list, get their GETBACK items from their follow-up
// text, as a legacy sheet's do.
func TestAnExportWithoutItsGetbacksList(t *testing.T) {
	src := openDB(t)
	seedEverything(t, src)
	var buf bytes.Buffer
	if err := (&Exporter{Store: src}).Export(context.Background(), ExportOptions{Workspace: ws, Format: FormatCSV}, &buf); err != nil {
		t.Fatal(err)
	}
	text := buf.String()
	text = text[:strings.Index(text, "\n"+GetbacksSheet+"\n")]
	path := filepath.Join(t.TempDir(), "meetings.csv")
	os.WriteFile(path, []byte(text), 0o600)
	dry, _ := importFile(t, openDB(t), path, true)
	fresh := openDB(t)
	s, _ := importFile(t, fresh, path, false)
	if s.Created != 4 || s.Getbacks != 5 || dry.Getbacks != s.Getbacks {
		t.Fatalf("%+v (dry run %+v)", s, dry)
	}
	if _, n, _ := fresh.FindGetbacks(context.Background(), bot.GetbackFilter{Workspace: ws}); n != 5 {
		t.Fatalf("%d getbacks", n)
	}
}

func TestMarkdownIsNotImportable(t *testing.T) {
	path := filepath.Join(t.TempDir(), "export.md")
	os.WriteFile(path, []byte("# "+Title+"\n"), 0o600)
	if _, _, _, err := Open(path); err == nil || !strings.Contains(err.Error(), "unsupported file type") {
		t.Fatalf("%v", err)
	}
}
