package main

import (
	"context"
	"fmt"
	"io"

	"github.com/getbackhq/getback/adapters/console"
	"github.com/getbackhq/getback/bot"
)

func runDigest(ctx context.Context, c config, args []string, stdout, stderr io.Writer) error {
	fs := newFlags("digest", &c, stdout, stderr)
	region := fs.Int("region", 0, "the region `N`, 1-10")
	leadership := fs.Bool("leadership", false, "the cross-region leadership roll-up")
	week := fs.String("week", "", "any `DATE` in the week to digest (default: the week the next digest covers)")
	post := fs.Bool("post", false, "post it to the region's channel through the outbox (with its pictures)")
	pngDir := fs.String("png", "", "write the digest's pictures (coverage map, getback trend) as PNG files in this `DIR`")
	ws := fs.String("workspace", console.Workspace, "the workspace `WS`: slack:T…, mattermost:… or console")
	if _, err := fs.parse(args, 0); err != nil {
		return err
	}
	if !*leadership && !bot.ValidRegion(*region) {
		return fmt.Errorf("--region must be 1-10 (or use --leadership)")
	}
	n := *region
	if *leadership {
		n = bot.LeadershipRegion
	}
	db, err := openStore(ctx, c, newLogger(c, stderr, false))
	if err != nil {
		return err
	}
	defer db.Close()
	r, err := db.FindRegion(ctx, *ws, n)
	if bot.ErrorCode(err) == bot.ENOTFOUND {
		r, err = bot.NewRegion(*ws, n), nil
	}
	if err != nil {
		return err
	}
	now := c.Now()
	today := bot.DateOf(now.In(r.Location()))
	monday := bot.CoveredWeek(today)
	if *week != "" {
		d, err := bot.ParseDate(*week, today)
		if err != nil {
			return fmt.Errorf("--week: %s", bot.ErrorMessage(err))
		}
		monday = d.WeekStart()
	}
	log := newLogger(c, stderr, false)
	d := &bot.Reporter{Store: db, Pictures: *post || *pngDir != "", Log: log}
	rep, err := d.Digest(ctx, r, monday, today)
	if err != nil {
		return err
	}
	if *pngDir != "" {
		if len(rep.Images) == 0 {
			return fmt.Errorf("the digest's pictures could not be drawn (see the log)")
		}
		paths, err := console.WritePictures(*pngDir, rep.Images)
		if err != nil {
			return err
		}
		for i, p := range paths {
			fmt.Fprintf(stderr, "Wrote %s (%s)\n", p, rep.Images[i].Title)
		}
	}
	if !*post {
		fmt.Fprint(stdout, rep.PlainText())
		return nil
	}
	if r.Channel == "" {
		return fmt.Errorf("%s has no digest channel in workspace %s: configure it with /digest config", r.Name, *ws)
	}
	created, err := db.Enqueue(ctx, &bot.OutboxItem{Key: bot.DigestKey(r, monday), Reply: rep,
		Target: bot.Target{Workspace: *ws, Channel: r.Channel}, NextAttempt: now})
	if err != nil {
		return err
	}
	if !created {
		return fmt.Errorf("the %s digest for %s was already posted (or is queued)", r.Name, monday.ISOWeek())
	}
	fmt.Fprintf(stdout, "Queued the %s digest for %s; a running getback (serve or console) delivers it.\n", r.Name, monday.ISOWeek())
	return nil
}
