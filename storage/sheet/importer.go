package sheet

import (
	"context"
	"runtime"
	"sort"
	"sync"
	"time"

	"golang.org/x/sync/errgroup"

	"github.com/getbackhq/getback/bot"
)

// Store is what the importer needs of the store.
type Store interface {
	StateRegions(ctx context.Context, ws string) (map[string]int, error)
	// FindImportCandidates returns the stored meetings a batch may repeat.
	FindImportCandidates(ctx context.Context, ws string, l bot.ImportLookup) ([]*bot.Meeting, error)
	// ApplyImport writes a batch in one transaction.
	ApplyImport(ctx context.Context, ws string, b *bot.ImportBatch) error
	// FindImportGetbacks returns the getbacks of the given meetings, and
	// with unlinked those of no meeting.
	FindImportGetbacks(ctx context.Context, ws string, meetingIDs []int64, unlinked bool) ([]*bot.Getback, error)
	FindPeople(ctx context.Context, ws string) ([]*bot.Person, error)
}

// Importer reads the legacy weekly summary into a workspace.
type Importer struct {
	Store     Store
	Workspace string
	// DryRun reads and checks everything and writes nothing.
	DryRun bool
	// RegionMap overrides the state-to-region table for this import, on top
	// of the workspace's own overrides.
	RegionMap map[string]int
	Now       func() time.Time
	// OnFlag receives every flag as it is raised (for the report), in file
	// order.
	OnFlag func(Flag)
	// Progress, when set, is called after every batch with the rows read.
	Progress func(rows int)
	// BatchSize is how many rows are written per transaction; default 1000.
	BatchSize int
	// Workers is how many goroutines parse rows; default GOMAXPROCS.
	Workers int
}

// Summary counts what an import did.
type Summary struct {
	Sections       int
	RowsRead       int // data rows (after a header), empty ones included
	EmptyRows      int
	Skipped        int // rows that could not become meetings
	Created        int
	Updated        int
	Unchanged      int
	Duplicates     int // rows repeated within the file
	NearDuplicates int // rows nearly equal to a stored meeting, not imported
	Getbacks       int // GETBACK items extracted into new getbacks
	// The export's Getbacks list: rows read, and the getbacks they created,
	// changed, or found as they were.
	GetbackRows       int
	GetbacksCreated   int
	GetbacksChanged   int
	GetbacksUnchanged int
	Flags             map[string]int
}

// FlagKinds returns the kinds counted in s, sorted.
func (s Summary) FlagKinds() []string {
	var kinds []string
	for k := range s.Flags {
		kinds = append(kinds, k)
	}
	sort.Strings(kinds)
	return kinds
}

// importRun is the state of one Import call.
type importRun struct {
	*Importer
	ctx context.Context
	s   Summary
	p   rowParser
	// claimed holds the source keys of meetings matched or created by this
	// run: each stored meeting is one row of the file at most.
	claimed claims
	// seen holds the content (and export id) of every row accepted, to
	// find rows repeated in the file.
	seen seenRows
	// earlier fingerprints the rows accepted so far, by state and date,
	// to find near-duplicates within the file.
	earlier earlierRows
	batch   []*parsedRow
	// writes takes checked batches to the goroutine that stores them.
	writes chan<- write
	mu     sync.Mutex // guards created and refIDs
	// created holds the id ranges of the meetings this run created.
	created [][2]int64

	people *people
	// refIDs maps the export's meeting ids (the Meeting ID column) to the
	// stored meetings they became (0: to be created, in a dry run);
	// refAlias maps a row's id to an earlier row's it nearly repeats, and
	// refTargets holds the stored meetings some id maps to.
	refIDs     map[string]int64
	refAlias   map[string]string
	refTargets map[int64]bool
	// deferred are rows with a Meeting ID whose getbacks come from the
	// export's Getbacks list, or, when the file has none, from their
	// follow-up text at the end.
	deferred []deferredRow
	gb       getbackList
}

// deferredRow is a row with a Meeting ID stored without its getbacks.
type deferredRow struct {
	ref string
	n   int // GETBACK items in its follow-up text
}

