package postgres

import (
	"context"
	"sort"
	"strings"
	"time"

	"github.com/jackc/pgx/v5/pgtype"

	"github.com/getbackhq/getback/bot"
	"github.com/getbackhq/getback/storage/sqlstore"
)

func scanOutbox(r sqlstore.Row) (*bot.OutboxItem, error) { return sqlstore.ScanOutbox(r) }

// OutboxKeysExist reports which of the keys are in the outbox, in any state.
func (db *DB) OutboxKeysExist(ctx context.Context, keys []string) (map[string]bool, error) {
	out := make(map[string]bool, len(keys))
	if len(keys) == 0 {
		return out, nil
	}
	found, err := sqlstore.ReadAll(ctx, db.Store, func(r sqlstore.Row) (string, error) {
		var k string
		err := r.Scan(&k)
		return k, err
	}, `SELECT key FROM outbox WHERE key = ANY(?)`, keys)
	for _, k := range found {
		out[k] = true
	}
	return out, err
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
	return sqlstore.ReadAll(ctx, db.Store, scanOutbox, `SELECT `+sqlstore.OutboxCols+` FROM outbox WHERE `+strings.Join(where, " AND ")+` ORDER BY id`+lim, args...)
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
			RETURNING `+prefixed("outbox.", sqlstore.OutboxCols)+`,
			(SELECT t.last_post_at FROM outbox_targets t WHERE t.workspace = outbox.workspace AND t.channel = outbox.channel
				AND t.user_id = outbox.user_id)`, args...)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			var last pgtype.Timestamptz
			it, err := sqlstore.ScanOutbox(rows, &last)
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
