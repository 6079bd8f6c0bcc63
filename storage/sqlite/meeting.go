package sqlite

import (
	"context"
	"database/sql"
	"strings"

	"github.com/getbackhq/getback/bot"
	"github.com/getbackhq/getback/storage/sqlstore"
)

// Ensure DB implements the meeting service.
var _ bot.MeetingService = (*DB)(nil)

const meetingCols = `m.id, m.workspace, m.region, m.states, m.location, m.date, m.date_status, m.poc, m.attendees,
	m.discussion, m.concerns, m.followup, m.awareness, m.action, m.next, m.next_date, m.notes, m.source_key,
	m.import_hash, m.created_by, m.created_at, m.updated_at,
	(SELECT group_concat(region) FROM meeting_regions r WHERE r.meeting_id = m.id)`

const stateSep = "|"

func scanMeeting(sc interface{ Scan(...any) error }, extra ...any) (*bot.Meeting, error) {
	m := &bot.Meeting{}
	var states string
	var date, nextDate, sourceKey sql.NullString
	var created, updated string
	var others sql.NullString
	dest := []any{&m.ID, &m.Workspace, &m.Region, &states, &m.Location, &date, &m.DateStatus, &m.POC, &m.Attendees,
		&m.Discussion, &m.Concerns, &m.FollowUp, &m.Awareness, &m.Action, &m.Next, &nextDate, &m.Notes, &sourceKey,
		&m.ImportHash, &m.CreatedBy, &created, &updated, &others}
	if err := sc.Scan(append(dest, extra...)...); err != nil {
		return nil, err
	}
	if states != "" {
		m.States = strings.Split(states, stateSep)
	}
	m.Date, m.NextDate = parseDate(date), parseDate(nextDate)
	m.SourceKey = sourceKey.String
	m.Regions = sqlstore.ParseRegions(m.Region, others.String)
	m.CreatedAt, m.UpdatedAt = parseTime(nullStr(created)), parseTime(nullStr(updated))
	return m, nil
}

// FindMeetingByID returns one meeting, or ENOTFOUND.
func (db *DB) FindMeetingByID(ctx context.Context, ws string, id int64) (*bot.Meeting, error) {
	var m *bot.Meeting
	err := db.read(ctx, func(tx *Tx) error {
		var err error
		m, err = findMeetingByID(ctx, tx, ws, id)
		return err
	})
	return m, err
}

func findMeetingByID(ctx context.Context, tx *Tx, ws string, id int64) (*bot.Meeting, error) {
	m, err := scanMeeting(tx.QueryRowContext(ctx, `SELECT `+meetingCols+` FROM meetings m WHERE m.workspace = ? AND m.id = ?`, ws, id))
	if err == sql.ErrNoRows {
		return nil, bot.Errorf(bot.ENOTFOUND, "No meeting #%d.", id)
	}
	return m, err
}

// FindMeetings returns matching meetings and their total count.
func (db *DB) FindMeetings(ctx context.Context, f bot.MeetingFilter) ([]*bot.Meeting, int, error) {
	var out []*bot.Meeting
	var total int
	err := db.read(ctx, func(tx *Tx) error {
		var err error
		out, total, err = findMeetings(ctx, tx, f)
		return err
	})
	return out, total, err
}

