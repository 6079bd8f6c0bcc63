package sqlstore

import (
	"context"
	"database/sql"
	"strings"

	"github.com/getbackhq/getback/bot"
)

// MeetingCols are the columns ScanMeeting reads, from "meetings m".
const MeetingCols = `m.id, m.workspace, m.region, m.states, m.location, m.date, m.date_status, m.poc, m.attendees,
	m.discussion, m.concerns, m.followup, m.awareness, m.action, m.next, m.next_date, m.notes, m.source_key,
	m.import_hash, m.created_by, m.created_at, m.updated_at,
	(SELECT string_agg(CAST(r.region AS TEXT), ',') FROM meeting_regions r WHERE r.meeting_id = m.id)`

// ScanMeeting reads a row of MeetingCols, then into extra the columns
// that follow them.
func ScanMeeting(sc Row, extra ...any) (*bot.Meeting, error) {
	m := &bot.Meeting{}
	var states string
	var date, nextDate Date
	var sourceKey, others sql.NullString
	var created, updated Time
	dest := []any{&m.ID, &m.Workspace, &m.Region, &states, &m.Location, &date, &m.DateStatus, &m.POC, &m.Attendees,
		&m.Discussion, &m.Concerns, &m.FollowUp, &m.Awareness, &m.Action, &m.Next, &nextDate, &m.Notes, &sourceKey,
		&m.ImportHash, &m.CreatedBy, &created, &updated, &others}
	if err := sc.Scan(append(dest, extra...)...); err != nil {
		return nil, err
	}
	if states != "" {
		m.States = strings.Split(states, StateSep)
	}
	m.Date, m.NextDate = date.D, nextDate.D
	m.SourceKey = sourceKey.String
	m.Regions = ParseRegions(m.Region, others.String)
	m.CreatedAt, m.UpdatedAt = created.T, updated.T
	return m, nil
}

// FindMeetingByID returns one meeting, or ENOTFOUND.
func (s *Store) FindMeetingByID(ctx context.Context, ws string, id int64) (*bot.Meeting, error) {
	var m *bot.Meeting
	err := s.read(ctx, func(tx *Tx) error {
		var err error
		m, err = FindMeetingByID(ctx, tx, ws, id, false)
		return err
	})
	return m, err
}

// FindMeetingByID reads a meeting; lock holds its row until the
// transaction ends, so that a read-then-write on it is not interleaved
// with another writer's.
func FindMeetingByID(ctx context.Context, tx *Tx, ws string, id int64, lock bool) (*bot.Meeting, error) {
	q := `SELECT ` + MeetingCols + ` FROM meetings m WHERE m.workspace = ? AND m.id = ?`
	if lock {
		q += tx.D.ForUpdate("m")
	}
	m, err := ScanMeeting(tx.QueryRow(ctx, q, ws, id))
	if noRows(err) {
		return nil, bot.Errorf(bot.ENOTFOUND, "No meeting #%d.", id)
	}
	return m, err
}

// CreateMeeting stores m and m.Getbacks in one transaction.
func (s *Store) CreateMeeting(ctx context.Context, m *bot.Meeting) error {
	if err := m.Validate(); err != nil {
		return err
	}
	return s.write(ctx, func(tx *Tx) error {
		if err := InsertMeeting(ctx, tx, m); err != nil {
			return err
		}
		if err := tx.D.IndexMeeting(ctx, tx.Q, nil, m); err != nil {
			return err
		}
		return QueueNotices(ctx, tx, m.Getbacks, m)
	})
}

// CreateMeetings stores many meetings in one transaction, indexing their
// text for search at the end.
func (s *Store) CreateMeetings(ctx context.Context, ms []*bot.Meeting) error {
	if len(ms) == 0 {
		return nil
	}
	for _, m := range ms {
		if err := m.Validate(); err != nil {
			return err
		}
	}
	return s.write(ctx, func(tx *Tx) error {
		for _, m := range ms {
			if err := InsertMeeting(ctx, tx, m); err != nil {
				return err
			}
		}
		return tx.D.IndexNewMeetings(ctx, tx.Q, ms)
	})
}

