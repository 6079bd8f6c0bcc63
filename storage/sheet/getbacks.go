package sheet

import (
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/getbackhq/getback/bot"
)

// The export lists every getback of the meetings it writes, and those
// without a meeting, in a Getbacks sheet (XLSX) or a Getbacks section after
// the meetings (CSV). Importing an export reads them back as they were:
// status, owner (a person or a label), due date, dates opened and closed,
// note, and the meeting they belong to (by the "Meeting ID" column the
// meeting rows carry). Meeting rows with a Meeting ID take their getbacks
// from that list, not from their follow-up text.

// Getback columns, in export order.
const (
	gcID = iota
	gcMeeting
	gcRegion
	gcState
	gcMeetingDate
	gcNumber
	gcText
	gcOwner
	gcDue
	gcStatus
	gcOpened
	gcClosed
	gcNote
	gcAssignedBy
	gcSnoozed
	numGetbackCols
)

// getbackHead titles the getback columns.
var getbackHead = [numGetbackCols]string{"ID", RefColumn, "Region", "State", "Meeting date", "Number", "Text", "Owner",
	"Due", "Status", "Opened", "Closed", "Note", "Assigned by", "Snoozed until"}

// getbackHeader maps getback columns to cell indexes (-1 when absent).
type getbackHeader [numGetbackCols]int

// getbackTitles are the column titles as norm writes them.
var getbackTitles = func() map[string]int {
	m := map[string]int{"meeting": gcMeeting} // an older export's title
	for col, title := range getbackHead {
		m[norm(title)] = col
	}
	return m
}()

// parseGetbackHeader recognises the header of a Getbacks sheet or section:
// it names at least the Text, Owner and Status columns. Rows of long cells
// (meeting rows) are passed over at once.
func parseGetbackHeader(cells []string) (getbackHeader, bool) {
	var h getbackHeader
	status := false
	for _, c := range cells {
		if len(c) > 40 {
			return h, false
		}
		status = status || strings.EqualFold(strings.TrimSpace(c), "status")
	}
	if !status {
		return h, false
	}
	for i := range h {
		h[i] = -1
	}
	for i, c := range cells {
		if col, ok := getbackTitles[norm(c)]; ok && h[col] < 0 {
			h[col] = i
		}
	}
	return h, h[gcText] >= 0 && h[gcOwner] >= 0 && h[gcStatus] >= 0
}

// isGetbacksTitle recognises the row that starts the CSV export's Getbacks
// section: one cell saying "Getbacks".
func isGetbacksTitle(cells []string) bool {
	found := false
	for _, c := range cells {
		if len(c) > 40 {
			return false
		}
		switch strings.TrimSpace(c) {
		case "":
		case GetbacksSheet:
			found = true
		default:
			return false
		}
	}
	return found
}

// getbackRow is a row of the Getbacks list, read.
type getbackRow struct {
	g   *bot.Getback
	ref string // the export's id of its meeting, "" for none
	at  Flag
}

// parseGetbackRow reads a row of the Getbacks list, or returns flags
// saying why it cannot be read.
func (run *importRun) parseGetbackRow(h *getbackHeader, cells []string, at Flag) (*getbackRow, []Flag) {
	cell := func(col int) string {
		if i := h[col]; i >= 0 && i < len(cells) {
			return strings.TrimSpace(cells[i])
		}
		return ""
	}
	var flags []Flag
	bad := func(field, value, format string, args ...any) {
		f := at
		f.Kind, f.Field, f.Value, f.Message = FlagGetbackInvalid, field, value, fmt.Sprintf(format, args...)+": the getback was not imported"
		flags = append(flags, f)
	}
	g := &bot.Getback{Workspace: run.Workspace, Text: cell(gcText), DoneNote: cell(gcNote), Status: strings.ToLower(cell(gcStatus))}
	if g.Text == "" {
		bad("text", "", "a getback with no text")
	}
	switch g.Status {
	case bot.StatusOpen, bot.StatusDone, bot.StatusCancelled:
	default:
		bad("status", cell(gcStatus), "status %q is not open, done or cancelled", cell(gcStatus))
	}
	if n := cell(gcNumber); n != "" {
		v, err := strconv.Atoi(n)
		if err != nil || v < 0 {
			bad("number", n, "number %q is not a number", n)
		}
		g.Number = v
	}
	owner := cell(gcOwner)
	if id, ok := run.people.user(owner); ok {
		g.Owner, g.OwnerKind = id, bot.OwnerUser
	} else if owner != "" {
		g.Owner, g.OwnerKind = bot.NormalizeLabel(owner), bot.OwnerLabel
	} else {
		g.Owner, g.OwnerKind = Unassigned, bot.OwnerLabel
		f := at
		f.Kind, f.Field, f.Value = FlagGetbackNoOwner, "owner", bot.Clip(g.Text, 80)
		f.Message = "getback with no owner: owned by " + Unassigned
		flags = append(flags, f)
	}
	g.AssignedBy = cell(gcAssignedBy)
	if id, ok := run.people.user(g.AssignedBy); ok {
		g.AssignedBy = id
	}
	var err error
	if g.Due, err = sheetDate(cell(gcDue)); err != nil {
		bad("due", cell(gcDue), "due date %q is not a date", cell(gcDue))
	}
	if g.SnoozedUntil, err = sheetDate(cell(gcSnoozed)); err != nil {
		bad("snoozed", cell(gcSnoozed), "snooze date %q is not a date", cell(gcSnoozed))
	}
	if g.CreatedAt, err = sheetInstant(cell(gcOpened)); err != nil {
		bad("opened", cell(gcOpened), "opened %q is not a date", cell(gcOpened))
	}
	if g.DoneAt, err = sheetInstant(cell(gcClosed)); err != nil {
		bad("closed", cell(gcClosed), "closed %q is not a date", cell(gcClosed))
	}
	if g.Status == bot.StatusOpen {
		g.DoneAt = time.Time{}
	}
	for _, f := range flags {
		if f.Kind == FlagGetbackInvalid {
			return nil, flags
		}
	}
	if err := g.Validate(); err != nil {
		bad("", "", "%s", bot.ErrorMessage(err))
		return nil, flags
	}
	return &getbackRow{g: g, ref: cell(gcMeeting), at: at}, flags
}

