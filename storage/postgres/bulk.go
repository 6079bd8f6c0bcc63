package postgres

import (
	"context"
	"slices"
	"strings"
	"time"

	"github.com/jackc/pgx/v5/pgtype"

	"github.com/getbackhq/getback/bot"
	"github.com/getbackhq/getback/storage/sqlstore"
)

// Bulk writes for spreadsheet imports. A batch of a thousand meetings is a
// handful of statements, each taking its rows as arrays (unnest), instead
// of five round trips a meeting: ids are drawn from the tables' identity
// sequences first, so the rows that refer to a meeting (its state tags,
// regions and getbacks) go in with it.

// nextIDs draws n ids from the identity sequence of table's id column.
func nextIDs(ctx context.Context, tx *Tx, table string, n int) ([]int64, error) {
	rows, err := tx.query(ctx, `SELECT nextval(pg_get_serial_sequence(?, 'id')) FROM generate_series(1, ?::int)`, table, n)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	ids := make([]int64, 0, n)
	for rows.Next() {
		var id int64
		if err := rows.Scan(&id); err != nil {
			return nil, err
		}
		ids = append(ids, id)
	}
	return ids, rows.Err()
}

// dateCell is a date array element: NULL for the zero date.
func dateCell(d bot.Date) pgtype.Date {
	if d.IsZero() {
		return pgtype.Date{}
	}
	return pgtype.Date{Time: d.In(time.UTC), Valid: true}
}

// textCell is a text array element: NULL for "".
func textCell(s string) pgtype.Text { return pgtype.Text{String: s, Valid: s != ""} }

// insertImportedMeetings stores new meetings (not their getbacks, nor an
// audit entry each) with their state tags and other regions, in four
// statements.
func insertImportedMeetings(ctx context.Context, tx *Tx, ms []*bot.Meeting) error {
	if len(ms) == 0 {
		return nil
	}
	ids, err := nextIDs(ctx, tx, "meetings", len(ms))
	if err != nil {
		return err
	}
	n := len(ms)
	var (
		ws, states, location, dateStatus, poc, attendees, discussion, concerns = make([]string, n), make([]string, n), make([]string, n), make([]string, n), make([]string, n), make([]string, n), make([]string, n), make([]string, n)
		followup, awareness, action, next, notes, hash, by                     = make([]string, n), make([]string, n), make([]string, n), make([]string, n), make([]string, n), make([]string, n), make([]string, n)
		region                                                                 = make([]int32, n)
		date, nextDate                                                         = make([]pgtype.Date, n), make([]pgtype.Date, n)
		sourceKey                                                              = make([]pgtype.Text, n)
		tagMeeting, tagRegionMeeting                                           []int64
		tagState, tagWS, regionWS                                              []string
		tagDate, regionDate                                                    []pgtype.Date
		otherRegion                                                            []int32
	)
	overrides, err := tx.s.RegionsOf(ctx, ms[0].Workspace)
	if err != nil {
		return err
	}
	for i, m := range ms {
		m.ID, m.CreatedAt, m.UpdatedAt = ids[i], tx.now, tx.now
		if m.CreatedBy == "" {
			m.CreatedBy = bot.ActorFrom(ctx).UserID
		}
		ws[i], region[i], states[i], location[i], date[i], dateStatus[i], poc[i] = m.Workspace, int32(m.Region), strings.Join(m.States, sqlstore.StateSep), m.Location, dateCell(m.Date), m.DateStatus, m.POC
		attendees[i], discussion[i], concerns[i], followup[i], awareness[i], action[i] = m.Attendees, m.Discussion, m.Concerns, m.FollowUp, m.Awareness, m.Action
		next[i], nextDate[i], notes[i], sourceKey[i], hash[i], by[i] = m.Next, dateCell(m.NextDate), m.Notes, textCell(m.SourceKey), m.ImportHash, m.CreatedBy
		seen := map[string]bool{}
		for _, s := range m.States {
			if !seen[s] {
				seen[s] = true
				tagMeeting, tagState, tagWS, tagDate = append(tagMeeting, m.ID), append(tagState, s), append(tagWS, m.Workspace), append(tagDate, date[i])
			}
		}
		others := bot.OtherRegions(m.Region, m.States, overrides)
		for _, r := range others {
			tagRegionMeeting, otherRegion, regionWS, regionDate = append(tagRegionMeeting, m.ID), append(otherRegion, int32(r)), append(regionWS, m.Workspace), append(regionDate, date[i])
		}
		m.Regions = append([]int{m.Region}, others...)
	}
	if _, err := tx.exec(ctx, `INSERT INTO meetings (id, workspace, region, states, location, date, date_status, poc,
		attendees, discussion, concerns, followup, awareness, action, next, next_date, notes, source_key, import_hash,
		created_by, created_at, updated_at)
		SELECT u.*, ?::timestamptz, ?::timestamptz FROM unnest(?::bigint[], ?::text[], ?::int[], ?::text[], ?::text[], ?::date[],
			?::text[], ?::text[], ?::text[], ?::text[], ?::text[], ?::text[], ?::text[], ?::text[], ?::text[], ?::date[],
			?::text[], ?::text[], ?::text[], ?::text[]) AS u`,
		tx.now, tx.now, ids, ws, region, states, location, date, dateStatus, poc, attendees, discussion, concerns,
		followup, awareness, action, next, nextDate, notes, sourceKey, hash, by); err != nil {
		return err
	}
	if _, err := tx.exec(ctx, `INSERT INTO meeting_states (meeting_id, state, workspace, date)
		SELECT * FROM unnest(?::bigint[], ?::text[], ?::text[], ?::date[]) ON CONFLICT DO NOTHING`,
		tagMeeting, tagState, tagWS, tagDate); err != nil {
		return err
	}
	if len(otherRegion) == 0 {
		return nil
	}
	_, err = tx.exec(ctx, `INSERT INTO meeting_regions (meeting_id, region, workspace, date)
		SELECT * FROM unnest(?::bigint[], ?::int[], ?::text[], ?::date[])`,
		tagRegionMeeting, otherRegion, regionWS, regionDate)
	return err
}

