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
	fs := newFlags("export", &c, stdout, stderr)
	format := fs.String("format", "", "`FORMAT`: csv, xlsx or md (default: from -o's extension, else csv)")
	region := fs.Int("region", 0, "only region `N` (1-10)")
	since := fs.String("since", "", "only meetings on or after this `DATE`")
	out := fs.String("o", "", "write to this `FILE` (.csv, .xlsx or .md) instead of standard output")
	ws := fs.String("workspace", console.Workspace, "the workspace `WS` to export (slack:T…, mattermost:… or console)")
	if _, err := fs.parse(args, 0); err != nil {
		return err
	}
	f, err := exportFormat(*format, *out)
	if err != nil {
		return err
	}
	opt := sheet.ExportOptions{Workspace: *ws, Format: f, AsOf: bot.DateOf(c.Now())}
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
	db, err := openStore(ctx, c, newLogger(c, stderr, false))
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

// exportFormats maps the formats export writes to the file extensions
// that name them.
var exportFormats = map[string][]string{
	sheet.FormatCSV:      {".csv"},
	sheet.FormatXLSX:     {".xlsx"},
	sheet.FormatMarkdown: {".md", ".markdown"},
}

// exportFormat picks the format from --format, else from the output
// file's extension, else CSV. An unknown format, a file extension that
// names no format (out.pdf), or one that contradicts --format is refused
// before any file is written.
func exportFormat(format, out string) (string, error) {
	format = strings.ToLower(strings.TrimPrefix(format, "."))
	if format == "markdown" {
		format = sheet.FormatMarkdown
	}
	if _, ok := exportFormats[format]; format != "" && !ok {
		return "", fmt.Errorf("--format %s: export writes csv, xlsx or md", format)
	}
	ext := strings.ToLower(filepath.Ext(out))
	if ext == "" {
		if format == "" {
			format = sheet.FormatCSV
		}
		return format, nil
	}
	for f, exts := range exportFormats {
		for _, e := range exts {
			if e != ext {
				continue
			}
			if format != "" && format != f {
				return "", fmt.Errorf("-o %s is a .%s file name, but --format says %s: make them agree", out, f, format)
			}
			return f, nil
		}
	}
	return "", fmt.Errorf("-o %s: export writes .csv, .xlsx or .md files, not %s", out, ext)
}
