package sheet

import (
	"context"
	"encoding/csv"
	"fmt"
	"io"
	"strconv"
	"strings"

	"github.com/xuri/excelize/v2"

	"github.com/getbackhq/getback/bot"
)

// Export formats.
const (
	FormatCSV      = "csv"
	FormatXLSX     = "xlsx"
	FormatMarkdown = "md"
)

// ExportStore is what an export reads.
type ExportStore interface {
	FindMeetings(ctx context.Context, f bot.MeetingFilter) ([]*bot.Meeting, int, error)
	FindGetbacks(ctx context.Context, f bot.GetbackFilter) ([]*bot.Getback, int, error)
	FindPerson(ctx context.Context, ws, userID string) (*bot.Person, error)
}

// ExportOptions selects what to export and how.
type ExportOptions struct {
	Workspace string
	Format    string // FormatCSV, FormatXLSX or FormatMarkdown
	Region    *int   // one region; nil for all
	Since     *bot.Date
	// AsOf, when set, adds the XLSX export's Coverage sheet, counting days
	// since each state's last meeting to this day.
	AsOf bot.Date
}

// Exporter writes meetings in the legacy sheet's 13-column layout, one
// section (CSV, Markdown) or sheet (XLSX) per region, meetings oldest first,
// each row with the meeting's id in a 14th column (Meeting ID); then every
// getback of those meetings, and those of no meeting, in a Getbacks sheet
// (XLSX) or section (CSV, Markdown). An XLSX or CSV export imports back as
// it was.
type Exporter struct {
	Store ExportStore
	names map[string]string // user id -> display name ("" for an id that is no person)
}

// pageSize is how many meetings an export reads at a time.
const pageSize = 2000

// Export writes the selected meetings to w.
func (e *Exporter) Export(ctx context.Context, opt ExportOptions, w io.Writer) error {
	e.names = map[string]string{}
	switch opt.Format {
	case FormatCSV:
		return e.csv(ctx, opt, w)
	case FormatMarkdown:
		return e.markdown(ctx, opt, w)
	case FormatXLSX:
		return e.xlsx(ctx, opt, w)
	}
	return bot.Errorf(bot.EINVALID, "unknown export format %q (use csv, xlsx or md)", opt.Format)
}

// regions returns the regions to export.
func regions(opt ExportOptions) []int {
	if opt.Region != nil {
		return []int{*opt.Region}
	}
	return []int{1, 2, 3, 4, 5, 6, 7, 8, 9, 10}
}

// each calls fn for every meeting of region n, oldest first, reading a
// page at a time. A meeting of several regions is exported once, under its
// own region (its first state's), unless one region alone is exported.
func (e *Exporter) each(ctx context.Context, opt ExportOptions, n int, fn func(*bot.Meeting) error) error {
	for offset := 0; ; offset += pageSize {
		ms, _, err := e.Store.FindMeetings(ctx, bot.MeetingFilter{Workspace: opt.Workspace, Region: &n, Since: opt.Since,
			OldestFirst: true, Offset: offset, Limit: pageSize})
		if err != nil {
			return err
		}
		for _, m := range ms {
			if opt.Region == nil && m.Region != n {
				continue
			}
			if err := fn(m); err != nil {
				return err
			}
		}
		if len(ms) < pageSize {
			return nil
		}
	}
}

// row renders a meeting as the 13 cells of the legacy layout and its id.
func (e *Exporter) row(ctx context.Context, ws string, m *bot.Meeting) []string {
	cells := make([]string, 0, len(bot.MeetingFields)+1)
	for _, f := range bot.MeetingFields {
		switch f.Key {
		case "region":
			cells = append(cells, strconv.Itoa(m.Region))
		case "state":
			cells = append(cells, m.StateList())
		case "date":
			switch {
			case !m.Date.IsZero():
				cells = append(cells, fmt.Sprintf("%d/%d/%d", m.Date.Month, m.Date.Day, m.Date.Year))
			default:
				cells = append(cells, m.DateStatus)
			}
		case "poc":
			poc := m.POC
			if e.isPerson(ctx, ws, poc) {
				poc = e.person(ctx, ws, poc)
			}
			cells = append(cells, poc)
		default:
			cells = append(cells, m.Text(f.Key))
		}
	}
	return append(cells, strconv.FormatInt(m.ID, 10))
}

// isPerson reports whether id is a chat user of the workspace.
func (e *Exporter) isPerson(ctx context.Context, ws, id string) bool {
	if id == "" {
		return false
	}
	n, ok := e.names[id]
	if !ok {
		n = "\x00" // a user id no person has
		if p, err := e.Store.FindPerson(ctx, ws, id); err == nil {
			n = p.Name
		}
		e.names[id] = n
	}
	return n != "\x00"
}

// person renders a chat user as "@Name (id)" (see personCell).
func (e *Exporter) person(ctx context.Context, ws, id string) string {
	name := ""
	if e.isPerson(ctx, ws, id) {
		name = e.names[id]
	}
	return personCell(id, name)
}

