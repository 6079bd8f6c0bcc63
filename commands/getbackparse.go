package commands

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/getbackhq/getback/bot"
)

// getbackParsers parse the /getback subcommands.
var getbackParsers = map[string]subcommandParser{
	"add":      (*parser).getbackAdd,
	"list":     (*parser).getbackList,
	"show":     idOnly("getback", func(id int64) Request { return GetbackShow{id} }),
	"done":     func(p *parser) (Request, error) { return p.getbackClose(bot.StatusDone) },
	"cancel":   func(p *parser) (Request, error) { return p.getbackClose(bot.StatusCancelled) },
	"reopen":   idOnly("getback", func(id int64) Request { return GetbackReopen{id} }),
	"reassign": (*parser).getbackReassign,
	"due":      (*parser).getbackDue,
	"snooze":   (*parser).getbackSnooze,
	"remind":   (*parser).getbackRemind,
	"owner":    (*parser).getbackOwner,
}

func (p *parser) getbackAdd() (Request, error) {
	var r GetbackAdd
	var words []string
	for t := range p.tokens() {
		switch {
		case t.Key == "due":
			d, err := p.dueDate("due", t.Value)
			if err != nil {
				return nil, err
			}
			r.Due = d
		case t.Key == "meeting":
			id, err := parseID(t.Value, "meeting", p)
			if err != nil {
				return nil, err
			}
			r.MeetingID = id
		case t.Key == "owner":
			if u, ok := parseUserRef(t.Value); ok {
				r.Owner = u
			} else {
				r.Label = bot.NormalizeLabel(t.Value)
			}
		case t.Key == "" && !t.Quoted && r.Owner == (UserRef{}) && r.Label == "" && len(words) == 0:
			u, ok := parseUserRef(t.Value)
			if !ok {
				return nil, p.fail("Who owes it? Start with @owner (or owner:LABEL for a team), then the text.")
			}
			r.Owner = u
		case t.Key != "":
			return nil, p.fail("Unknown option %q: use due:, meeting: or owner:.", t.Key+":")
		default:
			words = append(words, t.Value)
		}
	}
	if r.Owner == (UserRef{}) && r.Label == "" {
		return nil, p.fail("Who owes it? Start with @owner (or owner:LABEL for a team), then the text.")
	}
	r.Text = strings.TrimSpace(strings.Join(words, " "))
	if r.Text == "" {
		return nil, p.fail("What is owed? Add the text, e.g. \"send the contact list\".")
	}
	if r.Due.IsZero() {
		// "… by Friday" in the text is its due date, as in a meeting's
		// follow-up; due: says otherwise.
		if w := bot.InlineDue(r.Text); w != "" {
			if d, err := bot.ParseDueDate(w, p.today); err == nil {
				r.Due = d
			}
		}
	}
	return r, nil
}

func (p *parser) getbackList() (Request, error) {
	var r GetbackList
	for t := range p.tokens() {
		if t.Key == "" && !t.Quoted {
			switch strings.ToLower(t.Value) {
			case "mine", "my":
				r.Mine = true
				continue
			case "overdue", "late":
				r.Overdue = true
				continue
			case "done", "closed":
				r.Status = bot.StatusDone
				continue
			case "all":
				r.Status = "all"
				continue
			case "open":
				r.Status = ""
				continue
			}
			if u, ok := parseUserRef(t.Value); ok {
				r.User = &u
				continue
			}
		}
		switch t.Key {
		case "region":
			n, err := p.region(t.Value)
			if err != nil {
				return nil, err
			}
			r.Region = &n
		case "meeting":
			id, err := parseID(t.Value, "meeting", p)
			if err != nil {
				return nil, err
			}
			r.MeetingID = id
		case "owner":
			if u, ok := parseUserRef(t.Value); ok {
				r.User = &u
			} else {
				r.Label = bot.NormalizeLabel(t.Value)
			}
		case "page":
			n, err := p.page(t.Value)
			if err != nil {
				return nil, err
			}
			r.Page = n
		default:
			return nil, p.fail("Unknown filter %q.", show(t))
		}
	}
	return r, nil
}

func (p *parser) getbackClose(status string) (Request, error) {
	id, err := p.id("getback")
	if err != nil {
		return nil, err
	}
	return GetbackClose{ID: id, Status: status, Note: p.rest()}, nil
}

func (p *parser) getbackReassign() (Request, error) {
	id, err := p.id("getback")
	if err != nil {
		return nil, err
	}
	t, ok := p.next()
	if !ok {
		return nil, p.fail("Reassign to whom? Name an @user.")
	}
	u, ok := parseUserRef(t.Value)
	if !ok {
		return nil, p.fail("%q is not a user; name them as @user.", t.Value)
	}
	if t, ok := p.next(); ok {
		return nil, p.fail("Unexpected %q after the user.", show(t))
	}
	return GetbackReassign{ID: id, To: u}, nil
}

