package picture

import (
	"fmt"
	"image"
	"image/color"
	"strings"
)

// Recency buckets a place by the days since its last meeting.
type Recency int

// Recency buckets, most recent first.
const (
	MetLastWeek  Recency = iota // within 7 days
	MetLastMonth                // 8 to 28 days ago
	MetEarlier                  // more than 28 days ago
	NeverMet                    // no dated meeting on record
)

// RecencyOf buckets a place met days ago (met false: never).
func RecencyOf(days int, met bool) Recency {
	switch {
	case !met:
		return NeverMet
	case days <= 7:
		return MetLastWeek
	case days <= 28:
		return MetLastMonth
	}
	return MetEarlier
}

// String describes the bucket, as the legend and alt text do.
func (r Recency) String() string {
	switch r {
	case MetLastWeek:
		return "met in the last 7 days"
	case MetLastMonth:
		return "met 8 to 28 days ago"
	case MetEarlier:
		return "met more than 28 days ago"
	}
	return "no meeting on record"
}

// Color returns the bucket's tile colour; never-met tiles are white with
// grey hatching (HatchColor).
func (r Recency) Color() color.RGBA {
	bg, _ := r.fill()
	return bg
}

// HatchColor is the colour of the lines across a never-met tile.
func HatchColor() color.RGBA { return hatchGrey }

// MutedColor is the colour of the tiles of other regions on a regional map.
func MutedColor() color.RGBA { return mutedFill }

// fill returns the bucket's tile colour and the colour of text on it.
func (r Recency) fill() (bg, fg color.RGBA) {
	switch r {
	case MetLastWeek:
		return blue700, white
	case MetLastMonth:
		return blue400, ink
	case MetEarlier:
		return blue200, ink
	}
	return white, ink
}

// Place is one state, district or territory on the coverage map.
type Place struct {
	Code string // USPS code: "NV", "GU"; places the tile
	Name string // "Nevada"
	// Focus marks a place of the digest's region: shaded and outlined.
	// Other places are drawn muted, without data. On a national map every
	// place is in focus.
	Focus bool
	Met   bool   // a dated meeting is on record
	Days  int    // days from the last meeting to Coverage.AsOf, when Met
	Last  string // the last meeting's date (2026-11-19), when Met
}

// Recency returns the place's bucket.
func (p Place) Recency() Recency { return RecencyOf(p.Days, p.Met) }

// Coverage is what the coverage map shows.
type Coverage struct {
	Title string // "Region 9 coverage, week 2026-W48"
	AsOf  string // the day Days count to: "2026-11-22"
	// Regional maps mute the places out of focus and say so in the legend.
	Regional bool
	Places   []Place
}

// Coverage map geometry, in pixels.
const (
	mapMargin  = 24
	mapTile    = 52
	mapPitch   = 58 // tile plus gap
	mapCols    = 12
	mapRows    = 9
	mapGridTop = 84
)

// tileCells places each USPS code on a 12×9 grid, roughly where it lies:
// the mainland in the middle, Alaska top left, Hawaii and the Pacific
// territories (Northern Mariana Islands, Guam, American Samoa) bottom left,
// Puerto Rico and the U.S. Virgin Islands bottom right.
var tileCells = map[string]image.Point{
	"AK": {0, 0}, "ME": {10, 0},
	"WI": {5, 1}, "VT": {9, 1}, "NH": {10, 1},
	"WA": {0, 2}, "ID": {1, 2}, "MT": {2, 2}, "ND": {3, 2}, "MN": {4, 2}, "IL": {5, 2}, "MI": {6, 2}, "NY": {8, 2}, "MA": {9, 2},
	"OR": {0, 3}, "NV": {1, 3}, "WY": {2, 3}, "SD": {3, 3}, "IA": {4, 3}, "IN": {5, 3}, "OH": {6, 3}, "PA": {7, 3}, "NJ": {8, 3}, "CT": {9, 3}, "RI": {10, 3},
	"CA": {0, 4}, "UT": {1, 4}, "CO": {2, 4}, "NE": {3, 4}, "MO": {4, 4}, "KY": {5, 4}, "WV": {6, 4}, "VA": {7, 4}, "MD": {8, 4}, "DE": {9, 4},
	"AZ": {1, 5}, "NM": {2, 5}, "KS": {3, 5}, "AR": {4, 5}, "TN": {5, 5}, "NC": {6, 5}, "SC": {7, 5}, "DC": {8, 5},
	"MP": {0, 6}, "OK": {3, 6}, "LA": {4, 6}, "MS": {5, 6}, "AL": {6, 6}, "GA": {7, 6},
	"GU": {0, 7}, "HI": {1, 7}, "TX": {3, 7}, "FL": {8, 7},
	"AS": {1, 8}, "PR": {9, 8}, "VI": {10, 8},
}

