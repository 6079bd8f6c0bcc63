package sheet

import (
	"crypto/sha1"
	"encoding/hex"
	"fmt"
	"html"
	"io"
	"regexp"
	"slices"
	"sort"
	"strconv"
	"strings"
	"sync"
	"unicode/utf8"

	"golang.org/x/text/encoding/charmap"

	"github.com/getbackhq/getback/bot"
)

// Flag kinds: what the importer noticed about a row. Flags never stop an
// import; a row that cannot become a meeting is skipped and flagged.
const (
	FlagRegionInvalid    = "region_invalid"     // a region number that cannot exist, resolved from the state
	FlagRegionCorrected  = "region_corrected"   // the sheet's region disagrees with the state's
	FlagRegionMissing    = "region_missing"     // no region: taken from the state
	FlagStateFuzzy       = "state_fuzzy"        // a damaged state name matched with less than full confidence
	FlagStateUnknown     = "state_unknown"      // a state name that matches nothing, kept as written
	FlagMultiState       = "multi_state"        // one meeting tagged with several states
	FlagDateYearInferred = "date_year_inferred" // a date without a year, the year taken from the dates around it
	FlagDateInvalid      = "date_invalid"       // a date that cannot be read, kept in the notes
	FlagDateMissing      = "date_missing"       // no meeting date
	FlagDateSuspicious   = "date_suspicious"    // a date far in the future or before 2000
	FlagHTMLStripped     = "html_stripped"      // HTML markup removed from a cell
	FlagExtraCell        = "extra_cell"         // text in a column without a header, kept in the notes
	FlagUnknownColumn    = "unknown_column"     // a header cell that names no field
	FlagDuplicateRow     = "duplicate_row"      // the same row twice in the file: imported once
	FlagNearDuplicate    = "near_duplicate"     // nearly the same as a stored meeting (OCR noise?): not imported
	FlagRowSkipped       = "row_skipped"        // a row that cannot become a meeting
	FlagNoHeader         = "no_header"          // data before any header row: skipped
	FlagGetbackNoOwner   = "getback_no_owner"   // a GETBACK item with no owner: owned by UNASSIGNED
	FlagEncoding         = "encoding"           // a cell that was not UTF-8, read as Windows-1252

	FlagGetbackInvalid        = "getback_invalid"         // a row of the export's Getbacks list that cannot be read: skipped
	FlagGetbackMeetingMissing = "getback_meeting_missing" // a getback of a meeting the file does not have: imported without one
)

// Unassigned owns imported GETBACK items whose owner was not written.
const Unassigned = "UNASSIGNED"

// Flag is one thing the importer noticed, located so a person can fix the
// source.
type Flag struct {
	Section int
	Sheet   string
	Line    int
	Kind    string
	Field   string
	Value   string
	Message string
}

// rowConfig is what parsing a row needs besides the row: it is read-only,
// so rows are parsed in parallel.
type rowConfig struct {
	overrides map[string]int // state -> region
	today     bot.Date
	people    *people // resolves a POC written "@Name (id)" to the user
}

// rowParser finishes parsed rows in file order. It remembers the last full
// date it saw, to give years to dates written without one.
type rowParser struct {
	rowConfig
	ref bot.Date
}

// parsedRow is a data row read: a meeting (nil when the row is empty or
// had to be skipped), what was noticed, and the row's identity. Parsing
// happens in two steps: parseCells does everything that depends on the row
// alone (in parallel); rowParser.finish, in file order, settles what
// depends on the rows before it (dates without a year, relative dates).
type parsedRow struct {
	meeting *bot.Meeting
	empty   bool
	flags   []Flag
	at      Flag // where the row is, once it is read in order

	m        *bot.Meeting // the meeting being built; nil when skipped early
	tooLong  bool         // a field is longer than bot.MaxTextLen
	ref      string       // the export's meeting id, when the sheet has one
	rawDate  string
	dateAt   int  // index in flags where the date's flags belong
	dateDone bool // the date is settled (or there is none)
	fullDate bool // a settled date with its year, the reference for later rows
	nextDone bool // the next engagement's date is settled

	identity string    // keyPrefix of the row's identity
	content  string    // contentHash of the meeting
	sig      signature // a fingerprint of its words, for near-duplicate checks
	wordy    bool      // it has enough words to be compared with others
	words    words     // its words, when compared exactly (see wordSet)
	getbacks []*bot.Getback
	gbFlags  []Flag // getback_no_owner flags, raised when the row is stored
}

