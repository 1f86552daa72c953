package main

import (
	"cmp"
	"context"
	"database/sql"
	"fmt"
	"mime"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/grantwatch/grantwatch/internal/storetest"
	"github.com/grantwatch/grantwatch/internal/testsmtp"
	"github.com/grantwatch/grantwatch/store"
)

// The cluster test's world: 50 loopback hosts, 20 columns each (1,000
// sources), one notice per column; 300 subscribers, each following one
// region and one topic.
const (
	clusterHosts   = 50
	clusterColumns = 20
	clusterSubs    = 300
	clusterSpeed   = 1440 // a simulated day in one real minute
	clusterDelay   = 50 * time.Millisecond
)

var clusterRegions = []string{"山西", "河北", "山东", "江苏", "浙江", "广东", "四川", "湖北", "湖南", "河南"}
var clusterTopics = []string{"新材料", "集成电路", "生物医药", "人工智能", "新能源", "高端装备", "数字经济", "现代农业", "节能环保", "文化旅游"}

type clusterHit struct {
	path string
	at   time.Time // wall, as the server saw the request arrive
}

// clusterPostgres is the server the cluster tests use: the store tests'
// (GRANTWATCH_TEST_POSTGRES) or CI's (GRANTWATCH_POSTGRES).
func clusterPostgres(t *testing.T) string {
	t.Helper()
	if testing.Short() {
		t.Skip("cluster: not in -short")
	}
	for _, k := range []string{storetest.Env, "GRANTWATCH_POSTGRES"} {
		if v := os.Getenv(k); v != "" {
			return v
		}
	}
	if os.Getenv("GRANTWATCH_REQUIRE_TOOLS") == "1" {
		t.Fatal("cluster: no PostgreSQL (GRANTWATCH_POSTGRES or GRANTWATCH_TEST_POSTGRES)")
	}
	t.Skip("cluster: no PostgreSQL; set GRANTWATCH_TEST_POSTGRES=postgres://USER@HOST:PORT/postgres?sslmode=disable")
	return ""
}

