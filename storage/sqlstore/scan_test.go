package sqlstore

import (
	"testing"
	"time"

	"github.com/getbackhq/getback/bot"
)

func TestTimeReadsTextAndTimestampsAsTheSameInstant(t *testing.T) {
	want := time.Date(2026, 11, 30, 14, 5, 6, 123456000, time.UTC)
	honolulu := time.FixedZone("HST", -10*3600)
	for name, src := range map[string]any{
		"stored text":   FormatTime(want),
		"stored bytes":  []byte(FormatTime(want)),
		"RFC 3339 text": want.In(honolulu).Format(time.RFC3339Nano),
		"timestamptz":   want.In(honolulu),
	} {
		t.Run(name, func(t *testing.T) {
			var got Time
			if err := got.Scan(src); err != nil {
				t.Fatal(err)
			}
			if !got.T.Equal(want) {
				t.Errorf("Scan(%v) = %v, want %v", src, got.T, want)
			}
			if _, legacy := src.(string); got.T.Location() != time.UTC && !(legacy && name == "RFC 3339 text") {
				t.Errorf("Scan(%v) = %v, want it in UTC", src, got.T)
			}
		})
	}
	got := Time{T: want}
	if err := got.Scan(nil); err != nil || !got.T.IsZero() {
		t.Errorf("Scan(nil) = %v, %v; want the zero time", got.T, err)
	}
	if err := got.Scan(42); err == nil {
		t.Error("Scan(42) succeeded; want an error")
	}
}

func TestDateReadsTextAndDatesAsTheSameDay(t *testing.T) {
	want := bot.NewDate(2026, 11, 30)
	for name, src := range map[string]any{
		"stored text": "2026-11-30",
		"date":        time.Date(2026, 11, 30, 0, 0, 0, 0, time.UTC),
	} {
		t.Run(name, func(t *testing.T) {
			var got Date
			if err := got.Scan(src); err != nil {
				t.Fatal(err)
			}
			if got.D != want {
				t.Errorf("Scan(%v) = %v, want %v", src, got.D, want)
			}
		})
	}
	got := Date{D: want}
	if err := got.Scan(nil); err != nil || !got.D.IsZero() {
		t.Errorf("Scan(nil) = %v, %v; want the zero date", got.D, err)
	}
}

func TestFormatTimeSortsAsTheInstantsDo(t *testing.T) {
	early := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
	late := early.Add(time.Microsecond)
	if a, b := FormatTime(early), FormatTime(late); !(a < b) || len(a) != len(b) {
		t.Errorf("FormatTime: %q, %q; want fixed width, ascending", a, b)
	}
}
