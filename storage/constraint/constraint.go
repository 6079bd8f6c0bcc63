// Package constraint words the database's refusals of a value — a failed
// CHECK or NOT NULL — for the person who typed it. Both stores report such
// failures with the database's own names (SQLite "getbacks.text" or the
// check's expression, PostgreSQL a column or a constraint name such as
// "getbacks_text_check"); a user should read what is wrong in the
// product's words, never a table name.
package constraint

import (
	"strings"

	"github.com/getbackhq/getback/bot"
)

// field is a constrained column and what its constraint means.
type field struct {
	column string
	words  string
}

// fields lists every column with a CHECK or NOT NULL a user's input can
// reach, the longer names first so that "remind_hour" is found before
// "hour" would be. The words complete "That value is not allowed: ".
var fields = []field{
	{"remind_minute", "the reminder minute must be 0 to 59"},
	{"remind_hour", "the reminder hour must be 0 to 23"},
	{"digest_hour", "the digest hour must be 0 to 23"},
	{"digest_day", "the digest day must be a day of the week"},
	{"date_status", "the date must be a date, Pending, TBD or N/A"},
	{"owner_kind", "the owner must be a person or a label"},
	{"owner", "a getback needs an owner"},
	{"region", "the region must be 1 to 10"},
	{"status", "the status must be open, done or cancelled"},
	{"number", "the number is out of range"},
	{"text", "the text must not be empty"},
	{"action", "unknown change"},
	{"state", "a state is needed"},
	{"workspace", "a workspace is needed"},
}

// Invalid returns the domain error for a value the database refused.
// detail is whatever the database named: a column, "table.column", a
// constraint name or a check's expression. The message names at most the
// field, in words, never a table.
func Invalid(detail string) *bot.Error {
	msg := "That value is not allowed."
	if w := Words(detail); w != "" {
		msg = "That value is not allowed: " + w + "."
	}
	return &bot.Error{Code: bot.EINVALID, Message: msg}
}

// Words returns what the constraint behind detail means, or "" when no
// known column is named in it.
func Words(detail string) string {
	// The outbox's own constraints are not a user's input: no words for
	// them. SQLite names them "outbox.x" or by the check's expression
	// ("status IN ('pending', …)"), PostgreSQL "outbox_x_check".
	if namesColumn(detail, "outbox") || strings.HasPrefix(detail, "outbox_") || namesColumn(detail, "pending") {
		return ""
	}
	for _, f := range fields {
		// PostgreSQL names a column's check "<table>_<column>_check".
		if namesColumn(detail, f.column) || strings.HasSuffix(detail, "_"+f.column+"_check") {
			return f.words
		}
	}
	return ""
}

// namesColumn reports whether column stands in detail as a whole
// identifier (not as part of a longer one such as "remind_hour").
func namesColumn(detail, column string) bool {
	for i := 0; ; {
		j := strings.Index(detail[i:], column)
		if j < 0 {
			return false
		}
		start, end := i+j, i+j+len(column)
		if !identByte(detail, start-1) && !identByte(detail, end) {
			return true
		}
		i = start + 1
	}
}

// identByte reports whether detail[i] exists and can be part of an SQL
// identifier.
func identByte(detail string, i int) bool {
	if i < 0 || i >= len(detail) {
		return false
	}
	c := detail[i]
	return c == '_' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9'
}
