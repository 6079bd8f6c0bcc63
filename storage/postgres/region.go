package postgres

import (
	"context"
	"strings"

	"github.com/jackc/pgx/v5/pgtype"

	"github.com/getbackhq/getback/bot"
)

// stateRegions reads the workspace's state-to-region overrides.
func stateRegions(ctx context.Context, tx *Tx, ws string) (map[string]int, error) {
	rows, err := tx.query(ctx, `SELECT state, region FROM state_regions WHERE workspace = ?`, ws)
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
func writeMeetingRegions(ctx context.Context, tx *Tx, m *bot.Meeting, overrides map[string]int, replace bool) error {
	if replace {
		if _, err := tx.exec(ctx, `DELETE FROM meeting_regions WHERE meeting_id = ?`, m.ID); err != nil {
			return err
		}
	}
	others := bot.OtherRegions(m.Region, m.States, overrides)
	for _, n := range others {
		if _, err := tx.exec(ctx, `INSERT INTO meeting_regions (meeting_id, region, workspace, date) VALUES (?, ?, ?, ?)`,
			m.ID, n, m.Workspace, dateArg(m.Date)); err != nil {
			return err
		}
	}
	m.Regions = append([]int{m.Region}, others...)
	return nil
}

// syncMeetingRegions writes (or, with replace, rewrites) the other regions
// of m, reading the state table once per transaction and workspace.
func syncMeetingRegions(ctx context.Context, tx *Tx, m *bot.Meeting, replace bool) error {
	overrides, err := tx.regionsOf(ctx, m.Workspace)
	if err != nil {
		return err
	}
	return writeMeetingRegions(ctx, tx, m, overrides, replace)
}

// regionsOf returns ws's state table overrides, read once per transaction.
func (tx *Tx) regionsOf(ctx context.Context, ws string) (map[string]int, error) {
	if overrides, ok := tx.stateRegions[ws]; ok {
		return overrides, nil
	}
	overrides, err := stateRegions(ctx, tx, ws)
	if err != nil {
		return nil, err
	}
	if tx.stateRegions == nil {
		tx.stateRegions = map[string]map[string]int{}
	}
	tx.stateRegions[ws] = overrides
	return overrides, nil
}

// resyncStateMeetings rewrites the other regions of every meeting of ws
// tagged with state, after the state moved to another region.
func resyncStateMeetings(ctx context.Context, tx *Tx, ws, state string) error {
	delete(tx.stateRegions, ws)
	overrides, err := stateRegions(ctx, tx, ws)
	if err != nil {
		return err
	}
	rows, err := tx.query(ctx, `SELECT m.id, m.workspace, m.region, m.states, m.date FROM meetings m
		WHERE m.id IN (SELECT meeting_id FROM meeting_states WHERE workspace = ? AND state = ?) FOR UPDATE OF m`, ws, state)
	if err != nil {
		return err
	}
	var ms []*bot.Meeting
	for rows.Next() {
		m := &bot.Meeting{}
		var states string
		var date pgtype.Date
		if err := rows.Scan(&m.ID, &m.Workspace, &m.Region, &states, &date); err != nil {
			rows.Close()
			return err
		}
		m.States, m.Date = strings.Split(states, stateSep), dateOf(date)
		ms = append(ms, m)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return err
	}
	for _, m := range ms {
		if err := writeMeetingRegions(ctx, tx, m, overrides, true); err != nil {
			return err
		}
	}
	return nil
}
