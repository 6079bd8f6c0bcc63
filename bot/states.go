package bot

import (
	"sort"
	"strings"
	"unicode"
)

// State is a US state, the District of Columbia or an inhabited territory,
// with the agency region it belongs to by default.
type State struct {
	Name   string // canonical name, e.g. "Nevada", "Guam"
	Abbr   string // USPS code, e.g. "NV", "GU"
	Region int    // 1-10
}

// States is the built-in table: the 50 states, DC and the five inhabited
// territories, each mapped to its region. Admins may override a mapping per
// workspace (RegionService.SetStateRegion).
var States = []State{
	{"Connecticut", "CT", 1}, {"Maine", "ME", 1}, {"Massachusetts", "MA", 1},
	{"New Hampshire", "NH", 1}, {"Rhode Island", "RI", 1}, {"Vermont", "VT", 1},
	{"New Jersey", "NJ", 2}, {"New York", "NY", 2}, {"Puerto Rico", "PR", 2},
	{"U.S. Virgin Islands", "VI", 2},
	{"Delaware", "DE", 3}, {"District of Columbia", "DC", 3}, {"Maryland", "MD", 3},
	{"Pennsylvania", "PA", 3}, {"Virginia", "VA", 3}, {"West Virginia", "WV", 3},
	{"Alabama", "AL", 4}, {"Florida", "FL", 4}, {"Georgia", "GA", 4}, {"Kentucky", "KY", 4},
	{"Mississippi", "MS", 4}, {"North Carolina", "NC", 4}, {"South Carolina", "SC", 4},
	{"Tennessee", "TN", 4},
	{"Illinois", "IL", 5}, {"Indiana", "IN", 5}, {"Michigan", "MI", 5}, {"Minnesota", "MN", 5},
	{"Ohio", "OH", 5}, {"Wisconsin", "WI", 5},
	{"Arkansas", "AR", 6}, {"Louisiana", "LA", 6}, {"New Mexico", "NM", 6}, {"Oklahoma", "OK", 6},
	{"Texas", "TX", 6},
	{"Iowa", "IA", 7}, {"Kansas", "KS", 7}, {"Missouri", "MO", 7}, {"Nebraska", "NE", 7},
	{"Colorado", "CO", 8}, {"Montana", "MT", 8}, {"North Dakota", "ND", 8}, {"South Dakota", "SD", 8},
	{"Utah", "UT", 8}, {"Wyoming", "WY", 8},
	{"Arizona", "AZ", 9}, {"California", "CA", 9}, {"Hawaii", "HI", 9}, {"Nevada", "NV", 9},
	{"Guam", "GU", 9}, {"American Samoa", "AS", 9}, {"Northern Mariana Islands", "MP", 9},
	{"Alaska", "AK", 10}, {"Idaho", "ID", 10}, {"Oregon", "OR", 10}, {"Washington", "WA", 10},
}

// stateAliases maps other common spellings to canonical names.
var stateAliases = map[string]string{
	"washington dc":     "District of Columbia",
	"washington d.c.":   "District of Columbia",
	"d.c.":              "District of Columbia",
	"virgin islands":    "U.S. Virgin Islands",
	"us virgin islands": "U.S. Virgin Islands",
	"usvi":              "U.S. Virgin Islands",
	"cnmi":              "Northern Mariana Islands",
	"northern marianas": "Northern Mariana Islands",
	"commonwealth of the northern mariana islands": "Northern Mariana Islands",
	"hawai'i": "Hawaii",
	"mass":    "Massachusetts",
}

var stateIndex = func() map[string]State {
	idx := make(map[string]State, len(States)*2)
	for _, s := range States {
		idx[strings.ToLower(s.Name)] = s
		idx[strings.ToLower(s.Abbr)] = s
	}
	for alias, name := range stateAliases {
		idx[alias] = idx[strings.ToLower(name)]
	}
	return idx
}()

// normState lowercases s and folds runs of spaces and stray punctuation.
func normState(s string) string {
	s = strings.ToLower(strings.TrimSpace(s))
	s = strings.Trim(s, ".,;:'\"()")
	return strings.Join(strings.Fields(s), " ")
}

