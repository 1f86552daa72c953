package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"os/signal"
	"path/filepath"
	"regexp"
	"runtime/pprof"
	"strings"
	"syscall"
	"testing"
	"time"
)

// TestMain lets a test run the real main in a child process (GW_RUN_MAIN=1),
// for behaviour that only a process shows: signals and exit codes.
func TestMain(m *testing.M) {
	if os.Getenv("GW_RUN_MAIN") == "1" {
		if p := os.Getenv("GW_CPUPROFILE"); p != "" {
			// A child's CPU profile (the scale benchmark's phases):
			// main's own steps, with the profile written before the exit.
			f, err := os.Create(p)
			if err != nil {
				fmt.Fprintln(os.Stderr, err)
				os.Exit(2)
			}
			pprof.StartCPUProfile(f)
			ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
			code := run(ctx, os.Args[1:], os.Stdin, os.Stdout, os.Stderr)
			stop()
			pprof.StopCPUProfile()
			f.Close()
			os.Exit(code)
		}
		main()
		return
	}
	os.Exit(m.Run())
}

type result struct {
	code           int
	stdout, stderr string
}

// gw runs the CLI in-process.
func gw(t *testing.T, args ...string) result {
	t.Helper()
	var out, errb bytes.Buffer
	code := run(context.Background(), args, strings.NewReader(""), &out, &errb)
	return result{code, out.String(), errb.String()}
}

func mustGW(t *testing.T, args ...string) string {
	t.Helper()
	r := gw(t, args...)
	if r.code != 0 {
		t.Fatalf("grantwatch %s: exit %d\nstdout: %s\nstderr: %s", strings.Join(args, " "), r.code, r.stdout, r.stderr)
	}
	return r.stdout
}

func jsonLines(t *testing.T, s string) []map[string]any {
	t.Helper()
	var out []map[string]any
	sc := bufio.NewScanner(strings.NewReader(s))
	for sc.Scan() {
		var m map[string]any
		if err := json.Unmarshal(sc.Bytes(), &m); err != nil {
			t.Fatalf("not a JSON line: %q: %v", sc.Text(), err)
		}
		out = append(out, m)
	}
	return out
}

func TestRoundTrip(t *testing.T) {
	db := filepath.Join(t.TempDir(), "gw.db")
	mustGW(t, "--db", db, "source", "add", "https://kjt.shanxi.gov.cn/tzgg/index.html#top", "--name", "山西省科技厅", "--region", "山西")
	mustGW(t, "source", "add", "--db", db, "--kind", "list", "--schedule", "@every 12h", "https://gxt.hebei.gov.cn/hbgyhxxht/zcfg30/tzgg/")
	mustGW(t, "--db", db, "subscriber", "add", "li@example.cn", "--region", "山西", "--region", "河北", "--lead-close", "3d,7d")
	mustGW(t, "subscriber", "add", "wang@example.cn", "--db", db, "--keyword", "首台套", "--digest", "weekly")

	srcs := jsonLines(t, mustGW(t, "--db", db, "source", "list", "--json"))
	if len(srcs) != 2 || srcs[0]["url"] != "https://kjt.shanxi.gov.cn/tzgg/index.html" || srcs[0]["name"] != "山西省科技厅" || srcs[1]["kind"] != "list" {
		t.Fatalf("sources = %v", srcs)
	}
	subs := jsonLines(t, mustGW(t, "--db", db, "subscriber", "list", "--json"))
	if len(subs) != 2 || subs[0]["email"] != "li@example.cn" || subs[0]["status"] != "active" {
		t.Fatalf("subscribers = %v", subs)
	}
	feed := regexp.MustCompile(`^http://127\.0\.0\.1:8080/feed/[A-Za-z0-9_-]{22}\.ics$`)
	for _, s := range subs {
		if !feed.MatchString(s["feed_url"].(string)) {
			t.Errorf("feed_url %q", s["feed_url"])
		}
	}
	if lc := subs[0]["lead_close"].([]any); len(lc) != 2 || lc[0] != "7d" {
		t.Errorf("lead_close = %v", lc)
	}

	mustGW(t, "--db", db, "source", "rm", "https://gxt.hebei.gov.cn/hbgyhxxht/zcfg30/tzgg/")
	mustGW(t, "--db", db, "subscriber", "rm", "WANG@example.cn")

	// Every command opens the file afresh: this is a reopen.
	srcs = jsonLines(t, mustGW(t, "--db", db, "source", "list", "--json"))
	subs = jsonLines(t, mustGW(t, "--db", db, "subscriber", "list", "--json"))
	if len(srcs) != 1 || srcs[0]["name"] != "山西省科技厅" || len(subs) != 1 || subs[0]["email"] != "li@example.cn" {
		t.Fatalf("after rm: sources %v, subscribers %v", srcs, subs)
	}
	if out := mustGW(t, "--db", db, "source", "list"); !strings.Contains(out, "山西省科技厅") {
		t.Errorf("table listing: %s", out)
	}
	mustGW(t, "--db", db, "source", "pause", "1")
	srcs = jsonLines(t, mustGW(t, "--db", db, "source", "list", "--json"))
	if srcs[0]["paused"] != true {
		t.Errorf("pause did not stick: %v", srcs[0])
	}
	fi, err := os.Stat(db)
	if err != nil || fi.Mode().Perm() != 0o600 {
		t.Errorf("db mode: %v %v", fi.Mode(), err)
	}
}

