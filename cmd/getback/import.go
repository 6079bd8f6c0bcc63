package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"time"

	"github.com/schollz/progressbar/v3"

	"github.com/getbackhq/getback/adapters/console"
	"github.com/getbackhq/getback/storage/sheet"
)

func runImport(ctx context.Context, c config, args []string, stdout, stderr io.Writer) error {
	fs := newFlags("import", &c, stderr)
	dryRun := fs.Bool("dry-run", false, "read and check everything, write nothing")
	regionMap := fs.String("region-map", "", `CSV file of "state,region" lines overriding the state-to-region table`)
	report := fs.String("report", "", "write every flag, row by row, to this CSV file")
	ws := fs.String("workspace", console.Workspace, "workspace id to import into (slack:T…, mattermost:…, console)")
	// Accept the file before or after the flags.
	var file string
	if len(args) > 0 && len(args[0]) > 0 && args[0][0] != '-' {
		file, args = args[0], args[1:]
	}
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if file == "" && fs.NArg() == 1 {
		file = fs.Arg(0)
	}
	if file == "" || fs.NArg() > 1 {
		fmt.Fprintln(stderr, "usage: getback import FILE [--dry-run] [--region-map FILE] [--report FILE] [--workspace WS]")
		return errUsage
	}
	db, err := openStore(ctx, c)
	if err != nil {
		return err
	}
	defer db.Close()
	im := &sheet.Importer{Store: db, Workspace: *ws, DryRun: *dryRun, Now: c.Now}
	if *regionMap != "" {
		f, err := os.Open(*regionMap)
		if err != nil {
			return err
		}
		im.RegionMap, err = sheet.ReadRegionMap(f)
		f.Close()
		if err != nil {
			return err
		}
	}
	var rw *sheet.ReportWriter
	if *report != "" {
		f, err := os.Create(*report)
		if err != nil {
			return err
		}
		defer f.Close()
		rw = sheet.NewReportWriter(f)
		im.OnFlag = rw.Write
	}
	r, size, progress, err := sheet.Open(file)
	if err != nil {
		return err
	}
	defer r.Close()
	if f, ok := stderr.(*os.File); ok && isTerminal(f) && progress != nil {
		bar := progressbar.NewOptions64(size, progressbar.OptionSetWriter(stderr), progressbar.OptionShowBytes(true),
			progressbar.OptionSetDescription("importing "+filepath.Base(file)), progressbar.OptionClearOnFinish(),
			progressbar.OptionThrottle(100*time.Millisecond))
		im.Progress = func(int) { bar.Set64(progress()) }
		defer bar.Finish()
	}
	sum, err := im.Import(ctx, r)
	if rw != nil {
		if cerr := rw.Close(); err == nil {
			err = cerr
		}
	}
	printSummary(stdout, file, *ws, *dryRun, sum)
	if err != nil {
		return err
	}
	if *report != "" {
		fmt.Fprintf(stdout, "Every flag, row by row: %s\n", *report)
	}
	return nil
}

func printSummary(w io.Writer, file, ws string, dryRun bool, s sheet.Summary) {
	head := fmt.Sprintf("Imported %s into workspace %s.", filepath.Base(file), ws)
	if dryRun {
		head = fmt.Sprintf("Dry run of %s into workspace %s: nothing was written.", filepath.Base(file), ws)
	}
	fmt.Fprintln(w, head)
	fmt.Fprintf(w, "  sections     %d\n", s.Sections)
	fmt.Fprintf(w, "  rows read    %d (%d empty, %d skipped)\n", s.RowsRead, s.EmptyRows, s.Skipped)
	fmt.Fprintf(w, "  meetings     %d created, %d updated, %d unchanged\n", s.Created, s.Updated, s.Unchanged)
	fmt.Fprintf(w, "  duplicates   %d repeated in the file, %d near-duplicates not imported\n", s.Duplicates, s.NearDuplicates)
	fmt.Fprintf(w, "  getbacks     %d extracted\n", s.Getbacks)
	if len(s.Flags) == 0 {
		fmt.Fprintln(w, "  flags        none")
		return
	}
	fmt.Fprintln(w, "  flags")
	for _, k := range s.FlagKinds() {
		fmt.Fprintf(w, "    %-20s %d\n", k, s.Flags[k])
	}
}
