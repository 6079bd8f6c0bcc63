package console_test

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/getbackhq/getback/bot"
	"github.com/getbackhq/getback/storage/sheet"
	"github.com/getbackhq/getback/storage/sqlite"
)

// TestTranscriptExportImportsBackUnchanged replays the transcript, exports
// the store to XLSX and CSV, imports each into a fresh store, and finds
// every meeting and every getback again as it was: status, owner (person
// or label), due date, note and meeting.
func TestTranscriptExportImportsBackUnchanged(t *testing.T) {
	script, err := os.ReadFile(filepath.Join("testdata", "transcript.txt"))
	if err != nil {
		t.Fatal(err)
	}
	a := newEnv(t)
	for _, l := range strings.Split(string(script), "\n") {
		if strings.TrimSpace(l) != "" && !strings.HasPrefix(l, "#") {
			a.line(l)
		}
	}
	ctx := context.Background()
	want := snapshot(t, a.db)
	if !strings.Contains(want, "status=done") || !strings.Contains(want, "status=cancelled") {
		t.Fatalf("the transcript closed nothing:\n%s", want)
	}
	for _, format := range []string{sheet.FormatXLSX, sheet.FormatCSV} {
		t.Run(format, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "summary."+format)
			f, err := os.Create(path)
			if err != nil {
				t.Fatal(err)
			}
			if err := (&sheet.Exporter{Store: a.db}).Export(ctx, sheet.ExportOptions{Workspace: "console", Format: format}, f); err != nil {
				t.Fatal(err)
			}
			f.Close()
			b := newEnv(t)
			r, _, _, err := sheet.Open(path)
			if err != nil {
				t.Fatal(err)
			}
			defer r.Close()
			if _, err := (&sheet.Importer{Store: b.db, Workspace: "console", Now: func() time.Time { return monday }}).Import(ctx, r); err != nil {
				t.Fatal(err)
			}
			if got := snapshot(t, b.db); got != want {
				t.Errorf("after export and import:\n%s\nwant:\n%s", got, want)
			}
		})
	}
}

// snapshot lists what an export must carry: every meeting's columns and
// every getback's status, owner, due date, note and meeting, in a form
// that does not depend on ids.
func snapshot(t *testing.T, db *sqlite.DB) string {
	t.Helper()
	ctx := context.Background()
	ms, _, err := db.FindMeetings(ctx, bot.MeetingFilter{Workspace: "console"})
	if err != nil {
		t.Fatal(err)
	}
	meeting := map[int64]string{}
	var lines []string
	for _, m := range ms {
		key := fmt.Sprintf("%s|%s|%s", m.StateList(), m.DateText(), m.Location)
		meeting[m.ID] = key
		lines = append(lines, fmt.Sprintf("meeting %s regions=%v discussion=%q notes=%q attendees=%q followup=%q",
			key, m.Regions, m.Discussion, m.Notes, m.Attendees, m.FollowUp))
	}
	gs, _, err := db.FindGetbacks(ctx, bot.GetbackFilter{Workspace: "console"})
	if err != nil {
		t.Fatal(err)
	}
	for _, g := range gs {
		lines = append(lines, fmt.Sprintf("getback %q status=%s owner=%s(%s) due=%s note=%q meeting=%s number=%d",
			g.Text, g.Status, g.Owner, g.OwnerKind, g.Due, g.DoneNote, meeting[g.MeetingID], g.Number))
	}
	sort.Strings(lines)
	return strings.Join(lines, "\n")
}
