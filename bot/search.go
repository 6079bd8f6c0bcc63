package bot

import (
	"strings"
	"unicode"
)

// SearchPart is one part of a full-text search (MeetingFilter.Query): a
// phrase whose words must appear in order, or a single word that must
// appear as a word or, when Prefix is set, as the start of a longer word.
type SearchPart struct {
	Words  []string
	Phrase bool
	Prefix bool
}

// ParseSearch splits a search into its parts. Only letters and digits are
// kept, so no store's query syntax can get through: a part the user put in
// double quotes is a phrase; every other word is a part of its own, which
// also matches longer words when it has at least three letters. An empty
// result means there is nothing to search for.
func ParseSearch(q string) []SearchPart {
	split := func(s string) []string {
		return strings.FieldsFunc(s, func(r rune) bool { return !unicode.IsLetter(r) && !unicode.IsDigit(r) })
	}
	var parts []SearchPart
	for i, seg := range strings.Split(q, `"`) {
		words := split(seg)
		if len(words) == 0 {
			continue
		}
		if i%2 == 1 { // inside quotes: a phrase
			parts = append(parts, SearchPart{Words: words, Phrase: true})
			continue
		}
		for _, w := range words {
			parts = append(parts, SearchPart{Words: []string{w}, Prefix: len([]rune(w)) >= 3})
		}
	}
	return parts
}