// insertImportedGetbacks stores new getbacks, keeping each one's CreatedAt
// when set (the instant it was opened) and its DoneAt when closed, in one
// statement. An item without a number gets the one after the last of its
// meeting, counting the items before it in gbs.
func insertImportedGetbacks(ctx context.Context, tx *Tx, gbs []*bot.Getback) error {
	if len(gbs) == 0 {
		return nil
	}
	if err := numberGetbacks(ctx, tx, gbs); err != nil {
		return err
	}
	ids, err := nextIDs(ctx, tx, "getbacks", len(gbs))
	if err != nil {
		return err
	}
	n := len(gbs)
	var (
		ws, text, owner, ownerKind, assignedBy, status, doneNote = make([]string, n), make([]string, n), make([]string, n), make([]string, n), make([]string, n), make([]string, n), make([]string, n)
		meetingID                                                = make([]pgtype.Int8, n)
		region                                                   = make([]pgtype.Int4, n)
		number                                                   = make([]int32, n)
		due, snoozed                                             = make([]pgtype.Date, n), make([]pgtype.Date, n)
		doneAt, createdAt                                        = make([]pgtype.Timestamptz, n), make([]pgtype.Timestamptz, n)
	)
	for i, g := range gbs {
		g.ID = ids[i]
		if g.CreatedAt.IsZero() {
			g.CreatedAt = tx.now
		}
		g.UpdatedAt = tx.now
		if g.Status != bot.StatusOpen && g.DoneAt.IsZero() {
			g.DoneAt = tx.now
		}
		ws[i], text[i], owner[i], ownerKind[i], assignedBy[i], status[i], doneNote[i] = g.Workspace, g.Text, g.Owner, g.OwnerKind, g.AssignedBy, g.Status, g.DoneNote
		meetingID[i] = pgtype.Int8{Int64: g.MeetingID, Valid: g.MeetingID != 0}
		region[i] = pgtype.Int4{Int32: int32(g.Region), Valid: g.Region != 0}
		number[i], due[i], snoozed[i] = int32(g.Number), dateCell(g.Due), dateCell(g.SnoozedUntil)
		doneAt[i] = pgtype.Timestamptz{Time: g.DoneAt.UTC(), Valid: !g.DoneAt.IsZero()}
		createdAt[i] = pgtype.Timestamptz{Time: g.CreatedAt.UTC(), Valid: true}
	}
	_, err = tx.exec(ctx, `INSERT INTO getbacks (id, workspace, meeting_id, region, number, text, owner, owner_kind,
		assigned_by, due, status, done_at, done_note, snoozed_until, created_at, updated_at)
		SELECT u.*, ?::timestamptz FROM unnest(?::bigint[], ?::text[], ?::bigint[], ?::int[], ?::int[], ?::text[], ?::text[],
			?::text[], ?::text[], ?::date[], ?::text[], ?::timestamptz[], ?::text[], ?::date[], ?::timestamptz[]) AS u`,
		tx.now, ids, ws, meetingID, region, number, text, owner, ownerKind, assignedBy, due, status, doneAt, doneNote,
		snoozed, createdAt)
	return err
}

// numberGetbacks gives each item of gbs without a number the one after
// the last of its meeting: the stored ones and those before it in gbs.
// The meetings of such items are locked first, as CreateGetback does, and
// their last numbers read after the locks are held, so that an item added
// meanwhile in chat is counted.
func numberGetbacks(ctx context.Context, tx *Tx, gbs []*bot.Getback) error {
	var need []int64
	seen := map[int64]bool{}
	for _, g := range gbs {
		if g.MeetingID != 0 && g.Number == 0 && !seen[g.MeetingID] {
			seen[g.MeetingID] = true
			need = append(need, g.MeetingID)
		}
	}
	if len(need) == 0 {
		return nil
	}
	slices.Sort(need)
	if _, err := tx.exec(ctx, `SELECT 1 FROM meetings WHERE id = ANY(?::bigint[]) ORDER BY id FOR UPDATE`, need); err != nil {
		return err
	}
	last := map[int64]int{}
	rows, err := tx.query(ctx, `SELECT meeting_id, MAX(number) FROM getbacks WHERE meeting_id = ANY(?::bigint[]) GROUP BY meeting_id`, need)
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		var id int64
		var n int
		if err := rows.Scan(&id, &n); err != nil {
			return err
		}
		last[id] = n
	}
	if err := rows.Err(); err != nil {
		return err
	}
	for _, g := range gbs {
		if g.MeetingID == 0 || !seen[g.MeetingID] {
			continue
		}
		if g.Number == 0 {
			g.Number = last[g.MeetingID] + 1
		}
		last[g.MeetingID] = max(last[g.MeetingID], g.Number)
	}
	return nil
}
