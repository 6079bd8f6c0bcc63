package postgres

import (
	"context"
	"errors"
	"strings"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgtype"

	"github.com/getbackhq/getback/bot"
)

// Ensure DB implements the getback service.
var _ bot.GetbackService = (*DB)(nil)

const getbackCols = `g.id, g.workspace, g.meeting_id, g.region, g.number, g.text, g.owner, g.owner_kind, g.assigned_by, g.due,
	g.status, g.done_at, g.done_note, g.snoozed_until, g.created_at, g.updated_at,
	m.region, m.states, m.date`

const getbackFrom = `getbacks g LEFT JOIN meetings m ON m.id = g.meeting_id`

func scanGetback(sc pgx.Row) (*bot.Getback, error) {
	g := &bot.Getback{}
	var meetingID pgtype.Int8
	var region, mRegion pgtype.Int4
	var due, snoozed, mDate pgtype.Date
	var doneAt pgtype.Timestamptz
	var mStates pgtype.Text
	if err := sc.Scan(&g.ID, &g.Workspace, &meetingID, &region, &g.Number, &g.Text, &g.Owner, &g.OwnerKind, &g.AssignedBy,
		&due, &g.Status, &doneAt, &g.DoneNote, &snoozed, &g.CreatedAt, &g.UpdatedAt, &mRegion, &mStates, &mDate); err != nil {
		return nil, err
	}
	g.MeetingID, g.Region = meetingID.Int64, int(region.Int32)
	g.Due, g.SnoozedUntil = dateOf(due), dateOf(snoozed)
	g.DoneAt = timeOf(doneAt)
	g.CreatedAt, g.UpdatedAt = g.CreatedAt.UTC(), g.UpdatedAt.UTC()
	if meetingID.Valid && mRegion.Valid {
		g.Meeting = &bot.MeetingRef{ID: g.MeetingID, Region: int(mRegion.Int32),
			States: strings.ReplaceAll(mStates.String, stateSep, ", "), Date: dateOf(mDate)}
	}
	return g, nil
}

// FindGetbackByID returns one item, or ENOTFOUND.
func (db *DB) FindGetbackByID(ctx context.Context, ws string, id int64) (*bot.Getback, error) {
	var g *bot.Getback
	err := db.read(ctx, func(tx *Tx) error {
		var err error
		g, err = findGetbackByID(ctx, tx, ws, id, false)
		return err
	})
	return g, err
}

