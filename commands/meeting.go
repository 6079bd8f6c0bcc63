package commands

import (
	"context"
	"fmt"
	"strconv"
	"strings"

	"github.com/getbackhq/getback/bot"
)

func (inv *invocation) meetingAdd(ctx context.Context, q MeetingAdd) (bot.Reply, error) {
	if len(q.Fields) == 0 {
		return bot.Reply{Text: "Opening the meeting form…", Form: inv.meetingForm(ctx, nil)}, nil
	}
	m, notes, err := inv.newMeeting(ctx, q.Fields)
	if err != nil {
		return bot.Reply{}, err
	}
	if err := inv.r.Store.CreateMeeting(inv.withNotices(ctx, inv.assignmentNotices(ctx, owners(m.Getbacks))), m); err != nil {
		return bot.Reply{}, err
	}
	inv.noticesQueued()
	text := fmt.Sprintf("Logged meeting #%d: %s, %s (%s).", m.ID, m.StateList(), m.DateText(), m.RegionText())
	return inv.meetingChanged(ctx, text, m, notes), nil
}

// meetingChanged answers a command that logged or changed m: text, the
// meeting's summary, the items it created, and notes on what was assumed.
func (inv *invocation) meetingChanged(ctx context.Context, text string, m *bot.Meeting, notes []string) bot.Reply {
	r := bot.Reply{Text: text}
	r.Blocks = append(r.Blocks, inv.meetingSummary(ctx, m))
	r.Blocks = append(r.Blocks, inv.createdGetbacks(ctx, m.Getbacks)...)
	if len(notes) > 0 {
		r.Blocks = append(r.Blocks, bot.Block{Note: strings.Join(notes, " ")})
	}
	return r
}

// newMeeting builds a meeting from raw fields, with defaults: today's date
// and the caller as POC when not given; GETBACK items extracted from the
// follow-up text.
func (inv *invocation) newMeeting(ctx context.Context, fields map[string]string) (*bot.Meeting, []string, error) {
	m := &bot.Meeting{Workspace: inv.Workspace, CreatedBy: inv.User.ID}
	upd, notes, fe, err := inv.meetingUpdate(ctx, fields, m)
	if err != nil {
		return nil, nil, err
	}
	if strings.TrimSpace(fields["state"]) == "" {
		fe.Add("state", "a state or territory is required, e.g. state:Nevada")
	}
	if err := fe.Err(); err != nil {
		return nil, nil, err
	}
	upd.Apply(m)
	if _, ok := fields["date"]; !ok {
		m.Date = inv.today
		notes = append(notes, fmt.Sprintf("No date given: logged for today, %s.", inv.today))
	}
	if _, ok := fields["poc"]; !ok {
		m.POC = inv.User.ID
	}
	if m.Getbacks, err = inv.extractGetbacks(ctx, m.FollowUp, nil, m.Date); err != nil {
		return nil, nil, fieldError("followup", err)
	}
	if err := m.Validate(); err != nil {
		return nil, nil, err
	}
	return m, notes, nil
}

// fieldError files a domain error under a form field.
func fieldError(field string, err error) error {
	if bot.ErrorCode(err) != bot.EINVALID {
		return err
	}
	fe := bot.FieldErrors{}
	fe.Add(field, "%s", bot.ErrorMessage(err))
	return fe.Err()
}

func (inv *invocation) meetingEdit(ctx context.Context, q MeetingEdit) (bot.Reply, error) {
	m, err := inv.r.Store.FindMeetingByID(ctx, inv.Workspace, q.ID)
	if err != nil {
		return bot.Reply{}, err
	}
	if !bot.CanEditMeeting(inv.actor, m) {
		return bot.Reply{}, bot.Errorf(bot.EUNAUTHORIZED, "Only whoever logged meeting #%d, or an admin, can change it.", m.ID)
	}
	if len(q.Fields) == 0 {
		return bot.Reply{Text: fmt.Sprintf("Opening meeting #%d for editing…", m.ID), Form: inv.meetingForm(ctx, m)}, nil
	}
	m, notes, err := inv.updateMeeting(ctx, m, q.Fields)
	if err != nil {
		return bot.Reply{}, err
	}
	text := fmt.Sprintf("Updated meeting #%d (%s).", m.ID, strings.Join(sortedKeys(q.Fields), ", "))
	return inv.meetingChanged(ctx, text, m, notes), nil
}

