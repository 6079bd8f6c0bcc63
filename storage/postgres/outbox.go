package postgres

import (
	"context"
	"encoding/json"
	"errors"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgtype"

	"github.com/getbackhq/getback/bot"
)

// Ensure DB implements the outbox and checkpoint services.
var (
	_ bot.OutboxService     = (*DB)(nil)
	_ bot.CheckpointService = (*DB)(nil)
)

const outboxCols = `id, key, workspace, channel, user_id, reply, status, attempts, next_attempt, last_error,
	parts_sent, ref_channel, ref_id, created_at, sent_at, attempt_at`

func scanOutbox(sc pgx.Row) (*bot.OutboxItem, error) {
	it := &bot.OutboxItem{}
	var reply string
	var sent, attempt pgtype.Timestamptz
	if err := sc.Scan(&it.ID, &it.Key, &it.Target.Workspace, &it.Target.Channel, &it.Target.User, &reply, &it.Status,
		&it.Attempts, &it.NextAttempt, &it.LastError, &it.PartsSent, &it.Ref.Channel, &it.Ref.ID, &it.CreatedAt, &sent, &attempt); err != nil {
		return nil, err
	}
	if err := json.Unmarshal([]byte(reply), &it.Reply); err != nil {
		return nil, err
	}
	it.NextAttempt, it.CreatedAt = it.NextAttempt.UTC(), it.CreatedAt.UTC()
	it.SentAt, it.AttemptAt = timeOf(sent), timeOf(attempt)
	return it, nil
}

func insertOutbox(ctx context.Context, tx *Tx, it *bot.OutboxItem, status, lastErr string) (bool, error) {
	if it.Key == "" || it.Target.Workspace == "" || (it.Target.Channel == "") == (it.Target.User == "") {
		return false, bot.Errorf(bot.EINVALID, "An outbox item needs a key and exactly one of channel or user.")
	}
	reply, err := json.Marshal(it.Reply)
	if err != nil {
		return false, err
	}
	if it.NextAttempt.IsZero() {
		// When an item is due is the caller's decision, made with its clock;
		// the store has no say in it.
		return false, bot.Errorf(bot.EINVALID, "An outbox item needs the time of its first attempt.")
	}
	err = tx.queryRow(ctx, `INSERT INTO outbox (key, platform, workspace, channel, user_id, reply, status, next_attempt, last_error, created_at)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (key) DO NOTHING RETURNING id`,
		it.Key, bot.PlatformOf(it.Target.Workspace), it.Target.Workspace, it.Target.Channel, it.Target.User, string(reply), status,
		it.NextAttempt.UTC(), lastErr, tx.now).Scan(&it.ID)
	if errors.Is(err, pgx.ErrNoRows) {
		return false, nil
	}
	if err != nil {
		return false, err
	}
	it.Status, it.CreatedAt = status, tx.now
	return true, nil
}

// Enqueue adds a pending item unless its key exists.
func (db *DB) Enqueue(ctx context.Context, it *bot.OutboxItem) (bool, error) {
	var created bool
	err := db.write(ctx, func(tx *Tx) error {
		var err error
		created, err = insertOutbox(ctx, tx, it, bot.OutboxPending, "")
		return err
	})
	return created, err
}

// EnqueueMany adds items in one transaction, skipping existing keys.
func (db *DB) EnqueueMany(ctx context.Context, items []*bot.OutboxItem) (int, error) {
	if len(items) == 0 {
		return 0, nil
	}
	n := 0
	err := db.write(ctx, func(tx *Tx) error {
		n = 0
		for _, it := range items {
			created, err := insertOutbox(ctx, tx, it, bot.OutboxPending, "")
			if err != nil {
				return err
			}
			if created {
				n++
			}
		}
		return nil
	})
	return n, err
}

// RecordSkipped stores an item that will not be sent, unless its key exists.
func (db *DB) RecordSkipped(ctx context.Context, it *bot.OutboxItem, reason string) (bool, error) {
	var created bool
	err := db.write(ctx, func(tx *Tx) error {
		var err error
		created, err = insertOutbox(ctx, tx, it, bot.OutboxSkipped, reason)
		return err
	})
	return created, err
}

