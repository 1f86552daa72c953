package main

import (
	"bytes"
	"encoding/json"
	"math/rand"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"unicode/utf8"
)

// wantOneLine checks a refusal: exit 2 and one stderr line naming each of
// culprits.
func wantOneLine(t *testing.T, r result, culprits ...string) {
	t.Helper()
	if r.code != 2 {
		t.Errorf("exit %d, want 2 (stderr %q)", r.code, r.stderr)
	}
	if strings.Count(r.stderr, "\n") != 1 {
		t.Errorf("stderr should be one line: %q", r.stderr)
	}
	for _, c := range culprits {
		if !strings.Contains(r.stderr, c) {
			t.Errorf("stderr %q does not name %q", r.stderr, c)
		}
	}
}

// --db never follows a link nor opens a device or a directory: each is
// refused with one line, and what it points at is left as it was.
func TestDBPathNotRegular(t *testing.T) {
	dir := t.TempDir()
	target := filepath.Join(dir, "precious.txt")
	if err := os.WriteFile(target, []byte("keep me"), 0o644); err != nil {
		t.Fatal(err)
	}
	linkToFile := filepath.Join(dir, "file-link.db")
	missing := filepath.Join(dir, "would-be-created.db")
	linkToMissing := filepath.Join(dir, "missing-link.db")
	sub := filepath.Join(dir, "a-directory.db")
	for _, err := range []error{os.Symlink(target, linkToFile), os.Symlink(missing, linkToMissing), os.Mkdir(sub, 0o755)} {
		if err != nil {
			t.Fatal(err)
		}
	}
	devNull, err := os.Stat(os.DevNull)
	if err != nil {
		t.Fatal(err)
	}
	for _, path := range []string{linkToFile, linkToMissing, os.DevNull, sub} {
		for _, args := range [][]string{{"status"}, {"source", "add", "https://kjt.example.gov.cn/tzgg/"}, {"windows", "--json"}} {
			r := gw(t, append([]string{"--db", path}, args...)...)
			wantOneLine(t, r, path, "not a regular file")
		}
	}
	if st, _ := os.Stat(target); st.Mode().Perm() != 0o644 {
		t.Errorf("the link's target became %v", st.Mode())
	}
	if b, _ := os.ReadFile(target); string(b) != "keep me" {
		t.Errorf("the link's target was written: %q", b)
	}
	if _, err := os.Lstat(missing); !os.IsNotExist(err) {
		t.Errorf("a file was created through the dangling link: %v", err)
	}
	if st, _ := os.Stat(os.DevNull); st.Mode() != devNull.Mode() {
		t.Errorf("%s became %v (was %v)", os.DevNull, st.Mode(), devNull.Mode())
	}
	if entries, _ := os.ReadDir(sub); len(entries) != 0 {
		t.Errorf("files appeared in the directory: %v", entries)
	}

	// A real file still opens, and a loose mode is tightened.
	db := filepath.Join(dir, "gw.db")
	mustGW(t, "--db", db, "status")
	if err := os.Chmod(db, 0o644); err != nil {
		t.Fatal(err)
	}
	mustGW(t, "--db", db, "status")
	if st, _ := os.Stat(db); st.Mode().Perm() != 0o600 {
		t.Errorf("existing database left at %v", st.Mode())
	}
	// Nor does backup write through a link.
	backupLink := filepath.Join(dir, "backup.db")
	if err := os.Symlink(filepath.Join(dir, "backup-target.db"), backupLink); err != nil {
		t.Fatal(err)
	}
	wantOneLine(t, gw(t, "--db", db, "backup", backupLink), backupLink, "not a regular file")
	if _, err := os.Lstat(filepath.Join(dir, "backup-target.db")); !os.IsNotExist(err) {
		t.Errorf("backup created the link's target: %v", err)
	}
}

// hostileDigest is a policy digest whose item carries terminal escapes and
// a bidi override in its title and its evidence sentence, and whose
// trailing text (reported as ignored) carries one too.
const hostileTitle = "关于组织申报\x1b]0;pwned\x07重点项目的通知"