// sheetDate reads a date the export wrote (2026-11-30), or one a person
// typed in the sheet (11/30/2026); "" is no date.
func sheetDate(s string) (bot.Date, error) {
	if s == "" {
		return bot.Date{}, nil
	}
	if d, err := bot.ParseISODate(s); err == nil {
		return d, nil
	}
	d, inferred, err := bot.ParseDateDetail(s, bot.Date{Year: 2000, Month: 1, Day: 1})
	if err == nil && inferred {
		err = fmt.Errorf("no year")
	}
	return d, err
}

// instantLayout is how the export writes the instants a getback was opened
// and closed.
const instantLayout = time.RFC3339Nano

// sheetInstant reads an instant the export wrote, or a date (noon UTC of
// that day); "" is none.
func sheetInstant(s string) (time.Time, error) {
	if s == "" {
		return time.Time{}, nil
	}
	if t, err := time.Parse(instantLayout, s); err == nil {
		return t.UTC(), nil
	}
	d, err := sheetDate(s)
	if err != nil {
		return time.Time{}, err
	}
	return OpenedOn(d), nil
}

// getbackList is the state of reading the export's Getbacks list.
type getbackList struct {
	seen  bool
	batch []*getbackRow
	// unlinked are the stored getbacks of no meeting, by lower-case text.
	unlinked map[string][]*bot.Getback
	// matched holds stored getbacks a row was matched with already.
	matched map[int64]bool
}

// startGetbacks begins the Getbacks list: the meetings before it are
// stored first, so that rows can find theirs.
func (run *importRun) startGetbacks() error {
	if err := run.flush(); err != nil {
		return err
	}
	if err := run.sync(); err != nil {
		return err
	}
	if run.gb.seen {
		return nil
	}
	run.gb.seen, run.gb.matched, run.gb.unlinked = true, map[int64]bool{}, map[string][]*bot.Getback{}
	gbs, err := run.Store.FindImportGetbacks(run.ctx, run.Workspace, nil, true)
	if err != nil {
		return err
	}
	for _, g := range gbs {
		k := strings.ToLower(g.Text)
		run.gb.unlinked[k] = append(run.gb.unlinked[k], g)
	}
	return nil
}

// addGetback reads a row of the Getbacks list.
func (run *importRun) addGetback(it *item) error {
	run.s.GetbackRows++
	row, flags := run.parseGetbackRow(it.gbHdr, it.cells, it.at)
	for _, f := range flags {
		run.raise(f)
	}
	if row == nil {
		return nil
	}
	run.gb.batch = append(run.gb.batch, row)
	if len(run.gb.batch) >= run.batchSize() {
		return run.flushGetbacks()
	}
	return nil
}

// meetingOf returns the stored meeting a Meeting ID became (0 when it is
// to be created, in a dry run), and whether the file had that meeting.
func (run *importRun) meetingOf(ref string) (int64, bool) {
	for range 100 { // aliases chain rarely, and never loop
		run.mu.Lock()
		id, ok := run.refIDs[ref]
		run.mu.Unlock()
		if ok {
			return id, true
		}
		alias, ok := run.refAlias[ref]
		if !ok {
			return 0, false
		}
		ref = alias
	}
	return 0, false
}

