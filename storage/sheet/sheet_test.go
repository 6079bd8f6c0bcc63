package sheet

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"reflect"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/xuri/excelize/v2"

	"github.com/getbackhq/getback/bot"
	"github.com/getbackhq/getback/storage/sqlite"
)

const ws = "console"

var importDay = time.Date(2026, 11, 26, 12, 0, 0, 0, time.UTC)

func openDB(t *testing.T) *sqlite.DB {
	t.Helper()
	db, err := sqlite.Open(context.Background(), filepath.Join(t.TempDir(), "g.db"), sqlite.WithClock(func() time.Time { return importDay }))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	return db
}

// importFile imports path and returns the summary and every flag raised.
func importFile(t *testing.T, db Store, path string, dryRun bool) (Summary, []Flag) {
	t.Helper()
	r, _, _, err := Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	var flags []Flag
	im := &Importer{Store: db, Workspace: ws, DryRun: dryRun, Now: func() time.Time { return importDay },
		OnFlag: func(f Flag) { flags = append(flags, f) }}
	s, err := im.Import(context.Background(), r)
	if err != nil {
		t.Fatal(err)
	}
	return s, flags
}

func importText(t *testing.T, db *sqlite.DB, name, text string) (Summary, []Flag) {
	t.Helper()
	path := filepath.Join(t.TempDir(), name)
	if err := os.WriteFile(path, []byte(text), 0o600); err != nil {
		t.Fatal(err)
	}
	return importFile(t, db, path, false)
}

const sample = "testdata/weekly-summary-2017.tsv"

func allMeetings(t *testing.T, db interface {
	FindMeetings(context.Context, bot.MeetingFilter) ([]*bot.Meeting, int, error)
}) []*bot.Meeting {
	t.Helper()
	ms, _, err := db.FindMeetings(context.Background(), bot.MeetingFilter{Workspace: ws, OldestFirst: true})
	if err != nil {
		t.Fatal(err)
	}
	return ms
}

func find(ms []*bot.Meeting, state, location string) *bot.Meeting {
	for _, m := range ms {
		if m.StateList() == state && (location == "" || m.Location == location) {
			return m
		}
	}
	return nil
}

