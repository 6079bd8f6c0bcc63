package sheet

import (
	"context"
	"errors"
	"fmt"
	"io"
	"sort"
	"strings"
	"time"

	"github.com/getbackhq/getback/bot"
)

// Store is what the importer needs of the store.
type Store interface {
	FindMeetings(ctx context.Context, f bot.MeetingFilter) ([]*bot.Meeting, int, error)
	CreateMeetings(ctx context.Context, ms []*bot.Meeting) error
	UpdateMeeting(ctx context.Context, ws string, id int64, upd bot.MeetingUpdate) (*bot.Meeting, error)
	FindGetbacks(ctx context.Context, f bot.GetbackFilter) ([]*bot.Getback, int, error)
	StateRegions(ctx context.Context, ws string) (map[string]int, error)
}

// Importer reads the legacy weekly summary into a workspace.
type Importer struct {
	Store     Store
	Workspace string
	// DryRun reads and checks everything and writes nothing.
	DryRun bool
	// claimed holds the keys of meetings matched or created by this run.
	claimed map[string]bool
	// RegionMap overrides the state-to-region table for this import, on top
	// of the workspace's own overrides.
	RegionMap map[string]int
	Now       func() time.Time
	// OnFlag receives every flag as it is raised (for the report).
	OnFlag func(Flag)
	// Progress, when set, is called after every batch with the rows read.
	Progress func(rows int)
	// BatchSize is how many rows are written per transaction; default 500.
	BatchSize int
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
	Flags          map[string]int
}

// pending is a parsed row waiting in a batch.
type pending struct {
	m        *bot.Meeting
	identity string
	content  string
	where    Flag // location of the row, for flags raised later
	words    map[string]bool
}

// wordSet returns the row's words, computed once.
func (b *pending) wordSet() map[string]bool {
	if b.words == nil {
		b.words = wordSet(b.m)
	}
	return b.words
}

// Import reads every row of r.
func (im *Importer) Import(ctx context.Context, r Reader) (Summary, error) {
	s := Summary{Flags: map[string]int{}}
	now := time.Now
	if im.Now != nil {
		now = im.Now
	}
	overrides, err := im.Store.StateRegions(ctx, im.Workspace)
	if err != nil {
		return s, err
	}
	for k, v := range im.RegionMap {
		overrides[k] = v
	}
	batchSize := im.BatchSize
	if batchSize <= 0 {
		batchSize = 500
	}
	ctx = bot.WithActor(ctx, bot.Actor{Workspace: im.Workspace, UserID: "import", Name: "import"})
	p := &rowParser{overrides: overrides, today: bot.DateOf(now())}
	var hdr *header
	var batch []pending
	seenContent := map[string]bool{}
	im.claimed = map[string]bool{}
	noHeaderFlagged := false
	sheetName := ""
	raise := func(f Flag) {
		s.Flags[f.Kind]++
		if im.OnFlag != nil {
			im.OnFlag(f)
		}
	}
	for {
		row, err := r.Next()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return s, fmt.Errorf("read row %d: %w", row.Line, err)
		}
		if err := ctx.Err(); err != nil {
			return s, err
		}
		if row.Sheet != sheetName {
			// A new worksheet starts afresh: its own title and header.
			sheetName, hdr, noHeaderFlagged = row.Sheet, nil, false
		}
		if exportOnly(row.Sheet) {
			continue // the export's getbacks and coverage, not meetings
		}
		at := Flag{Section: s.Sections, Sheet: row.Sheet, Line: row.Line}
		switch {
		case isTitle(row.Cells):
			s.Sections++
			hdr, noHeaderFlagged = nil, false
			continue
		case isBlank(row.Cells) && hdr == nil:
			continue
		}
		if h, ok := headerOf(row.Cells); ok {
			if hdr != nil || s.Sections == 0 {
				s.Sections++ // a header with no title row before it
			}
			hdr = &h
			at.Section = s.Sections
			for _, u := range h.unknown {
				f := at
				f.Kind, f.Field, f.Value, f.Message = FlagUnknownColumn, "", u, fmt.Sprintf("column %q matches no field: its cells go to the notes", u)
				raise(f)
			}
			continue
		}
		if hdr == nil {
			if !noHeaderFlagged {
				f := at
				f.Kind, f.Message = FlagNoHeader, "rows before any header row (Region, State, Meeting Date, ...) were skipped"
				raise(f)
				noHeaderFlagged = true
			}
			continue
		}
		s.RowsRead++
		pr := p.parse(*hdr, row.Cells)
		for _, f := range pr.flags {
			f.Section, f.Sheet, f.Line = at.Section, at.Sheet, at.Line
			raise(f)
		}
		switch {
		case pr.empty:
			s.EmptyRows++
			continue
		case pr.meeting == nil:
			s.Skipped++
			continue
		}
		m := pr.meeting
		m.Workspace, m.CreatedBy = im.Workspace, "import"
		content := contentHash(m)
		if seenContent[content] {
			f := at
			f.Kind, f.Message = FlagDuplicateRow, "the same row appears earlier in the file: imported once"
			raise(f)
			s.Duplicates++
			continue
		}
		seenContent[content] = true
		m.ImportHash = content
		batch = append(batch, pending{m: m, identity: pr.identity, content: content, where: at})
		if len(batch) >= batchSize {
			if err := im.flush(ctx, batch, &s, raise); err != nil {
				return s, err
			}
			batch = batch[:0]
			if im.Progress != nil {
				im.Progress(s.RowsRead)
			}
		}
	}
	if err := im.flush(ctx, batch, &s, raise); err != nil {
		return s, err
	}
	if im.Progress != nil {
		im.Progress(s.RowsRead)
	}
	return s, nil
}

