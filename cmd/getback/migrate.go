package main

import (
	"context"
	"database/sql"
	"fmt"
	"io"
	"net/url"
	"text/tabwriter"

	"github.com/getbackhq/getback/storage/postgres"
	"github.com/getbackhq/getback/storage/sqlite"
)

// runMigrate copies the SQLite store (--db) into a PostgreSQL database
// (--to), migrating both to the current schema first.
func runMigrate(ctx context.Context, c config, args []string, stdout, stderr io.Writer) error {
	fs := newFlags("migrate", &c, stdout, stderr)
	to := fs.String("to", "", "the PostgreSQL database to copy into, a postgres:// `URL`")
	if _, err := fs.parse(args, 0); err != nil {
		return err
	}
	if !postgres.IsURL(*to) {
		return fmt.Errorf("migrate needs --to postgres://USER@HOST:5432/DATABASE (the SQLite store is --db, now %s)", redactURL(c.DB))
	}
	if postgres.IsURL(c.DB) {
		return fmt.Errorf("migrate copies a SQLite store: --db names a file, not a database URL")
	}
	// Bring the SQLite file to the current schema, as every command does.
	src, err := sqlite.Open(ctx, c.DB, sqlite.WithClock(c.Now))
	if err != nil {
		return err
	}
	src.Close()
	raw, err := sql.Open("sqlite", (&url.URL{Scheme: "file", Path: c.DB, RawQuery: "mode=ro"}).String())
	if err != nil {
		return err
	}
	defer raw.Close()
	dst, err := postgres.Open(ctx, *to, postgres.WithClock(c.Now))
	if err != nil {
		return err
	}
	defer dst.Close()
	counts, err := dst.CopyFrom(ctx, raw)
	if err != nil {
		return fmt.Errorf("migrate to %s: %w", dst.Where(), err)
	}
	tw := tabwriter.NewWriter(stdout, 2, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "TABLE\tSQLITE\tPOSTGRESQL")
	for _, n := range counts {
		fmt.Fprintf(tw, "%s\t%d\t%d\n", n.Table, n.Source, n.Target)
	}
	tw.Flush()
	fmt.Fprintf(stdout, "Copied %s to %s; every count matches. Point GETBACK_DB at the database to use it.\n", c.DB, dst.Where())
	return nil
}

// runBackup writes a consistent copy of the SQLite store while serve may
// be running.
func runBackup(ctx context.Context, c config, args []string, stdout, stderr io.Writer) error {
	fs := newFlags("backup", &c, stdout, stderr)
	rest, err := fs.parse(args, 1)
	if err != nil {
		return err
	}
	if len(rest) == 0 {
		return fs.usageError("backup needs the FILE to write the copy to")
	}
	if postgres.IsURL(c.DB) {
		return fmt.Errorf("backup copies a SQLite store; for PostgreSQL use pg_dump (see README, \"Run on PostgreSQL with several replicas\")")
	}
	db, err := sqlite.Open(ctx, c.DB, sqlite.WithClock(c.Now))
	if err != nil {
		return err
	}
	defer db.Close()
	if err := db.Backup(ctx, rest[0]); err != nil {
		return err
	}
	fmt.Fprintf(stdout, "Wrote a copy of %s to %s. To restore it, stop getback and put it in place of %s.\n", c.DB, rest[0], c.DB)
	return nil
}
