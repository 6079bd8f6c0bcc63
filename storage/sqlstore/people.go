package sqlstore

import (
	"context"
	"time"

	"github.com/getbackhq/getback/bot"
)

// PersonCols are the columns ScanPerson reads.
const PersonCols = `workspace, user_id, name, tz, remind_hour, remind_minute, reminders_off, work_days, updated_at`

// ScanPerson reads a row of PersonCols.
func ScanPerson(sc Row) (*bot.Person, error) {
	p := &bot.Person{}
	var workDays int
	var updated Time
	if err := sc.Scan(&p.Workspace, &p.UserID, &p.Name, &p.TZ, &p.RemindHour, &p.RemindMinute, &p.RemindersOff,
		&workDays, &updated); err != nil {
		return nil, err
	}
	p.WorkDays, p.UpdatedAt = bot.WeekdaySet(workDays), updated.T
	return p, nil
}

// FindPerson returns a person, or ENOTFOUND.
func (s *Store) FindPerson(ctx context.Context, ws, userID string) (*bot.Person, error) {
	var p *bot.Person
	err := s.read(ctx, func(tx *Tx) error {
		var err error
		p, err = ScanPerson(tx.QueryRow(ctx, `SELECT `+PersonCols+` FROM people WHERE workspace = ? AND user_id = ?`, ws, userID))
		if noRows(err) {
			return bot.Errorf(bot.ENOTFOUND, "No such user %s.", userID)
		}
		return err
	})
	return p, err
}

// FindPeople returns the people of ws, or of every workspace when ws is "".
func (s *Store) FindPeople(ctx context.Context, ws string) ([]*bot.Person, error) {
	var out []*bot.Person
	err := s.read(ctx, func(tx *Tx) error {
		var err error
		b := tx.D.Bytewise()
		out, err = QueryAll(ctx, tx, ScanPerson, `SELECT `+PersonCols+` FROM people WHERE ? = '' OR workspace = ?
			ORDER BY workspace`+b+`, user_id`+b, ws, ws)
		return err
	})
	return out, err
}

// UpsertPerson creates or replaces a person, auditing changes.
func (s *Store) UpsertPerson(ctx context.Context, p *bot.Person) error {
	if err := p.Validate(); err != nil {
		return err
	}
	return s.write(ctx, func(tx *Tx) error {
		if err := tx.D.LockKey(ctx, tx.Q, "person", p.Workspace, p.UserID); err != nil {
			return err
		}
		before, err := ScanPerson(tx.QueryRow(ctx, `SELECT `+PersonCols+` FROM people WHERE workspace = ? AND user_id = ?`, p.Workspace, p.UserID))
		if err != nil && !noRows(err) {
			return err
		}
		if before != nil {
			cmp := *p
			cmp.UpdatedAt = before.UpdatedAt
			if cmp == *before {
				return nil // unchanged: no write, no audit entry
			}
		}
		p.UpdatedAt = tx.Now
		if _, err := tx.Exec(ctx, `INSERT INTO people (`+PersonCols+`) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
			ON CONFLICT (workspace, user_id) DO UPDATE SET name = excluded.name, tz = excluded.tz,
			remind_hour = excluded.remind_hour, remind_minute = excluded.remind_minute,
			reminders_off = excluded.reminders_off, work_days = excluded.work_days, updated_at = excluded.updated_at`,
			p.Workspace, p.UserID, p.Name, p.TZ, p.RemindHour, p.RemindMinute, p.RemindersOff, int(p.WorkDays), tx.D.Time(tx.Now)); err != nil {
			return err
		}
		if before == nil {
			return tx.Audit(ctx, p.Workspace, "person", p.UserID, bot.AuditCreate, nil, p)
		}
		return tx.Audit(ctx, p.Workspace, "person", p.UserID, bot.AuditUpdate, before, p)
	})
}

const regionCols = `workspace, number, name, channel, channel_name, tz, digest_day, digest_hour, coverage_weeks, updated_at`

func scanRegion(sc Row) (*bot.Region, error) {
	r := &bot.Region{}
	var updated Time
	var day int
	if err := sc.Scan(&r.Workspace, &r.Number, &r.Name, &r.Channel, &r.ChannelName, &r.TZ, &day, &r.DigestHour,
		&r.CoverageWeeks, &updated); err != nil {
		return nil, err
	}
	r.DigestDay, r.UpdatedAt = time.Weekday(day), updated.T
	return r, nil
}

