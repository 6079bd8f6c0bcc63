package sqlite

import (
	"context"
	"strconv"
	"strings"

	"github.com/getbackhq/getback/bot"
)

// Ensure DB implements the trend service.
var _ bot.TrendService = (*DB)(nil)

// GetbackTrend counts getbacks per period. Periods must follow one another
// (each begins where the one before ends) and their OverdueBefore days may
// not go back.
//
// The counting reads as little as it can. Items open now are counted by
// due date straight off an index (none of them closed yet, so each is open
// at every period's end). Only the items created or closed since the first
// period began are read one by one, and SQLite groups them by the period
// of their creation, of their closing and of their due date, so that a few
// hundred groups come back however many items there are. Instants and days
// are stored as text that sorts as they do, so they compare as text.
func (db *DB) GetbackTrend(ctx context.Context, ws string, region int, periods []bot.TrendPeriod) ([]bot.TrendCounts, error) {
	n := len(periods)
	out := make([]bot.TrendCounts, n)
	if n == 0 {
		return out, nil
	}
	// bounds[0] is the first period's start, bounds[w+1] the end of
	// period w; due[w] is the day before which an item counts as overdue
	// at the end of period w.
	bounds := []string{formatTime(periods[0].From)}
	due := make([]string, n)
	for i, p := range periods {
		switch {
		case !p.To.After(p.From):
			return nil, bot.Errorf(bot.EINVALID, "trend period %d ends (%s) before it begins (%s)", i+1, p.To, p.From)
		case i > 0 && !p.From.Equal(periods[i-1].To):
			return nil, bot.Errorf(bot.EINVALID, "trend period %d does not begin where period %d ends", i+1, i)
		case i > 0 && p.OverdueBefore.Before(periods[i-1].OverdueBefore):
			return nil, bot.Errorf(bot.EINVALID, "trend period %d counts overdue items before an earlier day than period %d", i+1, i)
		}
		bounds = append(bounds, formatTime(p.To))
		due[i] = p.OverdueBefore.String()
	}
	scope, scopeArgs := "workspace = ?", []any{ws}
	if region != bot.LeadershipRegion {
		scope, scopeArgs = "workspace = ? AND region = ?", []any{ws, region}
	}
	// bucket returns a CASE giving the index of the first of edges that
	// col is below (so -1 .. len(edges)-1 with first = -1), or last.
	var args []any
	bucket := func(col string, edges []string, first, last int) string {
		var b strings.Builder
		b.WriteString("CASE")
		for i, e := range edges {
			b.WriteString(" WHEN " + col + " < ? THEN " + strconv.Itoa(first+i))
			args = append(args, e)
		}
		b.WriteString(" ELSE " + strconv.Itoa(last) + " END")
		return b.String()
	}
	// Period of creation: -1 before the first, w during w, n after the
	// last. Of closing: the same, n+1 when still open. Of the due date: the
	// first period at whose end the item is overdue, n when at none.
	open := n + 1
	created := bucket("created_at", bounds, -1, n)
	closed := "CASE WHEN status = 'open' THEN " + strconv.Itoa(open) + " ELSE " + bucket("done_at", bounds, -1, n) + " END"
	dueBy := bucket("due_key", due, 0, n)
	q := `SELECT ` + created + `, ` + closed + `, ` + dueBy + `, COUNT(*) FROM (
		SELECT created_at, done_at, due_key, status FROM getbacks WHERE ` + scope + ` AND created_at >= ?
		UNION ALL
		SELECT created_at, done_at, due_key, status FROM getbacks WHERE ` + scope + ` AND done_at >= ? AND status <> 'open' AND created_at < ?
	) GROUP BY 1, 2, 3`
	args = append(append(append(args, scopeArgs...), bounds[0]), append(scopeArgs, bounds[0], bounds[0])...)
	type group struct{ created, closed, due, count int }
	recent, err := readAll(ctx, db, func(sc interface{ Scan(...any) error }) (group, error) {
		var g group
		err := sc.Scan(&g.created, &g.closed, &g.due, &g.count)
		return g, err
	}, q, args...)
	if err != nil {
		return nil, err
	}
	// Every item open now, by due date (an index-only scan).
	type dueCount struct {
		due   string
		count int
	}
	openNow, err := readAll(ctx, db, func(sc interface{ Scan(...any) error }) (dueCount, error) {
		var d dueCount
		err := sc.Scan(&d.due, &d.count)
		return d, err
	}, `SELECT due_key, COUNT(*) FROM getbacks WHERE `+scope+` AND status = 'open' GROUP BY due_key`, scopeArgs...)
	if err != nil {
		return nil, err
	}
	// Those created before the first period are the open items not among
	// the recent ones: open at every period's end.
	olderOpen := make([]int, n+1) // by due bucket
	for _, d := range openNow {
		olderOpen[dueBucket(d.due, due)] += d.count
	}
	for _, g := range recent {
		if g.closed == open && g.created >= 0 {
			olderOpen[g.due] -= g.count
		}
	}
	for u, c := range olderOpen {
		recent = append(recent, group{created: -1, closed: open, due: u, count: c})
	}
	for _, g := range recent {
		if g.created >= 0 && g.created < n {
			out[g.created].Opened += g.count
		}
		if g.closed >= 0 && g.closed < n {
			out[g.closed].Closed += g.count
		}
		for w := max(g.created, 0); w < min(g.closed, n); w++ {
			out[w].Open += g.count
			if g.due <= w {
				out[w].Overdue += g.count
			}
		}
	}
	return out, nil
}

// dueBucket returns the first period at whose end an item due on day d
// (a due_key) is overdue, or len(due) when at none.
func dueBucket(d string, due []string) int {
	for i, day := range due {
		if d < day {
			return i
		}
	}
	return len(due)
}
