package main

import (
	"context"
	"log/slog"

	"github.com/getbackhq/getback/bot"
	"github.com/getbackhq/getback/storage/postgres"
	"github.com/getbackhq/getback/storage/sheet"
	"github.com/getbackhq/getback/storage/sqlite"
)

// store is what the subcommands use of a store; storage/sqlite and
// storage/postgres both provide it.
type store interface {
	bot.Store
	// sheet.Store adds the bulk writes of a spreadsheet import.
	sheet.Store
	// FirstSeen deduplicates platform retries and clicks across replicas.
	FirstSeen(ctx context.Context, key string) (bool, error)
	// Ping tells /healthz whether the database answers.
	Ping(ctx context.Context) error
	Close() error
}

// openStore opens the store that c.DB names, on the process's clock: a
// postgres:// (or postgresql://) URL opens PostgreSQL, anything else is a
// SQLite file. Every subcommand opens its store here.
func openStore(ctx context.Context, c config, log *slog.Logger) (store, error) {
	if postgres.IsURL(c.DB) {
		return postgres.Open(ctx, c.DB, postgres.WithClock(c.Now), postgres.WithLogger(log))
	}
	return sqlite.Open(ctx, c.DB, sqlite.WithClock(c.Now))
}