// InsertMeeting stores m, its state tags and regions, its getbacks and the
// audit entry, but leaves a full-text index kept apart (IndexMeeting) to
// the caller.
func InsertMeeting(ctx context.Context, tx *Tx, m *bot.Meeting) error {
	if err := insertMeetingRow(ctx, tx, m); err != nil {
		return err
	}
	if err := tx.Audit(ctx, m.Workspace, "meeting", m.ID, bot.AuditCreate, nil, m); err != nil {
		return err
	}
	for _, g := range m.Getbacks {
		g.Workspace, g.MeetingID, g.Region = m.Workspace, m.ID, m.Region
		if err := g.Validate(); err != nil {
			return err
		}
		if err := CreateGetback(ctx, tx, g); err != nil {
			return err
		}
	}
	return nil
}

// insertMeetingRow stores m, its state tags and regions: not its getbacks,
// nor an audit entry.
func insertMeetingRow(ctx context.Context, tx *Tx, m *bot.Meeting) error {
	m.CreatedAt, m.UpdatedAt = tx.Now, tx.Now
	if m.CreatedBy == "" {
		m.CreatedBy = bot.ActorFrom(ctx).UserID
	}
	now := tx.D.Time(tx.Now)
	id, _, err := tx.D.Insert(ctx, tx.Q, `INSERT INTO meetings (workspace, region, states, location, date, date_status, poc,
		attendees, discussion, concerns, followup, awareness, action, next, next_date, notes, source_key, import_hash,
		created_by, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
		m.Workspace, m.Region, strings.Join(m.States, StateSep), m.Location, tx.D.NullDate(m.Date), m.DateStatus, m.POC,
		m.Attendees, m.Discussion, m.Concerns, m.FollowUp, m.Awareness, m.Action, m.Next, tx.D.NullDate(m.NextDate), m.Notes,
		NullString(m.SourceKey), m.ImportHash, m.CreatedBy, now, now)
	if err != nil {
		return err
	}
	m.ID = id
	if err := writeMeetingStates(ctx, tx, m, false); err != nil {
		return err
	}
	return SyncMeetingRegions(ctx, tx, m, false)
}

func writeMeetingStates(ctx context.Context, tx *Tx, m *bot.Meeting, replace bool) error {
	if replace {
		if _, err := tx.Exec(ctx, `DELETE FROM meeting_states WHERE meeting_id = ?`, m.ID); err != nil {
			return err
		}
	}
	for _, s := range m.States {
		if _, err := tx.Exec(ctx, `INSERT INTO meeting_states (meeting_id, state, workspace, date) VALUES (?, ?, ?, ?)
			ON CONFLICT DO NOTHING`, m.ID, s, m.Workspace, tx.D.NullDate(m.Date)); err != nil {
			return err
		}
	}
	return nil
}

// UpdateMeeting applies upd to the meeting and records the change.
func (s *Store) UpdateMeeting(ctx context.Context, ws string, id int64, upd bot.MeetingUpdate) (*bot.Meeting, error) {
	var m *bot.Meeting
	err := s.write(ctx, func(tx *Tx) error {
		var err error
		if m, err = UpdateMeeting(ctx, tx, ws, id, upd); err != nil {
			return err
		}
		return QueueNotices(ctx, tx, m.Getbacks, m)
	})
	return m, err
}

// UpdateMeeting applies upd to the meeting in tx, records the change and
// adds upd's getbacks, which the result holds.
func UpdateMeeting(ctx context.Context, tx *Tx, ws string, id int64, upd bot.MeetingUpdate) (*bot.Meeting, error) {
	before, err := FindMeetingByID(ctx, tx, ws, id, true)
	if err != nil {
		return nil, err
	}
	m := *before
	upd.Apply(&m)
	if err := m.Validate(); err != nil {
		return nil, err
	}
	m.UpdatedAt = tx.Now
	_, err = tx.Exec(ctx, `UPDATE meetings SET region = ?, states = ?, location = ?, date = ?, date_status = ?,
		poc = ?, attendees = ?, discussion = ?, concerns = ?, followup = ?, awareness = ?, action = ?, next = ?,
		next_date = ?, notes = ?, import_hash = ?, updated_at = ? WHERE id = ?`,
		m.Region, strings.Join(m.States, StateSep), m.Location, tx.D.NullDate(m.Date), m.DateStatus, m.POC, m.Attendees,
		m.Discussion, m.Concerns, m.FollowUp, m.Awareness, m.Action, m.Next, tx.D.NullDate(m.NextDate), m.Notes,
		m.ImportHash, tx.D.Time(tx.Now), id)
	if err != nil {
		return nil, err
	}
	if upd.States != nil || m.Date != before.Date {
		if err := writeMeetingStates(ctx, tx, &m, true); err != nil {
			return nil, err
		}
	}
	if upd.States != nil || m.Date != before.Date || m.Region != before.Region {
		if err := SyncMeetingRegions(ctx, tx, &m, true); err != nil {
			return nil, err
		}
	}
	if err := tx.D.IndexMeeting(ctx, tx.Q, before, &m); err != nil {
		return nil, err
	}
	if m.Region != before.Region {
		if _, err := tx.Exec(ctx, `UPDATE getbacks SET region = ? WHERE meeting_id = ?`, m.Region, id); err != nil {
			return nil, err
		}
	}
	if err := tx.Audit(ctx, ws, "meeting", id, bot.AuditUpdate, before, &m); err != nil {
		return nil, err
	}
	for _, g := range upd.AddGetbacks {
		g.Workspace, g.MeetingID, g.Region = ws, id, m.Region
		if err := g.Validate(); err != nil {
			return nil, err
		}
		if err := CreateGetback(ctx, tx, g); err != nil {
			return nil, err
		}
	}
	m.Getbacks = upd.AddGetbacks
	return &m, nil
}

// DeleteMeeting removes a meeting; its getbacks remain, unlinked.
func (s *Store) DeleteMeeting(ctx context.Context, ws string, id int64) error {
	return s.write(ctx, func(tx *Tx) error {
		before, err := FindMeetingByID(ctx, tx, ws, id, true)
		if err != nil {
			return err
		}
		if err := tx.D.IndexMeeting(ctx, tx.Q, before, nil); err != nil {
			return err
		}
		if _, err := tx.Exec(ctx, `DELETE FROM meetings WHERE id = ?`, id); err != nil {
			return err
		}
		return tx.Audit(ctx, ws, "meeting", id, bot.AuditDelete, before, nil)
	})
}

// MeetingWhere builds the conditions of a filter on "meetings m", all but
// its search (Query), which each database answers its own way; none is
// true when the filter can match nothing.
func MeetingWhere(ctx context.Context, tx *Tx, f bot.MeetingFilter) (where []string, args []any, none bool, err error) {
	where, args = []string{"m.workspace = ?"}, []any{f.Workspace}
	if f.ID != nil {
		where, args = append(where, "m.id = ?"), append(args, *f.ID)
	}
	if f.Region != nil {
		// Most regions have no meeting that spans another: one indexed look
		// settles that, and the plain, indexed condition is used.
		var spans bool
		if err := tx.QueryRow(ctx, `SELECT EXISTS (SELECT 1 FROM meeting_regions WHERE workspace = ? AND region = ?)`,
			f.Workspace, *f.Region).Scan(&spans); err != nil {
			return nil, nil, false, err
		}
		if spans {
			where, args = append(where, MeetingRegionCond), append(args, *f.Region, f.Workspace, *f.Region)
		} else {
			where, args = append(where, "m.region = ?"), append(args, *f.Region)
		}
	}
	if f.State != nil {
		// The state tags carry the meeting date, so a date range narrows
		// the tag lookup itself (workspace, state, date index).
		sub, subArgs := "SELECT meeting_id FROM meeting_states WHERE workspace = ? AND state = ?", []any{f.Workspace, *f.State}
		if f.Since != nil {
			sub, subArgs = sub+" AND date >= ?", append(subArgs, tx.D.Date(*f.Since))
		}
		if f.Until != nil {
			sub, subArgs = sub+" AND date <= ?", append(subArgs, tx.D.Date(*f.Until))
		}
		where, args = append(where, "m.id IN ("+sub+")"), append(args, subArgs...)
	}
	if f.Since != nil {
		where, args = append(where, "m.date >= ?"), append(args, tx.D.Date(*f.Since))
	}
	if f.Until != nil {
		where, args = append(where, "m.date <= ?"), append(args, tx.D.Date(*f.Until))
	}
	if f.NextFrom != nil {
		where, args = append(where, "m.next_date >= ?"), append(args, tx.D.Date(*f.NextFrom))
	}
	if f.NextTo != nil {
		where, args = append(where, "m.next_date <= ?"), append(args, tx.D.Date(*f.NextTo))
	}
	if f.CreatedBy != nil {
		where, args = append(where, "m.created_by = ?"), append(args, *f.CreatedBy)
	}
	if f.SourceGroups != nil {
		if len(f.SourceGroups) == 0 {
			return nil, nil, true, nil
		}
		in, inArgs := tx.D.In("m.source_group", f.SourceGroups)
		where, args = append(where, "m.source_key IS NOT NULL AND "+in), append(args, inArgs...)
	}
	return where, args, false, nil
}
