package sheet

import (
	"context"
	"fmt"
	"strings"

	"github.com/xuri/excelize/v2"

	"github.com/getbackhq/getback/bot"
	"github.com/getbackhq/getback/bot/picture"
)

// CoverageSheet names the XLSX export's sheet of coverage: every state
// and territory with its last meeting, the data of the digest's coverage
// map. The importer passes over it.
const CoverageSheet = "Coverage"

var (
	coverageHead   = []string{"Region", "State or territory", "Code", "Last meeting", "Days since", "Coverage"}
	coverageWidths = []float64{8, 26, 6, 14, 11, 28}
)

// exportOnly reports whether an XLSX sheet is one the export adds beside
// the meetings (getbacks, coverage), which an import leaves alone.
func exportOnly(sheet string) bool { return sheet == GetbacksSheet || sheet == CoverageSheet }

// hexRGB renders a picture colour for a spreadsheet fill or font.
func hexRGB(r, g, b uint8) string { return fmt.Sprintf("%02X%02X%02X", r, g, b) }

// coverageStyles returns a cell style per coverage bucket, filled with the
// coverage map's colours (never met: hatched), so that the sheet reads like
// the map.
func coverageStyles(f *excelize.File) (map[picture.Recency]int, error) {
	out := map[picture.Recency]int{}
	for _, r := range []picture.Recency{picture.MetLastWeek, picture.MetLastMonth, picture.MetEarlier, picture.NeverMet} {
		c := r.Color()
		fill := excelize.Fill{Type: "pattern", Pattern: 1, Color: []string{hexRGB(c.R, c.G, c.B)}}
		font := &excelize.Font{Color: "1A1A1A"}
		switch r {
		case picture.MetLastWeek:
			font.Color, font.Bold = "FFFFFF", true
		case picture.NeverMet:
			h := picture.HatchColor()
			fill = excelize.Fill{Type: "pattern", Pattern: 14, Color: []string{hexRGB(h.R, h.G, h.B)}} // light up-diagonal
		}
		id, err := f.NewStyle(&excelize.Style{Fill: fill, Font: font, Alignment: &excelize.Alignment{Vertical: "top"}})
		if err != nil {
			return nil, err
		}
		out[r] = id
	}
	return out, nil
}

// coverageSheet adds the Coverage sheet when the options name a day
// (AsOf) and the store can tell coverage: every state, district and
// territory of the exported region (of all regions without a filter), by
// region then name, with its last meeting on or before that day, the days
// since, and the coverage map's bucket.
func (e *Exporter) coverageSheet(ctx context.Context, f *excelize.File, opt ExportOptions, titleStyle, headStyle, cellStyle int) error {
	cs, ok := e.Store.(bot.CoverageStore)
	if !ok || opt.AsOf.IsZero() {
		return nil
	}
	cov, err := bot.CoverageOf(ctx, cs, opt.Workspace, opt.AsOf)
	if err != nil {
		return err
	}
	styles, err := coverageStyles(f)
	if err != nil {
		return err
	}
	if _, err := f.NewSheet(CoverageSheet); err != nil {
		return err
	}
	title := "Coverage: days since the last meeting with each state and territory, as of " + opt.AsOf.String()
	sw, err := newSheetWriter(f, CoverageSheet, coverageWidths, titleStyle, headStyle, title, coverageHead)
	if err != nil {
		return err
	}
	row := 2
	for _, c := range cov {
		if opt.Region != nil && c.State.Region != *opt.Region {
			continue
		}
		last, days := "never", any("")
		if c.Met() {
			last, days = c.Last.String(), c.Days
		}
		rec := picture.RecencyOf(c.Days, c.Met())
		label := rec.String()
		label = strings.ToUpper(label[:1]) + label[1:]
		row++
		cells := []any{
			excelize.Cell{StyleID: cellStyle, Value: c.State.Region},
			excelize.Cell{StyleID: cellStyle, Value: c.State.Name},
			excelize.Cell{StyleID: cellStyle, Value: c.State.Abbr},
			excelize.Cell{StyleID: cellStyle, Value: last},
			excelize.Cell{StyleID: cellStyle, Value: days},
			excelize.Cell{StyleID: styles[rec], Value: label},
		}
		if err := sw.SetRow(cellName(1, row), cells); err != nil {
			return err
		}
	}
	return sw.Flush()
}
