package sqlite

import (
	"github.com/getbackhq/getback/bot"
	"github.com/getbackhq/getback/storage/sqlstore"
)

const (
	getbackCols = sqlstore.GetbackCols
	getbackFrom = sqlstore.GetbackFrom
)

func scanGetback(sc sqlstore.Row) (*bot.Getback, error) { return sqlstore.ScanGetback(sc) }
