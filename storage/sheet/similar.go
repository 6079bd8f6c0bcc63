package sheet

import (
	"slices"
	"unicode"
	"unicode/utf8"

	"fmt"

	"github.com/getbackhq/getback/bot"
)

// words is the set of distinct words of a meeting's free text (attendees,
// discussion, concerns, follow-up, leadership entries and notes), each as
// a 64-bit hash, sorted. Two rows are compared by the words they share;
// hashing keeps the sets small and the comparison a merge of two slices.
type words []uint64

// meetingWords returns the word set of m's free text.
func meetingWords(m *bot.Meeting, buf []uint64) words {
	buf = buf[:0]
	for _, f := range [...]string{m.Attendees, m.Discussion, m.Concerns, m.FollowUp, m.Awareness, m.Action, m.Notes} {
		buf = appendWordHashes(buf, f)
	}
	slices.Sort(buf)
	return words(slices.Compact(buf))
}

// appendWordHashes appends the hash of every word of s: a word is a run of
// letters and digits, compared case-insensitively (as norm splits text).
func appendWordHashes(out []uint64, s string) []uint64 {
	const offset, prime = 14695981039346656037, 1099511628211
	h, in := uint64(offset), false
	for i := 0; i < len(s); {
		c := s[i]
		var r rune
		size := 1
		if c < utf8.RuneSelf {
			switch {
			case 'a' <= c && c <= 'z', '0' <= c && c <= '9':
				r = rune(c)
			case 'A' <= c && c <= 'Z':
				r = rune(c + 'a' - 'A')
			default:
				r = -1
			}
		} else {
			r, size = utf8.DecodeRuneInString(s[i:])
			if unicode.IsLetter(r) || unicode.IsDigit(r) {
				r = unicode.ToLower(r)
			} else {
				r = -1
			}
		}
		i += size
		if r < 0 {
			if in {
				out = append(out, mix(h))
				h, in = offset, false
			}
			continue
		}
		in = true
		for r > 0 {
			h = (h ^ uint64(r&0xff)) * prime
			r >>= 8
		}
	}
	if in {
		out = append(out, mix(h))
	}
	return out
}

// mix spreads a hash's bits (the splitmix64 finaliser), so that any slice
// of its bits is as good as any other.
func mix(h uint64) uint64 {
	h ^= h >> 30
	h *= 0xbf58476d1ce4e5b9
	h ^= h >> 27
	h *= 0x94d049bb133111eb
	return h ^ h>>31
}

// common counts the words in both sets.
func common(a, b words) int {
	n, i, j := 0, 0, 0
	for i < len(a) && j < len(b) {
		switch {
		case a[i] == b[j]:
			n++
			i++
			j++
		case a[i] < b[j]:
			i++
		default:
			j++
		}
	}
	return n
}

// containment is the share of the smaller set's words found in the other;
// two empty sets contain each other.
func containment(a, b words) float64 {
	small := min(len(a), len(b))
	if small == 0 {
		return 1
	}
	return float64(common(a, b)) / float64(small)
}

// jaccard is the share of all words that are in both sets.
func jaccard(a, b words) float64 {
	if len(a) == 0 && len(b) == 0 {
		return 1
	}
	inter := common(a, b)
	return float64(inter) / float64(len(a)+len(b)-inter)
}

// sigBins is the size of a row's word signature.
const sigBins = 64

// signature is a compact fingerprint of a word set (one-permutation
// MinHash: each word falls in one of 64 bins by its hash, and each bin
// keeps 8 bits of the least hash it saw), 64 bytes however long the text.
// The share of bins two signatures agree on estimates the Jaccard
// similarity of the word sets, within about ±0.05 near the near-duplicate
// threshold; exact sets would cost a kilobyte or more per row.
type signature [sigBins]uint8

// emptyBin marks a bin no word fell in.
const emptyBin = 0xff

// textSignature returns the signature of m's words and whether m has at
// least n distinct words. buf is scratch space.
func textSignature(m *bot.Meeting, n int, buf []uint64) (signature, bool, []uint64) {
	buf = buf[:0]
	for _, f := range [...]string{m.Attendees, m.Discussion, m.Concerns, m.FollowUp, m.Awareness, m.Action, m.Notes} {
		buf = appendWordHashes(buf, f)
	}
	var mins [sigBins]uint64
	for i := range mins {
		mins[i] = ^uint64(0)
	}
	for _, h := range buf {
		bin := h >> 58
		if v := h & (1<<58 - 1); v < mins[bin] {
			mins[bin] = v
		}
	}
	var s signature
	used := 0
	for i, v := range mins {
		if v == ^uint64(0) {
			s[i] = emptyBin
			continue
		}
		used++
		s[i] = min(uint8(v>>50), emptyBin-1)
	}
	// Each used bin holds a word of its own; below n of them, count.
	enough := used >= n
	if !enough && len(buf) >= n {
		slices.Sort(buf)
		enough = len(slices.Compact(buf)) >= n
	}
	return s, enough, buf
}

// similarity estimates the Jaccard similarity of the word sets behind two
// signatures.
func (s *signature) similarity(o *signature) float64 {
	same, used := 0, 0
	for i := range s {
		a, b := s[i], o[i]
		if a == emptyBin && b == emptyBin {
			continue
		}
		used++
		if a == b {
			same++
		}
	}
	if used == 0 {
		return 1
	}
	return float64(same) / float64(used)
}

// nearCheckable reports whether a row has enough to be compared with
// others: a date and eight words.
func nearCheckable(b *parsedRow) bool {
	return !b.meeting.Date.IsZero() && b.wordy
}

// remember fingerprints an accepted row for the near-duplicate check of
// the rows after it, under each of its states.
func (run *importRun) remember(b *parsedRow, at Flag) {
	if !nearCheckable(b) {
		return
	}
	for _, st := range b.meeting.States {
		run.earlier.add(dayKey(st, b.meeting.Date), b.sig, at.Line, b.ref)
	}
}

// nearThreshold is the share of words two rows must have in common to be
// taken as the same meeting read twice.
const nearThreshold = 0.8

// nearDuplicate looks for a meeting that was stored before this import, or
// an earlier row of the file, with the same state and date whose text is
// nearly the same, and returns a description of it, or "". Stored
// meetings are compared word for word; earlier rows by their fingerprints.
func (run *importRun) nearDuplicate(b *parsedRow, byDay map[bot.StateDay][]*bot.Meeting, wordsOf func(*bot.Meeting) words) (near string, id int64, earlierRef string) {
	if !nearCheckable(b) {
		return "", 0, "" // too little text to call two rows the same
	}
	m := b.meeting
	for _, c := range byDay[bot.StateDay{State: m.States[0], Date: m.Date}] {
		if (c.SourceKey != "" && run.claimed.has(c.SourceKey)) || run.refTargets[c.ID] {
			continue // matched or created by this import: an earlier row
		}
		if jaccard(b.wordSet(), wordsOf(c)) >= nearThreshold {
			return fmt.Sprintf("meeting #%d (%s, %s)", c.ID, c.StateList(), c.DateText()), c.ID, ""
		}
	}
	run.earlier.each(dayKey(m.States[0], m.Date), func(e *earlierRow, ref string) bool {
		if b.ref != "" && ref != "" && b.ref != ref {
			return true // two meetings of one export
		}
		if e.sig.similarity(&b.sig) >= nearThreshold {
			near, earlierRef = fmt.Sprintf("an earlier row (line %d)", e.line), ref
			return false
		}
		return true
	})
	return near, 0, earlierRef
}
