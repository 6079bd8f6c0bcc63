package postgres

import (
	"context"

	"github.com/getbackhq/getback/bot"
	"github.com/getbackhq/getback/storage/sqlstore"
)

// syncMeetingRegions writes (or, with replace, rewrites) the other regions
// of m, reading the state table once per transaction and workspace.
func syncMeetingRegions(ctx context.Context, tx *Tx, m *bot.Meeting, replace bool) error {
	return sqlstore.SyncMeetingRegions(ctx, &tx.s, m, replace)
}
