package sqlite

import (
	"context"
	"database/sql"
	"strings"

	"github.com/getbackhq/getback/bot"
)

// Ensure DB implements the getback service.
var _ bot.GetbackService = (*DB)(nil)

const getbackCols = `g.id, g.workspace, g.meeting_id, g.region, g.number, g.text, g.owner, g.owner_kind, g.assigned_by, g.due,
	g.status, g.done_at, g.done_note, g.snoozed_until, g.created_at, g.updated_at,
	m.region, m.states, m.date`

const getbackFrom = `getbacks g LEFT JOIN meetings m ON m.id = g.meeting_id`

func scanGetback(sc interface{ Scan(...any) error }) (*bot.Getback, error) {
	g := &bot.Getback{}
	var meetingID, region, mRegion sql.NullInt64
	var due, doneAt, snoozed, mStates, mDate sql.NullString
	var created, updated string
	if err := sc.Scan(&g.ID, &g.Workspace, &meetingID, &region, &g.Number, &g.Text, &g.Owner, &g.OwnerKind, &g.AssignedBy,
		&due, &g.Status, &doneAt, &g.DoneNote, &snoozed, &created, &updated, &mRegion, &mStates, &mDate); err != nil {
		return nil, err
	}
	g.MeetingID, g.Region = meetingID.Int64, int(region.Int64)
	g.Due, g.SnoozedUntil = parseDate(due), parseDate(snoozed)
	g.DoneAt = parseTime(doneAt)
	g.CreatedAt, g.UpdatedAt = parseTime(nullStr(created)), parseTime(nullStr(updated))
	if meetingID.Valid && mRegion.Valid {
		g.Meeting = &bot.MeetingRef{ID: g.MeetingID, Region: int(mRegion.Int64),
			States: strings.ReplaceAll(mStates.String, stateSep, ", "), Date: parseDate(mDate)}
	}
	return g, nil
}

// FindGetbackByID returns one item, or ENOTFOUND.
func (db *DB) FindGetbackByID(ctx context.Context, ws string, id int64) (*bot.Getback, error) {
	var g *bot.Getback
	err := db.read(ctx, func(tx *Tx) error {
		var err error
		g, err = findGetbackByID(ctx, tx, ws, id)
		return err
	})
	return g, err
}

func findGetbackByID(ctx context.Context, tx *Tx, ws string, id int64) (*bot.Getback, error) {
	g, err := scanGetback(tx.QueryRowContext(ctx, `SELECT `+getbackCols+` FROM `+getbackFrom+` WHERE g.workspace = ? AND g.id = ?`, ws, id))
	if err == sql.ErrNoRows {
		return nil, bot.Errorf(bot.ENOTFOUND, "No getback #%d.", id)
	}
	return g, err
}

// FindGetbacks returns matching items and their total count.
func (db *DB) FindGetbacks(ctx context.Context, f bot.GetbackFilter) ([]*bot.Getback, int, error) {
	var out []*bot.Getback
	var total int
	err := db.read(ctx, func(tx *Tx) error {
		var err error
		out, total, err = findGetbacks(ctx, tx, f)
		return err
	})
	return out, total, err
}

