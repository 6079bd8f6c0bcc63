package postgres

import (
	"context"
	"errors"
	"strconv"
	"strings"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgtype"

	"github.com/getbackhq/getback/bot"
)

// Ensure DB implements the meeting service.
var _ bot.MeetingService = (*DB)(nil)

const meetingCols = `m.id, m.workspace, m.region, m.states, m.location, m.date, m.date_status, m.poc, m.attendees,
	m.discussion, m.concerns, m.followup, m.awareness, m.action, m.next, m.next_date, m.notes, m.source_key,
	m.import_hash, m.created_by, m.created_at, m.updated_at,
	(SELECT string_agg(r.region::text, ',') FROM meeting_regions r WHERE r.meeting_id = m.id)`

const stateSep = "|"

func scanMeeting(sc pgx.Row, extra ...any) (*bot.Meeting, error) {
	m := &bot.Meeting{}
	var states string
	var date, nextDate pgtype.Date
	var sourceKey, others pgtype.Text
	dest := []any{&m.ID, &m.Workspace, &m.Region, &states, &m.Location, &date, &m.DateStatus, &m.POC, &m.Attendees,
		&m.Discussion, &m.Concerns, &m.FollowUp, &m.Awareness, &m.Action, &m.Next, &nextDate, &m.Notes, &sourceKey,
		&m.ImportHash, &m.CreatedBy, &m.CreatedAt, &m.UpdatedAt, &others}
	if err := sc.Scan(append(dest, extra...)...); err != nil {
		return nil, err
	}
	if states != "" {
		m.States = strings.Split(states, stateSep)
	}
	m.Date, m.NextDate = dateOf(date), dateOf(nextDate)
	m.SourceKey = sourceKey.String
	m.Regions = parseRegions(m.Region, others.String)
	m.CreatedAt, m.UpdatedAt = m.CreatedAt.UTC(), m.UpdatedAt.UTC()
	return m, nil
}

