package sqlstore

import (
	"context"
	"strconv"
	"strings"
	"time"

	"github.com/getbackhq/getback/bot"
)

// GetbackTrend counts getbacks per period: those of a region are those of
// its meetings, meetings that span it from another region's state
// included, as for every regional count. Periods must follow one another
// (each begins where the one before ends) and their OverdueBefore days may
// not go back.
//
// The counting reads as little as it can. Items open now are counted by
// due date straight off an index (none of them closed yet, so each is open
// at every period's end). Only the items created or closed since the first
// period began are read one by one, and SQLite groups them by the period
// of their creation, of their closing and of their due date, so that a few
// hundred groups come back however many items there are.
func (s *Store) GetbackTrend(ctx context.Context, ws string, region int, periods []bot.TrendPeriod) ([]bot.TrendCounts, error) {
	n := len(periods)
	out := make([]bot.TrendCounts, n)
	if n == 0 {
		return out, nil
	}
	// bounds[0] is the first period's start, bounds[w+1] the end of
	// period w; due[w] is the day before which an item counts as overdue
	// at the end of period w.
	bounds := []time.Time{periods[0].From}
	due := make([]bot.Date, n)
	for i, p := range periods {
		switch {
		case !p.To.After(p.From):
			return nil, bot.Errorf(bot.EINVALID, "trend period %d ends (%s) before it begins (%s)", i+1, p.To, p.From)
		case i > 0 && !p.From.Equal(periods[i-1].To):
			return nil, bot.Errorf(bot.EINVALID, "trend period %d does not begin where period %d ends", i+1, i)
		case i > 0 && p.OverdueBefore.Before(periods[i-1].OverdueBefore):
			return nil, bot.Errorf(bot.EINVALID, "trend period %d counts overdue items before an earlier day than period %d", i+1, i)
		}
		bounds = append(bounds, p.To)
		due[i] = p.OverdueBefore
	}
	var groups []group
	var openNow []dueCount
	err := s.read(ctx, func(tx *Tx) error {
		scopes, err := trendScopes(ctx, tx, ws, region)
		if err != nil {
			return err
		}
		if groups, err = recentGroups(ctx, tx, scopes, bounds, due); err != nil {
			return err
		}
		openNow, err = openByDue(ctx, tx, scopes)
		return err
	})
	if err != nil {
		return nil, err
	}
	// Those created before the first period are the open items not among
	// the recent ones: open at every period's end.
	open := n + 1
	olderOpen := make([]int, n+1) // by due bucket
	for _, d := range openNow {
		olderOpen[dueBucket(d.due, due)] += d.count
	}
	for _, g := range groups {
		if g.closed == open && g.created >= 0 {
			olderOpen[g.due] -= g.count
		}
	}
	for u, c := range olderOpen {
		groups = append(groups, group{created: -1, closed: open, due: u, count: c})
	}
	for _, g := range groups {
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

// scope is a condition on getbacks and its arguments.
type scope struct {
	cond string
	args []any
}

// trendScopes returns the conditions, to be united, that select a
// region's getbacks (every one of the workspace for LeadershipRegion): an
// item belongs to its meeting's regions, its own (region) and, for a
// meeting that spans regions, those of its other states. When no meeting
// spans the region, one indexed condition does.
func trendScopes(ctx context.Context, tx *Tx, ws string, region int) ([]scope, error) {
	if region == bot.LeadershipRegion {
		return []scope{{"workspace = ?", []any{ws}}}, nil
	}
	scopes := []scope{{"workspace = ? AND region = ?", []any{ws, region}}}
	var spans bool
	if err := tx.QueryRow(ctx, `SELECT EXISTS (SELECT 1 FROM meeting_regions WHERE workspace = ? AND region = ?)`,
		ws, region).Scan(&spans); err != nil {
		return nil, err
	}
	if spans {
		scopes = append(scopes, scope{"workspace = ? AND region <> ? AND meeting_id IN (SELECT meeting_id FROM meeting_regions WHERE workspace = ? AND region = ?)",
			[]any{ws, region, ws, region}})
	}
	return scopes, nil
}

// group is a number of items created, closed and due in the same periods.
type group struct{ created, closed, due, count int }

// recentGroups groups the items created or closed since bounds[0] by the
// period of their creation (-1 before the first, w during w, n after the
// last), of their closing (the same, n+1 while open) and of their due date
// (the first period at whose end they are overdue, n when at none).
func recentGroups(ctx context.Context, tx *Tx, scopes []scope, bounds []time.Time, due []bot.Date) ([]group, error) {
	n := len(due)
	boundArgs := make([]any, len(bounds))
	for i, b := range bounds {
		boundArgs[i] = tx.D.Time(b)
	}
	dueArgs := make([]any, len(due))
	for i, d := range due {
		dueArgs[i] = tx.D.Date(d)
	}
	var args []any
	bucket := func(col string, edges []any, first, last int) string {
		var b strings.Builder
		b.WriteString("CASE")
		for i, e := range edges {
			b.WriteString(" WHEN " + col + " < ? THEN " + strconv.Itoa(first+i))
			args = append(args, e)
		}
		b.WriteString(" ELSE " + strconv.Itoa(last) + " END")
		return b.String()
	}
	created := bucket("created_at", boundArgs, -1, n)
	closed := "CASE WHEN status = 'open' THEN " + strconv.Itoa(n+1) + " ELSE " + bucket("done_at", boundArgs, -1, n) + " END"
	dueBy := bucket("due_key", dueArgs, 0, n)
	var parts []string
	for _, sc := range scopes {
		parts = append(parts,
			`SELECT created_at, done_at, due_key, status FROM getbacks WHERE `+sc.cond+` AND created_at >= ?`,
			`SELECT created_at, done_at, due_key, status FROM getbacks WHERE `+sc.cond+` AND done_at >= ? AND status <> 'open' AND created_at < ?`)
		args = append(append(args, sc.args...), boundArgs[0])
		args = append(append(args, sc.args...), boundArgs[0], boundArgs[0])
	}
	q := `SELECT ` + created + `, ` + closed + `, ` + dueBy + `, COUNT(*) FROM (` + strings.Join(parts, " UNION ALL ") + `) g GROUP BY 1, 2, 3`
	return QueryAll(ctx, tx, func(sc Row) (group, error) {
		var g group
		err := sc.Scan(&g.created, &g.closed, &g.due, &g.count)
		return g, err
	}, q, args...)
}

// dueCount is a number of items due on one day (9999-12-31: undated).
type dueCount struct {
	due   bot.Date
	count int
}

// openByDue counts the items open now by due date; with one scope straight
// off an index.
func openByDue(ctx context.Context, tx *Tx, scopes []scope) ([]dueCount, error) {
	var parts []string
	var args []any
	for _, sc := range scopes {
		parts = append(parts, `SELECT due_key FROM getbacks WHERE `+sc.cond+` AND status = 'open'`)
		args = append(args, sc.args...)
	}
	q := `SELECT due_key, COUNT(*) FROM getbacks WHERE ` + scopes[0].cond + ` AND status = 'open' GROUP BY due_key`
	if len(scopes) > 1 {
		q = `SELECT due_key, COUNT(*) FROM (` + strings.Join(parts, " UNION ALL ") + `) g GROUP BY due_key`
	}
	return QueryAll(ctx, tx, func(sc Row) (dueCount, error) {
		var d dueCount
		var day Date
		err := sc.Scan(&day, &d.count)
		d.due = day.D
		return d, err
	}, q, args...)
}

// dueBucket returns the first period at whose end an item due on day d
// (a due_key) is overdue, or len(due) when at none.
func dueBucket(d bot.Date, due []bot.Date) int {
	for i, day := range due {
		if d.Before(day) {
			return i
		}
	}
	return len(due)
}