func (pr *parsedRow) flag(kind, field, value, format string, args ...any) {
	pr.flags = append(pr.flags, Flag{Kind: kind, Field: field, Value: value, Message: fmt.Sprintf(format, args...)})
}

var (
	reBlockTag  = regexp.MustCompile(`(?i)</?(?:p|br|div|li|ul|ol|tr|table|h[1-6])\b[^<>]*>`)
	reInlineTag = regexp.MustCompile(`(?i)</?(?:span|b|i|u|em|strong|font|td|th|a|sup|sub)\b[^<>]*>`)
	reBlankRuns = regexp.MustCompile(`\n{2,}`)
	reStateSep  = regexp.MustCompile(`\s*(?:[,;/]|\band\b|&)\s*`)
)

// cleanCell trims a cell and removes HTML markup (paragraphs become line
// breaks). Text that is not UTF-8 is read as Windows-1252, as older Excel
// exports write it. Everything else, redaction markers included, is kept as
// written.
func cleanCell(s string) (clean string, hadHTML, recoded bool) {
	if !utf8.ValidString(s) {
		recoded = true
		if d, err := charmap.Windows1252.NewDecoder().String(s); err == nil {
			s = d
		}
		s = strings.ToValidUTF8(s, "\uFFFD")
	}
	if strings.IndexByte(s, '\r') >= 0 {
		s = strings.ReplaceAll(strings.ReplaceAll(s, "\r\n", "\n"), "\r", "\n")
	}
	if strings.IndexByte(s, '<') >= 0 && (reBlockTag.MatchString(s) || reInlineTag.MatchString(s)) {
		hadHTML = true
		s = reBlockTag.ReplaceAllString(s, "\n")
		s = reInlineTag.ReplaceAllString(s, "")
		s = html.UnescapeString(s)
		s = strings.ReplaceAll(s, "\u00a0", " ")
	}
	if strings.IndexByte(s, '\n') < 0 {
		return strings.TrimSpace(s), hadHTML, recoded
	}
	lines := strings.Split(s, "\n")
	for i, l := range lines {
		lines[i] = strings.TrimSpace(l)
	}
	s = reBlankRuns.ReplaceAllString(strings.Join(lines, "\n"), "\n")
	return strings.TrimSpace(s), hadHTML, recoded
}

// probeDays is how far from today a second reading of a date is taken: a
// date that reads the same from both days does not depend on the rows
// before it.
const probeDays = 1000

