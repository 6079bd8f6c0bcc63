package commands

import (
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/getbackhq/getback/bot"
)

// ParseError is a command that could not be parsed: a short, specific
// message and the usage line of the subcommand.
type ParseError struct {
	Message string
	Usage   string
}

// Error implements error.
func (e *ParseError) Error() string { return e.Message }

// PageSize is how many items a list shows at a time.
const PageSize = 20

// commandNames maps what users type to the canonical command.
var commandNames = map[string]string{
	"meeting": "meeting", "meetings": "meeting",
	"getback": "getback", "getbacks": "getback", "gb": "getback",
	"digest": "digest", "digests": "digest",
	"help": "help",
}

// SplitCommand separates a typed line such as "/meeting add x:y" into the
// command ("/meeting") and the rest.
func SplitCommand(line string) (command, text string) {
	line = strings.TrimSpace(line)
	command, text, _ = strings.Cut(line, " ")
	return command, strings.TrimSpace(text)
}

// Parse parses one command. command is the slash command as the platform
// sent it ("/meeting") or the first word typed in the console; text is the
// rest. Dates are resolved relative to today (the caller's local day).
func Parse(command, text string, today bot.Date) (Request, error) {
	name := strings.ToLower(strings.TrimPrefix(strings.TrimSpace(command), "/"))
	cmd, ok := commandNames[name]
	if !ok {
		if name == "" && text == "" {
			return Help{}, nil
		}
		problem := fmt.Sprintf("Unknown command %q.", command)
		if c := bot.Closest(name, []string{"meeting", "getback", "digest", "help"}); c != "" {
			problem = fmt.Sprintf("Unknown command %q — did you mean /%s?", command, c)
		}
		return Help{Problem: problem}, nil
	}
	if cmd == "help" {
		topic := strings.ToLower(strings.TrimPrefix(strings.TrimSpace(text), "/"))
		return Help{Command: commandNames[topic]}, nil
	}
	sub, rest, _ := strings.Cut(strings.TrimSpace(text), " ")
	sub = strings.ToLower(sub)
	if sub == "" || sub == "help" {
		return Help{Command: cmd}, nil
	}
	known := false
	for _, s := range subcommands[cmd] {
		if s == sub {
			known = true
		}
	}
	if !known {
		problem := fmt.Sprintf("Unknown subcommand /%s %s.", cmd, sub)
		if c := bot.Closest(sub, subcommands[cmd]); c != "" {
			problem = fmt.Sprintf("Unknown subcommand /%s %s — did you mean /%s %s?", cmd, sub, cmd, c)
		}
		return Help{Command: cmd, Problem: problem}, nil
	}
	usage := usages[cmd+" "+sub]
	toks, err := lex(rest)
	if err != nil {
		return nil, &ParseError{bot.ErrorMessage(err), usage}
	}
	p := &parser{toks: toks, usage: usage, today: today}
	var req Request
	switch cmd + " " + sub {
	case "meeting add":
		req, err = p.meetingAdd()
	case "meeting list":
		req, err = p.meetingList()
	case "meeting show":
		req, err = p.idOnly(func(id int64) Request { return MeetingShow{id} }, "meeting")
	case "meeting edit":
		req, err = p.meetingEdit()
	case "meeting delete":
		req, err = p.idOnly(func(id int64) Request { return MeetingDelete{id} }, "meeting")
	case "meeting search":
		req, err = p.meetingSearch()
	case "meeting import":
		req = MeetingImport{}
	case "getback add":
		req, err = p.getbackAdd()
	case "getback list":
		req, err = p.getbackList()
	case "getback show":
		req, err = p.idOnly(func(id int64) Request { return GetbackShow{id} }, "getback")
	case "getback done":
		req, err = p.getbackClose(bot.StatusDone)
	case "getback cancel":
		req, err = p.getbackClose(bot.StatusCancelled)
	case "getback reopen":
		req, err = p.idOnly(func(id int64) Request { return GetbackReopen{id} }, "getback")
	case "getback reassign":
		req, err = p.getbackReassign()
	case "getback due":
		req, err = p.getbackDue()
	case "getback snooze":
		req, err = p.getbackSnooze()
	case "getback remind":
		req, err = p.getbackRemind()
	case "getback owner":
		req, err = p.getbackOwner()
	case "digest preview":
		req, err = p.digestPreview()
	case "digest post":
		req, err = p.digestPost()
	case "digest config":
		req, err = p.digestConfig()
	case "digest states":
		req, err = p.digestStates()
	}
	if err != nil {
		return nil, err
	}
	return req, nil
}

