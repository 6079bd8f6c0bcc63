package postgres

import (
	"context"
	"encoding/json"
	"errors"
	"sort"
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

func scanOutbox(sc pgx.Row, extra ...any) (*bot.OutboxItem, error) {
	it := &bot.OutboxItem{}
	var reply string
	var sent, attempt pgtype.Timestamptz
	dest := []any{&it.ID, &it.Key, &it.Target.Workspace, &it.Target.Channel, &it.Target.User, &reply, &it.Status,
		&it.Attempts, &it.NextAttempt, &it.LastError, &it.PartsSent, &it.Ref.Channel, &it.Ref.ID, &it.CreatedAt, &sent, &attempt}
	if err := sc.Scan(append(dest, extra...)...); err != nil {
		return nil, err
	}
	if err := json.Unmarshal([]byte(reply), &it.Reply); err != nil {
		return nil, err
	}
	it.NextAttempt, it.CreatedAt = it.NextAttempt.UTC(), it.CreatedAt.UTC()
	it.SentAt, it.AttemptAt = timeOf(sent), timeOf(attempt)
	return it, nil
}

func scanOutboxRow(r pgx.Row) (*bot.OutboxItem, error) { return scanOutbox(r) }

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
	return readAll(ctx, db, scanOutboxRow, `SELECT `+outboxCols+` FROM outbox WHERE status = 'pending' AND platform = ANY(?)
		AND next_attempt <= ? ORDER BY id`+lim, args...)
}

