package sqlstore

import (
	"context"
	"time"
)

// seenTTL is how long a delivery key is remembered; platforms retry within
// minutes.
const seenTTL = 24 * time.Hour

// FirstSeen records a delivery key and reports whether this is the first
// time it was seen, by any process sharing the database. Keys older than a
// day are forgotten.
func (s *Store) FirstSeen(ctx context.Context, key string) (bool, error) {
	var first bool
	err := s.write(ctx, func(tx *Tx) error {
		// The key need not reach the disk before the answer: any later
		// durable commit (the command's own write) flushes it too, and
		// losing it in a crash only lets a read run twice.
		if err := tx.D.DeferDurability(ctx, tx.Q); err != nil {
			return err
		}
		// A key seen more than a day ago counts as new again.
		res, err := tx.Exec(ctx, `INSERT INTO inbound_seen (key, at) VALUES (?, ?)
			ON CONFLICT (key) DO UPDATE SET at = excluded.at WHERE inbound_seen.at < ?`,
			key, tx.D.Time(tx.Now), tx.D.Time(tx.Now.Add(-seenTTL)))
		if err != nil {
			return err
		}
		n, err := res.RowsAffected()
		first = n == 1
		if err != nil || !first || s.seenCount.Add(1)%256 != 1 {
			return err
		}
		// Every 256 new keys (and the first), forget old ones.
		_, err = tx.Exec(ctx, `DELETE FROM inbound_seen WHERE at < ?`, tx.D.Time(tx.Now.Add(-seenTTL)))
		return err
	})
	return first, err
}
