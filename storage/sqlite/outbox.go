package sqlite

import (
	"context"
	"database/sql"
	"encoding/json"
	"sort"
	"strings"
	"time"

	"github.com/getbackhq/getback/bot"
)

// Ensure DB implements the outbox and checkpoint services.
var (
	_ bot.OutboxService     = (*DB)(nil)
	_ bot.CheckpointService = (*DB)(nil)
)

const outboxCols = `id, key, workspace, channel, user_id, reply, status, attempts, next_attempt, last_error,
	parts_sent, ref_channel, ref_id, created_at, sent_at, attempt_at`

func scanOutbox(sc interface{ Scan(...any) error }) (*bot.OutboxItem, error) {
	it := &bot.OutboxItem{}
	var reply, next, created string
	var sent, attempt sql.NullString
	if err := sc.Scan(&it.ID, &it.Key, &it.Target.Workspace, &it.Target.Channel, &it.Target.User, &reply, &it.Status,
		&it.Attempts, &next, &it.LastError, &it.PartsSent, &it.Ref.Channel, &it.Ref.ID, &created, &sent, &attempt); err != nil {
		return nil, err
	}
	if err := json.Unmarshal([]byte(reply), &it.Reply); err != nil {
		return nil, err
	}
	it.NextAttempt, it.CreatedAt, it.SentAt = parseTime(nullStr(next)), parseTime(nullStr(created)), parseTime(sent)
	it.AttemptAt = parseTime(attempt)
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
	res, err := tx.ExecContext(ctx, `INSERT INTO outbox (key, platform, workspace, channel, user_id, reply, status, next_attempt, last_error, created_at)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (key) DO NOTHING`,
		it.Key, bot.PlatformOf(it.Target.Workspace), it.Target.Workspace, it.Target.Channel, it.Target.User, string(reply), status, formatTime(it.NextAttempt),
		lastErr, formatTime(tx.now))
	if err != nil {
		return false, err
	}
	n, err := res.RowsAffected()
	if err != nil || n == 0 {
		return false, err
	}
	it.ID, err = res.LastInsertId()
	it.Status, it.CreatedAt = status, tx.now
	return true, err
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
	err := db.read(ctx, func(tx *Tx) error {
		for start := 0; start < len(keys); start += 500 {
			chunk := keys[start:min(start+500, len(keys))]
			args := make([]any, len(chunk))
			for i, k := range chunk {
				args[i] = k
			}
			rows, err := tx.QueryContext(ctx, `SELECT key FROM outbox WHERE key IN (`+placeholders(len(chunk))+`)`, args...)
			if err != nil {
				return err
			}
			for rows.Next() {
				var k string
				if err := rows.Scan(&k); err != nil {
					rows.Close()
					return err
				}
				out[k] = true
			}
			if err := rows.Close(); err != nil {
				return err
			}
		}
		return nil
	})
	return out, err
}

func platformArgs(platforms []string) (string, []any) {
	args := make([]any, len(platforms))
	for i, p := range platforms {
		args[i] = p
	}
	return "platform IN (" + placeholders(len(platforms)) + ")", args
}

// DueOutbox returns pending items of the platforms due at now, oldest first.
func (db *DB) DueOutbox(ctx context.Context, platforms []string, now time.Time, limit int) ([]*bot.OutboxItem, error) {
	if len(platforms) == 0 {
		return nil, nil
	}
	cond, args := platformArgs(platforms)
	lim, args := limitOffset(append(args, formatTime(now)), limit, 0)
	return db.queryOutbox(ctx, `SELECT `+outboxCols+` FROM outbox WHERE status = 'pending' AND `+cond+` AND next_attempt <= ?
		ORDER BY id`+lim, args...)
}

// NextOutboxAttempt returns the earliest pending attempt of the platforms,
// or zero; an item of a target some sender holds counts from the end of
// that sender's claim.
func (db *DB) NextOutboxAttempt(ctx context.Context, platforms []string) (time.Time, error) {
	if len(platforms) == 0 {
		return time.Time{}, nil
	}
	cond, args := platformArgs(platforms)
	var at sql.NullString
	err := db.read(ctx, func(tx *Tx) error {
		return tx.QueryRowContext(ctx, `SELECT MIN(max(o.next_attempt, COALESCE((SELECT MAX(h.claimed_until) FROM outbox h
			WHERE h.status = 'pending' AND h.workspace = o.workspace AND h.channel = o.channel AND h.user_id = o.user_id
			AND h.claim_owner <> ''), o.next_attempt))) FROM outbox o WHERE o.status = 'pending' AND o.`+cond, args...).Scan(&at)
	})
	return parseTime(at), err
}