// TestThreeDaemonsShareOnePostgres runs three `serve` processes on one
// PostgreSQL store through a simulated day (a minute of real time) and
// kills one of them with SIGKILL in the middle of the morning's mail. From
// what the sites and the SMTP server saw: every source was checked once in
// each schedule slot, no host was asked twice within its pace, every
// reminder arrived once, and nothing was left claimed.
func TestThreeDaemonsShareOnePostgres(t *testing.T) {
	base := clusterPostgres(t)
	dsn := storetest.FreshPostgres(t, base)
	shanghai, _ := time.LoadLocation("Asia/Shanghai")
	day := time.Date(2026, 3, 2, 0, 0, 0, 0, shanghai)
	var wall0 time.Time
	sim := func(w time.Time) time.Time { return day.Add(time.Duration(float64(w.Sub(wall0)) * clusterSpeed)) }
	wallAt := func(s time.Time) time.Time { return wall0.Add(time.Duration(float64(s.Sub(day)) / clusterSpeed)) }

	w := newClusterWorld(t, day)
	w.seed(t, dsn)
	sourceOf, subs := w.sourceOf, w.subs
	hitMu, hits := &w.mu, w.hits
	smtp := testsmtp.Start(t)
	dir := t.TempDir()
	if d := os.Getenv("GRANTWATCH_CLUSTER_DIR"); d != "" {
		dir = d // keep the daemons' logs
		os.MkdirAll(dir, 0o755)
	}
	cfgPath := writeClusterConfig(t, dir, dsn, clusterDelay, smtp, 2*time.Second)

	type daemon struct {
		cmd  *exec.Cmd
		done chan error
	}
	launch := func(i int) *daemon {
		logf, err := os.Create(filepath.Join(dir, fmt.Sprintf("daemon%d.log", i)))
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { logf.Close() })
		cmd := exec.Command(os.Args[0], "--config", cfgPath, "serve", "--listen", "127.0.0.1:0",
			"--clock-start", sim(time.Now()).Format(time.RFC3339Nano), "--clock-speed", fmt.Sprint(clusterSpeed), "--tick", "1s")
		cmd.Env = append(os.Environ(), "GW_RUN_MAIN=1")
		cmd.Stdout, cmd.Stderr = logf, logf
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		d := &daemon{cmd, make(chan error, 1)}
		go func() { d.done <- cmd.Wait() }()
		return d
	}
	wall0 = time.Now().Add(500 * time.Millisecond)
	time.Sleep(time.Until(wall0))
	daemons := []*daemon{launch(0), launch(1), launch(2)}
	defer func() {
		for _, d := range daemons {
			d.cmd.Process.Kill()
		}
	}()

	// Kill one daemon with SIGKILL once the morning's mail is under way.
	killAt := time.Time{}
	for time.Now().Before(wallAt(day.Add(13 * time.Hour))) {
		if sim(time.Now()).After(day.Add(9*time.Hour)) && len(smtp.Messages()) >= 300 {
			daemons[1].cmd.Process.Signal(syscall.SIGKILL)
			<-daemons[1].done
			killAt = sim(time.Now())
			t.Logf("sim %s: daemon 1 killed after %d mails", killAt.Format("15:04"), len(smtp.Messages()))
			break
		}
		time.Sleep(20 * time.Millisecond)
	}
	if killAt.IsZero() {
		t.Fatalf("the morning's mail never got going (%d mails by 13:00)", len(smtp.Messages()))
	}
	end := day.AddDate(0, 0, 1)
	time.Sleep(time.Until(wallAt(end)))
	for i, d := range daemons {
		if i == 1 {
			continue
		}
		d.cmd.Process.Signal(syscall.SIGTERM)
		select {
		case err := <-d.done:
			if err != nil {
				t.Errorf("daemon %d: %v", i, err)
			}
		case <-time.After(30 * time.Second):
			t.Fatalf("daemon %d did not stop", i)
		}
	}

	// Every source checked once per schedule slot (00:00 at start, then
	// 06:00, 12:00, 18:00, each with its source's jitter).
	hitMu.Lock()
	defer hitMu.Unlock()
	_ = hitMu
	checks := map[[2]int64]int{} // source, slot → list page requests
	minGap, minGapHost := time.Hour, -1
	requests := 0
	for h, hs := range hits {
		sort.Slice(hs, func(i, j int) bool { return hs[i].at.Before(hs[j].at) })
		for i, x := range hs {
			requests++
			if i > 0 {
				if gap := x.at.Sub(hs[i-1].at); gap < minGap {
					minGap, minGapHost = gap, h
				}
			}
			if id, ok := sourceOf[fmt.Sprintf("%d%s", h, x.path)]; ok {
				slot := int64(sim(x.at).Sub(day).Hours()) / 6
				checks[[2]int64{id, slot}]++
			}
		}
	}
	if d := os.Getenv("GRANTWATCH_CLUSTER_DIR"); d != "" {
		var b strings.Builder
		for h, hs := range hits {
			for _, x := range hs {
				fmt.Fprintf(&b, "%d %s %s %d\n", h, x.path, sim(x.at).Format("15:04:05.000"), x.at.UnixNano())
			}
		}
		os.WriteFile(filepath.Join(d, "requests.log"), []byte(b.String()), 0o644)
	}
	badSlots := 0
	for _, id := range sourceOf {
		for slot := int64(0); slot < 4; slot++ {
			if n := checks[[2]int64{id, slot}]; n != 1 {
				if badSlots < 5 {
					t.Errorf("source %d checked %d times in slot %d", id, n, slot)
				}
				badSlots++
			}
		}
	}
	t.Logf("%d requests to %d hosts; %d sources × 4 slots, %d not checked exactly once; closest two requests to one host: %s apart (host %d)",
		requests, len(hits), len(sourceOf), badSlots, minGap, minGapHost)
	// The pace, as the servers saw it: the daemons reserve turns in the
	// store, so arrivals are the delay apart give or take the loopback's
	// jitter.
	if minGap < clusterDelay*9/10 {
		t.Errorf("two requests to host %d were %s apart (pace %s)", minGapHost, minGap, clusterDelay)
	}

	// Every reminder once.
	ids := map[string]int{}
	got := map[string]bool{} // email + notice title
	for _, m := range smtp.Messages() {
		p, err := m.Parsed()
		if err != nil {
			t.Fatal(err)
		}
		ids[p.Header.Get("Message-Id")]++
		subj, _ := new(mime.WordDecoder).DecodeHeader(p.Header.Get("Subject"))
		if strings.HasPrefix(subj, "【申报截止提醒】") {
			for h := 0; h < clusterHosts; h++ {
				for c := 0; c < clusterColumns; c++ {
					if strings.Contains(subj, clusterTitle(h, c)) {
						got[m.To[0]+"/"+clusterTitle(h, c)] = true
					}
				}
			}
		}
	}
	duplicates := 0
	for _, n := range ids {
		duplicates += n - 1
	}
	want, missing := 0, 0
	for h := 0; h < clusterHosts; h++ {
		for c := 0; c < clusterColumns; c++ {
			for _, s := range subs {
				if s.region != clusterRegions[h%len(clusterRegions)] || s.topic != clusterTopics[c%len(clusterTopics)] {
					continue
				}
				want++
				if !got[s.email+"/"+clusterTitle(h, c)] {
					missing++
				}
			}
		}
	}
	t.Logf("mails: %d received, %d distinct, %d duplicated; closing reminders due to %d subscriber-notice pairs, %d missing",
		len(smtp.Messages()), len(ids), duplicates, want, missing)
	if missing > 0 {
		t.Errorf("%d of %d closing reminders never arrived", missing, want)
	}
	// SMTP leaves one gap: a mail accepted just before the SIGKILL and not
	// yet recorded is sent again by the daemon that takes it over. One
	// sender was killed, with one connection: at most one such mail.
	if duplicates > 1 {
		t.Errorf("%d mails arrived twice", duplicates)
	}

	// Nothing left claimed, nothing left unsent.
	raw, err := sql.Open("pgx", dsn)
	if err != nil {
		t.Fatal(err)
	}
	defer raw.Close()
	var claimedSources, sending, pendingDue, sent int
	raw.QueryRow(`SELECT COUNT(*) FROM sources WHERE claimed_by != '' OR claim_until > 0`).Scan(&claimedSources)
	raw.QueryRow(`SELECT COUNT(*) FROM deliveries WHERE status = 'sending' OR claimed_by != ''`).Scan(&sending)
	raw.QueryRow(`SELECT COUNT(*) FROM deliveries WHERE status = 'pending' AND due_at <= $1`, end.UTC().Format("2006-01-02T15:04:05Z")).Scan(&pendingDue)
	raw.QueryRow(`SELECT COUNT(*) FROM deliveries WHERE status = 'sent'`).Scan(&sent)
	t.Logf("deliveries sent %d; left claimed: %d sources, %d deliveries; due and unsent: %d", sent, claimedSources, sending, pendingDue)
	if claimedSources != 0 || sending != 0 || pendingDue != 0 {
		t.Errorf("left behind: %d sources claimed, %d deliveries claimed, %d due and unsent", claimedSources, sending, pendingDue)
	}
	if sent != len(ids) {
		t.Errorf("%d deliveries recorded sent, %d distinct mails received", sent, len(ids))
	}
}