// LookupState finds a state by exact name, USPS code or known alias,
// ignoring case.
func LookupState(s string) (State, bool) {
	st, ok := stateIndex[normState(s)]
	return st, ok
}

// StateMatch is the result of a fuzzy state lookup.
type StateMatch struct {
	State      State
	Confidence float64 // 1 for an exact match, lower as more edits were needed
}

// MatchState finds the state that s most likely names, tolerating OCR and
// typing damage ("Nevda", "Ca1ifornia"). ok is false when nothing is close.
func MatchState(s string) (m StateMatch, ok bool) {
	if st, ok := LookupState(s); ok {
		return StateMatch{st, 1}, true
	}
	in := foldOCR(normState(s))
	if len(in) < 3 {
		return StateMatch{}, false
	}
	best, bestDist := State{}, 1<<30
	for _, st := range States {
		d := EditDistance(in, foldOCR(strings.ToLower(st.Name)))
		if d < bestDist {
			best, bestDist = st, d
		}
	}
	name := strings.ToLower(best.Name)
	if bestDist > max(1, len(name)/4) || bestDist > 3 {
		return StateMatch{}, false
	}
	conf := 1 - float64(bestDist)/float64(len(name))
	if bestDist == 0 {
		conf = 0.95 // matched only after OCR folding
	}
	return StateMatch{best, conf}, true
}

// foldOCR maps characters OCR commonly confuses onto one form.
func foldOCR(s string) string {
	return strings.Map(func(r rune) rune {
		switch r {
		case '0':
			return 'o'
		case '1', '|':
			return 'l'
		case '5':
			return 's'
		case '8':
			return 'b'
		}
		if unicode.IsPunct(r) {
			return -1
		}
		return r
	}, s)
}

// SuggestState returns the closest canonical state name to s, for "did you
// mean" messages, or "" when nothing is close.
func SuggestState(s string) string {
	if m, ok := MatchState(s); ok {
		return m.State.Name
	}
	return ""
}

// StateNames returns the canonical names, sorted.
func StateNames() []string {
	names := make([]string, len(States))
	for i, s := range States {
		names[i] = s.Name
	}
	sort.Strings(names)
	return names
}

// StatesInRegion returns the canonical names of the built-in table's states in
// region n, sorted.
func StatesInRegion(n int) []string {
	var names []string
	for _, s := range States {
		if s.Region == n {
			names = append(names, s.Name)
		}
	}
	sort.Strings(names)
	return names
}

// ValidRegion reports whether n is a region number (1-10).
func ValidRegion(n int) bool { return n >= 1 && n <= 10 }

// EditDistance returns the optimal string alignment distance between a and
// b, in runes: insertions, deletions, substitutions and swaps of two
// neighbours ("lsit" for "list") each count one.
func EditDistance(a, b string) int {
	ra, rb := []rune(a), []rune(b)
	rows := make([][]int, len(ra)+1)
	for i := range rows {
		rows[i] = make([]int, len(rb)+1)
		rows[i][0] = i
	}
	for j := range rows[0] {
		rows[0][j] = j
	}
	for i := 1; i <= len(ra); i++ {
		for j := 1; j <= len(rb); j++ {
			cost := 1
			if ra[i-1] == rb[j-1] {
				cost = 0
			}
			d := min(rows[i-1][j]+1, rows[i][j-1]+1, rows[i-1][j-1]+cost)
			if i > 1 && j > 1 && ra[i-1] == rb[j-2] && ra[i-2] == rb[j-1] {
				d = min(d, rows[i-2][j-2]+1)
			}
			rows[i][j] = d
		}
	}
	return rows[len(ra)][len(rb)]
}

// Closest returns the candidate nearest to s by edit distance when it is
// near enough to be a likely typo, or "".
func Closest(s string, candidates []string) string {
	best, bestDist := "", 1<<30
	for _, c := range candidates {
		if d := EditDistance(strings.ToLower(s), strings.ToLower(c)); d < bestDist {
			best, bestDist = c, d
		}
	}
	if bestDist <= max(1, len(best)/3) {
		return best
	}
	return ""
}
