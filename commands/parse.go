package commands

import (
	"fmt"
	"iter"
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
	parse, known := subcommandParsers[cmd][sub]
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
	req, err := parse(&parser{toks: toks, usage: usage, today: today})
	if err != nil {
		return nil, err
	}
	return req, nil
}

// subcommandParsers parse each command's subcommands (listed in help in
// the order of subcommands), by command and subcommand.
var subcommandParsers = map[string]map[string]subcommandParser{
	"meeting": meetingParsers,
	"getback": getbackParsers,
	"digest":  digestParsers,
}

// subcommandParser reads the arguments of one subcommand into its request.
type subcommandParser func(p *parser) (Request, error)

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

// tokens yields the tokens not read yet, reading each as it goes.
func (p *parser) tokens() iter.Seq[token] {
	return func(yield func(token) bool) {
		for {
			t, ok := p.next()
			if !ok || !yield(t) {
				return
			}
		}
	}
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

// idOnly parses a subcommand whose one argument is an item number.
func idOnly(what string, mk func(int64) Request) subcommandParser {
	return func(p *parser) (Request, error) {
		id, err := p.id(what)
		if err != nil {
			return nil, err
		}
		if t, ok := p.next(); ok {
			return nil, p.fail("Unexpected %q after the %s number.", show(t), what)
		}
		return mk(id), nil
	}
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
	for t := range p.tokens() {
		words = append(words, show(t))
	}
	return strings.TrimSpace(strings.Join(words, " "))
}

func unknownStateMessage(s string) string {
	if sug := bot.SuggestState(s); sug != "" {
		return fmt.Sprintf("Unknown state or territory %q — did you mean %s?", s, sug)
	}
	return fmt.Sprintf("Unknown state or territory %q: use a state's name or postal code, e.g. Nevada or NV.", s)
}
