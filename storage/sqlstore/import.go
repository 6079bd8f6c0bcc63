package sqlstore

import (
	"context"
	"time"

	"github.com/getbackhq/getback/bot"
)

// BulkRows writes the new rows of an import batch, each database in its
// own bulk form (SQLite: multi-row INSERTs with explicit ids; PostgreSQL:
// arrays through unnest). Both set the ids of what they insert.
type BulkRows interface {
	// InsertMeetings stores new meetings with their state tags, regions
	// and search entries (not their getbacks, nor an audit entry each).
	InsertMeetings(ctx context.Context, ms []*bot.Meeting) error
	// InsertGetbacks stores new getbacks, keeping each one's CreatedAt
	// when set and its DoneAt when closed, numbering those without a
	// number after the last of their meeting.
	InsertGetbacks(ctx context.Context, gbs []*bot.Getback) error
}

// ApplyImport writes import batch b of workspace ws in tx (checked with
// b.Validate first): new meetings and the items they bring, changes to
// stored meetings with the items they add, items on their own, one audit
// entry for everything created (bot.ImportAudit), and changed items each
// with an audit entry of its own. Imported items notify no one: they are
// history.
func ApplyImport(ctx context.Context, tx *Tx, ws string, b *bot.ImportBatch, rows BulkRows) error {
	var gbs []*bot.Getback
	if len(b.Create) > 0 {
		if err := rows.InsertMeetings(ctx, b.Create); err != nil {
			return err
		}
		for _, m := range b.Create {
			for _, g := range m.Getbacks {
				g.Workspace, g.MeetingID, g.Region = m.Workspace, m.ID, m.Region
				gbs = append(gbs, g)
			}
		}
	}
	for _, u := range b.Update {
		upd := u.Update
		upd.AddGetbacks = nil
		m, err := UpdateMeeting(ctx, tx, ws, u.ID, upd)
		if err != nil {
			return err
		}
		for _, g := range u.Getbacks {
			g.Workspace, g.MeetingID, g.Region = ws, m.ID, m.Region
			gbs = append(gbs, g)
		}
	}
	regions := map[int64]int{}
	for _, g := range b.NewGetbacks {
		if g.MeetingID != 0 {
			r, ok := regions[g.MeetingID]
			if !ok {
				m, err := FindMeetingByID(ctx, tx, ws, g.MeetingID, false)
				if err != nil {
					return err
				}
				r, regions[g.MeetingID] = m.Region, m.Region
			}
			g.Region = r
		}
		gbs = append(gbs, g)
	}
	for _, g := range gbs {
		if err := g.Validate(); err != nil {
			return err
		}
	}
	if len(gbs) > 0 {
		if err := rows.InsertGetbacks(ctx, gbs); err != nil {
			return err
		}
	}
	if err := auditImport(ctx, tx, ws, b.Create, gbs); err != nil {
		return err
	}
	for _, g := range b.ChangedGetbacks {
		if err := replaceImportedGetback(ctx, tx, ws, g); err != nil {
			return err
		}
	}
	return nil
}

// auditImport records the creations of a batch in one entry (see
// bot.ImportAudit).
func auditImport(ctx context.Context, tx *Tx, ws string, ms []*bot.Meeting, gbs []*bot.Getback) error {
	if len(ms) == 0 && len(gbs) == 0 {
		return nil
	}
	var a bot.ImportAudit
	for _, m := range ms {
		a.Meetings = a.Meetings.Add(m.ID)
	}
	for _, g := range gbs {
		a.Getbacks = a.Getbacks.Add(g.ID)
	}
	var id int64
	if len(ms) > 0 {
		id = ms[0].ID
	} else {
		id = gbs[0].ID
	}
	return tx.Audit(ctx, ws, "import", id, bot.AuditCreate, nil, a)
}

// replaceImportedGetback overwrites a stored getback with g, every field
// but its meeting link, and records the change when there is one.
func replaceImportedGetback(ctx context.Context, tx *Tx, ws string, g *bot.Getback) error {
	before, err := FindGetbackByID(ctx, tx, ws, g.ID, true)
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
		after.DoneAt = tx.Now
	}
	if sameImportedGetback(before, &after) {
		*g = *before
		return nil
	}
	after.UpdatedAt = tx.Now
	if _, err := tx.Exec(ctx, `UPDATE getbacks SET number = ?, text = ?, owner = ?, owner_kind = ?, assigned_by = ?,
		due = ?, status = ?, done_at = ?, done_note = ?, snoozed_until = ?, created_at = ?, updated_at = ? WHERE id = ?`,
		after.Number, after.Text, after.Owner, after.OwnerKind, after.AssignedBy, tx.D.NullDate(after.Due), after.Status,
		tx.D.NullTime(after.DoneAt), after.DoneNote, tx.D.NullDate(after.SnoozedUntil), tx.D.Time(after.CreatedAt),
		tx.D.Time(after.UpdatedAt), g.ID); err != nil {
		return err
	}
	*g = after
	return tx.Audit(ctx, ws, "getback", g.ID, bot.AuditUpdate, before, &after)
}

// sameImportedGetback compares what replaceImportedGetback writes,
// instants to the microsecond both databases keep.
func sameImportedGetback(a, b *bot.Getback) bool {
	same := func(x, y time.Time) bool { return x.Truncate(time.Microsecond).Equal(y.Truncate(time.Microsecond)) }
	return a.Number == b.Number && a.Text == b.Text && a.Owner == b.Owner && a.OwnerKind == b.OwnerKind &&
		a.AssignedBy == b.AssignedBy && a.Due == b.Due && a.Status == b.Status && a.DoneNote == b.DoneNote &&
		a.SnoozedUntil == b.SnoozedUntil && same(a.DoneAt, b.DoneAt) && same(a.CreatedAt, b.CreatedAt)
}
