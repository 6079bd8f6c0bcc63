package sheet

import (
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/getbackhq/getback/bot"
)

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