func cellRect(p image.Point) image.Rectangle {
	x, y := mapMargin+p.X*mapPitch, mapGridTop+p.Y*mapPitch
	return image.Rect(x, y, x+mapTile, y+mapTile)
}

// TileRect returns where the tile of a USPS code sits on the coverage map;
// ok is false for a code the map has no place for.
func TileRect(code string) (r image.Rectangle, ok bool) {
	p, ok := tileCells[strings.ToUpper(code)]
	if !ok {
		return image.Rectangle{}, false
	}
	return cellRect(p), true
}

// Text sizes of the coverage map.
var (
	titleStyle   = style{size: 22, bold: true}
	captionStyle = style{size: 13}
	codeStyle    = style{size: 17, bold: true}
	smallStyle   = style{size: 11}
	legendStyle  = style{size: 13}
)

// legendItem is one swatch of a legend.
type legendItem struct {
	label string
	draw  func(c *canvas, r image.Rectangle)
}

// CoverageMap draws the coverage map as a PNG. Places whose code the map
// has no tile for are drawn in an extra row below the map, so none is lost.
func CoverageMap(cv Coverage) ([]byte, error) {
	w := 2*mapMargin + mapCols*mapPitch - (mapPitch - mapTile)
	// Places without a fixed tile go in rows below the grid.
	var extra []Place
	for _, p := range cv.Places {
		if _, ok := TileRect(p.Code); !ok {
			extra = append(extra, p)
		}
	}
	rows := mapRows + (len(extra)+mapCols-1)/mapCols
	gridBottom := mapGridTop + rows*mapPitch - (mapPitch - mapTile)

	counts := map[Recency]int{}
	for _, p := range cv.Places {
		if p.Focus {
			counts[p.Recency()]++
		}
	}
	var legend []legendItem
	for _, r := range []Recency{MetLastWeek, MetLastMonth, MetEarlier, NeverMet} {
		legend = append(legend, legendItem{label: fmt.Sprintf("%s (%d)", r, counts[r]),
			draw: func(c *canvas, box image.Rectangle) { drawTileFill(c, box, r); c.outline(box, ink, 1) }})
	}
	if cv.Regional {
		legend = append(legend, legendItem{label: "other regions",
			draw: func(c *canvas, box image.Rectangle) { c.fill(box, mutedFill) }})
	}

	// Lay the legend out first to know the height.
	c, err := newCanvas(1, 1, legendStyle)
	if err != nil {
		return nil, err
	}
	legendRows := layoutLegend(c, legend, w-2*mapMargin)
	c.close()
	legendTop := gridBottom + 22
	h := legendTop + legendRowsCount(legendRows)*24 + mapMargin - 6

	c, err = newCanvas(w, h, titleStyle, captionStyle, codeStyle, smallStyle, legendStyle)
	if err != nil {
		return nil, err
	}
	defer c.close()
	title := cv.Title
	if title == "" {
		title = "Coverage"
	}
	c.text(c.clip(title, titleStyle, w-2*mapMargin), titleStyle, mapMargin, mapMargin+20, ink)
	caption := "Days since the last meeting with each state and territory"
	if cv.AsOf != "" {
		caption += ", as of " + cv.AsOf
	}
	c.text(c.clip(caption, captionStyle, w-2*mapMargin), captionStyle, mapMargin, mapMargin+42, inkSoft)

	for i, p := range extra {
		drawPlace(c, cellRect(image.Pt(i%mapCols, mapRows+i/mapCols)), p)
	}
	for _, p := range cv.Places {
		if r, ok := TileRect(p.Code); ok {
			drawPlace(c, r, p)
		}
	}
	drawLegend(c, legendRows, mapMargin, legendTop)
	return c.png()
}