func (db *DB) queryOutbox(ctx context.Context, q string, args ...any) ([]*bot.OutboxItem, error) {
	return readAll(ctx, db, scanOutbox, q, args...)
}

// FindOutbox lists items, oldest first.
func (db *DB) FindOutbox(ctx context.Context, f bot.OutboxFilter) ([]*bot.OutboxItem, error) {
	where, args := []string{"1 = 1"}, []any{}
	if f.Status != nil {
		where, args = append(where, "status = ?"), append(args, *f.Status)
	}
	if f.KeyPrefix != nil {
		where, args = append(where, "substr(key, 1, ?) = ?"), append(args, len(*f.KeyPrefix), *f.KeyPrefix)
	}
	lim, args := limitOffset(args, f.Limit, 0)
	return db.queryOutbox(ctx, `SELECT `+outboxCols+` FROM outbox WHERE `+strings.Join(where, " AND ")+` ORDER BY id`+lim, args...)
}

func (db *DB) outboxExec(ctx context.Context, q string, args ...any) error {
	return db.write(ctx, func(tx *Tx) error {
		res, err := tx.ExecContext(ctx, q, args...)
		if err != nil {
			return err
		}
		if n, err := res.RowsAffected(); err != nil {
			return err
		} else if n == 0 {
			return bot.Errorf(bot.ENOTFOUND, "No such outbox item.")
		}
		return nil
	})
}

// ClaimOutbox takes due items for c.Owner in one UPDATE … RETURNING,
// leaving alone the targets another sender holds.
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
		cond, pargs := platformArgs(c.Platforms)
		now := formatTime(c.Now)
		args := append([]any{c.Owner, formatTime(c.Until)}, pargs...)
		args = append(args, now, c.Owner, now)
		lim, args := limitOffset(args, c.Limit, 0)
		// Oldest first, one item of each target before a second of any:
		// a long queue to one channel does not keep others waiting.
		rows, err := tx.QueryContext(ctx, `UPDATE outbox SET claim_owner = ?, claimed_until = ? WHERE id IN (
			SELECT id FROM (SELECT o.id, row_number() OVER (PARTITION BY o.workspace, o.channel, o.user_id ORDER BY o.id) AS rn
				FROM outbox o WHERE o.status = 'pending' AND o.`+cond+` AND o.next_attempt <= ?
				AND NOT EXISTS (SELECT 1 FROM outbox h WHERE h.status = 'pending' AND h.workspace = o.workspace
					AND h.channel = o.channel AND h.user_id = o.user_id AND h.claim_owner NOT IN ('', ?) AND h.claimed_until > ?))
			ORDER BY rn, id`+lim+`) RETURNING `+outboxCols, args...)
		if err != nil {
			return err
		}
		for rows.Next() {
			it, err := scanOutbox(rows)
			if err != nil {
				rows.Close()
				return err
			}
			out = append(out, it)
		}
		if err := rows.Close(); err != nil {
			return err
		}
		sort.Slice(out, func(i, j int) bool { return out[i].ID < out[j].ID })
		last := map[bot.Target]time.Time{}
		for _, it := range out {
			at, ok := last[it.Target]
			if !ok {
				var s sql.NullString
				err := tx.QueryRowContext(ctx, `SELECT last_post_at FROM outbox_targets WHERE workspace = ? AND channel = ? AND user_id = ?`,
					it.Target.Workspace, it.Target.Channel, it.Target.User).Scan(&s)
				if err != nil && err != sql.ErrNoRows {
					return err
				}
				at = parseTime(s)
				last[it.Target] = at
			}
			it.TargetLastPost = at
		}
		return nil
	})
	return out, err
}

// MarkOutboxAttempt records that owner is about to post the item, at the
// sender's instant at, unless another sender holds it.
func (db *DB) MarkOutboxAttempt(ctx context.Context, id int64, owner string, at, until time.Time) error {
	if at.IsZero() || owner == "" {
		return bot.Errorf(bot.EINVALID, "An outbox attempt needs its sender and its time.")
	}
	return db.write(ctx, func(tx *Tx) error {
		res, err := tx.ExecContext(ctx, `UPDATE outbox SET attempt_at = ?, claim_owner = ?, claimed_until = ?
			WHERE id = ? AND status = 'pending' AND (claim_owner IN ('', ?) OR claimed_until <= ?)`,
			formatTime(at), owner, formatTime(until), id, owner, formatTime(at))
		if err != nil {
			return err
		}
		if n, err := res.RowsAffected(); err != nil {
			return err
		} else if n == 0 {
			return outboxNotYours(ctx, tx, id)
		}
		_, err = tx.ExecContext(ctx, `INSERT INTO outbox_targets (workspace, channel, user_id, last_post_at)
			SELECT workspace, channel, user_id, ? FROM outbox WHERE id = ?
			ON CONFLICT (workspace, channel, user_id) DO UPDATE SET last_post_at = excluded.last_post_at`, formatTime(at), id)
		return err
	})
}

