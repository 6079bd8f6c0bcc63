package sqlite

import (
	"context"
	"database/sql"
	"encoding/json"
	"strconv"
	"strings"
	"time"

	"github.com/getbackhq/getback/bot"
	"github.com/getbackhq/getback/storage/sqlstore"
)

// Bulk writes for spreadsheet imports: a batch of thousands of meetings is
// written by a few multi-row statements per table, its full-text index by
// one statement, and the audit log records what it created in one entry,
// all in one transaction.

// FindImportCandidates returns the stored meetings of ws that an import
// batch may repeat: those imported under one of the lookup's groups (the
// part of a source key before its number) and those tagged with one of
// its days (a state on a date), each once, by id, leaving out the ids the
// lookup skips.
func (db *DB) FindImportCandidates(ctx context.Context, ws string, l bot.ImportLookup) ([]*bot.Meeting, error) {
	skip, err := json.Marshal(append(l.Skip, [2]int64{0, 0}))
	if err != nil {
		return nil, err
	}
	notSkipped := ` AND NOT EXISTS (SELECT 1 FROM json_each(?) r WHERE m.id BETWEEN r.value->>0 AND r.value->>1)`
	var out []*bot.Meeting
	err = db.read(ctx, func(tx *Tx) error {
		seen := map[int64]bool{}
		scan := func(q string, args ...any) error {
			rows, err := tx.QueryContext(ctx, q, args...)
			if err != nil {
				return err
			}
			defer rows.Close()
			for rows.Next() {
				m, err := scanMeeting(rows)
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
			g, err := json.Marshal(l.Groups)
			if err != nil {
				return err
			}
			if err := scan(`SELECT `+meetingCols+` FROM meetings m WHERE m.workspace = ? AND m.source_key IS NOT NULL
				AND m.source_group IN (SELECT value FROM json_each(?))`+notSkipped+` ORDER BY m.id`, ws, string(g), string(skip)); err != nil {
				return err
			}
		}
		if len(l.IDs) > 0 {
			ids, err := json.Marshal(l.IDs)
			if err != nil {
				return err
			}
			if err := scan(`SELECT `+meetingCols+` FROM meetings m WHERE m.workspace = ? AND m.id IN (SELECT value FROM json_each(?))
				ORDER BY m.id`, ws, string(ids)); err != nil {
				return err
			}
		}
		if len(l.Days) > 0 {
			pairs := make([][2]string, len(l.Days))
			for i, d := range l.Days {
				pairs[i] = [2]string{d.State, d.Date.String()}
			}
			p, err := json.Marshal(pairs)
			if err != nil {
				return err
			}
			if err := scan(`SELECT `+meetingCols+` FROM meetings m WHERE m.id IN (SELECT s.meeting_id
				FROM json_each(?) j CROSS JOIN meeting_states s ON s.workspace = ? AND s.state = j.value->>0 AND s.date = j.value->>1)`+
				notSkipped+` ORDER BY m.id`, string(p), ws, string(skip)); err != nil {
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
		ids, err := json.Marshal(meetingIDs)
		if err != nil {
			return nil, err
		}
		if out, err = readAll(ctx, db, scanGetback, `SELECT `+getbackCols+` FROM `+getbackFrom+` WHERE g.workspace = ?
			AND g.meeting_id IN (SELECT value FROM json_each(?)) ORDER BY g.id`, ws, string(ids)); err != nil {
			return nil, err
		}
	}
	if unlinked {
		free, err := readAll(ctx, db, scanGetback, `SELECT `+getbackCols+` FROM `+getbackFrom+` WHERE g.workspace = ?
			AND g.meeting_id IS NULL ORDER BY g.id`, ws)
		if err != nil {
			return nil, err
		}
		out = append(out, free...)
	}
	return out, nil
}

// ApplyImport writes an import batch in one transaction: every meeting
// and getback with the audit of it (see ImportAudit), or, on any error,
// nothing.
func (db *DB) ApplyImport(ctx context.Context, ws string, b *bot.ImportBatch) error {
	if b.IsEmpty() {
		return nil
	}
	if err := b.Validate(ws); err != nil {
		return err
	}
	return db.writeImport(ctx, func(tx *Tx) error {
		return sqlstore.ApplyImport(ctx, tx.shared(), ws, b, bulkRows{tx})
	})
}

// bulkRows writes an import batch's new rows in multi-row statements.
type bulkRows struct{ tx *Tx }

func (r bulkRows) InsertMeetings(ctx context.Context, ms []*bot.Meeting) error {
	return insertMeetings(ctx, r.tx, ms)
}

func (r bulkRows) InsertGetbacks(ctx context.Context, gbs []*bot.Getback) error {
	return insertGetbacks(ctx, r.tx, gbs)
}

// writeImport is write for an import batch, on a connection that leaves
// checkpoints (copying the WAL into the database) to CheckpointImport, so
// that a process can run them beside the next batch instead of after
// each; the connection gets its usual setting back afterwards.
func (db *DB) writeImport(ctx context.Context, fn func(tx *Tx) error) error {
	if db.memory {
		return db.write(ctx, fn)
	}
	if err := acquire(ctx, db.wsem); err != nil {
		return err
	}
	defer func() { <-db.wsem }()
	conn, err := db.wdb.Conn(ctx)
	if err != nil {
		return formatError(err)
	}
	defer conn.Close()
	var pages int
	if err := conn.QueryRowContext(ctx, `PRAGMA wal_autocheckpoint`).Scan(&pages); err != nil {
		return err
	}
	if _, err := conn.ExecContext(ctx, `PRAGMA wal_autocheckpoint = 0`); err != nil {
		return err
	}
	defer conn.ExecContext(context.WithoutCancel(ctx), `PRAGMA wal_autocheckpoint = `+strconv.Itoa(pages))
	sqlTx, err := conn.BeginTx(ctx, nil)
	if err != nil {
		return formatError(err)
	}
	tx := &Tx{Tx: sqlTx, db: db, pool: db.wdb, now: db.Now().UTC().Truncate(time.Microsecond)}
	defer tx.Rollback()
	if err := fn(tx); err != nil {
		return formatError(err)
	}
	return formatError(tx.Commit())
}

// CheckpointImport copies what import batches wrote to the WAL into the
// database, as far as readers allow, without waiting for the writer (a
// passive checkpoint). An importer runs it beside its next batch.
func (db *DB) CheckpointImport(ctx context.Context) error {
	if db.memory {
		return nil
	}
	_, err := db.rdb.ExecContext(ctx, `PRAGMA wal_checkpoint(PASSIVE)`)
	return err
}

// insertMeetings stores new meetings with consecutive ids after the
// highest in use, their state tags, audit entries and full-text entries
// (not their getbacks).
func insertMeetings(ctx context.Context, tx *Tx, ms []*bot.Meeting) error {
	var last int64
	if err := tx.QueryRowContext(ctx, `SELECT COALESCE(MAX(id), 0) FROM meetings`).Scan(&last); err != nil {
		return err
	}
	actor := bot.ActorFrom(ctx).UserID
	now := formatTime(tx.now)
	rows := make([][]any, len(ms))
	for i, m := range ms {
		m.ID = last + 1 + int64(i)
		m.CreatedAt, m.UpdatedAt = tx.now, tx.now
		if m.CreatedBy == "" {
			m.CreatedBy = actor
		}
		rows[i] = []any{m.ID, m.Workspace, m.Region, strings.Join(m.States, stateSep), m.Location, nullDate(m.Date),
			m.DateStatus, m.POC, m.Attendees, m.Discussion, m.Concerns, m.FollowUp, m.Awareness, m.Action, m.Next,
			nullDate(m.NextDate), m.Notes, sqlstore.NullString(m.SourceKey), m.ImportHash, m.CreatedBy, now, now}
	}
	if err := insertRows(ctx, tx, `INSERT INTO meetings (id, workspace, region, states, location, date, date_status, poc,
		attendees, discussion, concerns, followup, awareness, action, next, next_date, notes, source_key, import_hash,
		created_by, created_at, updated_at)`, rows); err != nil {
		return err
	}
	// State tags as writeMeetingStates writes them, many to a statement.
	var tags [][]any
	for _, m := range ms {
		seen := map[string]bool{}
		for _, st := range m.States {
			if !seen[st] {
				seen[st] = true
				tags = append(tags, []any{m.ID, st, m.Workspace, nullDate(m.Date)})
			}
		}
		if err := syncMeetingRegions(ctx, tx, m, false); err != nil {
			return err
		}
	}
	if err := insertRows(ctx, tx, `INSERT OR IGNORE INTO meeting_states (meeting_id, state, workspace, date)`, tags); err != nil {
		return err
	}
	return ftsIndexBulk(ctx, tx, ms[0].ID, ms[len(ms)-1].ID)
}

// ftsIndexBulk adds the meetings with ids from first to last to the
// full-text index. FTS5 writes the index as segments and merges them in
// small steps as it goes (automerge); for thousands of meetings at a time
// those steps re-read the growing segments page by page and cost more
// than the rest of the import together. So the batch is written with
// automerge off, flushed, and automerge restored, all in the transaction:
// segments then merge only when 16 pile up on a level, each merge in one
// pass.
func ftsIndexBulk(ctx context.Context, tx *Tx, first, last int64) error {
	automerge := 4 // FTS5's default, when the table has no setting
	err := tx.QueryRowContext(ctx, `SELECT v FROM meetings_fts_config WHERE k = 'automerge'`).Scan(&automerge)
	if err != nil && err != sql.ErrNoRows {
		return err
	}
	if _, err := tx.ExecContext(ctx, `INSERT INTO meetings_fts (meetings_fts, rank) VALUES ('automerge', 0)`); err != nil {
		return err
	}
	if _, err := tx.ExecContext(ctx, `INSERT INTO meetings_fts (rowid, `+ftsCols+`) SELECT id, `+ftsCols+`
		FROM meetings WHERE id BETWEEN ? AND ?`, first, last); err != nil {
		return err
	}
	if _, err := tx.ExecContext(ctx, `INSERT INTO meetings_fts (meetings_fts) VALUES ('flush')`); err != nil {
		return err
	}
	_, err = tx.ExecContext(ctx, `INSERT INTO meetings_fts (meetings_fts, rank) VALUES ('automerge', ?)`, automerge)
	return err
}

// insertGetbacks stores new getbacks with consecutive ids after the
// highest in use, and their audit entries. A getback's CreatedAt is kept
// when set (the instant it was opened), as is DoneAt for a closed one.
func insertGetbacks(ctx context.Context, tx *Tx, gbs []*bot.Getback) error {
	if len(gbs) == 0 {
		return nil
	}
	var last int64
	if err := tx.QueryRowContext(ctx, `SELECT COALESCE(MAX(id), 0) FROM getbacks`).Scan(&last); err != nil {
		return err
	}
	next := map[int64]int{} // the next free number of a meeting's items
	rows := make([][]any, len(gbs))
	for i, g := range gbs {
		g.ID = last + 1 + int64(i)
		if g.MeetingID != 0 && g.Number == 0 {
			n, ok := next[g.MeetingID]
			if !ok {
				if err := tx.QueryRowContext(ctx, `SELECT COALESCE(MAX(number), 0) + 1 FROM getbacks WHERE meeting_id = ?`,
					g.MeetingID).Scan(&n); err != nil {
					return err
				}
				for _, o := range gbs[:i] {
					if o.MeetingID == g.MeetingID {
						n = max(n, o.Number+1)
					}
				}
			}
			g.Number, next[g.MeetingID] = n, n+1
		} else if n, ok := next[g.MeetingID]; ok && g.MeetingID != 0 {
			next[g.MeetingID] = max(n, g.Number+1) // a number given after the meeting's first item
		}
		if g.CreatedAt.IsZero() {
			g.CreatedAt = tx.now
		}
		g.UpdatedAt = tx.now
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
		rows[i] = []any{g.ID, g.Workspace, meetingID, region, g.Number, g.Text, g.Owner, g.OwnerKind, g.AssignedBy,
			nullDate(g.Due), g.Status, nullTime(g.DoneAt), g.DoneNote, nullDate(g.SnoozedUntil), formatTime(g.CreatedAt),
			formatTime(g.UpdatedAt)}
	}
	return insertRows(ctx, tx, `INSERT INTO getbacks (id, workspace, meeting_id, region, number, text, owner, owner_kind,
		assigned_by, due, status, done_at, done_note, snoozed_until, created_at, updated_at)`, rows)
}

// insertRows runs an INSERT head for every row, several rows to a
// statement: 32, then 16, 8, 4, 2 and 1 for the rest, so that a handful of
// prepared statements serve every batch size.
func insertRows(ctx context.Context, tx *Tx, head string, rows [][]any) error {
	if len(rows) == 0 {
		return nil
	}
	ncols := len(rows[0])
	one := "(" + placeholders(ncols) + ")"
	args := make([]any, 0, 32*ncols)
	for len(rows) > 0 {
		n := 32
		for n > len(rows) {
			n /= 2
		}
		args = args[:0]
		for _, r := range rows[:n] {
			args = append(args, r...)
		}
		q := head + " VALUES " + strings.TrimSuffix(strings.Repeat(one+", ", n), ", ")
		if _, err := tx.ExecContext(ctx, q, args...); err != nil {
			return err
		}
		rows = rows[n:]
	}
	return nil
}
