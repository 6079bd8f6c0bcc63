package postgres

import (
	"context"
	"errors"
	"strconv"
	"time"

	"github.com/getbackhq/getback/bot"
	"github.com/getbackhq/getback/storage/sqlstore"
	"github.com/jackc/pgx/v5/pgconn"
)

// Writes for spreadsheet imports: a batch of meetings and getbacks in one
// transaction, audited by one entry (bot.ImportAudit), as storage/sqlite
// does.

// FindImportCandidates returns the stored meetings of ws that an import
// batch may repeat: those imported under one of the lookup's groups, those
// with one of its ids, and those tagged with one of its days (a state on a
// date), each once, by id, leaving out the ids the lookup skips.
func (db *DB) FindImportCandidates(ctx context.Context, ws string, l bot.ImportLookup) ([]*bot.Meeting, error) {
	lo, hi := make([]int64, len(l.Skip)), make([]int64, len(l.Skip))
	for i, r := range l.Skip {
		lo[i], hi[i] = r[0], r[1]
	}
	const notSkipped = ` AND NOT EXISTS (SELECT 1 FROM unnest(?::bigint[], ?::bigint[]) r(lo, hi) WHERE m.id BETWEEN r.lo AND r.hi)`
	var out []*bot.Meeting
	err := db.read(ctx, func(tx *Tx) error {
		seen := map[int64]bool{}
		scan := func(q string, args ...any) error {
			rows, err := tx.query(ctx, q, args...)
			if err != nil {
				return err
			}
			defer rows.Close()
			for rows.Next() {
				m, err := sqlstore.ScanMeeting(rows)
				if err != nil {
					return err
				}
				if !seen[m.ID] {
					seen[m.ID] = true
					out = append(out, m)
				}
			}
			return rows.Err()
		}
		if len(l.Groups) > 0 {
			if err := scan(`SELECT `+sqlstore.MeetingCols+` FROM meetings m WHERE m.workspace = ? AND m.source_key IS NOT NULL
				AND m.source_group = ANY(?::text[])`+notSkipped+` ORDER BY m.id`, ws, l.Groups, lo, hi); err != nil {
				return err
			}
		}
		if len(l.IDs) > 0 {
			if err := scan(`SELECT `+sqlstore.MeetingCols+` FROM meetings m WHERE m.workspace = ? AND m.id = ANY(?::bigint[]) ORDER BY m.id`,
				ws, l.IDs); err != nil {
				return err
			}
		}
		if len(l.Days) > 0 {
			states, days := make([]string, len(l.Days)), make([]string, len(l.Days))
			for i, d := range l.Days {
				states[i], days[i] = d.State, d.Date.String()
			}
			if err := scan(`SELECT `+sqlstore.MeetingCols+` FROM meetings m WHERE m.id IN (SELECT s.meeting_id FROM meeting_states s
				JOIN unnest(?::text[], ?::text[]) d(state, day) ON s.state = d.state AND s.date = d.day::date
				WHERE s.workspace = ?)`+notSkipped+` ORDER BY m.id`, states, days, ws, lo, hi); err != nil {
				return err
			}
		}
		return nil
	})
	return out, err
}

// FindImportGetbacks returns the getbacks of ws linked to the given
// meetings and, with unlinked, those of no meeting, by id.
func (db *DB) FindImportGetbacks(ctx context.Context, ws string, meetingIDs []int64, unlinked bool) ([]*bot.Getback, error) {
	var out []*bot.Getback
	if len(meetingIDs) > 0 {
		var err error
		if out, err = sqlstore.ReadAll(ctx, db.Store, sqlstore.ScanGetback, `SELECT `+sqlstore.GetbackCols+` FROM `+sqlstore.GetbackFrom+` WHERE g.workspace = ?
			AND g.meeting_id = ANY(?::bigint[]) ORDER BY g.id`, ws, meetingIDs); err != nil {
			return nil, err
		}
	}
	if unlinked {
		free, err := sqlstore.ReadAll(ctx, db.Store, sqlstore.ScanGetback, `SELECT `+sqlstore.GetbackCols+` FROM `+sqlstore.GetbackFrom+` WHERE g.workspace = ?
			AND g.meeting_id IS NULL ORDER BY g.id`, ws)
		if err != nil {
			return nil, err
		}
		out = append(out, free...)
	}
	return out, nil
}