// Import reads every row of r. Rows are parsed in parallel and then
// checked and written in file order, BatchSize rows to a transaction.
func (im *Importer) Import(ctx context.Context, r Reader) (Summary, error) {
	now := time.Now
	if im.Now != nil {
		now = im.Now
	}
	overrides, err := im.Store.StateRegions(ctx, im.Workspace)
	if err != nil {
		return Summary{Flags: map[string]int{}}, err
	}
	for k, v := range im.RegionMap {
		overrides[k] = v
	}
	ctx = bot.WithActor(ctx, bot.Actor{Workspace: im.Workspace, UserID: "import", Name: "import"})
	run := &importRun{Importer: im, s: Summary{Flags: map[string]int{}},
		p:       rowParser{rowConfig: rowConfig{overrides: overrides, today: bot.DateOf(now())}},
		claimed: claims{keys: map[claim]struct{}{}, other: map[string]struct{}{}},
		seen:    seenRows{plain: map[[12]byte]struct{}{}, refs: map[seenRef]struct{}{}},
		refIDs:  map[string]int64{}, refAlias: map[string]string{}, refTargets: map[int64]bool{}}
	ps, err := im.Store.FindPeople(ctx, im.Workspace)
	if err != nil {
		return run.s, err
	}
	run.people = newPeople(ps)
	run.p.people = run.people
	workers := im.Workers
	if workers <= 0 {
		workers = runtime.GOMAXPROCS(0)
	}

	// The reader classifies rows (titles, headers, data) and hands chunks
	// of them to the workers, and, in the same order, to this goroutine,
	// which waits for each chunk to be parsed before using it.
	g, gctx := errgroup.WithContext(ctx)
	run.ctx = gctx
	work := make(chan *chunk, workers)
	order := make(chan *chunk, workers+2)
	g.Go(func() error {
		defer close(work)
		defer close(order)
		return readChunks(gctx, r, work, order)
	})
	for range workers {
		g.Go(func() error {
			for c := range work {
				for i := range c.items {
					it := &c.items[i]
					if it.kind == itemData {
						it.row = run.p.parseCells(it.hdr, it.cells)
					}
				}
				close(c.parsed)
			}
			return nil
		})
	}
	// Batches are written by one more goroutine, so that the next batch is
	// checked while the store writes this one; a store that can copies its
	// log into the database in another, beside the next batch.
	writes := make(chan write)
	checkpoints := make(chan struct{}, 1)
	cp, _ := run.Store.(checkpointer)
	g.Go(func() error { return run.checkpoint(gctx, cp, checkpoints) })
	g.Go(func() error {
		defer close(checkpoints)
		return run.store(gctx, writes, cp, checkpoints)
	})
	run.writes = writes
	g.Go(func() error {
		defer close(writes)
		for c := range order {
			select {
			case <-c.parsed:
			case <-gctx.Done():
				return gctx.Err()
			}
			for i := range c.items {
				if err := run.consume(&c.items[i]); err != nil {
					return err
				}
			}
		}
		if err := gctx.Err(); err != nil {
			return err
		}
		return run.finishAll()
	})
	err = g.Wait()
	if im.Progress != nil {
		im.Progress(run.s.RowsRead)
	}
	return run.s, err
}

func (run *importRun) raise(f Flag) {
	run.s.Flags[f.Kind]++
	if run.OnFlag != nil {
		run.OnFlag(f)
	}
}

// consume takes one item in file order.
func (run *importRun) consume(it *item) error {
	switch it.kind {
	case itemSection:
		run.s.Sections++
		return nil
	case itemFlag:
		run.raise(it.at)
		return nil
	case itemGetbacks:
		return run.startGetbacks()
	case itemGetback:
		return run.addGetback(it)
	}
	s := &run.s
	s.RowsRead++
	pr := &it.row
	run.p.finish(pr)
	for _, f := range pr.flags {
		f.Section, f.Sheet, f.Line = it.at.Section, it.at.Sheet, it.at.Line
		run.raise(f)
	}
	switch {
	case pr.empty:
		s.EmptyRows++
		return nil
	case pr.meeting == nil:
		s.Skipped++
		return nil
	}
	m := pr.meeting
	m.Workspace, m.CreatedBy = run.Workspace, "import"
	// Two rows of one export with different meeting ids are two meetings,
	// however alike.
	if run.seen.add(pr.content, pr.ref) {
		f := it.at
		f.Kind, f.Message = FlagDuplicateRow, "the same row appears earlier in the file: imported once"
		run.raise(f)
		s.Duplicates++
		return nil
	}
	m.ImportHash = pr.content
	it.cells, it.hdr = nil, nil
	pr.flags, pr.at = nil, it.at
	run.batch = append(run.batch, pr)
	if len(run.batch) >= run.batchSize() {
		return run.flush()
	}
	return nil
}

func (run *importRun) batchSize() int {
	if run.BatchSize > 0 {
		return run.BatchSize
	}
	return 1000
}

// finishAll writes what is left at the end of the file.
func (run *importRun) finishAll() error {
	if err := run.flush(); err != nil {
		return err
	}
	if err := run.flushGetbacks(); err != nil {
		return err
	}
	return run.extractDeferred()
}
