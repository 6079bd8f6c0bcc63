package commands

import (
	"context"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/getbackhq/getback/bot"
)

// Form ids.
const (
	FormMeetingAdd  = "meeting.add"
	FormMeetingEdit = "meeting.edit:" // followed by the meeting id
)

// meetingForm returns the meeting form, pre-filled from m when editing.
func (inv *invocation) meetingForm(ctx context.Context, m *bot.Meeting) *bot.Form {
	f := &bot.Form{ID: FormMeetingAdd, Title: "Log a meeting", Submit: "Log meeting"}
	val := func(string) string { return "" }
	if m != nil {
		f.ID, f.Title, f.Submit = fmt.Sprintf("%s%d", FormMeetingEdit, m.ID), fmt.Sprintf("Edit meeting #%d", m.ID), "Save"
		val = func(key string) string {
			switch key {
			case "state":
				if len(m.States) == 1 {
					return m.States[0]
				}
				return m.StateList()
			case "region":
				return strconv.Itoa(m.Region)
			case "date":
				if m.DateStatus != "" {
					return m.DateStatus
				}
				return m.Date.String()
			case "next":
				if !m.NextDate.IsZero() {
					return m.NextDate.String() // a date picker shows it
				}
			case "poc":
				if _, err := inv.r.Store.FindPerson(ctx, inv.Workspace, m.POC); err == nil {
					return m.POC
				}
				return ""
			}
			return m.Text(key)
		}
	}
	stateOpts := make([]bot.Option, 0, len(bot.States))
	for _, name := range bot.StateNames() {
		stateOpts = append(stateOpts, bot.Option{Label: name, Value: name})
	}
	regionOpts := []bot.Option{}
	for n := 1; n <= 10; n++ {
		regionOpts = append(regionOpts, bot.Option{Label: bot.RegionName(n), Value: strconv.Itoa(n)})
	}
	for _, mf := range bot.MeetingFields {
		ff := bot.FormField{Key: mf.Key, Label: formLabel(mf), Kind: bot.FieldText, Value: val(mf.Key), Optional: true, MaxLength: 3000}
		if mf.Multiline {
			ff.Kind = bot.FieldTextarea
		}
		switch mf.Key {
		case "state":
			ff.Kind, ff.Options, ff.Optional = bot.FieldSelect, stateOpts, false
			if m != nil && len(m.States) > 1 {
				ff.Kind, ff.Options = bot.FieldText, nil // a multi-state meeting: free text
			}
		case "region":
			ff.Kind, ff.Options, ff.Hint = bot.FieldSelect, regionOpts, "Leave empty to use the state's region."
		case "date":
			ff.Kind, ff.Hint = bot.FieldDate, "Empty means today. For Pending, TBD or N/A, type /meeting add … date:TBD instead."
			ff.MinDate, ff.MaxDate = dateBounds(ff.Value, inv.today.AddDays(-dateReach), inv.today.AddDays(dateReach))
		case "poc":
			ff.Kind, ff.Hint = bot.FieldUser, "Empty means you."
		case "followup":
			ff.Hint = "Each GETBACK (n): text OWNER FORAC. becomes a tracked item."
		case "next":
			ff.Kind, ff.Hint = bot.FieldDate, `For free text ("spring"), type /meeting edit ID next:"…" instead.`
			ff.MinDate, ff.MaxDate = dateBounds(ff.Value, inv.today.AddDays(-dateReach), inv.today.AddDays(2*dateReach))
		}
		f.Fields = append(f.Fields, ff)
	}
	return f
}

// dateReach is how far from today, in days, the form's date pickers
// reach (the next engagement twice as far ahead): a slip of the year is
// caught, and older or later dates are typed as a command.
const dateReach = 366

// dateBounds returns a date picker's bounds, widened to keep the field's
// current value (an old meeting being edited) selectable.
func dateBounds(value string, min, max bot.Date) (string, string) {
	if d, err := bot.ParseISODate(value); err == nil && !d.IsZero() {
		if d.Before(min) {
			min = d
		}
		if d.After(max) {
			max = d
		}
	}
	return min.String(), max.String()
}

// pickedDateLayouts are the forms in which date pickers send a date: an
// ISO date, or a date and time (RFC 3339 with or without a zone, with or
// without seconds), as Mattermost's date and datetime elements do.
var pickedDateLayouts = []string{time.RFC3339, "2006-01-02T15:04:05", "2006-01-02T15:04"}

