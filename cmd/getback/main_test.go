package main

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/getbackhq/getback/bot"
	"github.com/getbackhq/getback/storage/sqlite"
)

// TestConsoleSession pipes a scripted session through the real command
// entry point and checks what was printed and what was stored.
func TestConsoleSession(t *testing.T) {
	dbPath := filepath.Join(t.TempDir(), "getback.db")
	script := strings.Join([]string{
		`# a comment line is ignored`,
		`/meeting add state:Nevada date:2026-11-20 location:"Las Vegas" followup:"Visit soon. GETBACK (1): send the contact list. RD FORAC. GETBACK (2): call the clerk. @bob FORAC."`,
		`/getback list`,
		`Done 1`,
		`/getback list`,
		`/meeting bogus`,
		`Snooze 1 week 2`,
		`/getback add @carol "share the guide" due:2099-01-02`,
		`quit`,
		`/meeting add state:Guam`, // after quit: never run
	}, "\n")
	var out, errOut bytes.Buffer
	code := run(context.Background(), []string{"console", "--db", dbPath, "--user", "ana", "--tz", "America/Los_Angeles"},
		strings.NewReader(script), &out, &errOut)
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errOut.String())
	}
	got := out.String()
	for _, want := range []string{
		"Logged meeting #1: Nevada, 2026-11-20 (Region 9).",
		"GETBACK (1) #1: send the contact list",
		"GETBACK (2) #2: call the clerk",
		"2 open getbacks.",
		"[Done] [Snooze 1 day] [Snooze 1 week] [Reassign]",
		"✓ Marked #1 done: send the contact list",
		"1 open getback.",
		"⚠ Unknown subcommand /meeting bogus",
		"Snoozed #2 until",
		"Added getback #3 for carol, due Fri 2099-01-02.",
		"DM to @bob",
		"ana logged meeting #1 (Nevada, 2026-11-20) and assigned you getback #2.",
		"DM to @carol",
	} {
		if !strings.Contains(got, want) {
			t.Errorf("output lacks %q", want)
		}
	}
	if strings.Contains(got, "Guam") {
		t.Error("a line after quit was run")
	}
	if t.Failed() {
		t.Logf("output:\n%s", got)
	}

	db, err := sqlite.Open(context.Background(), dbPath)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	g1, _ := db.FindGetbackByID(context.Background(), "console", 1)
	g2, _ := db.FindGetbackByID(context.Background(), "console", 2)
	if g1.Status != bot.StatusDone || g2.SnoozedUntil.IsZero() || g2.Owner != "bob" {
		t.Fatalf("stored: %+v / %+v", g1, g2)
	}
	sent := bot.OutboxSent
	items, _ := db.FindOutbox(context.Background(), bot.OutboxFilter{Status: &sent})
	if len(items) != 2 {
		t.Fatalf("%d DMs delivered, want 2 (bob, carol)", len(items))
	}
}

func TestUnknownCommandAndVersion(t *testing.T) {
	var out, errOut bytes.Buffer
	if code := run(context.Background(), []string{"frobnicate"}, strings.NewReader(""), &out, &errOut); code != 2 {
		t.Fatalf("exit %d", code)
	}
	if !strings.Contains(errOut.String(), `unknown command "frobnicate"`) {
		t.Fatalf("stderr: %s", errOut.String())
	}
	out.Reset()
	if code := run(context.Background(), []string{"version"}, nil, &out, &errOut); code != 0 || !strings.HasPrefix(out.String(), "getback ") {
		t.Fatalf("version: %d %q", code, out.String())
	}
}

