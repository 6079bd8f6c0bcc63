package sqlstore

import (
	"context"
	"encoding/json"
	"time"

	"github.com/getbackhq/getback/bot"
)

// OutboxCols are the columns ScanOutbox reads.
const OutboxCols = `id, key, workspace, channel, user_id, reply, status, attempts, next_attempt, last_error,
	parts_sent, ref_channel, ref_id, created_at, sent_at, attempt_at`

// ScanOutbox reads a row of OutboxCols, then into extra the columns that
// follow them.
func ScanOutbox(sc Row, extra ...any) (*bot.OutboxItem, error) {
	it := &bot.OutboxItem{}
	var reply string
	var next, created, sent, attempt Time
	dest := []any{&it.ID, &it.Key, &it.Target.Workspace, &it.Target.Channel, &it.Target.User, &reply, &it.Status,
		&it.Attempts, &next, &it.LastError, &it.PartsSent, &it.Ref.Channel, &it.Ref.ID, &created, &sent, &attempt}
	if err := sc.Scan(append(dest, extra...)...); err != nil {
		return nil, err
	}
	if err := json.Unmarshal([]byte(reply), &it.Reply); err != nil {
		return nil, err
	}
	it.NextAttempt, it.CreatedAt, it.SentAt, it.AttemptAt = next.T, created.T, sent.T, attempt.T
	return it, nil
}

func scanOutboxRow(r Row) (*bot.OutboxItem, error) { return ScanOutbox(r) }

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
	id, ok, err := tx.D.Insert(ctx, tx.Q, `INSERT INTO outbox (key, platform, workspace, channel, user_id, reply, status, next_attempt, last_error, created_at)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (key) DO NOTHING`,
		it.Key, bot.PlatformOf(it.Target.Workspace), it.Target.Workspace, it.Target.Channel, it.Target.User, string(reply), status,
		tx.D.Time(it.NextAttempt), lastErr, tx.D.Time(tx.Now))
	if err != nil || !ok {
		return false, err
	}
	it.ID, it.Status, it.CreatedAt = id, status, tx.Now
	return true, nil
}

// Enqueue adds a pending item unless its key exists.
func (s *Store) Enqueue(ctx context.Context, it *bot.OutboxItem) (bool, error) {
	var created bool
	err := s.write(ctx, func(tx *Tx) error {
		var err error
		created, err = insertOutbox(ctx, tx, it, bot.OutboxPending, "")
		return err
	})
	return created, err
}

