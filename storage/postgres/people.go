package postgres

import (
	"context"

	"github.com/getbackhq/getback/bot"
	"github.com/getbackhq/getback/storage/sqlstore"
)

// FindPeopleByID returns the known ones of the users in ws, in one query.
func (db *DB) FindPeopleByID(ctx context.Context, ws string, userIDs []string) ([]*bot.Person, error) {
	if len(userIDs) == 0 {
		return nil, nil
	}
	return sqlstore.ReadAll(ctx, db.Store, sqlstore.ScanPerson, `SELECT `+sqlstore.PersonCols+` FROM people
		WHERE workspace = ? AND user_id = ANY(?)`, ws, userIDs)
}

// lockKey takes a transaction-scoped lock on a name, so that a
// read-then-write of a row that may not exist yet is not interleaved with
// another replica's.
func (tx *Tx) lockKey(ctx context.Context, parts ...string) error {
	return dialect{}.LockKey(ctx, tx.s.Q, parts...)
}
