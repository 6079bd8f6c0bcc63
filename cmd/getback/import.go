package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	iofs "io/fs"
	"os"
	"path/filepath"
	"runtime/debug"
	"time"

	"github.com/schollz/progressbar/v3"

	"github.com/getbackhq/getback/adapters/console"
	"github.com/getbackhq/getback/storage/sheet"
)

func runImport(ctx context.Context, c config, args []string, stdout, stderr io.Writer) error {
	fs := newFlags("import", &c, stdout, stderr)
	dryRun := fs.Bool("dry-run", false, "read and check everything, write nothing (not even a new database file)")
	regionMap := fs.String("region-map", "", "a CSV `FILE` of \"state,region\" lines overriding the state-to-region table")
	report := fs.String("report", "", "write every flag, row by row, to this CSV `FILE`")
	ws := fs.String("workspace", console.Workspace, "the workspace `WS` to import into: slack:T…, mattermost:… or console")
	pos, err := fs.parse(args, 1)
	if err != nil {
		return err
	}
	if len(pos) == 0 {
		return fs.usageError("which file? Name the spreadsheet to import")
	}
	file := pos[0]
	// A file getback cannot read, or one with no header row it
	// recognises, is refused before anything is opened or created.
	if err := checkHeader(file); err != nil {
		return err
	}
	store := c
	if *dryRun {
		if _, err := os.Stat(c.DB); errors.Is(err, iofs.ErrNotExist) {
			store.DB = ":memory:" // compare with nothing, create nothing
		}
	}
	db, err := openStore(ctx, store, newLogger(store, stderr, false))
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
	// An import parses on every core while SQLite writes on one: the
	// collector can run often in the spare time, keeping the heap close to
	// what is live (about 35 MB for 100,000 rows) instead of twice that.
	defer debug.SetGCPercent(debug.SetGCPercent(importGCPercent))
	defer debug.SetMemoryLimit(debug.SetMemoryLimit(importMemoryLimit))
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

// checkHeader refuses a file that cannot be read as a spreadsheet, or has
// no header row naming the legacy sheet's columns.
func checkHeader(file string) error {
	r, _, _, err := sheet.Open(file)
	if err != nil {
		return err
	}
	defer r.Close()
	ok, err := sheet.HasHeader(r)
	if err != nil {
		return fmt.Errorf("%s: %w", file, err)
	}
	if !ok {
		return fmt.Errorf("%s has no header row getback recognises, so nothing was imported: "+
			"the legacy weekly summary names its columns in one row (Region, State, Meeting Date, Location, DHS POC, "+
			"Key Discussion Points, Follow-up Required, ...), in any order and spelling", filepath.Base(file))
	}
	return nil
}

// The collector's targets during an import: GOGC (the default is 100), and
// a soft limit on the Go runtime's memory, past which it collects and
// returns memory to the system more eagerly.
const (
	importGCPercent   = 50
	importMemoryLimit = 44 << 20
)

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
	if s.GetbackRows > 0 {
		fmt.Fprintf(w, "               %d listed in the export's Getbacks list: %d created, %d changed, %d unchanged\n",
			s.GetbackRows, s.GetbacksCreated, s.GetbacksChanged, s.GetbacksUnchanged)
	}
	if n := s.Flags[sheet.FlagGetbackNoOwner]; n > 0 {
		fmt.Fprintf(w, "               %d with no owner written went to the label %s: /getback owner %s @name hands them to someone\n",
			n, sheet.Unassigned, sheet.Unassigned)
	}
	if len(s.Flags) == 0 {
		fmt.Fprintln(w, "  flags        none")
		return
	}
	fmt.Fprintln(w, "  flags")
	for _, k := range s.FlagKinds() {
		fmt.Fprintf(w, "    %-20s %d\n", k, s.Flags[k])
	}
}
