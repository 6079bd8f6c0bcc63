package postgres

import (
	"fmt"
	"testing"

	"github.com/jackc/pgx/v5/pgconn"

	"github.com/getbackhq/getback/bot"
)

// TestSchemaRefusalsNameTheFieldNotTheTable reads PostgreSQL's refusals as
// the server reports them: a NOT NULL names the column, a CHECK only its
// constraint, by default "<table>_<column>_check".
func TestSchemaRefusalsNameTheFieldNotTheTable(t *testing.T) {
	for _, tc := range []struct {
		pe   pgconn.PgError
		want string
	}{
		{pgconn.PgError{Code: "23502", TableName: "getbacks", ColumnName: "text"}, "That value is not allowed: the text must not be empty."},
		{pgconn.PgError{Code: "23514", TableName: "getbacks", ConstraintName: "getbacks_text_check"}, "That value is not allowed: the text must not be empty."},
		{pgconn.PgError{Code: "23514", TableName: "meetings", ConstraintName: "meetings_region_check"}, "That value is not allowed: the region must be 1 to 10."},
		{pgconn.PgError{Code: "23514", TableName: "regions", ConstraintName: "regions_digest_hour_check"}, "That value is not allowed: the digest hour must be 0 to 23."},
		{pgconn.PgError{Code: "23514", TableName: "getbacks", ConstraintName: "odd"}, "That value is not allowed."},
		{pgconn.PgError{Code: "22001", TableName: "getbacks", ColumnName: "text"}, "That value is not allowed."},
	} {
		err := formatError(fmt.Errorf("exec: %w", &tc.pe))
		if bot.ErrorCode(err) != bot.EINVALID || bot.ErrorMessage(err) != tc.want {
			t.Errorf("%+v: %v, want %q", tc.pe, err, tc.want)
		}
	}
}
