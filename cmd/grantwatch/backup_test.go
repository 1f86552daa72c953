package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestBackupAndRestore(t *testing.T) {
	dir := t.TempDir()
	db := filepath.Join(dir, "gw.db")
	mustGW(t, "--db", db, "import", filepath.Join("..", "..", "digest", "testdata", "digest.txt"))
	mustGW(t, "--db", db, "subscriber", "add", "li@example.cn")
	bak := filepath.Join(dir, "backup.db")
	out := mustGW(t, "--db", db, "backup", bak)
	if !strings.Contains(out, "backed up") {
		t.Errorf("backup output %q", out)
	}
	fi, err := os.Stat(bak)
	if err != nil || fi.Mode().Perm() != 0o600 {
		t.Fatalf("backup file %v %v", fi, err)
	}
	// Restore: the copy is a complete database.
	if ws := jsonLines(t, mustGW(t, "--db", bak, "windows", "--json")); len(ws) != 3 {
		t.Errorf("windows in the backup: %d", len(ws))
	}
	if subs := jsonLines(t, mustGW(t, "--db", bak, "subscriber", "list", "--json")); len(subs) != 1 {
		t.Errorf("subscribers in the backup: %d", len(subs))
	}
	if r := gw(t, "--db", db, "backup", bak); r.code != 2 || !strings.Contains(r.stderr, "backup.db") {
		t.Errorf("existing target: exit %d %q", r.code, r.stderr)
	}
	if r := gw(t, "--db", db, "backup", filepath.Join(dir, "no", "such", "x.db")); r.code != 2 {
		t.Errorf("bad target dir: exit %d %q", r.code, r.stderr)
	}
}
