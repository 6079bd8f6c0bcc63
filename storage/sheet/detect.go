package sheet

import (
	"errors"
	"io"
)

// HasHeader reports whether r holds a header row that the importer
// recognises (Region, State, Meeting Date, ...), reading rows only until
// it finds one. A file without one has nothing to import: every row
// would be skipped.
func HasHeader(r Reader) (bool, error) {
	for {
		row, err := r.Next()
		if errors.Is(err, io.EOF) {
			return false, nil
		}
		if err != nil {
			return false, err
		}
		if exportOnly(row.Sheet) {
			continue
		}
		if _, ok := headerOf(row.Cells); ok {
			return true, nil
		}
	}
}
