package sheet

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strconv"
	"testing"

	"github.com/xuri/excelize/v2"

	"github.com/getbackhq/getback/bot"
	"github.com/getbackhq/getback/bot/picture"
)

func TestXLSXExportHasACoverageSheet(t *testing.T) {
	db := openDB(t)
	importFile(t, db, sample, false)
	ctx := context.Background()
	asOf := bot.Date{Year: 2017, Month: 10, Day: 20}
	want, err := bot.CoverageOf(ctx, db, ws, asOf)
	if err != nil {
		t.Fatal(err)
	}
	export := func(opt ExportOptions) *excelize.File {
		t.Helper()
		opt.Workspace, opt.Format, opt.AsOf = ws, FormatXLSX, asOf
		var buf bytes.Buffer
		if err := (&Exporter{Store: db}).Export(ctx, opt, &buf); err != nil {
			t.Fatal(err)
		}
		f, err := excelize.OpenReader(bytes.NewReader(buf.Bytes()))
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { f.Close() })
		return f
	}

	f := export(ExportOptions{})
	sheets := f.GetSheetList()
	if sheets[len(sheets)-1] != CoverageSheet {
		t.Fatalf("sheets %v: no Coverage sheet at the end", sheets)
	}
	rows, _ := f.GetRows(CoverageSheet)
	if len(rows) != 2+len(bot.States) || rows[1][0] != "Region" || rows[1][5] != "Coverage" {
		t.Fatalf("coverage sheet: %d rows, header %v", len(rows), rows[1])
	}
	met, never := 0, 0
	for i, c := range want {
		r := rows[2+i]
		wantLast, wantDays := "never", ""
		if c.Met() {
			wantLast, wantDays = c.Last.String(), strconv.Itoa(c.Days)
			met++
		} else {
			never++
		}
		rec := picture.RecencyOf(c.Days, c.Met())
		if r[0] != strconv.Itoa(c.State.Region) || r[1] != c.State.Name || r[2] != c.State.Abbr || r[3] != wantLast ||
			(len(r) > 4 && r[4] != wantDays) || len(r) < 6 || !equalFold(r[5], rec.String()) {
			t.Errorf("row %d: %v; want %s %s last %s, %s days, %s", i, r, c.State.Name, c.State.Abbr, wantLast, wantDays, rec)
		}
		// The Coverage cell wears the map's colour.
		styleID, _ := f.GetCellStyle(CoverageSheet, cellName(6, 3+i))
		st, _ := f.GetStyle(styleID)
		col := rec.Color()
		if rec != picture.NeverMet && (st == nil || len(st.Fill.Color) == 0 || st.Fill.Color[0] != hexRGB(col.R, col.G, col.B)) {
			t.Errorf("row %d (%s): fill %v, want %s", i, c.State.Name, st.Fill.Color, hexRGB(col.R, col.G, col.B))
		}
	}
	if met == 0 || never == 0 {
		t.Fatalf("the sample should give met (%d) and never-met (%d) states", met, never)
	}

	// One region's export lists that region's states only.
	ten := 10
	rows, _ = export(ExportOptions{Region: &ten}).GetRows(CoverageSheet)
	if len(rows) != 2+len(bot.StatesInRegion(10)) {
		t.Fatalf("region 10 coverage: %d rows", len(rows))
	}
	for _, r := range rows[2:] {
		if r[0] != "10" {
			t.Fatalf("region 10 coverage lists %v", r)
		}
	}

	// The export still imports back unchanged: the importer passes over
	// the Coverage sheet and raises nothing about it.
	var buf bytes.Buffer
	if err := (&Exporter{Store: db}).Export(ctx, ExportOptions{Workspace: ws, Format: FormatXLSX, AsOf: asOf}, &buf); err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(t.TempDir(), "export.xlsx")
	os.WriteFile(path, buf.Bytes(), 0o600)
	s, flags := importFile(t, db, path, false)
	if s.Unchanged != 33 || s.Created+s.Updated != 0 {
		t.Fatalf("round trip: %+v", s)
	}
	for _, fl := range flags {
		if fl.Sheet == CoverageSheet {
			t.Fatalf("the import flagged the Coverage sheet: %+v", fl)
		}
	}
}

func equalFold(a, b string) bool { return bytes.EqualFold([]byte(a), []byte(b)) }
