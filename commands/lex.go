package commands

import (
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/getbackhq/getback/bot"
)

// token is one argument: a bare or quoted word, or a key:value pair.
type token struct {
	Key    string // lower-case key of key:value; "" for a positional word
	Value  string
	Quoted bool // the value was quoted, so it is text, never a keyword
}

// lex splits command text into tokens. Values with spaces are quoted with
// straight or curly double quotes; \" escapes a quote inside. Slack's
// <@U123|name> and <#C123|name> escapes are kept whole.
func lex(text string) ([]token, error) {
	var toks []token
	s := strings.TrimSpace(text)
	for len(s) > 0 {
		r, size := utf8.DecodeRuneInString(s)
		if unicode.IsSpace(r) {
			s = s[size:]
			continue
		}
		var tok token
		// key:value, where key is letters only.
		if k := keyPrefix(s); k != "" {
			tok.Key = strings.ToLower(k)
			s = s[len(k)+1:]
		}
		val, quoted, rest, err := lexValue(s)
		if err != nil {
			return nil, err
		}
		tok.Value, tok.Quoted, s = val, quoted, rest
		toks = append(toks, tok)
	}
	return toks, nil
}

// keyPrefix returns k when s starts with "k:" and k is 1-20 letters.
func keyPrefix(s string) string {
	for i, r := range s {
		switch {
		case r == ':' && i > 0:
			return s[:i]
		case r > unicode.MaxASCII || !unicode.IsLetter(r) || i >= 20:
			return ""
		}
	}
	return ""
}

func isOpenQuote(r rune) bool  { return r == '"' || r == '“' || r == '”' || r == '„' }
func isCloseQuote(r rune) bool { return r == '"' || r == '”' || r == '“' }

// lexValue reads one value: quoted, a <...> escape, or a bare word.
func lexValue(s string) (val string, quoted bool, rest string, err error) {
	r, size := utf8.DecodeRuneInString(s)
	switch {
	case s == "":
		return "", false, "", nil
	case isOpenQuote(r):
		var b strings.Builder
		s = s[size:]
		for len(s) > 0 {
			r, size := utf8.DecodeRuneInString(s)
			switch {
			case r == '\\' && len(s) > 1:
				next, nsize := utf8.DecodeRuneInString(s[1:])
				if isCloseQuote(next) || next == '\\' {
					b.WriteRune(next)
					s = s[1+nsize:]
					continue
				}
				b.WriteRune(r)
			case isCloseQuote(r):
				return b.String(), true, s[size:], nil
			default:
				b.WriteRune(r)
			}
			s = s[size:]
		}
		return "", false, "", bot.Errorf(bot.EINVALID, "Missing closing quote (\") in your command.")
	case r == '<':
		if end := strings.IndexByte(s, '>'); end > 0 {
			return s[:end+1], false, s[end+1:], nil
		}
	}
	end := strings.IndexFunc(s, unicode.IsSpace)
	if end < 0 {
		end = len(s)
	}
	return s[:end], false, s[end:], nil
}

// UserRef is a user named in a command: Slack sends <@U123|name>,
// Mattermost and the console @name.
type UserRef struct {
	ID   string // platform id when the platform gave it
	Name string // handle without "@"
}

// String renders the reference as typed.
func (u UserRef) String() string {
	if u.Name != "" {
		return "@" + u.Name
	}
	return "<@" + u.ID + ">"
}

// parseUserRef recognises <@U123|name>, <@U123> and @name.
func parseUserRef(s string) (UserRef, bool) {
	if strings.HasPrefix(s, "<@") && strings.HasSuffix(s, ">") {
		id, name, _ := strings.Cut(s[2:len(s)-1], "|")
		if id == "" {
			return UserRef{}, false
		}
		return UserRef{ID: id, Name: name}, true
	}
	if name, ok := strings.CutPrefix(s, "@"); ok && name != "" && !strings.ContainsAny(name, " @<>") {
		return UserRef{Name: strings.TrimRight(name, ".,;:")}, true
	}
	return UserRef{}, false
}

// ChannelRef is a channel named in a command: Slack sends <#C123|name>,
// users type #name, Mattermost ~name.
type ChannelRef struct {
	ID   string
	Name string
}

// String renders the channel as #name.
func (c ChannelRef) String() string {
	if c.Name != "" {
		return "#" + c.Name
	}
	return "<#" + c.ID + ">"
}

func parseChannelRef(s string) (ChannelRef, bool) {
	if strings.HasPrefix(s, "<#") && strings.HasSuffix(s, ">") {
		id, name, _ := strings.Cut(s[2:len(s)-1], "|")
		if id == "" {
			return ChannelRef{}, false
		}
		return ChannelRef{ID: id, Name: name}, true
	}
	for _, p := range []string{"#", "~"} {
		if name, ok := strings.CutPrefix(s, p); ok && name != "" && !strings.ContainsAny(name, " #~<>") {
			return ChannelRef{Name: name}, true
		}
	}
	return ChannelRef{}, false
}
