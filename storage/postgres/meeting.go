package postgres

import (
	"context"
	"strings"

	"github.com/jackc/pgx/v5/pgtype"

	"github.com/getbackhq/getback/bot"
	"github.com/getbackhq/getback/storage/sqlstore"
)

// FindMeetings returns matching meetings and their total count.
func (db *DB) FindMeetings(ctx context.Context, f bot.MeetingFilter) ([]*bot.Meeting, int, error) {
	var out []*bot.Meeting
	var total int
	err := db.read(ctx, func(tx *Tx) error {
		var err error
		out, total, err = findMeetings(ctx, tx, f)
		return err
	})
	return out, total, err
}

// snippetOptions make ts_headline return plain text like SQLite's snippet:
// about 16 words around the match, no markup.
const snippetOptions = `StartSel="",StopSel="",MaxWords=16,MinWords=6,MaxFragments=1,FragmentDelimiter=" … "`

func findMeetings(ctx context.Context, tx *Tx, f bot.MeetingFilter) ([]*bot.Meeting, int, error) {
	where, args, none, err := sqlstore.MeetingWhere(ctx, &tx.s, f)
	if none || err != nil {
		return nil, 0, err
	}
	from, order, cols := "meetings m", "m.date DESC NULLS LAST, m.id DESC", sqlstore.MeetingCols+", ''"
	if f.OldestFirst {
		order = "m.date ASC NULLS LAST, m.id"
	}
	var tsq string
	if f.Query != nil {
		if tsq = tsQuery(*f.Query); tsq == "" {
			return nil, 0, bot.Errorf(bot.EINVALID, "Search for at least one word.")
		}
		where, args = append(where, "m.search @@ to_tsquery('simple', getback_unaccent(?))"), append(args, tsq)
		order = "ts_rank(m.search, to_tsquery('simple', getback_unaccent(?))) DESC, m.id"
	}
	cond := strings.Join(where, " AND ")
	total := -1
	if !f.NoTotal {
		cq, cargs := sqlstore.CountQuery(from, cond, args, f.CountCap)
		if err := tx.queryRow(ctx, cq, cargs...).Scan(&total); err != nil {
			return nil, 0, err
		}
	}
	var orderArgs []any
	if f.Query != nil {
		if f.CountCap > 0 && total >= f.CountCap {
			// Too many matches to score them all: newest logged first.
			order = "m.id DESC"
		} else {
			orderArgs = []any{tsq}
		}
		cols = sqlstore.MeetingCols + `, ts_headline('simple', m.states || ' ' || m.location || ' ' || m.poc || ' ' || m.attendees || ' ' ||
			m.discussion || ' ' || m.concerns || ' ' || m.followup || ' ' || m.awareness || ' ' || m.action || ' ' || m.next || ' ' ||
			m.notes, to_tsquery('simple', getback_unaccent(?)), '` + snippetOptions + `')`
	}
	// Placeholders number from the left: the snippet's query comes first.
	var qargs []any
	if f.Query != nil {
		qargs = append(qargs, tsq)
	}
	qargs = append(qargs, args...)
	qargs = append(qargs, orderArgs...)
	lim, qargs := limitOffset(qargs, f.Limit, f.Offset)
	rows, err := tx.query(ctx, `SELECT `+cols+` FROM `+from+` WHERE `+cond+` ORDER BY `+order+lim, qargs...)
	if err != nil {
		return nil, 0, err
	}
	defer rows.Close()
	var out []*bot.Meeting
	for rows.Next() {
		var snippet string
		m, err := sqlstore.ScanMeeting(rows, &snippet)
		if err != nil {
			return nil, 0, err
		}
		m.Snippet = strings.TrimSpace(snippet)
		out = append(out, m)
	}
	if total < 0 {
		total = len(out)
	}
	return out, total, rows.Err()
}

// tsQuery turns a search into a tsquery: every part must match, a prefix
// word as a word's start, a phrase word after word. bot.ParseSearch lets
// only letters and digits through, and each word is quoted, so nothing of
// the user's text is query syntax.
func tsQuery(q string) string {
	var parts []string
	for _, p := range bot.ParseSearch(q) {
		words := make([]string, len(p.Words))
		for i, w := range p.Words {
			words[i] = "'" + strings.ToLower(w) + "'"
		}
		s := strings.Join(words, " <-> ")
		if p.Prefix {
			s += ":*"
		}
		if len(words) > 1 {
			s = "(" + s + ")"
		}
		parts = append(parts, s)
	}
	return strings.Join(parts, " & ")
}

// LastMeetingDates returns the latest dated meeting on or before until for
// each of the states.
func (db *DB) LastMeetingDates(ctx context.Context, ws string, states []string, until bot.Date) (map[string]bot.Date, error) {
	out := map[string]bot.Date{}
	if len(states) == 0 {
		return out, nil
	}
	err := db.read(ctx, func(tx *Tx) error {
		rows, err := tx.query(ctx, `SELECT s.state, (SELECT MAX(date) FROM meeting_states
			WHERE workspace = ? AND state = s.state AND date <= ?) FROM unnest(?::text[]) AS s(state)`, ws, dateArg(until), states)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			var s string
			var d pgtype.Date
			if err := rows.Scan(&s, &d); err != nil {
				return err
			}
			if d.Valid {
				out[s] = dateOf(d)
			}
		}
		return rows.Err()
	})
	return out, err
}