func TestImportSample(t *testing.T) {
	db := openDB(t)
	// A dry run counts the same and writes nothing.
	dry, _ := importFile(t, db, sample, true)
	if len(allMeetings(t, db)) != 0 {
		t.Fatal("--dry-run wrote meetings")
	}
	s, flags := importFile(t, db, sample, false)
	s2 := s
	dry.Flags, s2.Flags = nil, nil
	if !reflect.DeepEqual(dry, s2) {
		t.Errorf("dry run %+v differs from the import %+v", dry, s2)
	}
	want := Summary{Sections: 5, RowsRead: 40, EmptyRows: 7, Created: 33, Flags: map[string]int{
		FlagDateMissing: 13, FlagExtraCell: 1, FlagHTMLStripped: 6, FlagMultiState: 1, FlagRegionCorrected: 13, FlagRegionInvalid: 4,
	}}
	if !reflect.DeepEqual(s, want) {
		t.Fatalf("summary:\n got %+v\nwant %+v", s, want)
	}
	if len(flags) != 38 {
		t.Fatalf("%d flags reported, want 38", len(flags))
	}
	for _, f := range flags {
		if f.Line == 0 || f.Section == 0 || f.Message == "" {
			t.Errorf("flag without a location or message: %+v", f)
		}
	}

	ms := allMeetings(t, db)
	if len(ms) != 33 {
		t.Fatalf("%d meetings", len(ms))
	}
	multi := find(ms, "Pennsylvania, New York, Virginia, District of Columbia, Maryland", "")
	if multi == nil || multi.Region != 3 || multi.DateStatus != bot.DateNA || multi.Location != "PA, MD, VA" {
		t.Fatalf("multi-state row: %+v", multi)
	}
	ny := "New York"
	if _, n, _ := db.FindMeetings(context.Background(), bot.MeetingFilter{Workspace: ws, State: &ny}); n != 3 {
		t.Errorf("New York is tagged on 3 meetings (2 rows + the multi-state one), got %d", n)
	}
	nh := find(ms, "New Hampshire", "")
	if nh.DateStatus != bot.DatePending || nh.Region != 1 || nh.Attendees != "(b) (6)" || nh.Concerns != "(b) (5)" {
		t.Fatalf("New Hampshire: %+v", nh)
	}
	var nj *bot.Meeting
	for _, m := range ms {
		if m.StateList() == "New Jersey" && m.Location == "New Jersey Fusion Center" && m.Date.Year == 2017 && m.Date.Month == 8 {
			nj = m
		}
	}
	if nj == nil || nj.Date != (bot.Date{Year: 2017, Month: 8, Day: 19}) || nj.Region != 2 {
		t.Fatalf("08/19/17 and the region from the state: %+v", nj)
	}
	wa := find(ms, "Washington", "")
	if wa.Region != 10 || strings.Contains(wa.Discussion, "<p>") || !strings.HasPrefix(wa.Concerns, "The following is their summary of the meeting and what was discussed:\nState of Washington") {
		t.Fatalf("Washington (region 18, HTML): region %d\n%q", wa.Region, wa.Concerns)
	}
	in := find(ms, "Indiana", "")
	if !strings.Contains(in.Notes, "Follow-up with Indiana DHS Agency") {
		t.Fatalf("the extra column's text is kept in the notes: %q", in.Notes)
	}
	mn := find(ms, "Minnesota", "")
	if mn.Region != 5 || mn.Location != "TRD" {
		t.Fatalf("Minnesota: %+v", mn)
	}
	me := find(ms, "Maine", "")
	if me.Attendees != "(b) (6) (b) (5)" {
		t.Fatalf("redaction markers are kept verbatim: %q", me.Attendees)
	}
	a, _ := db.FindAudit(context.Background(), bot.AuditFilter{Workspace: ws, Limit: 1})
	if len(a) != 1 || a[0].Actor != "import" {
		t.Fatalf("imports are audited as 'import': %+v", a)
	}

	// Importing again changes nothing.
	again, _ := importFile(t, db, sample, false)
	if again.Created != 0 || again.Updated != 0 || again.Unchanged != 33 {
		t.Fatalf("re-import: %+v", again)
	}
	if n := len(allMeetings(t, db)); n != 33 {
		t.Fatalf("re-import duplicated meetings: %d", n)
	}
}

func TestOverlappingLaterFile(t *testing.T) {
	db := openDB(t)
	importFile(t, db, sample, false)
	b, err := os.ReadFile(sample)
	if err != nil {
		t.Fatal(err)
	}
	later := strings.Replace(string(b), "Will continue engagement.\tEISA paying",
		"Will continue engagement. GETBACK (1): send the training calendar. RD FORAC. GETBACK: confirm the clerk list.\tEISA paying", 1)
	later += "8\tWyoming\tCheyenne\t11/2/2017\t(b) (6)\t\tFollow-up visit.\t\t\t\t\t\t\n"
	s, flags := importText(t, db, "later.tsv", later)
	if s.Created != 1 || s.Updated != 1 || s.Unchanged != 32 || s.Getbacks != 2 {
		t.Fatalf("overlapping file: %+v", s)
	}
	noOwner := 0
	for _, f := range flags {
		if f.Kind == FlagGetbackNoOwner {
			noOwner++
		}
	}
	if noOwner != 1 {
		t.Fatalf("unowned GETBACK flagged %d times", noOwner)
	}
	vt := find(allMeetings(t, db), "Vermont", "")
	mid := vt.ID
	gbs, _, _ := db.FindGetbacks(context.Background(), bot.GetbackFilter{Workspace: ws, MeetingID: &mid})
	if len(gbs) != 2 || gbs[0].Owner != "RD" || gbs[0].Number != 1 || gbs[1].Owner != Unassigned || gbs[1].Number != 2 || gbs[0].Region != 1 {
		t.Fatalf("extracted getbacks: %+v %+v", gbs[0], gbs[1])
	}
	// And once more: now nothing changes, and no getback is made twice.
	s, _ = importText(t, db, "later.tsv", later)
	if s.Unchanged != 34 || s.Getbacks != 0 {
		t.Fatalf("third import: %+v", s)
	}
}

