package sqlite

import (
	"context"
	"database/sql"

	"github.com/getbackhq/getback/bot"
)

// Ensure DB implements the trend service.
var _ bot.TrendService = (*DB)(nil)

// trendItem is what a trend needs of a getback; instants and dates stay
// text, which sorts as they do.
type trendItem struct {
	created string
	done    sql.NullString
	due     string // due_key: '9999-12-31' when undated
}

// GetbackTrend counts getbacks per period. It reads only the items that
// matter to some period: those open now, and those closed since the first
// period began (each through its own index), and counts in one pass.
func (db *DB) GetbackTrend(ctx context.Context, ws string, region int, periods []bot.TrendPeriod) ([]bot.TrendCounts, error) {
	out := make([]bot.TrendCounts, len(periods))
	if len(periods) == 0 {
		return out, nil
	}
	type span struct{ from, to, overdue string }
	spans := make([]span, len(periods))
	first, last := "", ""
	for i, p := range periods {
		if !p.To.After(p.From) {
			return nil, bot.Errorf(bot.EINVALID, "trend period %d ends (%s) before it begins (%s)", i+1, p.To, p.From)
		}
		spans[i] = span{formatTime(p.From), formatTime(p.To), p.OverdueBefore.String()}
		if first == "" || spans[i].from < first {
			first = spans[i].from
		}
		last = max(last, spans[i].to)
	}
	regionCond, scope := "", []any{ws}
	if region != bot.LeadershipRegion {
		regionCond, scope = " AND region = ?", []any{ws, region}
	}
	q := `SELECT created_at, done_at, due_key FROM getbacks WHERE workspace = ?` + regionCond + ` AND status = 'open' AND created_at < ?
		UNION ALL
		SELECT created_at, done_at, due_key FROM getbacks WHERE workspace = ?` + regionCond + ` AND done_at >= ? AND status <> 'open' AND created_at < ?`
	var qargs []any
	qargs = append(append(qargs, scope...), last)
	qargs = append(append(qargs, scope...), first, last)
	items, err := readAll(ctx, db, func(sc interface{ Scan(...any) error }) (trendItem, error) {
		var it trendItem
		err := sc.Scan(&it.created, &it.done, &it.due)
		return it, err
	}, q, qargs...)
	if err != nil {
		return nil, err
	}
	for _, it := range items {
		for i, s := range spans {
			c := &out[i]
			if it.created >= s.from && it.created < s.to {
				c.Opened++
			}
			if it.done.Valid && it.done.String >= s.from && it.done.String < s.to {
				c.Closed++
			}
			if it.created < s.to && (!it.done.Valid || it.done.String >= s.to) {
				c.Open++
				if it.due < s.overdue {
					c.Overdue++
				}
			}
		}
	}
	return out, nil
}
