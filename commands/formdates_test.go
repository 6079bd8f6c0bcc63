package commands_test

import (
	"context"
	"testing"
	"time"

	"github.com/getbackhq/getback/bot"
	"github.com/getbackhq/getback/commands"
)

// today is the pinned local day of the env's caller UANA.
func (e *env) today() bot.Date {
	la, _ := time.LoadLocation("America/Los_Angeles")
	return bot.DateOf(e.now.In(la))
}

func formField(t *testing.T, f *bot.Form, key string) bot.FormField {
	t.Helper()
	for _, ff := range f.Fields {
		if ff.Key == key {
			return ff
		}
	}
	t.Fatalf("the form has no %q field", key)
	return bot.FormField{}
}

func TestTheMeetingFormPicksDatesWithinBounds(t *testing.T) {
	e := newEnv(t)
	today := e.today()
	form := e.ok("UANA", "/meeting", "add").Form
	for _, tc := range []struct {
		key      string
		min, max bot.Date
	}{
		{"date", today.AddDays(-366), today.AddDays(366)},
		{"next", today.AddDays(-366), today.AddDays(732)},
	} {
		ff := formField(t, form, tc.key)
		if ff.Kind != bot.FieldDate || ff.MinDate != tc.min.String() || ff.MaxDate != tc.max.String() {
			t.Errorf("%s: kind %s, bounds %s..%s, want a date between %s and %s", tc.key, ff.Kind, ff.MinDate, ff.MaxDate, tc.min, tc.max)
		}
	}
	// Editing a meeting older than the bounds keeps its date selectable.
	old := today.AddDays(-800)
	e.ok("UANA", "/meeting", "add state:Guam date:"+old.String()+" next:"+old.AddDays(7).String())
	edit := e.ok("UANA", "/meeting", "edit 1").Form
	if ff := formField(t, edit, "date"); ff.Value != old.String() || ff.MinDate != old.String() {
		t.Errorf("old meeting's date: %+v", ff)
	}
	if ff := formField(t, edit, "next"); ff.Value != old.AddDays(7).String() || ff.MinDate != old.AddDays(7).String() {
		t.Errorf("old meeting's next engagement: %+v", ff)
	}
}

func TestAFormTakesDatesAsPickersSendThem(t *testing.T) {
	day := func(d bot.Date) string { return d.String() }
	for _, tc := range []struct {
		name       string
		date, next func(bot.Date) string
		wantDate   func(bot.Date) bot.Date
		wantNext   func(bot.Date) bot.Date
		wantStatus string
	}{
		{"ISO dates (Mattermost and Slack date pickers)", func(t bot.Date) string { return day(t.AddDays(-2)) },
			func(t bot.Date) string { return day(t.AddDays(9)) },
			func(t bot.Date) bot.Date { return t.AddDays(-2) }, func(t bot.Date) bot.Date { return t.AddDays(9) }, ""},
		{"date-times in UTC (a datetime element)", func(t bot.Date) string { return day(t.AddDays(-2)) + "T00:00:00Z" },
			func(t bot.Date) string { return day(t.AddDays(9)) + "T15:30:00Z" },
			func(t bot.Date) bot.Date { return t.AddDays(-2) }, func(t bot.Date) bot.Date { return t.AddDays(9) }, ""},
		{"date-times with a zone, or none", func(t bot.Date) string { return day(t.AddDays(-1)) + "T23:00:00-08:00" },
			func(t bot.Date) string { return day(t.AddDays(3)) + "T09:00" },
			func(t bot.Date) bot.Date { return t.AddDays(-1) }, func(t bot.Date) bot.Date { return t.AddDays(3) }, ""},
		{"typed text in a text field", func(bot.Date) string { return "TBD" }, func(bot.Date) string { return "" },
			func(bot.Date) bot.Date { return bot.Date{} }, func(bot.Date) bot.Date { return bot.Date{} }, "TBD"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			e := newEnv(t)
			today := e.today()
			_, err := e.runner.Submit(context.Background(), commands.Submission{Call: e.call("UANA", "", ""), FormID: commands.FormMeetingAdd,
				Values: map[string]string{"state": "Guam", "date": tc.date(today), "next": tc.next(today)}})
			if err != nil {
				t.Fatal(err)
			}
			m, err := e.db.FindMeetingByID(context.Background(), ws, 1)
			if err != nil {
				t.Fatal(err)
			}
			if m.Date != tc.wantDate(today) || m.NextDate != tc.wantNext(today) || m.DateStatus != tc.wantStatus {
				t.Fatalf("date %s (%q), next %s, want %s (%q), %s", m.Date, m.DateStatus, m.NextDate, tc.wantDate(today), tc.wantStatus, tc.wantNext(today))
			}
		})
	}
}
