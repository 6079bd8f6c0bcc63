package postgres_test

import (
	"context"
	"testing"
	"time"

	"github.com/getbackhq/getback/storage/postgres"
	"github.com/getbackhq/getback/storage/postgres/pgtest"
	"github.com/getbackhq/getback/storage/storetest"
)

// open returns a store on a fresh schema, on the clock now.
func open(t testing.TB, now func() time.Time) *postgres.DB {
	t.Helper()
	db, err := postgres.Open(context.Background(), pgtest.URL(t), postgres.WithClock(now))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	return db
}

// TestContract holds the PostgreSQL store to the contract every store
// keeps.
func TestContract(t *testing.T) {
	storetest.Run(t, func(t testing.TB, now func() time.Time) storetest.Store { return open(t, now) })
}