// flush writes a batch. Each row is matched with the meetings imported
// before under the same identity (states, date, location): the same content
// is unchanged; a close match (most of the shorter text's words in common)
// was edited since and is updated; otherwise the row is a new meeting,
// unless it nearly repeats another stored meeting. A meeting matched by one
// row of this file is not matched by another.
func (im *Importer) flush(ctx context.Context, batch []pending, s *Summary, raise func(Flag)) error {
	if len(batch) == 0 {
		return nil
	}
	var prefixes []string
	seen := map[string]bool{}
	for _, b := range batch {
		if p := keyPrefix(b.identity); !seen[p] {
			seen[p] = true
			prefixes = append(prefixes, p)
		}
	}
	found, _, err := im.Store.FindMeetings(ctx, bot.MeetingFilter{Workspace: im.Workspace, SourceGroups: prefixes, OldestFirst: true, NoTotal: true})
	if err != nil {
		return err
	}
	byPrefix := map[string][]*bot.Meeting{}
	last := map[string]int{} // highest key number in use per identity
	for _, m := range found {
		p := m.SourceKey[:strings.LastIndexByte(m.SourceKey, ':')+1]
		byPrefix[p] = append(byPrefix[p], m)
		last[p] = max(last[p], keyNumber(m.SourceKey))
	}
	var create []*pending
	for i := range batch {
		b := &batch[i]
		p := keyPrefix(b.identity)
		if match, same := im.match(b, byPrefix[p]); match != nil {
			im.claimed[match.SourceKey] = true
			if same {
				s.Unchanged++
				continue
			}
			if err := im.update(ctx, match, b.m, s, raise, b.where); err != nil {
				return err
			}
			s.Updated++
			continue
		}
		if near, err := im.nearDuplicate(ctx, b, create); err != nil {
			return err
		} else if near != "" {
			f := b.where
			f.Kind, f.Message = FlagNearDuplicate, "nearly the same as "+near+" (differences look like OCR noise): not imported"
			raise(f)
			s.NearDuplicates++
			continue
		}
		for last[p]++; im.claimed[sourceKey(b.identity, last[p])]; last[p]++ {
		}
		b.m.SourceKey = sourceKey(b.identity, last[p])
		im.claimed[b.m.SourceKey] = true
		b.m.Getbacks = im.getbacks(b.m.FollowUp, b.m.Date, nil, raise, b.where)
		s.Getbacks += len(b.m.Getbacks)
		create = append(create, b)
	}
	if !im.DryRun && len(create) > 0 {
		ms := make([]*bot.Meeting, len(create))
		for i, b := range create {
			ms[i] = b.m
		}
		if err := im.Store.CreateMeetings(ctx, ms); err != nil {
			return fmt.Errorf("store rows %d to %d: %w", batch[0].where.Line, batch[len(batch)-1].where.Line, err)
		}
	}
	s.Created += len(create)
	return nil
}

// editedThreshold is the share of the shorter text's words a row must share
// with a meeting of the same identity to be that meeting, edited.
const editedThreshold = 0.6

// match picks the stored meeting a row is: one with the same content, or
// else the closest edited one; same reports an exact match.
func (im *Importer) match(b *pending, candidates []*bot.Meeting) (m *bot.Meeting, same bool) {
	var open []*bot.Meeting
	for _, c := range candidates {
		if im.claimed[c.SourceKey] {
			continue
		}
		if c.ImportHash == b.content {
			return c, true
		}
		open = append(open, c)
	}
	if len(open) == 0 {
		return nil, false
	}
	words := b.wordSet()
	best, bestSim := (*bot.Meeting)(nil), 0.0
	for _, c := range open {
		if sim := containment(words, wordSet(c)); sim >= editedThreshold && sim > bestSim {
			best, bestSim = c, sim
		}
	}
	return best, false
}