// outboxNotYours explains why an attempt was refused.
func outboxNotYours(ctx context.Context, tx *Tx, id int64) error {
	var status string
	err := tx.QueryRowContext(ctx, `SELECT status FROM outbox WHERE id = ?`, id).Scan(&status)
	if err == sql.ErrNoRows {
		return bot.Errorf(bot.ENOTFOUND, "No such outbox item.")
	}
	if err != nil {
		return err
	}
	return bot.Errorf(bot.ECONFLICT, "Outbox item #%d is %s and held by another sender.", id, status)
}

// ReleaseOutbox gives back owner's claims on items it did not start to
// post.
func (db *DB) ReleaseOutbox(ctx context.Context, owner string, ids []int64) error {
	if len(ids) == 0 {
		return nil
	}
	return db.write(ctx, func(tx *Tx) error {
		for start := 0; start < len(ids); start += 500 {
			chunk := ids[start:min(start+500, len(ids))]
			args := []any{owner}
			for _, id := range chunk {
				args = append(args, id)
			}
			if _, err := tx.ExecContext(ctx, `UPDATE outbox SET claim_owner = '', claimed_until = NULL
				WHERE claim_owner = ? AND attempt_at IS NULL AND status = 'pending' AND id IN (`+placeholders(len(chunk))+`)`, args...); err != nil {
				return err
			}
		}
		return nil
	})
}

// MarkOutboxProgress records delivered parts of a split post, and when
// the last one reached its target.
func (db *DB) MarkOutboxProgress(ctx context.Context, id int64, parts int, ref bot.MessageRef) error {
	return db.write(ctx, func(tx *Tx) error {
		res, err := tx.ExecContext(ctx, `UPDATE outbox SET parts_sent = ?, attempt_at = NULL,
			ref_channel = CASE WHEN ref_id = '' THEN ? ELSE ref_channel END,
			ref_id = CASE WHEN ref_id = '' THEN ? ELSE ref_id END WHERE id = ?`, parts, ref.Channel, ref.ID, id)
		if err != nil {
			return err
		}
		if n, err := res.RowsAffected(); err != nil {
			return err
		} else if n == 0 {
			return bot.Errorf(bot.ENOTFOUND, "No such outbox item.")
		}
		return postedNow(ctx, tx, id)
	})
}

// MarkOutboxSent records delivery of every part.
func (db *DB) MarkOutboxSent(ctx context.Context, id int64, parts int, ref bot.MessageRef) error {
	return db.write(ctx, func(tx *Tx) error {
		if _, err := tx.ExecContext(ctx, `UPDATE outbox SET status = 'sent', sent_at = ?, last_error = '', parts_sent = ?, attempt_at = NULL,
			claim_owner = '', claimed_until = NULL,
			ref_channel = CASE WHEN ref_id = '' THEN ? ELSE ref_channel END,
			ref_id = CASE WHEN ref_id = '' THEN ? ELSE ref_id END WHERE id = ?`, formatTime(tx.now), parts, ref.Channel, ref.ID, id); err != nil {
			return err
		}
		return postedNow(ctx, tx, id)
	})
}

// postedNow records, as the item's target's last post, the transaction's
// instant: after the post, so that another sender taking the target over
// waits out the platform's interval from the post's end.
func postedNow(ctx context.Context, tx *Tx, id int64) error {
	_, err := tx.ExecContext(ctx, `INSERT INTO outbox_targets (workspace, channel, user_id, last_post_at)
		SELECT workspace, channel, user_id, ? FROM outbox WHERE id = ?
		ON CONFLICT (workspace, channel, user_id) DO UPDATE SET last_post_at = excluded.last_post_at`, formatTime(tx.now), id)
	return err
}

// MarkOutboxDeferred postpones an item without counting an attempt.
func (db *DB) MarkOutboxDeferred(ctx context.Context, id int64, errText string, next time.Time) error {
	return db.outboxExec(ctx, `UPDATE outbox SET last_error = ?, next_attempt = ?, attempt_at = NULL,
		claim_owner = '', claimed_until = NULL WHERE id = ?`, errText, formatTime(next), id)
}

// MarkOutboxFailed records a failed attempt.
func (db *DB) MarkOutboxFailed(ctx context.Context, id int64, errText string, next time.Time, dead bool) error {
	status := bot.OutboxPending
	if dead {
		status = bot.OutboxDead
	}
	return db.outboxExec(ctx, `UPDATE outbox SET status = ?, attempts = attempts + 1, last_error = ?, next_attempt = ?,
		claim_owner = '', claimed_until = NULL WHERE id = ?`,
		status, errText, formatTime(next), id)
}

