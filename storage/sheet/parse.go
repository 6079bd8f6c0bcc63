package sheet

import (
	"crypto/sha1"
	"encoding/hex"
	"fmt"
	"html"
	"regexp"
	"sort"
	"strconv"
	"strings"
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

// rowParser turns data rows into meetings. It remembers the last full date
// it saw, to give years to dates written without one.
type rowParser struct {
	overrides map[string]int // state -> region
	today     bot.Date
	ref       bot.Date
}

// parsedRow is a data row read: a meeting (nil when the row is empty or
// had to be skipped), what was noticed, and the row's identity.
type parsedRow struct {
	meeting  *bot.Meeting
	empty    bool
	flags    []Flag
	identity string
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
	s = strings.ReplaceAll(strings.ReplaceAll(s, "\r\n", "\n"), "\r", "\n")
	if reBlockTag.MatchString(s) || reInlineTag.MatchString(s) {
		hadHTML = true
		s = reBlockTag.ReplaceAllString(s, "\n")
		s = reInlineTag.ReplaceAllString(s, "")
		s = html.UnescapeString(s)
		s = strings.ReplaceAll(s, "\u00a0", " ")
	}
	lines := strings.Split(s, "\n")
	for i, l := range lines {
		lines[i] = strings.TrimSpace(l)
	}
	s = reBlankRuns.ReplaceAllString(strings.Join(lines, "\n"), "\n")
	return strings.TrimSpace(s), hadHTML, recoded
}

// parse reads one data row under header h.
func (p *rowParser) parse(h header, cells []string) parsedRow {
	var pr parsedRow
	vals := map[string]string{}
	var extra []string
	for i, raw := range cells {
		v, hadHTML, recoded := cleanCell(raw)
		if v == "" {
			continue
		}
		if recoded {
			pr.flag(FlagEncoding, "", v, "text that was not UTF-8 read as Windows-1252: %q", bot.Clip(v, 60))
		}
		key := ""
		if i < len(h.fields) {
			key = h.fields[i]
		}
		if key == "" {
			extra = append(extra, v)
			continue
		}
		if hadHTML {
			pr.flag(FlagHTMLStripped, key, bot.Clip(raw, 80), "HTML markup removed from %s", key)
		}
		if vals[key] != "" {
			vals[key] += "\n" + v
		} else {
			vals[key] = v
		}
	}
	// A row with nothing but a region number is an empty row.
	content := len(extra)
	for k, v := range vals {
		if k != "region" && v != "" {
			content++
		}
	}
	if content == 0 {
		pr.empty = true
		return pr
	}
	if len(extra) > 0 {
		pr.flag(FlagExtraCell, "notes", bot.Clip(strings.Join(extra, " | "), 80), "text in a column without a header kept in the notes")
		vals["notes"] = strings.TrimSpace(vals["notes"] + "\n" + strings.Join(extra, "\n"))
	}

	m := &bot.Meeting{}
	// States: one or several, matched to the canonical list.
	rawState := vals["state"]
	if rawState == "" {
		pr.flag(FlagRowSkipped, "state", "", "no state or territory: the row cannot be placed; add the state and import again")
		return pr
	}
	m.States = p.states(&pr, rawState)

	// Region: the sheet's number, checked against the states' region.
	stateRegion := p.regionOfStates(m.States)
	rawRegion := strings.TrimSpace(vals["region"])
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

	// Date: a day, a state (Pending, TBD, N/A), or nothing.
	p.date(&pr, m, vals)

	m.Location, m.POC, m.Attendees = vals["location"], vals["poc"], vals["attendees"]
	m.Discussion, m.Concerns, m.FollowUp = vals["discussion"], vals["concerns"], vals["followup"]
	m.Awareness, m.Action, m.Notes = vals["awareness"], vals["action"], vals["notes"]
	m.Next = vals["next"]
	if m.Next != "" {
		ref := p.ref
		if ref.IsZero() {
			ref = p.today
		}
		if d, err := bot.ParseDate(m.Next, ref); err == nil {
			m.NextDate = d
		}
	}
	for _, f := range bot.MeetingFields {
		if n := utf8.RuneCountInString(m.Text(f.Key)); n > bot.MaxTextLen {
			pr.flag(FlagRowSkipped, f.Key, "", "%s holds %d characters, more than %d: the row was not imported", f.Title, n, bot.MaxTextLen)
			return pr
		}
	}
	pr.meeting = m
	pr.identity = identity(m)
	return pr
}

// states splits a state cell ("PA, NY, VA, DC, MD") and matches each part.
func (p *rowParser) states(pr *parsedRow, raw string) []string {
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
func (p *rowParser) regionOfStates(states []string) int {
	count := map[int]int{}
	best := 0
	for _, s := range states {
		n := bot.RegionOf(s, p.overrides)
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

func (p *rowParser) date(pr *parsedRow, m *bot.Meeting, vals map[string]string) {
	raw := vals["date"]
	if raw == "" {
		pr.flag(FlagDateMissing, "date", "", "no meeting date")
		return
	}
	if st, ok := bot.ParseDateStatus(raw); ok {
		m.DateStatus = st
		return
	}
	ref := p.ref
	if ref.IsZero() {
		ref = p.today
	}
	d, inferred, err := bot.ParseDateDetail(raw, ref)
	if err != nil {
		pr.flag(FlagDateInvalid, "date", raw, "%q is not a date: kept in the notes", raw)
		m.Notes = strings.TrimSpace(vals["notes"] + "\n(Meeting date as written: " + raw + ")")
		vals["notes"] = m.Notes
		return
	}
	m.Date = d
	if inferred {
		pr.flag(FlagDateYearInferred, "date", raw, "no year in %q: took %d from the dates around it", raw, d.Year)
	} else {
		p.ref = d
	}
	if d.Year < 2000 || d.After(p.today.AddDays(366)) {
		pr.flag(FlagDateSuspicious, "date", raw, "%s is far from today; check the year", d)
	}
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

// sourceKey is the stored key of the n-th meeting with an identity.
func sourceKey(identity string, n int) string {
	return keyPrefix(identity) + strconv.Itoa(n)
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
	fmt.Fprintf(h, "%d\x00%s\x00%s\x00%s\x00", m.Region, strings.Join(m.States, "|"), m.Date, m.DateStatus)
	for _, f := range bot.MeetingFields {
		if f.Key != "region" && f.Key != "state" && f.Key != "date" {
			fmt.Fprintf(h, "%s\x00", m.Text(f.Key))
		}
	}
	return hex.EncodeToString(h.Sum(nil)[:12])
}