func TestNearDuplicatesAndRepeats(t *testing.T) {
	db := openDB(t)
	head := Title + "\n\nRegion\tState\tMeeting Location\tMeeting Date\tDHS POC\tKey Attendees\tKey Discussion Points\tIssues or Concerns\tFollow-up Required\tFor NPPD Leadership Awareness\tLeadership Action\tNext Scheduled Engagement\tNotes\n"
	row := "2\tNew Jersey\tNew Jersey Fusion Center\t02/19/17\t(b) (6)\t\tInitial meeting with NJ Election Officials. Purpose was to understand the election process in New Jersey.\tNone noted\t\t\t\t\t\n"
	s, _ := importText(t, db, "a.tsv", head+row+row)
	if s.Created != 1 || s.Duplicates != 1 || s.Flags[FlagDuplicateRow] != 1 {
		t.Fatalf("a row repeated in a file is imported once: %+v", s)
	}
	noisy := strings.Replace(strings.Replace(row, "Fusion Center", "Fusion Centre", 1), "Purpose was", "Purp0se was", 1)
	s, flags := importText(t, db, "b.tsv", head+noisy)
	if s.Created != 0 || s.NearDuplicates != 1 {
		t.Fatalf("OCR-noisy copy: %+v", s)
	}
	if !strings.Contains(flags[len(flags)-1].Message, "nearly the same as meeting #1 (New Jersey, 2017-02-19)") {
		t.Fatalf("near-duplicate flag: %+v", flags[len(flags)-1])
	}
	other := strings.Replace(row, "Initial meeting with NJ Election Officials. Purpose was to understand the election process in New Jersey.",
		"Walked through the county's ballot storage, the chain of custody logs and the new camera system.", 1)
	if s, _ := importText(t, db, "c.tsv", head+other); s.Created != 1 {
		t.Fatalf("a different meeting on the same day and place is not a near-duplicate: %+v", s)
	}
	// A later file listing both, in the other order, changes nothing.
	if s, _ := importText(t, db, "d.tsv", head+other+row); s.Unchanged != 2 || s.Created+s.Updated != 0 {
		t.Fatalf("reordered rows: %+v", s)
	}
	// An edit that adds text to a row updates it rather than adding one.
	edited := strings.Replace(row, "None noted\t\t", "None noted\tGETBACK (1): send the NCATS brochure. CS FORAC.\t", 1)
	if s, _ := importText(t, db, "e.tsv", head+edited+other); s.Updated != 1 || s.Unchanged != 1 || s.Getbacks != 1 {
		t.Fatalf("edited row: %+v", s)
	}
	if n := len(allMeetings(t, db)); n != 2 {
		t.Fatalf("%d meetings after all that, want 2", n)
	}
}

