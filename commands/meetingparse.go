package commands

import (
	"strings"

	"github.com/getbackhq/getback/bot"
)

// meetingParsers parse the /meeting subcommands.
var meetingParsers = map[string]subcommandParser{
	"add":    (*parser).meetingAdd,
	"list":   (*parser).meetingList,
	"show":   idOnly("meeting", func(id int64) Request { return MeetingShow{id} }),
	"edit":   (*parser).meetingEdit,
	"delete": idOnly("meeting", func(id int64) Request { return MeetingDelete{id} }),
	"search": (*parser).meetingSearch,
	"import": func(*parser) (Request, error) { return MeetingImport{}, nil },
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
	for t := range p.tokens() {
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
	return fields, nil
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
	for t := range p.tokens() {
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
	return r, nil
}

func (p *parser) meetingSearch() (Request, error) {
	var r MeetingSearch
	var words []string
	for t := range p.tokens() {
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
