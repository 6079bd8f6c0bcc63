package postgres

import (
	"context"
	"errors"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/getbackhq/getback/bot"
)

// Ensure DB implements the person and region services.
var (
	_ bot.PersonService = (*DB)(nil)
	_ bot.RegionService = (*DB)(nil)
)

const personCols = `workspace, user_id, name, tz, remind_hour, remind_minute, reminders_off, work_days, updated_at`

func scanPerson(sc pgx.Row) (*bot.Person, error) {
	p := &bot.Person{}
	var workDays int
	if err := sc.Scan(&p.Workspace, &p.UserID, &p.Name, &p.TZ, &p.RemindHour, &p.RemindMinute, &p.RemindersOff,
		&workDays, &p.UpdatedAt); err != nil {
		return nil, err
	}
	p.WorkDays, p.UpdatedAt = bot.WeekdaySet(workDays), p.UpdatedAt.UTC()
	return p, nil
}

// FindPerson returns a person, or ENOTFOUND.
func (db *DB) FindPerson(ctx context.Context, ws, userID string) (*bot.Person, error) {
	var p *bot.Person
	err := db.read(ctx, func(tx *Tx) error {
		var err error
		p, err = scanPerson(tx.queryRow(ctx, `SELECT `+personCols+` FROM people WHERE workspace = ? AND user_id = ?`, ws, userID))
		if errors.Is(err, pgx.ErrNoRows) {
			return bot.Errorf(bot.ENOTFOUND, "No such user %s.", userID)
		}
		return err
	})
	return p, err
}

// FindPeople returns the people of ws, or of every workspace when ws is "".
func (db *DB) FindPeople(ctx context.Context, ws string) ([]*bot.Person, error) {
	return readAll(ctx, db, scanPerson, `SELECT `+personCols+` FROM people WHERE ? = '' OR workspace = ?
		ORDER BY workspace COLLATE "C", user_id COLLATE "C"`, ws, ws)
}

// FindPeopleByID returns the known ones of the users in ws, in one query.
func (db *DB) FindPeopleByID(ctx context.Context, ws string, userIDs []string) ([]*bot.Person, error) {
	if len(userIDs) == 0 {
		return nil, nil
	}
	return readAll(ctx, db, scanPerson, `SELECT `+personCols+` FROM people WHERE workspace = ? AND user_id = ANY(?)`, ws, userIDs)
}

// UpsertPerson creates or replaces a person, auditing changes.
func (db *DB) UpsertPerson(ctx context.Context, p *bot.Person) error {
	if err := p.Validate(); err != nil {
		return err
	}
	return db.write(ctx, func(tx *Tx) error {
		if err := tx.lockKey(ctx, "person", p.Workspace, p.UserID); err != nil {
			return err
		}
		before, err := scanPerson(tx.queryRow(ctx, `SELECT `+personCols+` FROM people WHERE workspace = ? AND user_id = ?`, p.Workspace, p.UserID))
		if err != nil && !errors.Is(err, pgx.ErrNoRows) {
			return err
		}
		if before != nil {
			cmp := *p
			cmp.UpdatedAt = before.UpdatedAt
			if cmp == *before {
				return nil // unchanged: no write, no audit entry
			}
		}
		p.UpdatedAt = tx.now
		if _, err := tx.exec(ctx, `INSERT INTO people (`+personCols+`) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
			ON CONFLICT (workspace, user_id) DO UPDATE SET name = excluded.name, tz = excluded.tz,
			remind_hour = excluded.remind_hour, remind_minute = excluded.remind_minute,
			reminders_off = excluded.reminders_off, work_days = excluded.work_days, updated_at = excluded.updated_at`,
			p.Workspace, p.UserID, p.Name, p.TZ, p.RemindHour, p.RemindMinute, p.RemindersOff, int(p.WorkDays), tx.now); err != nil {
			return err
		}
		if before == nil {
			return tx.audit(ctx, p.Workspace, "person", p.UserID, bot.AuditCreate, nil, p)
		}
		return tx.audit(ctx, p.Workspace, "person", p.UserID, bot.AuditUpdate, before, p)
	})
}

// lockKey takes a transaction-scoped lock on a name, so that a
// read-then-write of a row that may not exist yet is not interleaved with
// another replica's.
func (tx *Tx) lockKey(ctx context.Context, parts ...string) error {
	key := ""
	for _, p := range parts {
		key += p + "\x1f"
	}
	_, err := tx.exec(ctx, `SELECT pg_advisory_xact_lock(hashtextextended(?, 0))`, "getback "+key)
	return err
}

const regionCols = `workspace, number, name, channel, channel_name, tz, digest_day, digest_hour, coverage_weeks, updated_at`