// parseCells reads one data row under header h, as far as the row alone
// allows.
func (c *rowConfig) parseCells(h *header, cells []string) parsedRow {
	var pr parsedRow
	var vals [numFields]string
	var extra []string
	for i, raw := range cells {
		v, hadHTML, recoded := cleanCell(raw)
		if v == "" {
			continue
		}
		if recoded {
			pr.flag(FlagEncoding, "", v, "text that was not UTF-8 read as Windows-1252: %q", bot.Clip(v, 60))
		}
		f := int8(-1)
		if i < len(h.fields) {
			f = h.fields[i]
		}
		if f < 0 {
			extra = append(extra, v)
			continue
		}
		if hadHTML {
			pr.flag(FlagHTMLStripped, fieldKeys[f], bot.Clip(raw, 80), "HTML markup removed from %s", fieldKeys[f])
		}
		if vals[f] != "" {
			vals[f] += "\n" + v
		} else {
			vals[f] = v
		}
	}
	// A row with nothing but a region number (or the export's meeting id)
	// is an empty row.
	content := len(extra)
	for f, v := range vals {
		if f != fRegion && f != fRef && v != "" {
			content++
		}
	}
	if content == 0 {
		pr.empty = true
		return pr
	}
	pr.ref = vals[fRef]
	if len(extra) > 0 {
		pr.flag(FlagExtraCell, "notes", bot.Clip(strings.Join(extra, " | "), 80), "text in a column without a header kept in the notes")
		vals[fNotes] = strings.TrimSpace(vals[fNotes] + "\n" + strings.Join(extra, "\n"))
	}

	m := &bot.Meeting{}
	// States: one or several, matched to the canonical list.
	rawState := vals[fState]
	if rawState == "" {
		pr.flag(FlagRowSkipped, "state", "", "no state or territory: the row cannot be placed; add the state and import again")
		return pr
	}
	m.States = c.states(&pr, rawState)
	if len(m.States) == 0 {
		// Only separators ("&", ", /"): nothing names a place.
		pr.flag(FlagRowSkipped, "state", rawState, "no state or territory in %q: the row cannot be placed; add the state and import again", rawState)
		return pr
	}

	// Region: the sheet's number, checked against the states' region.
	stateRegion := c.regionOfStates(m.States)
	rawRegion := vals[fRegion]
	n, err := strconv.Atoi(strings.TrimPrefix(strings.ToLower(rawRegion), "region "))
	switch {
	case rawRegion == "" && stateRegion > 0:
		m.Region = stateRegion
		pr.flag(FlagRegionMissing, "region", "", "no region: used %d, the region of %s", stateRegion, m.States[0])
	case (err != nil || !bot.ValidRegion(n)) && stateRegion > 0:
		m.Region = stateRegion
		pr.flag(FlagRegionInvalid, "region", rawRegion, "region %q does not exist: used %d, the region of %s", rawRegion, stateRegion, m.States[0])
	case err != nil || !bot.ValidRegion(n):
		pr.flag(FlagRowSkipped, "region", rawRegion, "region %q does not exist and the state gives none: the row cannot be placed", rawRegion)
		return pr
	case stateRegion > 0 && n != stateRegion:
		m.Region = stateRegion
		pr.flag(FlagRegionCorrected, "region", rawRegion, "the sheet says region %d, but %s is in region %d: used %d", n, m.States[0], stateRegion, stateRegion)
	default:
		m.Region = n
	}

	m.Location, m.POC, m.Attendees = vals[fLocation], vals[fPOC], vals[fAttendees]
	if id, ok := c.people.user(m.POC); ok {
		m.POC = id // a chat user, as the export writes one
	}
	m.Discussion, m.Concerns, m.FollowUp = vals[fDiscussion], vals[fConcerns], vals[fFollowUp]
	m.Awareness, m.Action, m.Notes = vals[fAwareness], vals[fAction], vals[fNotes]
	m.Next = vals[fNext]
	pr.m = m

	// Date: a day, a state (Pending, TBD, N/A), or nothing. Forms that read
	// the same from any day are settled here; the rest in file order.
	pr.rawDate, pr.dateAt = vals[fDate], len(pr.flags)
	c.settleDate(&pr)
	pr.nextDone = m.Next == ""
	if !pr.nextDone {
		probe := c.today.AddDays(probeDays)
		d1, err1 := bot.ParseDate(m.Next, c.today)
		d2, err2 := bot.ParseDate(m.Next, probe)
		switch {
		case err1 != nil && err2 != nil:
			pr.nextDone = true
		case err1 == nil && err2 == nil && d1 == d2:
			m.NextDate, pr.nextDone = d1, true
		}
	}
	pr.tooLong = c.tooLong(&pr)
	if pr.dateDone && !pr.tooLong {
		pr.derive()
	}
	base := c.today
	if pr.dateDone && !m.Date.IsZero() {
		base = m.Date
	}
	pr.getbacks, pr.gbFlags = extractGetbacks(m.FollowUp, base)
	return pr
}

// settleDate reads the meeting date when it does not depend on the rows
// before: a full date, a date state, an unreadable date, or none.
func (c *rowConfig) settleDate(pr *parsedRow) {
	m, raw := pr.m, pr.rawDate
	if raw == "" {
		pr.flag(FlagDateMissing, "date", "", "no meeting date")
		pr.dateDone = true
		return
	}
	if st, ok := bot.ParseDateStatus(raw); ok {
		m.DateStatus, pr.dateDone = st, true
		return
	}
	probe := c.today.AddDays(probeDays)
	d1, inferred1, err1 := bot.ParseDateDetail(raw, c.today)
	switch {
	case err1 == nil && !inferred1:
		if d2, inferred2, err2 := bot.ParseDateDetail(raw, probe); err2 != nil || inferred2 || d2 != d1 {
			return // relative to the day it is read from
		}
		m.Date, pr.dateDone, pr.fullDate = d1, true, true
		c.flagSuspicious(pr, raw)
	case err1 != nil:
		if _, _, err2 := bot.ParseDateDetail(raw, probe); err2 == nil {
			return
		}
		invalidDate(pr, raw)
		pr.dateDone = true
	}
}

func invalidDate(pr *parsedRow, raw string) {
	pr.flag(FlagDateInvalid, "date", raw, "%q is not a date: kept in the notes", raw)
	pr.m.Notes = strings.TrimSpace(pr.m.Notes + "\n(Meeting date as written: " + raw + ")")
}