type clusterSub struct{ email, region, topic string }

// clusterWorld is the cluster tests' sites and people.
type clusterWorld struct {
	day      time.Time
	mu       sync.Mutex
	hits     map[int][]clusterHit
	hostURL  []string
	sourceOf map[string]int64 // host/list path → source
	subs     []clusterSub
}

func newClusterWorld(t testing.TB, day time.Time) *clusterWorld {
	w := &clusterWorld{day: day, hits: map[int][]clusterHit{}, hostURL: make([]string, clusterHosts), sourceOf: map[string]int64{}}
	closesOf := func(col int) time.Time { return day.AddDate(0, 0, []int{1, 3, 7}[col%3]) }
	for h := 0; h < clusterHosts; h++ {
		ln, err := net.Listen("tcp", fmt.Sprintf("127.0.0.%d:0", 11+h))
		if err != nil {
			t.Fatal(err)
		}
		h := h
		srv := &http.Server{ReadHeaderTimeout: 5 * time.Second, Handler: http.HandlerFunc(func(rw http.ResponseWriter, r *http.Request) {
			w.mu.Lock()
			w.hits[h] = append(w.hits[h], clusterHit{r.URL.Path, time.Now()})
			w.mu.Unlock()
			var body string
			switch {
			case r.URL.Path == "/robots.txt":
				body = "User-agent: *\nDisallow: /admin/\n"
			case strings.HasSuffix(r.URL.Path, "/index.html"):
				col, _ := strconv.Atoi(strings.TrimSuffix(strings.TrimPrefix(r.URL.Path, "/col"), "/index.html"))
				title := clusterTitle(h, col)
				body = fmt.Sprintf(`<html><head><meta charset="utf-8"><title>通知公告</title></head><body><ul class="list">`+
					`<li><a href="/col%d/1.html">%s</a><span>%s</span></li><li><a href="/about.html">关于我们</a></li></ul></body></html>`,
					col, title, day.AddDate(0, 0, -1).Format("2006-01-02"))
			case strings.HasSuffix(r.URL.Path, "/1.html"):
				col, _ := strconv.Atoi(strings.TrimSuffix(strings.TrimPrefix(r.URL.Path, "/col"), "/1.html"))
				c := closesOf(col)
				title := clusterTitle(h, col)
				body = fmt.Sprintf(`<html><head><meta charset="utf-8"><title>%s</title></head><body><div class="article"><h1>%s</h1>`+
					`<p>各有关单位：</p><p>为支持%s产业发展，现将项目申报有关事项通知如下。</p><p>请于%d年%d月%d日前将申报材料报送至%s发展办公室。</p>`+
					`<p>逾期不予受理。</p><p>%s</p></div></body></html>`, title, title, clusterTopics[col%len(clusterTopics)],
					c.Year(), int(c.Month()), c.Day(), clusterRegions[h%len(clusterRegions)], day.AddDate(0, 0, -1).Format("2006年1月2日"))
			default:
				http.NotFound(rw, r)
				return
			}
			etag := fmt.Sprintf(`"%x"`, len(body))
			rw.Header().Set("ETag", etag)
			if r.Header.Get("If-None-Match") == etag {
				rw.WriteHeader(http.StatusNotModified)
				return
			}
			rw.Header().Set("Content-Type", "text/html; charset=utf-8")
			rw.Write([]byte(body))
		})}
		go srv.Serve(ln)
		t.Cleanup(func() { srv.Close() })
		w.hostURL[h] = "http://" + ln.Addr().String()
	}
	for i := 0; i < clusterSubs; i++ {
		w.subs = append(w.subs, clusterSub{fmt.Sprintf("s%03d@example.cn", i), clusterRegions[i%len(clusterRegions)],
			clusterTopics[(i/len(clusterRegions))%len(clusterTopics)]})
	}
	return w
}

