package postgres

import (
	"context"
	"errors"
	"strconv"

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
		// transaction merging it each time 4 MB pile up; unless the
		// server does not let this role merge it.
		if !db.noMerge.Load() {
			if _, err := tx.exec(ctx, `SET LOCAL gin_pending_list_limit = `+strconv.Itoa(importPendingLimit)); err != nil {
				return err
			}
		}
		return sqlstore.ApplyImport(ctx, &tx.s, ws, b, bulkRows{tx})
	})
}

// bulkRows writes an import batch's new rows as arrays.
type bulkRows struct{ tx *Tx }

func (r bulkRows) InsertMeetings(ctx context.Context, ms []*bot.Meeting) error {
	return insertImportedMeetings(ctx, r.tx, ms)
}

func (r bulkRows) InsertGetbacks(ctx context.Context, gbs []*bot.Getback) error {
	return insertImportedGetbacks(ctx, r.tx, gbs)
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
//
// The merge only saves time: when the server refuses it (a role that does
// not own the index may not merge it), the refusal is logged once and later
// batches merge as PostgreSQL does by default.
func (db *DB) CheckpointImport(ctx context.Context) error {
	if db.noMerge.Load() {
		return nil
	}
	_, err := db.pool.Exec(ctx, `SELECT gin_clean_pending_list('meetings_search'::regclass)`)
	var pe *pgconn.PgError
	if errors.As(err, &pe) {
		if !db.noMerge.Swap(true) {
			db.log.Warn("import: the search index's pending entries cannot be merged beside the batches; batches merge them themselves",
				"code", pe.Code, "error", pe.Message)
		}
		return nil
	}
	return err
}
