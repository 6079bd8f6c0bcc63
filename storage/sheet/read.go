// Package sheet reads and writes the legacy "Weekly Summary for Meetings
// with Elections Infrastructure Officials" spreadsheet: import from .tsv,
// .csv and .xlsx (messy, OCR'd, several sections with their own headers),
// and export in the same 13-column layout as CSV, XLSX or Markdown.
package sheet

import (
	"bufio"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"

	"github.com/xuri/excelize/v2"
)

// Row is one row of a spreadsheet.
type Row struct {
	Sheet string   // worksheet name (xlsx); "" for text files
	Line  int      // 1-based line or row number within the file or sheet
	Cells []string // cell values as text
}

// Reader yields a spreadsheet's rows in order; Next returns io.EOF at the
// end.
type Reader interface {
	Next() (Row, error)
	Close() error
}

// Open opens a spreadsheet by its extension: .tsv or .txt (tab-separated),
// .csv, or .xlsx. Progress reports the bytes of the file read so far, where
// the format allows (text files).
func Open(path string) (r Reader, size int64, progress func() int64, err error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, 0, nil, err
	}
	st, err := f.Stat()
	if err != nil {
		f.Close()
		return nil, 0, nil, err
	}
	cr := &countingReader{r: f}
	switch strings.ToLower(filepath.Ext(path)) {
	case ".tsv", ".txt", ".tab":
		return &closer{NewTSV(cr), f}, st.Size(), cr.count, nil
	case ".csv":
		return &closer{NewCSV(cr), f}, st.Size(), cr.count, nil
	case ".xlsx", ".xlsm":
		xr, err := NewXLSX(f)
		if err != nil {
			f.Close()
			return nil, 0, nil, fmt.Errorf("%s: not a readable .xlsx file: %w", path, err)
		}
		return &closer{xr, f}, st.Size(), nil, nil
	}
	f.Close()
	return nil, 0, nil, fmt.Errorf("%s: unsupported file type %q (use .tsv, .csv or .xlsx)", path, filepath.Ext(path))
}

type countingReader struct {
	r io.Reader
	n int64
}

func (c *countingReader) Read(p []byte) (int, error) {
	n, err := c.r.Read(p)
	c.n += int64(n)
	return n, err
}

func (c *countingReader) count() int64 { return c.n }

// closer closes the reader and the file under it.
type closer struct {
	Reader
	f io.Closer
}

func (c *closer) Close() error { return errors.Join(c.Reader.Close(), c.f.Close()) }

// tsvReader reads tab-separated lines. Every line is a row (blank lines
// too); cells are not quoted, as the legacy sheet exports them.
type tsvReader struct {
	br   *bufio.Reader
	line int
}

// NewTSV reads tab-separated rows from r.
func NewTSV(r io.Reader) Reader { return &tsvReader{br: bufio.NewReaderSize(r, 64*1024)} }

func (t *tsvReader) Next() (Row, error) {
	s, err := t.br.ReadString('\n')
	if err != nil && (err != io.EOF || s == "") {
		return Row{}, err
	}
	t.line++
	s = strings.TrimRight(s, "\r\n")
	if t.line == 1 {
		s = strings.TrimPrefix(s, "\ufeff")
	}
	return Row{Line: t.line, Cells: strings.Split(s, "\t")}, nil
}

func (t *tsvReader) Close() error { return nil }

// csvReader reads comma-separated rows, quotes as Excel writes them and
// stray quotes tolerated. encoding/csv skips blank lines. A cell the export
// wrote with a quote in front, so that it opens as text and not as a
// formula, is read without it.
type csvReader struct {
	r *csv.Reader
}

// NewCSV reads comma-separated rows from r.
func NewCSV(r io.Reader) Reader {
	cr := csv.NewReader(r)
	cr.FieldsPerRecord = -1
	cr.LazyQuotes = true
	return &csvReader{r: cr}
}

func (c *csvReader) Next() (Row, error) {
	rec, err := c.r.Read()
	if err != nil {
		return Row{}, err
	}
	line, _ := c.r.FieldPos(0)
	if line == 1 && len(rec) > 0 {
		rec[0] = strings.TrimPrefix(rec[0], "\ufeff")
	}
	for i, cell := range rec {
		rec[i] = restore(cell) // the export's guard against formulas
	}
	return Row{Line: line, Cells: rec}, nil
}

func (c *csvReader) Close() error { return nil }

// xlsxReader streams the rows of every worksheet, in workbook order.
type xlsxReader struct {
	f      *excelize.File
	sheets []string
	cur    int
	rows   *excelize.Rows
	line   int
}

// NewXLSX reads the worksheets of an .xlsx workbook.
func NewXLSX(r io.Reader) (Reader, error) {
	f, err := excelize.OpenReader(r)
	if err != nil {
		return nil, err
	}
	return &xlsxReader{f: f, sheets: f.GetSheetList(), cur: -1}, nil
}

func (x *xlsxReader) Next() (Row, error) {
	for {
		if x.rows != nil && x.rows.Next() {
			x.line++
			cells, err := x.rows.Columns()
			if err != nil {
				return Row{}, err
			}
			return Row{Sheet: x.sheets[x.cur], Line: x.line, Cells: cells}, nil
		}
		if x.rows != nil {
			if err := x.rows.Close(); err != nil {
				return Row{}, err
			}
			x.rows = nil
		}
		x.cur++
		if x.cur >= len(x.sheets) {
			return Row{}, io.EOF
		}
		rows, err := x.f.Rows(x.sheets[x.cur])
		if err != nil {
			return Row{}, err
		}
		x.rows, x.line = rows, 0
	}
}

func (x *xlsxReader) Close() error {
	if x.rows != nil {
		x.rows.Close()
	}
	return x.f.Close()
}
