package sheet

import (
	"strings"

	"github.com/getbackhq/getback/bot"
)

// Formula injection: a spreadsheet program opening a CSV file runs a cell
// that starts with =, +, -, @, a tab or a carriage return as a formula
// (=HYPERLINK(...) and worse). As OWASP advises, the export writes such a
// cell with a single quote in front, which the program shows as text; the
// import takes the quote off again. A cell that starts with quotes and then
// one of those characters gets one quote more, so that a cell that really
// starts with a quote comes back as it was.

// formulaStart reports whether c makes a cell a formula when it comes
// first.
func formulaStart(c byte) bool {
	switch c {
	case '=', '+', '-', '@', '\t', '\r':
		return true
	}
	return false
}

// quotedFormula reports whether s is one or more quotes followed by a
// character that starts a formula.
func quotedFormula(s string, minQuotes int) bool {
	i := 0
	for i < len(s) && s[i] == '\'' {
		i++
	}
	return i >= minQuotes && i < len(s) && formulaStart(s[i])
}

// neutralise returns s as a CSV cell that opens as text.
func neutralise(s string) string {
	if quotedFormula(s, 0) {
		return "'" + s
	}
	return s
}

// restore undoes neutralise.
func restore(s string) string {
	if quotedFormula(s, 1) {
		return s[1:]
	}
	return s
}

// People: the export writes a chat user (a meeting's POC, a getback's owner
// or assigner) as "@Name (id)", readable and exact; "@id" when the name is
// the id. The import reads "@Name (id)" as the user id, and "@x" as the
// user whose id or name is x (or, with no such user, x as the id).
// Anything else is text (a POC) or a label (an owner).

// personCell renders a user id with the person's name.
func personCell(id, name string) string {
	if name == "" || name == id {
		return "@" + id
	}
	return "@" + name + " (" + id + ")"
}

// people resolves "@..." cells to user ids.
type people struct {
	byID   map[string]bool
	byName map[string][]string // lower-case name -> ids
}

func newPeople(ps []*bot.Person) *people {
	p := &people{byID: map[string]bool{}, byName: map[string][]string{}}
	for _, x := range ps {
		p.byID[x.UserID] = true
		if x.Name != "" {
			k := strings.ToLower(x.Name)
			p.byName[k] = append(p.byName[k], x.UserID)
		}
	}
	return p
}

// user returns the user id a cell names, and false when the cell does not
// name a user (it does not start with @).
func (p *people) user(cell string) (string, bool) {
	if p == nil {
		p = &people{}
	}
	s, ok := strings.CutPrefix(strings.TrimSpace(cell), "@")
	if !ok || strings.TrimSpace(s) == "" {
		return "", false
	}
	s = strings.TrimSpace(s)
	if strings.HasSuffix(s, ")") {
		if i := strings.LastIndex(s, " ("); i > 0 {
			if id := strings.TrimSpace(s[i+2 : len(s)-1]); id != "" {
				return id, true
			}
		}
	}
	if p.byID[s] {
		return s, true
	}
	if ids := p.byName[strings.ToLower(s)]; len(ids) == 1 {
		return ids[0], true
	}
	return s, true
}
