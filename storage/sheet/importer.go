package sheet

import (
	"context"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"runtime"
	"slices"
	"sort"
	"strconv"
	"strings"
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

// seenRows holds the content hash of every row accepted (and the
// export's meeting id, for rows that have one), compactly.
type seenRows struct {
	plain map[[12]byte]struct{}
	refs  map[seenRef]struct{}
}

type seenRef struct {
	content [12]byte
	ref     string
}

// add records a row and reports whether it was there already.
func (s *seenRows) add(content, ref string) bool {
	var key [12]byte
	hex.Decode(key[:], []byte(content))
	if ref != "" {
		k := seenRef{key, ref}
		if _, ok := s.refs[k]; ok {
			return true
		}
		s.refs[k] = struct{}{}
		return false
	}
	if _, ok := s.plain[key]; ok {
		return true
	}
	s.plain[key] = struct{}{}
	return false
}

// claims is a set of source keys, held compactly: the binary form of the
// key's group and its number.
type claims struct {
	keys  map[claim]struct{}
	other map[string]struct{} // keys of another form, as they are
}

type claim struct {
	group [12]byte
	n     uint32
}

func parseClaim(key string) (claim, bool) {
	var c claim
	g, ok := strings.CutPrefix(key, "sheet:")
	if !ok || len(g) <= 25 || g[24] != ':' {
		return c, false
	}
	if _, err := hex.Decode(c.group[:], []byte(g[:24])); err != nil {
		return c, false
	}
	n, err := strconv.ParseUint(g[25:], 10, 32)
	c.n = uint32(n)
	return c, err == nil
}

func (c *claims) add(key string) {
	if k, ok := parseClaim(key); ok {
		c.keys[k] = struct{}{}
	} else {
		c.other[key] = struct{}{}
	}
}

func (c *claims) has(key string) bool {
	if k, ok := parseClaim(key); ok {
		_, ok := c.keys[k]
		return ok
	}
	_, ok := c.other[key]
	return ok
}

// earlierRows is what the near-duplicate check keeps of the rows accepted
// so far: 72 bytes a row (and a state), whatever the row's length, in one
// slice, listed by state and date.
type earlierRows struct {
	rows  []earlierRow
	first map[uint64]int32 // index+1 of the latest row of a state and date
	refs  map[int32]string // the export's meeting id of rows that have one
}

type earlierRow struct {
	sig  signature
	line int32
	next int32 // index+1 of the row before it with the same state and date
}

func (e *earlierRows) add(key uint64, sig signature, line int, ref string) {
	if e.first == nil {
		e.first, e.refs = map[uint64]int32{}, map[int32]string{}
	}
	e.rows = append(e.rows, earlierRow{sig: sig, line: int32(line), next: e.first[key]})
	e.first[key] = int32(len(e.rows))
	if ref != "" {
		e.refs[int32(len(e.rows))] = ref
	}
}

// each calls fn for the rows of a state and date, latest first, until fn
// returns false.
func (e *earlierRows) each(key uint64, fn func(r *earlierRow, ref string) bool) {
	for i := e.first[key]; i > 0; i = e.rows[i-1].next {
		if !fn(&e.rows[i-1], e.refs[i]) {
			return
		}
	}
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
	writes := make(chan write, 1)
	checkpoints := make(chan struct{}, 1)
	cp, _ := run.Store.(checkpointer)
	g.Go(func() error {
		for range checkpoints {
			if err := cp.CheckpointImport(gctx); err != nil {
				return err
			}
		}
		if cp != nil && !run.DryRun {
			return cp.CheckpointImport(gctx)
		}
		return nil
	})
	g.Go(func() error {
		defer close(checkpoints)
		for w := range writes {
			if w.synced != nil {
				close(w.synced)
				continue
			}
			if err := run.Store.ApplyImport(gctx, run.Workspace, w.batch); err != nil {
				return fmt.Errorf("store rows %d to %d: %w", w.first, w.last, err)
			}
			if cp != nil {
				select {
				case checkpoints <- struct{}{}:
				default: // one is running; it takes this batch too
				}
			}
			run.mu.Lock()
			if n := len(w.batch.Create); n > 0 {
				run.created = appendRange(run.created, w.batch.Create[0].ID, w.batch.Create[n-1].ID)
			}
			for i, ref := range w.refs {
				if ref != "" {
					run.refIDs[ref] = w.batch.Create[i].ID
				}
			}
			run.mu.Unlock()
		}
		return nil
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

// Kinds of items the reader hands on.
const (
	itemData     = iota // a data row, to parse
	itemSection         // a new section starts
	itemFlag            // a flag about the layout (unknown column, rows before a header)
	itemGetbacks        // the export's Getbacks list starts
	itemGetback         // a row of it
)

type item struct {
	kind  int
	at    Flag // the row's location; the flag itself for itemFlag
	hdr   *header
	gbHdr *getbackHeader
	cells []string
	row   parsedRow
}

// chunk is a run of items; parsed is closed once its data rows are parsed.
type chunk struct {
	items  []item
	parsed chan struct{}
}

const chunkSize = 128

// readChunks reads rows, recognises titles and headers, and sends chunks
// of items to work and order.
func readChunks(ctx context.Context, r Reader, work, order chan<- *chunk) error {
	c := &chunk{parsed: make(chan struct{})}
	send := func() error {
		for _, ch := range []chan<- *chunk{order, work} {
			select {
			case ch <- c:
			case <-ctx.Done():
				return ctx.Err()
			}
		}
		c = &chunk{items: make([]item, 0, chunkSize), parsed: make(chan struct{})}
		return nil
	}
	var hdr *header
	var gbHdr *getbackHeader
	inGetbacks := false // in the Getbacks list, before or after its header
	sections := 0
	sheetName := ""
	noHeaderFlagged := false
	for {
		row, err := r.Next()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return fmt.Errorf("read row %d: %w", row.Line, err)
		}
		if row.Sheet != sheetName {
			// A new worksheet starts afresh: its own title and header.
			sheetName, hdr, gbHdr, noHeaderFlagged = row.Sheet, nil, nil, false
			inGetbacks = row.Sheet == GetbacksSheet
			if inGetbacks {
				c.items = append(c.items, item{kind: itemGetbacks})
			}
		}
		if row.Sheet == CoverageSheet {
			continue // the export's coverage table, not meetings
		}
		at := Flag{Section: sections, Sheet: row.Sheet, Line: row.Line}
		switch {
		case isBlank(row.Cells) && (hdr == nil || inGetbacks):
			continue
		case isGetbacksTitle(row.Cells):
			if !inGetbacks {
				c.items = append(c.items, item{kind: itemGetbacks})
			}
			hdr, gbHdr, inGetbacks = nil, nil, true
			continue
		case isTitle(row.Cells):
			sections++
			hdr, gbHdr, inGetbacks, noHeaderFlagged = nil, nil, false, false
			c.items = append(c.items, item{kind: itemSection})
			continue
		}
		if h, ok := parseGetbackHeader(row.Cells); ok {
			if !inGetbacks {
				c.items = append(c.items, item{kind: itemGetbacks})
			}
			hdr, gbHdr, inGetbacks = nil, &h, true
			continue
		}
		if inGetbacks && gbHdr != nil {
			c.items = append(c.items, item{kind: itemGetback, at: at, gbHdr: gbHdr, cells: row.Cells})
			if len(c.items) >= chunkSize {
				if err := send(); err != nil {
					return err
				}
			}
			continue
		}
		if h, ok := headerOf(row.Cells); ok {
			inGetbacks = false
			if hdr != nil || sections == 0 {
				sections++ // a header with no title row before it
				c.items = append(c.items, item{kind: itemSection})
			}
			hdr = &h
			at.Section = sections
			for _, u := range h.unknown {
				f := at
				f.Kind, f.Value, f.Message = FlagUnknownColumn, u, fmt.Sprintf("column %q matches no field: its cells go to the notes", u)
				c.items = append(c.items, item{kind: itemFlag, at: f})
			}
			continue
		}
		if hdr == nil {
			if inGetbacks {
				continue // the Getbacks list's title rows
			}
			if !noHeaderFlagged {
				f := at
				f.Kind, f.Message = FlagNoHeader, "rows before any header row (Region, State, Meeting Date, ...) were skipped"
				c.items = append(c.items, item{kind: itemFlag, at: f})
				noHeaderFlagged = true
			}
			continue
		}
		c.items = append(c.items, item{kind: itemData, at: at, hdr: hdr, cells: row.Cells})
		if len(c.items) >= chunkSize {
			if err := send(); err != nil {
				return err
			}
		}
	}
	return send()
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

// dayKey identifies a state on a date in the fingerprints of earlier rows.
func dayKey(state string, d bot.Date) uint64 {
	h := uint64(14695981039346656037)
	for i := 0; i < len(state); i++ {
		h = (h ^ uint64(state[i])) * 1099511628211
	}
	return mix(h ^ uint64(d.Year)<<16 ^ uint64(d.Month)<<8 ^ uint64(d.Day))
}

// flush checks the batch against the store and writes it. Each row is
// matched with the meetings imported before under the same identity
// (states, date, location): the same content is unchanged; a close match
// (most of the shorter text's words in common) was edited since and is
// updated; otherwise the row is a new meeting, unless it nearly repeats a
// stored meeting or an earlier row of the file. A meeting matched by one
// row of this file is not matched by another.
func (run *importRun) flush() error {
	batch := run.batch
	if len(batch) == 0 {
		return nil
	}
	ctx, s := run.ctx, &run.s
	var groups []string
	var days []bot.StateDay
	var ids []int64
	seenGroup, seenDay := map[string]bool{}, map[bot.StateDay]bool{}
	for _, b := range batch {
		if id, err := strconv.ParseInt(b.ref, 10, 64); err == nil && id > 0 {
			ids = append(ids, id)
		}
		if !seenGroup[b.identity] {
			seenGroup[b.identity] = true
			groups = append(groups, b.identity)
		}
		if d := (bot.StateDay{State: b.meeting.States[0], Date: b.meeting.Date}); nearCheckable(b) && !seenDay[d] {
			seenDay[d] = true
			days = append(days, d)
		}
	}
	run.mu.Lock()
	skip := slices.Clone(run.created)
	run.mu.Unlock()
	// Meetings this run created are left out (they are claimed already);
	// those of the batch being written are not in skip yet, and are
	// claimed too if the lookup sees them.
	found, err := run.Store.FindImportCandidates(ctx, run.Workspace, bot.ImportLookup{Groups: groups, Days: days, IDs: ids, Skip: skip})
	if err != nil {
		return err
	}
	byPrefix := map[string][]*bot.Meeting{}
	byDay := map[bot.StateDay][]*bot.Meeting{}
	byID := map[int64]*bot.Meeting{}
	last := map[string]int{} // highest key number in use per identity
	for _, m := range found {
		byID[m.ID] = m
		if m.SourceKey != "" {
			p := m.SourceKey[:strings.LastIndexByte(m.SourceKey, ':')+1]
			byPrefix[p] = append(byPrefix[p], m)
			last[p] = max(last[p], keyNumber(m.SourceKey))
		}
		if !m.Date.IsZero() {
			for _, st := range m.States {
				d := bot.StateDay{State: st, Date: m.Date}
				byDay[d] = append(byDay[d], m)
			}
		}
	}
	cache := map[int64]words{}
	wordsOf := func(m *bot.Meeting) words {
		w, ok := cache[m.ID]
		if !ok {
			w = meetingWords(m, nil)
			cache[m.ID] = w
		}
		return w
	}
	out := &bot.ImportBatch{}
	var refs []string
	for _, b := range batch {
		at := b.at
		match, same := run.matchRef(b, byID, wordsOf)
		if match == nil {
			match, same = run.match(b, byPrefix[b.identity], wordsOf)
		}
		if match != nil {
			if match.SourceKey != "" {
				run.claimed.add(match.SourceKey)
			}
			run.remember(b, at)
			run.mapRef(b.ref, match.ID)
			if same {
				s.Unchanged++
				continue
			}
			u, err := run.update(match, b, at)
			if err != nil {
				return err
			}
			out.Update = append(out.Update, u)
			s.Updated++
			continue
		}
		if near, id, earlierRef := run.nearDuplicate(b, byDay, wordsOf); near != "" {
			f := at
			f.Kind, f.Message = FlagNearDuplicate, "nearly the same as "+near+" (differences look like OCR noise): not imported"
			run.raise(f)
			s.NearDuplicates++
			switch {
			case id != 0:
				run.mapRef(b.ref, id)
			case b.ref != "" && earlierRef != "":
				run.refAlias[b.ref] = earlierRef
			}
			continue
		}
		p := b.identity
		for last[p]++; run.claimed.has(sourceKey(p, last[p])); last[p]++ {
		}
		m := b.meeting
		m.SourceKey = sourceKey(p, last[p])
		run.claimed.add(m.SourceKey)
		run.remember(b, at)
		if b.ref != "" {
			// Its getbacks are in the export's Getbacks list.
			run.deferred = append(run.deferred, deferredRow{ref: b.ref, n: len(b.getbacks)})
			run.mapRef(b.ref, 0)
		} else {
			m.Getbacks = run.newGetbacks(b.getbacks, b.gbFlags, m.Date, at)
			s.Getbacks += len(m.Getbacks)
		}
		out.Create = append(out.Create, m)
		refs = append(refs, b.ref)
	}
	if err := run.send(write{batch: out, first: batch[0].at.Line, last: batch[len(batch)-1].at.Line, refs: refs}); err != nil {
		return err
	}
	s.Created += len(out.Create)
	clear(run.batch)
	run.batch = run.batch[:0]
	if run.Progress != nil {
		run.Progress(s.RowsRead)
	}
	return nil
}

// checkpointer is a store whose imports leave copying its write-ahead log
// into the database to the importer (storage/sqlite).
type checkpointer interface {
	CheckpointImport(ctx context.Context) error
}

// write is a checked batch on its way to the store, with the lines it
// came from and the export's ids of the meetings it creates; or, with
// synced set, a request to close synced once every batch before it is
// stored.
type write struct {
	batch       *bot.ImportBatch
	first, last int
	refs        []string
	synced      chan struct{}
}

// send hands a batch to the writer (in a dry run, drops it).
func (run *importRun) send(w write) error {
	if run.DryRun || (w.batch != nil && w.batch.IsEmpty()) {
		return nil
	}
	select {
	case run.writes <- w:
		return nil
	case <-run.ctx.Done():
		return run.ctx.Err()
	}
}

// sync waits until every batch sent so far is stored.
func (run *importRun) sync() error {
	if run.DryRun {
		return nil
	}
	done := make(chan struct{})
	if err := run.send(write{synced: done}); err != nil {
		return err
	}
	select {
	case <-done:
		return nil
	case <-run.ctx.Done():
		return run.ctx.Err()
	}
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

// appendRange adds the ids first to last to ranges, joining it to the last
// range when they follow on.
func appendRange(ranges [][2]int64, first, last int64) [][2]int64 {
	if n := len(ranges); n > 0 && ranges[n-1][1]+1 == first {
		ranges[n-1][1] = last
		return ranges
	}
	return append(ranges, [2]int64{first, last})
}

// newGetbacks readies the items extracted from a new meeting's follow-up:
// an item written in a meeting's row was opened on the meeting's day.
func (run *importRun) newGetbacks(gbs []*bot.Getback, flags []Flag, day bot.Date, at Flag) []*bot.Getback {
	for _, f := range flags {
		f.Section, f.Sheet, f.Line = at.Section, at.Sheet, at.Line
		run.raise(f)
	}
	for _, g := range gbs {
		g.Workspace = run.Workspace
		if !day.IsZero() {
			g.CreatedAt = OpenedOn(day)
		}
	}
	return gbs
}

// OpenedOn is the instant an imported item of a meeting held on day was
// opened: noon UTC, which is that same day in every US state and
// territory, so weekly digests count it in the meeting's week.
func OpenedOn(day bot.Date) time.Time { return day.At(12, 0, time.UTC) }

// nearCheckable reports whether a row has enough to be compared with
// others: a date and eight words.
func nearCheckable(b *parsedRow) bool {
	return !b.meeting.Date.IsZero() && b.wordy
}

// remember fingerprints an accepted row for the near-duplicate check of
// the rows after it, under each of its states.
func (run *importRun) remember(b *parsedRow, at Flag) {
	if !nearCheckable(b) {
		return
	}
	for _, st := range b.meeting.States {
		run.earlier.add(dayKey(st, b.meeting.Date), b.sig, at.Line, b.ref)
	}
}

// editedThreshold is the share of the shorter text's words a row must share
// with a meeting of the same identity to be that meeting, edited.
const editedThreshold = 0.6

// match picks the stored meeting a row is: one with the same content, or
// else the closest edited one; same reports an exact match.
func (run *importRun) match(b *parsedRow, candidates []*bot.Meeting, wordsOf func(*bot.Meeting) words) (m *bot.Meeting, same bool) {
	var open []*bot.Meeting
	for _, c := range candidates {
		if run.claimed.has(c.SourceKey) {
			continue
		}
		if c.ImportHash == b.content {
			return c, true
		}
		open = append(open, c)
	}
	best, bestSim := (*bot.Meeting)(nil), 0.0
	for _, c := range open {
		if sim := containment(b.wordSet(), wordsOf(c)); sim >= editedThreshold && sim > bestSim {
			best, bestSim = c, sim
		}
	}
	return best, false
}

// update readies the change of a stored meeting to the row's values, with
// the GETBACK items its follow-up text adds.
func (run *importRun) update(ex *bot.Meeting, b *parsedRow, at Flag) (bot.ImportUpdate, error) {
	m := b.meeting
	region, states := m.Region, m.States
	upd := bot.MeetingUpdate{Region: &region, States: &states, Date: &m.Date, DateStatus: &m.DateStatus,
		Location: &m.Location, POC: &m.POC, Attendees: &m.Attendees, Discussion: &m.Discussion, Concerns: &m.Concerns,
		FollowUp: &m.FollowUp, Awareness: &m.Awareness, Action: &m.Action, Next: &m.Next, NextDate: &m.NextDate,
		Notes: &m.Notes, ImportHash: &m.ImportHash}
	id := ex.ID
	if b.ref != "" {
		// Its getbacks are in the export's Getbacks list.
		run.deferred = append(run.deferred, deferredRow{ref: b.ref})
		return bot.ImportUpdate{ID: id, Update: upd}, nil
	}
	have, err := run.Store.FindImportGetbacks(run.ctx, run.Workspace, []int64{id}, false)
	if err != nil {
		return bot.ImportUpdate{}, err
	}
	base := m.Date
	if base.IsZero() {
		base = run.p.today
	}
	gbs := bot.NewGetbacks(m.FollowUp, have, "import", Unassigned, base)
	gbs = run.newGetbacks(gbs, fixGetbacks(gbs), m.Date, at)
	run.s.Getbacks += len(gbs)
	return bot.ImportUpdate{ID: id, Update: upd, Getbacks: gbs}, nil
}

// nearThreshold is the share of words two rows must have in common to be
// taken as the same meeting read twice.
const nearThreshold = 0.8

// nearDuplicate looks for a meeting that was stored before this import, or
// an earlier row of the file, with the same state and date whose text is
// nearly the same, and returns a description of it, or "". Stored
// meetings are compared word for word; earlier rows by their fingerprints.
func (run *importRun) nearDuplicate(b *parsedRow, byDay map[bot.StateDay][]*bot.Meeting, wordsOf func(*bot.Meeting) words) (near string, id int64, earlierRef string) {
	if !nearCheckable(b) {
		return "", 0, "" // too little text to call two rows the same
	}
	m := b.meeting
	for _, c := range byDay[bot.StateDay{State: m.States[0], Date: m.Date}] {
		if (c.SourceKey != "" && run.claimed.has(c.SourceKey)) || run.refTargets[c.ID] {
			continue // matched or created by this import: an earlier row
		}
		if jaccard(b.wordSet(), wordsOf(c)) >= nearThreshold {
			return fmt.Sprintf("meeting #%d (%s, %s)", c.ID, c.StateList(), c.DateText()), c.ID, ""
		}
	}
	run.earlier.each(dayKey(m.States[0], m.Date), func(e *earlierRow, ref string) bool {
		if b.ref != "" && ref != "" && b.ref != ref {
			return true // two meetings of one export
		}
		if e.sig.similarity(&b.sig) >= nearThreshold {
			near, earlierRef = fmt.Sprintf("an earlier row (line %d)", e.line), ref
			return false
		}
		return true
	})
	return near, 0, earlierRef
}

// matchRef finds the stored meeting a row of an export is by its Meeting
// ID: a meeting logged in chat (imported ones are found by their source
// key) with the row's content, or with the row's states, date and
// location and most of its words (edited in the sheet).
func (run *importRun) matchRef(b *parsedRow, byID map[int64]*bot.Meeting, wordsOf func(*bot.Meeting) words) (*bot.Meeting, bool) {
	id, err := strconv.ParseInt(b.ref, 10, 64)
	c := byID[id]
	if err != nil || c == nil || c.SourceKey != "" || run.refTargets[c.ID] {
		return nil, false
	}
	if contentHash(c) == b.content {
		return c, true
	}
	if keyPrefix(identity(c)) == b.identity && containment(b.wordSet(), wordsOf(c)) >= editedThreshold {
		return c, false
	}
	return nil, false
}

// mapRef records the stored meeting a row with a Meeting ID became.
func (run *importRun) mapRef(ref string, id int64) {
	if ref == "" {
		return
	}
	run.mu.Lock()
	run.refIDs[ref] = id
	run.mu.Unlock()
	if id != 0 {
		run.refTargets[id] = true
	}
}
