package sqlite

import (
	"context"
	"database/sql"
	"strconv"
	"strings"

	"github.com/getbackhq/getback/bot"
)

// querier is what both a *sql.Tx and a *Tx offer for these helpers.
type querier interface {
	ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error)
	QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error)
}

// stateRegions reads the workspace's state-to-region overrides.
func stateRegions(ctx context.Context, q querier, ws string) (map[string]int, error) {
	rows, err := q.QueryContext(ctx, `SELECT state, region FROM state_regions WHERE workspace = ?`, ws)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := map[string]int{}
	for rows.Next() {
		var s string
		var n int
		if err := rows.Scan(&s, &n); err != nil {
			return nil, err
		}
		out[s] = n
	}
	return out, rows.Err()
}

// writeMeetingRegions stores the regions m belongs to besides m.Region,
// from its states and the workspace's state table, and sets m.Regions.
func writeMeetingRegions(ctx context.Context, q querier, m *bot.Meeting, overrides map[string]int, replace bool) error {
	if replace {
		if _, err := q.ExecContext(ctx, `DELETE FROM meeting_regions WHERE meeting_id = ?`, m.ID); err != nil {
			return err
		}
	}
	others := bot.OtherRegions(m.Region, m.States, overrides)
	for _, n := range others {
		if _, err := q.ExecContext(ctx, `INSERT INTO meeting_regions (meeting_id, region, workspace, date) VALUES (?, ?, ?, ?)`,
			m.ID, n, m.Workspace, nullDate(m.Date)); err != nil {
			return err
		}
	}
	m.Regions = append([]int{m.Region}, others...)
	return nil
}

// syncMeetingRegions writes (or, with replace, rewrites) the other regions
// of m, reading the state table once per transaction and workspace.
func syncMeetingRegions(ctx context.Context, tx *Tx, m *bot.Meeting, replace bool) error {
	overrides, ok := tx.stateRegions[m.Workspace]
	if !ok {
		var err error
		if overrides, err = stateRegions(ctx, tx, m.Workspace); err != nil {
			return err
		}
		if tx.stateRegions == nil {
			tx.stateRegions = map[string]map[string]int{}
		}
		tx.stateRegions[m.Workspace] = overrides
	}
	return writeMeetingRegions(ctx, tx, m, overrides, replace)
}

// resyncStateMeetings rewrites the other regions of every meeting of ws
// tagged with state, after the state moved to another region.
func resyncStateMeetings(ctx context.Context, tx *Tx, ws, state string) error {
	delete(tx.stateRegions, ws)
	overrides, err := stateRegions(ctx, tx, ws)
	if err != nil {
		return err
	}
	rows, err := tx.QueryContext(ctx, `SELECT m.id, m.workspace, m.region, m.states, m.date FROM meetings m
		WHERE m.id IN (SELECT meeting_id FROM meeting_states WHERE workspace = ? AND state = ?)`, ws, state)
	if err != nil {
		return err
	}
	ms, err := scanRegionRows(rows)
	if err != nil {
		return err
	}
	for _, m := range ms {
		if err := writeMeetingRegions(ctx, tx, m, overrides, true); err != nil {
			return err
		}
	}
	return nil
}

func scanRegionRows(rows *sql.Rows) ([]*bot.Meeting, error) {
	defer rows.Close()
	var out []*bot.Meeting
	for rows.Next() {
		m := &bot.Meeting{}
		var states string
		var date sql.NullString
		if err := rows.Scan(&m.ID, &m.Workspace, &m.Region, &states, &date); err != nil {
			return nil, err
		}
		m.States = strings.Split(states, stateSep)
		m.Date = parseDate(date)
		out = append(out, m)
	}
	return out, rows.Err()
}

// backfillMeetingRegions fills meeting_regions for the multi-state meetings
// stored before it existed (the Go step of migration 9).
func backfillMeetingRegions(ctx context.Context, tx *sql.Tx) error {
	rows, err := tx.QueryContext(ctx, `SELECT id, workspace, region, states, date FROM meetings WHERE states LIKE '%|%'`)
	if err != nil {
		return err
	}
	ms, err := scanRegionRows(rows)
	if err != nil {
		return err
	}
	overrides := map[string]map[string]int{}
	for _, m := range ms {
		o, ok := overrides[m.Workspace]
		if !ok {
			if o, err = stateRegions(ctx, tx, m.Workspace); err != nil {
				return err
			}
			overrides[m.Workspace] = o
		}
		if err := writeMeetingRegions(ctx, tx, m, o, true); err != nil {
			return err
		}
	}
	return nil
}

// parseRegions reads the comma-joined regions of a meeting_regions
// aggregate.
func parseRegions(primary int, others sql.NullString) []int {
	out := []int{primary}
	if !others.Valid || others.String == "" {
		return out
	}
	for _, s := range strings.Split(others.String, ",") {
		if n, err := strconv.Atoi(s); err == nil {
			out = append(out, n)
		}
	}
	return out
}

// meetingRegionCond is the condition "meeting m belongs to the region":
// its own, or one of its other states'.
const meetingRegionCond = `(m.region = ? OR m.id IN (SELECT meeting_id FROM meeting_regions WHERE workspace = ? AND region = ?))`
