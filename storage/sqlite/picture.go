package sqlite

import "github.com/getbackhq/getback/bot"

// Ensure DB implements the trend service.
var _ bot.TrendService = (*DB)(nil)
