package commands

import (
	"fmt"
	"strconv"
	"strings"

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

func unknownStateMessage(s string) string {
	if sug := bot.SuggestState(s); sug != "" {
		return fmt.Sprintf("Unknown state or territory %q — did you mean %s?", s, sug)
	}
	return fmt.Sprintf("Unknown state or territory %q: use a state's name or postal code, e.g. Nevada or NV.", s)
}