// OutboxKeysExist reports which of the keys are in the outbox, in any state.
func (db *DB) OutboxKeysExist(ctx context.Context, keys []string) (map[string]bool, error) {
	out := make(map[string]bool, len(keys))
	if len(keys) == 0 {
		return out, nil
	}
	found, err := readAll(ctx, db, func(r pgx.Row) (string, error) {
		var k string
		err := r.Scan(&k)
		return k, err
	}, `SELECT key FROM outbox WHERE key = ANY(?)`, keys)
	for _, k := range found {
		out[k] = true
	}
	return out, err
}

// DueOutbox returns pending items of the platforms due at now, oldest first.
func (db *DB) DueOutbox(ctx context.Context, platforms []string, now time.Time, limit int) ([]*bot.OutboxItem, error) {
	if len(platforms) == 0 {
		return nil, nil
	}
	lim, args := limitOffset([]any{platforms, now.UTC()}, limit, 0)
	return readAll(ctx, db, scanOutbox, `SELECT `+outboxCols+` FROM outbox WHERE status = 'pending' AND platform = ANY(?)
		AND next_attempt <= ? ORDER BY id`+lim, args...)
}

// NextOutboxAttempt returns the earliest pending attempt of the platforms,
// or zero.
func (db *DB) NextOutboxAttempt(ctx context.Context, platforms []string) (time.Time, error) {
	if len(platforms) == 0 {
		return time.Time{}, nil
	}
	var at pgtype.Timestamptz
	err := db.read(ctx, func(tx *Tx) error {
		return tx.queryRow(ctx, `SELECT MIN(next_attempt) FROM outbox WHERE status = 'pending' AND platform = ANY(?)`, platforms).Scan(&at)
	})
	return timeOf(at), err
}

// FindOutbox lists items, oldest first.
func (db *DB) FindOutbox(ctx context.Context, f bot.OutboxFilter) ([]*bot.OutboxItem, error) {
	where, args := []string{"true"}, []any{}
	if f.Status != nil {
		where, args = append(where, "status = ?"), append(args, *f.Status)
	}
	if f.KeyPrefix != nil {
		where, args = append(where, "left(key, ?) = ?"), append(args, len([]rune(*f.KeyPrefix)), *f.KeyPrefix)
	}
	lim, args := limitOffset(args, f.Limit, 0)
	return readAll(ctx, db, scanOutbox, `SELECT `+outboxCols+` FROM outbox WHERE `+strings.Join(where, " AND ")+` ORDER BY id`+lim, args...)
}

func (db *DB) outboxExec(ctx context.Context, q string, args ...any) error {
	return db.write(ctx, func(tx *Tx) error {
		tag, err := tx.exec(ctx, q, args...)
		if err != nil {
			return err
		}
		if tag.RowsAffected() == 0 {
			return bot.Errorf(bot.ENOTFOUND, "No such outbox item.")
		}
		return nil
	})
}

// MarkOutboxAttempt records that a post of the item is about to be made,
// at the sender's instant at.
func (db *DB) MarkOutboxAttempt(ctx context.Context, id int64, at time.Time) error {
	if at.IsZero() {
		return bot.Errorf(bot.EINVALID, "An outbox attempt needs its time.")
	}
	return db.outboxExec(ctx, `UPDATE outbox SET attempt_at = ? WHERE id = ?`, at.UTC(), id)
}

// MarkOutboxProgress records delivered parts of a split post.
func (db *DB) MarkOutboxProgress(ctx context.Context, id int64, parts int, ref bot.MessageRef) error {
	return db.outboxExec(ctx, `UPDATE outbox SET parts_sent = ?, attempt_at = NULL,
		ref_channel = CASE WHEN ref_id = '' THEN ? ELSE ref_channel END,
		ref_id = CASE WHEN ref_id = '' THEN ? ELSE ref_id END WHERE id = ?`, parts, ref.Channel, ref.ID, id)
}

