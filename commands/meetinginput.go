package commands

import (
	"context"
	"fmt"
	"regexp"
	"strconv"
	"strings"

	"github.com/getbackhq/getback/bot"
)

var reStateSep = regexp.MustCompile(`\s*(?:,|;|/|&|\band\b)\s*`)

// meetingUpdate turns raw field values (from key:value arguments or a form)
// into an update of base. Values are checked one by one; every problem is
// reported in fe against its field. notes tell the user what was assumed.
// err is set only when something other than the input failed.
func (inv *invocation) meetingUpdate(ctx context.Context, fields map[string]string, base *bot.Meeting) (upd bot.MeetingUpdate, notes []string, fe bot.FieldErrors, err error) {
	fe = bot.FieldErrors{}
	str := func(v string) *string { v = strings.TrimSpace(v); return &v }
	// The fields stored as text, as given.
	textFields := map[string]**string{
		"location": &upd.Location, "attendees": &upd.Attendees, "discussion": &upd.Discussion, "concerns": &upd.Concerns,
		"followup": &upd.FollowUp, "awareness": &upd.Awareness, "action": &upd.Action, "notes": &upd.Notes,
	}
	for key, raw := range fields {
		v := strings.TrimSpace(raw)
		switch key {
		case "state":
			states, msg := parseStates(v)
			if msg != "" {
				fe.Add("state", "%s", msg)
				continue
			}
			upd.States = &states
		case "region":
			n, err := strconv.Atoi(strings.TrimPrefix(strings.ToLower(v), "r"))
			if err != nil || !bot.ValidRegion(n) {
				fe.Add("region", "region must be 1-10, not %q", v)
				continue
			}
			upd.Region = &n
		case "date":
			var zero bot.Date
			if v == "" {
				none := ""
				upd.Date, upd.DateStatus = &zero, &none
				continue
			}
			if st, ok := bot.ParseDateStatus(v); ok {
				upd.Date, upd.DateStatus = &zero, &st
				notes = append(notes, fmt.Sprintf("Date %q kept as %s.", v, strings.ToLower(st)))
				continue
			}
			d, err := bot.ParseDate(v, inv.today)
			if err != nil {
				fe.Add("date", "%s", bot.ErrorMessage(err))
				continue
			}
			none := ""
			upd.Date, upd.DateStatus = &d, &none
		case "poc":
			ref, ok := parseUserRef(v)
			if inv.pickedUsers[key] {
				ref, ok = UserRef{ID: v}, v != "" // a user id, picked in a form
			}
			if ok {
				u, err := inv.resolveUser(ctx, ref)
				if err != nil {
					if bot.ErrorCode(err) != bot.EINVALID {
						return upd, nil, fe, err
					}
					fe.Add("poc", "%s", bot.ErrorMessage(err))
					continue
				}
				upd.POC = &u.ID
				continue
			}
			upd.POC = str(v)
		case "next":
			upd.Next = str(v)
			var nd bot.Date
			if d, err := bot.ParseDate(v, inv.today); err == nil {
				nd = d
			}
			upd.NextDate = &nd
		default:
			text, ok := textFields[key]
			if !ok {
				fe.Add(key, "unknown field")
				continue
			}
			*text = str(v)
		}
	}
	// Region: inferred from the state when not given; a mismatch is allowed
	// (a region may cover a neighbour) but pointed out.
	states := base.States
	if upd.States != nil {
		states = *upd.States
	}
	if len(states) > 0 && (upd.States != nil || upd.Region != nil) {
		overrides, err := inv.r.Store.StateRegions(ctx, inv.Workspace)
		if err != nil {
			return upd, nil, fe, err
		}
		inferred := bot.RegionOf(states[0], overrides)
		switch {
		case upd.Region == nil && inferred != 0:
			upd.Region = &inferred
		case upd.Region != nil && inferred != 0 && *upd.Region != inferred:
			notes = append(notes, fmt.Sprintf("%s is in region %d; kept region %d as you gave it.", states[0], inferred, *upd.Region))
		}
		for _, s := range states[1:] {
			if n := bot.RegionOf(s, overrides); upd.Region != nil && n != 0 && n != *upd.Region {
				notes = append(notes, fmt.Sprintf("%s is in region %d: the meeting shows in region %d's lists and digest too.", s, n, n))
			}
		}
	}
	return upd, notes, fe, nil
}

// parseStates reads "Nevada", "NV" or "PA, NY, VA" into canonical names; msg
// explains a failure.
func parseStates(v string) (states []string, msg string) {
	if v == "" {
		return nil, "a state or territory is required"
	}
	seen := map[string]bool{}
	for _, part := range reStateSep.Split(v, -1) {
		if part == "" {
			continue
		}
		st, ok := bot.LookupState(part)
		if !ok {
			// "New York" must not be split as "New" "York": try the whole.
			if whole, ok := bot.LookupState(v); ok {
				return []string{whole.Name}, ""
			}
			return nil, unknownStateMessage(part)
		}
		if !seen[st.Name] {
			seen[st.Name] = true
			states = append(states, st.Name)
		}
	}
	if len(states) == 0 {
		return nil, "a state or territory is required"
	}
	return states, ""
}

// extractGetbacks finds GETBACK items in follow-up text and turns them into
// getbacks owned by a user (@name) or a label (RD, ITF); items with no owner
// written belong to the caller, and are remembered so the reply can say so.
// A due date written inline counts from day (the meeting's date, or today
// when it has none). Items already in existing are left out.
func (inv *invocation) extractGetbacks(ctx context.Context, text string, existing []*bot.Getback, day bot.Date) ([]*bot.Getback, error) {
	if day.IsZero() {
		day = inv.today
	}
	gbs := bot.NewGetbacks(text, existing, inv.User.ID, inv.User.ID, day)
	for _, g := range gbs {
		g.Workspace = inv.Workspace
		if g.OwnerKind == bot.OwnerUser {
			if inv.unowned == nil {
				inv.unowned = map[string]bool{}
			}
			inv.unowned[itemKey(g)] = true
		}
		if ref, ok := parseUserRef(g.Owner); ok && g.OwnerKind == bot.OwnerLabel {
			u, err := inv.resolveUser(ctx, ref)
			if err != nil {
				return nil, err
			}
			g.Owner, g.OwnerKind = u.ID, bot.OwnerUser
		}
		if g.Text == "" {
			return nil, bot.Errorf(bot.EINVALID, "GETBACK (%d) has no text: write what is owed before the owner.", g.Number)
		}
	}
	return gbs, nil
}

// itemKey identifies an extracted item within one meeting before and after
// it is stored.
func itemKey(g *bot.Getback) string { return fmt.Sprintf("%d\x00%s", g.Number, g.Text) }
