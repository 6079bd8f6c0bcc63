package sqlstore

import (
	"context"
	"strconv"
	"strings"

	"github.com/getbackhq/getback/bot"
)

// StateSep joins a meeting's states in its states column.
const StateSep = "|"

// StateRegions reads the workspace's state-to-region overrides.
func StateRegions(ctx context.Context, tx *Tx, ws string) (map[string]int, error) {
	rows, err := tx.Query(ctx, `SELECT state, region FROM state_regions WHERE workspace = ?`, ws)
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

// WriteMeetingRegions stores the regions m belongs to besides m.Region,
// from its states and the workspace's state table, and sets m.Regions.
func WriteMeetingRegions(ctx context.Context, tx *Tx, m *bot.Meeting, overrides map[string]int, replace bool) error {
	if replace {
		if _, err := tx.Exec(ctx, `DELETE FROM meeting_regions WHERE meeting_id = ?`, m.ID); err != nil {
			return err
		}
	}
	others := bot.OtherRegions(m.Region, m.States, overrides)
	for _, n := range others {
		if _, err := tx.Exec(ctx, `INSERT INTO meeting_regions (meeting_id, region, workspace, date) VALUES (?, ?, ?, ?)`,
			m.ID, n, m.Workspace, tx.D.NullDate(m.Date)); err != nil {
			return err
		}
	}
	m.Regions = append([]int{m.Region}, others...)
	return nil
}

// SyncMeetingRegions writes (or, with replace, rewrites) the other regions
// of m, reading the state table once per transaction and workspace.
func SyncMeetingRegions(ctx context.Context, tx *Tx, m *bot.Meeting, replace bool) error {
	overrides, err := tx.RegionsOf(ctx, m.Workspace)
	if err != nil {
		return err
	}
	return WriteMeetingRegions(ctx, tx, m, overrides, replace)
}

// RegionsOf returns ws's state table overrides, read once per
// transaction.
func (tx *Tx) RegionsOf(ctx context.Context, ws string) (map[string]int, error) {
	if overrides, ok := tx.stateRegions[ws]; ok {
		return overrides, nil
	}
	overrides, err := StateRegions(ctx, tx, ws)
	if err != nil {
		return nil, err
	}
	if tx.stateRegions == nil {
		tx.stateRegions = map[string]map[string]int{}
	}
	tx.stateRegions[ws] = overrides
	return overrides, nil
}

// ScanRegionRows reads rows of (id, workspace, region, states, date) of
// meetings, and closes them.
func ScanRegionRows(rows Rows) ([]*bot.Meeting, error) {
	defer rows.Close()
	var out []*bot.Meeting
	for rows.Next() {
		m := &bot.Meeting{}
		var states string
		var date Date
		if err := rows.Scan(&m.ID, &m.Workspace, &m.Region, &states, &date); err != nil {
			return nil, err
		}
		m.States, m.Date = strings.Split(states, StateSep), date.D
		out = append(out, m)
	}
	return out, rows.Err()
}

// resyncStateMeetings rewrites the other regions of every meeting of ws
// tagged with state, after the state moved to another region.
func resyncStateMeetings(ctx context.Context, tx *Tx, ws, state string) error {
	delete(tx.stateRegions, ws)
	overrides, err := StateRegions(ctx, tx, ws)
	if err != nil {
		return err
	}
	rows, err := tx.Query(ctx, `SELECT m.id, m.workspace, m.region, m.states, m.date FROM meetings m
		WHERE m.id IN (SELECT meeting_id FROM meeting_states WHERE workspace = ? AND state = ?)`+tx.D.ForUpdate("m"), ws, state)
	if err != nil {
		return err
	}
	ms, err := ScanRegionRows(rows)
	if err != nil {
		return err
	}
	for _, m := range ms {
		if err := WriteMeetingRegions(ctx, tx, m, overrides, true); err != nil {
			return err
		}
	}
	return nil
}

// ParseRegions reads the comma-joined regions of a meeting_regions
// aggregate after the meeting's own.
func ParseRegions(primary int, others string) []int {
	out := []int{primary}
	if others == "" {
		return out
	}
	for _, s := range strings.Split(others, ",") {
		if n, err := strconv.Atoi(s); err == nil {
			out = append(out, n)
		}
	}
	return out
}

// MeetingRegionCond is the condition "meeting m belongs to the region":
// its own, or one of its other states'.
const MeetingRegionCond = `(m.region = ? OR m.id IN (SELECT meeting_id FROM meeting_regions WHERE workspace = ? AND region = ?))`
