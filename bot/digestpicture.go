package bot

import (
	"context"
	"fmt"
	"sort"
	"strings"
	"time"

	"github.com/getbackhq/getback/bot/picture"
)

// TrendWeeks is how many ISO weeks the digest's getback trend shows.
const TrendWeeks = 12

// TrendPeriod is one period of a getback trend: items created or closed at
// instants in [From, To), open at To, and overdue when due before
// OverdueBefore.
type TrendPeriod struct {
	From, To      time.Time
	OverdueBefore Date
}

// TrendCounts are one period's getback figures.
type TrendCounts struct {
	Opened  int // created in the period
	Closed  int // done or cancelled in the period
	Open    int // created before its end and not closed by then
	Overdue int // of Open, those due before the period's OverdueBefore
}

// TrendService counts getbacks per period for the digest's trend chart.
type TrendService interface {
	// GetbackTrend returns the figures of each period, in order, for the
	// items of region, those of meetings that span it included (for
	// LeadershipRegion: of every region, and of none). An item reopened after it was closed counts as
	// open since it was created: the store keeps no history of reopening.
	GetbackTrend(ctx context.Context, ws string, region int, periods []TrendPeriod) ([]TrendCounts, error)
}

// CoverageStore is what a coverage table reads.
type CoverageStore interface {
	StateRegions(ctx context.Context, ws string) (map[string]int, error)
	LastMeetingDates(ctx context.Context, ws string, states []string, until Date) (map[string]Date, error)
}

// CoverageEntry is one state, district or territory and its last meeting.
type CoverageEntry struct {
	State State // Region is the workspace's, overrides applied
	// Last is the latest dated meeting on or before the day asked for; zero
	// when there is none.
	Last Date
	Days int // days from Last to that day (0 when Last is zero)
}

// Met reports whether a dated meeting is on record.
func (e CoverageEntry) Met() bool { return !e.Last.IsZero() }

// CoverageOf returns every jurisdiction of the state table, by region then
// name, with its last meeting on or before asOf.
func CoverageOf(ctx context.Context, s CoverageStore, ws string, asOf Date) ([]CoverageEntry, error) {
	overrides, err := s.StateRegions(ctx, ws)
	if err != nil {
		return nil, err
	}
	names := make([]string, len(States))
	for i, st := range States {
		names[i] = st.Name
	}
	last, err := s.LastMeetingDates(ctx, ws, names, asOf)
	if err != nil {
		return nil, err
	}
	out := make([]CoverageEntry, len(States))
	for i, st := range States {
		st.Region = RegionOf(st.Name, overrides)
		e := CoverageEntry{State: st, Last: last[st.Name]}
		if e.Met() {
			e.Days = max(e.Last.DaysUntil(asOf), 0)
		}
		out[i] = e
	}
	sort.SliceStable(out, func(i, j int) bool {
		if out[i].State.Region != out[j].State.Region {
			return out[i].State.Region < out[j].State.Region
		}
		return out[i].State.Name < out[j].State.Name
	})
	return out, nil
}

// WeekTrend is one ISO week of a getback trend.
type WeekTrend struct {
	Monday Date
	TrendCounts
}

// TrendOf returns region n's getback figures (every region's for
// LeadershipRegion) for the given number of ISO weeks, oldest first, ending
// with the week starting monday; weeks run midnight to midnight in loc.
// Overdue counts are as of each week's end, or today when that is earlier,
// as the digest's are.
func TrendOf(ctx context.Context, s TrendService, ws string, n int, loc *time.Location, monday, today Date, weeks int) ([]WeekTrend, error) {
	if weeks <= 0 {
		return nil, nil
	}
	periods := make([]TrendPeriod, weeks)
	out := make([]WeekTrend, weeks)
	for i := range periods {
		mon := monday.AddDays(-7 * (weeks - 1 - i))
		from, to := WeekBounds(mon, loc)
		overdue := mon.AddDays(7)
		if today.Before(overdue) {
			overdue = today
		}
		periods[i] = TrendPeriod{From: from, To: to, OverdueBefore: overdue}
		out[i].Monday = mon
	}
	counts, err := s.GetbackTrend(ctx, ws, n, periods)
	if err != nil {
		return nil, err
	}
	if len(counts) != weeks {
		return nil, fmt.Errorf("getback trend: %d periods asked, %d answered", weeks, len(counts))
	}
	for i, c := range counts {
		out[i].TrendCounts = c
	}
	return out, nil
}

// Images draws the digest's coverage map and getback trend for region r
// (the national map and every region's trend for the leadership roll-up)
// for the ISO week starting week. Coverage counts days to the week's
// Sunday, or to today when that is earlier.
func (d *Reporter) Images(ctx context.Context, r *Region, week, today Date) ([]Image, error) {
	w := newDigestWeek(r, week, today)
	iso := w.monday.ISOWeek()
	asOf := w.sunday
	if today.Before(asOf) {
		asOf = today
	}
	national := r.Number == LeadershipRegion
	name := r.Name
	if national {
		name = "National"
	}
	cov, err := CoverageOf(ctx, d.Store, r.Workspace, asOf)
	if err != nil {
		return nil, err
	}
	cv := picture.Coverage{Title: fmt.Sprintf("%s coverage, week %s", name, iso), AsOf: asOf.String(), Regional: !national}
	for _, e := range cov {
		cv.Places = append(cv.Places, picture.Place{Code: e.State.Abbr, Name: e.State.Name,
			Focus: national || e.State.Region == r.Number, Met: e.Met(), Days: e.Days, Last: e.Last.String()})
	}
	trend, err := TrendOf(ctx, d.Store, r.Workspace, r.Number, r.Location(), w.monday, today, TrendWeeks)
	if err != nil {
		return nil, err
	}
	h := picture.History{Title: fmt.Sprintf("%s getbacks, %d weeks to %s", name, TrendWeeks, iso)}
	for _, t := range trend {
		_, n := t.Monday.noon().ISOWeek()
		h.Weeks = append(h.Weeks, picture.Week{Label: fmt.Sprintf("W%02d", n),
			Opened: t.Opened, Closed: t.Closed, Open: t.Open, Overdue: t.Overdue})
	}
	mapPNG, err := picture.CoverageMap(cv)
	if err != nil {
		return nil, err
	}
	trendPNG, err := picture.Trend(h)
	if err != nil {
		return nil, err
	}
	prefix := strings.ToLower(strings.ReplaceAll(name, " ", "-"))
	return []Image{
		{Name: fmt.Sprintf("%s-coverage-%s.png", prefix, iso), Title: cv.Title, Alt: cv.Alt(), PNG: mapPNG},
		{Name: fmt.Sprintf("%s-getbacks-%s.png", prefix, iso), Title: h.Title, Alt: h.Alt(), PNG: trendPNG},
	}, nil
}
