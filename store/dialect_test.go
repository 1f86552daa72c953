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
