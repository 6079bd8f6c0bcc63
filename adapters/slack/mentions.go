package slack

import (
	"maps"
	"regexp"

	"github.com/getbackhq/getback/commands"
)

// Slack writes the users and channels of a command's text as escapes:
// <@U123|ana> and <#C123|region-9>, or without the name, <@U123> and
// <#C123>. The command language knows users only as @name and channels
// as #name; neutralCall turns one into the other.
var (
	// reNamedRef is an escape that carries a name: sigil, id, name.
	reNamedRef = regexp.MustCompile(`<([@#])([A-Z0-9]+)\|([^<>|\s]+)>`)
	// reBareRef is an escape of a whole value with no name: sigil, id.
	reBareRef = regexp.MustCompile(`^<([@#])([A-Z0-9]+)>$`)
	// reRefName is a name the command language reads back unchanged after
	// @ or # (Slack handles and channel names are of this kind).
	reRefName = regexp.MustCompile(`^[\pL\pN_-]+(?:\.[\pL\pN_-]+)*$`)
)

// neutralCall returns c with Slack's user and channel escapes in its Text
// resolved: each escape that carries a name becomes @name or #name
// wherever it stands (as the user typed and saw it, in quoted text too),
// with the id in c.Mentions or c.Channels. An escape with no name (or with
// a name that would not read back as one word) becomes @U123 or #C123,
// mapped to itself, where it stands as a value of the command; inside
// quoted text it is kept as Slack sent it, since the text is stored as
// written and there is no name to show.
func neutralCall(c commands.Call) commands.Call {
	users, channels := map[string]string{}, map[string]string{}
	record := func(sigil, id, name string) string {
		if sigil == "@" {
			users[name] = id
		} else {
			channels[name] = id
		}
		return sigil + name
	}
	text := reNamedRef.ReplaceAllStringFunc(c.Text, func(esc string) string {
		m := reNamedRef.FindStringSubmatch(esc)
		if !reRefName.MatchString(m[3]) {
			return "<" + m[1] + m[2] + ">" // read as an escape with no name
		}
		return record(m[1], m[2], m[3])
	})
	text = commands.MapWords(text, func(value string) string {
		if m := reBareRef.FindStringSubmatch(value); m != nil {
			return record(m[1], m[2], m[2])
		}
		return value
	})
	if text == c.Text {
		return c
	}
	c.Text = text
	c.Mentions = merge(c.Mentions, users)
	c.Channels = merge(c.Channels, channels)
	return c
}

// neutralText is the text of a command with Slack's escapes resolved (see
// neutralCall).
func neutralText(text string) string { return neutralCall(commands.Call{Text: text}).Text }

// merge returns a with b's entries added; nil when both are empty.
func merge(a, b map[string]string) map[string]string {
	if len(b) == 0 {
		return a
	}
	out := make(map[string]string, len(a)+len(b))
	maps.Copy(out, a)
	maps.Copy(out, b)
	return out
}