// NextOutboxAttempt returns the earliest pending attempt of the platforms,
// or zero; an item of a target some sender holds counts from the end of
// that sender's claim.
func (db *DB) NextOutboxAttempt(ctx context.Context, platforms []string) (time.Time, error) {
	if len(platforms) == 0 {
		return time.Time{}, nil
	}
	var at pgtype.Timestamptz
	err := db.read(ctx, func(tx *Tx) error {
		return tx.queryRow(ctx, `SELECT MIN(GREATEST(o.next_attempt, (SELECT MAX(h.claimed_until) FROM outbox h
			WHERE h.status = 'pending' AND h.workspace = o.workspace AND h.channel = o.channel AND h.user_id = o.user_id
			AND h.claim_owner <> ''))) FROM outbox o WHERE o.status = 'pending' AND o.platform = ANY(?)`, platforms).Scan(&at)
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
	return readAll(ctx, db, scanOutboxRow, `SELECT `+outboxCols+` FROM outbox WHERE `+strings.Join(where, " AND ")+` ORDER BY id`+lim, args...)
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

// ClaimOutbox takes due items for c.Owner, leaving alone the targets
// another sender holds. Claims are made one at a time across replicas (a
// transaction lock), so that two replicas never split one target's items
// between them; rows another transaction is updating are skipped, not
// waited for.
func (db *DB) ClaimOutbox(ctx context.Context, c bot.OutboxClaim) ([]*bot.OutboxItem, error) {
	if len(c.Platforms) == 0 {
		return nil, nil
	}
	if c.Owner == "" || !c.Until.After(c.Now) {
		return nil, bot.Errorf(bot.EINVALID, "An outbox claim needs its owner and a lease that ends after now.")
	}
	var out []*bot.OutboxItem
	err := db.write(ctx, func(tx *Tx) error {
		out = out[:0]
		if _, err := tx.exec(ctx, `SELECT pg_advisory_xact_lock(hashtext('getback outbox claim ' || current_schema()))`); err != nil {
			return err
		}
		now := c.Now.UTC()
		lim, args := limitOffset([]any{c.Platforms, now, c.Owner, now}, c.Limit, 0)
		args = append(args, c.Owner, c.Until.UTC())
		// Oldest first, one item of each target before a second of any:
		// a long queue to one channel does not keep others waiting.
		rows, err := tx.query(ctx, `WITH due AS (
			SELECT o.id, row_number() OVER (PARTITION BY o.workspace, o.channel, o.user_id ORDER BY o.id) AS rn
			FROM outbox o WHERE o.status = 'pending' AND o.platform = ANY(?) AND o.next_attempt <= ?
			AND NOT EXISTS (SELECT 1 FROM outbox h WHERE h.status = 'pending' AND h.workspace = o.workspace
				AND h.channel = o.channel AND h.user_id = o.user_id AND h.claim_owner NOT IN ('', ?) AND h.claimed_until > ?)),
			picked AS (SELECT o.id FROM outbox o WHERE o.id IN (SELECT id FROM due ORDER BY rn, id`+lim+`)
				FOR UPDATE OF o SKIP LOCKED)
			UPDATE outbox SET claim_owner = ?, claimed_until = ? FROM picked WHERE outbox.id = picked.id
			RETURNING `+prefixed("outbox.", outboxCols)+`,
			(SELECT t.last_post_at FROM outbox_targets t WHERE t.workspace = outbox.workspace AND t.channel = outbox.channel
				AND t.user_id = outbox.user_id)`, args...)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			var last pgtype.Timestamptz
			it, err := scanOutbox(rows, &last)
			if err != nil {
				return err
			}
			it.TargetLastPost = timeOf(last)
			out = append(out, it)
		}
		if err := rows.Err(); err != nil {
			return err
		}
		sort.Slice(out, func(i, j int) bool { return out[i].ID < out[j].ID })
		return nil
	})
	return out, err
}

// prefixed qualifies each of a comma-separated list of columns.
func prefixed(prefix, cols string) string {
	parts := strings.Split(cols, ",")
	for i, p := range parts {
		parts[i] = prefix + strings.TrimSpace(p)
	}
	return strings.Join(parts, ", ")
}

// MarkOutboxAttempt records that owner is about to post the item, at the
// sender's instant at, unless another sender holds it.
func (db *DB) MarkOutboxAttempt(ctx context.Context, id int64, owner string, at, until time.Time) error {
	if at.IsZero() || owner == "" {
		return bot.Errorf(bot.EINVALID, "An outbox attempt needs its sender and its time.")
	}
	return db.write(ctx, func(tx *Tx) error {
		tag, err := tx.exec(ctx, `UPDATE outbox SET attempt_at = ?, claim_owner = ?, claimed_until = ?
			WHERE id = ? AND status = 'pending' AND (claim_owner IN ('', ?) OR claimed_until <= ?)`,
			at.UTC(), owner, until.UTC(), id, owner, at.UTC())
		if err != nil {
			return err
		}
		if tag.RowsAffected() == 0 {
			var status string
			err := tx.queryRow(ctx, `SELECT status FROM outbox WHERE id = ?`, id).Scan(&status)
			if errors.Is(err, pgx.ErrNoRows) {
				return bot.Errorf(bot.ENOTFOUND, "No such outbox item.")
			}
			if err != nil {
				return err
			}
			return bot.Errorf(bot.ECONFLICT, "Outbox item #%d is %s and held by another sender.", id, status)
		}
		_, err = tx.exec(ctx, `INSERT INTO outbox_targets (workspace, channel, user_id, last_post_at)
			SELECT workspace, channel, user_id, ? FROM outbox WHERE id = ?
			ON CONFLICT (workspace, channel, user_id) DO UPDATE SET last_post_at = excluded.last_post_at`, at.UTC(), id)
		return err
	})
}

// ReleaseOutbox gives back owner's claims on items it did not start to
// post.
func (db *DB) ReleaseOutbox(ctx context.Context, owner string, ids []int64) error {
	if len(ids) == 0 {
		return nil
	}
	return db.write(ctx, func(tx *Tx) error {
		_, err := tx.exec(ctx, `UPDATE outbox SET claim_owner = '', claimed_until = NULL
			WHERE claim_owner = ? AND attempt_at IS NULL AND status = 'pending' AND id = ANY(?)`, owner, ids)
		return err
	})
}

// MarkOutboxProgress records delivered parts of a split post, and when
// the last one reached its target.
func (db *DB) MarkOutboxProgress(ctx context.Context, id int64, parts int, ref bot.MessageRef) error {
	return db.write(ctx, func(tx *Tx) error {
		res, err := tx.exec(ctx, `UPDATE outbox SET parts_sent = ?, attempt_at = NULL,
			ref_channel = CASE WHEN ref_id = '' THEN ? ELSE ref_channel END,
			ref_id = CASE WHEN ref_id = '' THEN ? ELSE ref_id END WHERE id = ?`, parts, ref.Channel, ref.ID, id)
		if err != nil {
			return err
		}
		if res.RowsAffected() == 0 {
			return bot.Errorf(bot.ENOTFOUND, "No such outbox item.")
		}
		return postedNow(ctx, tx, id)
	})
}

// MarkOutboxSent records delivery of every part.
func (db *DB) MarkOutboxSent(ctx context.Context, id int64, parts int, ref bot.MessageRef) error {
	return db.write(ctx, func(tx *Tx) error {
		if _, err := tx.exec(ctx, `UPDATE outbox SET status = 'sent', sent_at = ?, last_error = '', parts_sent = ?, attempt_at = NULL,
			claim_owner = '', claimed_until = NULL,
			ref_channel = CASE WHEN ref_id = '' THEN ? ELSE ref_channel END,
			ref_id = CASE WHEN ref_id = '' THEN ? ELSE ref_id END WHERE id = ?`, tx.now, parts, ref.Channel, ref.ID, id); err != nil {
			return err
		}
		return postedNow(ctx, tx, id)
	})
}

// postedNow records, as the item's target's last post, the transaction's
// instant: after the post, so that another sender taking the target over
// waits out the platform's interval from the post's end.
func postedNow(ctx context.Context, tx *Tx, id int64) error {
	_, err := tx.exec(ctx, `INSERT INTO outbox_targets (workspace, channel, user_id, last_post_at)
		SELECT workspace, channel, user_id, ? FROM outbox WHERE id = ?
		ON CONFLICT (workspace, channel, user_id) DO UPDATE SET last_post_at = excluded.last_post_at`, tx.now, id)
	return err
}

// MarkOutboxDeferred postpones an item without counting an attempt.
func (db *DB) MarkOutboxDeferred(ctx context.Context, id int64, errText string, next time.Time) error {
	return db.outboxExec(ctx, `UPDATE outbox SET last_error = ?, next_attempt = ?, attempt_at = NULL,
		claim_owner = '', claimed_until = NULL WHERE id = ?`, errText, next.UTC(), id)
}

// MarkOutboxFailed records a failed attempt.
func (db *DB) MarkOutboxFailed(ctx context.Context, id int64, errText string, next time.Time, dead bool) error {
	status := bot.OutboxPending
	if dead {
		status = bot.OutboxDead
	}
	return db.outboxExec(ctx, `UPDATE outbox SET status = ?, attempts = attempts + 1, last_error = ?, next_attempt = ?,
		claim_owner = '', claimed_until = NULL WHERE id = ?`,
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
		_, err = tx.exec(ctx, `UPDATE outbox SET status = 'pending', attempts = 0, next_attempt = ?,
			claim_owner = '', claimed_until = NULL WHERE id = ?`, now.UTC(), id)
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

// ClaimCheckpoint holds the named checkpoint's period for owner until
// until, unless another owner holds it, and returns the checkpoint.
func (db *DB) ClaimCheckpoint(ctx context.Context, name, owner string, now, until time.Time) (time.Time, bool, error) {
	if owner == "" || !until.After(now) {
		return time.Time{}, false, bot.Errorf(bot.EINVALID, "A checkpoint claim needs its owner and a lease that ends after now.")
	}
	var at pgtype.Timestamptz
	var ok bool
	err := db.write(ctx, func(tx *Tx) error {
		tag, err := tx.exec(ctx, `INSERT INTO checkpoint_claims (name, owner, until) VALUES (?, ?, ?)
			ON CONFLICT (name) DO UPDATE SET owner = excluded.owner, until = excluded.until
			WHERE checkpoint_claims.owner = excluded.owner OR checkpoint_claims.until <= ?`,
			name, owner, until.UTC(), now.UTC())
		if err != nil {
			return err
		}
		if ok = tag.RowsAffected() == 1; !ok {
			return nil
		}
		err = tx.queryRow(ctx, `SELECT at FROM checkpoints WHERE name = ?`, name).Scan(&at)
		if errors.Is(err, pgx.ErrNoRows) {
			return nil
		}
		return err
	})
	return timeOf(at), ok, err
}

// AdvanceCheckpoint moves the checkpoint to at and ends owner's claim.
func (db *DB) AdvanceCheckpoint(ctx context.Context, name, owner string, at time.Time) error {
	return db.write(ctx, func(tx *Tx) error {
		tag, err := tx.exec(ctx, `DELETE FROM checkpoint_claims WHERE name = ? AND owner = ?`, name, owner)
		if err != nil {
			return err
		}
		if tag.RowsAffected() == 0 {
			return bot.Errorf(bot.ECONFLICT, "Checkpoint %s is no longer held by %s.", name, owner)
		}
		_, err = tx.exec(ctx, `INSERT INTO checkpoints (name, at) VALUES (?, ?)
			ON CONFLICT (name) DO UPDATE SET at = excluded.at`, name, at.UTC())
		return err
	})
}

// queueNotices queues, in the change's transaction, the posts that the
// context's NoticeFunc builds from the change's result.
func queueNotices(ctx context.Context, tx *Tx, gbs []*bot.Getback, m *bot.Meeting) error {
	fn := bot.NoticesFrom(ctx)
	if fn == nil {
		return nil
	}
	for _, it := range fn(gbs, m) {
		if _, err := insertOutbox(ctx, tx, it, bot.OutboxPending, ""); err != nil {
			return err
		}
	}
	return nil
}