func findMeetings(ctx context.Context, tx *Tx, f bot.MeetingFilter) ([]*bot.Meeting, int, error) {
	where, args := []string{"m.workspace = ?"}, []any{f.Workspace}
	if f.ID != nil {
		where, args = append(where, "m.id = ?"), append(args, *f.ID)
	}
	if f.Region != nil {
		where, args = append(where, sqlstore.MeetingRegionCond), append(args, *f.Region, f.Workspace, *f.Region)
	}
	if f.State != nil {
		// The state tags carry the meeting date, so a date range narrows
		// the tag lookup itself (workspace, state, date index).
		sub, subArgs := "SELECT meeting_id FROM meeting_states WHERE workspace = ? AND state = ?", []any{f.Workspace, *f.State}
		if f.Since != nil {
			sub, subArgs = sub+" AND date >= ?", append(subArgs, f.Since.String())
		}
		if f.Until != nil {
			sub, subArgs = sub+" AND date <= ?", append(subArgs, f.Until.String())
		}
		where, args = append(where, "m.id IN ("+sub+")"), append(args, subArgs...)
	}
	if f.Since != nil {
		where, args = append(where, "m.date >= ?"), append(args, f.Since.String())
	}
	if f.Until != nil {
		where, args = append(where, "m.date <= ?"), append(args, f.Until.String())
	}
	if f.NextFrom != nil {
		where, args = append(where, "m.next_date >= ?"), append(args, f.NextFrom.String())
	}
	if f.NextTo != nil {
		where, args = append(where, "m.next_date <= ?"), append(args, f.NextTo.String())
	}
	if f.CreatedBy != nil {
		where, args = append(where, "m.created_by = ?"), append(args, *f.CreatedBy)
	}
	if f.SourceGroups != nil {
		if len(f.SourceGroups) == 0 {
			return nil, 0, nil
		}
		where = append(where, "m.source_key IS NOT NULL AND m.source_group IN ("+placeholders(len(f.SourceGroups))+")")
		for _, g := range f.SourceGroups {
			args = append(args, g)
		}
	}
	from, order, cols := "meetings m", "m.date DESC, m.id DESC", meetingCols+", ''"
	if f.OldestFirst {
		order = "m.date IS NULL, m.date, m.id"
	}
	if f.Query != nil {
		match := ftsQuery(*f.Query)
		if match == "" {
			return nil, 0, bot.Errorf(bot.EINVALID, "Search for at least one word.")
		}
		from = "meetings_fts JOIN meetings m ON m.id = meetings_fts.rowid"
		where, args = append(where, "meetings_fts MATCH ?"), append(args, match)
		order = "meetings_fts.rank"
		cols = meetingCols + ", snippet(meetings_fts, -1, '', '', ' … ', 16)"
	}
	cond := strings.Join(where, " AND ")
	total := -1
	if !f.NoTotal {
		cq, cargs := countQuery(from, cond, args, f.CountCap)
		if err := tx.QueryRowContext(ctx, cq, cargs...).Scan(&total); err != nil {
			return nil, 0, err
		}
	}
	if f.Query != nil && f.CountCap > 0 && total >= f.CountCap {
		// Too many matches to score them all: newest logged first, read
		// straight off the full-text index.
		order = "meetings_fts.rowid DESC"
	}
	lim, args := limitOffset(args, f.Limit, f.Offset)
	rows, err := tx.QueryContext(ctx, `SELECT `+cols+` FROM `+from+` WHERE `+cond+` ORDER BY `+order+lim, args...)
	if err != nil {
		return nil, 0, err
	}
	defer rows.Close()
	var out []*bot.Meeting
	for rows.Next() {
		var snippet string
		m, err := scanMeeting(rows, &snippet)
		if err != nil {
			return nil, 0, err
		}
		m.Snippet = snippet
		out = append(out, m)
	}
	if total < 0 {
		total = len(out)
	}
	return out, total, rows.Err()
}

// ftsQuery turns a search into a safe FTS5 query: each word inside double
// quotes (bot.ParseSearch lets only letters and digits through), a phrase
// as one quoted string, a prefix word followed by "*".
func ftsQuery(q string) string {
	var parts []string
	for _, p := range bot.ParseSearch(q) {
		s := `"` + strings.Join(p.Words, " ") + `"`
		if p.Prefix {
			s += "*"
		}
		parts = append(parts, s)
	}
	return strings.Join(parts, " ")
}

// CreateMeeting stores m and m.Getbacks in one transaction.
func (db *DB) CreateMeeting(ctx context.Context, m *bot.Meeting) error {
	if err := m.Validate(); err != nil {
		return err
	}
	return db.write(ctx, func(tx *Tx) error {
		if err := createMeeting(ctx, tx, m); err != nil {
			return err
		}
		return queueNotices(ctx, tx, m.Getbacks, m)
	})
}

// CreateMeetings stores many meetings in one transaction, indexing their
// text for search in one statement.
func (db *DB) CreateMeetings(ctx context.Context, ms []*bot.Meeting) error {
	if len(ms) == 0 {
		return nil
	}
	for _, m := range ms {
		if err := m.Validate(); err != nil {
			return err
		}
	}
	return db.write(ctx, func(tx *Tx) error {
		for _, m := range ms {
			if err := insertMeeting(ctx, tx, m); err != nil {
				return err
			}
		}
		// The writer is alone, so the new rows have consecutive ids.
		_, err := tx.ExecContext(ctx, `INSERT INTO meetings_fts (rowid, `+ftsCols+`) SELECT id, `+ftsCols+`
			FROM meetings WHERE id BETWEEN ? AND ?`, ms[0].ID, ms[len(ms)-1].ID)
		return err
	})
}

