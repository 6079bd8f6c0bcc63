package main

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/getbackhq/getback/bot"
	"github.com/getbackhq/getback/storage/sqlite"
)

// sample is the OCR'd excerpt of the legacy sheet the repository ships.
var sample = filepath.Join("..", "..", "storage", "sheet", "testdata", "weekly-summary-2017.tsv")

// getback runs the command line and returns its exit status and output.
func getback(args ...string) (code int, stdout, stderr string) {
	var out, errOut bytes.Buffer
	code = run(context.Background(), args, strings.NewReader(""), &out, &errOut)
	return code, out.String(), errOut.String()
}

func meetingsIn(t *testing.T, path string) int {
	t.Helper()
	db, err := sqlite.Open(context.Background(), path)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	_, n, err := db.FindMeetings(context.Background(), bot.MeetingFilter{Workspace: "console"})
	if err != nil {
		t.Fatal(err)
	}
	return n
}

func TestHelpListsEveryCommand(t *testing.T) {
	for _, args := range [][]string{{"--help"}, {"-h"}, {"help"}, {"--db", "x.db", "--help"}} {
		code, out, errOut := getback(args...)
		if code != 0 || errOut != "" {
			t.Fatalf("%v: exit %d, stderr %q", args, code, errOut)
		}
		for _, s := range subcommands {
			if !strings.Contains(out, "\n  "+s.name) {
				t.Errorf("%v: help lacks %s:\n%s", args, s.name, out)
			}
		}
	}
	// Each command's help shows its arguments and every flag, on
	// standard output, exit status 0.
	for _, s := range subcommands {
		for _, args := range [][]string{{s.name, "--help"}, {s.name, "-h"}, {"help", s.name}} {
			code, out, errOut := getback(args...)
			if code != 0 || errOut != "" || !strings.HasPrefix(out, "Usage: getback "+s.name) {
				t.Fatalf("%v: exit %d, stdout %q, stderr %q", args, code, out, errOut)
			}
			for _, a := range s.args {
				if !strings.Contains(out, "  "+a[0]) {
					t.Errorf("%v: help lacks the argument %s", args, a[0])
				}
			}
			for _, flag := range []string{"--db FILE", "--log-level LEVEL"} {
				if !strings.Contains(out, flag) {
					t.Errorf("%v: help lacks %s", args, flag)
				}
			}
		}
	}
	_, out, _ := getback("import", "--help")
	for _, want := range []string{"FILE", "--dry-run", "--region-map FILE", "--report FILE", "--workspace WS"} {
		if !strings.Contains(out, want) {
			t.Errorf("import --help lacks %q:\n%s", want, out)
		}
	}
	// Help never shows a secret taken from the environment.
	t.Setenv("MATTERMOST_ADMIN_TOKEN", "s3cr3t-admin-token")
	if _, out, _ := getback("mattermost", "--help"); strings.Contains(out, "s3cr3t") {
		t.Fatalf("help shows a token:\n%s", out)
	}
}

// TestFlagsBeforeAndAfterArguments: flags every command shares may come
// before the command's name, and a command's flags before, between or
// after its arguments.
func TestFlagsBeforeAndAfterArguments(t *testing.T) {
	dir := t.TempDir()
	tests := []struct {
		name string
		args func(db string) []string
	}{
		{"--db before the command", func(db string) []string { return []string{"--db", db, "import", sample} }},
		{"--db= before the command", func(db string) []string { return []string{"--db=" + db, "--log-level", "warn", "import", sample} }},
		{"flags before the file", func(db string) []string { return []string{"import", "--db", db, "--workspace", "console", sample} }},
		{"flags around the file", func(db string) []string {
			return []string{"import", "--report", filepath.Join(dir, "r.csv"), sample, "--db", db}
		}},
		{"the file after --", func(db string) []string { return []string{"import", "--db", db, "--", sample} }},
	}
	for i, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			db := filepath.Join(dir, fmt.Sprintf("%d.db", i))
			code, out, errOut := getback(tt.args(db)...)
			if code != 0 || !strings.Contains(out, "33 created") {
				t.Fatalf("exit %d\n%s%s", code, out, errOut)
			}
			if n := meetingsIn(t, db); n != 33 {
				t.Fatalf("%d meetings in %s, want 33", n, db)
			}
		})
	}
	// Still the console when the line starts with its flags.
	if code, _, errOut := getback("--db", filepath.Join(dir, "c.db"), "--user", "ana", "--tz", "UTC"); code != 0 {
		t.Fatalf("console by default: %d %s", code, errOut)
	}
	code, _, errOut := getback("import", sample, "other.tsv", "--db", filepath.Join(dir, "x.db"))
	if code != 2 || !strings.Contains(errOut, `unexpected argument "other.tsv"`) || !strings.Contains(errOut, "usage: getback import FILE") {
		t.Fatalf("two files: %d %q", code, errOut)
	}
	if code, _, errOut := getback("export", "out.csv", "--db", filepath.Join(dir, "x.db")); code != 2 || !strings.Contains(errOut, `unexpected argument "out.csv"`) {
		t.Fatalf("export with an argument: %d %q", code, errOut)
	}
	if code, _, errOut := getback("digest", "--nope"); code != 2 || !strings.Contains(errOut, "flag provided but not defined: -nope") {
		t.Fatalf("unknown flag: %d %q", code, errOut)
	}
}