// updateMeeting applies raw fields to m; new GETBACK items in a changed
// follow-up are created with the update.
func (inv *invocation) updateMeeting(ctx context.Context, m *bot.Meeting, fields map[string]string) (*bot.Meeting, []string, error) {
	upd, notes, fe, err := inv.meetingUpdate(ctx, fields, m)
	if err != nil {
		return nil, nil, err
	}
	if err := fe.Err(); err != nil {
		return nil, nil, err
	}
	if upd.FollowUp != nil && *upd.FollowUp != m.FollowUp {
		mid := m.ID
		existing, _, err := inv.r.Store.FindGetbacks(ctx, bot.GetbackFilter{Workspace: inv.Workspace, MeetingID: &mid})
		if err != nil {
			return nil, nil, err
		}
		day := m.Date
		if upd.Date != nil {
			day = *upd.Date
		}
		if upd.AddGetbacks, err = inv.extractGetbacks(ctx, *upd.FollowUp, existing, day); err != nil {
			return nil, nil, fieldError("followup", err)
		}
	}
	if upd.IsEmpty() {
		return m, notes, nil
	}
	updated, err := inv.r.Store.UpdateMeeting(inv.withNotices(ctx, inv.assignmentNotices(ctx, owners(upd.AddGetbacks))), inv.Workspace, m.ID, upd)
	if err != nil {
		return nil, nil, err
	}
	inv.noticesQueued()
	return updated, notes, nil
}

func sortedKeys(m map[string]string) []string {
	var keys []string
	for _, k := range bot.MeetingFieldKeys() {
		if _, ok := m[k]; ok {
			keys = append(keys, k)
		}
	}
	return keys
}

func (inv *invocation) meetingDelete(ctx context.Context, id int64) (bot.Reply, error) {
	m, err := inv.r.Store.FindMeetingByID(ctx, inv.Workspace, id)
	if err != nil {
		return bot.Reply{}, err
	}
	if !bot.CanEditMeeting(inv.actor, m) {
		return bot.Reply{}, bot.Errorf(bot.EUNAUTHORIZED, "Only whoever logged meeting #%d, or an admin, can delete it.", id)
	}
	n, err := inv.r.Store.CountGetbacks(ctx, bot.GetbackFilter{Workspace: inv.Workspace, MeetingID: &id})
	if err != nil {
		return bot.Reply{}, err
	}
	if err := inv.r.Store.DeleteMeeting(ctx, inv.Workspace, id); err != nil {
		return bot.Reply{}, err
	}
	r := bot.Message(fmt.Sprintf("Deleted meeting #%d (%s, %s).", id, m.StateList(), m.DateText()))
	if n > 0 {
		r.Blocks = []bot.Block{{Note: fmt.Sprintf("Its %s stay on the list, no longer linked to a meeting.", bot.Plural(n, "getback", "getbacks"))}}
	}
	return r, nil
}

func (inv *invocation) meetingShow(ctx context.Context, id int64) (bot.Reply, error) {
	m, err := inv.r.Store.FindMeetingByID(ctx, inv.Workspace, id)
	if err != nil {
		return bot.Reply{}, err
	}
	gbs, _, err := inv.r.Store.FindGetbacks(ctx, bot.GetbackFilter{Workspace: inv.Workspace, MeetingID: &id})
	if err != nil {
		return bot.Reply{}, err
	}
	r := bot.Reply{Text: fmt.Sprintf("Meeting #%d: %s, %s (%s)", m.ID, m.StateList(), m.DateText(), m.RegionText())}
	r.Blocks = append(r.Blocks, inv.meetingSummary(ctx, m))
	for _, f := range bot.MeetingFields {
		if !f.Multiline {
			continue
		}
		if v := m.Text(f.Key); v != "" {
			r.Blocks = append(r.Blocks, bot.Block{Heading: f.Title, Text: v})
		}
	}
	if len(gbs) > 0 {
		blocks, err := inv.getbackBlocks(ctx, gbs, false)
		if err != nil {
			return bot.Reply{}, err
		}
		r.Blocks = append(r.Blocks, bot.Block{Heading: "Getbacks"})
		r.Blocks = append(r.Blocks, blocks...)
	}
	r.Blocks = append(r.Blocks, bot.Block{Note: fmt.Sprintf("Logged by %s on %s; last changed %s.",
		inv.name(ctx, m.CreatedBy), m.CreatedAt.Format("2006-01-02"), m.UpdatedAt.Format("2006-01-02 15:04 MST"))})
	r.View = fmt.Sprintf("/meeting show %d", m.ID)
	return r, nil
}

