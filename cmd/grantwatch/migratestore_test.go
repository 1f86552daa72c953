package main

import (
	"path/filepath"
	"strings"
	"testing"

	"github.com/grantwatch/grantwatch/internal/storetest"
)

// migrate-store copies a SQLite store into an empty one (PostgreSQL when
// the tests run on it) and proves it; the copy answers as the original.
func TestMigrateStore(t *testing.T) {
	dir := t.TempDir()
	from := filepath.Join(dir, "gw.db")
	mustGW(t, "--db", from, "import", "../../digest/testdata/digest.txt")
	mustGW(t, "--db", from, "subscriber", "add", "li@example.cn", "--region", "山西")
	mustGW(t, "--db", from, "notify", "--once", "--now", "2019-09-20T09:00:00+08:00", "--smtp", "127.0.0.1:1")
	to := storetest.DSN(t)
	if !storetest.Postgres() {
		to = filepath.Join(dir, "copy.db")
	}
	out := mustGW(t, "migrate-store", "--from", from, "--to", to, "--json")
	lines := jsonLines(t, out)
	if len(lines) < 9 {
		t.Fatalf("report:\n%s", out)
	}
	for _, l := range lines {
		if l["match"] != true {
			t.Errorf("table %v: %v", l["table"], l)
		}
	}
	for _, cmd := range [][]string{{"windows", "--json"}, {"subscriber", "list", "--json"}, {"source", "list", "--json"}, {"notices", "--json"}} {
		a := mustGW(t, append([]string{"--db", from}, cmd...)...)
		b := mustGW(t, append([]string{"--db", to}, cmd...)...)
		if a != b || a == "" {
			t.Errorf("%s differs after the copy:\n%s\n---\n%s", strings.Join(cmd, " "), a, b)
		}
	}
	for _, c := range []struct {
		args []string
		want string
	}{
		{[]string{"migrate-store", "--from", from, "--to", to}, "not empty"},
		{[]string{"migrate-store", "--from", filepath.Join(dir, "missing.db"), "--to", filepath.Join(dir, "x.db")}, "missing.db"},
		{[]string{"migrate-store", "--to", to}, "--from"},
	} {
		r := gw(t, c.args...)
		if r.code != 2 || !strings.Contains(r.stderr, c.want) || strings.Count(strings.TrimSpace(r.stderr), "\n") != 0 {
			t.Errorf("%v: exit %d, stderr %q", c.args, r.code, r.stderr)
		}
	}
}
