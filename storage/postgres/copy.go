package postgres

import (
	"context"
	"database/sql"
	"fmt"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
)

// copyTable is one table that CopyFrom moves, with its columns as both
// stores name them; times and flags are marked, since SQLite keeps them as
// text and integers. Generated columns (search, source_group, due_key)
// are left to PostgreSQL.
type copyTable struct {
	name     string
	cols     []string
	times    map[string]bool
	dates    map[string]bool
	flags    map[string]bool
	identity bool // an id column whose sequence must follow the copied ids
}

func set(names ...string) map[string]bool {
	m := map[string]bool{}
	for _, n := range names {
		m[n] = true
	}
	return m
}

// copyTables lists what a store holds, parents before children. Delivery
// keys seen (inbound_seen) are left behind: they matter for a day.
var copyTables = []copyTable{
	{name: "meetings", cols: strings.Fields(`id workspace region states location date date_status poc attendees discussion
		concerns followup awareness action next next_date notes source_key import_hash created_by created_at updated_at`),
		times: set("created_at", "updated_at"), dates: set("date", "next_date"), identity: true},
	{name: "meeting_states", cols: strings.Fields(`meeting_id state workspace date`), dates: set("date")},
	{name: "meeting_regions", cols: strings.Fields(`meeting_id region workspace date`), dates: set("date")},
	{name: "getbacks", cols: strings.Fields(`id workspace meeting_id region number text owner owner_kind assigned_by due status
		done_at done_note snoozed_until created_at updated_at`), times: set("done_at", "created_at", "updated_at"),
		dates: set("due", "snoozed_until"), identity: true},
	{name: "owner_mappings", cols: strings.Fields(`workspace label user_id`)},
	{name: "people", cols: strings.Fields(`workspace user_id name tz remind_hour remind_minute reminders_off work_days updated_at`),
		times: set("updated_at"), flags: set("reminders_off")},
	{name: "regions", cols: strings.Fields(`workspace number name channel channel_name tz digest_day digest_hour coverage_weeks updated_at`),
		times: set("updated_at")},
	{name: "state_regions", cols: strings.Fields(`workspace state region`)},
	{name: "audit_log", cols: strings.Fields(`id workspace actor at entity entity_id action before after`), times: set("at"), identity: true},
	{name: "outbox", cols: strings.Fields(`id key platform workspace channel user_id reply status attempts next_attempt last_error
		parts_sent ref_channel ref_id created_at sent_at attempt_at claim_owner claimed_until`),
		times: set("next_attempt", "created_at", "sent_at", "attempt_at", "claimed_until"), identity: true},
	{name: "outbox_targets", cols: strings.Fields(`workspace channel user_id last_post_at`), times: set("last_post_at")},
	{name: "checkpoints", cols: strings.Fields(`name at`), times: set("at")},
}

// CopyCount is one table's rows in the source and, after the copy, in
// this database.
type CopyCount struct {
	Table          string
	Source, Target int
}

// CopyFrom copies every row of a getback SQLite store (src, opened at the
// current schema) into this database, keeping ids, in one transaction.
// Rows already here are left as they are, so a second run changes
// nothing. It then compares each table's count with the source's and
// fails, naming the tables, when they differ: the database held other
// data.
func (db *DB) CopyFrom(ctx context.Context, src *sql.DB) ([]CopyCount, error) {
	var counts []CopyCount
	err := db.write(ctx, func(tx *Tx) error {
		counts = counts[:0]
		for _, t := range copyTables {
			n, err := copyRows(ctx, src, tx, t)
			if err != nil {
				return fmt.Errorf("copy %s: %w", t.name, err)
			}
			var target int
			if err := tx.queryRow(ctx, `SELECT COUNT(*) FROM `+t.name).Scan(&target); err != nil {
				return err
			}
			counts = append(counts, CopyCount{Table: t.name, Source: n, Target: target})
			if t.identity {
				if _, err := tx.exec(ctx, `SELECT setval(pg_get_serial_sequence('`+t.name+`', 'id'), GREATEST((SELECT MAX(id) FROM `+t.name+`), 1))`); err != nil {
					return err
				}
			}
		}
		var differ []string
		for _, c := range counts {
			if c.Source != c.Target {
				differ = append(differ, fmt.Sprintf("%s (%d in SQLite, %d here)", c.Table, c.Source, c.Target))
			}
		}
		if len(differ) > 0 {
			return fmt.Errorf("the PostgreSQL database already holds other data; nothing was copied. Counts differ for %s", strings.Join(differ, ", "))
		}
		return nil
	})
	return counts, err
}