func TestConfigFileAndFlags(t *testing.T) {
	dir := t.TempDir()
	fileDB := filepath.Join(dir, "from-file.db")
	flagDB := filepath.Join(dir, "from-flag.db")
	cfg := filepath.Join(dir, "gw.toml")
	os.WriteFile(cfg, []byte("db = \""+fileDB+"\"\n[http]\nbase_url = \"https://grants.example.cn/\"\n"), 0o600)
	mustGW(t, "--config", cfg, "subscriber", "add", "li@example.cn")
	subs := jsonLines(t, mustGW(t, "subscriber", "list", "--json", "--config", cfg))
	if len(subs) != 1 || !strings.HasPrefix(subs[0]["feed_url"].(string), "https://grants.example.cn/feed/") {
		t.Fatalf("subscribers via config db = %v", subs)
	}
	// --db wins over the file.
	mustGW(t, "--config", cfg, "--db", flagDB, "source", "add", "https://a.gov.cn/")
	if _, err := os.Stat(flagDB); err != nil {
		t.Errorf("--db did not win over the config file: %v", err)
	}
	if srcs := jsonLines(t, mustGW(t, "--config", cfg, "source", "list", "--json")); len(srcs) != 0 {
		t.Errorf("source went to the config's db: %v", srcs)
	}
}

// Bad input: one line naming the culprit, exit 2, nothing written.
func TestBadInput(t *testing.T) {
	dir := t.TempDir()
	db := filepath.Join(dir, "gw.db")
	mustGW(t, "--db", db, "source", "add", "https://kjt.shanxi.gov.cn/tzgg/")
	mustGW(t, "--db", db, "subscriber", "add", "li@example.cn")
	badCfg := filepath.Join(dir, "bad.toml")
	os.WriteFile(badCfg, []byte("[fetch]\ntimeuot = \"1s\"\n"), 0o600)
	before, _ := os.ReadFile(db)

	tests := []struct {
		args    []string
		culprit string
	}{
		{[]string{"source", "add", "not a url"}, "not a url"},
		{[]string{"source", "add", "ftp://files.example.cn/x"}, "ftp://files.example.cn/x"},
		{[]string{"source", "add", "https://"}, "https://"},
		{[]string{"source", "add", "https://kjt.shanxi.gov.cn/tzgg/"}, "already exists"},
		{[]string{"source", "add", "https://a.gov.cn/", "--schedule", "CRON_TZ=Asia/Shanghai"}, "--schedule"},
		{[]string{"source", "add", "https://a.gov.cn/", "--links-selector", "a[["}, "--links-selector"},
		{[]string{"source", "add", "https://a.gov.cn/", "--kind", "rss"}, "--kind"},
		{[]string{"source", "add"}, "one URL"},
		{[]string{"source", "rm", "99"}, "99"},
		{[]string{"source", "pause", "https://nowhere.example/"}, "https://nowhere.example/"},
		{[]string{"subscriber", "add", "li@"}, "li@"},
		{[]string{"subscriber", "add", "li@example.cn"}, "already exists"},
		{[]string{"subscriber", "add", "x@example.cn", "--lead-close", "soon"}, "--lead-close"},
		{[]string{"subscriber", "add", "x@example.cn", "--digest", "hourly"}, "--digest"},
		{[]string{"subscriber", "rm", "nobody@example.cn"}, "nobody@example.cn"},
		{[]string{"source", "list", "--frobnicate"}, "-frobnicate"},
		{[]string{"windows", "--now", "tomorrow"}, "tomorrow"},
		{[]string{"frobnicate"}, "frobnicate"},
		{[]string{"source", "frob"}, "source frob"},
		{[]string{"--config", filepath.Join(dir, "missing.toml"), "status"}, "missing.toml"},
		{[]string{"--config", badCfg, "status"}, "fetch.timeuot"},
		{[]string{"--db", filepath.Join(dir, "no", "such", "dir.db"), "status"}, "dir.db"},
		{[]string{}, "no command"},
	}
	for _, tt := range tests {
		args := append([]string{"--db", db}, tt.args...)
		if len(tt.args) > 0 && tt.args[0] == "--db" {
			args = tt.args
		}
		r := gw(t, args...)
		if r.code != 2 {
			t.Errorf("%v: exit %d, want 2 (stderr %q)", tt.args, r.code, r.stderr)
		}
		if strings.Count(r.stderr, "\n") != 1 || !strings.Contains(r.stderr, tt.culprit) {
			t.Errorf("%v: stderr %q should be one line naming %q", tt.args, r.stderr, tt.culprit)
		}
	}
	after, _ := os.ReadFile(db)
	if !bytes.Equal(before, after) {
		t.Error("bad input changed the database file")
	}
	srcs := jsonLines(t, mustGW(t, "--db", db, "source", "list", "--json"))
	subs := jsonLines(t, mustGW(t, "--db", db, "subscriber", "list", "--json"))
	if len(srcs) != 1 || len(subs) != 1 {
		t.Errorf("after bad input: %d sources, %d subscribers", len(srcs), len(subs))
	}
}

