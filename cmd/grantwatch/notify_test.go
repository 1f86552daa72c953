package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/grantwatch/grantwatch/internal/testsmtp"
)

func TestNotifyCommand(t *testing.T) {
	smtp := testsmtp.Start(t)
	db := filepath.Join(t.TempDir(), "gw.db")
	mustGW(t, "--db", db, "import", filepath.Join("..", "..", "digest", "testdata", "digest.txt"))
	mustGW(t, "--db", db, "subscriber", "add", "li@example.cn", "--name", "李老师")
	mustGW(t, "--db", db, "subscriber", "add", "wang@example.cn", "--keyword", "科技型中小企业", "--digest", "weekly")

	// Dry run: listed, nothing sent or written.
	out := mustGW(t, "--db", db, "notify", "--once", "--dry-run", "--now", "2021-06-23T09:00:00+08:00")
	if !strings.Contains(out, "3 reminders due") || !strings.Contains(out, "li@example.cn close 7d before 2021-06-30T17:00") || len(smtp.Messages()) != 0 {
		t.Errorf("dry run:\n%s", out)
	}

	html := mustGW(t, "--db", db, "digest", "--preview", "wang@example.cn", "--now", "2021-06-21T09:00:00+08:00")
	if !strings.HasPrefix(html, "<!DOCTYPE html>") || !strings.Contains(html, "科技型中小企业") || strings.Contains(html, "智能制造") {
		t.Errorf("digest preview:\n%s", html)
	}
	if len(smtp.Messages()) != 0 {
		t.Error("preview sent mail")
	}
	// Monday 6-21 09:00: wang's weekly digest, and nothing else.
	out = mustGW(t, "--db", db, "digest", "--once", "--now", "2021-06-21T09:00:00+08:00", "--smtp", smtp.Addr)
	if !strings.Contains(out, "1 sent") || !strings.Contains(out, "【申报周报】") || len(smtp.Messages()) != 1 {
		t.Errorf("digest --once:\n%s", out)
	}

	// 6-24 09:00: the city notice (closes 6-25) is due for both, and li's
	// 7-day reminder of the provincial online window (due 6-23) now.
	out = mustGW(t, "--db", db, "notify", "--once", "--now", "2021-06-24T09:00:00+08:00", "--smtp", smtp.Addr)
	if !strings.Contains(out, "3 sent") {
		t.Fatalf("first run:\n%s", out)
	}
	subj := smtp.Subjects()[1:]
	want := map[string]bool{
		"【申报截止提醒】明天截止：关于开展2021年某某市科技型中小企业评价工作的通知（审核推荐）": true,
		"【申报截止提醒】还剩6天：关于组织申报2021年度某某省智能制造示范项目的通知（网上申报）": true,
	}
	for _, s := range subj {
		if !want[s] {
			t.Errorf("unexpected subject %q", s)
		}
	}
	if len(subj) != 3 {
		t.Errorf("subjects %q", subj)
	}
	out = mustGW(t, "--db", db, "notify", "--once", "--now", "2021-06-24T09:00:00+08:00", "--smtp", smtp.Addr)
	if !strings.Contains(out, "0 sent") || len(smtp.Messages()) != 4 {
		t.Errorf("second run at the same instant:\n%s", out)
	}

	for _, bad := range [][]string{
		{"notify", "--now", "2021-06-24T09:00:00+08:00"},
		{"notify", "--once", "--now", "yesterday"},
		{"notify", "--once", "--smtp", "nohost"},
		{"digest", "--now", "2021-06-21T09:00:00+08:00"},
		{"digest", "--preview", "nobody@example.cn", "--now", "2021-06-21T09:00:00+08:00"},
	} {
		if r := gw(t, append([]string{"--db", db}, bad...)...); r.code != 2 {
			t.Errorf("%v: exit %d (%s)", bad, r.code, r.stderr)
		}
	}
}

// The SMTP password never reaches the logs, even at debug level and when
// sending fails.
func TestSecretsNotLogged(t *testing.T) {
	dir := t.TempDir()
	cfg := filepath.Join(dir, "gw.toml")
	os.WriteFile(cfg, []byte("[log]\nlevel = \"debug\"\n[smtp]\nhost = \"127.0.0.1\"\nport = 9\nusername = \"gw\"\npassword = \"s3cret-Pa55w0rd\"\n"), 0o600)
	db := filepath.Join(dir, "gw.db")
	mustGW(t, "--config", cfg, "--db", db, "import", filepath.Join("..", "..", "digest", "testdata", "digest.txt"))
	mustGW(t, "--config", cfg, "--db", db, "subscriber", "add", "li@example.cn")
	r := gw(t, "--config", cfg, "--db", db, "notify", "--once", "--now", "2021-06-24T09:00:00+08:00")
	if !strings.Contains(r.stderr, "will retry") {
		t.Errorf("expected failed sends in the log:\n%s", r.stderr)
	}
	for _, out := range []string{r.stdout, r.stderr, mustGW(t, "--config", cfg, "--db", db, "status", "--json")} {
		if strings.Contains(out, "s3cret-Pa55w0rd") {
			t.Fatal("the SMTP password appears in the output")
		}
	}
}
