package sheet

import (
	"context"
	"errors"
	"fmt"
	"io"
)

// Kinds of items the reader hands on.
const (
	itemData     = iota // a data row, to parse
	itemSection         // a new section starts
	itemFlag            // a flag about the layout (unknown column, rows before a header)
	itemGetbacks        // the export's Getbacks list starts
	itemGetback         // a row of it
)

type item struct {
	kind  int
	at    Flag // the row's location; the flag itself for itemFlag
	hdr   *header
	gbHdr *getbackHeader
	cells []string
	row   parsedRow
}

// chunk is a run of items; parsed is closed once its data rows are parsed.
type chunk struct {
	items  []item
	parsed chan struct{}
}

const chunkSize = 128

// readChunks reads rows, recognises titles and headers, and sends chunks
// of items to work and order.
func readChunks(ctx context.Context, r Reader, work, order chan<- *chunk) error {
	c := &chunk{parsed: make(chan struct{})}
	send := func() error {
		for _, ch := range []chan<- *chunk{order, work} {
			select {
			case ch <- c:
			case <-ctx.Done():
				return ctx.Err()
			}
		}
		c = &chunk{items: make([]item, 0, chunkSize), parsed: make(chan struct{})}
		return nil
	}
	var hdr *header
	var gbHdr *getbackHeader
	inGetbacks := false // in the Getbacks list, before or after its header
	sections := 0
	sheetName := ""
	noHeaderFlagged := false
	for {
		row, err := r.Next()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return fmt.Errorf("read row %d: %w", row.Line, err)
		}
		if row.Sheet != sheetName {
			// A new worksheet starts afresh: its own title and header.
			sheetName, hdr, gbHdr, noHeaderFlagged = row.Sheet, nil, nil, false
			inGetbacks = row.Sheet == GetbacksSheet
			if inGetbacks {
				c.items = append(c.items, item{kind: itemGetbacks})
			}
		}
		if row.Sheet == CoverageSheet {
			continue // the export's coverage table, not meetings
		}
		at := Flag{Section: sections, Sheet: row.Sheet, Line: row.Line}
		switch {
		case isBlank(row.Cells) && (hdr == nil || inGetbacks):
			continue
		case isGetbacksTitle(row.Cells):
			if !inGetbacks {
				c.items = append(c.items, item{kind: itemGetbacks})
			}
			hdr, gbHdr, inGetbacks = nil, nil, true
			continue
		case isTitle(row.Cells):
			sections++
			hdr, gbHdr, inGetbacks, noHeaderFlagged = nil, nil, false, false
			c.items = append(c.items, item{kind: itemSection})
			continue
		}
		if h, ok := parseGetbackHeader(row.Cells); ok {
			if !inGetbacks {
				c.items = append(c.items, item{kind: itemGetbacks})
			}
			hdr, gbHdr, inGetbacks = nil, &h, true
			continue
		}
		if inGetbacks && gbHdr != nil {
			c.items = append(c.items, item{kind: itemGetback, at: at, gbHdr: gbHdr, cells: row.Cells})
			if len(c.items) >= chunkSize {
				if err := send(); err != nil {
					return err
				}
			}
			continue
		}
		if h, ok := headerOf(row.Cells); ok {
			inGetbacks = false
			if hdr != nil || sections == 0 {
				sections++ // a header with no title row before it
				c.items = append(c.items, item{kind: itemSection})
			}
			hdr = &h
			at.Section = sections
			for _, u := range h.unknown {
				f := at
				f.Kind, f.Value, f.Message = FlagUnknownColumn, u, fmt.Sprintf("column %q matches no field: its cells go to the notes", u)
				c.items = append(c.items, item{kind: itemFlag, at: f})
			}
			continue
		}
		if hdr == nil {
			if inGetbacks {
				continue // the Getbacks list's title rows
			}
			if !noHeaderFlagged {
				f := at
				f.Kind, f.Message = FlagNoHeader, "rows before any header row (Region, State, Meeting Date, ...) were skipped"
				c.items = append(c.items, item{kind: itemFlag, at: f})
				noHeaderFlagged = true
			}
			continue
		}
		c.items = append(c.items, item{kind: itemData, at: at, hdr: hdr, cells: row.Cells})
		if len(c.items) >= chunkSize {
			if err := send(); err != nil {
				return err
			}
		}
	}
	return send()
}