// getbackWhere builds the WHERE clause of a filter; none is true when the
// filter can match nothing.
func getbackWhere(ctx context.Context, tx *Tx, f bot.GetbackFilter) (cond string, args []any, none bool, err error) {
	where, args := []string{"g.workspace = ?"}, []any{f.Workspace}
	if f.ID != nil {
		where, args = append(where, "g.id = ?"), append(args, *f.ID)
	}
	if f.Owners != nil {
		if len(f.Owners) == 0 {
			return "", nil, true, nil
		}
		where = append(where, "g.owner IN ("+placeholders(len(f.Owners))+")")
		for _, o := range f.Owners {
			args = append(args, o)
		}
	}
	if f.Status != nil {
		where, args = append(where, "g.status = ?"), append(args, *f.Status)
	}
	if f.MeetingID != nil {
		where, args = append(where, "g.meeting_id = ?"), append(args, *f.MeetingID)
	}
	if f.OverdueOn != nil {
		where, args = append(where, "g.status = 'open' AND g.due_key < ?"), append(args, f.OverdueOn.String())
	}
	if f.AwakeOn != nil {
		where, args = append(where, "(g.snoozed_until IS NULL OR g.snoozed_until <= ?)"), append(args, f.AwakeOn.String())
	}
	if f.CreatedFrom != nil {
		where, args = append(where, "g.created_at >= ?"), append(args, formatTime(*f.CreatedFrom))
	}
	if f.CreatedTo != nil {
		where, args = append(where, "g.created_at < ?"), append(args, formatTime(*f.CreatedTo))
	}
	if f.ClosedFrom != nil {
		where, args = append(where, "g.done_at >= ?"), append(args, formatTime(*f.ClosedFrom))
	}
	if f.ClosedTo != nil {
		where, args = append(where, "g.done_at < ?"), append(args, formatTime(*f.ClosedTo))
	}
	base := strings.Join(where, " AND ")
	if f.Region == nil {
		return base, args, false, nil
	}
	// An item belongs to its meeting's regions, all of them: its own
	// (g.region), and those of the meeting's other states. Most regions
	// have no meeting that spans another: one indexed look settles that,
	// and the plain condition is used.
	r := *f.Region
	var spans bool
	if err := tx.QueryRowContext(ctx, `SELECT EXISTS (SELECT 1 FROM meeting_regions WHERE workspace = ? AND region = ?)`,
		f.Workspace, r).Scan(&spans); err != nil {
		return "", nil, false, err
	}
	if !spans {
		return base + " AND g.region = ?", append(args, r), false, nil
	}
	// Otherwise each side of the OR repeats the whole filter, so that
	// SQLite answers each from an index and unites the two.
	either := "(" + base + " AND g.region = ?) OR (" + base +
		" AND g.region <> ? AND g.meeting_id IN (SELECT meeting_id FROM meeting_regions WHERE workspace = ? AND region = ?))"
	all := make([]any, 0, 2*len(args)+4)
	all = append(append(all, args...), r)
	all = append(append(all, args...), r, f.Workspace, r)
	return "(" + either + ")", all, false, nil
}

// countQuery counts matching rows, stopping at limit when positive.
func countQuery(from, cond string, args []any, limit int) (string, []any) {
	if limit > 0 {
		return `SELECT COUNT(*) FROM (SELECT 1 FROM ` + from + ` WHERE ` + cond + ` LIMIT ?)`, append(args[:len(args):len(args)], limit)
	}
	return `SELECT COUNT(*) FROM ` + from + ` WHERE ` + cond, args
}

func findGetbacks(ctx context.Context, tx *Tx, f bot.GetbackFilter) ([]*bot.Getback, int, error) {
	cond, args, none, err := getbackWhere(ctx, tx, f)
	if none || err != nil {
		return nil, 0, err
	}
	var total int
	cq, cargs := countQuery("getbacks g", cond, args, f.CountCap)
	if err := tx.QueryRowContext(ctx, cq, cargs...).Scan(&total); err != nil {
		return nil, 0, err
	}
	order := "g.id"
	if f.OverdueFirstOn != nil {
		// The earliest due (so the overdue ones) first, undated items last.
		order = "g.due_key, g.id"
	}
	lim, args := limitOffset(args, f.Limit, f.Offset)
	rows, err := tx.QueryContext(ctx, `SELECT `+getbackCols+` FROM `+getbackFrom+` WHERE `+cond+` ORDER BY `+order+lim, args...)
	if err != nil {
		return nil, 0, err
	}
	defer rows.Close()
	var out []*bot.Getback
	for rows.Next() {
		g, err := scanGetback(rows)
		if err != nil {
			return nil, 0, err
		}
		out = append(out, g)
	}
	return out, total, rows.Err()
}

