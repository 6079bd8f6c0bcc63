package sqlite

import "github.com/getbackhq/getback/bot"

// Ensure the database provides every service of bot.Store (each service
// is also asserted next to its implementation).
var _ bot.Store = (*DB)(nil)
