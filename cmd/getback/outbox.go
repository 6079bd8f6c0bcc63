package main

import (
	"context"
	"fmt"
	"io"
	"text/tabwriter"

	"github.com/getbackhq/getback/bot"
)

func runOutbox(ctx context.Context, c config, args []string, stdout, stderr io.Writer) error {
	fs := newFlags("outbox", &c, stdout, stderr)
	status := fs.String("status", "", "only items in this `STATE`: pending, sent, dead or skipped")
	retry := fs.Int64("retry", 0, "make the dead item with this `ID` pending again")
	limit := fs.Int("limit", 50, "show at most `N` items")
	if _, err := fs.parse(args, 0); err != nil {
		return err
	}
	db, err := openStore(ctx, c, newLogger(c, stderr, false))
	if err != nil {
		return err
	}
	defer db.Close()
	if *retry != 0 {
		if err := db.RetryOutbox(ctx, *retry, c.Now()); err != nil {
			return fmt.Errorf("retry %d: %s", *retry, bot.ErrorMessage(err))
		}
		fmt.Fprintf(stdout, "Outbox item %d is pending again.\n", *retry)
		return nil
	}
	counts, err := db.OutboxCounts(ctx)
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "pending %d · sent %d · dead %d · skipped %d\n", counts[bot.OutboxPending], counts[bot.OutboxSent],
		counts[bot.OutboxDead], counts[bot.OutboxSkipped])
	f := bot.OutboxFilter{Limit: *limit}
	if *status != "" {
		f.Status = status
	} else {
		dead := bot.OutboxDead
		f.Status = &dead
	}
	items, err := db.FindOutbox(ctx, f)
	if err != nil {
		return err
	}
	if len(items) == 0 {
		return nil
	}
	tw := tabwriter.NewWriter(stdout, 2, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "ID\tSTATUS\tKEY\tTARGET\tATTEMPTS\tLAST ERROR")
	for _, it := range items {
		fmt.Fprintf(tw, "%d\t%s\t%s\t%s\t%d\t%s\n", it.ID, it.Status, it.Key, it.Target, it.Attempts, it.LastError)
	}
	return tw.Flush()
}
