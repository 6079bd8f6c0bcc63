package main

import (
	"context"

	"github.com/getbackhq/getback/storage/sqlite"
)

// openStore opens the store that c.DB names, on the process's clock. Every
// subcommand opens its store here.
func openStore(ctx context.Context, c config) (*sqlite.DB, error) {
	return sqlite.Open(ctx, c.DB, sqlite.WithClock(c.Now))
}