// meetingSummary is the short fields of a meeting.
func (inv *invocation) meetingSummary(ctx context.Context, m *bot.Meeting) bot.Block {
	fields := []bot.Field{
		{Label: "Region", Value: regionsValue(m)},
		{Label: "State", Value: m.StateList()},
		{Label: "Date", Value: m.DateText()},
	}
	if m.Location != "" {
		fields = append(fields, bot.Field{Label: "Location", Value: m.Location})
	}
	if m.POC != "" {
		fields = append(fields, bot.Field{Label: "DHS POC", Value: inv.name(ctx, m.POC)})
	}
	if m.Next != "" {
		fields = append(fields, bot.Field{Label: "Next engagement", Value: m.Next})
	}
	return bot.Block{Fields: fields}
}

func (inv *invocation) createdGetbacks(ctx context.Context, gbs []*bot.Getback) []bot.Block {
	if len(gbs) == 0 {
		return nil
	}
	blocks := []bot.Block{{Heading: fmt.Sprintf("Created %s", bot.Plural(len(gbs), "getback", "getbacks"))}}
	for _, g := range gbs {
		note := "Owner: " + inv.ownerName(ctx, g) + dueText(g.Due)
		if inv.unowned[itemKey(g)] {
			note += fmt.Sprintf(" — no owner was written, so it went to you; hand it on with /getback reassign %d @name", g.ID)
		}
		blocks = append(blocks, bot.Block{Text: fmt.Sprintf("GETBACK (%d) #%d: %s", g.Number, g.ID, g.Text), Note: note})
	}
	return blocks
}

func (inv *invocation) meetingList(ctx context.Context, q MeetingList) (bot.Reply, error) {
	f := bot.MeetingFilter{Workspace: inv.Workspace, Region: q.Region, Since: q.Since, Until: q.Until, Limit: PageSize, CountCap: CountCap}
	if q.State != "" {
		f.State = &q.State
	}
	if q.Mine {
		f.CreatedBy = &inv.User.ID
	}
	page := max(q.Page, 1)
	f.Offset = (page - 1) * PageSize
	ms, total, err := inv.r.Store.FindMeetings(ctx, f)
	if err != nil {
		return bot.Reply{}, err
	}
	if total == 0 {
		return bot.Message("No meetings match. Log one with /meeting add state:Nevada date:today ..."), nil
	}
	title := bot.Plural(total, "meeting", "meetings")
	if total >= CountCap {
		title = fmt.Sprintf("More than %d meetings", CountCap)
	}
	r := bot.Reply{Text: title + ", newest first.", View: q.text(page)}
	for _, m := range ms {
		r.Blocks = append(r.Blocks, meetingLine(m, q.Region, clip(m.Discussion, 140)))
	}
	r.Blocks = append(r.Blocks, pager(total, CountCap, page, len(ms), func(p int) string { return q.text(p) })...)
	return r, nil
}

// meetingLine is one meeting of a list. A list of one region marks a
// meeting that also belongs to others; a list of all regions names every
// region of a meeting that spans several.
func meetingLine(m *bot.Meeting, region *int, note string) bot.Block {
	text := fmt.Sprintf("#%d · %s · %s", m.ID, m.StateList(), m.DateText())
	if m.Location != "" {
		text += " · " + clip(m.Location, 60)
	}
	switch {
	case region != nil:
		if also := m.AlsoText(*region); also != "" {
			text += " · " + also
		}
	case len(m.Regions) > 1:
		text += " · " + m.RegionText()
	}
	return bot.Block{Text: text, Note: note}
}