// parser walks the tokens of one subcommand.
type parser struct {
	toks  []token
	pos   int
	usage string
	today bot.Date
}

func (p *parser) fail(format string, args ...any) error {
	return &ParseError{Message: fmt.Sprintf(format, args...), Usage: p.usage}
}

// next returns the next token, or false at the end.
func (p *parser) next() (token, bool) {
	if p.pos >= len(p.toks) {
		return token{}, false
	}
	t := p.toks[p.pos]
	p.pos++
	return t, true
}

// id reads a required item number ("42" or "#42").
func (p *parser) id(what string) (int64, error) {
	t, ok := p.next()
	if !ok || t.Key != "" {
		return 0, p.fail("Which %s? Give its number, e.g. 42.", what)
	}
	return parseID(t.Value, what, p)
}

func parseID(s, what string, p *parser) (int64, error) {
	n, err := strconv.ParseInt(strings.TrimPrefix(s, "#"), 10, 64)
	if err != nil || n <= 0 {
		return 0, p.fail("%q is not a %s number.", s, what)
	}
	return n, nil
}

func (p *parser) idOnly(mk func(int64) Request, what string) (Request, error) {
	id, err := p.id(what)
	if err != nil {
		return nil, err
	}
	if t, ok := p.next(); ok {
		return nil, p.fail("Unexpected %q after the %s number.", show(t), what)
	}
	return mk(id), nil
}

func show(t token) string {
	if t.Key != "" {
		return t.Key + ":" + t.Value
	}
	return t.Value
}

func (p *parser) date(key, value string) (bot.Date, error) {
	d, err := bot.ParseDate(value, p.today)
	if err != nil {
		return bot.Date{}, p.fail("%s: %s", key, bot.ErrorMessage(err))
	}
	return d, nil
}

// dueDate reads a deadline or the end of a snooze: weekday names and dates
// without a year point forward (see bot.ParseDueDate).
func (p *parser) dueDate(key, value string) (bot.Date, error) {
	d, err := bot.ParseDueDate(value, p.today)
	if err != nil {
		return bot.Date{}, p.fail("%s: %s", key, bot.ErrorMessage(err))
	}
	return d, nil
}

func (p *parser) intValue(key, value string, lo, hi int) (int, error) {
	n, err := strconv.Atoi(value)
	if err != nil || n < lo || n > hi {
		return 0, p.fail("%s must be a number from %d to %d, not %q.", key, lo, hi, value)
	}
	return n, nil
}

func (p *parser) region(value string) (int, error) {
	n, err := strconv.Atoi(strings.TrimPrefix(strings.ToLower(value), "r"))
	if err != nil || !bot.ValidRegion(n) {
		return 0, p.fail("region must be 1-10, not %q.", value)
	}
	return n, nil
}

func (p *parser) page(value string) (int, error) {
	return p.intValue("page", value, 1, 100000)
}

// meetingKeyAliases maps other names people type to meeting field keys.
var meetingKeyAliases = map[string]string{
	"states": "state", "territory": "state", "loc": "location", "where": "location", "when": "date",
	"dhspoc": "poc", "attendee": "attendees", "who": "attendees", "points": "discussion",
	"issues": "concerns", "concern": "concerns", "follow": "followup", "followups": "followup",
	"getbacks": "followup", "leadership": "awareness", "leadershipaction": "action",
	"nextengagement": "next", "comments": "notes", "note": "notes",
}

func meetingKeys() []string { return bot.MeetingFieldKeys() }

// meetingFields reads key:value pairs into a map, rejecting unknown keys,
// positional words and repeated keys.
func (p *parser) meetingFields() (map[string]string, error) {
	fields := map[string]string{}
	valid := map[string]bool{}
	for _, k := range meetingKeys() {
		valid[k] = true
	}
	for {
		t, ok := p.next()
		if !ok {
			return fields, nil
		}
		if t.Key == "" {
			return nil, p.fail("Unexpected %q: meeting fields are key:value, e.g. state:Nevada (fields: %s).", t.Value, meetingFieldHelp())
		}
		key := t.Key
		if alias, ok := meetingKeyAliases[key]; ok {
			key = alias
		}
		if !valid[key] {
			if c := bot.Closest(key, meetingKeys()); c != "" {
				return nil, p.fail("Unknown field '%s' — did you mean '%s'?", t.Key, c)
			}
			return nil, p.fail("Unknown field '%s'. Fields: %s.", t.Key, meetingFieldHelp())
		}
		if _, dup := fields[key]; dup {
			return nil, p.fail("Field '%s' is given twice.", key)
		}
		fields[key] = t.Value
	}
}

