package store

import (
	"context"
	"testing"

	"github.com/grantwatch/grantwatch/internal/storetest"
)

// openTest opens a fresh store on the backend under test: SQLite, or
// PostgreSQL when GRANTWATCH_TEST_POSTGRES is set (see internal/storetest).
func openTest(t *testing.T, opts ...Option) (*DB, string) {
	t.Helper()
	if !storetest.Postgres() {
		return openSQLiteTest(t, opts...)
	}
	dsn := storetest.DSN(t)
	db, err := Open(context.Background(), dsn, append([]Option{WithClock(fixedClock(t0))}, opts...)...)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	return db, dsn
}