var hostileDigest = "[申报通知]\n" + hostileTitle + "\n各有关单位：\n" +
	"网上申报时间：2021年6月10日至6月30日17:00\x1b[2J\u202e\u0085。\n某某省科学技术厅\n2021年6月1日\n" +
	"相关链接：\nhttp://kjt.example.gov.cn/tzgg/1.html\n\n尾部文字\x1b[31m没有链接\u2066。\n"

// terminalUnsafe finds a byte or character a terminal would act on.
func terminalUnsafe(s string) (rune, bool) {
	for _, r := range s {
		if r < 0x20 && r != '\n' && r != '\t' || r >= 0x7F && r <= 0x9F || r >= 0x202A && r <= 0x202E || r >= 0x2066 && r <= 0x2069 {
			return r, true
		}
	}
	return 0, false
}

// Escapes that came from documents and pages never reach the terminal
// through table or plain output; JSON keeps the exact text.
func TestTableOutputStripsTerminalEscapes(t *testing.T) {
	dir := t.TempDir()
	db := filepath.Join(dir, "gw.db")
	digestFile := filepath.Join(dir, "digest.txt")
	if err := os.WriteFile(digestFile, []byte(hostileDigest), 0o600); err != nil {
		t.Fatal(err)
	}
	notice := filepath.Join(dir, "notice.txt")
	if err := os.WriteFile(notice, []byte(hostileTitle+"\n网上申报时间：2021年6月10日至6月30日17:00\x1b[2J\u202e。\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	outputs := map[string]string{
		"import":         mustGW(t, "--db", db, "import", digestFile),
		"import dry-run": mustGW(t, "--db", db, "import", "--dry-run", digestFile),
		"windows":        mustGW(t, "--db", db, "windows"),
		"notices":        mustGW(t, "--db", db, "notices"),
		"source list":    mustGW(t, "--db", db, "source", "list"),
		"status":         mustGW(t, "--db", db, "status"),
		"extract":        mustGW(t, "extract", notice),
	}
	for cmd, out := range outputs {
		if r, bad := terminalUnsafe(out); bad {
			t.Errorf("%s prints %U:\n%q", cmd, r, out)
		}
	}
	// The text itself is still shown, minus the controls.
	if !strings.Contains(outputs["windows"], "关于组织申报]0;pwned重点项目的通知") {
		t.Errorf("windows table lost the title:\n%s", outputs["windows"])
	}
	if !strings.Contains(outputs["extract"], "17:00[2J") || !strings.Contains(outputs["import"], "ignored") {
		t.Errorf("extract:\n%s\nimport:\n%s", outputs["extract"], outputs["import"])
	}

	ws := jsonLines(t, mustGW(t, "--db", db, "windows", "--json"))
	if len(ws) != 1 || ws[0]["title"] != hostileTitle || !strings.Contains(ws[0]["evidence"].(string), "\x1b[2J\u202e") {
		t.Errorf("windows --json changed the text: %q", ws)
	}
	ns := jsonLines(t, mustGW(t, "--db", db, "notices", "--json"))
	if len(ns) != 1 || !strings.Contains(mustGW(t, "--db", db, "notices", "--json"), `\u001b]0;pwned\u0007`) {
		t.Errorf("notices --json: %v", ns)
	}
	ex := jsonLines(t, mustGW(t, "extract", "--json", notice))
	if ex[0]["title"] != hostileTitle {
		t.Errorf("extract --json title %q", ex[0]["title"])
	}
}

// termSafe holds back a character split between two writes instead of
// mangling it, and drops a C1 control so split.
func TestTermSafeSplitWrites(t *testing.T) {
	var out bytes.Buffer
	w := &termSafe{w: &out}
	in := []byte("申\u009b报\u202e时间\x1b]0;x\x07\n")
	for i := range in {
		if _, err := w.Write(in[i : i+1]); err != nil {
			t.Fatal(err)
		}
	}
	if got := out.String(); got != "申报时间]0;x\n" || !utf8.ValidString(got) {
		t.Errorf("got %q", got)
	}
}

// extract and import read text and the documents they know, within a size
// cap; binary data and oversized files are refused with one line.
func TestExtractImportRefuseBinaryAndOversize(t *testing.T) {
	dir := t.TempDir()
	db := filepath.Join(dir, "gw.db")
	random := make([]byte, 1<<20)
	rand.New(rand.NewSource(1)).Read(random)
	bin := filepath.Join(dir, "random.bin")
	if err := os.WriteFile(bin, random, 0o600); err != nil {
		t.Fatal(err)
	}
	wantOneLine(t, gw(t, "extract", bin), bin, "not text")
	wantOneLine(t, gw(t, "extract", "--json", bin), bin, "not text")
	wantOneLine(t, gw(t, "--db", db, "import", bin), bin, "not text")
	if _, err := os.Stat(db); !os.IsNotExist(err) {
		t.Errorf("a refused import created the database: %v", err)
	}
	// Standard input is read the same way.
	var out, errb strings.Builder
	if code := run(t.Context(), []string{"extract", "-"}, bytes.NewReader(random), &out, &errb); code != 2 || out.Len() != 0 ||
		strings.Count(errb.String(), "\n") != 1 || !strings.Contains(errb.String(), "extract -: not text") {
		t.Errorf("binary on stdin: exit %d, stdout %q, stderr %q", code, out.String(), errb.String())
	}

	cfg := filepath.Join(dir, "small.toml")
	if err := os.WriteFile(cfg, []byte("[extract]\nmax_input_bytes = 4096\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	big := filepath.Join(dir, "big.txt")
	if err := os.WriteFile(big, []byte(strings.Repeat("请于2019年9月20日前报送。", 200)), 0o600); err != nil {
		t.Fatal(err)
	}
	wantOneLine(t, gw(t, "--config", cfg, "extract", big), big, "4 KiB", "extract.max_input_bytes")
	wantOneLine(t, gw(t, "--config", cfg, "--db", db, "import", big), big, "4 KiB")
	out.Reset()
	errb.Reset()
	if code := run(t.Context(), []string{"--config", cfg, "extract", "-"}, strings.NewReader(strings.Repeat("x", 5000)), &out, &errb); code != 2 ||
		!strings.Contains(errb.String(), "4 KiB") {
		t.Errorf("oversized stdin: exit %d, stderr %q", code, errb.String())
	}
	// Under the cap, text and a GBK page read as before.
	small := filepath.Join(dir, "small.txt")
	os.WriteFile(small, []byte("关于申报的通知\n网络申报时间：8月30日至9月30日17:00。"), 0o600)
	gbk := filepath.Join(dir, "page.html")
	os.WriteFile(gbk, []byte("<html><head><meta charset=\"gbk\"><title>\xb9\xd8\xd3\xda\xc9\xea\xb1\xa8</title></head><body><p>\xc7\xeb\xd3\xda2019\xc4\xea10\xd4\xc215\xc8\xd5\xc7\xb0\xb1\xa8\xcb\xcd\xa1\xa3</body></html>"), 0o600)
	lines := jsonLines(t, mustGW(t, "--config", cfg, "extract", "--published", "2019-08-27", "--json", small, gbk))
	if len(lines) != 2 || len(lines[0]["windows"].([]any)) != 1 || lines[1]["title"] != "关于申报" ||
		lines[1]["windows"].([]any)[0].(map[string]any)["closes"] != "2019-10-15" {
		t.Errorf("text and GBK under the cap: %v", lines)
	}
	// One bad file among good ones: the good ones are printed, the bad one
	// gets its line, the exit status says bad input.
	r := gw(t, "extract", "--json", small, bin)
	if r.code != 2 || len(jsonLines(t, r.stdout)) != 1 || strings.Count(r.stderr, "\n") != 1 || !strings.Contains(r.stderr, bin) {
		t.Errorf("mixed: exit %d, stdout %q, stderr %q", r.code, r.stdout, r.stderr)
	}
}

// A cron spec in the configuration is checked as source add --schedule
// checks its own, at start-up, by every command.
func TestConfigBadCronSpec(t *testing.T) {
	dir := t.TempDir()
	for _, spec := range []string{"61 * * * *", "0 6 * *", "CRON_TZ=Asia/Shanghai"} {
		cfg := filepath.Join(dir, "gw.toml")
		if err := os.WriteFile(cfg, []byte("[crawl]\nschedule = \""+spec+"\"\n"), 0o600); err != nil {
			t.Fatal(err)
		}
		for _, args := range [][]string{{"serve", "--listen", "127.0.0.1:0"}, {"status"}} {
			r := gw(t, append([]string{"--config", cfg, "--db", filepath.Join(dir, "gw.db")}, args...)...)
			wantOneLine(t, r, "crawl.schedule", spec, cfg)
		}
		// source add --schedule says the same of the same spec.
		r := gw(t, "--db", filepath.Join(dir, "gw.db"), "source", "add", "https://kjt.example.gov.cn/", "--schedule", spec)
		wantOneLine(t, r, "--schedule", spec)
	}
	if _, err := os.Stat(filepath.Join(dir, "gw.db")); !os.IsNotExist(err) {
		t.Errorf("a refused configuration created the database: %v", err)
	}
}

// source add refuses an address the fetcher would never connect to, with
// the reason; fetch.allow_private lets through what it names.
func TestSourceAddRefusesUnreachable(t *testing.T) {
	dir := t.TempDir()
	db := filepath.Join(dir, "gw.db")
	mustGW(t, "--db", db, "status")
	before, _ := os.ReadFile(db)
	for _, tt := range []struct{ url, reason string }{
		{"http://169.254.169.254/latest/meta-data/", "link-local"},
		{"http://127.0.0.1/", "loopback"},
		{"http://127.0.0.1:8080/tzgg/", "loopback"},
		{"http://[::1]/", "loopback"},
		{"http://[::ffff:127.0.0.1]/", "loopback"},
		{"http://localhost/", "loopback"},
		{"http://localhost./", "loopback"},
		{"http://0.0.0.0/", "unspecified"},
		{"http://10.1.2.3/", "private"},
		{"http://192.168.1.1/tzgg/", "private"},
		{"http://172.16.0.1/", "private"},
		{"http://100.64.0.1/", "shared"},
		{"http://[fe80::1]/", "link-local"},
		{"http://2130706433/", "127.0.0.1"},
		{"http://0x7f000001/", "127.0.0.1"},
		{"http://0x7f.1/", "127.0.0.1"},
		{"http://017700000001/", "127.0.0.1"},
		{"http://127.1/", "127.0.0.1"},
		{"http://3232235777/", "192.168.1.1"},
		{"ftp://files.example.cn/x", "only http and https"},
		{"file:///etc/passwd", "only http and https"},
		{"gopher://example.cn/", "only http and https"},
	} {
		r := gw(t, "--db", db, "source", "add", tt.url)
		wantOneLine(t, r, tt.url, tt.reason)
	}
	if after, _ := os.ReadFile(db); !bytes.Equal(before, after) {
		t.Error("a refused source changed the database")
	}

	// allow_private by IP, CIDR and name lets those through (the name
	// without any lookup: the fetcher matches it before DNS too).
	cfg := filepath.Join(dir, "gw.toml")
	os.WriteFile(cfg, []byte("[fetch]\nallow_private = [\"127.0.0.1\", \"10.0.0.0/8\", \"intranet.example\"]\n"), 0o600)
	for _, u := range []string{"http://127.0.0.1:8080/tzgg/", "http://10.1.2.3/", "http://intranet.example/tzgg/", "http://localhost:8080/"} {
		if r := gw(t, "--config", cfg, "--db", db, "source", "add", u); r.code != 0 || r.stderr != "" {
			t.Errorf("%s with allow_private: exit %d, stderr %q", u, r.code, r.stderr)
		}
	}
	// What the allowance does not name stays refused.
	wantOneLine(t, gw(t, "--config", cfg, "--db", db, "source", "add", "http://192.168.1.1/"), "192.168.1.1", "private")
	wantOneLine(t, gw(t, "--config", cfg, "--db", db, "source", "add", "http://[::1]/"), "::1", "loopback")

	// A name that does not resolve is added, with a warning: DNS may be down.
	quick := filepath.Join(dir, "quick.toml")
	os.WriteFile(quick, []byte("[fetch]\ndial_timeout = \"3s\"\n"), 0o600)
	r := gw(t, "--config", quick, "--db", db, "source", "add", "http://grantwatch-test.invalid/tzgg/")
	if r.code != 0 || !strings.Contains(r.stdout, "added source") || !strings.Contains(r.stderr, "warning") ||
		!strings.Contains(r.stderr, "grantwatch-test.invalid") || strings.Count(r.stderr, "\n") != 1 {
		t.Errorf("unresolved name: exit %d, stdout %q, stderr %q", r.code, r.stdout, r.stderr)
	}
	var urls []string
	for _, s := range jsonLines(t, mustGW(t, "--db", db, "source", "list", "--json")) {
		urls = append(urls, s["url"].(string))
	}
	if want := "http://127.0.0.1:8080/tzgg/ http://10.1.2.3/ http://intranet.example/tzgg/ http://localhost:8080/ http://grantwatch-test.invalid/tzgg/"; strings.Join(urls, " ") != want {
		t.Errorf("sources %v, want %s", urls, want)
	}
}

// import applies the same check to the links it would watch: a link that
// could never be fetched is skipped and reported, the import goes on.
func TestImportSkipsUnreachableSources(t *testing.T) {
	dir := t.TempDir()
	db := filepath.Join(dir, "gw.db")
	item := func(title, link string) string {
		return "[申报通知]\n" + title + "\n各有关单位：\n请于2021年9月20日前报送。\n某某省科学技术厅\n2021年9月1日\n相关链接：\n" + link + "\n\n"
	}
	file := filepath.Join(dir, "digest.txt")
	os.WriteFile(file, []byte(item("关于组织申报甲项目的通知", "http://127.0.0.1/tzgg/1.html")+
		item("关于组织申报乙项目的通知", "http://169.254.169.254/latest/")+
		item("关于组织申报丙项目的通知", "http://10.0.0.8/3.html")), 0o600)

	dry := mustGW(t, "--db", db, "import", "--dry-run", file)
	if !strings.Contains(dry, "0 links watched") || strings.Count(dry, "not watched:") != 3 {
		t.Errorf("dry run:\n%s", dry)
	}
	out := mustGW(t, "--db", db, "import", file)
	if !strings.Contains(out, "notices 3 new") || !strings.Contains(out, "sources 0 added, 0 already watched, 3 skipped") ||
		!strings.Contains(out, "skipped source http://127.0.0.1/tzgg/1.html: 127.0.0.1 is a loopback address") ||
		!strings.Contains(out, "skipped source http://169.254.169.254/latest/: 169.254.169.254 is a link-local address") {
		t.Errorf("import output:\n%s", out)
	}
	if srcs := jsonLines(t, mustGW(t, "--db", db, "source", "list", "--json")); len(srcs) != 0 {
		t.Errorf("unreachable links were watched: %v", srcs)
	}
	if ws := jsonLines(t, mustGW(t, "--db", db, "windows", "--json")); len(ws) != 3 {
		t.Errorf("the notices' windows: %v", ws)
	}

	// allow_private lets them be watched; --json reports the skipped ones.
	cfg := filepath.Join(dir, "gw.toml")
	os.WriteFile(cfg, []byte("[fetch]\nallow_private = [\"127.0.0.1\", \"10.0.0.0/8\"]\n"), 0o600)
	var sum map[string]any
	if err := json.Unmarshal([]byte(mustGW(t, "--config", cfg, "--db", db, "import", "--json", file)), &sum); err != nil {
		t.Fatal(err)
	}
	skipped, _ := sum["SourcesSkipped"].([]any)
	if sum["SourcesAdded"] != float64(2) || len(skipped) != 1 || !strings.Contains(skipped[0].(string), "169.254.169.254") {
		t.Errorf("import --json with allow_private: %v", sum)
	}
}