func (p *parser) meetingAdd() (Request, error) {
	f, err := p.meetingFields()
	if err != nil {
		return nil, err
	}
	return MeetingAdd{Fields: f}, nil
}

func (p *parser) meetingEdit() (Request, error) {
	id, err := p.id("meeting")
	if err != nil {
		return nil, err
	}
	f, err := p.meetingFields()
	if err != nil {
		return nil, err
	}
	return MeetingEdit{ID: id, Fields: f}, nil
}

func (p *parser) meetingList() (Request, error) {
	var r MeetingList
	for {
		t, ok := p.next()
		if !ok {
			return r, nil
		}
		switch {
		case t.Key == "region":
			n, err := p.region(t.Value)
			if err != nil {
				return nil, err
			}
			r.Region = &n
		case t.Key == "state":
			st, ok := bot.LookupState(t.Value)
			if !ok {
				return nil, p.fail("%s", unknownStateMessage(t.Value))
			}
			r.State = st.Name
		case t.Key == "since" || t.Key == "from":
			d, err := p.date(t.Key, t.Value)
			if err != nil {
				return nil, err
			}
			r.Since = &d
		case t.Key == "until" || t.Key == "to":
			d, err := p.date(t.Key, t.Value)
			if err != nil {
				return nil, err
			}
			r.Until = &d
		case t.Key == "page":
			n, err := p.page(t.Value)
			if err != nil {
				return nil, err
			}
			r.Page = n
		case t.Key == "" && strings.EqualFold(t.Value, "mine") && !t.Quoted:
			r.Mine = true
		default:
			return nil, p.fail("Unknown filter %q.", show(t))
		}
	}
}

func unknownStateMessage(s string) string {
	if sug := bot.SuggestState(s); sug != "" {
		return fmt.Sprintf("Unknown state or territory %q — did you mean %s?", s, sug)
	}
	return fmt.Sprintf("Unknown state or territory %q: use a state's name or postal code, e.g. Nevada or NV.", s)
}

func (p *parser) meetingSearch() (Request, error) {
	var r MeetingSearch
	var words []string
	for {
		t, ok := p.next()
		if !ok {
			break
		}
		if t.Key == "page" {
			n, err := p.page(t.Value)
			if err != nil {
				return nil, err
			}
			r.Page = n
			continue
		}
		if t.Quoted && t.Key == "" {
			// A quoted part is searched as a phrase.
			words = append(words, `"`+strings.ReplaceAll(t.Value, `"`, " ")+`"`)
			continue
		}
		words = append(words, show(t))
	}
	r.Query = strings.TrimSpace(strings.Join(words, " "))
	if r.Query == "" {
		return nil, p.fail("What should I search for?")
	}
	return r, nil
}

