package sqlite

import "github.com/getbackhq/getback/bot"

// Ensure the database provides every service of bot.Store: those it
// shares with PostgreSQL (sqlstore.Store) and its own.
var _ bot.Store = (*DB)(nil)