// CreateGetback stores g.
func (db *DB) CreateGetback(ctx context.Context, g *bot.Getback) error {
	if err := g.Validate(); err != nil {
		return err
	}
	return db.write(ctx, func(tx *Tx) error {
		if g.MeetingID != 0 {
			m, err := findMeetingByID(ctx, tx, g.Workspace, g.MeetingID)
			if err != nil {
				return err
			}
			g.Region = m.Region
		}
		if err := createGetback(ctx, tx, g); err != nil {
			return err
		}
		return queueNotices(ctx, tx, []*bot.Getback{g}, nil)
	})
}

// createGetback stores g; an item of a meeting without a number gets the
// one after the meeting's last, read in the same write transaction, so that
// concurrent adds never share a number.
func createGetback(ctx context.Context, tx *Tx, g *bot.Getback) error {
	if g.MeetingID != 0 && g.Number == 0 {
		if err := tx.QueryRowContext(ctx, `SELECT COALESCE(MAX(number), 0) + 1 FROM getbacks WHERE meeting_id = ?`,
			g.MeetingID).Scan(&g.Number); err != nil {
			return err
		}
	}
	g.CreatedAt, g.UpdatedAt = tx.now, tx.now
	if g.Status != bot.StatusOpen && g.DoneAt.IsZero() {
		g.DoneAt = tx.now
	}
	var meetingID, region any
	if g.MeetingID != 0 {
		meetingID = g.MeetingID
	}
	if g.Region != 0 {
		region = g.Region
	}
	res, err := tx.ExecContext(ctx, `INSERT INTO getbacks (workspace, meeting_id, region, number, text, owner, owner_kind,
		assigned_by, due, status, done_at, done_note, snoozed_until, created_at, updated_at)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
		g.Workspace, meetingID, region, g.Number, g.Text, g.Owner, g.OwnerKind, g.AssignedBy, nullDate(g.Due), g.Status,
		nullTime(g.DoneAt), g.DoneNote, nullDate(g.SnoozedUntil), formatTime(tx.now), formatTime(tx.now))
	if err != nil {
		return err
	}
	if g.ID, err = res.LastInsertId(); err != nil {
		return err
	}
	return tx.audit(ctx, g.Workspace, "getback", g.ID, bot.AuditCreate, nil, g)
}

// UpdateGetback applies upd to the item and records the change.
func (db *DB) UpdateGetback(ctx context.Context, ws string, id int64, upd bot.GetbackUpdate) (*bot.Getback, error) {
	var g *bot.Getback
	err := db.write(ctx, func(tx *Tx) error {
		before, err := findGetbackByID(ctx, tx, ws, id)
		if err != nil {
			return err
		}
		after := *before
		upd.Apply(&after, tx.now)
		if err := after.Validate(); err != nil {
			return err
		}
		after.UpdatedAt = tx.now
		_, err = tx.ExecContext(ctx, `UPDATE getbacks SET text = ?, owner = ?, owner_kind = ?, assigned_by = ?, due = ?,
			status = ?, done_at = ?, done_note = ?, snoozed_until = ?, updated_at = ? WHERE id = ?`,
			after.Text, after.Owner, after.OwnerKind, after.AssignedBy, nullDate(after.Due), after.Status,
			nullTime(after.DoneAt), after.DoneNote, nullDate(after.SnoozedUntil), formatTime(tx.now), id)
		if err != nil {
			return err
		}
		g = &after
		if err := tx.audit(ctx, ws, "getback", id, bot.AuditUpdate, before, &after); err != nil {
			return err
		}
		return queueNotices(ctx, tx, []*bot.Getback{g}, nil)
	})
	return g, err
}

// SetOwnerMapping maps a label to a user, or removes the mapping when
// UserID is "".
func (db *DB) SetOwnerMapping(ctx context.Context, om bot.OwnerMapping) error {
	if om.Workspace == "" || strings.TrimSpace(om.Label) == "" {
		return bot.Errorf(bot.EINVALID, "An owner label is required.")
	}
	return db.write(ctx, func(tx *Tx) error {
		var before *bot.OwnerMapping
		var prev string
		err := tx.QueryRowContext(ctx, `SELECT user_id FROM owner_mappings WHERE workspace = ? AND label = ?`, om.Workspace, om.Label).Scan(&prev)
		switch {
		case err == nil:
			before = &bot.OwnerMapping{Workspace: om.Workspace, Label: om.Label, UserID: prev}
		case err != sql.ErrNoRows:
			return err
		}
		if om.UserID == "" {
			if before == nil {
				return bot.Errorf(bot.ENOTFOUND, "Label %s is not mapped to anyone.", om.Label)
			}
			if _, err := tx.ExecContext(ctx, `DELETE FROM owner_mappings WHERE workspace = ? AND label = ?`, om.Workspace, om.Label); err != nil {
				return err
			}
			return tx.audit(ctx, om.Workspace, "owner", om.Label, bot.AuditDelete, before, nil)
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO owner_mappings (workspace, label, user_id) VALUES (?, ?, ?)
			ON CONFLICT (workspace, label) DO UPDATE SET user_id = excluded.user_id`, om.Workspace, om.Label, om.UserID); err != nil {
			return err
		}
		action := bot.AuditCreate
		if before != nil {
			action = bot.AuditUpdate
		}
		return tx.audit(ctx, om.Workspace, "owner", om.Label, action, before, om)
	})
}