func scanRegion(sc pgx.Row) (*bot.Region, error) {
	r := &bot.Region{}
	var day int
	if err := sc.Scan(&r.Workspace, &r.Number, &r.Name, &r.Channel, &r.ChannelName, &r.TZ, &day, &r.DigestHour,
		&r.CoverageWeeks, &r.UpdatedAt); err != nil {
		return nil, err
	}
	r.DigestDay, r.UpdatedAt = time.Weekday(day), r.UpdatedAt.UTC()
	return r, nil
}

// FindRegion returns a configured region, or ENOTFOUND.
func (db *DB) FindRegion(ctx context.Context, ws string, n int) (*bot.Region, error) {
	var r *bot.Region
	err := db.read(ctx, func(tx *Tx) error {
		var err error
		r, err = scanRegion(tx.queryRow(ctx, `SELECT `+regionCols+` FROM regions WHERE workspace = ? AND number = ?`, ws, n))
		if errors.Is(err, pgx.ErrNoRows) {
			return bot.Errorf(bot.ENOTFOUND, "%s has no digest configured.", bot.RegionName(n))
		}
		return err
	})
	return r, err
}

// FindRegions returns configured regions of ws, or of every workspace when
// ws is "".
func (db *DB) FindRegions(ctx context.Context, ws string) ([]*bot.Region, error) {
	return readAll(ctx, db, scanRegion, `SELECT `+regionCols+` FROM regions WHERE ? = '' OR workspace = ?
		ORDER BY workspace COLLATE "C", number`, ws, ws)
}

// UpsertRegion creates or replaces a region's configuration.
func (db *DB) UpsertRegion(ctx context.Context, r *bot.Region) error {
	if err := r.Validate(); err != nil {
		return err
	}
	return db.write(ctx, func(tx *Tx) error {
		if err := tx.lockKey(ctx, "region", r.Workspace, bot.RegionName(r.Number)); err != nil {
			return err
		}
		before, err := scanRegion(tx.queryRow(ctx, `SELECT `+regionCols+` FROM regions WHERE workspace = ? AND number = ?`, r.Workspace, r.Number))
		if err != nil && !errors.Is(err, pgx.ErrNoRows) {
			return err
		}
		r.UpdatedAt = tx.now
		if _, err := tx.exec(ctx, `INSERT INTO regions (`+regionCols+`) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
			ON CONFLICT (workspace, number) DO UPDATE SET name = excluded.name, channel = excluded.channel,
			channel_name = excluded.channel_name, tz = excluded.tz, digest_day = excluded.digest_day,
			digest_hour = excluded.digest_hour, coverage_weeks = excluded.coverage_weeks, updated_at = excluded.updated_at`,
			r.Workspace, r.Number, r.Name, r.Channel, r.ChannelName, r.TZ, int(r.DigestDay), r.DigestHour, r.CoverageWeeks,
			tx.now); err != nil {
			return err
		}
		if before == nil {
			return tx.audit(ctx, r.Workspace, "region", r.Number, bot.AuditCreate, nil, r)
		}
		return tx.audit(ctx, r.Workspace, "region", r.Number, bot.AuditUpdate, before, r)
	})
}

// SetStateRegion overrides the region of a state in ws (region 0 removes the
// override).
func (db *DB) SetStateRegion(ctx context.Context, ws, state string, region int) error {
	st, ok := bot.LookupState(state)
	if !ok {
		return bot.Errorf(bot.EINVALID, "Unknown state or territory %q.", state)
	}
	state = st.Name
	if region != 0 && !bot.ValidRegion(region) {
		return bot.Errorf(bot.EINVALID, "Region must be 1-10, not %d.", region)
	}
	return db.write(ctx, func(tx *Tx) error {
		// One workspace's state table changes one change at a time.
		if err := tx.lockKey(ctx, "state_regions", ws); err != nil {
			return err
		}
		if region == 0 {
			if _, err := tx.exec(ctx, `DELETE FROM state_regions WHERE workspace = ? AND state = ?`, ws, state); err != nil {
				return err
			}
			if err := resyncStateMeetings(ctx, tx, ws, state); err != nil {
				return err
			}
			return tx.audit(ctx, ws, "state_region", state, bot.AuditDelete, map[string]any{"state": state}, nil)
		}
		if _, err := tx.exec(ctx, `INSERT INTO state_regions (workspace, state, region) VALUES (?, ?, ?)
			ON CONFLICT (workspace, state) DO UPDATE SET region = excluded.region`, ws, state, region); err != nil {
			return err
		}
		if err := resyncStateMeetings(ctx, tx, ws, state); err != nil {
			return err
		}
		return tx.audit(ctx, ws, "state_region", state, bot.AuditUpdate, nil, map[string]any{"state": state, "region": region})
	})
}

// StateRegions returns the workspace's state-to-region overrides.
func (db *DB) StateRegions(ctx context.Context, ws string) (map[string]int, error) {
	var out map[string]int
	err := db.read(ctx, func(tx *Tx) error {
		var err error
		out, err = stateRegions(ctx, tx, ws)
		return err
	})
	return out, err
}
