package bot

import (
	"regexp"
	"strconv"
	"strings"
	"unicode"
)

// ExtractedItem is one GETBACK item found in follow-up text. An item written
// for several owners ("ITF/RD FORAC") is extracted once per owner.
type ExtractedItem struct {
	Number int    // as written, 0 when unnumbered
	Text   string // what is owed, as written
	Owner  string // the token before FORAC, "" when none was written; labels upper case
	// Due is the due date as written in the text ("Friday" from "by
	// Friday", "12/5" from "due 12/5"), "" when none was written.
	Due string
	// CoOwner marks the second and later owners of an item written for
	// several ("ITF/RD FORAC"): the same item, for another owner.
	CoOwner bool
}

// The GETBACK marker: upper case (as the legacy sheet writes it) with common
// OCR damage (a space inside, E read as 3, A as 4), or "getback" in any
// case; then an optional number in brackets ("(1)", "(l)"), "#1", or a bare
// number before a colon; then an optional colon or dash.
var reGetback = regexp.MustCompile(
	`(?:\b|^)(G ?[E3] ?T ?B ?[A4] ?C ?K|(?i:getback))(?i:s)?\b` +
		`(?:\s*[(\[{]\s*([0-9lIoO|]{1,3})\s*[)\]}]|\s*#\s*([0-9]{1,3})|\s+([0-9]{1,3})\s*[:.])?` +
		`(\s*[:;.\-–])?`)

// The owner marker: a token, then FORAC (For Action), tolerating OCR damage
// ("F0RAC", "FOR AC", "FOR ACTION", "FORAC.") and any case of the one-word
// form ("itf forac").
var reForac = regexp.MustCompile(`([^\s]+)\s+(?:F[O0]R ?AC(?:TION)?|[Ff][Oo0][Rr][Aa][Cc])\b\.?`)

// reDueWord finds the words that introduce a due date written inline:
// "by Friday", "due 12/5", "due by Dec 5", "no later than Monday".
var reDueWord = regexp.MustCompile(`(?i)\b(?:due(?:\s+(?:by|on))?|by|before|no later than|nlt)\s+`)

// ExtractGetbacks finds the GETBACK items in follow-up text. Each marker
// starts an item; its text runs to the owner marker (the token before
// FORAC), or to the next marker or the end when no owner is written. rest is
// the text outside the items. Matching is case-insensitive; a marker not
// in upper case ("Getback", "getback") must carry a number, a colon or an
// owner, so that the word in prose starts nothing. Owner labels are upper
// case ("itf" and "Itf" are ITF); an owner of several labels joined by "/",
// "+" or "&" ("ITF/RD") gives one item per label.
func ExtractGetbacks(text string) (items []ExtractedItem, rest string) {
	locs := markers(text)
	if len(locs) == 0 {
		return nil, strings.TrimSpace(text)
	}
	var restParts []string
	if pre := strings.TrimSpace(text[:locs[0][0]]); pre != "" {
		restParts = append(restParts, pre)
	}
	for i, loc := range locs {
		end := len(text)
		if i+1 < len(locs) {
			end = locs[i+1][0]
		}
		seg := text[loc[1]:end]
		item := ExtractedItem{Number: markerNumber(text, loc)}
		var owners []string
		if m := reForac.FindStringSubmatchIndex(seg); m != nil {
			owners = splitOwners(cleanOwner(seg[m[2]:m[3]]))
			item.Text = cleanItemText(seg[:m[2]])
			if after := strings.TrimSpace(seg[m[1]:]); after != "" {
				restParts = append(restParts, after)
			}
		} else {
			item.Text = cleanItemText(seg)
		}
		item.Due = InlineDue(item.Text)
		if item.Text == "" && len(owners) == 0 {
			continue
		}
		if len(owners) == 0 {
			items = append(items, item)
			continue
		}
		for j, o := range owners {
			it := item
			it.Owner, it.CoOwner = o, j > 0
			items = append(items, it)
		}
	}
	return items, strings.Join(restParts, " ")
}

// markers returns the GETBACK markers of text (as submatch indexes),
// leaving out a lower- or mixed-case "getback" that has no number, no colon
// and no owner before the next marker: that is the word in prose.
func markers(text string) [][]int {
	locs := reGetback.FindAllStringSubmatchIndex(text, -1)
	var out [][]int
	for i, loc := range locs {
		word := text[loc[2]:loc[3]]
		numbered := loc[4] >= 0 || loc[6] >= 0 || loc[8] >= 0
		punctuated := loc[10] >= 0 && strings.TrimSpace(text[loc[10]:loc[11]]) != "."
		if word != strings.ToUpper(word) && !numbered && !punctuated {
			end := len(text)
			if i+1 < len(locs) {
				end = locs[i+1][0]
			}
			if !reForac.MatchString(text[loc[1]:end]) {
				continue
			}
		}
		out = append(out, loc)
	}
	return out
}

