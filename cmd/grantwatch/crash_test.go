package main

import (
	"context"
	"fmt"
	"math/rand"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/grantwatch/grantwatch/internal/testsmtp"
	"github.com/grantwatch/grantwatch/store"
)

// TestCrashSuite runs the real program (this test binary running main, in
// a child process) against a real SMTP server with many reminders due,
// kills it with SIGKILL at random points — while it sends, while it
// crawls, while it migrates a new database — restarts it each time, and
// then checks: every due reminder delivered, duplicates no more than
// kills, integrity_check ok, no window lost.
//
// 100 kills by default (CI); GRANTWATCH_CRASH_KILLS=1000 for the long run.
func TestCrashSuite(t *testing.T) {
	if testing.Short() {
		t.Skip("crash suite: not in -short")
	}
	kills := 100
	if v, err := strconv.Atoi(os.Getenv("GRANTWATCH_CRASH_KILLS")); err == nil && v > 0 {
		kills = v
	}
	smtp := testsmtp.Start(t)
	site := crashSite(t)
	dir := t.TempDir()
	db := filepath.Join(dir, "gw.db")
	cfg := filepath.Join(dir, "gw.toml")
	host, port := smtp.HostPort()
	os.WriteFile(cfg, []byte(fmt.Sprintf("db = %q\n[fetch]\nallow_private = [\"127.0.0.1\"]\nper_host_delay = \"0s\"\ntimeout = \"5s\"\n"+
		"[smtp]\nhost = %q\nport = %d\nfrom = \"grantwatch@example.cn\"\n[notify]\nrate = 0\n", db, host, port)), 0o600)

	mustGW(t, "--config", cfg, "import", filepath.Join("..", "..", "digest", "testdata", "digest.txt"))
	mustGW(t, "--config", cfg, "source", "add", site.URL+"/tzgg/")
	const subscribers = 100
	for i := 0; i < subscribers; i++ {
		mustGW(t, "--config", cfg, "subscriber", "add", fmt.Sprintf("s%03d@example.cn", i))
	}
	// At 6-24 09:00 each subscriber has two reminders due: the city notice
	// (closes 6-25, 1 day) and the provincial online window (7 days, due 6-23).
	const now = "2021-06-24T09:00:00+08:00"
	due := 2 * subscribers

	seed := time.Now().UnixNano()
	if v, err := strconv.ParseInt(os.Getenv("GRANTWATCH_CRASH_SEED"), 10, 64); err == nil {
		seed = v
	}
	rng := rand.New(rand.NewSource(seed))
	t.Logf("crash suite seed %d (GRANTWATCH_CRASH_SEED repeats the kill points)", seed)
	killed := map[string]int{}
	total := 0
	for total < kills {
		var args []string
		var wait time.Duration
		what := ""
		switch r := rng.Intn(100); {
		case r < 65:
			what, args, wait = "sending", []string{"--config", cfg, "notify", "--once", "--now", now}, time.Duration(rng.Intn(400))*time.Millisecond
		case r < 85:
			what, args, wait = "crawling", []string{"--config", cfg, "crawl", "--once"}, time.Duration(rng.Intn(300))*time.Millisecond
		default:
			what = "migrating"
			fresh := filepath.Join(dir, fmt.Sprintf("fresh%d.db", total))
			args, wait = []string{"--db", fresh, "status"}, time.Duration(rng.Intn(40))*time.Millisecond
			defer func(fresh string) {
				// A database killed while it was being created opens, and is whole.
				s, err := store.Open(context.Background(), fresh)
				if err != nil {
					t.Errorf("a database killed in migration does not open: %v", err)
					return
				}
				defer s.Close()
				if ok, err := s.IntegrityCheck(context.Background()); err != nil || ok != "ok" {
					t.Errorf("integrity after a migration kill: %q %v", ok, err)
				}
			}(fresh)
		}
		if killChild(t, args, wait) {
			killed[what]++
			total++
		}
	}
	// A last, uninterrupted run of each.
	mustGW(t, "--config", cfg, "crawl", "--once")
	mustGW(t, "--config", cfg, "notify", "--once", "--now", now)

	ids := map[string]int{}
	for _, m := range smtp.Messages() {
		p, err := m.Parsed()
		if err != nil {
			t.Fatal(err)
		}
		ids[p.Header.Get("Message-Id")]++
	}
	duplicates := len(smtp.Messages()) - len(ids)
	s, err := store.Open(context.Background(), db)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	sent, _ := s.Deliveries(context.Background(), "sent", 0)
	pending, _ := s.Deliveries(context.Background(), "pending", 0)
	sending, _ := s.Deliveries(context.Background(), "sending", 0)
	ws, _ := s.Windows(context.Background(), store.WindowFilter{All: true})
	integrity, err := s.IntegrityCheck(context.Background())
	t.Logf("crash suite: %d kills (%v); %d reminders due; %d distinct delivered; %d duplicates; %d sent, %d pending, %d sending; %d windows; integrity %s",
		total, killed, due, len(ids), duplicates, len(sent), len(pending), len(sending), len(ws), integrity)
	if len(ids) != due || len(sent) != due {
		t.Errorf("%d distinct mails delivered and %d marked sent, want %d", len(ids), len(sent), due)
	}
	if duplicates > total {
		t.Errorf("%d duplicates for %d kills", duplicates, total)
	}
	if err != nil || integrity != "ok" {
		t.Errorf("integrity_check: %q %v", integrity, err)
	}
	// No window lost: the digest's three and the crawled site's two.
	if len(ws) != 5 {
		t.Errorf("%d windows, want 5", len(ws))
	}
	if len(sending) != 0 {
		t.Errorf("%d deliveries left in sending", len(sending))
	}
}

