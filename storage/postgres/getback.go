package postgres

import "github.com/getbackhq/getback/bot"

// Ensure DB implements the getback service.
var _ bot.GetbackService = (*DB)(nil)