func (c *rowConfig) flagSuspicious(pr *parsedRow, raw string) {
	if d := pr.m.Date; d.Year < 2000 || d.After(c.today.AddDays(366)) {
		pr.flag(FlagDateSuspicious, "date", raw, "%s is far from today; check the year", d)
	}
}

// tooLong flags a row with a field longer than bot.MaxTextLen.
func (c *rowConfig) tooLong(pr *parsedRow) bool {
	for _, f := range bot.MeetingFields {
		if n := utf8.RuneCountInString(pr.m.Text(f.Key)); n > bot.MaxTextLen {
			pr.flag(FlagRowSkipped, f.Key, "", "%s holds %d characters, more than %d: the row was not imported", f.Title, n, bot.MaxTextLen)
			return true
		}
	}
	return false
}

// minNearWords is how many distinct words a row needs before it can be
// called a near-duplicate of another: fewer is too little text.
const minNearWords = 8

// hashBufs holds scratch space for word hashes.
var hashBufs = sync.Pool{New: func() any { return new([]uint64) }}

// derive computes what the importer compares rows by.
func (pr *parsedRow) derive() {
	pr.identity = keyPrefix(identity(pr.m))
	pr.content = contentHash(pr.m)
	buf := hashBufs.Get().(*[]uint64)
	pr.sig, pr.wordy, *buf = textSignature(pr.m, minNearWords, *buf)
	hashBufs.Put(buf)
}

// finish settles, in file order, what parseCells left open: a date without
// a year takes it from the dates before it, and relative dates read from
// the last full date.
func (p *rowParser) finish(pr *parsedRow) {
	m := pr.m
	if m == nil || pr.empty {
		return
	}
	if !pr.dateDone {
		var df parsedRow
		df.m = m
		p.date(&df, pr.rawDate)
		pr.flags = slices.Insert(pr.flags, pr.dateAt, df.flags...)
		if !pr.tooLong { // an unreadable date is kept in the notes
			pr.tooLong = p.tooLong(pr)
		}
	} else if pr.fullDate {
		p.ref = m.Date
	}
	if !pr.nextDone {
		ref := p.ref
		if ref.IsZero() {
			ref = p.today
		}
		if d, err := bot.ParseDate(m.Next, ref); err == nil {
			m.NextDate = d
		}
	}
	if pr.tooLong {
		return
	}
	if !pr.dateDone {
		pr.derive()
		if !m.Date.IsZero() && slices.ContainsFunc(pr.getbacks, func(g *bot.Getback) bool { return !g.Due.IsZero() }) {
			// Due dates written inline count from the meeting's day.
			pr.getbacks, pr.gbFlags = extractGetbacks(m.FollowUp, m.Date)
		}
	}
	pr.meeting = m
}

// date reads a date that depends on the rows before it.
func (p *rowParser) date(pr *parsedRow, raw string) {
	ref := p.ref
	if ref.IsZero() {
		ref = p.today
	}
	d, inferred, err := bot.ParseDateDetail(raw, ref)
	if err != nil {
		invalidDate(pr, raw)
		return
	}
	pr.m.Date = d
	if inferred {
		pr.flag(FlagDateYearInferred, "date", raw, "no year in %q: took %d from the dates around it", raw, d.Year)
	} else {
		p.ref = d
	}
	p.flagSuspicious(pr, raw)
}

// extractGetbacks finds the GETBACK items of a new meeting's follow-up
// text, owned by their written label (UNASSIGNED when none), and the flags
// to raise for items without an owner. A due date written in an item ("by
// Friday") counts from base: the meeting's day, or today when it has none.
func extractGetbacks(text string, base bot.Date) ([]*bot.Getback, []Flag) {
	gbs := bot.NewGetbacks(text, nil, "import", Unassigned, base)
	return gbs, fixGetbacks(gbs)
}

// fixGetbacks gives extracted items without an owner to UNASSIGNED and
// returns a flag for each.
func fixGetbacks(gbs []*bot.Getback) []Flag {
	var flags []Flag
	for _, g := range gbs {
		if g.OwnerKind == bot.OwnerUser { // no owner written
			g.Owner, g.OwnerKind = Unassigned, bot.OwnerLabel
			flags = append(flags, Flag{Kind: FlagGetbackNoOwner, Field: "followup", Value: bot.Clip(g.Text, 80),
				Message: "GETBACK item with no owner (no TOKEN FORAC): owned by " + Unassigned})
		}
		if g.Text == "" {
			g.Text = "(no text written)"
		}
	}
	return flags
}

