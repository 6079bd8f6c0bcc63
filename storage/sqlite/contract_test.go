package sqlite_test

import (
	"context"
	"path/filepath"
	"testing"
	"time"

	"github.com/getbackhq/getback/storage/sqlite"
	"github.com/getbackhq/getback/storage/storetest"
)

// TestContract holds the SQLite store to the contract every store keeps.
func TestContract(t *testing.T) {
	storetest.Run(t, func(t testing.TB, now func() time.Time) storetest.Store {
		db, err := sqlite.Open(context.Background(), filepath.Join(t.TempDir(), "getback.db"), sqlite.WithClock(now))
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { db.Close() })
		return db
	})
}
