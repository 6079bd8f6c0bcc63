package sqlite

import (
	"context"

	"github.com/getbackhq/getback/bot"
	"github.com/getbackhq/getback/storage/sqlstore"
)

const (
	getbackCols = sqlstore.GetbackCols
	getbackFrom = sqlstore.GetbackFrom
)

func scanGetback(sc sqlstore.Row) (*bot.Getback, error) { return sqlstore.ScanGetback(sc) }

func findGetbackByID(ctx context.Context, tx *Tx, ws string, id int64) (*bot.Getback, error) {
	return sqlstore.FindGetbackByID(ctx, tx.shared(), ws, id, false)
}
