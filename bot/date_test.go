package bot

import (
	"strings"
	"testing"
	"time"
)

func TestParseDate(t *testing.T) {
	today := Date{2026, time.November, 26} // a Thursday
	tests := []struct {
		name, in string
		want     Date
		inferred bool
	}{
		{"iso", "2026-11-30", Date{2026, 11, 30}, false},
		{"us long year", "11/30/2026", Date{2026, 11, 30}, false},
		{"us short year", "11/30/26", Date{2026, 11, 30}, false},
		{"sheet single digits", "9/28/2017", Date{2017, 9, 28}, false},
		{"sheet zero padded", "08/19/17", Date{2017, 8, 19}, false},
		{"us no year", "12/5", Date{2026, 12, 5}, true},
		{"day-month", "30-Nov", Date{2026, 11, 30}, true},
		{"day-month sheet", "11-Oct", Date{2026, 10, 11}, true},
		{"day month year", "5 Dec 2026", Date{2026, 12, 5}, false},
		{"month day", "Dec 5", Date{2026, 12, 5}, true},
		{"month day long", "December 5, 2027", Date{2027, 12, 5}, false},
		{"month day ordinal", "Dec 5th", Date{2026, 12, 5}, true},
		{"nearest year backwards", "Jan 3", Date{2027, 1, 3}, true},
		{"nearest year past", "Jul 1", Date{2026, 7, 1}, true},
		{"today", "today", today, false},
		{"tomorrow", "Tomorrow", Date{2026, 11, 27}, false},
		{"yesterday", "yesterday", Date{2026, 11, 25}, false},
		{"weekday later this week", "friday", Date{2026, 11, 27}, false},
		{"weekday is today", "thursday", today, false},
		{"weekday next week", "monday", Date{2026, 11, 30}, false},
		{"weekday abbreviation", "fri", Date{2026, 11, 27}, false},
		{"next weekday", "next friday", Date{2026, 12, 4}, false},
		{"last weekday", "last friday", Date{2026, 11, 20}, false},
		{"next week", "next week", Date{2026, 11, 30}, false},
		{"in days", "in 3 days", Date{2026, 11, 29}, false},
		{"in a week", "in a week", Date{2026, 12, 3}, false},
		{"in weeks", "in 2 weeks", Date{2026, 12, 10}, false},
		{"in months", "in 1 month", Date{2026, 12, 26}, false},
		{"extra spaces", "  in   3  days ", Date{2026, 11, 29}, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, inferred, err := ParseDateDetail(tt.in, today)
			if err != nil {
				t.Fatalf("ParseDateDetail(%q): %v", tt.in, err)
			}
			if got != tt.want || inferred != tt.inferred {
				t.Errorf("ParseDateDetail(%q) = %s inferred=%v, want %s inferred=%v", tt.in, got, inferred, tt.want, tt.inferred)
			}
		})
	}
}

func TestParseDateRejects(t *testing.T) {
	today := Date{2026, time.November, 26}
	for _, in := range []string{"", "soon", "13/01/2026", "2/30/2026", "2026-02-30", "32-Nov", "Foo 5", "in 99999 days", "11/30/1", "next month"} {
		t.Run(in, func(t *testing.T) {
			if d, err := ParseDate(in, today); err == nil {
				t.Fatalf("ParseDate(%q) = %s, want an error", in, d)
			} else if ErrorCode(err) != EINVALID {
				t.Fatalf("ParseDate(%q) error code = %s, want %s", in, ErrorCode(err), EINVALID)
			}
		})
	}
}

func TestParseDueDateReadsForward(t *testing.T) {
	monday := Date{2026, time.November, 23}
	tests := []struct {
		name, in string
		today    Date
		want     Date
	}{
		{"today's weekday is a week away", "monday", monday, Date{2026, 11, 30}},
		{"a later weekday this week", "friday", monday, Date{2026, 11, 27}},
		{"an earlier weekday is next week's", "sunday", Date{2026, 11, 24}, Date{2026, 11, 29}},
		{"a month and day already past this year", "Oct 11", monday, Date{2027, 10, 11}},
		{"a month and day still to come", "Dec 5", monday, Date{2026, 12, 5}},
		{"a month and day that is today", "Nov 23", monday, monday},
		{"a slashed date without a year", "1/3", monday, Date{2027, 1, 3}},
		{"a day-month date", "11-Oct", monday, Date{2027, 10, 11}},
		{"February 29 waits for a leap year", "Feb 29", monday, Date{2028, 2, 29}},
		{"a full date is as written", "2025-01-01", monday, Date{2025, 1, 1}},
		{"next weekday", "next monday", monday, Date{2026, 11, 30}},
		{"tomorrow", "tomorrow", monday, Date{2026, 11, 24}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := ParseDueDate(tt.in, tt.today)
			if err != nil || got != tt.want {
				t.Errorf("ParseDueDate(%q, %s) = %s %v, want %s", tt.in, tt.today, got, err, tt.want)
			}
		})
	}
	// A meeting date keeps the nearest reading.
	if got, _ := ParseDate("monday", monday); got != monday {
		t.Errorf("ParseDate(monday) on a Monday = %s, want today", got)
	}
	if got, _ := ParseDate("Oct 11", monday); got != (Date{2026, 10, 11}) {
		t.Errorf("ParseDate(Oct 11) = %s, want the nearest", got)
	}
}

