// Package storetest gives tests a fresh store to open: a SQLite file in the
// test's temporary folder, or, when GRANTWATCH_TEST_POSTGRES names a
// PostgreSQL server's maintenance database
// (postgres://USER@HOST:PORT/postgres?sslmode=disable), a database of its
// own on that server, dropped when the test ends. .ci/run starts a
// throwaway cluster (contrib/postgres/tmpcluster.sh) and runs the tests of
// every package that stores through it on both backends.
package storetest

import (
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"net/url"
	"os"
	"path/filepath"
	"testing"

	_ "github.com/jackc/pgx/v5/stdlib" // the database/sql driver "pgx"
)

// Env is the variable naming the PostgreSQL server tests may use.
const Env = "GRANTWATCH_TEST_POSTGRES"

// Postgres says whether this run's stores are on PostgreSQL.
func Postgres() bool { return os.Getenv(Env) != "" }

// DSN returns what to pass to store.Open for a fresh, empty store.
func DSN(t testing.TB) string {
	t.Helper()
	base := os.Getenv(Env)
	if base == "" {
		return filepath.Join(t.TempDir(), "gw.db")
	}
	return FreshPostgres(t, base)
}

// FreshPostgres creates an empty database on the server base names and
// returns its URL; it is dropped when the test ends.
func FreshPostgres(t testing.TB, base string) string {
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
		t.Fatalf("create a test database on %s: %v", redact(base), err)
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

func redact(s string) string {
	u, err := url.Parse(s)
	if err != nil {
		return "postgres://…"
	}
	return u.Redacted()
}