func (p *parser) getbackDue() (Request, error) {
	id, err := p.id("getback")
	if err != nil {
		return nil, err
	}
	text := p.rest()
	switch strings.ToLower(text) {
	case "":
		return nil, p.fail("Due when? e.g. /getback due %d friday.", id)
	case "none", "clear", "never":
		return GetbackDue{ID: id}, nil
	}
	d, err := p.dueDate("due", text)
	if err != nil {
		return nil, err
	}
	return GetbackDue{ID: id, Due: d}, nil
}

func (p *parser) getbackSnooze() (Request, error) {
	id, err := p.id("getback")
	if err != nil {
		return nil, err
	}
	r := GetbackSnooze{ID: id, Until: p.today.AddDays(1)}
	var words []string
	for t := range p.tokens() {
		switch t.Key {
		case "until", "to":
			d, err := p.dueDate("until", t.Value)
			if err != nil {
				return nil, err
			}
			r.Until = d
		case "":
			words = append(words, t.Value)
		default:
			return nil, p.fail("Unknown option %q: use until:DATE.", t.Key+":")
		}
	}
	if len(words) > 0 {
		text := strings.Join(words, " ")
		if w, rest, ok := strings.Cut(text, " "); ok && strings.EqualFold(w, "until") {
			text = rest
		}
		d, err := p.dueDate("until", text)
		if err != nil {
			return nil, err
		}
		r.Until = d
	}
	if !r.Until.After(p.today) {
		return nil, p.fail("Snooze until a day after today (%s), not %s.", p.today, r.Until)
	}
	return r, nil
}

func (p *parser) getbackRemind() (Request, error) {
	var r GetbackRemind
	for t := range p.tokens() {
		switch {
		case t.Key == "at" || (t.Key == "" && strings.Contains(t.Value, ":")):
			h, m, err := parseClock(t.Value)
			if err != nil {
				return nil, p.fail("%s", err.Error())
			}
			r.Hour, r.Minute = &h, &m
		case t.Key == "days":
			set, err := bot.ParseWeekdaySet(t.Value)
			if err != nil {
				return nil, p.fail("days: %s", bot.ErrorMessage(err))
			}
			r.Days = &set
		case t.Key == "" && (strings.EqualFold(t.Value, "on") || strings.EqualFold(t.Value, "off")):
			on := strings.EqualFold(t.Value, "on")
			r.On = &on
		default:
			return nil, p.fail("Unknown option %q.", show(t))
		}
	}
	return r, nil
}

// parseClock parses 08:30, 8:30, 8, 8am, 5:30pm.
func parseClock(s string) (hour, minute int, err error) {
	in := strings.ToLower(strings.TrimSpace(s))
	pm := strings.HasSuffix(in, "pm")
	am := strings.HasSuffix(in, "am")
	in = strings.TrimSuffix(strings.TrimSuffix(in, "pm"), "am")
	hs, ms, hasMin := strings.Cut(in, ":")
	hour, err1 := strconv.Atoi(hs)
	if hasMin {
		minute, err = strconv.Atoi(ms)
	}
	if err1 != nil || err != nil || hour < 0 || hour > 23 || minute < 0 || minute > 59 || (hasMin && len(ms) != 2) ||
		((am || pm) && (hour < 1 || hour > 12)) {
		return 0, 0, fmt.Errorf("%q is not a time of day; use 24-hour HH:MM such as 08:30", s)
	}
	if pm && hour != 12 {
		hour += 12
	}
	if am && hour == 12 {
		hour = 0
	}
	return hour, minute, nil
}

func (p *parser) getbackOwner() (Request, error) {
	var r GetbackOwner
	t, ok := p.next()
	if !ok {
		return r, nil
	}
	if _, isUser := parseUserRef(t.Value); isUser || t.Key != "" {
		return nil, p.fail("Name the team label first, e.g. /getback owner ITF @bob.")
	}
	r.Label = bot.NormalizeLabel(t.Value)
	t, ok = p.next()
	if !ok {
		return nil, p.fail("Map %s to whom? e.g. /getback owner %s @bob (or none to remove).", r.Label, r.Label)
	}
	if strings.EqualFold(t.Value, "none") || strings.EqualFold(t.Value, "nobody") {
		r.Remove = true
	} else if u, ok := parseUserRef(t.Value); ok {
		r.User = &u
	} else {
		return nil, p.fail("%q is not a user; name them as @user.", t.Value)
	}
	if t, ok := p.next(); ok {
		return nil, p.fail("Unexpected %q.", show(t))
	}
	return r, nil
}