// headerRow titles the meeting columns: the 13 of the legacy sheet and
// the meeting's id.
func headerRow() []string {
	h := make([]string, 0, len(bot.MeetingFields)+1)
	for _, f := range bot.MeetingFields {
		h = append(h, f.Title)
	}
	return append(h, RefColumn)
}

// neutralised applies neutralise to every cell.
func neutralised(cells []string) []string {
	for i, c := range cells {
		cells[i] = neutralise(c)
	}
	return cells
}

func (e *Exporter) csv(ctx context.Context, opt ExportOptions, w io.Writer) error {
	cw := csv.NewWriter(w)
	first := true
	for _, n := range regions(opt) {
		started := false
		err := e.each(ctx, opt, n, func(m *bot.Meeting) error {
			if !started {
				if !first {
					cw.Write(nil)
				}
				cw.Write([]string{Title})
				cw.Write(headerRow())
				started, first = true, false
			}
			return cw.Write(neutralised(e.row(ctx, opt.Workspace, m)))
		})
		if err != nil {
			return err
		}
	}
	// The getbacks follow the meetings, after a blank row and their own
	// title and header.
	if !first {
		cw.Write(nil)
	}
	cw.Write([]string{GetbacksSheet})
	cw.Write(getbackHead[:])
	err := e.eachGetback(ctx, opt, func(cells []string) error { return cw.Write(neutralised(cells)) })
	if err != nil {
		return err
	}
	cw.Flush()
	return cw.Error()
}

