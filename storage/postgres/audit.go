package postgres

import (
	"context"
)

// audit records a change in the same transaction as the change itself.
func (tx *Tx) audit(ctx context.Context, ws, entity string, id any, action string, before, after any) error {
	return tx.s.Audit(ctx, ws, entity, id, action, before, after)
}
