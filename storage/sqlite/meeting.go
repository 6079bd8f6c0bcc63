package sqlite

import (
	"context"
	"database/sql"
	"strings"

	"github.com/getbackhq/getback/bot"
	"github.com/getbackhq/getback/storage/sqlstore"
)

const stateSep = sqlstore.StateSep

// meetingCols are the columns scanMeeting reads.
const meetingCols = sqlstore.MeetingCols

func scanMeeting(sc sqlstore.Row, extra ...any) (*bot.Meeting, error) {
	return sqlstore.ScanMeeting(sc, extra...)
}

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

func findMeetings(ctx context.Context, tx *Tx, f bot.MeetingFilter) ([]*bot.Meeting, int, error) {
	where, args, none, err := sqlstore.MeetingWhere(ctx, tx.shared(), f)
	if none || err != nil {
		return nil, 0, err
	}
	from, order, cols := "meetings m", "m.date DESC, m.id DESC", meetingCols+", ''"
	if f.OldestFirst {
		order = "m.date IS NULL, m.date, m.id"
	}
	if f.Query != nil {
		match := ftsQuery(*f.Query)
		if match == "" {
			return nil, 0, bot.Errorf(bot.EINVALID, "Search for at least one word.")
		}
		from = "meetings_fts JOIN meetings m ON m.id = meetings_fts.rowid"
		where, args = append(where, "meetings_fts MATCH ?"), append(args, match)
		order = "meetings_fts.rank"
		cols = meetingCols + ", snippet(meetings_fts, -1, '', '', ' … ', 16)"
	}
	cond := strings.Join(where, " AND ")
	total := -1
	if !f.NoTotal {
		cq, cargs := sqlstore.CountQuery(from, cond, args, f.CountCap)
		if err := tx.QueryRowContext(ctx, cq, cargs...).Scan(&total); err != nil {
			return nil, 0, err
		}
	}
	if f.Query != nil && f.CountCap > 0 && total >= f.CountCap {
		// Too many matches to score them all: newest logged first, read
		// straight off the full-text index.
		order = "meetings_fts.rowid DESC"
	}
	lim, args := limitOffset(args, f.Limit, f.Offset)
	rows, err := tx.QueryContext(ctx, `SELECT `+cols+` FROM `+from+` WHERE `+cond+` ORDER BY `+order+lim, args...)
	if err != nil {
		return nil, 0, err
	}
	defer rows.Close()
	var out []*bot.Meeting
	for rows.Next() {
		var snippet string
		m, err := scanMeeting(rows, &snippet)
		if err != nil {
			return nil, 0, err
		}
		m.Snippet = snippet
		out = append(out, m)
	}
	if total < 0 {
		total = len(out)
	}
	return out, total, rows.Err()
}

// ftsQuery turns a search into a safe FTS5 query: each word inside double
// quotes (bot.ParseSearch lets only letters and digits through), a phrase
// as one quoted string, a prefix word followed by "*".
func ftsQuery(q string) string {
	var parts []string
	for _, p := range bot.ParseSearch(q) {
		s := `"` + strings.Join(p.Words, " ") + `"`
		if p.Prefix {
			s += "*"
		}
		parts = append(parts, s)
	}
	return strings.Join(parts, " ")
}

// ftsCols are the indexed columns, in the order of meetings_fts.
const ftsCols = `states, location, poc, attendees, discussion, concerns, followup, awareness, action, next, notes`

// ftsArgs returns m's values for ftsCols.
func ftsArgs(m *bot.Meeting) []any {
	return []any{strings.Join(m.States, stateSep), m.Location, m.POC, m.Attendees, m.Discussion, m.Concerns,
		m.FollowUp, m.Awareness, m.Action, m.Next, m.Notes}
}

// indexMeeting keeps the full-text index in step with a meeting's text:
// before (as stored until now) leaves the index, after enters it.
func indexMeeting(ctx context.Context, q sqlstore.Querier, before, after *bot.Meeting) error {
	if before != nil {
		// Removing needs the text as indexed.
		if _, err := q.Exec(ctx, `INSERT INTO meetings_fts (meetings_fts, rowid, `+ftsCols+`) VALUES ('delete', ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
			append([]any{before.ID}, ftsArgs(before)...)...); err != nil {
			return err
		}
	}
	if after != nil {
		if _, err := q.Exec(ctx, `INSERT INTO meetings_fts (rowid, `+ftsCols+`) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
			append([]any{after.ID}, ftsArgs(after)...)...); err != nil {
			return err
		}
	}
	return nil
}

// LastMeetingDates returns the latest dated meeting on or before until for
// each of the states.
func (db *DB) LastMeetingDates(ctx context.Context, ws string, states []string, until bot.Date) (map[string]bot.Date, error) {
	out := map[string]bot.Date{}
	if len(states) == 0 {
		return out, nil
	}
	err := db.read(ctx, func(tx *Tx) error {
		for _, s := range states {
			var d sql.NullString
			if err := tx.QueryRowContext(ctx, `SELECT MAX(date) FROM meeting_states WHERE workspace = ? AND state = ? AND date <= ?`,
				ws, s, until.String()).Scan(&d); err != nil {
				return err
			}
			if d.Valid {
				out[s] = parseDate(d)
			}
		}
		return nil
	})
	return out, err
}
