package sqlstore

import (
	"context"
	"database/sql"
	"strings"

	"github.com/getbackhq/getback/bot"
)

// GetbackCols are the columns ScanGetback reads, from GetbackFrom.
const GetbackCols = `g.id, g.workspace, g.meeting_id, g.region, g.number, g.text, g.owner, g.owner_kind, g.assigned_by, g.due,
	g.status, g.done_at, g.done_note, g.snoozed_until, g.created_at, g.updated_at,
	m.region, m.states, m.date`

// GetbackFrom is the FROM clause of GetbackCols: items and their meetings.
const GetbackFrom = `getbacks g LEFT JOIN meetings m ON m.id = g.meeting_id`

// ScanGetback reads a row of GetbackCols.
func ScanGetback(sc Row) (*bot.Getback, error) {
	g := &bot.Getback{}
	var meetingID, region, mRegion sql.NullInt64
	var due, snoozed, mDate Date
	var doneAt, created, updated Time
	var mStates sql.NullString
	if err := sc.Scan(&g.ID, &g.Workspace, &meetingID, &region, &g.Number, &g.Text, &g.Owner, &g.OwnerKind, &g.AssignedBy,
		&due, &g.Status, &doneAt, &g.DoneNote, &snoozed, &created, &updated, &mRegion, &mStates, &mDate); err != nil {
		return nil, err
	}
	g.MeetingID, g.Region = meetingID.Int64, int(region.Int64)
	g.Due, g.SnoozedUntil = due.D, snoozed.D
	g.DoneAt, g.CreatedAt, g.UpdatedAt = doneAt.T, created.T, updated.T
	if meetingID.Valid && mRegion.Valid {
		g.Meeting = &bot.MeetingRef{ID: g.MeetingID, Region: int(mRegion.Int64),
			States: strings.ReplaceAll(mStates.String, StateSep, ", "), Date: mDate.D}
	}
	return g, nil
}

// FindGetbackByID returns one item, or ENOTFOUND.
func (s *Store) FindGetbackByID(ctx context.Context, ws string, id int64) (*bot.Getback, error) {
	var g *bot.Getback
	err := s.read(ctx, func(tx *Tx) error {
		var err error
		g, err = FindGetbackByID(ctx, tx, ws, id, false)
		return err
	})
	return g, err
}

// FindGetbackByID reads an item; lock holds its row until the transaction
// ends.
func FindGetbackByID(ctx context.Context, tx *Tx, ws string, id int64, lock bool) (*bot.Getback, error) {
	q := `SELECT ` + GetbackCols + ` FROM ` + GetbackFrom + ` WHERE g.workspace = ? AND g.id = ?`
	if lock {
		q += tx.D.ForUpdate("g")
	}
	g, err := ScanGetback(tx.QueryRow(ctx, q, ws, id))
	if noRows(err) {
		return nil, bot.Errorf(bot.ENOTFOUND, "No getback #%d.", id)
	}
	return g, err
}