// parseRegions reads the comma-joined regions of a meeting_regions
// aggregate after the meeting's own.
func parseRegions(primary int, others string) []int {
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

// FindMeetingByID returns one meeting, or ENOTFOUND.
func (db *DB) FindMeetingByID(ctx context.Context, ws string, id int64) (*bot.Meeting, error) {
	var m *bot.Meeting
	err := db.read(ctx, func(tx *Tx) error {
		var err error
		m, err = findMeetingByID(ctx, tx, ws, id, false)
		return err
	})
	return m, err
}

// findMeetingByID reads a meeting; lock holds its row until the
// transaction ends, so that a read-then-write on it is not interleaved
// with another replica's.
func findMeetingByID(ctx context.Context, tx *Tx, ws string, id int64, lock bool) (*bot.Meeting, error) {
	q := `SELECT ` + meetingCols + ` FROM meetings m WHERE m.workspace = ? AND m.id = ?`
	if lock {
		q += ` FOR UPDATE OF m`
	}
	m, err := scanMeeting(tx.queryRow(ctx, q, ws, id))
	if errors.Is(err, pgx.ErrNoRows) {
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

// meetingRegionCond is the condition "meeting m belongs to the region":
// its own, or one of its other states'.
const meetingRegionCond = `(m.region = ? OR m.id IN (SELECT meeting_id FROM meeting_regions WHERE workspace = ? AND region = ?))`

// snippetOptions make ts_headline return plain text like SQLite's snippet:
// about 16 words around the match, no markup.
const snippetOptions = `StartSel="",StopSel="",MaxWords=16,MinWords=6,MaxFragments=1,FragmentDelimiter=" … "`

func findMeetings(ctx context.Context, tx *Tx, f bot.MeetingFilter) ([]*bot.Meeting, int, error) {
	where, args := []string{"m.workspace = ?"}, []any{f.Workspace}
	if f.ID != nil {
		where, args = append(where, "m.id = ?"), append(args, *f.ID)
	}
	if f.Region != nil {
		// Most regions have no meeting that spans another: one indexed look
		// settles that, and the plain, indexed condition is used.
		var spans bool
		if err := tx.queryRow(ctx, `SELECT EXISTS (SELECT 1 FROM meeting_regions WHERE workspace = ? AND region = ?)`,
			f.Workspace, *f.Region).Scan(&spans); err != nil {
			return nil, 0, err
		}
		if spans {
			where, args = append(where, meetingRegionCond), append(args, *f.Region, f.Workspace, *f.Region)
		} else {
			where, args = append(where, "m.region = ?"), append(args, *f.Region)
		}
	}
	if f.State != nil {
		sub, subArgs := "SELECT meeting_id FROM meeting_states WHERE workspace = ? AND state = ?", []any{f.Workspace, *f.State}
		if f.Since != nil {
			sub, subArgs = sub+" AND date >= ?", append(subArgs, dateArg(*f.Since))
		}
		if f.Until != nil {
			sub, subArgs = sub+" AND date <= ?", append(subArgs, dateArg(*f.Until))
		}
		where, args = append(where, "m.id IN ("+sub+")"), append(args, subArgs...)
	}
	if f.Since != nil {
		where, args = append(where, "m.date >= ?"), append(args, dateArg(*f.Since))
	}
	if f.Until != nil {
		where, args = append(where, "m.date <= ?"), append(args, dateArg(*f.Until))
	}
	if f.NextFrom != nil {
		where, args = append(where, "m.next_date >= ?"), append(args, dateArg(*f.NextFrom))
	}
	if f.NextTo != nil {
		where, args = append(where, "m.next_date <= ?"), append(args, dateArg(*f.NextTo))
	}
	if f.CreatedBy != nil {
		where, args = append(where, "m.created_by = ?"), append(args, *f.CreatedBy)
	}
	if f.SourceGroups != nil {
		if len(f.SourceGroups) == 0 {
			return nil, 0, nil
		}
		where, args = append(where, "m.source_key IS NOT NULL AND m.source_group = ANY(?)"), append(args, f.SourceGroups)
	}
	from, order, cols := "meetings m", "m.date DESC NULLS LAST, m.id DESC", meetingCols+", ''"
	if f.OldestFirst {
		order = "m.date ASC NULLS LAST, m.id"
	}
	var tsq string
	if f.Query != nil {
		if tsq = tsQuery(*f.Query); tsq == "" {
			return nil, 0, bot.Errorf(bot.EINVALID, "Search for at least one word.")
		}
		where, args = append(where, "m.search @@ to_tsquery('simple', getback_unaccent(?))"), append(args, tsq)
		order = "ts_rank(m.search, to_tsquery('simple', getback_unaccent(?))) DESC, m.id"
	}
	cond := strings.Join(where, " AND ")
	total := -1
	if !f.NoTotal {
		cq, cargs := countQuery(from, cond, args, f.CountCap)
		if err := tx.queryRow(ctx, cq, cargs...).Scan(&total); err != nil {
			return nil, 0, err
		}
	}
	var orderArgs []any
	if f.Query != nil {
		if f.CountCap > 0 && total >= f.CountCap {
			// Too many matches to score them all: newest logged first.
			order = "m.id DESC"
		} else {
			orderArgs = []any{tsq}
		}
		cols = meetingCols + `, ts_headline('simple', m.states || ' ' || m.location || ' ' || m.poc || ' ' || m.attendees || ' ' ||
			m.discussion || ' ' || m.concerns || ' ' || m.followup || ' ' || m.awareness || ' ' || m.action || ' ' || m.next || ' ' ||
			m.notes, to_tsquery('simple', getback_unaccent(?)), '` + snippetOptions + `')`
	}
	// Placeholders number from the left: the snippet's query comes first.
	var qargs []any
	if f.Query != nil {
		qargs = append(qargs, tsq)
	}
	qargs = append(qargs, args...)
	qargs = append(qargs, orderArgs...)
	lim, qargs := limitOffset(qargs, f.Limit, f.Offset)
	rows, err := tx.query(ctx, `SELECT `+cols+` FROM `+from+` WHERE `+cond+` ORDER BY `+order+lim, qargs...)
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
		m.Snippet = strings.TrimSpace(snippet)
		out = append(out, m)
	}
	if total < 0 {
		total = len(out)
	}
	return out, total, rows.Err()
}

// tsQuery turns a search into a tsquery: every part must match, a prefix
// word as a word's start, a phrase word after word. bot.ParseSearch lets
// only letters and digits through, and each word is quoted, so nothing of
// the user's text is query syntax.
func tsQuery(q string) string {
	var parts []string
	for _, p := range bot.ParseSearch(q) {
		words := make([]string, len(p.Words))
		for i, w := range p.Words {
			words[i] = "'" + strings.ToLower(w) + "'"
		}
		s := strings.Join(words, " <-> ")
		if p.Prefix {
			s += ":*"
		}
		if len(words) > 1 {
			s = "(" + s + ")"
		}
		parts = append(parts, s)
	}
	return strings.Join(parts, " & ")
}

// countQuery counts matching rows, stopping at limit when positive.
func countQuery(from, cond string, args []any, limit int) (string, []any) {
	if limit > 0 {
		return `SELECT COUNT(*) FROM (SELECT 1 FROM ` + from + ` WHERE ` + cond + ` LIMIT ?) c`, append(args[:len(args):len(args)], limit)
	}
	return `SELECT COUNT(*) FROM ` + from + ` WHERE ` + cond, args
}

// CreateMeeting stores m and m.Getbacks in one transaction.
func (db *DB) CreateMeeting(ctx context.Context, m *bot.Meeting) error {
	if err := m.Validate(); err != nil {
		return err
	}
	return db.write(ctx, func(tx *Tx) error {
		if err := insertMeeting(ctx, tx, m); err != nil {
			return err
		}
		return queueNotices(ctx, tx, m.Getbacks, m)
	})
}

// CreateMeetings stores many meetings in one transaction.
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
		return nil
	})
}