func TestMessyValues(t *testing.T) {
	head := strings.Join([]string{"Region", "State", "Meeting Location", "Meeting Date", "DHS FOC", "Key Attendees & Affiliations (other than FOC)",
		"Key Discussion Points", "Issues or Concerns", "Follow-up Required", "For NFPD Leadership Awareness", "Leadership Action",
		"Next Scheduled Meeting", "Notes / Comments", "", ""}, "\t")
	rows := []string{
		"8\tUtah\tSLC\t10/12/2017\t\t\tx",
		"8\tMontana\t\t11-Oct\t\t\tyear from the row before",
		"9\tNevda\t\tTBD\t\t\tfuzzy state",
		"9\tCa1ifornia\t\t\t\t\tOCR digit",
		"19\tOregon\t\tN/A\t\t\tregion cannot exist",
		"\tGuam\t\tPending\t\t\tno region",
		"3\tAtlantis\t\t12/1/2017\t\t\tno such state",
		"4\t\t\t\t\t\tno state at all",
		"5\tOhio\t\tsometime in fall\t\t\tbad date",
		"6\tTexas\t\t1/5/2099\t\t\tfar future",
		"7\tIowa\t\t\t\t\t<p>one</p><p>two &amp; three</p>\t\t\t\t\t\t\textra",
		"",
		"10",
		"1\tMaine\t\t9/27/2017\t\t[REDACTED]\t(b) (5) and (b) (6)",
	}
	db := openDB(t)
	s, flags := importText(t, db, "messy.tsv", Title+"\n"+head+"\n"+strings.Join(rows, "\n")+"\n")
	if s.RowsRead != 14 || s.EmptyRows != 2 || s.Skipped != 1 || s.Created != 11 {
		t.Fatalf("summary: %+v", s)
	}
	byLine := map[int][]string{}
	for _, f := range flags {
		byLine[f.Line] = append(byLine[f.Line], f.Kind)
	}
	for line, want := range map[int][]string{
		3:  nil,
		4:  {FlagDateYearInferred},
		5:  {FlagStateFuzzy},
		6:  {FlagStateFuzzy, FlagDateMissing},
		7:  {FlagRegionInvalid},
		8:  {FlagRegionMissing},
		9:  {FlagStateUnknown},
		10: {FlagRowSkipped},
		11: {FlagDateInvalid},
		12: {FlagDateSuspicious},
		13: {FlagHTMLStripped, FlagExtraCell, FlagDateMissing},
		16: nil,
	} {
		got := byLine[line]
		sort.Strings(got)
		sort.Strings(want)
		if !reflect.DeepEqual(got, want) && !(len(got) == 0 && len(want) == 0) {
			t.Errorf("line %d: flags %v, want %v", line, got, want)
		}
	}
	ms := allMeetings(t, db)
	check := func(state string, f func(m *bot.Meeting) bool) {
		t.Helper()
		m := find(ms, state, "")
		if m == nil || !f(m) {
			t.Errorf("%s: %+v", state, m)
		}
	}
	check("Montana", func(m *bot.Meeting) bool { return m.Date == bot.Date{Year: 2017, Month: 10, Day: 11} })
	check("Nevada", func(m *bot.Meeting) bool { return m.DateStatus == bot.DateTBD && m.Region == 9 })
	check("California", func(m *bot.Meeting) bool { return m.Region == 9 })
	check("Oregon", func(m *bot.Meeting) bool { return m.Region == 10 && m.DateStatus == bot.DateNA })
	check("Guam", func(m *bot.Meeting) bool { return m.Region == 9 && m.DateStatus == bot.DatePending })
	check("Atlantis", func(m *bot.Meeting) bool { return m.Region == 3 })
	check("Ohio", func(m *bot.Meeting) bool {
		return m.Date.IsZero() && strings.Contains(m.Notes, "(Meeting date as written: sometime in fall)")
	})
	check("Iowa", func(m *bot.Meeting) bool { return m.Discussion == "one\ntwo & three" && m.Notes == "extra" })
	check("Maine", func(m *bot.Meeting) bool { return m.Attendees == "[REDACTED]" && m.Discussion == "(b) (5) and (b) (6)" })
}

