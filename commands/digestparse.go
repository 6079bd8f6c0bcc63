package commands

import (
	"strings"
	"time"

	"github.com/getbackhq/getback/bot"
)

// digestParsers parse the /digest subcommands.
var digestParsers = map[string]subcommandParser{
	"preview": (*parser).digestPreview,
	"post":    (*parser).digestPost,
	"config":  (*parser).digestConfig,
	"states":  (*parser).digestStates,
}

// digestRegion reads a digest's region: 1-10, or leadership for the
// roll-up.
func (p *parser) digestRegion(value string) (*int, error) {
	n := bot.LeadershipRegion
	if !strings.EqualFold(value, "leadership") {
		var err error
		if n, err = p.region(value); err != nil {
			return nil, err
		}
	}
	return &n, nil
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
	for t := range p.tokens() {
		var err error
		switch t.Key {
		case "region":
			if r.Region, err = p.digestRegion(t.Value); err != nil {
				return nil, err
			}
		case "week":
			if r.Week, err = p.weekOption("week", t.Value); err != nil {
				return nil, err
			}
		default:
			return nil, p.fail("Unknown option %q: use region: and week:.", show(t))
		}
	}
	return r, nil
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
	for t := range p.tokens() {
		switch t.Key {
		case "region":
			n, err := p.digestRegion(t.Value)
			if err != nil {
				return nil, err
			}
			r.Region = n
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
	for t := range p.tokens() {
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
