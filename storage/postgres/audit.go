package postgres

import (
	"context"

	"github.com/getbackhq/getback/bot"
)

// Ensure DB implements the audit reader.
var _ bot.AuditService = (*DB)(nil)

// audit records a change in the same transaction as the change itself.
func (tx *Tx) audit(ctx context.Context, ws, entity string, id any, action string, before, after any) error {
	return tx.s.Audit(ctx, ws, entity, id, action, before, after)
}