func TestImportDryRunCreatesNoDatabase(t *testing.T) {
	db := filepath.Join(t.TempDir(), "new.db")
	code, out, errOut := getback("import", "--dry-run", sample, "--db", db)
	if code != 0 || !strings.Contains(out, "nothing was written") || !strings.Contains(out, "33 created") {
		t.Fatalf("dry run: %d\n%s%s", code, out, errOut)
	}
	if _, err := os.Stat(db); !errors.Is(err, os.ErrNotExist) {
		t.Fatalf("a dry run created %s: %v", db, err)
	}
	// Against an existing database, a dry run compares and changes nothing.
	if code, _, errOut := getback("import", sample, "--db", db); code != 0 {
		t.Fatal(errOut)
	}
	if code, out, _ := getback("import", "--dry-run", sample, "--db", db); code != 0 || !strings.Contains(out, "0 created, 0 updated, 33 unchanged") {
		t.Fatalf("dry run against a store: %s", out)
	}
}

func TestImportWithoutAHeaderFails(t *testing.T) {
	dir := t.TempDir()
	db := filepath.Join(dir, "g.db")
	notes := filepath.Join(dir, "notes.tsv")
	os.WriteFile(notes, []byte("call the clerk\tsoon\nsend the list\tlater\n"), 0o600)
	code, out, errOut := getback("import", notes, "--db", db)
	if code != 1 || out != "" || !strings.Contains(errOut, "getback import: notes.tsv has no header row getback recognises, so nothing was imported") {
		t.Fatalf("exit %d, stdout %q, stderr %q", code, out, errOut)
	}
	if _, err := os.Stat(db); !errors.Is(err, os.ErrNotExist) {
		t.Fatalf("a refused import created the database: %v", err)
	}
	if code, _, errOut := getback("import", filepath.Join(dir, "missing.tsv"), "--db", db); code != 1 || !strings.Contains(errOut, "missing.tsv") {
		t.Fatalf("missing file: %d %q", code, errOut)
	}
}

func TestExportRefusesUnknownExtensions(t *testing.T) {
	dir := t.TempDir()
	db := filepath.Join(dir, "g.db")
	tests := []struct {
		args []string
		want string
	}{
		{[]string{"-o", filepath.Join(dir, "out.pdf")}, "export writes .csv, .xlsx or .md files, not .pdf"},
		{[]string{"-o", filepath.Join(dir, "out.xlsx"), "--format", "md"}, "is a .xlsx file name, but --format says md"},
		{[]string{"--format", "pdf"}, "--format pdf: export writes csv, xlsx or md"},
	}
	for _, tt := range tests {
		code, _, errOut := getback(append([]string{"export", "--db", db}, tt.args...)...)
		if code != 1 || !strings.Contains(errOut, tt.want) {
			t.Errorf("%v: exit %d, stderr %q, want %q", tt.args, code, errOut, tt.want)
		}
	}
	entries, _ := os.ReadDir(dir)
	for _, e := range entries {
		if strings.HasPrefix(e.Name(), "out.") {
			t.Errorf("a refused export wrote %s", e.Name())
		}
	}
	for _, name := range []string{"out.csv", "out.md", "OUT.MARKDOWN", "out"} {
		if code, _, errOut := getback("export", "--db", db, "-o", filepath.Join(dir, name)); code != 0 {
			t.Errorf("-o %s: %d %s", name, code, errOut)
		}
	}
}

// TestErrorsShowNoInternalFormatting: what a failing command prints is
// its message, never an error's code and internal formatting.
func TestErrorsShowNoInternalFormatting(t *testing.T) {
	db := filepath.Join(t.TempDir(), "g.db")
	for _, args := range [][]string{
		{"outbox", "--db", db, "--retry", "5"},
		{"digest", "--db", db, "--region", "9", "--post"},
		{"digest", "--db", db, "--region", "9", "--week", "13/11/2026"},
		{"export", "--db", db, "--since", "someday"},
		{"console", "--db", db, "--tz", "Mars/Base"},
	} {
		code, _, errOut := getback(args...)
		if code != 1 || !strings.HasPrefix(errOut, "getback "+args[0]+": ") || strings.Contains(errOut, "code=") || strings.Contains(errOut, "getback error") {
			t.Errorf("%v: exit %d, stderr %q", args, code, errOut)
		}
	}
	wrapped := fmt.Errorf("retry 5: %w", bot.Errorf(bot.ENOTFOUND, "No outbox item #5."))
	if got := errorText(wrapped); got != "retry 5: No outbox item #5." {
		t.Fatalf("errorText = %q", got)
	}
}