func TestHeaderMeaning(t *testing.T) {
	for cell, want := range map[string]string{
		"Region": "region", "State": "state", "State/Territory": "state", "Meeting Location": "location",
		"Meeting Date": "date", "DHS POC": "poc", "DHS FOC": "poc", "Point of Contact": "poc",
		"Key Attendees & Affiliation other than POC": "attendees", "Key Attendees & Affiliations (other than FOC)": "attendees",
		"Key Discussion Points": "discussion", "Issues or Concerns": "concerns", "Follow-up Required": "followup",
		"For NPPD Leadership Awareness": "awareness", "For NFPD Leadership Awareness": "awareness", "Leadership Action": "action",
		"Next Scheduled Engagement": "next", "Next Scheduled Meeting": "next", "Notes / Comments": "notes", "": "", "Color": "",
	} {
		if got := fieldOfHeader(cell); got != want {
			t.Errorf("fieldOfHeader(%q) = %q, want %q", cell, got, want)
		}
	}
	if _, ok := parseHeader([]string{"Region", "State", "Notes"}); ok {
		t.Error("three recognised columns are not a header")
	}
}

func TestExportFormatsAndRoundTrip(t *testing.T) {
	db := openDB(t)
	importFile(t, db, sample, false)
	ctx := context.Background()
	export := func(opt ExportOptions) []byte {
		t.Helper()
		opt.Workspace = ws
		var buf bytes.Buffer
		if err := (&Exporter{Store: db}).Export(ctx, opt, &buf); err != nil {
			t.Fatal(err)
		}
		return buf.Bytes()
	}

	// XLSX: one sheet per region, a styled header, sized columns, and the
	// Getbacks sheet.
	xl := export(ExportOptions{Format: FormatXLSX})
	f, err := excelize.OpenReader(bytes.NewReader(xl))
	if err != nil {
		t.Fatal(err)
	}
	wantSheets := []string{"Region 1", "Region 2", "Region 3", "Region 5", "Region 8", "Region 10", "Getbacks"}
	if got := f.GetSheetList(); !reflect.DeepEqual(got, wantSheets) {
		t.Fatalf("sheets %v", got)
	}
	head, _ := f.GetCellValue("Region 10", "B2")
	styleID, _ := f.GetCellStyle("Region 10", "B2")
	style, _ := f.GetStyle(styleID)
	width, _ := f.GetColWidth("Region 10", "G")
	if head != "State" || style == nil || style.Font == nil || !style.Font.Bold || width < 50 {
		t.Fatalf("header %q bold=%v width %v", head, style != nil && style.Font != nil && style.Font.Bold, width)
	}
	rows, _ := f.GetRows("Region 10")
	if len(rows) != 6 || rows[2][1] != "Washington" {
		t.Fatalf("Region 10 sheet: %d rows", len(rows))
	}
	f.Close()

	// The export of an import imports back unchanged (XLSX and CSV), and
	// into a fresh store as the same meetings.
	for _, format := range []string{FormatXLSX, FormatCSV} {
		data := export(ExportOptions{Format: format})
		path := filepath.Join(t.TempDir(), "export."+format)
		os.WriteFile(path, data, 0o600)
		s, _ := importFile(t, db, path, false)
		if s.Unchanged != 33 || s.Created+s.Updated != 0 {
			t.Fatalf("%s round trip into the same store: %+v", format, s)
		}
		fresh := openDB(t)
		importFile(t, fresh, path, false)
		a, b := allMeetings(t, db), allMeetings(t, fresh)
		if len(a) != len(b) {
			t.Fatalf("%s: %d meetings back, want %d", format, len(b), len(a))
		}
		hashes := func(ms []*bot.Meeting) []string {
			var out []string
			for _, m := range ms {
				out = append(out, contentHash(m))
			}
			sort.Strings(out)
			return out
		}
		if !reflect.DeepEqual(hashes(a), hashes(b)) {
			t.Fatalf("%s round trip changed meetings", format)
		}
	}

	// Filters and Markdown.
	ten := 10
	csv := string(export(ExportOptions{Format: FormatCSV, Region: &ten}))
	if strings.Count(csv, Title) != 1 || !strings.Contains(csv, "Washington") || strings.Contains(csv, "Vermont") {
		t.Fatalf("region filter: %s", csv)
	}
	since := bot.Date{Year: 2017, Month: 10, Day: 1}
	csv = string(export(ExportOptions{Format: FormatCSV, Since: &since}))
	if !strings.Contains(csv, "10/12/2017") || strings.Contains(csv, "9/28/2017") || strings.Contains(csv, "Washington") {
		t.Fatalf("since filter: %s", csv)
	}
	md := string(export(ExportOptions{Format: FormatMarkdown, Region: &ten}))
	if !strings.Contains(md, "## Region 10") || !strings.Contains(md, "| 10 | Washington |") || !strings.Contains(md, "<br>") {
		t.Fatalf("markdown:\n%s", md)
	}
	var buf bytes.Buffer
	if err := (&Exporter{Store: db}).Export(ctx, ExportOptions{Workspace: ws, Format: "pdf"}, &buf); bot.ErrorCode(err) != bot.EINVALID {
		t.Fatalf("unknown format: %v", err)
	}
}

