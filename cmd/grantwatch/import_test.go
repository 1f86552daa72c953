package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/grantwatch/grantwatch/internal/testdoc"
)

func TestImportCommand(t *testing.T) {
	dir := t.TempDir()
	db := filepath.Join(dir, "gw.db")
	fixture := filepath.Join("..", "..", "digest", "testdata", "digest.txt")

	// A dry run prints the items and writes nothing, not even the file.
	out := mustGW(t, "--db", db, "import", "--dry-run", fixture)
	if !strings.Contains(out, "关于组织申报2021年度某某省智能制造示范项目的通知") || !strings.Contains(out, "nothing was written") {
		t.Errorf("dry run output:\n%s", out)
	}
	if _, err := os.Stat(db); !os.IsNotExist(err) {
		t.Fatalf("dry run created the database: %v", err)
	}
	plan := jsonLines(t, mustGW(t, "import", "--dry-run", "--json", fixture))
	if len(plan) != 3 || plan[1]["application_url"] != "http://198.51.100.7:8080/sbxt" {
		t.Errorf("dry run JSON: %v", plan)
	}

	out = mustGW(t, "--db", db, "import", fixture)
	if !strings.Contains(out, "3 items; notices 3 new") || !strings.Contains(out, "sources 3 added") {
		t.Errorf("import output: %s", out)
	}
	ws := jsonLines(t, mustGW(t, "--db", db, "windows", "--json"))
	if len(ws) != 3 {
		t.Fatalf("windows: %v", ws)
	}
	for _, w := range ws {
		for _, k := range []string{"notice_url", "title", "what", "opens", "closes", "closes_time"} {
			if _, ok := w[k]; !ok {
				t.Errorf("window lacks %q: %v", k, w)
			}
		}
	}
	out = mustGW(t, "import", fixture, "--db", db)
	if !strings.Contains(out, "imported before") || !strings.Contains(out, "notices 0 new, 0 updated, 3 unchanged") || !strings.Contains(out, "sources 0 added") {
		t.Errorf("second import: %s", out)
	}
	if srcs := jsonLines(t, mustGW(t, "--db", db, "source", "list", "--json")); len(srcs) != 3 {
		t.Errorf("sources after two imports: %d", len(srcs))
	}

	r := gw(t, "--db", db, "import", filepath.Join(dir, "missing.txt"))
	if r.code != 2 || !strings.Contains(r.stderr, "missing.txt") {
		t.Errorf("missing file: exit %d, %q", r.code, r.stderr)
	}
	r = gw(t, "--db", db, "import")
	if r.code != 2 {
		t.Errorf("no file: exit %d", r.code)
	}
}

// A digest as a PDF goes through the same text conversion as attachments.
func TestImportPDF(t *testing.T) {
	dir := t.TempDir()
	pdf := filepath.Join(dir, "digest.pdf")
	os.WriteFile(pdf, testdoc.PDF("[申报通知]", "关于组织申报2021年度某某省科技创新券的通知", "各有关单位：",
		"请于2021年9月20日前将申报材料报送省科技厅。", "某某省科学技术厅", "2021年9月1日", "相关链接：", "http://kjt.example.gov.cn/tzgg/1.html"), 0o600)
	db := filepath.Join(dir, "gw.db")
	out := mustGW(t, "--db", db, "import", pdf)
	if !strings.Contains(out, "1 items; notices 1 new") {
		t.Fatalf("import of a PDF:\n%s", out)
	}
	ws := jsonLines(t, mustGW(t, "--db", db, "windows", "--json"))
	if len(ws) != 1 || ws[0]["closes"] != "2021-09-20" || ws[0]["notice_url"] != "http://kjt.example.gov.cn/tzgg/1.html" {
		t.Errorf("windows %v", ws)
	}
}
