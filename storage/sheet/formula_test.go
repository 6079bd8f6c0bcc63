package sheet

import (
	"bytes"
	"context"
	"encoding/csv"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/xuri/excelize/v2"

	"github.com/getbackhq/getback/bot"
)

func TestNeutraliseAndRestore(t *testing.T) {
	for in, want := range map[string]string{
		"=HYPERLINK(\"x\")": "'=HYPERLINK(\"x\")",
		"+1":                "'+1",
		"-5 degrees":        "'-5 degrees",
		"@SUM(A1)":          "'@SUM(A1)",
		"\tcmd":             "'\tcmd",
		"\rcmd":             "'\rcmd",
		"'=x":               "''=x", // a quote that was there, kept through the round trip
		"''+x":              "'''+x",
		"'tis the season":   "'tis the season",
		"'":                 "'",
		"plain text":        "plain text",
		"a=b":               "a=b",
		"":                  "",
	} {
		if got := neutralise(in); got != want {
			t.Errorf("neutralise(%q) = %q, want %q", in, got, want)
		}
		if got := restore(neutralise(in)); got != in {
			t.Errorf("restore(neutralise(%q)) = %q", in, got)
		}
	}
}

// dangerous are meeting and getback values a spreadsheet would run as
// formulas, and values that start with a quote of their own.
var dangerous = map[string]string{
	"location":   "=HYPERLINK(\"http://evil.example\",\"Las Vegas\")",
	"attendees":  "+SUM(1,2)",
	"discussion": "-2+3 cmd|' /C calc'!A0",
	"concerns":   "@SUM(A1:A2)",
	"awareness":  "'tis the season",
	"action":     "'=already quoted",
	"notes":      "''@two quotes",
}

func dangerousMeeting(t *testing.T) (*bot.Meeting, context.Context) {
	t.Helper()
	m := &bot.Meeting{Workspace: ws, Region: 9, States: []string{"Nevada"}, Date: bot.Date{Year: 2026, Month: 11, Day: 20},
		CreatedBy: "ana", Location: dangerous["location"], Attendees: dangerous["attendees"], Discussion: dangerous["discussion"],
		Concerns: dangerous["concerns"], Awareness: dangerous["awareness"], Action: dangerous["action"], Notes: dangerous["notes"],
		Getbacks: []*bot.Getback{{Number: 1, Text: "=1+1", Owner: "=CMD", OwnerKind: bot.OwnerLabel, Status: bot.StatusDone,
			DoneNote: "-rm everything"}}}
	return m, bot.WithActor(context.Background(), bot.Actor{Workspace: ws, UserID: "ana"})
}

// TestExportsWriteTextNotFormulas: no CSV cell opens as a formula (each
// such one starts with a quote), XLSX cells are strings, not formulas, and
// Markdown shows the text as it is; and the CSV and XLSX exports import
// back to exactly the text stored.
func TestExportsWriteTextNotFormulas(t *testing.T) {
	db := openDB(t)
	m, ctx := dangerousMeeting(t)
	if err := db.CreateMeeting(ctx, m); err != nil {
		t.Fatal(err)
	}
	export := func(format string) []byte {
		var buf bytes.Buffer
		if err := (&Exporter{Store: db}).Export(ctx, ExportOptions{Workspace: ws, Format: format}, &buf); err != nil {
			t.Fatal(err)
		}
		return buf.Bytes()
	}

	raw := export(FormatCSV)
	r := csv.NewReader(bytes.NewReader(raw))
	r.FieldsPerRecord = -1
	records, err := r.ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	found := 0
	for _, rec := range records {
		for _, cell := range rec {
			if cell != "" && formulaStart(cell[0]) {
				t.Errorf("CSV cell opens as a formula: %q", cell)
			}
			if cell == "'"+dangerous["location"] || cell == "'=1+1" || cell == "'=CMD" || cell == "'-rm everything" {
				found++
			}
		}
	}
	if found != 4 {
		t.Fatalf("%d neutralised cells found, want 4:\n%s", found, raw)
	}

	xl := export(FormatXLSX)
	f, err := excelize.OpenReader(bytes.NewReader(xl))
	if err != nil {
		t.Fatal(err)
	}
	for _, sheet := range []string{"Region 9", GetbacksSheet} {
		rows, _ := f.GetRows(sheet)
		for i, row := range rows {
			for j, v := range row {
				cell := cellName(j+1, i+1)
				typ, _ := f.GetCellType(sheet, cell)
				formula, _ := f.GetCellFormula(sheet, cell)
				if v != "" && (formula != "" || (typ != excelize.CellTypeInlineString && typ != excelize.CellTypeSharedString)) {
					t.Errorf("%s!%s %q: type %v formula %q", sheet, cell, v, typ, formula)
				}
			}
		}
	}
	if v, _ := f.GetCellValue("Region 9", "C3"); v != dangerous["location"] {
		t.Fatalf("the location cell reads %q", v)
	}
	f.Close()

	md := string(export(FormatMarkdown))
	if !strings.Contains(md, "| =HYPERLINK(\"http://evil.example\",\"Las Vegas\") |") || !strings.Contains(md, "| =1+1 |") {
		t.Fatalf("Markdown does not show the text as it is:\n%s", md)
	}

	for format, data := range map[string][]byte{FormatCSV: raw, FormatXLSX: xl} {
		path := filepath.Join(t.TempDir(), "export."+format)
		os.WriteFile(path, data, 0o600)
		fresh := openDB(t)
		importFile(t, fresh, path, false)
		ms := allMeetings(t, fresh)
		if len(ms) != 1 {
			t.Fatalf("%s: %d meetings", format, len(ms))
		}
		for key, want := range dangerous {
			if got := ms[0].Text(key); got != want {
				t.Errorf("%s: %s came back %q, want %q", format, key, got, want)
			}
		}
		gbs, _, _ := fresh.FindGetbacks(ctx, bot.GetbackFilter{Workspace: ws})
		if len(gbs) != 1 || gbs[0].Text != "=1+1" || gbs[0].Owner != "=CMD" || gbs[0].DoneNote != "-rm everything" {
			t.Errorf("%s: getback came back %+v", format, gbs)
		}
	}
}