// flushGetbacks stores the getbacks of the list read so far: each row is
// the stored getback of its meeting with its number (or, with none, its
// text), or of no meeting with its text and the instant it was opened; a
// row that is none of them is a new getback.
func (run *importRun) flushGetbacks() error {
	rows := run.gb.batch
	if len(rows) == 0 {
		return nil
	}
	run.gb.batch = nil
	var ids []int64
	pending := map[*getbackRow]bool{} // of a meeting a dry run would create
	for _, r := range rows {
		if r.ref == "" {
			continue
		}
		id, ok := run.meetingOf(r.ref)
		if !ok {
			f := r.at
			f.Kind, f.Field, f.Value = FlagGetbackMeetingMissing, "meeting", r.ref
			f.Message = fmt.Sprintf("meeting %s is not in the file: the getback was imported without a meeting", r.ref)
			run.raise(f)
		}
		r.g.MeetingID, pending[r] = id, ok && id == 0
		if id != 0 {
			ids = append(ids, id)
		}
	}
	have, err := run.Store.FindImportGetbacks(run.ctx, run.Workspace, ids, false)
	if err != nil {
		return err
	}
	byMeeting := map[int64][]*bot.Getback{}
	for _, g := range have {
		byMeeting[g.MeetingID] = append(byMeeting[g.MeetingID], g)
	}
	out := &bot.ImportBatch{}
	for _, r := range rows {
		g := r.g
		var old *bot.Getback
		switch {
		case pending[r]:
		case g.MeetingID != 0:
			old = run.pick(byMeeting[g.MeetingID], func(o *bot.Getback) bool {
				if g.Number != 0 {
					return o.Number == g.Number
				}
				return strings.EqualFold(o.Text, g.Text)
			})
		default:
			old = run.pick(run.gb.unlinked[strings.ToLower(g.Text)], func(o *bot.Getback) bool {
				return g.CreatedAt.IsZero() || o.CreatedAt.Equal(g.CreatedAt)
			})
		}
		switch {
		case old == nil:
			run.s.GetbacksCreated++
			out.NewGetbacks = append(out.NewGetbacks, g)
		case sameGetback(old, g):
			run.s.GetbacksUnchanged++
		default:
			run.s.GetbacksChanged++
			g.ID = old.ID
			out.ChangedGetbacks = append(out.ChangedGetbacks, g)
		}
	}
	return run.send(write{batch: out, first: rows[0].at.Line, last: rows[len(rows)-1].at.Line})
}

// pick returns the first of gbs that fits and no row took yet, and takes it.
func (run *importRun) pick(gbs []*bot.Getback, fits func(*bot.Getback) bool) *bot.Getback {
	for _, g := range gbs {
		if !run.gb.matched[g.ID] && fits(g) {
			run.gb.matched[g.ID] = true
			return g
		}
	}
	return nil
}

// sameGetback reports whether a row of the list says what a stored getback
// holds already (an instant not written counts as the same).
func sameGetback(old, g *bot.Getback) bool {
	sameTime := func(a, b time.Time) bool { return b.IsZero() || a.Equal(b) }
	return old.Number == g.Number && old.Text == g.Text && old.Owner == g.Owner && old.OwnerKind == g.OwnerKind &&
		old.AssignedBy == g.AssignedBy && old.Due == g.Due && old.Status == g.Status && old.DoneNote == g.DoneNote &&
		old.SnoozedUntil == g.SnoozedUntil && sameTime(old.CreatedAt, g.CreatedAt) &&
		(g.Status == bot.StatusOpen || sameTime(old.DoneAt, g.DoneAt))
}

// extractDeferred gives the rows with a Meeting ID their getbacks from their
// follow-up text when the file had no Getbacks list after all (someone
// kept only the meetings of an export).
func (run *importRun) extractDeferred() error {
	if run.gb.seen || len(run.deferred) == 0 {
		return nil
	}
	if run.DryRun {
		for _, d := range run.deferred {
			run.s.Getbacks += d.n
		}
		return nil
	}
	if err := run.sync(); err != nil {
		return err
	}
	for start := 0; start < len(run.deferred); start += run.batchSize() {
		var ids []int64
		for _, d := range run.deferred[start:min(start+run.batchSize(), len(run.deferred))] {
			if id, ok := run.meetingOf(d.ref); ok && id != 0 {
				ids = append(ids, id)
			}
		}
		ms, err := run.Store.FindImportCandidates(run.ctx, run.Workspace, bot.ImportLookup{IDs: ids})
		if err != nil {
			return err
		}
		have, err := run.Store.FindImportGetbacks(run.ctx, run.Workspace, ids, false)
		if err != nil {
			return err
		}
		byMeeting := map[int64][]*bot.Getback{}
		for _, g := range have {
			byMeeting[g.MeetingID] = append(byMeeting[g.MeetingID], g)
		}
		out := &bot.ImportBatch{}
		for _, m := range ms {
			base := m.Date
			if base.IsZero() {
				base = run.p.today
			}
			gbs := bot.NewGetbacks(m.FollowUp, byMeeting[m.ID], "import", Unassigned, base)
			for _, g := range run.newGetbacks(gbs, fixGetbacks(gbs), m.Date, Flag{Line: 0}) {
				g.MeetingID = m.ID
				out.NewGetbacks = append(out.NewGetbacks, g)
			}
		}
		run.s.Getbacks += len(out.NewGetbacks)
		if err := run.send(write{batch: out}); err != nil {
			return err
		}
	}
	return nil
}