func (q MeetingList) text(page int) string {
	parts := []string{"/meeting list"}
	if q.Region != nil {
		parts = append(parts, fmt.Sprintf("region:%d", *q.Region))
	}
	if q.State != "" {
		parts = append(parts, "state:"+quote(q.State))
	}
	if q.Since != nil {
		parts = append(parts, "since:"+q.Since.String())
	}
	if q.Until != nil {
		parts = append(parts, "until:"+q.Until.String())
	}
	if q.Mine {
		parts = append(parts, "mine")
	}
	if page > 1 {
		parts = append(parts, fmt.Sprintf("page:%d", page))
	}
	return strings.Join(parts, " ")
}

// quote quotes a value for the command language when it has spaces.
func quote(s string) string {
	if strings.ContainsAny(s, " \t\"") {
		return `"` + strings.ReplaceAll(s, `"`, `\"`) + `"`
	}
	return s
}

// CountCap is where lists stop counting: beyond it they say "more than".
const CountCap = 1000

// SearchCountCap is where a search stops counting matches: beyond it the
// results come newest first, since ranking them all would be slow.
const SearchCountCap = 200

// countText renders a total counted up to limit (0: exactly).
func countText(total, limit int) string {
	if limit > 0 && total >= limit {
		return fmt.Sprintf("more than %d", limit)
	}
	return fmt.Sprint(total)
}

// pager returns the "showing x–y of n" note and a next-page button; total
// was counted up to limit.
func pager(total, limit, page, shown int, cmd func(page int) string) []bot.Block {
	first := (page-1)*PageSize + 1
	if shown == 0 {
		return []bot.Block{{Note: fmt.Sprintf("Page %d is past the end: there are %s.", page, countText(total, limit))}}
	}
	if total <= PageSize && page == 1 {
		return nil
	}
	b := bot.Block{Note: fmt.Sprintf("Showing %d–%d of %s.", first, first+shown-1, countText(total, limit))}
	if first+shown-1 < total || (limit > 0 && total >= limit) {
		next := cmd(page + 1)
		b.Note += " Next: " + next
		b.Buttons = []bot.Button{{Action: bot.ActionPage, Label: "Next page", Value: next}}
	}
	return []bot.Block{b}
}

func (inv *invocation) meetingSearch(ctx context.Context, q MeetingSearch) (bot.Reply, error) {
	page := max(q.Page, 1)
	ms, total, err := inv.r.Store.FindMeetings(ctx, bot.MeetingFilter{Workspace: inv.Workspace, Query: &q.Query,
		Limit: PageSize, Offset: (page - 1) * PageSize, CountCap: SearchCountCap})
	if err != nil {
		return bot.Reply{}, err
	}
	if total == 0 {
		return bot.Message(fmt.Sprintf("No meetings mention %s.", q.Query)), nil
	}
	cmd := func(p int) string {
		s := "/meeting search " + q.Query
		if p > 1 {
			s += fmt.Sprintf(" page:%d", p)
		}
		return s
	}
	r := bot.Reply{Text: fmt.Sprintf("%s %s %s, best match first.", bot.Plural(total, "meeting", "meetings"), bot.PluralWord(total, "mentions", "mention"), q.Query), View: cmd(page)}
	if total >= SearchCountCap {
		r.Text = fmt.Sprintf("More than %d meetings mention %s; newest first. Add words to narrow it down.", SearchCountCap, q.Query)
	}
	for _, m := range ms {
		r.Blocks = append(r.Blocks, meetingLine(m, nil, clip(m.Snippet, 200)))
	}
	r.Blocks = append(r.Blocks, pager(total, SearchCountCap, page, len(ms), cmd)...)
	return r, nil
}

// regionsValue is the Region field of a meeting: "3", or "3 (also 2)".
func regionsValue(m *bot.Meeting) string {
	v := strconv.Itoa(m.Region)
	if also := m.AlsoIn(m.Region); len(also) > 0 {
		parts := make([]string, len(also))
		for i, r := range also {
			parts[i] = strconv.Itoa(r)
		}
		v += " (also " + strings.Join(parts, ", ") + ")"
	}
	return v
}
