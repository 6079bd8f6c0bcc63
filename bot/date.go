package bot

import (
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"time"
)

// Date is a calendar day with no time of day and no time zone, as meeting and
// due dates are written. The zero Date means "no date".
type Date struct {
	Year  int
	Month time.Month
	Day   int
}

// DateOf returns the calendar day of t in t's own location.
func DateOf(t time.Time) Date {
	y, m, d := t.Date()
	return Date{y, m, d}
}

// NewDate returns the normalised date for y, m, d (so day 32 rolls over).
func NewDate(y int, m time.Month, d int) Date {
	return DateOf(time.Date(y, m, d, 12, 0, 0, 0, time.UTC))
}

// IsZero reports whether d is the zero Date.
func (d Date) IsZero() bool { return d == Date{} }

// String formats d as 2006-01-02, or "" for the zero Date.
func (d Date) String() string {
	if d.IsZero() {
		return ""
	}
	return fmt.Sprintf("%04d-%02d-%02d", d.Year, d.Month, d.Day)
}

// In returns midnight at the start of d in loc.
func (d Date) In(loc *time.Location) time.Time {
	return time.Date(d.Year, d.Month, d.Day, 0, 0, 0, 0, loc)
}

// At returns the instant d at hour:minute in loc. A local time that does not
// exist (it falls in a spring-forward gap) becomes the same distance past
// the gap's start: 02:30 on a day clocks jump from 02:00 to 03:00 is 03:30.
// A local time that happens twice (fall back) is its first occurrence.
func (d Date) At(hour, minute int, loc *time.Location) time.Time {
	t := time.Date(d.Year, d.Month, d.Day, hour, minute, 0, 0, loc)
	if t.Hour() != hour || t.Minute() != minute {
		_, before := t.Zone()
		_, after := t.Add(6 * time.Hour).Zone()
		if shifted := t.Add(time.Duration(after-before) * time.Second); shifted.After(t) {
			t = shifted
		}
	}
	return t
}

func (d Date) noon() time.Time { return time.Date(d.Year, d.Month, d.Day, 12, 0, 0, 0, time.UTC) }

// AddDays returns d moved by n days.
func (d Date) AddDays(n int) Date { return DateOf(d.noon().AddDate(0, 0, n)) }

// Weekday returns the day of the week of d.
func (d Date) Weekday() time.Weekday { return d.noon().Weekday() }

// Compare returns -1, 0 or +1 as d is before, equal to or after o.
func (d Date) Compare(o Date) int {
	switch {
	case d.Year != o.Year:
		return cmpInt(d.Year, o.Year)
	case d.Month != o.Month:
		return cmpInt(int(d.Month), int(o.Month))
	default:
		return cmpInt(d.Day, o.Day)
	}
}

func cmpInt(a, b int) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}

// Before reports whether d is before o.
func (d Date) Before(o Date) bool { return d.Compare(o) < 0 }

// After reports whether d is after o.
func (d Date) After(o Date) bool { return d.Compare(o) > 0 }

// DaysUntil returns the number of days from d to o (negative if o is earlier).
func (d Date) DaysUntil(o Date) int {
	return int(o.noon().Sub(d.noon()).Hours() / 24)
}

// WeekStart returns the Monday of d's ISO week.
func (d Date) WeekStart() Date {
	off := (int(d.Weekday()) + 6) % 7 // Monday=0 ... Sunday=6
	return d.AddDays(-off)
}

// ISOWeek returns d's ISO 8601 year and week, e.g. "2026-W48".
func (d Date) ISOWeek() string {
	y, w := d.noon().ISOWeek()
	return fmt.Sprintf("%04d-W%02d", y, w)
}

// ParseISODate parses 2006-01-02. An empty string gives the zero Date.
func ParseISODate(s string) (Date, error) {
	if s == "" {
		return Date{}, nil
	}
	t, err := time.Parse("2006-01-02", s)
	if err != nil {
		return Date{}, fmt.Errorf("bad date %q: %w", s, err)
	}
	return DateOf(t), nil
}

// Date states: a meeting date that is not a day yet. They are kept as
// states, not treated as errors.
const (
	DatePending = "Pending"
	DateTBD     = "TBD"
	DateNA      = "N/A"
)

// ParseDateStatus recognises the words that mean "no date yet" and returns
// the canonical state (DatePending, DateTBD or DateNA).
func ParseDateStatus(s string) (string, bool) {
	switch strings.ToLower(strings.Trim(strings.TrimSpace(s), ".")) {
	case "pending", "pend", "pending confirmation":
		return DatePending, true
	case "tbd", "tba", "to be determined", "to be decided", "tbc":
		return DateTBD, true
	case "n/a", "na", "n.a", "not applicable", "none":
		return DateNA, true
	}
	return "", false
}