// markerNumber reads the number of a GETBACK marker from whichever group
// matched, mapping OCR's l/I/| to 1 and o/O to 0.
func markerNumber(text string, loc []int) int {
	for g := 2; g <= 4; g++ {
		if loc[2*g] < 0 {
			continue
		}
		s := strings.Map(func(r rune) rune {
			switch r {
			case 'l', 'I', '|':
				return '1'
			case 'o', 'O':
				return '0'
			}
			return r
		}, text[loc[2*g]:loc[2*g+1]])
		n, err := strconv.Atoi(s)
		if err == nil {
			return n
		}
	}
	return 0
}

func cleanItemText(s string) string {
	s = strings.Join(strings.Fields(s), " ")
	return strings.TrimRight(strings.TrimLeft(s, ":;-–. "), " ;,.-–")
}

func cleanOwner(s string) string {
	return strings.Trim(s, ".,;:()[]{}\"'")
}

// NormalizeLabel returns the canonical form of an owner label: trimmed and
// upper case, so that "itf", "Itf" and "ITF" are one label.
func NormalizeLabel(s string) string {
	return strings.ToUpper(strings.TrimSpace(s))
}

// splitOwners reads an owner token: "@ana" (a user, for the caller to
// resolve), "ITF" (a label, upper-cased), or several joined by "/", "+" or
// "&" ("ITF/RD"). A token whose parts are not all at least two characters
// long ("N/A") is one label.
func splitOwners(tok string) []string {
	if tok == "" {
		return nil
	}
	parts := strings.FieldsFunc(tok, func(r rune) bool { return r == '/' || r == '+' || r == '&' })
	for _, p := range parts {
		if len([]rune(strings.TrimPrefix(p, "@"))) < 2 {
			parts = []string{tok}
			break
		}
	}
	var out []string
	seen := map[string]bool{}
	for _, p := range parts {
		if !strings.HasPrefix(p, "@") {
			p = NormalizeLabel(p)
		}
		if p != "" && !seen[strings.ToUpper(p)] {
			seen[strings.ToUpper(p)] = true
			out = append(out, p)
		}
	}
	return out
}

// dueCheckDay is the reference day InlineDue recognises dates against: a
// leap year, so that "by Feb 29" is recognised as a date.
var dueCheckDay = Date{2024, 1, 1}

// InlineDue finds a due date written in an item's text ("… by Friday",
// "due 12/5", "due by Dec 5, 2026") and returns it as written, or "".
// The longest run of up to four words after the introducing word that
// reads as a date wins.
func InlineDue(text string) string {
	for _, loc := range reDueWord.FindAllStringIndex(text, -1) {
		words := strings.Fields(text[loc[1]:])
		for n := min(4, len(words)); n > 0; n-- {
			cand := strings.TrimRightFunc(strings.Join(words[:n], " "), func(r rune) bool {
				return unicode.IsPunct(r) && r != '/'
			})
			if cand == "" {
				continue
			}
			if _, err := ParseDueDate(cand, dueCheckDay); err == nil {
				return cand
			}
		}
	}
	return ""
}

// NewGetbacks turns the GETBACK items of follow-up text into open getbacks
// owned by the written owner as a label, leaving out items that match one of
// existing (same text, and same number when one is written; same owner for
// an item written for several owners). Unnumbered items, and the copies of
// an item for its further owners, are numbered after the highest number
// given or existing. A due date written inline is read forward from base
// (the meeting's date, or today when it has none). Owners that name a chat
// user are for the caller to resolve; items with no owner get fallbackOwner
// as a user.
func NewGetbacks(text string, existing []*Getback, assignedBy, fallbackOwner string, base Date) []*Getback {
	items, _ := ExtractGetbacks(text)
	next := 0
	for _, g := range existing {
		next = max(next, g.Number)
	}
	for _, it := range items {
		next = max(next, it.Number)
	}
	var out []*Getback
	for _, it := range items {
		if hasItem(existing, it) {
			continue
		}
		g := &Getback{Number: it.Number, Text: it.Text, Status: StatusOpen, AssignedBy: assignedBy,
			Owner: it.Owner, OwnerKind: OwnerLabel}
		if g.Number == 0 || it.CoOwner {
			next++
			g.Number = next
		}
		if g.Owner == "" {
			g.Owner, g.OwnerKind = fallbackOwner, OwnerUser
		}
		if it.Due != "" && !base.IsZero() {
			if d, err := ParseDueDate(it.Due, base); err == nil {
				g.Due = d
			}
		}
		out = append(out, g)
	}
	return out
}

func hasItem(existing []*Getback, it ExtractedItem) bool {
	for _, g := range existing {
		if !strings.EqualFold(g.Text, it.Text) {
			continue
		}
		sameOwner := it.Owner != "" && g.OwnerKind == OwnerLabel && strings.EqualFold(g.Owner, it.Owner)
		if it.CoOwner {
			if sameOwner {
				return true
			}
			continue
		}
		if sameOwner || it.Number == 0 || it.Number == g.Number {
			return true
		}
	}
	return false
}