// seed puts the sources and subscribers in the store at dsn, as the CLI
// would (a thousand CLI runs would only slow the test).
func (w *clusterWorld) seed(t testing.TB, dsn string) {
	ctx := context.Background()
	db, err := store.Open(ctx, dsn)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	for h := 0; h < clusterHosts; h++ {
		for c := 0; c < clusterColumns; c++ {
			u := fmt.Sprintf("%s/col%d/index.html", w.hostURL[h], c)
			s, err := db.AddSource(ctx, store.Source{URL: u, Region: clusterRegions[h%len(clusterRegions)], Kind: "list"})
			if err != nil {
				t.Fatal(err)
			}
			w.sourceOf[fmt.Sprintf("%d/col%d/index.html", h, c)] = s.ID
		}
	}
	for _, s := range w.subs {
		if _, err := db.AddSubscriber(ctx, store.Subscriber{Email: s.email, Status: "active", Regions: []string{s.region}, Keywords: []string{s.topic}}); err != nil {
			t.Fatal(err)
		}
	}
}

// writeClusterConfig writes the configuration the cluster tests run with:
// the defaults but for loopback fetching at the given pace, no send-rate
// limit, the test's SMTP server and (when not 0) the claims' lease.
func writeClusterConfig(t testing.TB, dir, db string, pace time.Duration, smtp *testsmtp.Server, lease time.Duration) string {
	t.Helper()
	host, port := smtp.HostPort()
	cfg := fmt.Sprintf(`db = %q
[fetch]
allow_private = ["127.0.0.0/8"]
per_host_delay = %q
timeout = "10s"
[smtp]
host = %q
port = %d
from = "grantwatch@example.cn"
[notify]
rate = 0
`, db, pace.String(), host, port)
	if lease > 0 {
		cfg += fmt.Sprintf("[cluster]\nlease = %q\n", lease.String())
	}
	path := filepath.Join(dir, "gw.toml")
	if err := os.WriteFile(path, []byte(cfg), 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}

func clusterTitle(host, col int) string {
	return fmt.Sprintf("关于组织申报%s第%02d%02d号%s项目的通知", clusterRegions[host%len(clusterRegions)], host, col,
		clusterTopics[col%len(clusterTopics)])
}

// BenchmarkClusterThroughput measures crawl and notify throughput with 1,
// 2 and 3 daemons on one PostgreSQL store: the cluster test's world (1,000
// sources on 50 loopback hosts, 300 subscribers), each host paced at 5 ms
// (the default 2 s would measure only the pace) and notify.rate = 0. The
// crawl is the first check of every source (its list and its notice); the
// mail is a morning's reminders, planned and sent from 09:00.
func BenchmarkClusterThroughput(b *testing.B) {
	if os.Getenv(storetest.Env) == "" && os.Getenv("GRANTWATCH_POSTGRES") == "" {
		b.Skip("no PostgreSQL; set GRANTWATCH_TEST_POSTGRES")
	}
	base := cmp.Or(os.Getenv(storetest.Env), os.Getenv("GRANTWATCH_POSTGRES"))
	shanghai, _ := time.LoadLocation("Asia/Shanghai")
	day := time.Date(2026, 3, 2, 0, 0, 0, 0, shanghai)
	for _, n := range []int{1, 2, 3} {
		b.Run(fmt.Sprintf("daemons=%d", n), func(b *testing.B) {
			for range b.N {
				dsn := storetest.FreshPostgres(b, base)
				w := newClusterWorld(b, day)
				w.seed(b, dsn)
				smtp := testsmtp.Start(b)
				dir := b.TempDir()
				cfgPath := writeClusterConfig(b, dir, dsn, 5*time.Millisecond, smtp, 5*time.Second)
				raw, err := sql.Open("pgx", dsn)
				if err != nil {
					b.Fatal(err)
				}
				defer raw.Close()
				count := func(q string, args ...any) int {
					var k int
					if err := raw.QueryRow(q, args...).Scan(&k); err != nil {
						b.Fatal(err)
					}
					return k
				}
				run := func(at time.Time, done func() bool) time.Duration {
					var cmds []*exec.Cmd
					start := time.Now()
					for i := 0; i < n; i++ {
						logf, _ := os.Create(filepath.Join(dir, fmt.Sprintf("d%d.log", i)))
						defer logf.Close()
						cmd := exec.Command(os.Args[0], "--config", cfgPath, "serve", "--listen", "127.0.0.1:0",
							"--clock-start", at.Format(time.RFC3339), "--tick", "1s")
						cmd.Env = append(os.Environ(), "GW_RUN_MAIN=1")
						cmd.Stdout, cmd.Stderr = logf, logf
						if err := cmd.Start(); err != nil {
							b.Fatal(err)
						}
						cmds = append(cmds, cmd)
					}
					deadline := time.Now().Add(5 * time.Minute)
					for !done() && time.Now().Before(deadline) {
						time.Sleep(50 * time.Millisecond)
					}
					took := time.Since(start)
					for _, c := range cmds {
						c.Process.Signal(syscall.SIGTERM)
						c.Wait()
					}
					if !done() {
						b.Fatalf("%d daemons did not finish in 5 minutes", n)
					}
					return took
				}
				crawl := run(day, func() bool {
					return count(`SELECT COUNT(*) FROM sources WHERE last_checked_at IS NOT NULL`) == len(w.sourceOf)
				})
				notices := count(`SELECT COUNT(*) FROM notices`)
				before := len(smtp.Messages())
				morning := day.Add(9 * time.Hour)
				due := morning.UTC().Format("2006-01-02T15:04:05Z")
				notify := run(morning, func() bool {
					return count(`SELECT COUNT(*) FROM deliveries`) > 0 &&
						count(`SELECT COUNT(*) FROM deliveries WHERE status IN ('pending', 'sending') AND due_at <= $1`, due) == 0 &&
						len(smtp.Messages()) > before
				})
				mails := len(smtp.Messages()) - before
				b.ReportMetric(crawl.Seconds(), "s_crawl")
				b.ReportMetric(float64(len(w.sourceOf))/crawl.Seconds(), "sources/s")
				b.ReportMetric(float64(notices), "notices")
				b.ReportMetric(notify.Seconds(), "s_notify")
				b.ReportMetric(float64(mails), "mails")
				b.ReportMetric(float64(mails)/notify.Seconds(), "mails/s")
			}
		})
	}
}

// TestMigrateStoreClusterWorld builds the cluster test's world in a SQLite
// file with the CLI (a crawl of its 1,000 sources, a morning's mail), then
// moves it to PostgreSQL with migrate-store: every table's rows and
// checksum match, and the copy lists the same windows, sources and
// subscribers.
func TestMigrateStoreClusterWorld(t *testing.T) {
	base := clusterPostgres(t)
	shanghai, _ := time.LoadLocation("Asia/Shanghai")
	day := time.Date(2026, 3, 2, 0, 0, 0, 0, shanghai)
	w := newClusterWorld(t, day)
	dir := t.TempDir()
	file := filepath.Join(dir, "gw.db")
	w.seed(t, file)
	smtp := testsmtp.Start(t)
	cfgPath := writeClusterConfig(t, dir, file, 5*time.Millisecond, smtp, 0)
	mustGW(t, "--config", cfgPath, "crawl", "--once", "--now", day.Add(time.Hour).Format(time.RFC3339))
	mustGW(t, "--config", cfgPath, "notify", "--once", "--now", day.Add(9*time.Hour).Format(time.RFC3339))
	to := storetest.FreshPostgres(t, base)
	lines := jsonLines(t, mustGW(t, "migrate-store", "--from", file, "--to", to, "--json"))
	rows := map[string]float64{}
	for _, l := range lines {
		if l["match"] != true {
			t.Errorf("%v does not match", l["table"])
		}
		rows[l["table"].(string)] = l["rows"].(float64)
	}
	t.Logf("copied: %v", rows)
	if rows["sources"] != 1000 || rows["notices"] != 1000 || rows["windows"] != 1000 || rows["subscribers"] != clusterSubs || rows["deliveries"] < 3000 {
		t.Errorf("rows copied: %v", rows)
	}
	for _, cmd := range [][]string{{"windows", "--json"}, {"subscriber", "list", "--json"}, {"source", "list", "--json"}} {
		a := mustGW(t, append([]string{"--db", file}, cmd...)...)
		b := mustGW(t, append([]string{"--db", to}, cmd...)...)
		if a != b {
			t.Errorf("%s differs after the copy", strings.Join(cmd, " "))
		}
	}
}