func mdCell(s string) string {
	s = strings.ReplaceAll(s, `\`, `\\`)
	s = strings.ReplaceAll(s, "|", `\|`)
	return strings.ReplaceAll(s, "\n", "<br>")
}

func (e *Exporter) markdown(ctx context.Context, opt ExportOptions, w io.Writer) error {
	if _, err := fmt.Fprintf(w, "# %s\n", Title); err != nil {
		return err
	}
	sep := make([]string, len(headerRow()))
	for i := range sep {
		sep[i] = "---"
	}
	for _, n := range regions(opt) {
		started := false
		err := e.each(ctx, opt, n, func(m *bot.Meeting) error {
			if !started {
				fmt.Fprintf(w, "\n## %s\n\n| %s |\n| %s |\n", bot.RegionName(n), strings.Join(headerRow(), " | "), strings.Join(sep, " | "))
				started = true
			}
			cells := e.row(ctx, opt.Workspace, m)
			for i := range cells {
				cells[i] = mdCell(cells[i])
			}
			_, err := fmt.Fprintf(w, "| %s |\n", strings.Join(cells, " | "))
			return err
		})
		if err != nil {
			return err
		}
	}
	fmt.Fprintf(w, "\n## %s\n\n| %s |\n| %s |\n", GetbacksSheet, strings.Join(getbackHead[:], " | "),
		strings.TrimSuffix(strings.Repeat("--- | ", len(getbackHead)), " | "))
	return e.eachGetback(ctx, opt, func(cells []string) error {
		for i := range cells {
			cells[i] = mdCell(cells[i])
		}
		_, err := fmt.Fprintf(w, "| %s |\n", strings.Join(cells, " | "))
		return err
	})
}

// Column widths (in characters) of the XLSX export, in sheet order.
var colWidths = []float64{8, 18, 24, 12, 16, 30, 60, 45, 45, 40, 30, 22, 35, 11}

func (e *Exporter) xlsx(ctx context.Context, opt ExportOptions, w io.Writer) error {
	f := excelize.NewFile()
	defer f.Close()
	headStyle, err := f.NewStyle(&excelize.Style{
		Font:      &excelize.Font{Bold: true, Color: "FFFFFF"},
		Fill:      excelize.Fill{Type: "pattern", Pattern: 1, Color: []string{"1F4E79"}},
		Alignment: &excelize.Alignment{WrapText: true, Vertical: "center"},
		Border:    []excelize.Border{{Type: "bottom", Color: "000000", Style: 1}},
	})
	if err != nil {
		return err
	}
	titleStyle, _ := f.NewStyle(&excelize.Style{Font: &excelize.Font{Bold: true, Size: 13}})
	cellStyle, _ := f.NewStyle(&excelize.Style{Alignment: &excelize.Alignment{WrapText: true, Vertical: "top"}})
	sheets := 0
	for _, n := range regions(opt) {
		var sw *excelize.StreamWriter
		rowNum := 0
		err := e.each(ctx, opt, n, func(m *bot.Meeting) error {
			if sw == nil {
				name := bot.RegionName(n)
				if sheets == 0 {
					if err := f.SetSheetName("Sheet1", name); err != nil {
						return err
					}
				} else if _, err := f.NewSheet(name); err != nil {
					return err
				}
				sheets++
				var err error
				if sw, err = newSheetWriter(f, name, colWidths, titleStyle, headStyle, Title, headerRow()); err != nil {
					return err
				}
				rowNum = 2
			}
			rowNum++
			return sw.SetRow(cellName(1, rowNum), styled(e.row(ctx, opt.Workspace, m), cellStyle))
		})
		if err != nil {
			return err
		}
		if sw != nil {
			if err := sw.Flush(); err != nil {
				return err
			}
		}
	}
	if err := e.getbackSheet(ctx, f, opt, sheets == 0, titleStyle, headStyle, cellStyle); err != nil {
		return err
	}
	if err := e.coverageSheet(ctx, f, opt, titleStyle, headStyle, cellStyle); err != nil {
		return err
	}
	return f.Write(w)
}

func cellName(col, row int) string {
	name, _ := excelize.CoordinatesToCellName(col, row)
	return name
}

func styled(cells []string, style int) []any {
	out := make([]any, len(cells))
	for i, c := range cells {
		out[i] = excelize.Cell{StyleID: style, Value: c}
	}
	return out
}

// newSheetWriter starts a streamed sheet with sized columns, a title row and
// a styled, frozen header row.
func newSheetWriter(f *excelize.File, sheet string, widths []float64, titleStyle, headStyle int, title string, head []string) (*excelize.StreamWriter, error) {
	sw, err := f.NewStreamWriter(sheet)
	if err != nil {
		return nil, err
	}
	for i, wdt := range widths {
		if err := sw.SetColWidth(i+1, i+1, wdt); err != nil {
			return nil, err
		}
	}
	if err := sw.SetPanes(&excelize.Panes{Freeze: true, YSplit: 2, TopLeftCell: "A3", ActivePane: "bottomLeft"}); err != nil {
		return nil, err
	}
	if err := sw.SetRow("A1", []any{excelize.Cell{StyleID: titleStyle, Value: title}}); err != nil {
		return nil, err
	}
	return sw, sw.SetRow("A2", styled(head, headStyle), excelize.RowOpts{Height: 32})
}

// GetbacksSheet names the XLSX export's sheet of getback items, and the
// title of the CSV and Markdown exports' section of them.
const GetbacksSheet = "Getbacks"

// getbackSheet adds the Getbacks sheet.
func (e *Exporter) getbackSheet(ctx context.Context, f *excelize.File, opt ExportOptions, rename bool, titleStyle, headStyle, cellStyle int) error {
	name := GetbacksSheet
	if rename {
		if err := f.SetSheetName("Sheet1", name); err != nil {
			return err
		}
	} else if _, err := f.NewSheet(name); err != nil {
		return err
	}
	widths := []float64{8, 11, 8, 18, 12, 8, 50, 24, 12, 10, 21, 21, 30, 18, 12}
	sw, err := newSheetWriter(f, name, widths, titleStyle, headStyle, GetbacksSheet, getbackHead[:])
	if err != nil {
		return err
	}
	rowNum := 2
	err = e.eachGetback(ctx, opt, func(cells []string) error {
		rowNum++
		return sw.SetRow(cellName(1, rowNum), styled(cells, cellStyle))
	})
	if err != nil {
		return err
	}
	return sw.Flush()
}

// eachGetback calls fn with the cells of every getback of the exported
// meetings (and, with no region or date filter, those of no meeting), by
// id.
func (e *Exporter) eachGetback(ctx context.Context, opt ExportOptions, fn func([]string) error) error {
	for offset := 0; ; offset += pageSize {
		gbs, _, err := e.Store.FindGetbacks(ctx, bot.GetbackFilter{Workspace: opt.Workspace, Region: opt.Region, Offset: offset, Limit: pageSize})
		if err != nil {
			return err
		}
		for _, g := range gbs {
			if opt.Since != nil && (g.Meeting == nil || g.Meeting.Date.Before(*opt.Since)) {
				continue
			}
			if err := fn(e.getbackRow(ctx, opt.Workspace, g)); err != nil {
				return err
			}
		}
		if len(gbs) < pageSize {
			return nil
		}
	}
}

// getbackRow renders a getback as the cells of getbackHead.
func (e *Exporter) getbackRow(ctx context.Context, ws string, g *bot.Getback) []string {
	var c [numGetbackCols]string
	c[gcID], c[gcNumber], c[gcText], c[gcStatus], c[gcNote] = strconv.FormatInt(g.ID, 10), strconv.Itoa(g.Number), g.Text, g.Status, g.DoneNote
	if g.Region != 0 {
		c[gcRegion] = strconv.Itoa(g.Region)
	}
	if g.Meeting != nil {
		c[gcMeeting], c[gcState], c[gcMeetingDate] = strconv.FormatInt(g.MeetingID, 10), g.Meeting.States, g.Meeting.Date.String()
	}
	c[gcOwner] = g.Owner
	if g.OwnerKind == bot.OwnerUser {
		c[gcOwner] = e.person(ctx, ws, g.Owner)
	}
	c[gcAssignedBy] = g.AssignedBy
	if e.isPerson(ctx, ws, g.AssignedBy) {
		c[gcAssignedBy] = e.person(ctx, ws, g.AssignedBy)
	}
	c[gcDue], c[gcSnoozed] = g.Due.String(), g.SnoozedUntil.String()
	if !g.CreatedAt.IsZero() {
		c[gcOpened] = g.CreatedAt.UTC().Format(instantLayout)
	}
	if !g.DoneAt.IsZero() {
		c[gcClosed] = g.DoneAt.UTC().Format(instantLayout)
	}
	return c[:]
}
