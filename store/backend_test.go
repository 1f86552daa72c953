package store

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"net/url"
	"os"
	"testing"
)

// The store's tests run on SQLite, and on PostgreSQL when
// GRANTWATCH_TEST_POSTGRES names a server's maintenance database
// (postgres://USER@HOST:PORT/postgres?sslmode=disable): each test then
// gets a database of its own, dropped when it ends. .ci/run starts a
// throwaway cluster (contrib/postgres/tmpcluster.sh) and runs them so.
func openTest(t *testing.T, opts ...Option) (*DB, string) {
	t.Helper()
	base := os.Getenv("GRANTWATCH_TEST_POSTGRES")
	if base == "" {
		return openSQLiteTest(t, opts...)
	}
	dsn := freshPostgres(t, base)
	db, err := Open(context.Background(), dsn, append([]Option{WithClock(fixedClock(t0))}, opts...)...)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	return db, dsn
}

// freshPostgres creates an empty database on the server base names and
// returns its URL; it is dropped when the test ends.
func freshPostgres(t *testing.T, base string) string {
	t.Helper()
	admin, err := sql.Open("pgx", base)
	if err != nil {
		t.Fatal(err)
	}
	var b [6]byte
	rand.Read(b[:])
	name := "gwtest_" + hex.EncodeToString(b[:])
	if _, err := admin.Exec(`CREATE DATABASE ` + name); err != nil {
		admin.Close()
		t.Fatalf("create test database on %s: %v", redactURL(base), err)
	}
	t.Cleanup(func() {
		admin.Exec(`DROP DATABASE IF EXISTS ` + name + ` WITH (FORCE)`)
		admin.Close()
	})
	u, err := url.Parse(base)
	if err != nil {
		t.Fatal(err)
	}
	u.Path = "/" + name
	return u.String()
}

// onPostgres says whether this run's tests are on PostgreSQL.
func onPostgres() bool { return os.Getenv("GRANTWATCH_TEST_POSTGRES") != "" }