// FindOwnerMappings returns the workspace's label mappings, by label.
func (db *DB) FindOwnerMappings(ctx context.Context, ws string) ([]bot.OwnerMapping, error) {
	var out []bot.OwnerMapping
	err := db.read(ctx, func(tx *Tx) error {
		rows, err := tx.QueryContext(ctx, `SELECT workspace, label, user_id FROM owner_mappings WHERE workspace = ? ORDER BY label`, ws)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			var om bot.OwnerMapping
			if err := rows.Scan(&om.Workspace, &om.Label, &om.UserID); err != nil {
				return err
			}
			out = append(out, om)
		}
		return rows.Err()
	})
	return out, err
}

// CountGetbacks counts matching items, up to CountCap when it is set.
func (db *DB) CountGetbacks(ctx context.Context, f bot.GetbackFilter) (int, error) {
	var n int
	err := db.read(ctx, func(tx *Tx) error {
		cond, args, none, err := getbackWhere(ctx, tx, f)
		if none || err != nil {
			return err
		}
		q, qargs := countQuery("getbacks g", cond, args, f.CountCap)
		return tx.QueryRowContext(ctx, q, qargs...).Scan(&n)
	})
	return n, err
}

// CountGetbacksByOwner counts matching items per owner.
func (db *DB) CountGetbacksByOwner(ctx context.Context, f bot.GetbackFilter) ([]bot.OwnerCount, error) {
	var out []bot.OwnerCount
	err := db.read(ctx, func(tx *Tx) error {
		cond, args, none, err := getbackWhere(ctx, tx, f)
		if none || err != nil {
			return err
		}
		rows, err := tx.QueryContext(ctx, `SELECT g.owner, g.owner_kind, COUNT(*), MIN(NULLIF(g.due_key, '9999-12-31')) FROM getbacks g
			WHERE `+cond+` GROUP BY g.owner, g.owner_kind ORDER BY COUNT(*) DESC, g.owner`, args...)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			var oc bot.OwnerCount
			var due sql.NullString
			if err := rows.Scan(&oc.Owner, &oc.OwnerKind, &oc.Count, &due); err != nil {
				return err
			}
			oc.OldestDue = parseDate(due)
			out = append(out, oc)
		}
		return rows.Err()
	})
	return out, err
}