// insertMeeting stores m, its state tags and regions, its getbacks and the
// audit entry. The search index follows from the row itself.
func insertMeeting(ctx context.Context, tx *Tx, m *bot.Meeting) error {
	m.CreatedAt, m.UpdatedAt = tx.now, tx.now
	if m.CreatedBy == "" {
		m.CreatedBy = bot.ActorFrom(ctx).UserID
	}
	err := tx.queryRow(ctx, `INSERT INTO meetings (workspace, region, states, location, date, date_status, poc,
		attendees, discussion, concerns, followup, awareness, action, next, next_date, notes, source_key, import_hash,
		created_by, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id`,
		m.Workspace, m.Region, strings.Join(m.States, stateSep), m.Location, dateArg(m.Date), m.DateStatus, m.POC,
		m.Attendees, m.Discussion, m.Concerns, m.FollowUp, m.Awareness, m.Action, m.Next, dateArg(m.NextDate), m.Notes,
		nullString(m.SourceKey), m.ImportHash, m.CreatedBy, tx.now, tx.now).Scan(&m.ID)
	if err != nil {
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
		if _, err := tx.exec(ctx, `DELETE FROM meeting_states WHERE meeting_id = ?`, m.ID); err != nil {
			return err
		}
	}
	for _, s := range m.States {
		if _, err := tx.exec(ctx, `INSERT INTO meeting_states (meeting_id, state, workspace, date) VALUES (?, ?, ?, ?)
			ON CONFLICT DO NOTHING`, m.ID, s, m.Workspace, dateArg(m.Date)); err != nil {
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
	before, err := findMeetingByID(ctx, tx, ws, id, true)
	if err != nil {
		return nil, err
	}
	m := *before
	upd.Apply(&m)
	if err := m.Validate(); err != nil {
		return nil, err
	}
	m.UpdatedAt = tx.now
	_, err = tx.exec(ctx, `UPDATE meetings SET region = ?, states = ?, location = ?, date = ?, date_status = ?,
		poc = ?, attendees = ?, discussion = ?, concerns = ?, followup = ?, awareness = ?, action = ?, next = ?,
		next_date = ?, notes = ?, import_hash = ?, updated_at = ? WHERE id = ?`,
		m.Region, strings.Join(m.States, stateSep), m.Location, dateArg(m.Date), m.DateStatus, m.POC, m.Attendees,
		m.Discussion, m.Concerns, m.FollowUp, m.Awareness, m.Action, m.Next, dateArg(m.NextDate), m.Notes,
		m.ImportHash, tx.now, id)
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
	if m.Region != before.Region {
		if _, err := tx.exec(ctx, `UPDATE getbacks SET region = ? WHERE meeting_id = ?`, m.Region, id); err != nil {
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
		before, err := findMeetingByID(ctx, tx, ws, id, true)
		if err != nil {
			return err
		}
		if _, err := tx.exec(ctx, `DELETE FROM meetings WHERE id = ?`, id); err != nil {
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
		rows, err := tx.query(ctx, `SELECT s.state, (SELECT MAX(date) FROM meeting_states
			WHERE workspace = ? AND state = s.state AND date <= ?) FROM unnest(?::text[]) AS s(state)`, ws, dateArg(until), states)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			var s string
			var d pgtype.Date
			if err := rows.Scan(&s, &d); err != nil {
				return err
			}
			if d.Valid {
				out[s] = dateOf(d)
			}
		}
		return rows.Err()
	})
	return out, err
}