// states splits a state cell ("PA, NY, VA, DC, MD") and matches each part.
func (c *rowConfig) states(pr *parsedRow, raw string) []string {
	if st, ok := bot.LookupState(raw); ok {
		return []string{st.Name}
	}
	var out []string
	seen := map[string]bool{}
	add := func(s string) {
		if !seen[s] {
			seen[s] = true
			out = append(out, s)
		}
	}
	for _, part := range reStateSep.Split(raw, -1) {
		part = strings.TrimSpace(part)
		if part == "" {
			continue
		}
		m, ok := bot.MatchState(part)
		switch {
		case ok && m.Confidence == 1:
			add(m.State.Name)
		case ok:
			add(m.State.Name)
			pr.flag(FlagStateFuzzy, "state", part, "%q read as %s (confidence %.2f)", part, m.State.Name, m.Confidence)
		default:
			// "New York" must not fail as "New" and "York": try the whole cell.
			if whole, ok := bot.MatchState(raw); ok && len(out) == 0 {
				pr.flag(FlagStateFuzzy, "state", raw, "%q read as %s (confidence %.2f)", raw, whole.State.Name, whole.Confidence)
				return []string{whole.State.Name}
			}
			add(part)
			pr.flag(FlagStateUnknown, "state", part, "%q is not a state or territory: kept as written", part)
		}
	}
	if len(out) > 1 {
		pr.flag(FlagMultiState, "state", raw, "one meeting tagged with %d states: %s", len(out), strings.Join(out, ", "))
	}
	return out
}

// regionOfStates returns the region most of the states belong to (the
// first state's on a tie), or 0 when none is known.
func (c *rowConfig) regionOfStates(states []string) int {
	if len(states) == 1 {
		return bot.RegionOf(states[0], c.overrides)
	}
	count := map[int]int{}
	best := 0
	for _, s := range states {
		n := bot.RegionOf(s, c.overrides)
		if n == 0 {
			continue
		}
		count[n]++
		if best == 0 || count[n] > count[best] {
			best = n
		}
	}
	return best
}

// identity is what makes a row the same row across files: its states, its
// date (or date state) and its location, normalised. The importer adds the
// row's occurrence, so two meetings alike in these stay apart.
func identity(m *bot.Meeting) string {
	states := make([]string, len(m.States))
	for i, s := range m.States {
		states[i] = strings.ToLower(s)
	}
	sort.Strings(states)
	date := m.Date.String()
	if date == "" {
		date = m.DateStatus
	}
	return strings.Join(states, "|") + "\x00" + date + "\x00" + norm(m.Location)
}

// keyPrefix is the stored form of an identity: every meeting imported with
// that identity has a source key starting with it.
func keyPrefix(identity string) string {
	sum := sha1.Sum([]byte(identity))
	return "sheet:" + hex.EncodeToString(sum[:12]) + ":"
}

// sourceKey is the stored key of the n-th meeting with an identity
// (given as its keyPrefix).
func sourceKey(prefix string, n int) string {
	return prefix + strconv.Itoa(n)
}

// keyNumber returns n of a source key made by sourceKey.
func keyNumber(key string) int {
	i := strings.LastIndexByte(key, ':')
	n, _ := strconv.Atoi(key[i+1:])
	return n
}

// contentHash fingerprints every column of a meeting, so an unchanged row
// is recognised.
func contentHash(m *bot.Meeting) string {
	h := sha1.New()
	var buf [64]byte
	h.Write(strconv.AppendInt(buf[:0], int64(m.Region), 10))
	h.Write([]byte{0})
	for i, s := range m.States {
		if i > 0 {
			io.WriteString(h, "|")
		}
		io.WriteString(h, s)
	}
	h.Write([]byte{0})
	io.WriteString(h, m.Date.String())
	h.Write([]byte{0})
	io.WriteString(h, m.DateStatus)
	h.Write([]byte{0})
	for _, s := range [...]string{m.Location, m.POC, m.Attendees, m.Discussion, m.Concerns, m.FollowUp,
		m.Awareness, m.Action, m.Next, m.Notes} {
		io.WriteString(h, s)
		h.Write([]byte{0})
	}
	return hex.EncodeToString(h.Sum(buf[:0])[:12])
}

// wordSet returns the row's words, computed once when first needed.
func (pr *parsedRow) wordSet() words {
	if pr.words == nil {
		pr.words = meetingWords(pr.m, nil)
	}
	return pr.words
}
