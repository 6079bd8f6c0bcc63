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

// lex splits command text into tokens. Values with spaces are quoted, with
// straight or curly, double or single quotes ("…", “…”, „…“, '…', ‘…’), as
// phones and macOS type them; \" escapes a quote inside. A quote opens a
// value only at the value's start, so apostrophes inside words (O'Brien,
// don’t) are text, and quotes of any other kind inside a quoted value are
// kept as text. A value that opens with < runs to the next > (see
// lexValue).
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

// quoteKind describes how a value opened with one quote character ends.
type quoteKind struct {
	// closers are the characters that may end the value.
	closers string
	// nests: the opening character inside the value opens a nested quote
	// that its closer ends (“a “b” c”), rather than ending the value.
	nests bool
	// single quotes double as apostrophes: one with no closer is text.
	single bool
}

// quoteKinds maps each opening quote to how its value ends. A straight
// quote is closed by the same straight quote; a curly one by its curly
// partner. “ and ‘ are what phones type at a word's start; ” and ’ are
// what some type after a colon (location:”Las Vegas”).
var quoteKinds = map[rune]quoteKind{
	'"':  {closers: `"`},
	'“':  {closers: "”", nests: true},
	'„':  {closers: "“”"},
	'”':  {closers: "”“"},
	'\'': {closers: "'", single: true},
	'‘':  {closers: "’", single: true},
	'‚':  {closers: "’‘", single: true},
	'’':  {closers: "’‘", single: true},
}

// endsValue reports whether the text after a candidate closing quote lets
// it close the value: the end of the command, or a space.
func endsValue(rest string) bool {
	r, _ := utf8.DecodeRuneInString(rest)
	return rest == "" || unicode.IsSpace(r)
}

// quotedValue reads a value opened by the quote open at the start of s. It
// reports ok false when no closing quote ends it. lenient also lets any
// double quote followed by a space or the end close a double-quoted value
// (“Las Vegas" typed with one quote of each kind).
func quotedValue(open rune, s string, lenient bool) (val, rest string, ok bool) {
	kind := quoteKinds[open]
	if lenient {
		kind.closers, kind.nests = `"“”`, false
	}
	var b strings.Builder
	s = s[utf8.RuneLen(open):]
	depth := 0
	for len(s) > 0 {
		r, size := utf8.DecodeRuneInString(s)
		switch {
		case r == '\\' && len(s) > 1:
			next, nsize := utf8.DecodeRuneInString(s[1:])
			if _, isQuote := quoteKinds[next]; isQuote || next == '\\' {
				b.WriteRune(next)
				s = s[1+nsize:]
				continue
			}
		case kind.nests && r == open:
			depth++
		case strings.ContainsRune(kind.closers, r) && depth > 0:
			depth--
		case strings.ContainsRune(kind.closers, r) && (kind.nests || endsValue(s[size:])):
			return b.String(), s[size:], true
		}
		b.WriteRune(r)
		s = s[size:]
	}
	return "", "", false
}

// lexValue reads one value: quoted, a <...> run, or a bare word. A value
// that opens with < runs to the next >, spaces and all: markup a platform
// leaves in free text (a link with a label) stays one word. The command
// language reads nothing inside it; users and channels reach it already
// resolved to @name and #name (Call.Mentions, Call.Channels).
func lexValue(s string) (val string, quoted bool, rest string, err error) {
	r, _ := utf8.DecodeRuneInString(s)
	kind, isQuote := quoteKinds[r]
	switch {
	case s == "":
		return "", false, "", nil
	case isQuote:
		if val, rest, ok := quotedValue(r, s, false); ok {
			return val, true, rest, nil
		}
		if !kind.single {
			if val, rest, ok := quotedValue(r, s, true); ok {
				return val, true, rest, nil
			}
			closer, _ := utf8.DecodeRuneInString(kind.closers)
			return "", false, "", bot.Errorf(bot.EINVALID, "Missing closing quote (%c) in your command.", closer)
		}
		// An apostrophe that closes nothing ('90s) is part of the word.
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

// MapWords returns text with every value that stands outside quotes (a
// bare word, or the value of key:value) replaced by f(value). Keys, quoted
// values and spacing are kept byte for byte, and so is the rest of the
// text from a quote that is never closed. Adapters use it to turn their
// platform's own markup for users and channels into the @name and #name
// the command language reads, where a value is read as one.
func MapWords(text string, f func(value string) string) string {
	var b strings.Builder
	s := text
	for len(s) > 0 {
		r, size := utf8.DecodeRuneInString(s)
		if unicode.IsSpace(r) {
			b.WriteString(s[:size])
			s = s[size:]
			continue
		}
		if k := keyPrefix(s); k != "" {
			b.WriteString(s[:len(k)+1])
			s = s[len(k)+1:]
		}
		val, quoted, rest, err := lexValue(s)
		if err != nil {
			b.WriteString(s)
			break
		}
		if raw := s[:len(s)-len(rest)]; quoted || val == "" {
			b.WriteString(raw)
		} else {
			b.WriteString(f(val)) // an unquoted value is its raw text
		}
		s = rest
	}
	return b.String()
}

// UserRef is a user named in a command: @name as typed, or a user id the
// platform gave (a form's or a button's user picker). A platform that
// writes users its own way resolves them before the text reaches the
// command language: the name as @name, its id in Call.Mentions.
type UserRef struct {
	ID   string // user id, when the platform picked the user
	Name string // handle without "@"
}

// String renders the reference as typed: @name, or @id for a user known
// only by id.
func (u UserRef) String() string {
	if u.Name != "" {
		return "@" + u.Name
	}
	return "@" + u.ID
}

// parseUserRef recognises @name.
func parseUserRef(s string) (UserRef, bool) {
	if name, ok := strings.CutPrefix(s, "@"); ok && name != "" && !strings.ContainsAny(name, " @<>") {
		return UserRef{Name: strings.TrimRight(name, ".,;:")}, true
	}
	return UserRef{}, false
}

// ChannelRef is a channel named in a command: #name, or ~name as
// Mattermost users write it. A platform that writes channels its own way
// resolves them before the text reaches the command language: the name as
// #name, its id in Call.Channels.
type ChannelRef struct {
	ID   string // channel id, once resolved
	Name string
}

// String renders the channel as #name.
func (c ChannelRef) String() string {
	if c.Name != "" {
		return "#" + c.Name
	}
	return "#" + c.ID
}

// parseChannelRef recognises #name and ~name.
func parseChannelRef(s string) (ChannelRef, bool) {
	for _, p := range []string{"#", "~"} {
		if name, ok := strings.CutPrefix(s, p); ok && name != "" && !strings.ContainsAny(name, " #~<>") {
			return ChannelRef{Name: name}, true
		}
	}
	return ChannelRef{}, false
}