// TestImportedGetbacks: an import reads GETBACK items like chat does
// (any case, one item per owner, inline due dates from the meeting's
// date) and its summary says where items with no owner went.
func TestImportedGetbacks(t *testing.T) {
	dir := t.TempDir()
	db := filepath.Join(dir, "g.db")
	file := filepath.Join(dir, "week.tsv")
	header := "Region\tState\tMeeting Location\tMeeting Date\tDHS POC\tKey Attendees & Affiliation other than POC\tKey Discussion Points\t" +
		"Issues or Concerns\tFollow-up Required\tFor NFPD Leadership Awareness\tLeadership Action\tNext Scheduled Engagement\tNotes / Comments"
	row := "9\tNevada\tCarson City\t11/20/2026\t\t\t\t\t" +
		"getback (1): send the list by Friday. itf/rd forac. GETBACK (2): call the clerk.\t\t\t\t"
	os.WriteFile(file, []byte(header+"\n"+row+"\n"), 0o600)
	code, out, errOut := getback("import", file, "--db", db)
	if code != 0 || !strings.Contains(out, "getbacks     3 extracted") ||
		!strings.Contains(out, "1 with no owner written went to the label UNASSIGNED: /getback owner UNASSIGNED @name hands them to someone") {
		t.Fatalf("exit %d\n%s%s", code, out, errOut)
	}
	store, err := sqlite.Open(context.Background(), db)
	if err != nil {
		t.Fatal(err)
	}
	defer store.Close()
	gbs, _, err := store.FindGetbacks(context.Background(), bot.GetbackFilter{Workspace: "console"})
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, g := range gbs {
		got = append(got, fmt.Sprintf("%d %s %s %s", g.Number, g.Owner, g.Due, g.Text))
	}
	want := []string{"1 ITF 2026-11-27 send the list by Friday", "3 RD 2026-11-27 send the list by Friday", "2 UNASSIGNED  call the clerk"}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Fatalf("imported items:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
}

// TestExportThenImportOnTheCommandLine: getback export writes the getbacks
// with the meetings (a sheet in .xlsx, a section in .csv), and getback
// import of that file into a new database brings them back with their
// status.
func TestExportThenImportOnTheCommandLine(t *testing.T) {
	dir := t.TempDir()
	db := filepath.Join(dir, "g.db")
	file := filepath.Join(dir, "week.tsv")
	os.WriteFile(file, []byte("Region\tState\tMeeting Location\tMeeting Date\tDHS POC\tKey Discussion Points\tFollow-up Required\n"+
		"9\tNevada\tCarson City\t11/20/2026\t(b) (6)\tTabletop\tGETBACK (1): send the list. ITF FORAC. GETBACK (2): call the clerk. RD FORAC.\n"), 0o600)
	if code, out, errOut := getback("import", file, "--db", db); code != 0 {
		t.Fatalf("import: exit %d\n%s%s", code, out, errOut)
	}
	store, err := sqlite.Open(context.Background(), db)
	if err != nil {
		t.Fatal(err)
	}
	gbs, _, _ := store.FindGetbacks(context.Background(), bot.GetbackFilter{Workspace: "console"})
	done := bot.StatusDone
	if _, err := store.UpdateGetback(context.Background(), "console", gbs[0].ID, bot.GetbackUpdate{Status: &done}); err != nil {
		t.Fatal(err)
	}
	store.Close()
	for _, ext := range []string{".xlsx", ".csv"} {
		out := filepath.Join(dir, "export"+ext)
		if code, stdout, errOut := getback("export", "--db", db, "-o", out); code != 0 {
			t.Fatalf("export: exit %d\n%s%s", code, stdout, errOut)
		}
		fresh := filepath.Join(dir, "fresh"+ext+".db")
		code, stdout, errOut := getback("import", out, "--db", fresh)
		if code != 0 || !strings.Contains(stdout, "2 listed in the export's Getbacks list: 2 created, 0 changed, 0 unchanged") {
			t.Fatalf("%s: exit %d\n%s%s", ext, code, stdout, errOut)
		}
		s, err := sqlite.Open(context.Background(), fresh)
		if err != nil {
			t.Fatal(err)
		}
		back, _, _ := s.FindGetbacks(context.Background(), bot.GetbackFilter{Workspace: "console", Status: &done})
		s.Close()
		if len(back) != 1 || back[0].Text != gbs[0].Text || back[0].MeetingID == 0 {
			t.Fatalf("%s: done items back: %+v", ext, back)
		}
	}
}
