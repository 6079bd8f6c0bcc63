package sheet

import (
	"encoding/csv"
	"fmt"
	"io"
	"strconv"
	"strings"

	"github.com/getbackhq/getback/bot"
)

// ReportWriter writes flags as CSV, one row each, so a person can find and
// fix every noticed value in the source.
type ReportWriter struct {
	w   *csv.Writer
	err error
}

// NewReportWriter writes the report header to w.
func NewReportWriter(w io.Writer) *ReportWriter {
	rw := &ReportWriter{w: csv.NewWriter(w)}
	rw.err = rw.w.Write([]string{"section", "sheet", "line", "kind", "field", "value", "message"})
	return rw
}

// Write adds one flag.
func (rw *ReportWriter) Write(f Flag) {
	if rw.err != nil {
		return
	}
	rw.err = rw.w.Write([]string{strconv.Itoa(f.Section), f.Sheet, strconv.Itoa(f.Line), f.Kind, f.Field, f.Value, f.Message})
}

// Close flushes the report and returns the first error.
func (rw *ReportWriter) Close() error {
	rw.w.Flush()
	if rw.err != nil {
		return rw.err
	}
	return rw.w.Error()
}

// ReadRegionMap reads "state,region" lines (a header line is allowed) into a
// state-to-region table. Every line must name a known state and a region
// 1-10; the error names the first line that does not.
func ReadRegionMap(r io.Reader) (map[string]int, error) {
	cr := csv.NewReader(r)
	cr.FieldsPerRecord = -1
	cr.TrimLeadingSpace = true
	out := map[string]int{}
	for line := 1; ; line++ {
		rec, err := cr.Read()
		if err == io.EOF {
			return out, nil
		}
		if err != nil {
			return nil, fmt.Errorf("region map line %d: %w", line, err)
		}
		if len(rec) == 0 || (len(rec) == 1 && strings.TrimSpace(rec[0]) == "") {
			continue
		}
		if line == 1 && strings.EqualFold(strings.TrimSpace(rec[0]), "state") {
			continue
		}
		if len(rec) != 2 {
			return nil, fmt.Errorf("region map line %d: want \"state,region\", got %d fields", line, len(rec))
		}
		st, ok := bot.LookupState(rec[0])
		if !ok {
			return nil, fmt.Errorf("region map line %d: %q is not a state or territory", line, rec[0])
		}
		n, err := strconv.Atoi(strings.TrimSpace(rec[1]))
		if err != nil || !bot.ValidRegion(n) {
			return nil, fmt.Errorf("region map line %d: region must be 1-10, not %q", line, rec[1])
		}
		out[st.Name] = n
	}
}