// copyRows streams the source table's rows into a staging table with
// PostgreSQL's COPY, then inserts those not already here, and returns how
// many the source has.
func copyRows(ctx context.Context, src *sql.DB, tx *Tx, t copyTable) (int, error) {
	rows, err := src.QueryContext(ctx, `SELECT `+strings.Join(t.cols, ", ")+` FROM `+t.name)
	if err != nil {
		return 0, err
	}
	defer rows.Close()
	stage := "copy_" + t.name
	if _, err := tx.exec(ctx, `CREATE TEMP TABLE `+stage+` (LIKE `+t.name+`) ON COMMIT DROP`); err != nil {
		return 0, err
	}
	n := 0
	vals := make([]any, len(t.cols))
	ptrs := make([]any, len(t.cols))
	for i := range vals {
		ptrs[i] = &vals[i]
	}
	var convErr error
	_, err = tx.tx.CopyFrom(ctx, pgx.Identifier{stage}, t.cols, pgx.CopyFromFunc(func() ([]any, error) {
		if !rows.Next() {
			return nil, rows.Err()
		}
		if err := rows.Scan(ptrs...); err != nil {
			return nil, err
		}
		out := make([]any, len(vals))
		for i, c := range t.cols {
			if out[i], convErr = convert(vals[i], t.times[c], t.dates[c], t.flags[c]); convErr != nil {
				return nil, fmt.Errorf("column %s: %w", c, convErr)
			}
		}
		n++
		return out, nil
	}))
	if err != nil {
		return n, err
	}
	insert := `INSERT INTO ` + t.name + ` (` + strings.Join(t.cols, ", ") + `) OVERRIDING SYSTEM VALUE SELECT ` +
		strings.Join(t.cols, ", ") + ` FROM ` + stage + ` ON CONFLICT DO NOTHING`
	if !t.identity {
		insert = strings.Replace(insert, " OVERRIDING SYSTEM VALUE", "", 1)
	}
	if _, err := tx.exec(ctx, insert); err != nil {
		return n, err
	}
	_, err = tx.exec(ctx, `DROP TABLE `+stage)
	return n, err
}

// convert turns a SQLite value into the PostgreSQL column's: instants from
// their fixed-width text, days from YYYY-MM-DD, flags from 0 and 1, text
// as text.
func convert(v any, isTime, isDate, isFlag bool) (any, error) {
	if b, ok := v.([]byte); ok {
		v = string(b)
	}
	switch {
	case v == nil:
		return nil, nil
	case isTime:
		s, ok := v.(string)
		if !ok {
			return nil, fmt.Errorf("instant %v is not text", v)
		}
		t, err := time.Parse(time.RFC3339Nano, s)
		if err != nil {
			return nil, fmt.Errorf("instant %q: %w", s, err)
		}
		return t.UTC(), nil
	case isDate:
		s, ok := v.(string)
		if !ok {
			return nil, fmt.Errorf("day %v is not text", v)
		}
		d, err := time.Parse(time.DateOnly, s)
		if err != nil {
			return nil, fmt.Errorf("day %q: %w", s, err)
		}
		return d, nil
	case isFlag:
		n, ok := v.(int64)
		if !ok {
			return nil, fmt.Errorf("flag %v is not a number", v)
		}
		return n != 0, nil
	}
	return v, nil
}