// drawTileFill paints a tile's background for a bucket.
func drawTileFill(c *canvas, r image.Rectangle, rec Recency) {
	if rec == NeverMet {
		c.hatch(r, white, hatchGrey, 7, 2)
		return
	}
	bg, _ := rec.fill()
	c.fill(r, bg)
}

func drawPlace(c *canvas, r image.Rectangle, p Place) {
	cx := (r.Min.X + r.Max.X) / 2
	code := strings.ToUpper(p.Code)
	if !p.Focus {
		c.fill(r, mutedFill)
		c.centred(code, codeStyle, cx, r.Min.Y+33, mutedInk)
		return
	}
	rec := p.Recency()
	drawTileFill(c, r, rec)
	c.outline(r, ink, 2)
	_, fg := rec.fill()
	label := "never"
	if p.Met {
		label = fmt.Sprintf("%dd", max(p.Days, 0))
	}
	if rec == NeverMet {
		// A white plate keeps the text legible on the hatching.
		plate := image.Rect(r.Min.X+6, r.Min.Y+10, r.Max.X-6, r.Max.Y-6)
		c.fill(plate, white)
	}
	c.centred(code, codeStyle, cx, r.Min.Y+27, fg)
	c.centred(c.clip(label, smallStyle, mapTile-6), smallStyle, cx, r.Min.Y+43, fg)
}

// layoutLegend flows the items into rows no wider than width.
func layoutLegend(c *canvas, items []legendItem, width int) [][]legendItem {
	var rows [][]legendItem
	var row []legendItem
	x := 0
	for _, it := range items {
		iw := 16 + 6 + c.width(it.label, legendStyle) + 22
		if len(row) > 0 && x+iw > width {
			rows, row, x = append(rows, row), nil, 0
		}
		row = append(row, it)
		x += iw
	}
	if len(row) > 0 {
		rows = append(rows, row)
	}
	return rows
}

func legendRowsCount(rows [][]legendItem) int { return max(len(rows), 1) }

// drawLegend draws rows of swatches and labels from (x0, y0).
func drawLegend(c *canvas, rows [][]legendItem, x0, y0 int) {
	for i, row := range rows {
		x, y := x0, y0+i*24
		for _, it := range row {
			box := image.Rect(x, y, x+16, y+16)
			it.draw(c, box)
			c.text(it.label, legendStyle, x+22, y+13, ink)
			x += 16 + 6 + c.width(it.label, legendStyle) + 22
		}
	}
}

// Alt describes the map in words: the same facts, for screen readers and
// for anyone who cannot tell the shades apart.
func (cv Coverage) Alt() string {
	var b strings.Builder
	title := cv.Title
	if title == "" {
		title = "Coverage"
	}
	b.WriteString(title)
	b.WriteString(": days since the last meeting")
	if cv.AsOf != "" {
		b.WriteString(" as of " + cv.AsOf)
	}
	b.WriteString(".")
	groups := map[Recency][]string{}
	for _, p := range cv.Places {
		if !p.Focus {
			continue
		}
		name := p.Name
		if name == "" {
			name = strings.ToUpper(p.Code)
		}
		if p.Met {
			name += fmt.Sprintf(" (%s)", plural(max(p.Days, 0), "day", "days"))
		}
		groups[p.Recency()] = append(groups[p.Recency()], name)
	}
	for _, r := range []Recency{MetLastWeek, MetLastMonth, MetEarlier, NeverMet} {
		names := groups[r]
		if len(names) == 0 {
			continue
		}
		label := r.String()
		b.WriteString(" " + strings.ToUpper(label[:1]) + label[1:] + ": " + strings.Join(names, ", ") + ".")
	}
	if len(groups) == 0 {
		b.WriteString(" No states or territories to show.")
	}
	return b.String()
}

// plural renders "1 day" or "3 days", as bot.Plural does: package bot
// imports picture, so picture cannot import bot.
func plural(n int, one, many string) string {
	if n == 1 {
		return fmt.Sprintf("%d %s", n, one)
	}
	return fmt.Sprintf("%d %s", n, many)
}
