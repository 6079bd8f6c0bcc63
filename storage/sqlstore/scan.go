package sqlstore

import (
	"fmt"
	"time"

	"github.com/getbackhq/getback/bot"
)

// TimeLayout is how SQLite stores an instant: fixed-width, so that stored
// instants sort as text.
const TimeLayout = "2006-01-02T15:04:05.000000Z"

// FormatTime encodes an instant as SQLite stores it.
func FormatTime(t time.Time) string { return t.UTC().Format(TimeLayout) }

// ParseTime reads an instant stored as text (TimeLayout, or RFC 3339);
// text that is neither reads as the zero time.
func ParseTime(s string) time.Time {
	if s == "" {
		return time.Time{}
	}
	t, err := time.Parse(TimeLayout, s)
	if err != nil {
		t, _ = time.Parse(time.RFC3339Nano, s)
	}
	return t
}

// Time is a scan destination for an instant column, stored as text
// (SQLite) or as a timestamp (PostgreSQL); NULL reads as the zero time.
// The instant is in UTC, but for RFC 3339 text with an offset of its own,
// which keeps it.
type Time struct{ T time.Time }

// Scan implements sql.Scanner.
func (t *Time) Scan(src any) error {
	switch v := src.(type) {
	case nil:
		t.T = time.Time{}
	case string:
		t.T = ParseTime(v)
	case []byte:
		t.T = ParseTime(string(v))
	case time.Time:
		t.T = v.UTC()
	default:
		return fmt.Errorf("sqlstore: cannot read %T as an instant", src)
	}
	return nil
}

// Date is a scan destination for a date column, stored as text (SQLite)
// or as a date (PostgreSQL); NULL reads as the zero date.
type Date struct{ D bot.Date }

// Scan implements sql.Scanner.
func (d *Date) Scan(src any) error {
	switch v := src.(type) {
	case nil:
		d.D = bot.Date{}
	case string:
		d.D, _ = bot.ParseISODate(v)
	case []byte:
		d.D, _ = bot.ParseISODate(string(v))
	case time.Time:
		d.D = bot.DateOf(v)
	default:
		return fmt.Errorf("sqlstore: cannot read %T as a date", src)
	}
	return nil
}
