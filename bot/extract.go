package bot

import (
	"regexp"
	"strconv"
	"strings"
)

// ExtractedItem is one GETBACK item found in follow-up text.
type ExtractedItem struct {
	Number int    // as written, 0 when unnumbered
	Text   string // what is owed
	Owner  string // the token before FORAC, "" when none was written
}

// The GETBACK marker: upper case (as the legacy sheet writes it) with common
// OCR damage (a space inside, E read as 3, A as 4), or "Getback"; then an
// optional number in brackets ("(1)", "(l)"), "#1", or a bare number before
// a colon; then an optional colon or dash.
var reGetback = regexp.MustCompile(
	`(?:\b|^)(?:G ?[E3] ?T ?B ?[A4] ?C ?K|Get[Bb]ack)S?` +
		`(?:\s*[(\[{]\s*([0-9lIoO|]{1,3})\s*[)\]}]|\s*#\s*([0-9]{1,3})|\s+([0-9]{1,3})\s*[:.])?` +
		`\s*[:;.\-–]?`)

// The owner marker: a token, then FORAC (For Action), tolerating OCR damage
// ("F0RAC", "FOR AC", "FOR ACTION", "FORAC.").
var reForac = regexp.MustCompile(`([^\s]+)\s+(?:F[O0]R ?AC(?:TION)?|[Ff][Oo0][Rr][Aa][Cc])\b\.?`)

// ExtractGetbacks finds the GETBACK items in follow-up text. Each marker
// starts an item; its text runs to the owner marker (the token before
// FORAC), or to the next marker or the end when no owner is written. rest is
// the text outside the items.
func ExtractGetbacks(text string) (items []ExtractedItem, rest string) {
	locs := reGetback.FindAllStringSubmatchIndex(text, -1)
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
		if m := reForac.FindStringSubmatchIndex(seg); m != nil {
			item.Owner = cleanOwner(seg[m[2]:m[3]])
			item.Text = cleanItemText(seg[:m[2]])
			if after := strings.TrimSpace(seg[m[1]:]); after != "" {
				restParts = append(restParts, after)
			}
		} else {
			item.Text = cleanItemText(seg)
		}
		if item.Text == "" && item.Owner == "" {
			continue
		}
		items = append(items, item)
	}
	return items, strings.Join(restParts, " ")
}

// markerNumber reads the number of a GETBACK marker from whichever group
// matched, mapping OCR's l/I/| to 1 and o/O to 0.
func markerNumber(text string, loc []int) int {
	for g := 1; g <= 3; g++ {
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

// NewGetbacks turns the GETBACK items of follow-up text into open getbacks
// owned by the written owner as a label, leaving out items that match one of
// existing (same text, and same number when one is written). Unnumbered
// items are numbered after the highest number given or existing. Owners that
// name a chat user are for the caller to resolve; items with no owner get
// fallbackOwner as a user.
func NewGetbacks(text string, existing []*Getback, assignedBy, fallbackOwner string) []*Getback {
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
		if g.Number == 0 {
			next++
			g.Number = next
		}
		if g.Owner == "" {
			g.Owner, g.OwnerKind = fallbackOwner, OwnerUser
		}
		out = append(out, g)
	}
	return out
}

func hasItem(existing []*Getback, it ExtractedItem) bool {
	for _, g := range existing {
		if strings.EqualFold(g.Text, it.Text) && (it.Number == 0 || it.Number == g.Number) {
			return true
		}
	}
	return false
}