// FindGetbacks returns matching items and their total count.
func (s *Store) FindGetbacks(ctx context.Context, f bot.GetbackFilter) ([]*bot.Getback, int, error) {
	var out []*bot.Getback
	var total int
	err := s.read(ctx, func(tx *Tx) error {
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
		in, inArgs := tx.D.In("g.owner", f.Owners)
		where, args = append(where, in), append(args, inArgs...)
	}
	if f.Status != nil {
		where, args = append(where, "g.status = ?"), append(args, *f.Status)
	}
	if f.MeetingID != nil {
		where, args = append(where, "g.meeting_id = ?"), append(args, *f.MeetingID)
	}
	if f.OverdueOn != nil {
		where, args = append(where, "g.status = 'open' AND g.due_key < ?"), append(args, tx.D.Date(*f.OverdueOn))
	}
	if f.AwakeOn != nil {
		where, args = append(where, "(g.snoozed_until IS NULL OR g.snoozed_until <= ?)"), append(args, tx.D.Date(*f.AwakeOn))
	}
	if f.CreatedFrom != nil {
		where, args = append(where, "g.created_at >= ?"), append(args, tx.D.Time(*f.CreatedFrom))
	}
	if f.CreatedTo != nil {
		where, args = append(where, "g.created_at < ?"), append(args, tx.D.Time(*f.CreatedTo))
	}
	if f.ClosedFrom != nil {
		where, args = append(where, "g.done_at >= ?"), append(args, tx.D.Time(*f.ClosedFrom))
	}
	if f.ClosedTo != nil {
		where, args = append(where, "g.done_at < ?"), append(args, tx.D.Time(*f.ClosedTo))
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
	if err := tx.QueryRow(ctx, `SELECT EXISTS (SELECT 1 FROM meeting_regions WHERE workspace = ? AND region = ?)`,
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

// CountQuery counts the rows of from matching cond, stopping at limit
// when it is positive.
func CountQuery(from, cond string, args []any, limit int) (string, []any) {
	if limit > 0 {
		return `SELECT COUNT(*) FROM (SELECT 1 FROM ` + from + ` WHERE ` + cond + ` LIMIT ?) c`, append(args[:len(args):len(args)], limit)
	}
	return `SELECT COUNT(*) FROM ` + from + ` WHERE ` + cond, args
}

func findGetbacks(ctx context.Context, tx *Tx, f bot.GetbackFilter) ([]*bot.Getback, int, error) {
	cond, args, none, err := getbackWhere(ctx, tx, f)
	if none || err != nil {
		return nil, 0, err
	}
	var total int
	cq, cargs := CountQuery("getbacks g", cond, args, f.CountCap)
	if err := tx.QueryRow(ctx, cq, cargs...).Scan(&total); err != nil {
		return nil, 0, err
	}
	order := "g.id"
	if f.OverdueFirstOn != nil {
		// The earliest due (so the overdue ones) first, undated items last.
		order = "g.due_key, g.id"
	}
	from := GetbackFrom
	if (f.CreatedFrom != nil || f.ClosedFrom != nil) && tx.D.Fence() != "" {
		// A window of creation or closing (a digest's week) is read off its
		// own index first: ordered by id, the planner would walk the whole
		// table from the oldest item, the window being near its end.
		from = `(SELECT * FROM getbacks g WHERE ` + cond + tx.D.Fence() + `) g LEFT JOIN meetings m ON m.id = g.meeting_id`
		cond = "1 = 1"
	}
	lim, args := tx.D.LimitOffset(args, f.Limit, f.Offset)
	out, err := QueryAll(ctx, tx, ScanGetback, `SELECT `+GetbackCols+` FROM `+from+` WHERE `+cond+` ORDER BY `+order+lim, args...)
	return out, total, err
}

// CreateGetback stores g.
func (s *Store) CreateGetback(ctx context.Context, g *bot.Getback) error {
	if err := g.Validate(); err != nil {
		return err
	}
	return s.write(ctx, func(tx *Tx) error {
		if g.MeetingID != 0 {
			m, err := FindMeetingByID(ctx, tx, g.Workspace, g.MeetingID, false)
			if err != nil {
				return err
			}
			g.Region = m.Region
		}
		if err := CreateGetback(ctx, tx, g); err != nil {
			return err
		}
		return QueueNotices(ctx, tx, []*bot.Getback{g}, nil)
	})
}

// CreateGetback stores g, created now, and records it.
func CreateGetback(ctx context.Context, tx *Tx, g *bot.Getback) error {
	g.CreatedAt, g.UpdatedAt = tx.Now, tx.Now
	if g.Status != bot.StatusOpen && g.DoneAt.IsZero() {
		g.DoneAt = tx.Now
	}
	if err := insertGetback(ctx, tx, g); err != nil {
		return err
	}
	return tx.Audit(ctx, g.Workspace, "getback", g.ID, bot.AuditCreate, nil, g)
}

// insertGetback stores g with the instants it carries, without an audit
// entry; an item of a meeting without a number gets the one after the
// meeting's last. Where writers overlap, the meeting's row is locked
// first, so that concurrent adds take turns and never share a number.
func insertGetback(ctx context.Context, tx *Tx, g *bot.Getback) error {
	if g.MeetingID != 0 && g.Number == 0 {
		if lock := tx.D.ForUpdate("meetings"); lock != "" {
			if _, err := tx.Exec(ctx, `SELECT 1 FROM meetings WHERE id = ?`+lock, g.MeetingID); err != nil {
				return err
			}
		}
		if err := tx.QueryRow(ctx, `SELECT COALESCE(MAX(number), 0) + 1 FROM getbacks WHERE meeting_id = ?`,
			g.MeetingID).Scan(&g.Number); err != nil {
			return err
		}
	}
	var meetingID, region any
	if g.MeetingID != 0 {
		meetingID = g.MeetingID
	}
	if g.Region != 0 {
		region = g.Region
	}
	id, _, err := tx.D.Insert(ctx, tx.Q, `INSERT INTO getbacks (workspace, meeting_id, region, number, text, owner, owner_kind,
		assigned_by, due, status, done_at, done_note, snoozed_until, created_at, updated_at)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
		g.Workspace, meetingID, region, g.Number, g.Text, g.Owner, g.OwnerKind, g.AssignedBy, tx.D.NullDate(g.Due), g.Status,
		tx.D.NullTime(g.DoneAt), g.DoneNote, tx.D.NullDate(g.SnoozedUntil), tx.D.Time(g.CreatedAt), tx.D.Time(g.UpdatedAt))
	g.ID = id
	return err
}

// UpdateGetback applies upd to the item and records the change.
func (s *Store) UpdateGetback(ctx context.Context, ws string, id int64, upd bot.GetbackUpdate) (*bot.Getback, error) {
	var g *bot.Getback
	err := s.write(ctx, func(tx *Tx) error {
		before, err := FindGetbackByID(ctx, tx, ws, id, true)
		if err != nil {
			return err
		}
		after := *before
		upd.Apply(&after, tx.Now)
		if err := after.Validate(); err != nil {
			return err
		}
		after.UpdatedAt = tx.Now
		_, err = tx.Exec(ctx, `UPDATE getbacks SET text = ?, owner = ?, owner_kind = ?, assigned_by = ?, due = ?,
			status = ?, done_at = ?, done_note = ?, snoozed_until = ?, updated_at = ? WHERE id = ?`,
			after.Text, after.Owner, after.OwnerKind, after.AssignedBy, tx.D.NullDate(after.Due), after.Status,
			tx.D.NullTime(after.DoneAt), after.DoneNote, tx.D.NullDate(after.SnoozedUntil), tx.D.Time(tx.Now), id)
		if err != nil {
			return err
		}
		g = &after
		if err := tx.Audit(ctx, ws, "getback", id, bot.AuditUpdate, before, &after); err != nil {
			return err
		}
		return QueueNotices(ctx, tx, []*bot.Getback{g}, nil)
	})
	return g, err
}

// SetOwnerMapping maps a label to a user, or removes the mapping when
// UserID is "".
func (s *Store) SetOwnerMapping(ctx context.Context, om bot.OwnerMapping) error {
	if om.Workspace == "" || strings.TrimSpace(om.Label) == "" {
		return bot.Errorf(bot.EINVALID, "An owner label is required.")
	}
	return s.write(ctx, func(tx *Tx) error {
		// The label's lock serializes changes to one mapping, so that the
		// audit's "before" is the value replaced.
		if err := tx.D.LockKey(ctx, tx.Q, "owner", om.Workspace, om.Label); err != nil {
			return err
		}
		var before *bot.OwnerMapping
		var prev string
		err := tx.QueryRow(ctx, `SELECT user_id FROM owner_mappings WHERE workspace = ? AND label = ?`, om.Workspace, om.Label).Scan(&prev)
		switch {
		case err == nil:
			before = &bot.OwnerMapping{Workspace: om.Workspace, Label: om.Label, UserID: prev}
		case !noRows(err):
			return err
		}
		if om.UserID == "" {
			if before == nil {
				return bot.Errorf(bot.ENOTFOUND, "Label %s is not mapped to anyone.", om.Label)
			}
			if _, err := tx.Exec(ctx, `DELETE FROM owner_mappings WHERE workspace = ? AND label = ?`, om.Workspace, om.Label); err != nil {
				return err
			}
			return tx.Audit(ctx, om.Workspace, "owner", om.Label, bot.AuditDelete, before, nil)
		}
		if _, err := tx.Exec(ctx, `INSERT INTO owner_mappings (workspace, label, user_id) VALUES (?, ?, ?)
			ON CONFLICT (workspace, label) DO UPDATE SET user_id = excluded.user_id`, om.Workspace, om.Label, om.UserID); err != nil {
			return err
		}
		action := bot.AuditCreate
		if before != nil {
			action = bot.AuditUpdate
		}
		return tx.Audit(ctx, om.Workspace, "owner", om.Label, action, before, om)
	})
}

// FindOwnerMappings returns the workspace's label mappings, by label.
func (s *Store) FindOwnerMappings(ctx context.Context, ws string) ([]bot.OwnerMapping, error) {
	var out []bot.OwnerMapping
	err := s.read(ctx, func(tx *Tx) error {
		var err error
		out, err = QueryAll(ctx, tx, func(r Row) (bot.OwnerMapping, error) {
			var om bot.OwnerMapping
			err := r.Scan(&om.Workspace, &om.Label, &om.UserID)
			return om, err
		}, `SELECT workspace, label, user_id FROM owner_mappings WHERE workspace = ? ORDER BY label`+tx.D.Bytewise(), ws)
		return err
	})
	return out, err
}

// CountGetbacks counts matching items, up to CountCap when it is set.
func (s *Store) CountGetbacks(ctx context.Context, f bot.GetbackFilter) (int, error) {
	var n int
	err := s.read(ctx, func(tx *Tx) error {
		cond, args, none, err := getbackWhere(ctx, tx, f)
		if none || err != nil {
			return err
		}
		q, qargs := CountQuery("getbacks g", cond, args, f.CountCap)
		return tx.QueryRow(ctx, q, qargs...).Scan(&n)
	})
	return n, err
}

// noDue is the due_key of an item without a due date: after every date.
var noDue = bot.NewDate(9999, 12, 31)

// CountGetbacksByOwner counts matching items per owner.
func (s *Store) CountGetbacksByOwner(ctx context.Context, f bot.GetbackFilter) ([]bot.OwnerCount, error) {
	var out []bot.OwnerCount
	err := s.read(ctx, func(tx *Tx) error {
		cond, args, none, err := getbackWhere(ctx, tx, f)
		if none || err != nil {
			return err
		}
		out, err = QueryAll(ctx, tx, func(r Row) (bot.OwnerCount, error) {
			var oc bot.OwnerCount
			var due Date
			err := r.Scan(&oc.Owner, &oc.OwnerKind, &oc.Count, &due)
			oc.OldestDue = due.D
			return oc, err
		}, `SELECT g.owner, g.owner_kind, COUNT(*), MIN(NULLIF(g.due_key, ?)) FROM getbacks g
			WHERE `+cond+` GROUP BY g.owner, g.owner_kind ORDER BY COUNT(*) DESC, g.owner`+tx.D.Bytewise(),
			append([]any{tx.D.Date(noDue)}, args...)...)
		return err
	})
	return out, err
}
