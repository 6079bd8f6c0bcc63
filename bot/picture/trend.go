package picture

import (
	"fmt"
	"image"
	"math"
	"strings"
)

// Week is one ISO week of the getback trend.
type Week struct {
	Label   string // "W48"
	Opened  int    // getbacks created during the week
	Closed  int    // getbacks done or cancelled during the week
	Open    int    // getbacks open at the week's end
	Overdue int    // of those, how many were past their due date
}

// History is what the trend chart shows: weeks oldest first.
type History struct {
	Title string // "Region 9 getbacks, 12 weeks to 2026-W48"
	Weeks []Week
}

// Trend chart geometry, in pixels.
const (
	trendWidth  = 2*mapMargin + mapCols*mapPitch - (mapPitch - mapTile) // as wide as the map
	trendAxis   = 48                                                    // left of the plots: axis labels
	trendPlotH  = 130
	trendATop   = 106 // "open at week end" plot
	trendBTop   = 276 // "opened and closed" plot
	trendLabelY = 424 // week labels' baseline
	trendHeight = 490
	trendHead   = 14 // room above the tallest bar for its value
)

// Text sizes of the trend chart.
var (
	panelStyle = style{size: 13, bold: true}
	valueStyle = style{size: 10}
	axisStyle  = style{size: 11}
)

// trendLayout places the bars of n weeks.
type trendLayout struct {
	n      int
	x0, x1 int // plot area, left and right
	group  int // pixels per week
}

func newTrendLayout(n int) trendLayout {
	l := trendLayout{n: n, x0: mapMargin + trendAxis, x1: trendWidth - mapMargin}
	l.group = (l.x1 - l.x0) / max(n, 1)
	return l
}

// openBar returns the columns of week i's open-at-end bar.
func (l trendLayout) openBar(i int) (x0, x1 int) {
	w := l.group / 2
	c := l.x0 + i*l.group + l.group/2
	return c - w/2, c - w/2 + w
}

// pairBars returns the columns of week i's opened and closed bars.
func (l trendLayout) pairBars(i int) (opened, closed [2]int) {
	w := l.group * 2 / 5
	c := l.x0 + i*l.group + l.group/2
	return [2]int{c - w - 1, c - 1}, [2]int{c + 1, c + 1 + w}
}

// barHeight scales v to a plot whose axis ends at top.
func barHeight(v, top int) int {
	if v <= 0 || top <= 0 {
		return 0
	}
	h := int(math.Round(float64(v) / float64(top) * (trendPlotH - trendHead)))
	return min(max(h, 1), trendPlotH)
}

// niceCeil returns the smallest of 1, 2, 3, 4, 5, 6 or 8 times a power of
// ten that is at least v (at least 1): a round axis top that leaves the
// tallest bar at least half the plot.
func niceCeil(v int) int {
	if v <= 1 {
		return 1
	}
	for p := 1; p <= math.MaxInt/10; p *= 10 {
		for _, m := range []int{1, 2, 3, 4, 5, 6, 8} {
			if m*p >= v {
				return m * p
			}
		}
	}
	return v
}