func TestDayFirstDatesAreExplained(t *testing.T) {
	today := Date{2026, time.November, 26}
	for in, want := range map[string]string{
		"13/11/2026": "did you mean 11/13/2026?",
		"25/12":      "did you mean 12/25?",
		"31/1/26":    "did you mean 1/31/26?",
	} {
		for _, parse := range []func(string, Date) (Date, error){ParseDate, ParseDueDate} {
			_, err := parse(in, today)
			if ErrorCode(err) != EINVALID || !strings.Contains(ErrorMessage(err), "month first (MM/DD/YYYY); "+want) {
				t.Errorf("%q: %v, want an explanation ending %q", in, err, want)
			}
		}
	}
}

func TestParseDateStatus(t *testing.T) {
	for in, want := range map[string]string{"Pending": DatePending, "TBD": DateTBD, "tba": DateTBD, "N/A": DateNA, "na": DateNA} {
		if got, ok := ParseDateStatus(in); !ok || got != want {
			t.Errorf("ParseDateStatus(%q) = %q %v, want %q", in, got, ok, want)
		}
	}
	if _, ok := ParseDateStatus("2026-01-01"); ok {
		t.Error("a date is not a date status")
	}
}

func TestWeeks(t *testing.T) {
	d := Date{2026, time.November, 26}
	if got := d.WeekStart(); got != (Date{2026, 11, 23}) {
		t.Errorf("WeekStart = %s", got)
	}
	if got := (Date{2026, 11, 29}).WeekStart(); got != (Date{2026, 11, 23}) {
		t.Errorf("Sunday's WeekStart = %s, want the Monday before", got)
	}
	if got := d.ISOWeek(); got != "2026-W48" {
		t.Errorf("ISOWeek = %s", got)
	}
	if got := (Date{2027, 1, 1}).ISOWeek(); got != "2026-W53" {
		t.Errorf("ISOWeek of 2027-01-01 = %s, want 2026-W53", got)
	}
	if n := (Date{2026, 3, 1}).DaysUntil(Date{2026, 3, 31}); n != 30 {
		t.Errorf("DaysUntil = %d across a DST change", n)
	}
	// CoveredWeek: Monday to Wednesday recap the previous week.
	for day, want := range map[Date]Date{
		{2026, 11, 23}: {2026, 11, 16}, {2026, 11, 25}: {2026, 11, 16},
		{2026, 11, 26}: {2026, 11, 23}, {2026, 11, 29}: {2026, 11, 23},
	} {
		if got := CoveredWeek(day); got != want {
			t.Errorf("CoveredWeek(%s) = %s, want %s", day, got, want)
		}
	}
}

func TestDateText(t *testing.T) {
	var d Date
	if err := d.UnmarshalText([]byte("2026-02-03")); err != nil || d != (Date{2026, 2, 3}) {
		t.Fatalf("UnmarshalText = %v %v", d, err)
	}
	if b, _ := d.MarshalText(); string(b) != "2026-02-03" {
		t.Fatalf("MarshalText = %s", b)
	}
	if err := d.UnmarshalText([]byte("03/02/2026")); err == nil {
		t.Fatal("UnmarshalText accepts only ISO dates")
	}
}

func FuzzParseDate(f *testing.F) {
	for _, s := range []string{"2026-11-30", "11/30/2026", "11/30/26", "30-Nov", "today", "tomorrow", "friday",
		"next week", "in 3 days", "9/28/2017", "08/19/17", "11-Oct", "Pending", "N/A", "TBD", "2/30/2026",
		"in 99999999999 days", "13/45/99", "next next friday", "-1/-1/-1", "0000-00-00", "\x00", "In 3 Days."} {
		f.Add(s)
	}
	today := Date{Year: 2026, Month: 11, Day: 26}
	f.Fuzz(func(t *testing.T, s string) {
		d, err := ParseDate(s, today)
		if err != nil {
			if ErrorCode(err) != EINVALID || ErrorMessage(err) == "" {
				t.Fatalf("%q: error without a clear message: %v", s, err)
			}
			return
		}
		if d.IsZero() || d.Month < 1 || d.Month > 12 || d.Day < 1 || d.Day > 31 || d.Year < 1900 || d.Year > 2999 {
			t.Fatalf("%q parsed to an impossible date %+v", s, d)
		}
		// What a date prints as parses back to the same date.
		back, err := ParseDate(d.String(), today)
		if err != nil || back != d {
			t.Fatalf("%q -> %s -> %v %v", s, d, back, err)
		}
	})
}
