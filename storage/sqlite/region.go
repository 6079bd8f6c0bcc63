package sqlite

import (
	"context"
	"database/sql"

	"github.com/getbackhq/getback/bot"
	"github.com/getbackhq/getback/storage/sqlstore"
)

// syncMeetingRegions writes (or, with replace, rewrites) the other regions
// of m, reading the state table once per transaction and workspace.
func syncMeetingRegions(ctx context.Context, tx *Tx, m *bot.Meeting, replace bool) error {
	return sqlstore.SyncMeetingRegions(ctx, tx.shared(), m, replace)
}

// backfillMeetingRegions fills meeting_regions for the multi-state meetings
// stored before it existed (the Go step of migration 9).
func backfillMeetingRegions(ctx context.Context, sqlTx *sql.Tx) error {
	tx := &sqlstore.Tx{Q: querier{sqlTx}, D: dialect{}}
	rows, err := tx.Query(ctx, `SELECT id, workspace, region, states, date FROM meetings WHERE states LIKE '%|%'`)
	if err != nil {
		return err
	}
	ms, err := sqlstore.ScanRegionRows(rows)
	if err != nil {
		return err
	}
	overrides := map[string]map[string]int{}
	for _, m := range ms {
		o, ok := overrides[m.Workspace]
		if !ok {
			if o, err = sqlstore.StateRegions(ctx, tx, m.Workspace); err != nil {
				return err
			}
			overrides[m.Workspace] = o
		}
		if err := sqlstore.WriteMeetingRegions(ctx, tx, m, o, true); err != nil {
			return err
		}
	}
	return nil
}