// MarkOutboxSent records delivery of every part.
func (db *DB) MarkOutboxSent(ctx context.Context, id int64, parts int, ref bot.MessageRef) error {
	return db.write(ctx, func(tx *Tx) error {
		_, err := tx.exec(ctx, `UPDATE outbox SET status = 'sent', sent_at = ?, last_error = '', parts_sent = ?, attempt_at = NULL,
			ref_channel = CASE WHEN ref_id = '' THEN ? ELSE ref_channel END,
			ref_id = CASE WHEN ref_id = '' THEN ? ELSE ref_id END WHERE id = ?`, tx.now, parts, ref.Channel, ref.ID, id)
		return err
	})
}

// MarkOutboxDeferred postpones an item without counting an attempt.
func (db *DB) MarkOutboxDeferred(ctx context.Context, id int64, errText string, next time.Time) error {
	return db.outboxExec(ctx, `UPDATE outbox SET last_error = ?, next_attempt = ?, attempt_at = NULL WHERE id = ?`, errText, next.UTC(), id)
}

// MarkOutboxFailed records a failed attempt.
func (db *DB) MarkOutboxFailed(ctx context.Context, id int64, errText string, next time.Time, dead bool) error {
	status := bot.OutboxPending
	if dead {
		status = bot.OutboxDead
	}
	return db.outboxExec(ctx, `UPDATE outbox SET status = ?, attempts = attempts + 1, last_error = ?, next_attempt = ? WHERE id = ?`,
		status, errText, next.UTC(), id)
}

// RetryOutbox makes a dead item pending again, due at now.
func (db *DB) RetryOutbox(ctx context.Context, id int64, now time.Time) error {
	return db.write(ctx, func(tx *Tx) error {
		var status string
		err := tx.queryRow(ctx, `SELECT status FROM outbox WHERE id = ? FOR UPDATE`, id).Scan(&status)
		if errors.Is(err, pgx.ErrNoRows) {
			return bot.Errorf(bot.ENOTFOUND, "No outbox item #%d.", id)
		}
		if err != nil {
			return err
		}
		if status != bot.OutboxDead {
			return bot.Errorf(bot.ECONFLICT, "Outbox item #%d is %s, not dead: only dead items are retried.", id, status)
		}
		_, err = tx.exec(ctx, `UPDATE outbox SET status = 'pending', attempts = 0, next_attempt = ? WHERE id = ?`, now.UTC(), id)
		return err
	})
}

// OutboxCounts returns the number of items per status.
func (db *DB) OutboxCounts(ctx context.Context) (map[string]int, error) {
	out := map[string]int{bot.OutboxPending: 0, bot.OutboxSent: 0, bot.OutboxDead: 0, bot.OutboxSkipped: 0}
	type count struct {
		status string
		n      int
	}
	counts, err := readAll(ctx, db, func(r pgx.Row) (count, error) {
		var c count
		err := r.Scan(&c.status, &c.n)
		return c, err
	}, `SELECT status, COUNT(*) FROM outbox GROUP BY status`)
	for _, c := range counts {
		out[c.status] = c.n
	}
	return out, err
}

// Checkpoint returns the named instant, or the zero time.
func (db *DB) Checkpoint(ctx context.Context, name string) (time.Time, error) {
	var at pgtype.Timestamptz
	err := db.read(ctx, func(tx *Tx) error {
		err := tx.queryRow(ctx, `SELECT at FROM checkpoints WHERE name = ?`, name).Scan(&at)
		if errors.Is(err, pgx.ErrNoRows) {
			return nil
		}
		return err
	})
	return timeOf(at), err
}

// SetCheckpoint stores the named instant.
func (db *DB) SetCheckpoint(ctx context.Context, name string, at time.Time) error {
	return db.write(ctx, func(tx *Tx) error {
		_, err := tx.exec(ctx, `INSERT INTO checkpoints (name, at) VALUES (?, ?)
			ON CONFLICT (name) DO UPDATE SET at = excluded.at`, name, at.UTC())
		return err
	})
}