// ApplyImport writes an import batch in one transaction: every meeting
// and getback with the audit of it, or, on any error, nothing. Imported
// items notify no one: they are history.
func (db *DB) ApplyImport(ctx context.Context, ws string, b *bot.ImportBatch) error {
	if b.IsEmpty() {
		return nil
	}
	if err := b.Validate(ws); err != nil {
		return err
	}
	return db.write(ctx, func(tx *Tx) error {
		// New search entries go to the index's pending list, which
		// CheckpointImport merges beside the next batch, instead of this
		// transaction merging it each time 4 MB pile up.
		if _, err := tx.exec(ctx, `SET LOCAL gin_pending_list_limit = `+strconv.Itoa(importPendingLimit)); err != nil {
			return err
		}
		var gbs []*bot.Getback
		if err := insertImportedMeetings(ctx, tx, b.Create); err != nil {
			return err
		}
		for _, m := range b.Create {
			for _, g := range m.Getbacks {
				g.Workspace, g.MeetingID, g.Region = m.Workspace, m.ID, m.Region
				gbs = append(gbs, g)
			}
		}
		for _, u := range b.Update {
			upd := u.Update
			upd.AddGetbacks = nil
			m, err := sqlstore.UpdateMeeting(ctx, &tx.s, ws, u.ID, upd)
			if err != nil {
				return err
			}
			for _, g := range u.Getbacks {
				g.Workspace, g.MeetingID, g.Region = ws, m.ID, m.Region
				gbs = append(gbs, g)
			}
		}
		for _, g := range b.NewGetbacks {
			if g.MeetingID != 0 {
				m, err := sqlstore.FindMeetingByID(ctx, &tx.s, ws, g.MeetingID, false)
				if err != nil {
					return err
				}
				g.Region = m.Region
			}
			gbs = append(gbs, g)
		}
		var a bot.ImportAudit
		for _, g := range gbs {
			if err := g.Validate(); err != nil {
				return err
			}
		}
		if err := insertImportedGetbacks(ctx, tx, gbs); err != nil {
			return err
		}
		for _, g := range gbs {
			a.Getbacks = a.Getbacks.Add(g.ID)
		}
		for _, m := range b.Create {
			a.Meetings = a.Meetings.Add(m.ID)
		}
		if len(a.Meetings) > 0 || len(a.Getbacks) > 0 {
			id := int64(0)
			if len(a.Meetings) > 0 {
				id = a.Meetings[0][0]
			} else {
				id = a.Getbacks[0][0]
			}
			if err := tx.audit(ctx, ws, "import", id, bot.AuditCreate, nil, a); err != nil {
				return err
			}
		}
		for _, g := range b.ChangedGetbacks {
			if err := replaceImportedGetback(ctx, tx, ws, g); err != nil {
				return err
			}
		}
		return nil
	})
}

// replaceImportedGetback overwrites a stored getback with g, every field
// but its meeting link, and records the change when there is one.
func replaceImportedGetback(ctx context.Context, tx *Tx, ws string, g *bot.Getback) error {
	before, err := sqlstore.FindGetbackByID(ctx, &tx.s, ws, g.ID, true)
	if err != nil {
		return err
	}
	before.Meeting = nil
	after := *g
	after.Workspace, after.MeetingID, after.Region, after.Meeting = before.Workspace, before.MeetingID, before.Region, nil
	if after.CreatedAt.IsZero() {
		after.CreatedAt = before.CreatedAt
	}
	switch {
	case after.Status == bot.StatusOpen:
		after.DoneAt = time.Time{}
	case after.DoneAt.IsZero():
		after.DoneAt = tx.now
	}
	if sameImportedGetback(before, &after) {
		*g = *before
		return nil
	}
	after.UpdatedAt = tx.now
	if _, err := tx.exec(ctx, `UPDATE getbacks SET number = ?, text = ?, owner = ?, owner_kind = ?, assigned_by = ?,
		due = ?, status = ?, done_at = ?, done_note = ?, snoozed_until = ?, created_at = ?, updated_at = ? WHERE id = ?`,
		after.Number, after.Text, after.Owner, after.OwnerKind, after.AssignedBy, dateArg(after.Due), after.Status,
		timeArg(after.DoneAt), after.DoneNote, dateArg(after.SnoozedUntil), after.CreatedAt.UTC(), tx.now, g.ID); err != nil {
		return err
	}
	*g = after
	return tx.audit(ctx, ws, "getback", g.ID, bot.AuditUpdate, before, &after)
}

// sameImportedGetback compares what replaceImportedGetback writes.
func sameImportedGetback(a, b *bot.Getback) bool {
	return a.Number == b.Number && a.Text == b.Text && a.Owner == b.Owner && a.OwnerKind == b.OwnerKind &&
		a.AssignedBy == b.AssignedBy && a.Due == b.Due && a.Status == b.Status && a.DoneNote == b.DoneNote &&
		a.SnoozedUntil == b.SnoozedUntil && a.DoneAt.Equal(b.DoneAt) && a.CreatedAt.Equal(b.CreatedAt)
}

// importPendingLimit is the size, in kB, the search index's pending list
// may reach during an import batch before the batch merges it itself
// (PostgreSQL's default is 4 MB); normally CheckpointImport merges it
// first.
const importPendingLimit = 256 << 10

// CheckpointImport merges the entries import batches added to the
// search index's pending list into the index. An importer runs it beside
// its next batch, on another connection, so that PostgreSQL does that
// work on another core; and once at the end, so that searches after an
// import do not scan a long pending list.
func (db *DB) CheckpointImport(ctx context.Context) error {
	_, err := db.pool.Exec(ctx, `SELECT gin_clean_pending_list('meetings_search'::regclass)`)
	var pe *pgconn.PgError
	if errors.As(err, &pe) && pe.Code == "42501" {
		// Only the index's owner may merge it: a role that runs getback
		// without owning its tables leaves the merge to autovacuum.
		return nil
	}
	return formatError(err)
}