func TestOpenErrors(t *testing.T) {
	dir := t.TempDir()
	if _, _, _, err := Open(filepath.Join(dir, "x.pdf")); err == nil {
		t.Fatal("a missing file must fail")
	}
	pdf := filepath.Join(dir, "x.pdf")
	os.WriteFile(pdf, []byte("%PDF"), 0o600)
	if _, _, _, err := Open(pdf); err == nil || !strings.Contains(err.Error(), "unsupported file type") {
		t.Fatalf("pdf: %v", err)
	}
	bad := filepath.Join(dir, "x.xlsx")
	os.WriteFile(bad, []byte("not a zip"), 0o600)
	if _, _, _, err := Open(bad); err == nil || !strings.Contains(err.Error(), "not a readable .xlsx") {
		t.Fatalf("broken xlsx: %v", err)
	}
}

func TestReadRegionMap(t *testing.T) {
	m, err := ReadRegionMap(strings.NewReader("state,region\nGuam, 10\nNV,8\n\n"))
	if err != nil || m["Guam"] != 10 || m["Nevada"] != 8 || len(m) != 2 {
		t.Fatalf("%v %v", m, err)
	}
	for _, bad := range []string{"Atlantis,3", "Guam,11", "Guam", "Guam,9,extra"} {
		if _, err := ReadRegionMap(strings.NewReader(bad)); err == nil || !strings.Contains(err.Error(), "line 1") {
			t.Errorf("%q: %v", bad, err)
		}
	}
	// A region map changes where the importer files meetings.
	db := openDB(t)
	r := NewTSV(strings.NewReader("Region\tState\tMeeting Location\tMeeting Date\tDHS POC\tKey Discussion Points\n9\tGuam\tHagatna\t1/2/2018\t\tx\n"))
	im := &Importer{Store: db, Workspace: ws, RegionMap: map[string]int{"Guam": 10}}
	if s, err := im.Import(context.Background(), r); err != nil || s.Flags[FlagRegionCorrected] != 1 {
		t.Fatalf("%+v %v", s, err)
	}
	if ms := allMeetings(t, db); ms[0].Region != 10 {
		t.Fatalf("region %d", ms[0].Region)
	}
}

