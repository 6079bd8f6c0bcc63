package sqlite

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
)

// Backup writes a consistent copy of the database to path while it stays
// in use (SQLite's VACUUM INTO: one read transaction's snapshot, so
// writes made meanwhile are simply not in it). The copy is a complete
// database file, compacted; restoring is putting it in place of the
// database while getback is stopped. An existing file is not overwritten.
func (db *DB) Backup(ctx context.Context, path string) error {
	if db.memory {
		return errors.New("backup: an in-memory database has no file to copy")
	}
	abs, err := filepath.Abs(path)
	if err != nil {
		return err
	}
	if _, err := os.Stat(abs); err == nil {
		return fmt.Errorf("backup: %s exists; choose a new file name", path)
	}
	if _, err := db.rdb.ExecContext(ctx, `VACUUM INTO ?`, abs); err != nil {
		os.Remove(abs)
		return fmt.Errorf("backup to %s: %w", path, err)
	}
	return nil
}