// findGetbackByID reads an item; lock holds its row until the transaction
// ends.
func findGetbackByID(ctx context.Context, tx *Tx, ws string, id int64, lock bool) (*bot.Getback, error) {
	q := `SELECT ` + getbackCols + ` FROM ` + getbackFrom + ` WHERE g.workspace = ? AND g.id = ?`
	if lock {
		q += ` FOR UPDATE OF g`
	}
	g, err := scanGetback(tx.queryRow(ctx, q, ws, id))
	if errors.Is(err, pgx.ErrNoRows) {
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
		where, args = append(where, "g.owner = ANY(?)"), append(args, f.Owners)
	}
	if f.Status != nil {
		where, args = append(where, "g.status = ?"), append(args, *f.Status)
	}
	if f.MeetingID != nil {
		where, args = append(where, "g.meeting_id = ?"), append(args, *f.MeetingID)
	}
	if f.OverdueOn != nil {
		where, args = append(where, "g.status = 'open' AND g.due_key < ?"), append(args, dateArg(*f.OverdueOn))
	}
	if f.AwakeOn != nil {
		where, args = append(where, "(g.snoozed_until IS NULL OR g.snoozed_until <= ?)"), append(args, dateArg(*f.AwakeOn))
	}
	if f.CreatedFrom != nil {
		where, args = append(where, "g.created_at >= ?"), append(args, f.CreatedFrom.UTC())
	}
	if f.CreatedTo != nil {
		where, args = append(where, "g.created_at < ?"), append(args, f.CreatedTo.UTC())
	}
	if f.ClosedFrom != nil {
		where, args = append(where, "g.done_at >= ?"), append(args, f.ClosedFrom.UTC())
	}
	if f.ClosedTo != nil {
		where, args = append(where, "g.done_at < ?"), append(args, f.ClosedTo.UTC())
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
	if err := tx.queryRow(ctx, `SELECT EXISTS (SELECT 1 FROM meeting_regions WHERE workspace = ? AND region = ?)`,
		f.Workspace, r).Scan(&spans); err != nil {
		return "", nil, false, err
	}
	if !spans {
		return base + " AND g.region = ?", append(args, r), false, nil
	}
	// Otherwise each side of the OR repeats the whole filter, so that each
	// is answered from an index and the two are united.
	either := "(" + base + " AND g.region = ?) OR (" + base +
		" AND g.region <> ? AND g.meeting_id IN (SELECT meeting_id FROM meeting_regions WHERE workspace = ? AND region = ?))"
	all := make([]any, 0, 2*len(args)+4)
	all = append(append(all, args...), r)
	all = append(append(all, args...), r, f.Workspace, r)
	return "(" + either + ")", all, false, nil
}

func findGetbacks(ctx context.Context, tx *Tx, f bot.GetbackFilter) ([]*bot.Getback, int, error) {
	cond, args, none, err := getbackWhere(ctx, tx, f)
	if none || err != nil {
		return nil, 0, err
	}
	var total int
	cq, cargs := countQuery("getbacks g", cond, args, f.CountCap)
	if err := tx.queryRow(ctx, cq, cargs...).Scan(&total); err != nil {
		return nil, 0, err
	}
	order := "g.id"
	if f.OverdueFirstOn != nil {
		// The earliest due (so the overdue ones) first, undated items last.
		order = "g.due_key, g.id"
	}
	from := getbackFrom
	if f.CreatedFrom != nil || f.ClosedFrom != nil {
		// A window of creation or closing (a digest's week) is read off its
		// own index first: ordered by id, the planner would walk the whole
		// table from the oldest item, the window being near its end.
		from = `(SELECT * FROM getbacks g WHERE ` + cond + ` OFFSET 0) g LEFT JOIN meetings m ON m.id = g.meeting_id`
		cond = "true"
	}
	lim, args := limitOffset(args, f.Limit, f.Offset)
	rows, err := tx.query(ctx, `SELECT `+getbackCols+` FROM `+from+` WHERE `+cond+` ORDER BY `+order+lim, args...)
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
			m, err := findMeetingByID(ctx, tx, g.Workspace, g.MeetingID, false)
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
// one after the meeting's last. The meeting's row is locked first, so
// that concurrent adds, on any replica, take turns and never share a
// number.
func createGetback(ctx context.Context, tx *Tx, g *bot.Getback) error {
	if g.MeetingID != 0 && g.Number == 0 {
		if _, err := tx.exec(ctx, `SELECT 1 FROM meetings WHERE id = ? FOR UPDATE`, g.MeetingID); err != nil {
			return err
		}
		if err := tx.queryRow(ctx, `SELECT COALESCE(MAX(number), 0) + 1 FROM getbacks WHERE meeting_id = ?`,
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
	err := tx.queryRow(ctx, `INSERT INTO getbacks (workspace, meeting_id, region, number, text, owner, owner_kind,
		assigned_by, due, status, done_at, done_note, snoozed_until, created_at, updated_at)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id`,
		g.Workspace, meetingID, region, g.Number, g.Text, g.Owner, g.OwnerKind, g.AssignedBy, dateArg(g.Due), g.Status,
		timeArg(g.DoneAt), g.DoneNote, dateArg(g.SnoozedUntil), tx.now, tx.now).Scan(&g.ID)
	if err != nil {
		return err
	}
	return tx.audit(ctx, g.Workspace, "getback", g.ID, bot.AuditCreate, nil, g)
}

// UpdateGetback applies upd to the item and records the change.
func (db *DB) UpdateGetback(ctx context.Context, ws string, id int64, upd bot.GetbackUpdate) (*bot.Getback, error) {
	var g *bot.Getback
	err := db.write(ctx, func(tx *Tx) error {
		before, err := findGetbackByID(ctx, tx, ws, id, true)
		if err != nil {
			return err
		}
		after := *before
		upd.Apply(&after, tx.now)
		if err := after.Validate(); err != nil {
			return err
		}
		after.UpdatedAt = tx.now
		_, err = tx.exec(ctx, `UPDATE getbacks SET text = ?, owner = ?, owner_kind = ?, assigned_by = ?, due = ?,
			status = ?, done_at = ?, done_note = ?, snoozed_until = ?, updated_at = ? WHERE id = ?`,
			after.Text, after.Owner, after.OwnerKind, after.AssignedBy, dateArg(after.Due), after.Status,
			timeArg(after.DoneAt), after.DoneNote, dateArg(after.SnoozedUntil), tx.now, id)
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
		// The label's lock serializes changes to one mapping across replicas,
		// so that the audit's "before" is the value replaced.
		if err := tx.lockKey(ctx, "owner", om.Workspace, om.Label); err != nil {
			return err
		}
		var before *bot.OwnerMapping
		var prev string
		err := tx.queryRow(ctx, `SELECT user_id FROM owner_mappings WHERE workspace = ? AND label = ?`, om.Workspace, om.Label).Scan(&prev)
		switch {
		case err == nil:
			before = &bot.OwnerMapping{Workspace: om.Workspace, Label: om.Label, UserID: prev}
		case !errors.Is(err, pgx.ErrNoRows):
			return err
		}
		if om.UserID == "" {
			if before == nil {
				return bot.Errorf(bot.ENOTFOUND, "Label %s is not mapped to anyone.", om.Label)
			}
			if _, err := tx.exec(ctx, `DELETE FROM owner_mappings WHERE workspace = ? AND label = ?`, om.Workspace, om.Label); err != nil {
				return err
			}
			return tx.audit(ctx, om.Workspace, "owner", om.Label, bot.AuditDelete, before, nil)
		}
		if _, err := tx.exec(ctx, `INSERT INTO owner_mappings (workspace, label, user_id) VALUES (?, ?, ?)
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
	return readAll(ctx, db, func(r pgx.Row) (bot.OwnerMapping, error) {
		var om bot.OwnerMapping
		err := r.Scan(&om.Workspace, &om.Label, &om.UserID)
		return om, err
	}, `SELECT workspace, label, user_id FROM owner_mappings WHERE workspace = ? ORDER BY label COLLATE "C"`, ws)
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
		return tx.queryRow(ctx, q, qargs...).Scan(&n)
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
		out, err = queryAll(ctx, tx, func(r pgx.Row) (bot.OwnerCount, error) {
			var oc bot.OwnerCount
			var due pgtype.Date
			err := r.Scan(&oc.Owner, &oc.OwnerKind, &oc.Count, &due)
			oc.OldestDue = dateOf(due)
			return oc, err
		}, `SELECT g.owner, g.owner_kind, COUNT(*), MIN(NULLIF(g.due_key, DATE '9999-12-31')) FROM getbacks g
			WHERE `+cond+` GROUP BY g.owner, g.owner_kind ORDER BY COUNT(*) DESC, g.owner COLLATE "C"`, args...)
		return err
	})
	return out, err
}