// getbacks extracts the GETBACK items of follow-up text that are not
// among existing, owned by their written label (UNASSIGNED when none). A due
// date written in an item ("by Friday") counts from the meeting's day, or
// from today when the meeting has no date.
func (im *Importer) getbacks(text string, day bot.Date, existing []*bot.Getback, raise func(Flag), where Flag) []*bot.Getback {
	if day.IsZero() && im.Now != nil {
		day = bot.DateOf(im.Now())
	}
	gbs := bot.NewGetbacks(text, existing, "import", Unassigned, day)
	for _, g := range gbs {
		g.Workspace = im.Workspace
		if g.OwnerKind == bot.OwnerUser { // no owner written
			g.Owner, g.OwnerKind = Unassigned, bot.OwnerLabel
			f := where
			f.Kind, f.Field, f.Value = FlagGetbackNoOwner, "followup", bot.Clip(g.Text, 80)
			f.Message = "GETBACK item with no owner (no TOKEN FORAC): owned by " + Unassigned
			raise(f)
		}
		if g.Text == "" {
			g.Text = "(no text written)"
		}
	}
	return gbs
}

func (im *Importer) update(ctx context.Context, ex, m *bot.Meeting, s *Summary, raise func(Flag), where Flag) error {
	region, states := m.Region, m.States
	upd := bot.MeetingUpdate{Region: &region, States: &states, Date: &m.Date, DateStatus: &m.DateStatus,
		Location: &m.Location, POC: &m.POC, Attendees: &m.Attendees, Discussion: &m.Discussion, Concerns: &m.Concerns,
		FollowUp: &m.FollowUp, Awareness: &m.Awareness, Action: &m.Action, Next: &m.Next, NextDate: &m.NextDate,
		Notes: &m.Notes, ImportHash: &m.ImportHash}
	id := ex.ID
	have, _, err := im.Store.FindGetbacks(ctx, bot.GetbackFilter{Workspace: im.Workspace, MeetingID: &id})
	if err != nil {
		return err
	}
	upd.AddGetbacks = im.getbacks(m.FollowUp, m.Date, have, raise, where)
	s.Getbacks += len(upd.AddGetbacks)
	if im.DryRun {
		return nil
	}
	_, err = im.Store.UpdateMeeting(ctx, im.Workspace, ex.ID, upd)
	return err
}

// nearDuplicate looks for a stored meeting (or one about to be created)
// with the same state and date whose text is nearly the same, and returns
// a description of it, or "".
func (im *Importer) nearDuplicate(ctx context.Context, b *pending, pendingCreate []*pending) (string, error) {
	m := b.m
	if m.Date.IsZero() {
		return "", nil
	}
	words := b.wordSet()
	if len(words) < 8 {
		return "", nil // too little text to call two rows the same
	}
	state := m.States[0]
	candidates, _, err := im.Store.FindMeetings(ctx, bot.MeetingFilter{Workspace: im.Workspace, State: &state,
		Since: &m.Date, Until: &m.Date, Limit: 50, NoTotal: true})
	if err != nil {
		return "", err
	}
	for _, c := range candidates {
		if jaccard(words, wordSet(c)) >= nearThreshold {
			return fmt.Sprintf("meeting #%d (%s, %s)", c.ID, c.StateList(), c.DateText()), nil
		}
	}
	for _, c := range pendingCreate {
		if c.m.Date == m.Date && c.m.States[0] == state && jaccard(words, c.wordSet()) >= nearThreshold {
			return fmt.Sprintf("an earlier row (line %d)", c.where.Line), nil
		}
	}
	return "", nil
}

// nearThreshold is the share of words two rows must have in common to be
// taken as the same meeting read twice.
const nearThreshold = 0.8

func wordSet(m *bot.Meeting) map[string]bool {
	set := map[string]bool{}
	for _, f := range []string{m.Attendees, m.Discussion, m.Concerns, m.FollowUp, m.Awareness, m.Action, m.Notes} {
		for _, w := range strings.Fields(norm(f)) {
			set[w] = true
		}
	}
	return set
}

// containment is the share of the smaller set's words found in the other;
// two empty sets contain each other.
func containment(a, b map[string]bool) float64 {
	small, large := a, b
	if len(b) < len(a) {
		small, large = b, a
	}
	if len(small) == 0 {
		return 1
	}
	inter := 0
	for w := range small {
		if large[w] {
			inter++
		}
	}
	return float64(inter) / float64(len(small))
}

func jaccard(a, b map[string]bool) float64 {
	if len(a) == 0 && len(b) == 0 {
		return 1
	}
	inter := 0
	for w := range a {
		if b[w] {
			inter++
		}
	}
	return float64(inter) / float64(len(a)+len(b)-inter)
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