// ftsCols are the indexed columns, in the order of meetings_fts.
const ftsCols = `states, location, poc, attendees, discussion, concerns, followup, awareness, action, next, notes`

// ftsArgs returns m's values for ftsCols.
func ftsArgs(m *bot.Meeting) []any {
	return []any{strings.Join(m.States, stateSep), m.Location, m.POC, m.Attendees, m.Discussion, m.Concerns,
		m.FollowUp, m.Awareness, m.Action, m.Next, m.Notes}
}

// ftsIndex adds m's text to the full-text index.
func ftsIndex(ctx context.Context, tx *Tx, m *bot.Meeting) error {
	_, err := tx.ExecContext(ctx, `INSERT INTO meetings_fts (rowid, `+ftsCols+`) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
		append([]any{m.ID}, ftsArgs(m)...)...)
	return err
}

// ftsUnindex removes m's text (as stored) from the full-text index.
func ftsUnindex(ctx context.Context, tx *Tx, m *bot.Meeting) error {
	_, err := tx.ExecContext(ctx, `INSERT INTO meetings_fts (meetings_fts, rowid, `+ftsCols+`) VALUES ('delete', ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
		append([]any{m.ID}, ftsArgs(m)...)...)
	return err
}

func createMeeting(ctx context.Context, tx *Tx, m *bot.Meeting) error {
	if err := insertMeeting(ctx, tx, m); err != nil {
		return err
	}
	return ftsIndex(ctx, tx, m)
}

// insertMeeting stores m, its state tags, its getbacks and the audit entry,
// but does not index its text.
func insertMeeting(ctx context.Context, tx *Tx, m *bot.Meeting) error {
	m.CreatedAt, m.UpdatedAt = tx.now, tx.now
	if m.CreatedBy == "" {
		m.CreatedBy = bot.ActorFrom(ctx).UserID
	}
	res, err := tx.ExecContext(ctx, `INSERT INTO meetings (workspace, region, states, location, date, date_status, poc,
		attendees, discussion, concerns, followup, awareness, action, next, next_date, notes, source_key, import_hash,
		created_by, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
		m.Workspace, m.Region, strings.Join(m.States, stateSep), m.Location, nullDate(m.Date), m.DateStatus, m.POC,
		m.Attendees, m.Discussion, m.Concerns, m.FollowUp, m.Awareness, m.Action, m.Next, nullDate(m.NextDate), m.Notes,
		nullString(m.SourceKey), m.ImportHash, m.CreatedBy, formatTime(tx.now), formatTime(tx.now))
	if err != nil {
		return err
	}
	if m.ID, err = res.LastInsertId(); err != nil {
		return err
	}
	if err := writeMeetingStates(ctx, tx, m, false); err != nil {
		return err
	}
	if err := syncMeetingRegions(ctx, tx, m, false); err != nil {
		return err
	}
	if err := tx.audit(ctx, m.Workspace, "meeting", m.ID, bot.AuditCreate, nil, m); err != nil {
		return err
	}
	for _, g := range m.Getbacks {
		g.Workspace, g.MeetingID, g.Region = m.Workspace, m.ID, m.Region
		if err := g.Validate(); err != nil {
			return err
		}
		if err := createGetback(ctx, tx, g); err != nil {
			return err
		}
	}
	return nil
}

func writeMeetingStates(ctx context.Context, tx *Tx, m *bot.Meeting, replace bool) error {
	if replace {
		if _, err := tx.ExecContext(ctx, `DELETE FROM meeting_states WHERE meeting_id = ?`, m.ID); err != nil {
			return err
		}
	}
	for _, s := range m.States {
		if _, err := tx.ExecContext(ctx, `INSERT OR IGNORE INTO meeting_states (meeting_id, state, workspace, date) VALUES (?, ?, ?, ?)`,
			m.ID, s, m.Workspace, nullDate(m.Date)); err != nil {
			return err
		}
	}
	return nil
}

// UpdateMeeting applies upd to the meeting and records the change.
func (db *DB) UpdateMeeting(ctx context.Context, ws string, id int64, upd bot.MeetingUpdate) (*bot.Meeting, error) {
	var m *bot.Meeting
	err := db.write(ctx, func(tx *Tx) error {
		var err error
		if m, err = updateMeeting(ctx, tx, ws, id, upd); err != nil {
			return err
		}
		return queueNotices(ctx, tx, m.Getbacks, m)
	})
	return m, err
}

func updateMeeting(ctx context.Context, tx *Tx, ws string, id int64, upd bot.MeetingUpdate) (*bot.Meeting, error) {
	before, err := findMeetingByID(ctx, tx, ws, id)
	if err != nil {
		return nil, err
	}
	m := *before
	upd.Apply(&m)
	if err := m.Validate(); err != nil {
		return nil, err
	}
	m.UpdatedAt = tx.now
	_, err = tx.ExecContext(ctx, `UPDATE meetings SET region = ?, states = ?, location = ?, date = ?, date_status = ?,
		poc = ?, attendees = ?, discussion = ?, concerns = ?, followup = ?, awareness = ?, action = ?, next = ?,
		next_date = ?, notes = ?, import_hash = ?, updated_at = ? WHERE id = ?`,
		m.Region, strings.Join(m.States, stateSep), m.Location, nullDate(m.Date), m.DateStatus, m.POC, m.Attendees,
		m.Discussion, m.Concerns, m.FollowUp, m.Awareness, m.Action, m.Next, nullDate(m.NextDate), m.Notes,
		m.ImportHash, formatTime(tx.now), id)
	if err != nil {
		return nil, err
	}
	if upd.States != nil || m.Date != before.Date {
		if err := writeMeetingStates(ctx, tx, &m, true); err != nil {
			return nil, err
		}
	}
	if upd.States != nil || m.Date != before.Date || m.Region != before.Region {
		if err := syncMeetingRegions(ctx, tx, &m, true); err != nil {
			return nil, err
		}
	}
	if err := ftsUnindex(ctx, tx, before); err != nil {
		return nil, err
	}
	if err := ftsIndex(ctx, tx, &m); err != nil {
		return nil, err
	}
	if m.Region != before.Region {
		if _, err := tx.ExecContext(ctx, `UPDATE getbacks SET region = ? WHERE meeting_id = ?`, m.Region, id); err != nil {
			return nil, err
		}
	}
	if err := tx.audit(ctx, ws, "meeting", id, bot.AuditUpdate, before, &m); err != nil {
		return nil, err
	}
	for _, g := range upd.AddGetbacks {
		g.Workspace, g.MeetingID, g.Region = ws, id, m.Region
		if err := g.Validate(); err != nil {
			return nil, err
		}
		if err := createGetback(ctx, tx, g); err != nil {
			return nil, err
		}
	}
	m.Getbacks = upd.AddGetbacks
	return &m, nil
}

// DeleteMeeting removes a meeting; its getbacks remain, unlinked.
func (db *DB) DeleteMeeting(ctx context.Context, ws string, id int64) error {
	return db.write(ctx, func(tx *Tx) error {
		before, err := findMeetingByID(ctx, tx, ws, id)
		if err != nil {
			return err
		}
		if err := ftsUnindex(ctx, tx, before); err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `DELETE FROM meetings WHERE id = ?`, id); err != nil {
			return err
		}
		return tx.audit(ctx, ws, "meeting", id, bot.AuditDelete, before, nil)
	})
}

// LastMeetingDates returns the latest dated meeting on or before until for
// each of the states.
func (db *DB) LastMeetingDates(ctx context.Context, ws string, states []string, until bot.Date) (map[string]bot.Date, error) {
	out := map[string]bot.Date{}
	if len(states) == 0 {
		return out, nil
	}
	err := db.read(ctx, func(tx *Tx) error {
		for _, s := range states {
			var d sql.NullString
			if err := tx.QueryRowContext(ctx, `SELECT MAX(date) FROM meeting_states WHERE workspace = ? AND state = ? AND date <= ?`,
				ws, s, until.String()).Scan(&d); err != nil {
				return err
			}
			if d.Valid {
				out[s] = parseDate(d)
			}
		}
		return nil
	})
	return out, err
}
