package store

import "testing"

func TestRebind(t *testing.T) {
	for _, c := range []struct{ in, want string }{
		{`SELECT 1`, `SELECT 1`},
		{`SELECT a FROM t WHERE b = ? AND c = ?`, `SELECT a FROM t WHERE b = $1 AND c = $2`},
		{`SELECT '?', "a?b" FROM t WHERE x LIKE ? ESCAPE '\'`, `SELECT '?', "a?b" FROM t WHERE x LIKE $1 ESCAPE '\'`},
		{"SELECT 'it''s ?' -- why?\nFROM t WHERE a = ?", "SELECT 'it''s ?' -- why?\nFROM t WHERE a = $1"},
		{`VALUES (?, ?, ?)`, `VALUES ($1, $2, $3)`},
		{`SELECT 'unterminated ?`, `SELECT 'unterminated ?`},
	} {
		if got := rebind(c.in); got != c.want {
			t.Errorf("rebind(%q) = %q, want %q", c.in, got, c.want)
		}
	}
}

func TestShown(t *testing.T) {
	for _, c := range []struct{ in, want string }{
		{"grantwatch.db", "grantwatch.db"},
		{"/var/lib/grantwatch/gw.db", "/var/lib/grantwatch/gw.db"},
		{"postgres://gw:s3cret@db.example:5432/gw?sslmode=verify-full", "postgres://gw:xxxxx@db.example:5432/gw?sslmode=verify-full"},
		{"postgresql://gw@127.0.0.1/gw", "postgresql://gw@127.0.0.1/gw"},
	} {
		if got := Shown(c.in); got != c.want {
			t.Errorf("Shown(%q) = %q, want %q", c.in, got, c.want)
		}
	}
}
