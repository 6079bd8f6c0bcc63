package bot

import (
	"context"
	"fmt"
	"strings"
	"sync"
	"time"
)

// Default reminder settings for a person seen for the first time.
const (
	DefaultRemindHour = 9
	// DefaultWorkDays is Monday to Friday as a WeekdaySet.
	DefaultWorkDays WeekdaySet = 1<<time.Monday | 1<<time.Tuesday | 1<<time.Wednesday | 1<<time.Thursday | 1<<time.Friday
)

// WeekdaySet is a set of weekdays, bit i set for time.Weekday(i).
type WeekdaySet uint8

// Has reports whether d is in the set.
func (s WeekdaySet) Has(d time.Weekday) bool { return s&(1<<d) != 0 }

// String renders the set as "mon,tue,wed".
func (s WeekdaySet) String() string {
	var parts []string
	for d := time.Monday; d <= time.Saturday+1; d++ {
		wd := d % 7
		if s.Has(wd) {
			parts = append(parts, strings.ToLower(wd.String()[:3]))
		}
	}
	return strings.Join(parts, ",")
}

// ParseWeekdaySet parses "mon-fri", "mon,wed,fri", "weekdays" or "all".
func ParseWeekdaySet(s string) (WeekdaySet, error) {
	s = strings.ToLower(strings.TrimSpace(s))
	switch s {
	case "weekdays", "workdays":
		return DefaultWorkDays, nil
	case "all", "every day", "daily":
		return 0x7f, nil
	}
	var set WeekdaySet
	for _, part := range strings.Split(s, ",") {
		part = strings.TrimSpace(part)
		from, to, isRange := strings.Cut(part, "-")
		a, ok := weekdayNames[from]
		if !ok {
			return 0, Errorf(EINVALID, "%q is not a weekday (try mon-fri or mon,wed,fri)", from)
		}
		b := a
		if isRange {
			if b, ok = weekdayNames[to]; !ok {
				return 0, Errorf(EINVALID, "%q is not a weekday (try mon-fri or mon,wed,fri)", to)
			}
		}
		for d := a; ; d = (d + 1) % 7 {
			set |= 1 << d
			if d == b {
				break
			}
		}
	}
	if set == 0 {
		return 0, Errorf(EINVALID, "no weekdays given")
	}
	return set, nil
}

// Person is a chat user getback knows: where reminders go and when.
type Person struct {
	Workspace string
	UserID    string
	Name      string // display name
	TZ        string // IANA zone from the platform, e.g. "Pacific/Guam"
	// RemindHour and RemindMinute are the local time of the daily reminder.
	RemindHour   int
	RemindMinute int
	RemindersOff bool
	WorkDays     WeekdaySet
	UpdatedAt    time.Time
}

// NewPerson returns a person with default reminder settings.
func NewPerson(ws, userID, name, tz string) *Person {
	return &Person{Workspace: ws, UserID: userID, Name: name, TZ: tz,
		RemindHour: DefaultRemindHour, WorkDays: DefaultWorkDays}
}

// Location returns the person's time zone, UTC when unknown or invalid.
func (p *Person) Location() *time.Location { return LoadLocation(p.TZ) }

// RemindAt renders the reminder time as 09:00.
func (p *Person) RemindAt() string { return fmt.Sprintf("%02d:%02d", p.RemindHour, p.RemindMinute) }

// Validate returns an EINVALID error naming each field that is wrong.
func (p *Person) Validate() error {
	fe := FieldErrors{}
	if p.Workspace == "" {
		fe.Add("workspace", "required")
	}
	if p.UserID == "" {
		fe.Add("user", "required")
	}
	if p.RemindHour < 0 || p.RemindHour > 23 || p.RemindMinute < 0 || p.RemindMinute > 59 {
		fe.Add("at", "reminder time must be between 00:00 and 23:59")
	}
	if p.TZ != "" {
		if _, err := time.LoadLocation(p.TZ); err != nil {
			fe.Add("tz", "unknown time zone %q", p.TZ)
		}
	}
	if p.WorkDays == 0 {
		fe.Add("days", "at least one weekday")
	}
	return fe.Err()
}

// PersonService stores people.
type PersonService interface {
	// FindPerson returns ENOTFOUND when the user is not known in ws.
	FindPerson(ctx context.Context, ws, userID string) (*Person, error)
	// FindPeople returns everyone known, in every workspace when ws is "".
	FindPeople(ctx context.Context, ws string) ([]*Person, error)
	// FindPeopleByID returns those of the users known in ws, in no order.
	FindPeopleByID(ctx context.Context, ws string, userIDs []string) ([]*Person, error)
	// UpsertPerson creates or replaces p.
	UpsertPerson(ctx context.Context, p *Person) error
}

// LoadLocation returns the named zone, or UTC when the name is empty or
// unknown. Zones are read once and kept: time.LoadLocation reads and
// parses the zone file on every call, and the scheduler asks for every
// person's zone each minute.
func LoadLocation(name string) *time.Location {
	if name == "" {
		return time.UTC
	}
	if loc, ok := locations.Load(name); ok {
		return loc.(*time.Location)
	}
	loc, err := time.LoadLocation(name)
	if err != nil {
		return time.UTC
	}
	// Only zones that exist are kept, so the cache holds at most the
	// zone database's few hundred names.
	locations.Store(name, loc)
	return loc
}

// locations caches LoadLocation's zones by name.
var locations sync.Map
