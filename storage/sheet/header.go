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

// containsFold reports whether s contains the lower-case ASCII word sub,
// ignoring case, without allocating.
func containsFold(s, sub string) bool {
	n := len(sub)
	for i := 0; i+n <= len(s); i++ {
		j := 0
		for j < n {
			c := s[i+j]
			if 'A' <= c && c <= 'Z' {
				c += 'a' - 'A'
			}
			if c != sub[j] {
				break
			}
			j++
		}
		if j == n {
			return true
		}
	}
	return false
}

// Column keys beyond the 13 meeting fields.
const (
	// keyRef is the export's "Meeting ID" column: the meeting's number in
	// the store it was exported from, which the Getbacks sheet refers to.
	keyRef = "ref"
)

// RefColumn titles the column the export adds after the 13 legacy
// columns: the meeting's id in the exporting store.
const RefColumn = "Meeting ID"

// fieldOfHeader maps a header cell to a meeting field key by meaning, not
// spelling: "DHS POC" and OCR's "DHS FOC", "NPPD"/"NFPD", "Affiliation" or
// "Affiliations", "Next Scheduled Engagement" or "Next Scheduled Meeting".
// It returns "" for a cell that names no field.
func fieldOfHeader(cell string) string {
	n := norm(cell)
	h := " " + n + " "
	has := func(words ...string) bool {
		for _, w := range words {
			if strings.Contains(h, w) {
				return true
			}
		}
		return false
	}
	switch {
	case n == "":
		return ""
	case n == "meeting id" || n == "meeting" || n == "id":
		return keyRef
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

// header maps column indexes to fields.
type header struct {
	fields  []int8   // field index (see fieldIndex) per column, -1 for unnamed columns
	unknown []string // named columns that match no field
}

// Field indexes: the 13 meeting fields in sheet order, then the export's
// meeting id.
const (
	fRegion = iota
	fState
	fLocation
	fDate
	fPOC
	fAttendees
	fDiscussion
	fConcerns
	fFollowUp
	fAwareness
	fAction
	fNext
	fNotes
	fRef
	numFields
)

var fieldKeys = [numFields]string{"region", "state", "location", "date", "poc", "attendees", "discussion",
	"concerns", "followup", "awareness", "action", "next", "notes", keyRef}

// fieldIndex returns the index of a field key, or -1.
func fieldIndex(key string) int8 {
	for i, k := range fieldKeys {
		if k == key {
			return int8(i)
		}
	}
	return -1
}

// parseHeader recognises a header row: it must name the state and at least
// five other meeting fields.
func parseHeader(cells []string) (header, bool) {
	h := header{fields: make([]int8, len(cells))}
	var seen [numFields]bool
	count := 0
	for i, c := range cells {
		f := fieldIndex(fieldOfHeader(c))
		h.fields[i] = f
		switch {
		case f >= 0 && f != fRef && !seen[f]:
			seen[f] = true
			count++
		case f < 0 && strings.TrimSpace(c) != "":
			h.unknown = append(h.unknown, strings.TrimSpace(c))
		}
	}
	return h, seen[fState] && count >= 6
}

// isTitle recognises a section's title row: a short cell that says
// "Weekly Summary".
func isTitle(cells []string) bool {
	for _, c := range cells {
		if len(c) < 200 && containsFold(c, "summary") && strings.Contains(norm(c), "weekly summary") {
			return true
		}
	}
	return false
}

// headerOf parses cells as a header row, after a cheap test that every
// header passes (short cells, one of them naming the state) and data rows
// rarely do.
func headerOf(cells []string) (header, bool) {
	state := false
	for _, c := range cells {
		if len(c) > 120 {
			return header{}, false
		}
		if len(c) < 40 && containsFold(c, "state") {
			state = true
		}
	}
	if !state {
		return header{}, false
	}
	return parseHeader(cells)
}

func isBlank(cells []string) bool {
	for _, c := range cells {
		if strings.TrimSpace(c) != "" {
			return false
		}
	}
	return true
}
