package bot

import (
	"context"
	"fmt"
	"sort"
	"strings"
	"time"
	"unicode"
)

// Digest section headings; tests and renderers find sections by them.
const (
	SectionMeetings     = "Meetings held"
	SectionGetbacks     = "Getbacks"
	SectionOverdue      = "Overdue by owner"
	SectionAwareness    = "For leadership awareness"
	SectionAction       = "Leadership action"
	SectionNext         = "Next scheduled engagements"
	SectionCoverage     = "Coverage gaps"
	SectionRegions      = "Regions"
	digestListLimit     = 25
	upcomingHorizonDays = 28
)

// CoveredWeek returns the Monday of the week a digest sent on day covers:
// sent Monday to Wednesday it recaps the previous week; Thursday to Sunday,
// the current one.
func CoveredWeek(day Date) Date {
	start := day.WeekStart()
	switch day.Weekday() {
	case time.Monday, time.Tuesday, time.Wednesday:
		return start.AddDays(-7)
	}
	return start
}

// WeekBounds returns the instants at which the ISO week starting monday
// begins and ends in loc.
func WeekBounds(monday Date, loc *time.Location) (from, to time.Time) {
	return monday.In(loc), monday.AddDays(7).In(loc)
}

// Digest builds the weekly digest of region r (or the leadership roll-up for
// LeadershipRegion) for the ISO week containing week. today is the region's
// local day: overdue counts are as of the earlier of today and the end of the
// week.
//
// With Pictures set, the reply carries the coverage map and getback trend
// (see Images); when they cannot be drawn the digest goes without them and
// the reason is logged.
func (d *Reporter) Digest(ctx context.Context, r *Region, week, today Date) (Reply, error) {
	var rep Reply
	var err error
	if r.Number == LeadershipRegion {
		rep, err = d.leadership(ctx, r, week, today)
	} else {
		rep, err = d.regional(ctx, r, week, today)
	}
	if err != nil || !d.Pictures {
		return rep, err
	}
	imgs, err := d.Images(ctx, r, week, today)
	if err != nil {
		d.log().WarnContext(ctx, "digest without pictures: drawing them failed", "region", r.Number, "week", week.ISOWeek(), "err", err)
		return rep, nil
	}
	rep.Images = imgs
	return rep, nil
}

type digestWeek struct {
	monday, sunday Date
	from, to       time.Time // instants bounding the week in the region's zone
	asOf           Date      // overdue means due before this day
}

func newDigestWeek(r *Region, week, today Date) digestWeek {
	w := digestWeek{monday: week.WeekStart()}
	w.sunday = w.monday.AddDays(6)
	w.from, w.to = WeekBounds(w.monday, r.Location())
	w.asOf = today
	if end := w.sunday.AddDays(1); end.Before(today) {
		w.asOf = end
	}
	return w
}

func (w digestWeek) title(name string) string {
	return fmt.Sprintf("%s weekly digest: %s %s to %s %s (%s)", name,
		w.monday.Weekday().String()[:3], w.monday, w.sunday.Weekday().String()[:3], w.sunday, w.monday.ISOWeek())
}