// EnqueueMany adds items in one transaction, skipping existing keys.
func (s *Store) EnqueueMany(ctx context.Context, items []*bot.OutboxItem) (int, error) {
	if len(items) == 0 {
		return 0, nil
	}
	n := 0
	err := s.write(ctx, func(tx *Tx) error {
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
func (s *Store) RecordSkipped(ctx context.Context, it *bot.OutboxItem, reason string) (bool, error) {
	var created bool
	err := s.write(ctx, func(tx *Tx) error {
		var err error
		created, err = insertOutbox(ctx, tx, it, bot.OutboxSkipped, reason)
		return err
	})
	return created, err
}

// QueueNotices queues, in the change's transaction, the posts that the
// context's NoticeFunc builds from the change's result.
func QueueNotices(ctx context.Context, tx *Tx, gbs []*bot.Getback, m *bot.Meeting) error {
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

// DueOutbox returns pending items of the platforms due at now, oldest first.
func (s *Store) DueOutbox(ctx context.Context, platforms []string, now time.Time, limit int) ([]*bot.OutboxItem, error) {
	if len(platforms) == 0 {
		return nil, nil
	}
	var out []*bot.OutboxItem
	err := s.read(ctx, func(tx *Tx) error {
		cond, args := tx.D.In("platform", platforms)
		lim, args := tx.D.LimitOffset(append(args, tx.D.Time(now)), limit, 0)
		var err error
		out, err = QueryAll(ctx, tx, scanOutboxRow, `SELECT `+OutboxCols+` FROM outbox WHERE status = 'pending' AND `+cond+`
			AND next_attempt <= ? ORDER BY id`+lim, args...)
		return err
	})
	return out, err
}

// outboxExec runs a statement on one item, which must exist.
func outboxExec(ctx context.Context, tx *Tx, q string, args ...any) error {
	res, err := tx.Exec(ctx, q, args...)
	if err != nil {
		return err
	}
	if n, err := res.RowsAffected(); err != nil {
		return err
	} else if n == 0 {
		return bot.Errorf(bot.ENOTFOUND, "No such outbox item.")
	}
	return nil
}

// MarkOutboxAttempt records that owner is about to post the item, at the
// sender's instant at, unless another sender holds it.
func (s *Store) MarkOutboxAttempt(ctx context.Context, id int64, owner string, at, until time.Time) error {
	if at.IsZero() || owner == "" {
		return bot.Errorf(bot.EINVALID, "An outbox attempt needs its sender and its time.")
	}
	return s.write(ctx, func(tx *Tx) error {
		res, err := tx.Exec(ctx, `UPDATE outbox SET attempt_at = ?, claim_owner = ?, claimed_until = ?
			WHERE id = ? AND status = 'pending' AND (claim_owner IN ('', ?) OR claimed_until <= ?)`,
			tx.D.Time(at), owner, tx.D.Time(until), id, owner, tx.D.Time(at))
		if err != nil {
			return err
		}
		if n, err := res.RowsAffected(); err != nil {
			return err
		} else if n == 0 {
			return outboxNotYours(ctx, tx, id)
		}
		_, err = tx.Exec(ctx, `INSERT INTO outbox_targets (workspace, channel, user_id, last_post_at)
			SELECT workspace, channel, user_id, ? FROM outbox WHERE id = ?
			ON CONFLICT (workspace, channel, user_id) DO UPDATE SET last_post_at = excluded.last_post_at`, tx.D.Time(at), id)
		return err
	})
}

// outboxNotYours explains why an attempt was refused.
func outboxNotYours(ctx context.Context, tx *Tx, id int64) error {
	var status string
	err := tx.QueryRow(ctx, `SELECT status FROM outbox WHERE id = ?`, id).Scan(&status)
	if noRows(err) {
		return bot.Errorf(bot.ENOTFOUND, "No such outbox item.")
	}
	if err != nil {
		return err
	}
	return bot.Errorf(bot.ECONFLICT, "Outbox item #%d is %s and held by another sender.", id, status)
}

// MarkOutboxProgress records delivered parts of a split post, and when
// the last one reached its target.
func (s *Store) MarkOutboxProgress(ctx context.Context, id int64, parts int, ref bot.MessageRef) error {
	return s.write(ctx, func(tx *Tx) error {
		if err := outboxExec(ctx, tx, `UPDATE outbox SET parts_sent = ?, attempt_at = NULL,
			ref_channel = CASE WHEN ref_id = '' THEN ? ELSE ref_channel END,
			ref_id = CASE WHEN ref_id = '' THEN ? ELSE ref_id END WHERE id = ?`, parts, ref.Channel, ref.ID, id); err != nil {
			return err
		}
		return postedNow(ctx, tx, id)
	})
}

// MarkOutboxSent records delivery of every part.
func (s *Store) MarkOutboxSent(ctx context.Context, id int64, parts int, ref bot.MessageRef) error {
	return s.write(ctx, func(tx *Tx) error {
		if _, err := tx.Exec(ctx, `UPDATE outbox SET status = 'sent', sent_at = ?, last_error = '', parts_sent = ?, attempt_at = NULL,
			claim_owner = '', claimed_until = NULL,
			ref_channel = CASE WHEN ref_id = '' THEN ? ELSE ref_channel END,
			ref_id = CASE WHEN ref_id = '' THEN ? ELSE ref_id END WHERE id = ?`, tx.D.Time(tx.Now), parts, ref.Channel, ref.ID, id); err != nil {
			return err
		}
		return postedNow(ctx, tx, id)
	})
}

// postedNow records, as the item's target's last post, the transaction's
// instant: after the post, so that another sender taking the target over
// waits out the platform's interval from the post's end.
func postedNow(ctx context.Context, tx *Tx, id int64) error {
	_, err := tx.Exec(ctx, `INSERT INTO outbox_targets (workspace, channel, user_id, last_post_at)
		SELECT workspace, channel, user_id, ? FROM outbox WHERE id = ?
		ON CONFLICT (workspace, channel, user_id) DO UPDATE SET last_post_at = excluded.last_post_at`, tx.D.Time(tx.Now), id)
	return err
}

// MarkOutboxDeferred postpones an item without counting an attempt.
func (s *Store) MarkOutboxDeferred(ctx context.Context, id int64, errText string, next time.Time) error {
	return s.write(ctx, func(tx *Tx) error {
		return outboxExec(ctx, tx, `UPDATE outbox SET last_error = ?, next_attempt = ?, attempt_at = NULL,
			claim_owner = '', claimed_until = NULL WHERE id = ?`, errText, tx.D.Time(next), id)
	})
}

// MarkOutboxFailed records a failed attempt.
func (s *Store) MarkOutboxFailed(ctx context.Context, id int64, errText string, next time.Time, dead bool) error {
	status := bot.OutboxPending
	if dead {
		status = bot.OutboxDead
	}
	return s.write(ctx, func(tx *Tx) error {
		return outboxExec(ctx, tx, `UPDATE outbox SET status = ?, attempts = attempts + 1, last_error = ?, next_attempt = ?,
			claim_owner = '', claimed_until = NULL WHERE id = ?`,
			status, errText, tx.D.Time(next), id)
	})
}

// RetryOutbox makes a dead item pending again, due at now.
func (s *Store) RetryOutbox(ctx context.Context, id int64, now time.Time) error {
	return s.write(ctx, func(tx *Tx) error {
		var status string
		err := tx.QueryRow(ctx, `SELECT status FROM outbox WHERE id = ?`+tx.D.ForUpdate("outbox"), id).Scan(&status)
		if noRows(err) {
			return bot.Errorf(bot.ENOTFOUND, "No outbox item #%d.", id)
		}
		if err != nil {
			return err
		}
		if status != bot.OutboxDead {
			return bot.Errorf(bot.ECONFLICT, "Outbox item #%d is %s, not dead: only dead items are retried.", id, status)
		}
		_, err = tx.Exec(ctx, `UPDATE outbox SET status = 'pending', attempts = 0, next_attempt = ?,
			claim_owner = '', claimed_until = NULL WHERE id = ?`, tx.D.Time(now), id)
		return err
	})
}

// OutboxCounts returns the number of items per status.
func (s *Store) OutboxCounts(ctx context.Context) (map[string]int, error) {
	out := map[string]int{bot.OutboxPending: 0, bot.OutboxSent: 0, bot.OutboxDead: 0, bot.OutboxSkipped: 0}
	err := s.read(ctx, func(tx *Tx) error {
		rows, err := tx.Query(ctx, `SELECT status, COUNT(*) FROM outbox GROUP BY status`)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			var st string
			var n int
			if err := rows.Scan(&st, &n); err != nil {
				return err
			}
			out[st] = n
		}
		return rows.Err()
	})
	return out, err
}

// Checkpoint returns the named instant, or the zero time.
func (s *Store) Checkpoint(ctx context.Context, name string) (time.Time, error) {
	var at Time
	err := s.read(ctx, func(tx *Tx) error {
		err := tx.QueryRow(ctx, `SELECT at FROM checkpoints WHERE name = ?`, name).Scan(&at)
		if noRows(err) {
			return nil
		}
		return err
	})
	return at.T, err
}

// SetCheckpoint stores the named instant.
func (s *Store) SetCheckpoint(ctx context.Context, name string, at time.Time) error {
	return s.write(ctx, func(tx *Tx) error {
		_, err := tx.Exec(ctx, `INSERT INTO checkpoints (name, at) VALUES (?, ?)
			ON CONFLICT (name) DO UPDATE SET at = excluded.at`, name, tx.D.Time(at))
		return err
	})
}

// ClaimCheckpoint holds the named checkpoint's period for owner until
// until, unless another owner holds it, and returns the checkpoint.
func (s *Store) ClaimCheckpoint(ctx context.Context, name, owner string, now, until time.Time) (time.Time, bool, error) {
	if owner == "" || !until.After(now) {
		return time.Time{}, false, bot.Errorf(bot.EINVALID, "A checkpoint claim needs its owner and a lease that ends after now.")
	}
	var at Time
	var ok bool
	err := s.write(ctx, func(tx *Tx) error {
		res, err := tx.Exec(ctx, `INSERT INTO checkpoint_claims (name, owner, until) VALUES (?, ?, ?)
			ON CONFLICT (name) DO UPDATE SET owner = excluded.owner, until = excluded.until
			WHERE checkpoint_claims.owner = excluded.owner OR checkpoint_claims.until <= ?`,
			name, owner, tx.D.Time(until), tx.D.Time(now))
		if err != nil {
			return err
		}
		n, err := res.RowsAffected()
		if ok = n == 1; err != nil || !ok {
			return err
		}
		err = tx.QueryRow(ctx, `SELECT at FROM checkpoints WHERE name = ?`, name).Scan(&at)
		if noRows(err) {
			return nil
		}
		return err
	})
	return at.T, ok, err
}

// AdvanceCheckpoint moves the checkpoint to at and ends owner's claim.
func (s *Store) AdvanceCheckpoint(ctx context.Context, name, owner string, at time.Time) error {
	return s.write(ctx, func(tx *Tx) error {
		res, err := tx.Exec(ctx, `DELETE FROM checkpoint_claims WHERE name = ? AND owner = ?`, name, owner)
		if err != nil {
			return err
		}
		if n, err := res.RowsAffected(); err != nil {
			return err
		} else if n == 0 {
			return bot.Errorf(bot.ECONFLICT, "Checkpoint %s is no longer held by %s.", name, owner)
		}
		_, err = tx.Exec(ctx, `INSERT INTO checkpoints (name, at) VALUES (?, ?)
			ON CONFLICT (name) DO UPDATE SET at = excluded.at`, name, tx.D.Time(at))
		return err
	})
}
