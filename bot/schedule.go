package bot

import (
	"fmt"
	"time"
)

// DigestKey is the outbox key of a region's digest for the week starting
// monday.
func DigestKey(r *Region, monday Date) string {
	return fmt.Sprintf("digest:%s:%d:%s", r.Workspace, r.Number, monday.ISOWeek())
}

// ReminderKey is the outbox key of a person's reminder for a local day.
func ReminderKey(p *Person, day Date) string {
	return fmt.Sprintf("remind:%s:%s:%s", p.Workspace, p.UserID, day)
}

// DigestDue returns the instant region r's digest is due in the ISO week
// starting monday.
func DigestDue(r *Region, monday Date) time.Time {
	off := (int(r.DigestDay) + 6) % 7 // Monday=0
	return monday.AddDays(off).At(r.DigestHour, 0, r.Location())
}

// NextDigestDue returns the first digest instant of r at or after now.
func NextDigestDue(r *Region, now time.Time) time.Time {
	monday := DateOf(now.In(r.Location())).WeekStart()
	due := DigestDue(r, monday)
	if due.Before(now) {
		due = DigestDue(r, monday.AddDays(7))
	}
	return due
}

// ReminderDue returns the instant of p's reminder on local day d.
func ReminderDue(p *Person, d Date) time.Time {
	return d.At(p.RemindHour, p.RemindMinute, p.Location())
}