// killChild starts the program and kills it after wait; it reports whether
// the kill hit a running process.
func killChild(t *testing.T, args []string, wait time.Duration) bool {
	t.Helper()
	cmd := exec.Command(os.Args[0], args...)
	cmd.Env = append(os.Environ(), "GW_RUN_MAIN=1")
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()
	select {
	case <-done:
		return false
	case <-time.After(wait):
	}
	cmd.Process.Signal(syscall.SIGKILL)
	err := <-done
	return err != nil && strings.Contains(err.Error(), "killed")
}

// crashSite is a small column for the crawls that get killed.
func crashSite(t *testing.T) *httptest.Server {
	mux := http.NewServeMux()
	mux.HandleFunc("/tzgg/", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		fmt.Fprint(w, `<html><body><ul>
<li><a href="/tzgg/1.html">关于组织申报2021年度科技创新券的通知</a><span>2021-06-01</span></li>
<li><a href="/tzgg/2.html">关于开展2021年度技术先进型服务企业认定的通知</a><span>2021-06-02</span></li>
</ul></body></html>`)
	})
	for i, closes := range []string{"2021年7月20日", "2021年7月25日"} {
		body := fmt.Sprintf(`<html><body><h1>通知%d</h1><div class="TRS_Editor"><p>请于%s前将申报材料报送至市科技局。</p><p>某某市科学技术局</p><p>2021年6月1日</p></div></body></html>`, i+1, closes)
		mux.HandleFunc(fmt.Sprintf("/tzgg/%d.html", i+1), func(w http.ResponseWriter, r *http.Request) {
			time.Sleep(30 * time.Millisecond) // slow enough to be killed mid-crawl
			w.Header().Set("Content-Type", "text/html; charset=utf-8")
			w.Write([]byte(body))
		})
	}
	srv := httptest.NewServer(mux)
	t.Cleanup(srv.Close)
	return srv
}

// A full disk (here: a file size limit on the process): the command fails
// with one clear line, and what was stored before is intact.
func TestDiskFull(t *testing.T) {
	if _, err := exec.LookPath("bash"); err != nil {
		t.Skip("needs bash for ulimit")
	}
	dir := t.TempDir()
	db := filepath.Join(dir, "gw.db")
	mustGW(t, "--db", db, "import", filepath.Join("..", "..", "digest", "testdata", "digest.txt"))
	before := jsonLines(t, mustGW(t, "--db", db, "windows", "--json"))
	// A digest large enough to need more room than the limit leaves.
	big := filepath.Join(dir, "big.txt")
	var b strings.Builder
	for i := 0; i < 400; i++ {
		fmt.Fprintf(&b, "[申报通知]\n关于组织申报第%d批项目的通知\n%s\n请于2021年9月20日前报送。\n相关链接：\nhttp://a.gov.cn/%d.html\n\n", i, strings.Repeat("正文内容很长。", 300), i)
	}
	os.WriteFile(big, []byte(b.String()), 0o600)
	// ulimit -f counts 1024-byte blocks; Go ignores SIGXFSZ, so writes past
	// the limit fail with EFBIG instead of killing the process.
	cmd := exec.Command("bash", "-c", `ulimit -f 2048; exec "$0" "$@"`, os.Args[0], "--db", db, "import", big)
	cmd.Env = append(os.Environ(), "GW_RUN_MAIN=1")
	out, err := cmd.CombinedOutput()
	if err == nil {
		t.Fatalf("import past the size limit succeeded:\n%s", out)
	}
	lines := strings.Split(strings.TrimSpace(string(out)), "\n")
	last := lines[len(lines)-1]
	if !strings.HasPrefix(last, "grantwatch: ") || !(strings.Contains(last, "full") || strings.Contains(last, "I/O") || strings.Contains(last, "too large")) {
		t.Errorf("error line %q", last)
	}
	after := jsonLines(t, mustGW(t, "--db", db, "windows", "--json"))
	if len(after) < len(before) {
		t.Errorf("windows lost: %d before, %d after", len(before), len(after))
	}
	s, err := store.Open(context.Background(), db)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	if ok, err := s.IntegrityCheck(context.Background()); ok != "ok" || err != nil {
		t.Errorf("integrity after a full disk: %q %v", ok, err)
	}
}
