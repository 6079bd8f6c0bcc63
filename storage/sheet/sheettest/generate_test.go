package sheettest

import (
	"bytes"
	"strings"
	"testing"
)

func generate(t *testing.T, spec Spec) (string, Stats) {
	t.Helper()
	var buf bytes.Buffer
	st, err := Generate(&buf, spec)
	if err != nil {
		t.Fatal(err)
	}
	if st.Bytes != int64(buf.Len()) {
		t.Fatalf("Stats.Bytes %d, wrote %d", st.Bytes, buf.Len())
	}
	return buf.String(), st
}

func TestGenerateIsDeterministicBySeed(t *testing.T) {
	spec := Spec{Rows: 300, Sections: 17, Seed: 7}
	a, _ := generate(t, spec)
	b, _ := generate(t, spec)
	if a != b {
		t.Fatal("the same spec gave different sheets")
	}
	spec.Seed = 8
	if c, _ := generate(t, spec); c == a {
		t.Fatal("another seed gave the same sheet")
	}
}

func TestGenerateHasTheRealSheetsShape(t *testing.T) {
	text, st := generate(t, Spec{Rows: 2000, Sections: 112, Seed: 1})
	lines := strings.Split(strings.TrimSuffix(text, "\n"), "\n")
	titles, headers, data := 0, 0, 0
	for i, l := range lines {
		switch {
		case l == title:
			titles++
			if lines[i+1] != "" || !strings.HasPrefix(lines[i+2], "Region\tState\tMeeting Location\tMeeting Date\t") {
				t.Fatalf("section %d: no blank line and header after the title", titles)
			}
		case strings.HasPrefix(l, "Region\tState\t"):
			headers++
			if n := strings.Count(l, "\t") + 1; n != 13 {
				t.Fatalf("a header of %d columns", n)
			}
		case strings.Contains(l, "\t"):
			data++
			if n := strings.Count(l, "\t") + 1; n != 13 {
				t.Fatalf("a row of %d cells: %q", n, l)
			}
		}
	}
	if titles != 112 || headers != 112 || data != 2000 || st.Rows != 2000 {
		t.Fatalf("%d titles, %d headers, %d rows (stats %+v)", titles, headers, data, st)
	}
	perRow := float64(st.Bytes) / float64(st.Rows)
	if perRow < 1700 || perRow > 2100 {
		t.Fatalf("%.0f bytes a row, want about 1,900 (191 MB for 100,000 rows)", perRow)
	}
	if g := float64(st.Getbacks) / float64(st.Rows); g < 1.0 || g > 1.35 || strings.Count(text, "GETBACK") != st.Getbacks {
		t.Fatalf("%d GETBACK markers in %d rows, want about 1.17 a row", st.Getbacks, st.Rows)
	}
	for _, want := range []string{"(b) (5)", "(b) (6)", "[REDACTED]", "DHS FOC", "For NFPD Leadership Awareness",
		"Next Scheduled Meeting", "\tPending\t", "\tTBD\t", "<p>", "FORAC.", "None Required", "Nevada", "Guam"} {
		if !strings.Contains(text, want) {
			t.Errorf("the sheet never has %q", want)
		}
	}
}

func TestGenerateRefusesAnImpossibleSpec(t *testing.T) {
	for _, spec := range []Spec{{Rows: 10, Sections: 0}, {Rows: -1, Sections: 1}} {
		if _, err := Generate(&bytes.Buffer{}, spec); err == nil {
			t.Errorf("%+v accepted", spec)
		}
	}
}
