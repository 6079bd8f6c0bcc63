package sqlstore

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"

	"github.com/getbackhq/getback/bot"
)

// Audit records a change in the same transaction as the change itself. The
// actor comes from the context.
func (tx *Tx) Audit(ctx context.Context, ws, entity string, id any, action string, before, after any) error {
	enc := func(v any) (string, error) {
		if v == nil {
			return "", nil
		}
		b, err := json.Marshal(v)
		return string(b), err
	}
	b, err := enc(before)
	if err != nil {
		return err
	}
	a, err := enc(after)
	if err != nil {
		return err
	}
	actor := bot.ActorFrom(ctx).UserID
	_, err = tx.Exec(ctx, `INSERT INTO audit_log (workspace, actor, at, entity, entity_id, action, before, after)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?)`, ws, actor, tx.D.Time(tx.Now), entity, fmt.Sprint(id), action, b, a)
	return err
}

// FindAudit returns audit entries, newest first.
func (s *Store) FindAudit(ctx context.Context, f bot.AuditFilter) ([]*bot.AuditEntry, error) {
	where, args := []string{"workspace = ?"}, []any{f.Workspace}
	if f.Entity != nil {
		where, args = append(where, "entity = ?"), append(args, *f.Entity)
	}
	if f.EntityID != nil {
		where, args = append(where, "entity_id = ?"), append(args, *f.EntityID)
	}
	var out []*bot.AuditEntry
	err := s.read(ctx, func(tx *Tx) error {
		lim, args := tx.D.LimitOffset(args, f.Limit, 0)
		var err error
		out, err = QueryAll(ctx, tx, func(r Row) (*bot.AuditEntry, error) {
			e := &bot.AuditEntry{}
			var at Time
			err := r.Scan(&e.ID, &e.Workspace, &e.Actor, &at, &e.Entity, &e.EntityID, &e.Action, &e.Before, &e.After)
			e.At = at.T
			return e, err
		}, `SELECT id, workspace, actor, at, entity, entity_id, action, before, after
			FROM audit_log WHERE `+strings.Join(where, " AND ")+` ORDER BY id DESC`+lim, args...)
		return err
	})
	return out, err
}
