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