// Trend draws the getback trend as a PNG: on top, the items open at each
// week's end with the overdue part hatched; below, the items opened and
// closed each week.
func Trend(h History) ([]byte, error) {
	c, err := newCanvas(trendWidth, trendHeight, titleStyle, captionStyle, panelStyle, valueStyle, axisStyle, legendStyle)
	if err != nil {
		return nil, err
	}
	defer c.close()
	title := h.Title
	if title == "" {
		title = "Getbacks"
	}
	inner := trendWidth - 2*mapMargin
	c.text(c.clip(title, titleStyle, inner), titleStyle, mapMargin, mapMargin+20, ink)
	c.text(c.clip(fmt.Sprintf("Getbacks per ISO week, the last %s", plural(len(h.Weeks), "week", "weeks")), captionStyle, inner),
		captionStyle, mapMargin, mapMargin+42, inkSoft)

	l := newTrendLayout(len(h.Weeks))
	maxOpen, maxFlow := 0, 0
	for _, wk := range h.Weeks {
		maxOpen = max(maxOpen, wk.Open, wk.Overdue)
		maxFlow = max(maxFlow, wk.Opened, wk.Closed)
	}
	topA, topB := niceCeil(maxOpen), niceCeil(maxFlow)
	c.text("Open at week end (overdue hatched)", panelStyle, mapMargin, trendATop-10, ink)
	c.text("Opened and closed during the week", panelStyle, mapMargin, trendBTop-10, ink)
	drawAxis(c, l, trendATop, topA)
	drawAxis(c, l, trendBTop, topB)
	if len(h.Weeks) == 0 {
		c.centred("No weeks to show", captionStyle, (l.x0+l.x1)/2, trendATop+trendPlotH/2, inkSoft)
	}
	baseA, baseB := trendATop+trendPlotH, trendBTop+trendPlotH
	for i, wk := range h.Weeks {
		// Open at the week's end, the overdue part hatched at its foot.
		x0, x1 := l.openBar(i)
		hOpen := barHeight(max(wk.Open, 0), topA)
		hOver := min(barHeight(max(wk.Overdue, 0), topA), hOpen)
		if hOpen > 0 {
			bar := image.Rect(x0, baseA-hOpen, x1, baseA)
			c.fill(bar, blue200)
			c.hatch(image.Rect(x0, baseA-hOver, x1, baseA), blue200, blue700, 5, 2)
			c.outline(bar, blue500, 1)
		}
		c.centred(barValue(c, wk.Open, x1-x0+l.group/2), valueStyle, (x0+x1)/2, baseA-hOpen-3, inkSoft)

		opened, closed := l.pairBars(i)
		hO, hC := barHeight(max(wk.Opened, 0), topB), barHeight(max(wk.Closed, 0), topB)
		if hO > 0 {
			c.fill(image.Rect(opened[0], baseB-hO, opened[1], baseB), blue700)
		}
		if hC > 0 {
			c.fill(image.Rect(closed[0], baseB-hC, closed[1], baseB), blue400)
		}
		room := opened[1] - opened[0] + 2
		c.centred(barValue(c, wk.Opened, room), valueStyle, (opened[0]+opened[1])/2, baseB-hO-3, inkSoft)
		c.centred(barValue(c, wk.Closed, room), valueStyle, (closed[0]+closed[1])/2, baseB-hC-3, inkSoft)

		label := c.clip(wk.Label, axisStyle, l.group-2)
		c.centred(label, axisStyle, l.x0+i*l.group+l.group/2, trendLabelY, inkSoft)
	}

	legend := []legendItem{
		{label: "opened", draw: func(c *canvas, r image.Rectangle) { c.fill(r, blue700) }},
		{label: "closed", draw: func(c *canvas, r image.Rectangle) { c.fill(r, blue400) }},
		{label: "open at week end", draw: func(c *canvas, r image.Rectangle) { c.fill(r, blue200); c.outline(r, blue500, 1) }},
		{label: "of which overdue", draw: func(c *canvas, r image.Rectangle) {
			c.hatch(r, blue200, blue700, 5, 2)
			c.outline(r, blue500, 1)
		}},
	}
	drawLegend(c, layoutLegend(c, legend, inner), mapMargin, trendLabelY+20)
	return c.png()
}

// barValue returns v as a label when it fits room pixels, else "".
func barValue(c *canvas, v, room int) string {
	s := fmt.Sprint(v)
	if v <= 0 || c.width(s, valueStyle) > room {
		return ""
	}
	return s
}

// drawAxis draws a plot's baseline, a gridline at its half and top, and
// their values.
func drawAxis(c *canvas, l trendLayout, plotTop, top int) {
	base := plotTop + trendPlotH
	ticks := []int{0, top}
	if top%2 == 0 {
		ticks = []int{0, top / 2, top}
	}
	for _, t := range ticks {
		y := base - barHeight(t, top)
		col := gridGrey
		if t == 0 {
			col = inkSoft
		}
		c.fill(image.Rect(l.x0, y, l.x1, y+1), col)
		c.right(fmt.Sprint(t), axisStyle, l.x0-6, y+4, inkSoft)
	}
}

// Alt describes the chart in words, week by week.
func (h History) Alt() string {
	var b strings.Builder
	title := h.Title
	if title == "" {
		title = "Getbacks"
	}
	b.WriteString(title + ".")
	if len(h.Weeks) == 0 {
		b.WriteString(" No weeks to show.")
		return b.String()
	}
	for _, wk := range h.Weeks {
		fmt.Fprintf(&b, " %s: %d opened, %d closed, %d open at week end (%d overdue).",
			wk.Label, wk.Opened, wk.Closed, wk.Open, wk.Overdue)
	}
	return b.String()
}