// DateFormsHelp lists the accepted date forms for error messages and help.
const DateFormsHelp = "2026-11-30, 11/30/2026, 11/30/26, 30-Nov, Dec 5, today, tomorrow, friday, next week, in 3 days"

var (
	reISO      = regexp.MustCompile(`^(\d{4})-(\d{1,2})-(\d{1,2})$`)
	reSlash    = regexp.MustCompile(`^(\d{1,2})/(\d{1,2})(?:/(\d{2}|\d{4}))?$`)
	reDayMon   = regexp.MustCompile(`^(\d{1,2})[- ]([a-z]{3,9})\.?(?:[- ,]+(\d{2}|\d{4}))?$`)
	reMonDay   = regexp.MustCompile(`^([a-z]{3,9})\.? (\d{1,2})(?:st|nd|rd|th)?(?:,? (\d{4}))?$`)
	reIn       = regexp.MustCompile(`^in (\d+|a|an|one|two|three) (day|days|week|weeks|month|months)$`)
	reSpaceRun = regexp.MustCompile(`\s+`)
)

var monthNames = map[string]time.Month{}

var weekdayNames = map[string]time.Weekday{}

func init() {
	for m := time.January; m <= time.December; m++ {
		name := strings.ToLower(m.String())
		monthNames[name] = m
		monthNames[name[:3]] = m
	}
	monthNames["sept"] = time.September
	for d := time.Sunday; d <= time.Saturday; d++ {
		name := strings.ToLower(d.String())
		weekdayNames[name] = d
		weekdayNames[name[:3]] = d
	}
	weekdayNames["tues"] = time.Tuesday
	weekdayNames["thur"] = time.Thursday
	weekdayNames["thurs"] = time.Thursday
}

// ParseDate parses a date written by a person, relative to today. See
// ParseDateDetail for the forms. It reads dates the way a meeting date is
// meant: a weekday name is the next such day, today included, and a date
// without a year is the one nearest to today. Due and snooze dates, which
// point forward, use ParseDueDate.
func ParseDate(s string, today Date) (Date, error) {
	d, _, err := ParseDateDetail(s, today)
	return d, err
}

// ParseDueDate parses a date that names a deadline or the end of a snooze,
// relative to today. It accepts the forms of ParseDateDetail, read forward:
// a weekday name is its next occurrence after today (on a Monday, "monday"
// is a week away), and a date without a year is the next such day to come
// (today included).
func ParseDueDate(s string, today Date) (Date, error) {
	d, _, err := parseDate(s, today, true)
	return d, err
}

// ParseDateDetail parses the date forms of the command language and of the
// legacy spreadsheet: 2026-11-30, 11/30/2026, 11/30/26, 11/30, 30-Nov,
// 30 Nov 2026, Dec 5, December 5, 2026, today, tomorrow, yesterday, a weekday
// name (the next such day, today included), next <weekday> (that day in next
// week), last <weekday>, next week (its Monday), in N days|weeks|months.
// Slashed dates are month first (11/30); a first number above 12 is refused
// with that explanation. Two-digit years are 20xx; years outside 1900-2999
// are refused. When the year is missing it is chosen to put the date
// nearest to today, and yearInferred is true.
func ParseDateDetail(s string, today Date) (d Date, yearInferred bool, err error) {
	return parseDate(s, today, false)
}