func FuzzParseRow(f *testing.F) {
	f.Add("1\tVermont\t\t9/28/2017\t\t(b) (6)\tx\ty\tGETBACK (1): a RD FORAC.\t\t\t\t")
	f.Add("18\tPA, NY, VA, DC, MD\t<p>x</p>\t11-Oct\t\t\t\t\t\t\t\tDec 5\t\textra\tmore")
	f.Add("\t\t\t\t")
	f.Add("x\tCa1ifornia\t\tPending")
	h, _ := parseHeader(strings.Split("Region\tState\tMeeting Location\tMeeting Date\tDHS POC\tKey Attendees\tKey Discussion Points\tIssues or Concerns\tFollow-up Required\tFor NPPD Leadership Awareness\tLeadership Action\tNext Scheduled Engagement\tNotes / Comments", "\t"))
	f.Fuzz(func(t *testing.T, line string) {
		p := &rowParser{rowConfig: rowConfig{overrides: map[string]int{}, today: bot.Date{Year: 2026, Month: 11, Day: 26}}}
		pr := p.parseCells(&h, strings.Split(line, "\t"))
		p.finish(&pr)
		if pr.meeting != nil {
			pr.meeting.Workspace = ws
			if err := pr.meeting.Validate(); err != nil {
				t.Fatalf("parsed row fails validation: %v (%q)", err, line)
			}
			if pr.identity == "" {
				t.Fatal("a meeting without an identity")
			}
		}
		if pr.empty && pr.meeting != nil {
			t.Fatal("an empty row with a meeting")
		}
		for _, fl := range pr.flags {
			if fl.Kind == "" || fl.Message == "" {
				t.Fatalf("flag without kind or message: %+v", fl)
			}
		}
	})
}

func TestWindows1252Cells(t *testing.T) {
	db := openDB(t)
	text := "Region\tState\tMeeting Location\tMeeting Date\tDHS POC\tKey Discussion Points\n9\tGuam\tHag\xe5t\xf1a\t1/2/2018\t\tcaf\xe9 talk\n"
	s, flags := importText(t, db, "cp1252.tsv", text)
	if s.Created != 1 || s.Flags[FlagEncoding] != 2 || len(flags) != 2 {
		t.Fatalf("%+v", s)
	}
	m := allMeetings(t, db)[0]
	if m.Location != "Hagåtña" || m.Discussion != "café talk" {
		t.Fatalf("decoded: %q %q", m.Location, m.Discussion)
	}
}

func TestHasHeader(t *testing.T) {
	hdr := "Region\tState\tMeeting Date\tLocation\tDHS POC\tKey Discussion Points\tFollow-up Required"
	for name, tc := range map[string]struct {
		text string
		want bool
	}{
		"a header after a title":         {"Weekly Summary for Meetings\n" + hdr + "\n9\tNevada\t11/20/2026\tLas Vegas\n", true},
		"a header alone":                 {hdr + "\n", true},
		"too few columns to be a header": {"Region\tState\tMeeting Date\n", false},
		"notes with no header":           {"call the clerk\tsoon\nsend the list\tlater\n", false},
		"an empty file":                  {"", false},
	} {
		t.Run(name, func(t *testing.T) {
			got, err := HasHeader(NewTSV(strings.NewReader(tc.text)))
			if err != nil || got != tc.want {
				t.Fatalf("HasHeader = %v %v, want %v", got, err, tc.want)
			}
		})
	}
}

// TestAStateCellOfOnlySeparatorsSkipsTheRow: a state cell that names no
// place ("&", ", ,", "and") is a row that cannot be placed, like an empty
// one: flagged and skipped, nothing stored.
func TestAStateCellOfOnlySeparatorsSkipsTheRow(t *testing.T) {
	for _, cell := range []string{"&", ", ,", " / ", "and", ";", "& and ,"} {
		db := openDB(t)
		r := NewTSV(strings.NewReader("Region\tState\tMeeting Location\tMeeting Date\tDHS POC\tKey Discussion Points\n1\t" + cell + "\tBoston\t9/28/2017\t\tx\n"))
		var flags []Flag
		s, err := (&Importer{Store: db, Workspace: ws, OnFlag: func(f Flag) { flags = append(flags, f) }}).Import(context.Background(), r)
		if err != nil {
			t.Fatalf("%q: %v", cell, err)
		}
		if s.Skipped != 1 || s.Created != 0 || len(allMeetings(t, db)) != 0 {
			t.Fatalf("%q: %+v, want the row skipped and nothing stored", cell, s)
		}
		if len(flags) == 0 || flags[len(flags)-1].Kind != FlagRowSkipped || flags[len(flags)-1].Field != "state" {
			t.Fatalf("%q: flags %+v, want a skipped-row flag on the state", cell, flags)
		}
	}
}
