package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"

	"github.com/getbackhq/getback/adapters/console"
	"github.com/getbackhq/getback/bot"
	"github.com/getbackhq/getback/storage/sheet"
)

func runExport(ctx context.Context, c config, args []string, stdout, stderr io.Writer) error {
	fs := newFlags("export", &c, stderr)
	format := fs.String("format", "", "csv, xlsx or md (default: from -o's extension, else csv)")
	region := fs.Int("region", 0, "only this region (1-10)")
	since := fs.String("since", "", "only meetings on or after this date")
	out := fs.String("o", "", "write to this file instead of standard output")
	ws := fs.String("workspace", console.Workspace, "workspace id to export")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	opt := sheet.ExportOptions{Workspace: *ws, Format: strings.ToLower(*format), AsOf: bot.DateOf(c.Now())}
	if opt.Format == "" {
		opt.Format = sheet.FormatCSV
		if ext := strings.TrimPrefix(strings.ToLower(filepath.Ext(*out)), "."); ext == "xlsx" || ext == "md" {
			opt.Format = ext
		}
	}
	if *region != 0 {
		if !bot.ValidRegion(*region) {
			return fmt.Errorf("--region must be 1-10, not %d", *region)
		}
		opt.Region = region
	}
	if *since != "" {
		d, err := bot.ParseDate(*since, bot.DateOf(c.Now()))
		if err != nil {
			return fmt.Errorf("--since: %s", bot.ErrorMessage(err))
		}
		opt.Since = &d
	}
	db, err := openStore(ctx, c)
	if err != nil {
		return err
	}
	defer db.Close()
	w := stdout
	if *out != "" {
		f, err := os.Create(*out)
		if err != nil {
			return err
		}
		defer f.Close()
		w = f
	} else if f, ok := stdout.(*os.File); ok && isTerminal(f) && opt.Format == sheet.FormatXLSX {
		return fmt.Errorf("an .xlsx file is binary: write it to a file with -o FILE.xlsx")
	}
	if err := (&sheet.Exporter{Store: db}).Export(ctx, opt, w); err != nil {
		return err
	}
	if *out != "" {
		fmt.Fprintf(stderr, "Wrote %s\n", *out)
	}
	return nil
}
