package sqlite

import (
	"context"
	"database/sql"
	"sort"
	"strings"
	"time"

	"github.com/getbackhq/getback/bot"
	"github.com/getbackhq/getback/storage/sqlstore"
)

const outboxCols = sqlstore.OutboxCols

func scanOutbox(sc sqlstore.Row) (*bot.OutboxItem, error) { return sqlstore.ScanOutbox(sc) }

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