func (d *Reporter) regional(ctx context.Context, r *Region, week, today Date) (Reply, error) {
	ws, n := r.Workspace, r.Number
	w := newDigestWeek(r, week, today)
	meetings, _, err := d.Store.FindMeetings(ctx, MeetingFilter{Workspace: ws, Region: &n, Since: &w.monday, Until: &w.sunday})
	if err != nil {
		return Reply{}, err
	}
	sort.SliceStable(meetings, func(i, j int) bool {
		a, b := meetings[i], meetings[j]
		if a.StateList() != b.StateList() {
			return a.StateList() < b.StateList()
		}
		return a.Date.Before(b.Date)
	})
	rep := Reply{Visibility: InChannel, Text: w.title(r.Name)}

	// Meetings, grouped by state.
	rep.Blocks = append(rep.Blocks, Block{Heading: fmt.Sprintf("%s (%d)", SectionMeetings, len(meetings))})
	if len(meetings) == 0 {
		rep.Blocks = append(rep.Blocks, Block{Text: "No meetings logged this week."})
	}
	var lines []string
	for i, m := range meetings {
		line := fmt.Sprintf("%s · %s", m.DateText(), orDash(Clip(m.Location, 60)))
		if s := Clip(m.Discussion, 140); s != "" {
			line += " — " + s
		}
		mark := fmt.Sprintf("#%d", m.ID)
		if also := m.AlsoText(n); also != "" {
			mark += ", " + also
		}
		lines = append(lines, line+" ("+mark+")")
		if i == len(meetings)-1 || meetings[i+1].StateList() != m.StateList() {
			rep.Blocks = append(rep.Blocks, Block{Heading: m.StateList(), Text: strings.Join(lines, "\n")})
			lines = nil
		}
	}

	// Getbacks opened and closed.
	opened, nOpened, err := d.Store.FindGetbacks(ctx, GetbackFilter{Workspace: ws, Region: &n, CreatedFrom: &w.from, CreatedTo: &w.to, Limit: digestListLimit})
	if err != nil {
		return Reply{}, err
	}
	closed, nClosed, err := d.Store.FindGetbacks(ctx, GetbackFilter{Workspace: ws, Region: &n, ClosedFrom: &w.from, ClosedTo: &w.to, Limit: digestListLimit})
	if err != nil {
		return Reply{}, err
	}
	open := StatusOpen
	nOpen, err := d.Store.CountGetbacks(ctx, GetbackFilter{Workspace: ws, Region: &n, Status: &open})
	if err != nil {
		return Reply{}, err
	}
	names := &nameCache{store: d.Store, ws: ws, m: map[string]string{}}
	gb := Block{Heading: SectionGetbacks, Fields: []Field{
		{Label: "Opened", Value: fmt.Sprint(nOpened)},
		{Label: "Closed", Value: fmt.Sprint(nClosed)},
		{Label: "Still open", Value: fmt.Sprint(nOpen)},
	}}
	var gl []string
	for _, g := range opened {
		gl = append(gl, fmt.Sprintf("New #%d %s — %s", g.ID, Clip(g.Text, 100), names.owner(ctx, g.Owner, g.OwnerKind)))
	}
	for _, g := range closed {
		gl = append(gl, fmt.Sprintf("%s #%d %s — %s", titleCase(g.Status), g.ID, Clip(g.Text, 100), names.owner(ctx, g.Owner, g.OwnerKind)))
	}
	gb.Text = strings.Join(gl, "\n")
	if more := nOpened + nClosed - len(opened) - len(closed); more > 0 {
		gb.Note = fmt.Sprintf("and %d more", more)
	}
	rep.Blocks = append(rep.Blocks, gb)

	// Overdue by owner.
	counts, err := d.Store.CountGetbacksByOwner(ctx, GetbackFilter{Workspace: ws, Region: &n, OverdueOn: &w.asOf})
	if err != nil {
		return Reply{}, err
	}
	od := Block{Heading: SectionOverdue}
	if len(counts) == 0 {
		od.Text = "Nothing overdue."
	}
	var ol []string
	for i, c := range counts {
		if i == digestListLimit {
			od.Note = fmt.Sprintf("and %d more owners", len(counts)-i)
			break
		}
		ol = append(ol, fmt.Sprintf("%s: %d (oldest due %s)", names.owner(ctx, c.Owner, c.OwnerKind), c.Count, c.OldestDue))
	}
	if len(ol) > 0 {
		od.Text = strings.Join(ol, "\n")
	}
	rep.Blocks = append(rep.Blocks, od)

	// Leadership entries of the week's meetings.
	rep.Blocks = append(rep.Blocks, entriesBlock(SectionAwareness, meetings, func(m *Meeting) string { return m.Awareness }))
	rep.Blocks = append(rep.Blocks, entriesBlock(SectionAction, meetings, func(m *Meeting) string { return m.Action }))

	// Next engagements: dated ones coming up, and this week's free-text ones.
	horizon := w.sunday.AddDays(upcomingHorizonDays)
	upcoming, _, err := d.Store.FindMeetings(ctx, MeetingFilter{Workspace: ws, Region: &n, NextFrom: &w.monday, NextTo: &horizon, Limit: digestListLimit})
	if err != nil {
		return Reply{}, err
	}
	sort.SliceStable(upcoming, func(i, j int) bool { return upcoming[i].NextDate.Before(upcoming[j].NextDate) })
	var nl []string
	for _, m := range upcoming {
		nl = append(nl, fmt.Sprintf("%s · %s: %s (#%d)", m.NextDate, m.StateList(), Clip(m.Next, 100), m.ID))
	}
	for _, m := range meetings {
		if m.Next != "" && m.NextDate.IsZero() {
			nl = append(nl, fmt.Sprintf("%s: %s (#%d)", m.StateList(), Clip(m.Next, 100), m.ID))
		}
	}
	nb := Block{Heading: SectionNext, Text: strings.Join(nl, "\n")}
	if len(nl) == 0 {
		nb.Text = "None scheduled."
	}
	rep.Blocks = append(rep.Blocks, nb)

	// Coverage: states of the region with no meeting in the last N weeks.
	overrides, err := d.Store.StateRegions(ctx, ws)
	if err != nil {
		return Reply{}, err
	}
	states := StatesOf(n, overrides)
	last, err := d.Store.LastMeetingDates(ctx, ws, states, w.sunday)
	if err != nil {
		return Reply{}, err
	}
	cutoff := w.sunday.AddDays(-7*r.CoverageWeeks + 1)
	var gaps []string
	for _, s := range states {
		switch ld, ok := last[s]; {
		case !ok:
			gaps = append(gaps, s+" (no meeting on record)")
		case ld.Before(cutoff):
			gaps = append(gaps, fmt.Sprintf("%s (last met %s)", s, ld))
		}
	}
	cb := Block{Heading: fmt.Sprintf("%s: no meeting in %s", SectionCoverage, Plural(r.CoverageWeeks, "week", "weeks")), Text: strings.Join(gaps, "\n")}
	if len(gaps) == 0 {
		cb.Text = "Every state and territory of the region had a meeting."
	}
	rep.Blocks = append(rep.Blocks, cb)
	return rep, nil
}