// RetryOutbox makes a dead item pending again, due at now.
func (db *DB) RetryOutbox(ctx context.Context, id int64, now time.Time) error {
	return db.write(ctx, func(tx *Tx) error {
		var status string
		err := tx.QueryRowContext(ctx, `SELECT status FROM outbox WHERE id = ?`, id).Scan(&status)
		if err == sql.ErrNoRows {
			return bot.Errorf(bot.ENOTFOUND, "No outbox item #%d.", id)
		}
		if err != nil {
			return err
		}
		if status != bot.OutboxDead {
			return bot.Errorf(bot.ECONFLICT, "Outbox item #%d is %s, not dead: only dead items are retried.", id, status)
		}
		_, err = tx.ExecContext(ctx, `UPDATE outbox SET status = 'pending', attempts = 0, next_attempt = ?,
			claim_owner = '', claimed_until = NULL WHERE id = ?`, formatTime(now), id)
		return err
	})
}

// OutboxCounts returns the number of items per status.
func (db *DB) OutboxCounts(ctx context.Context) (map[string]int, error) {
	out := map[string]int{bot.OutboxPending: 0, bot.OutboxSent: 0, bot.OutboxDead: 0, bot.OutboxSkipped: 0}
	err := db.read(ctx, func(tx *Tx) error {
		rows, err := tx.QueryContext(ctx, `SELECT status, COUNT(*) FROM outbox GROUP BY status`)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			var s string
			var n int
			if err := rows.Scan(&s, &n); err != nil {
				return err
			}
			out[s] = n
		}
		return rows.Err()
	})
	return out, err
}

// Checkpoint returns the named instant, or the zero time.
func (db *DB) Checkpoint(ctx context.Context, name string) (time.Time, error) {
	var at sql.NullString
	err := db.read(ctx, func(tx *Tx) error {
		err := tx.QueryRowContext(ctx, `SELECT at FROM checkpoints WHERE name = ?`, name).Scan(&at)
		if err == sql.ErrNoRows {
			return nil
		}
		return err
	})
	return parseTime(at), err
}

// SetCheckpoint stores the named instant.
func (db *DB) SetCheckpoint(ctx context.Context, name string, at time.Time) error {
	return db.write(ctx, func(tx *Tx) error {
		_, err := tx.ExecContext(ctx, `INSERT INTO checkpoints (name, at) VALUES (?, ?)
			ON CONFLICT (name) DO UPDATE SET at = excluded.at`, name, formatTime(at))
		return err
	})
}

// ClaimCheckpoint holds the named checkpoint's period for owner until
// until, unless another owner holds it, and returns the checkpoint.
func (db *DB) ClaimCheckpoint(ctx context.Context, name, owner string, now, until time.Time) (time.Time, bool, error) {
	if owner == "" || !until.After(now) {
		return time.Time{}, false, bot.Errorf(bot.EINVALID, "A checkpoint claim needs its owner and a lease that ends after now.")
	}
	var at sql.NullString
	var ok bool
	err := db.write(ctx, func(tx *Tx) error {
		res, err := tx.ExecContext(ctx, `INSERT INTO checkpoint_claims (name, owner, until) VALUES (?, ?, ?)
			ON CONFLICT (name) DO UPDATE SET owner = excluded.owner, until = excluded.until
			WHERE checkpoint_claims.owner = excluded.owner OR checkpoint_claims.until <= ?`,
			name, owner, formatTime(until), formatTime(now))
		if err != nil {
			return err
		}
		n, err := res.RowsAffected()
		if ok = n == 1; err != nil || !ok {
			return err
		}
		err = tx.QueryRowContext(ctx, `SELECT at FROM checkpoints WHERE name = ?`, name).Scan(&at)
		if err == sql.ErrNoRows {
			return nil
		}
		return err
	})
	return parseTime(at), ok, err
}

// AdvanceCheckpoint moves the checkpoint to at and ends owner's claim.
func (db *DB) AdvanceCheckpoint(ctx context.Context, name, owner string, at time.Time) error {
	return db.write(ctx, func(tx *Tx) error {
		res, err := tx.ExecContext(ctx, `DELETE FROM checkpoint_claims WHERE name = ? AND owner = ?`, name, owner)
		if err != nil {
			return err
		}
		if n, err := res.RowsAffected(); err != nil {
			return err
		} else if n == 0 {
			return bot.Errorf(bot.ECONFLICT, "Checkpoint %s is no longer held by %s.", name, owner)
		}
		_, err = tx.ExecContext(ctx, `INSERT INTO checkpoints (name, at) VALUES (?, ?)
			ON CONFLICT (name) DO UPDATE SET at = excluded.at`, name, formatTime(at))
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