func TestDigestAndOutboxCommands(t *testing.T) {
	dbPath := filepath.Join(t.TempDir(), "getback.db")
	var out, errOut bytes.Buffer
	script := `/meeting add state:Nevada date:2026-11-18 awareness:"Needs clearances"` + "\n" +
		`/digest config region:9 channel:#region-9 tz:UTC` + "\n"
	if code := run(context.Background(), []string{"console", "--db", dbPath, "--user", "ana", "--tz", "UTC"}, strings.NewReader(script), &out, &errOut); code != 0 {
		t.Fatalf("console: %s", errOut.String())
	}
	out.Reset()
	if code := run(context.Background(), []string{"digest", "--db", dbPath, "--region", "9", "--week", "2026-11-18"}, nil, &out, &errOut); code != 0 {
		t.Fatalf("digest: %s", errOut.String())
	}
	if !strings.Contains(out.String(), "Region 9 weekly digest: Mon 2026-11-16 to Sun 2026-11-22 (2026-W47)") || !strings.Contains(out.String(), "Needs clearances") {
		t.Fatalf("digest output:\n%s", out.String())
	}
	out.Reset()
	if code := run(context.Background(), []string{"digest", "--db", dbPath, "--region", "9", "--week", "2026-11-18", "--post"}, nil, &out, &errOut); code != 0 {
		t.Fatalf("digest --post: %s", errOut.String())
	}
	errOut.Reset()
	if code := run(context.Background(), []string{"digest", "--db", dbPath, "--region", "9", "--week", "2026-11-18", "--post"}, nil, &out, &errOut); code != 1 ||
		!strings.Contains(errOut.String(), "already posted") {
		t.Fatalf("second post: %d %s", code, errOut.String())
	}
	out.Reset()
	if code := run(context.Background(), []string{"outbox", "--db", dbPath, "--status", "pending"}, nil, &out, &errOut); code != 0 {
		t.Fatal(errOut.String())
	}
	if !strings.Contains(out.String(), "pending 1") || !strings.Contains(out.String(), "digest:console:9:2026-W47") {
		t.Fatalf("outbox:\n%s", out.String())
	}
	errOut.Reset()
	if code := run(context.Background(), []string{"digest", "--db", dbPath, "--region", "18"}, nil, &out, &errOut); code != 1 || !strings.Contains(errOut.String(), "--region must be 1-10") {
		t.Fatalf("bad region: %d %s", code, errOut.String())
	}
}

func TestImportExportCommands(t *testing.T) {
	dir := t.TempDir()
	dbPath := filepath.Join(dir, "getback.db")
	sample := filepath.Join("..", "..", "storage", "sheet", "testdata", "weekly-summary-2017.tsv")
	var out, errOut bytes.Buffer
	run := func(args ...string) int {
		out.Reset()
		errOut.Reset()
		return run(context.Background(), append(args, "--db", dbPath), strings.NewReader(""), &out, &errOut)
	}
	if code := run("import", sample, "--dry-run"); code != 0 || !strings.Contains(out.String(), "nothing was written") {
		t.Fatalf("dry run: %d %s %s", code, out.String(), errOut.String())
	}
	report := filepath.Join(dir, "flags.csv")
	if code := run("import", sample, "--report", report); code != 0 {
		t.Fatalf("import: %s", errOut.String())
	}
	for _, want := range []string{"sections     5", "rows read    40 (7 empty, 0 skipped)", "meetings     33 created, 0 updated, 0 unchanged",
		"region_invalid       4", "Every flag, row by row: " + report} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("summary lacks %q:\n%s", want, out.String())
		}
	}
	rep, err := os.ReadFile(report)
	if err != nil || strings.Count(string(rep), "\n") != 39 || !strings.HasPrefix(string(rep), "section,sheet,line,kind,field,value,message") {
		t.Fatalf("report: %v\n%s", err, rep)
	}
	xlsx := filepath.Join(dir, "out.xlsx")
	if code := run("export", "-o", xlsx); code != 0 {
		t.Fatalf("export: %s", errOut.String())
	}
	if code := run("import", xlsx); code != 0 || !strings.Contains(out.String(), "0 created, 0 updated, 33 unchanged") {
		t.Fatalf("round trip: %s %s", out.String(), errOut.String())
	}
	if code := run("export", "--format", "md", "--region", "10"); code != 0 || !strings.Contains(out.String(), "## Region 10") {
		t.Fatalf("md export: %s", errOut.String())
	}
	badMap := filepath.Join(dir, "map.csv")
	os.WriteFile(badMap, []byte("Atlantis,3\n"), 0o600)
	if code := run("import", sample, "--region-map", badMap); code != 1 || !strings.Contains(errOut.String(), `line 1: "Atlantis" is not a state`) {
		t.Fatalf("bad region map: %d %s", code, errOut.String())
	}
	if code := run("import", filepath.Join(dir, "notes.pdf")); code != 1 {
		t.Fatalf("missing file: %d", code)
	}
	if code := run("import"); code != 2 {
		t.Fatalf("no file: %d", code)
	}
}