func orDash(s string) string {
	if s == "" {
		return "—"
	}
	return s
}

func titleCase(s string) string {
	if s == "" {
		return s
	}
	return strings.ToUpper(s[:1]) + s[1:]
}

func entriesBlock(heading string, meetings []*Meeting, get func(*Meeting) string) Block {
	var lines []string
	for _, m := range meetings {
		if v := strings.TrimSpace(get(m)); v != "" && !isNothing(v) {
			lines = append(lines, fmt.Sprintf("%s (#%d): %s", m.StateList(), m.ID, Clip(v, 400)))
		}
	}
	b := Block{Heading: heading, Text: strings.Join(lines, "\n")}
	if len(lines) == 0 {
		b.Text = "Nothing this week."
	}
	return b
}

// isNothing recognises an entry that says there is nothing to report, in
// any of the ways the sheet and people write it: "N/A", "n/a.", "None",
// "None Required", "none noted", "No action required at this time",
// "Nothing significant at this time", "NSTR", "-", in any case and with
// any punctuation. It is an entry made only of words that say "none" and
// words that qualify them; an entry with anything else in it ("None.
// Willing to work with DHS") is listed.
func isNothing(s string) bool {
	words := strings.FieldsFunc(strings.ToLower(s), func(r rune) bool { return !unicode.IsLetter(r) && !unicode.IsDigit(r) })
	if len(words) == 0 {
		return true // "-", "—", "..."
	}
	negated := false
	for i := 0; i < len(words); i++ {
		w := words[i]
		if w == "n" && i+1 < len(words) && words[i+1] == "a" { // "N/A", "n.a."
			w, i = "na", i+1
		}
		switch {
		case nothingWords[w]:
			negated = true
		case !nothingQualifiers[w]:
			return false
		}
	}
	return negated
}