func (p *parser) getbackAdd() (Request, error) {
	var r GetbackAdd
	var words []string
	for {
		t, ok := p.next()
		if !ok {
			break
		}
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
	return r, nil
}

func (p *parser) getbackList() (Request, error) {
	var r GetbackList
	for {
		t, ok := p.next()
		if !ok {
			return r, nil
		}
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
}

// rest joins the remaining tokens as free text.
func (p *parser) rest() string {
	var words []string
	for {
		t, ok := p.next()
		if !ok {
			return strings.TrimSpace(strings.Join(words, " "))
		}
		words = append(words, show(t))
	}
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
	for {
		t, ok := p.next()
		if !ok {
			break
		}
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
	for {
		t, ok := p.next()
		if !ok {
			return r, nil
		}
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

func (p *parser) weekOption(key, value string) (*bot.Date, error) {
	d, err := p.date(key, value)
	if err != nil {
		return nil, err
	}
	return &d, nil
}

func (p *parser) digestPreview() (Request, error) {
	var r DigestPreview
	for {
		t, ok := p.next()
		if !ok {
			return r, nil
		}
		var err error
		switch t.Key {
		case "region":
			var n int
			if strings.EqualFold(t.Value, "leadership") {
				n = bot.LeadershipRegion
			} else if n, err = p.region(t.Value); err != nil {
				return nil, err
			}
			r.Region = &n
		case "week":
			if r.Week, err = p.weekOption("week", t.Value); err != nil {
				return nil, err
			}
		default:
			return nil, p.fail("Unknown option %q: use region: and week:.", show(t))
		}
	}
}

func (p *parser) digestPost() (Request, error) {
	prev, err := p.digestPreview()
	if err != nil {
		return nil, err
	}
	pr := prev.(DigestPreview)
	if pr.Region == nil {
		return nil, p.fail("Which region? e.g. /digest post region:9.")
	}
	return DigestPost{Region: *pr.Region, Week: pr.Week}, nil
}

func (p *parser) digestConfig() (Request, error) {
	var r DigestConfig
	for {
		t, ok := p.next()
		if !ok {
			break
		}
		switch t.Key {
		case "region":
			var n int
			if strings.EqualFold(t.Value, "leadership") {
				n = bot.LeadershipRegion
			} else {
				var err error
				if n, err = p.region(t.Value); err != nil {
					return nil, err
				}
			}
			r.Region = &n
		case "channel":
			c, ok := parseChannelRef(t.Value)
			if !ok {
				return nil, p.fail("channel: %q is not a channel; write it as #channel.", t.Value)
			}
			r.Channel = &c
		case "tz":
			if _, err := time.LoadLocation(t.Value); err != nil || t.Value == "" || strings.EqualFold(t.Value, "local") {
				return nil, p.fail("tz: unknown time zone %q; use an IANA name such as Pacific/Honolulu.", t.Value)
			}
			tz := t.Value
			r.TZ = &tz
		case "day":
			wd, ok := weekday(t.Value)
			if !ok {
				return nil, p.fail("day: %q is not a weekday.", t.Value)
			}
			r.Day = &wd
		case "hour":
			n, err := p.intValue("hour", t.Value, 0, 23)
			if err != nil {
				return nil, err
			}
			r.Hour = &n
		case "coverage":
			n, err := p.intValue("coverage", strings.TrimSuffix(t.Value, "w"), 1, 52)
			if err != nil {
				return nil, err
			}
			r.Coverage = &n
		case "":
			if strings.EqualFold(t.Value, "leadership") {
				n := bot.LeadershipRegion
				r.Region = &n
				continue
			}
			return nil, p.fail("Unexpected %q: options are key:value.", t.Value)
		default:
			return nil, p.fail("Unknown option %q: use region:, channel:, tz:, day:, hour:, coverage:.", t.Key+":")
		}
	}
	if r.Region == nil && (r.Channel != nil || r.TZ != nil || r.Day != nil || r.Hour != nil || r.Coverage != nil) {
		return nil, p.fail("Which region? Add region:N (or region:leadership).")
	}
	return r, nil
}

func weekday(s string) (time.Weekday, bool) {
	s = strings.ToLower(strings.TrimSpace(s))
	for d := time.Sunday; d <= time.Saturday; d++ {
		name := strings.ToLower(d.String())
		if s == name || (len(s) >= 3 && strings.HasPrefix(name, s)) {
			return d, true
		}
	}
	return 0, false
}

func (p *parser) digestStates() (Request, error) {
	var r DigestStates
	var words []string
	for {
		t, ok := p.next()
		if !ok {
			break
		}
		switch t.Key {
		case "region":
			n, err := p.region(t.Value)
			if err != nil {
				return nil, err
			}
			r.Region = &n
		case "state":
			words = append(words, t.Value)
		case "":
			words = append(words, t.Value)
		default:
			return nil, p.fail("Unknown option %q.", show(t))
		}
	}
	if len(words) == 0 {
		return r, nil
	}
	name := strings.Join(words, " ")
	st, ok := bot.LookupState(name)
	if !ok {
		return nil, p.fail("%s", unknownStateMessage(name))
	}
	if r.Region == nil {
		return nil, p.fail("Move %s to which region? Add region:N.", st.Name)
	}
	r.State, r.To, r.Region = st.Name, *r.Region, nil
	return r, nil
}