// FindRegion returns a configured region, or ENOTFOUND.
func (s *Store) FindRegion(ctx context.Context, ws string, n int) (*bot.Region, error) {
	var r *bot.Region
	err := s.read(ctx, func(tx *Tx) error {
		var err error
		r, err = scanRegion(tx.QueryRow(ctx, `SELECT `+regionCols+` FROM regions WHERE workspace = ? AND number = ?`, ws, n))
		if noRows(err) {
			return bot.Errorf(bot.ENOTFOUND, "%s has no digest configured.", bot.RegionName(n))
		}
		return err
	})
	return r, err
}

// FindRegions returns configured regions of ws, or of every workspace when
// ws is "".
func (s *Store) FindRegions(ctx context.Context, ws string) ([]*bot.Region, error) {
	var out []*bot.Region
	err := s.read(ctx, func(tx *Tx) error {
		var err error
		out, err = QueryAll(ctx, tx, scanRegion, `SELECT `+regionCols+` FROM regions WHERE ? = '' OR workspace = ?
			ORDER BY workspace`+tx.D.Bytewise()+`, number`, ws, ws)
		return err
	})
	return out, err
}

// UpsertRegion creates or replaces a region's configuration.
func (s *Store) UpsertRegion(ctx context.Context, r *bot.Region) error {
	if err := r.Validate(); err != nil {
		return err
	}
	return s.write(ctx, func(tx *Tx) error {
		if err := tx.D.LockKey(ctx, tx.Q, "region", r.Workspace, bot.RegionName(r.Number)); err != nil {
			return err
		}
		before, err := scanRegion(tx.QueryRow(ctx, `SELECT `+regionCols+` FROM regions WHERE workspace = ? AND number = ?`, r.Workspace, r.Number))
		if err != nil && !noRows(err) {
			return err
		}
		r.UpdatedAt = tx.Now
		if _, err := tx.Exec(ctx, `INSERT INTO regions (`+regionCols+`) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
			ON CONFLICT (workspace, number) DO UPDATE SET name = excluded.name, channel = excluded.channel,
			channel_name = excluded.channel_name, tz = excluded.tz, digest_day = excluded.digest_day,
			digest_hour = excluded.digest_hour, coverage_weeks = excluded.coverage_weeks, updated_at = excluded.updated_at`,
			r.Workspace, r.Number, r.Name, r.Channel, r.ChannelName, r.TZ, int(r.DigestDay), r.DigestHour, r.CoverageWeeks,
			tx.D.Time(tx.Now)); err != nil {
			return err
		}
		if before == nil {
			return tx.Audit(ctx, r.Workspace, "region", r.Number, bot.AuditCreate, nil, r)
		}
		return tx.Audit(ctx, r.Workspace, "region", r.Number, bot.AuditUpdate, before, r)
	})
}

// SetStateRegion overrides the region of a state in ws (region 0 removes the
// override).
func (s *Store) SetStateRegion(ctx context.Context, ws, state string, region int) error {
	st, ok := bot.LookupState(state)
	if !ok {
		return bot.Errorf(bot.EINVALID, "Unknown state or territory %q.", state)
	}
	state = st.Name
	if region != 0 && !bot.ValidRegion(region) {
		return bot.Errorf(bot.EINVALID, "Region must be 1-10, not %d.", region)
	}
	return s.write(ctx, func(tx *Tx) error {
		// One workspace's state table changes one change at a time.
		if err := tx.D.LockKey(ctx, tx.Q, "state_regions", ws); err != nil {
			return err
		}
		if region == 0 {
			if _, err := tx.Exec(ctx, `DELETE FROM state_regions WHERE workspace = ? AND state = ?`, ws, state); err != nil {
				return err
			}
			if err := resyncStateMeetings(ctx, tx, ws, state); err != nil {
				return err
			}
			return tx.Audit(ctx, ws, "state_region", state, bot.AuditDelete, map[string]any{"state": state}, nil)
		}
		if _, err := tx.Exec(ctx, `INSERT INTO state_regions (workspace, state, region) VALUES (?, ?, ?)
			ON CONFLICT (workspace, state) DO UPDATE SET region = excluded.region`, ws, state, region); err != nil {
			return err
		}
		if err := resyncStateMeetings(ctx, tx, ws, state); err != nil {
			return err
		}
		return tx.Audit(ctx, ws, "state_region", state, bot.AuditUpdate, nil, map[string]any{"state": state, "region": region})
	})
}

// StateRegions returns the workspace's state-to-region overrides.
func (s *Store) StateRegions(ctx context.Context, ws string) (map[string]int, error) {
	var out map[string]int
	err := s.read(ctx, func(tx *Tx) error {
		var err error
		out, err = StateRegions(ctx, tx, ws)
		return err
	})
	return out, err
}
