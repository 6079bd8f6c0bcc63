package constraint

import (
	"strings"
	"testing"

	"github.com/getbackhq/getback/bot"
)

func TestInvalidNamesTheFieldNeverATable(t *testing.T) {
	for _, tc := range []struct{ detail, want string }{
		// SQLite NOT NULL: table.column
		{"getbacks.text", "That value is not allowed: the text must not be empty."},
		// SQLite CHECK: the check's expression
		{"text <> ''", "That value is not allowed: the text must not be empty."},
		{"region BETWEEN 1 AND 10", "That value is not allowed: the region must be 1 to 10."},
		{"remind_hour BETWEEN 0 AND 23", "That value is not allowed: the reminder hour must be 0 to 23."},
		{"owner_kind IN ('user', 'label')", "That value is not allowed: the owner must be a person or a label."},
		// PostgreSQL: a column, or the default check name
		{"owner", "That value is not allowed: a getback needs an owner."},
		{"getbacks_text_check", "That value is not allowed: the text must not be empty."},
		{"digest_settings_digest_hour_check", "That value is not allowed: the digest hour must be 0 to 23."},
		{"meetings_date_status_check", "That value is not allowed: the date must be a date, Pending, TBD or N/A."},
		// the outbox's status is not the getback's
		{"outbox.status", "That value is not allowed."},
		{"status IN ('pending', 'sent', 'dead', 'skipped')", "That value is not allowed."},
		{"outbox_status_check", "That value is not allowed."},
		// nothing known
		{"", "That value is not allowed."},
		{"weird_thing_check", "That value is not allowed."},
		{"textual", "That value is not allowed."},
	} {
		err := Invalid(tc.detail)
		if err.Code != bot.EINVALID || err.Message != tc.want {
			t.Errorf("Invalid(%q) = %s %q, want %q", tc.detail, err.Code, err.Message, tc.want)
		}
		for _, table := range []string{"getbacks", "meetings", "digest_settings", "people"} {
			if strings.Contains(err.Message, table) {
				t.Errorf("Invalid(%q) names table %s: %q", tc.detail, table, err.Message)
			}
		}
	}
}

func TestWordsMatchesWholeIdentifiersOnly(t *testing.T) {
	if w := Words("remind_hour BETWEEN 0 AND 23"); !strings.Contains(w, "reminder hour") {
		t.Errorf("remind_hour read as %q", w)
	}
	if w := Words("numbers"); w != "" {
		t.Errorf("numbers read as %q", w)
	}
}