// nothingWords say "none"; nothingQualifiers may stand beside them in an
// entry that still says nothing ("none required at this time").
var (
	nothingWords      = wordSet("none no nothing nil na not nstr nope")
	nothingQualifiers = wordSet(`required require requires needed need needs necessary noted significant significantly
		new further additional other at this that the time moment present currently yet as of now for to report
		reported reportable action actions applicable identified issue issues concern concerns item items is are
		was were be been there or and any follow up followup requested request raised comment comments update
		updates leadership awareness from on`)
)

func wordSet(s string) map[string]bool {
	m := map[string]bool{}
	for _, w := range strings.Fields(s) {
		m[w] = true
	}
	return m
}

// leadership builds the cross-region roll-up: every region's awareness and
// action entries of the week, and its meeting and overdue counts.
func (d *Reporter) leadership(ctx context.Context, r *Region, week, today Date) (Reply, error) {
	ws := r.Workspace
	w := newDigestWeek(r, week, today)
	meetings, _, err := d.Store.FindMeetings(ctx, MeetingFilter{Workspace: ws, Since: &w.monday, Until: &w.sunday})
	if err != nil {
		return Reply{}, err
	}
	sort.SliceStable(meetings, func(i, j int) bool { return meetings[i].Region < meetings[j].Region })
	rep := Reply{Visibility: InChannel, Text: w.title("Leadership")}
	perRegion := map[int]int{}
	for _, m := range meetings {
		perRegion[m.Region]++
	}
	var rl []string
	for n := 1; n <= 10; n++ {
		n := n
		overdue, err := d.Store.CountGetbacks(ctx, GetbackFilter{Workspace: ws, Region: &n, OverdueOn: &w.asOf})
		if err != nil {
			return Reply{}, err
		}
		if perRegion[n] == 0 && overdue == 0 {
			continue
		}
		rl = append(rl, fmt.Sprintf("%s: %s, %d overdue getbacks", RegionName(n), Plural(perRegion[n], "meeting", "meetings"), overdue))
	}
	rb := Block{Heading: SectionRegions, Text: strings.Join(rl, "\n")}
	if len(rl) == 0 {
		rb.Text = "No meetings and nothing overdue."
	}
	rep.Blocks = append(rep.Blocks, rb)
	withRegion := func(get func(*Meeting) string) func(*Meeting) string {
		return func(m *Meeting) string {
			if v := get(m); v != "" && !isNothing(v) {
				return fmt.Sprintf("[R%d] %s", m.Region, v)
			}
			return ""
		}
	}
	rep.Blocks = append(rep.Blocks, entriesBlock(SectionAwareness, meetings, withRegion(func(m *Meeting) string { return m.Awareness })))
	rep.Blocks = append(rep.Blocks, entriesBlock(SectionAction, meetings, withRegion(func(m *Meeting) string { return m.Action })))
	return rep, nil
}

// nameCache renders owners: people by display name, labels with the person
// they are mapped to.
type nameCache struct {
	store    ReporterStore
	ws       string
	m        map[string]string
	mappings map[string]string
}

func (c *nameCache) owner(ctx context.Context, owner, kind string) string {
	if kind == OwnerLabel {
		if c.mappings == nil {
			c.mappings = map[string]string{}
			if ms, err := c.store.FindOwnerMappings(ctx, c.ws); err == nil {
				for _, m := range ms {
					c.mappings[m.Label] = m.UserID
				}
			}
		}
		if uid, ok := c.mappings[owner]; ok {
			return owner + " (" + c.person(ctx, uid) + ")"
		}
		return owner
	}
	return c.person(ctx, owner)
}

func (c *nameCache) person(ctx context.Context, id string) string {
	if n, ok := c.m[id]; ok {
		return n
	}
	n := id
	if p, err := c.store.FindPerson(ctx, c.ws, id); err == nil && p.Name != "" {
		n = p.Name
	}
	c.m[id] = n
	return n
}
