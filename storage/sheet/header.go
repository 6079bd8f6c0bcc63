package sheet

import (
	"strings"
	"unicode"
)

// Title is the title row of each section of the legacy sheet.
const Title = "Weekly Summary for Meetings with Elections Infrastructure Officials"

// norm lowercases s and turns every run of non-letters/digits into one
// space.
func norm(s string) string {
	var b strings.Builder
	space := false
	for _, r := range strings.ToLower(s) {
		if unicode.IsLetter(r) || unicode.IsDigit(r) {
			if space && b.Len() > 0 {
				b.WriteByte(' ')
			}
			b.WriteRune(r)
			space = false
		} else {
			space = true
		}
	}
	return b.String()
}

// fieldOfHeader maps a header cell to a meeting field key by meaning, not
// spelling: "DHS POC" and OCR's "DHS FOC", "NPPD"/"NFPD", "Affiliation" or
// "Affiliations", "Next Scheduled Engagement" or "Next Scheduled Meeting".
// It returns "" for a cell that names no field.
func fieldOfHeader(cell string) string {
	h := " " + norm(cell) + " "
	has := func(words ...string) bool {
		for _, w := range words {
			if strings.Contains(h, w) {
				return true
			}
		}
		return false
	}
	switch {
	case strings.TrimSpace(h) == "":
		return ""
	case has("attendee", "affiliation"):
		return "attendees"
	case has("discussion"):
		return "discussion"
	case has("concern", " issues "):
		return "concerns"
	case has("follow"):
		return "followup"
	case has("awareness"):
		return "awareness"
	case has(" action"):
		return "action"
	case has(" next "):
		return "next"
	case has(" note", "comment"):
		return "notes"
	case has("location"):
		return "location"
	case has(" date"):
		return "date"
	case has(" poc ", " foc ", " p0c ", "point of contact"):
		return "poc"
	case has(" region "):
		return "region"
	case has(" state ", " states ", "territory", " state territory "):
		return "state"
	}
	return ""
}

// header maps column indexes to field keys.
type header struct {
	fields  []string // field key per column, "" for unnamed columns
	unknown []string // named columns that match no field
}

// parseHeader recognises a header row: it must name the state and at least
// five other fields.
func parseHeader(cells []string) (header, bool) {
	h := header{fields: make([]string, len(cells))}
	seen := map[string]bool{}
	for i, c := range cells {
		f := fieldOfHeader(c)
		h.fields[i] = f
		if f != "" {
			seen[f] = true
		} else if strings.TrimSpace(c) != "" {
			h.unknown = append(h.unknown, strings.TrimSpace(c))
		}
	}
	return h, seen["state"] && len(seen) >= 6
}

// isTitle recognises a section's title row: a short cell that says
// "Weekly Summary".
func isTitle(cells []string) bool {
	for _, c := range cells {
		if len(c) < 200 && strings.Contains(norm(c), "weekly summary") {
			return true
		}
	}
	return false
}

// headerOf parses cells as a header row, after a cheap test that every
// header passes (a short cell naming the state) and data rows rarely do.
func headerOf(cells []string) (header, bool) {
	for _, c := range cells {
		if len(c) < 40 && strings.Contains(strings.ToLower(c), "state") {
			return parseHeader(cells)
		}
	}
	return header{}, false
}

func isBlank(cells []string) bool {
	for _, c := range cells {
		if strings.TrimSpace(c) != "" {
			return false
		}
	}
	return true
}