func TestHelp(t *testing.T) {
	for _, args := range [][]string{{"--help"}, {"help"}, {"source", "add", "--help"}, {"windows", "-h"}, {"source", "--help"}} {
		r := gw(t, args...)
		if r.code != 0 || !strings.Contains(r.stdout, "usage: grantwatch") {
			t.Errorf("%v: exit %d, stdout %q", args, r.code, r.stdout)
		}
	}
	if out := gw(t, "source", "add", "--help").stdout; !strings.Contains(out, "--allow-host") && !strings.Contains(out, "-allow-host") {
		t.Errorf("source add --help does not list its flags: %s", out)
	}
}

func TestStatusAndEmptyListings(t *testing.T) {
	db := filepath.Join(t.TempDir(), "gw.db")
	out := mustGW(t, "--db", db, "status")
	if !strings.Contains(out, "schema") || !strings.Contains(out, "sources     0") {
		t.Errorf("status: %s", out)
	}
	st := jsonLines(t, mustGW(t, "--db", db, "status", "--json"))
	if len(st) != 1 || st[0]["sources"] != float64(0) {
		t.Errorf("status --json: %v", st)
	}
	for _, args := range [][]string{{"windows", "--json"}, {"notices", "--json"}, {"notices", "--search", "山西", "--json"}, {"windows", "--upcoming", "--region", "山西", "--json"}} {
		if out := mustGW(t, append([]string{"--db", db}, args...)...); out != "" {
			t.Errorf("%v on an empty db: %q", args, out)
		}
	}
}

// The real binary serves /healthz and stops cleanly on SIGTERM.
func TestServeHealthzAndSIGTERM(t *testing.T) {
	dir := t.TempDir()
	cmd := exec.Command(os.Args[0], "serve", "--db", filepath.Join(dir, "gw.db"), "--listen", "127.0.0.1:0")
	cmd.Env = append(os.Environ(), "GW_RUN_MAIN=1")
	stderr, err := cmd.StderrPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	defer cmd.Process.Kill()
	lines := make(chan string, 100)
	go func() {
		sc := bufio.NewScanner(stderr)
		for sc.Scan() {
			lines <- sc.Text()
		}
		close(lines)
	}()
	addrRE := regexp.MustCompile(`addr=(127\.0\.0\.1:\d+)`)
	var addr string
	deadline := time.After(20 * time.Second)
	for addr == "" {
		select {
		case l, ok := <-lines:
			if !ok {
				t.Fatal("serve exited before listening")
			}
			if m := addrRE.FindStringSubmatch(l); m != nil {
				addr = m[1]
			}
		case <-deadline:
			t.Fatal("serve did not report its address")
		}
	}
	resp, err := http.Get("http://" + addr + "/healthz")
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != 200 || string(body) != "ok\n" {
		t.Errorf("healthz = %d %q", resp.StatusCode, body)
	}
	if err := cmd.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()
	var rest []string
	go func() {
		for l := range lines {
			rest = append(rest, l)
		}
	}()
	select {
	case err := <-done:
		if err != nil {
			t.Errorf("serve exited with %v after SIGTERM", err)
		}
	case <-time.After(15 * time.Second):
		t.Fatal("serve did not stop on SIGTERM")
	}
}