// parseDate parses s relative to today; forward reads weekday names and
// dates without a year as the next ones to come (see ParseDueDate).
func parseDate(s string, today Date, forward bool) (d Date, yearInferred bool, err error) {
	in := reSpaceRun.ReplaceAllString(strings.ToLower(strings.TrimSpace(s)), " ")
	in = strings.TrimSuffix(in, ".")
	bad := func() (Date, bool, error) {
		return Date{}, false, Errorf(EINVALID, "%q is not a date I understand; try %s", s, DateFormsHelp)
	}
	if in == "" {
		return bad()
	}
	switch in {
	case "today", "now":
		return today, false, nil
	case "tomorrow", "tmrw", "tmr":
		return today.AddDays(1), false, nil
	case "yesterday":
		return today.AddDays(-1), false, nil
	case "next week":
		return today.WeekStart().AddDays(7), false, nil
	case "end of week", "eow", "this week":
		return today.WeekStart().AddDays(4), false, nil
	}
	if wd, ok := weekdayNames[in]; ok {
		ahead := (int(wd) - int(today.Weekday()) + 7) % 7
		if forward && ahead == 0 {
			ahead = 7
		}
		return today.AddDays(ahead), false, nil
	}
	if rest, ok := strings.CutPrefix(in, "next "); ok {
		if wd, ok := weekdayNames[rest]; ok {
			return today.WeekStart().AddDays(7 + (int(wd)+6)%7), false, nil
		}
	}
	if rest, ok := strings.CutPrefix(in, "last "); ok {
		if wd, ok := weekdayNames[rest]; ok {
			back := (int(today.Weekday()) - int(wd) + 7) % 7
			if back == 0 {
				back = 7
			}
			return today.AddDays(-back), false, nil
		}
	}
	if m := reIn.FindStringSubmatch(in); m != nil {
		n := map[string]int{"a": 1, "an": 1, "one": 1, "two": 2, "three": 3}[m[1]]
		if n == 0 {
			n, _ = strconv.Atoi(m[1])
		}
		if n > 3660 {
			return bad()
		}
		switch {
		case strings.HasPrefix(m[2], "day"):
			return today.AddDays(n), false, nil
		case strings.HasPrefix(m[2], "week"):
			return today.AddDays(7 * n), false, nil
		default:
			return DateOf(today.noon().AddDate(0, n, 0)), false, nil
		}
	}
	var y, day int
	var mon time.Month
	yearText := ""
	switch {
	case reISO.MatchString(in):
		m := reISO.FindStringSubmatch(in)
		y, _ = strconv.Atoi(m[1])
		mi, _ := strconv.Atoi(m[2])
		mon = time.Month(mi)
		day, _ = strconv.Atoi(m[3])
		yearText = m[1]
	case reSlash.MatchString(in):
		m := reSlash.FindStringSubmatch(in)
		mi, _ := strconv.Atoi(m[1])
		mon = time.Month(mi)
		day, _ = strconv.Atoi(m[2])
		yearText = m[3]
		if mi > 12 && day >= 1 && day <= 12 {
			swapped := fmt.Sprintf("%d/%d", day, mi)
			if yearText != "" {
				swapped += "/" + yearText
			}
			return Date{}, false, Errorf(EINVALID, "%q: dates with slashes are month first (MM/DD/YYYY); did you mean %s? "+
				"2026-11-13 or 13-Nov are never ambiguous.", s, swapped)
		}
	case reDayMon.MatchString(in):
		m := reDayMon.FindStringSubmatch(in)
		var ok bool
		if mon, ok = monthNames[m[2]]; !ok {
			return bad()
		}
		day, _ = strconv.Atoi(m[1])
		yearText = m[3]
	case reMonDay.MatchString(in):
		m := reMonDay.FindStringSubmatch(in)
		var ok bool
		if mon, ok = monthNames[m[1]]; !ok {
			return bad()
		}
		day, _ = strconv.Atoi(m[2])
		yearText = m[3]
	default:
		return bad()
	}
	switch len(yearText) {
	case 4:
		y, _ = strconv.Atoi(yearText)
	case 2:
		yy, _ := strconv.Atoi(yearText)
		y = 2000 + yy
	case 0:
		yearInferred = true
		if forward {
			y = nextYear(mon, day, today)
		} else {
			y = nearestYear(mon, day, today)
		}
	}
	if mon < time.January || mon > time.December || day < 1 || day > daysIn(mon, y) || y < 1900 || y > 2999 {
		return bad()
	}
	return Date{y, mon, day}, yearInferred, nil
}

// nextYear picks the first year, from today's on, in which month/day is
// today or later (Feb 29 waits for a leap year).
func nextYear(mon time.Month, day int, today Date) int {
	for y := today.Year; y < today.Year+8; y++ {
		if day <= daysIn(mon, y) && !(Date{y, mon, day}).Before(today) {
			return y
		}
	}
	return today.Year
}

// nearestYear picks the year that puts month/day closest to today.
func nearestYear(mon time.Month, day int, today Date) int {
	best, bestDist := today.Year, 1<<30
	for _, y := range []int{today.Year - 1, today.Year, today.Year + 1} {
		if day > daysIn(mon, y) {
			continue
		}
		dist := today.DaysUntil(Date{y, mon, day})
		if dist < 0 {
			dist = -dist
		}
		if dist < bestDist {
			best, bestDist = y, dist
		}
	}
	return best
}

func daysIn(m time.Month, y int) int {
	return time.Date(y, m+1, 0, 12, 0, 0, 0, time.UTC).Day()
}

// MarshalText renders d as 2006-01-02 ("" for the zero Date).
func (d Date) MarshalText() ([]byte, error) { return []byte(d.String()), nil }

// UnmarshalText parses 2006-01-02; "" gives the zero Date.
func (d *Date) UnmarshalText(b []byte) error {
	v, err := ParseISODate(string(b))
	if err != nil {
		return err
	}
	*d = v
	return nil
}