// pickedDate returns the date a date picker sent (2026-11-30 from
// 2026-11-30T00:00:00Z, the day as written); anything else, typed text
// among it, is returned as it came.
func pickedDate(v string) string {
	for _, layout := range pickedDateLayouts {
		if _, err := time.Parse(layout, v); err == nil {
			return v[:len("2006-01-02")]
		}
	}
	return v
}

// formLabels are the form's field labels: short, since dialogs allow at
// most 24 characters.
var formLabels = map[string]string{
	"region": "Region", "state": "State or territory", "location": "Meeting location", "date": "Meeting date",
	"poc": "DHS POC", "attendees": "Attendees", "discussion": "Discussion points", "concerns": "Issues or concerns",
	"followup": "Follow-up required", "awareness": "Leadership awareness", "action": "Leadership action",
	"next": "Next engagement", "notes": "Notes / comments",
}

func formLabel(f bot.MeetingField) string {
	if l, ok := formLabels[f.Key]; ok {
		return l
	}
	return f.Title
}

// Submission is a submitted form.
type Submission struct {
	Call
	FormID string
	Values map[string]string // field key -> value; user fields hold user ids
}

// Submit handles a submitted form. A validation failure returns an error
// whose bot.Error Fields name the fields at fault, for the adapter to show
// next to them; nothing is saved.
func (r *Runner) Submit(ctx context.Context, s Submission) (rep bot.Reply, err error) {
	defer r.recoverPanic(ctx, "form submission", func(perr error) { rep, err = bot.Reply{}, perr })
	ctx, inv, err := r.begin(ctx, s.Call)
	if err != nil {
		return bot.Reply{}, err
	}
	rep, err = inv.submit(ctx, s)
	if err == nil {
		err = inv.saveCaller(ctx)
	}
	return rep, err
}

func (inv *invocation) submit(ctx context.Context, s Submission) (bot.Reply, error) {
	dates := map[string]bool{}
	inv.pickedUsers = map[string]bool{}
	for _, ff := range inv.meetingForm(ctx, nil).Fields {
		dates[ff.Key] = ff.Kind == bot.FieldDate
		inv.pickedUsers[ff.Key] = ff.Kind == bot.FieldUser
	}
	fields := map[string]string{}
	for k, v := range s.Values {
		v = strings.TrimSpace(v)
		if dates[k] {
			v = pickedDate(v)
		}
		fields[k] = v
	}
	switch {
	case s.FormID == FormMeetingAdd:
		for k, v := range fields {
			if v == "" {
				delete(fields, k)
			}
		}
		if _, ok := fields["state"]; !ok {
			fields["state"] = ""
		}
		return inv.meetingAdd(ctx, MeetingAdd{Fields: fields})
	case strings.HasPrefix(s.FormID, FormMeetingEdit):
		id, err := strconv.ParseInt(strings.TrimPrefix(s.FormID, FormMeetingEdit), 10, 64)
		if err != nil {
			return bot.Reply{}, bot.Errorf(bot.EINVALID, "This form is damaged; open it again.")
		}
		m, err := inv.r.Store.FindMeetingByID(ctx, inv.Workspace, id)
		if err != nil {
			return bot.Reply{}, err
		}
		if !bot.CanEditMeeting(inv.actor, m) {
			return bot.Reply{}, bot.Errorf(bot.EUNAUTHORIZED, "Only whoever logged meeting #%d, or an admin, can change it.", id)
		}
		// Send only what changed, so an untouched field (such as a POC
		// written as free text) is left as it was.
		form := inv.meetingForm(ctx, m)
		for _, ff := range form.Fields {
			v, ok := fields[ff.Key]
			if !ok {
				continue
			}
			if v == ff.Value || (ff.Key == "region" && v == "") {
				delete(fields, ff.Key)
			}
		}
		if len(fields) == 0 {
			return bot.Message(fmt.Sprintf("Meeting #%d is unchanged.", id)), nil
		}
		return inv.meetingEdit(ctx, MeetingEdit{ID: id, Fields: fields})
	}
	return bot.Reply{}, bot.Errorf(bot.EINVALID, "Unknown form %q.", s.FormID)
}
