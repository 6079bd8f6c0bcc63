package sheet

import (
	"encoding/hex"
	"strconv"
	"strings"

	"github.com/getbackhq/getback/bot"
)

// seenRows holds the content hash of every row accepted (and the
// export's meeting id, for rows that have one), compactly.
type seenRows struct {
	plain map[[12]byte]struct{}
	refs  map[seenRef]struct{}
}

type seenRef struct {
	content [12]byte
	ref     string
}

// add records a row and reports whether it was there already.
func (s *seenRows) add(content, ref string) bool {
	var key [12]byte
	hex.Decode(key[:], []byte(content))
	if ref != "" {
		k := seenRef{key, ref}
		if _, ok := s.refs[k]; ok {
			return true
		}
		s.refs[k] = struct{}{}
		return false
	}
	if _, ok := s.plain[key]; ok {
		return true
	}
	s.plain[key] = struct{}{}
	return false
}

// claims is a set of source keys, held compactly: the binary form of the
// key's group and its number.
type claims struct {
	keys  map[claim]struct{}
	other map[string]struct{} // keys of another form, as they are
}

type claim struct {
	group [12]byte
	n     uint32
}

func parseClaim(key string) (claim, bool) {
	var c claim
	g, ok := strings.CutPrefix(key, "sheet:")
	if !ok || len(g) <= 25 || g[24] != ':' {
		return c, false
	}
	if _, err := hex.Decode(c.group[:], []byte(g[:24])); err != nil {
		return c, false
	}
	n, err := strconv.ParseUint(g[25:], 10, 32)
	c.n = uint32(n)
	return c, err == nil
}

func (c *claims) add(key string) {
	if k, ok := parseClaim(key); ok {
		c.keys[k] = struct{}{}
	} else {
		c.other[key] = struct{}{}
	}
}

func (c *claims) has(key string) bool {
	if k, ok := parseClaim(key); ok {
		_, ok := c.keys[k]
		return ok
	}
	_, ok := c.other[key]
	return ok
}

// earlierRows is what the near-duplicate check keeps of the rows accepted
// so far: 72 bytes a row (and a state), whatever the row's length, in one
// slice, listed by state and date.
type earlierRows struct {
	rows  []earlierRow
	first map[uint64]int32 // index+1 of the latest row of a state and date
	refs  map[int32]string // the export's meeting id of rows that have one
}

type earlierRow struct {
	sig  signature
	line int32
	next int32 // index+1 of the row before it with the same state and date
}

func (e *earlierRows) add(key uint64, sig signature, line int, ref string) {
	if e.first == nil {
		e.first, e.refs = map[uint64]int32{}, map[int32]string{}
	}
	e.rows = append(e.rows, earlierRow{sig: sig, line: int32(line), next: e.first[key]})
	e.first[key] = int32(len(e.rows))
	if ref != "" {
		e.refs[int32(len(e.rows))] = ref
	}
}

// each calls fn for the rows of a state and date, latest first, until fn
// returns false.
func (e *earlierRows) each(key uint64, fn func(r *earlierRow, ref string) bool) {
	for i := e.first[key]; i > 0; i = e.rows[i-1].next {
		if !fn(&e.rows[i-1], e.refs[i]) {
			return
		}
	}
}

// dayKey identifies a state on a date in the fingerprints of earlier rows.
func dayKey(state string, d bot.Date) uint64 {
	h := uint64(14695981039346656037)
	for i := 0; i < len(state); i++ {
		h = (h ^ uint64(state[i])) * 1099511628211
	}
	return mix(h ^ uint64(d.Year)<<16 ^ uint64(d.Month)<<8 ^ uint64(d.Day))
}
