package postgres

import (
	"context"
	"time"
)

// seenTTL is how long a delivery key is remembered; platforms retry within
// minutes.
const seenTTL = 24 * time.Hour

// FirstSeen records a delivery key and reports whether this is the first
// time it was seen, on any replica. Keys older than a day are forgotten.
func (db *DB) FirstSeen(ctx context.Context, key string) (bool, error) {
	var first bool
	err := db.write(ctx, func(tx *Tx) error {
		// The key need not reach the disk before the answer: any later
		// synchronous commit (the command's own write) flushes it too, and
		// losing it in a crash only lets a read run twice.
		if _, err := tx.exec(ctx, `SET LOCAL synchronous_commit = off`); err != nil {
			return err
		}
		// A key seen more than a day ago counts as new again.
		tag, err := tx.exec(ctx, `INSERT INTO inbound_seen (key, at) VALUES (?, ?)
			ON CONFLICT (key) DO UPDATE SET at = excluded.at WHERE inbound_seen.at < ?`,
			key, tx.now, tx.now.Add(-seenTTL))
		if err != nil {
			return err
		}
		first = tag.RowsAffected() == 1
		if !first || tx.db.seenCount.Add(1)%256 != 1 {
			return nil
		}
		// Every 256 new keys (and the first), forget old ones.
		_, err = tx.exec(ctx, `DELETE FROM inbound_seen WHERE at < ?`, tx.now.Add(-seenTTL))
		return err
	})
	return first, err
}
