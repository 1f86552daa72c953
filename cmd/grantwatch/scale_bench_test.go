package main

import (
	"bufio"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
	"math/rand"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/grantwatch/grantwatch/internal/testsmtp"
	"github.com/grantwatch/grantwatch/store"
)

// BenchmarkScale runs the real binary (this test binary running main in a
// child process, as the soak does) through a day of work on a world of
// size k (GRANTWATCH_SCALE, default 1):
//
//   - 100·k sources (通知公告 columns), 50 on each of 2·k loopback hosts
//     (127.0.0.11, .12, …), each host its own HTTP server with a region;
//   - 20 notices per column (2,000·k), every other one with two windows
//     (网上申报 from–to and a 纸质材料 deadline), the rest with one: 3,000·k
//     windows; published over the 365 days before the fixed now, each window
//     closing 30–65 days after publication;
//   - 100·k subscribers (the mix is at scaleSubscriber).
//
// Phases, each a child process: a cold `crawl --once`, the same again (all
// 304), `notify --once` at now, then `serve` answering /healthz, /upcoming
// and two feeds over loopback HTTP. Wall time and peak RSS of each, and the
// database's size, are reported as metrics; contrib/bench/scale.sh runs it
// at 1, 10 and 100 and prints the table. Run it with -benchtime 1x and
// -timeout 0 (100× takes far longer than the default 10 minutes):
//
//	GRANTWATCH_SCALE=10 go test ./cmd/grantwatch -run '^$' -bench '^BenchmarkScale$' -benchtime 1x -timeout 0
//
// GRANTWATCH_SCALE_DIR keeps the database, config and logs in that folder
// (default: a temporary one, removed afterwards).
func BenchmarkScale(b *testing.B) {
	k := 1
	if v := os.Getenv("GRANTWATCH_SCALE"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 || n > 1000 {
			b.Fatalf("GRANTWATCH_SCALE=%q: want a whole number from 1 to 1000", v)
		}
		k = n
	}
	dir := os.Getenv("GRANTWATCH_SCALE_DIR")
	if dir == "" {
		dir = b.TempDir()
	} else if err := os.MkdirAll(dir, 0o700); err != nil {
		b.Fatal(err)
	}
	for b.Loop() {
		runScale(b, k, dir)
	}
}

const (
	scaleColumnsPerHost = 50
	scaleNoticesPerCol  = 20
	scalePerHostDelay   = 5 * time.Millisecond
)

// scaleNow is the benchmark's fixed now: every process is told it.
var scaleNow = time.Date(2026, 6, 1, 9, 0, 0, 0, scaleShanghai())

func scaleShanghai() *time.Location {
	l, err := time.LoadLocation("Asia/Shanghai")
	if err != nil {
		return time.FixedZone("CST", 8*3600)
	}
	return l
}

var scaleRegions = []string{"山西", "河北", "山东", "广东", "浙江", "江苏", "安徽", "福建", "江西", "河南",
	"湖北", "湖南", "四川", "贵州", "云南", "陕西", "甘肃", "辽宁", "吉林", "黑龙江"}

// The soak's topics: none is part of another, and a page names only its own.
var scaleTopics = soakTopics

type scaleNotice struct {
	id, host, col int
	topic, title  string
	pub           time.Time // a day, 00:00 Asia/Shanghai
	opens         time.Time // zero: a bare deadline
	closes        time.Time
	paper         time.Time // a second window, 纸质材料 (zero: none)
}

func (n *scaleNotice) path() string { return fmt.Sprintf("/col%d/%07d.html", n.col, n.id) }

// windows is what the extractor should find on the page.
func (n *scaleNotice) windows() int {
	if n.paper.IsZero() {
		return 1
	}
	return 2
}

func scaleRegion(host int) string { return scaleRegions[host%len(scaleRegions)] }

// page is the notice as its site serves it: a TRS-like article of about
// 2 KB with the windows in the sentences departments write.
func (n *scaleNotice) page() string {
	region := scaleRegion(n.host)
	prov := region + "省"
	issuer := prov + "科学技术厅"
	var when string
	switch {
	case !n.paper.IsZero():
		when = fmt.Sprintf("<p>网上申报时间：%s至%s。申报单位登录%s科技管理信息系统在线填报，系统填报截止后不再受理。</p>\n<p>纸质材料请于%s前报送至%s综合受理窗口（一式三份，加盖单位公章）。</p>",
			cnDate(n.opens), cnDate(n.closes), prov, cnDate(n.paper), issuer)
	case !n.opens.IsZero():
		when = fmt.Sprintf("<p>申报时间：%s至%s。</p>", cnDate(n.opens), cnDate(n.closes))
	default:
		when = fmt.Sprintf("<p>请于%s前将申报材料报送至%s。</p>", cnDate(n.closes), issuer)
	}
	return fmt.Sprintf(`<html><head><meta charset="utf-8"><title>%s</title></head><body><div class="nav">首页 &gt; 通知公告</div>
<div class="article"><h1>%s</h1><div class="TRS_Editor"><p>各有关单位：</p>
<p>为支持%s产业发展，根据《%s科技计划管理办法》有关规定，现将%d年度%s专项第%d号项目申报有关事项通知如下。</p>
<p>一、申报条件</p><p>申报单位应为在%s境内注册、具有独立法人资格的企业、高等学校或科研院所，近三年无不良信用记录；项目负责人须为申报单位在职人员，同期主持在研省级项目不超过一项。</p>
<p>二、支持方向</p><p>重点支持关键核心技术攻关、成果转化和产业化示范，鼓励产学研联合申报。</p>
<p>三、申报方式</p>%s
<p>逾期不予受理。</p><p>四、联系方式</p><p>业务咨询：规划处，电话0351-1234567；系统技术支持：信息中心，电话0351-7654321。</p>
<p>%s</p><p>%s</p></div></div></body></html>`,
		n.title, n.title, n.topic, prov, n.pub.Year(), n.topic, n.id, prov, when, issuer, cnDate(n.pub))
}

type scaleWorld struct {
	k       int
	hosts   int
	notices []*scaleNotice
	byHost  []map[string]*scaleNotice // path → notice
	cols    [][][]*scaleNotice        // host, column → notices, newest first
	reqs    []atomic.Int64            // requests served, by host
	urls    []string                  // by host
}

func newScaleWorld(k int) *scaleWorld {
	rng := rand.New(rand.NewSource(20260601))
	w := &scaleWorld{k: k, hosts: 2 * k}
	w.byHost = make([]map[string]*scaleNotice, w.hosts)
	w.cols = make([][][]*scaleNotice, w.hosts)
	w.reqs = make([]atomic.Int64, w.hosts)
	w.urls = make([]string, w.hosts)
	today := time.Date(scaleNow.Year(), scaleNow.Month(), scaleNow.Day(), 0, 0, 0, 0, scaleNow.Location())
	id := 0
	for h := 0; h < w.hosts; h++ {
		w.byHost[h] = map[string]*scaleNotice{}
		w.cols[h] = make([][]*scaleNotice, scaleColumnsPerHost)
		for c := 0; c < scaleColumnsPerHost; c++ {
			var col []*scaleNotice
			for j := 0; j < scaleNoticesPerCol; j++ {
				id++
				n := &scaleNotice{id: id, host: h, col: c, topic: scaleTopics[rng.Intn(len(scaleTopics))]}
				n.pub = today.AddDate(0, 0, -1-rng.Intn(365))
				n.title = fmt.Sprintf("关于组织申报%d年度%s专项第%07d号项目的通知", n.pub.Year(), n.topic, id)
				if id%2 == 0 { // two windows: 网上申报 from–to, then 纸质材料
					n.opens = n.pub.AddDate(0, 0, 1+rng.Intn(3))
					n.closes = n.pub.AddDate(0, 0, 30+rng.Intn(26))
					n.paper = n.closes.AddDate(0, 0, 3+rng.Intn(8)) // at most 65 days after publication
				} else {
					n.closes = n.pub.AddDate(0, 0, 30+rng.Intn(36))
					if id%4 == 1 {
						n.opens = n.pub.AddDate(0, 0, 1+rng.Intn(3))
					}
				}
				col = append(col, n)
				w.notices = append(w.notices, n)
				w.byHost[h][n.path()] = n
			}
			sort.SliceStable(col, func(i, j int) bool { return col[i].pub.After(col[j].pub) })
			w.cols[h][c] = col
		}
	}
	return w
}

// scaleHostAddr is host h's loopback address: 127.0.0.11 onwards.
func scaleHostAddr(h int) string {
	n := 11 + h
	return fmt.Sprintf("127.0.%d.%d", n/250, n%250)
}

// serve starts host h's server: its columns' list pages, its notices and
// robots.txt, each with an ETag and a 304 for If-None-Match, as real
// sites do; every request is counted.
func (w *scaleWorld) serve(b *testing.B, h int) {
	ln, err := net.Listen("tcp", scaleHostAddr(h)+":0")
	if err != nil {
		b.Fatal(err)
	}
	handler := http.HandlerFunc(func(rw http.ResponseWriter, r *http.Request) {
		w.reqs[h].Add(1)
		var body string
		switch p := r.URL.Path; {
		case p == "/robots.txt":
			body = "User-agent: *\nDisallow: /admin/\n"
		case strings.HasSuffix(p, "/index.html"):
			c, err := strconv.Atoi(strings.TrimSuffix(strings.TrimPrefix(p, "/col"), "/index.html"))
			if err != nil || c < 0 || c >= scaleColumnsPerHost {
				http.NotFound(rw, r)
				return
			}
			var sb strings.Builder
			sb.WriteString(`<html><head><meta charset="utf-8"><title>通知公告</title></head><body><div class="nav">首页 &gt; 通知公告</div><ul class="list">`)
			for _, n := range w.cols[h][c] {
				fmt.Fprintf(&sb, "<li><a href=\"%s\" title=\"%s\">%s</a><span>%s</span></li>\n", n.path(), n.title, n.title, n.pub.Format("2006-01-02"))
			}
			sb.WriteString(`</ul><div class="foot">主办单位：` + scaleRegion(h) + `省科学技术厅</div></body></html>`)
			body = sb.String()
		default:
			n := w.byHost[h][p]
			if n == nil {
				http.NotFound(rw, r)
				return
			}
			body = n.page()
		}
		sum := sha256.Sum256([]byte(body))
		etag := `"` + hex.EncodeToString(sum[:8]) + `"`
		rw.Header().Set("ETag", etag)
		if r.Header.Get("If-None-Match") == etag {
			rw.WriteHeader(http.StatusNotModified)
			return
		}
		rw.Header().Set("Content-Type", "text/html; charset=utf-8")
		io.WriteString(rw, body)
	})
	srv := &http.Server{Handler: handler, ReadHeaderTimeout: 10 * time.Second}
	go srv.Serve(ln)
	b.Cleanup(func() { srv.Close() })
	w.urls[h] = "http://" + ln.Addr().String()
}

// busiest returns the most requests any host served since the last reset,
// and resets the counts.
func (w *scaleWorld) busiest() (max int64, total int64) {
	for i := range w.reqs {
		n := w.reqs[i].Swap(0)
		total += n
		if n > max {
			max = n
		}
	}
	return max, total
}

type scaleSub struct {
	store.Subscriber
	region, topic string
}

// scaleSubscriber is subscriber i of n. The mix, per 1,000 subscribers:
// 1 unfiltered (number 0, 1,000, …: one at 1× and 10×, ten at 100×), 20
// by region only (i%50 == 25), and the other 979 by region AND topic
// keyword; regions and topics drawn evenly. Mails grow with subscribers ×
// windows, k², whatever the mix; region AND topic is the narrowest of the
// three (1 window in 200 at 10× and over, where all 20 regions have
// hosts), and even with every subscriber filtered that way a day's
// reminders at 100× would be some 400,000 mails: see the report of
// contrib/bench/scale.sh. Unfiltered subscribers are kept to a thousandth
// because each gets every reminder of the world (about 8,000 at 100×).
func scaleSubscriber(i int, rng *rand.Rand) scaleSub {
	s := scaleSub{Subscriber: store.Subscriber{Email: fmt.Sprintf("s%06d@example.cn", i), Status: "active"}}
	region, topic := scaleRegions[rng.Intn(len(scaleRegions))], scaleTopics[rng.Intn(len(scaleTopics))]
	if i == 1 {
		// The region-and-topic subscriber whose feed is measured: a region
		// with notices at every size.
		region, topic = scaleRegions[0], scaleTopics[0]
	}
	switch {
	case i%1000 == 0:
	case i%50 == 25:
		s.region = region
	default:
		s.region, s.topic = region, topic
	}
	if s.region != "" {
		s.Regions = []string{s.region}
	}
	if s.topic != "" {
		s.Keywords = []string{s.topic}
	}
	return s
}

// expectedMails counts, from the world alone, the reminders due at now
// on a first run with the default lead times (open 3d,0d; close 7d,3d,1d):
// a window found late gets the latest reminder that fell due, so each
// window closing within the next 7 days (today included) gets one closing
// reminder per matching subscriber, and each opening within 3 days one
// opening reminder.
func (w *scaleWorld) expectedMails(subs []scaleSub) int {
	today := time.Date(scaleNow.Year(), scaleNow.Month(), scaleNow.Day(), 0, 0, 0, 0, scaleNow.Location())
	within := func(d time.Time, days int) bool {
		return !d.IsZero() && !d.Before(today) && !d.After(today.AddDate(0, 0, days))
	}
	due := map[[2]string]int{} // region, topic → reminders due
	for _, n := range w.notices {
		c := 0
		if within(n.closes, 7) {
			c++
		}
		if within(n.paper, 7) {
			c++
		}
		if within(n.opens, 3) {
			c++
		}
		due[[2]string{scaleRegion(n.host), n.topic}] += c
	}
	total := 0
	for _, s := range subs {
		for key, c := range due {
			if (s.region == "" || s.region == key[0]) && (s.topic == "" || s.topic == key[1]) {
				total += c
			}
		}
	}
	return total
}

// scaleProc is one finished child process.
type scaleProc struct {
	stdout string
	wall   time.Duration
	rssKB  int64
	// cpu is the process's CPU time, user and system: the phase's own
	// work, whatever waits (a host's pace, the test servers in this
	// process) stretch its wall time.
	cpu time.Duration
}

// scaleRun runs the binary with the config and args, its stderr to a log.
func scaleRun(b *testing.B, dir, cfg, name string, args ...string) scaleProc {
	b.Helper()
	logf, err := os.Create(filepath.Join(dir, name+".log"))
	if err != nil {
		b.Fatal(err)
	}
	defer logf.Close()
	cmd := exec.Command(os.Args[0], append([]string{"--config", cfg}, args...)...)
	cmd.Env = append(os.Environ(), "GW_RUN_MAIN=1")
	if d := os.Getenv("GRANTWATCH_SCALE_PROFILE"); d != "" {
		cmd.Env = append(cmd.Env, "GW_CPUPROFILE="+filepath.Join(d, name+".prof"))
	}
	// A process group of its own: a signal meant for the benchmark's group
	// (a Ctrl-C) does not end a phase half way as if it had failed.
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	var out strings.Builder
	cmd.Stdout, cmd.Stderr = &out, logf
	start := time.Now()
	err = cmd.Run()
	p := scaleProc{stdout: out.String(), wall: time.Since(start)}
	if ru, ok := cmd.ProcessState.SysUsage().(*syscall.Rusage); ok {
		p.rssKB = ru.Maxrss // KB on Linux
		p.cpu = time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
	}
	if err != nil {
		b.Fatalf("%s: grantwatch %s: %v\nstdout: %s\n(log in %s)", name, strings.Join(args, " "), err, lastLines(p.stdout, 20), logf.Name())
	}
	b.Logf("%s: %.2f s (CPU %.2f s), peak RSS %.1f MB: %s", name, p.wall.Seconds(), p.cpu.Seconds(), float64(p.rssKB)/1024, lastLines(p.stdout, 1))
	return p
}

func lastLines(s string, n int) string {
	l := strings.Split(strings.TrimRight(s, "\n"), "\n")
	if len(l) > n {
		l = l[len(l)-n:]
	}
	return strings.Join(l, "\n")
}

func procStatusKB(pid int, key string) int64 {
	raw, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		return 0
	}
	for _, l := range strings.Split(string(raw), "\n") {
		if f := strings.Fields(l); len(f) >= 2 && f[0] == key+":" {
			n, _ := strconv.ParseInt(f[1], 10, 64)
			return n
		}
	}
	return 0
}

func runScale(b *testing.B, k int, dir string) {
	ctx := context.Background()
	setup := time.Now()
	world := newScaleWorld(k)
	for h := 0; h < world.hosts; h++ {
		world.serve(b, h)
	}
	smtp := testsmtp.Start(b)
	smtpHost, smtpPort := smtp.HostPort()

	dbPath := filepath.Join(dir, "gw.db")
	for _, suf := range []string{"", "-wal", "-shm"} {
		os.Remove(dbPath + suf)
	}
	cfgPath := filepath.Join(dir, "gw.toml")
	// The defaults (config.example.toml) but for what a benchmark on
	// loopback needs; everything else, fetch.workers = 32 and
	// smtp.connections = 1 among it, is left at its default.
	cfg := fmt.Sprintf(`db = %q
[fetch]
# The world is on 127.0.0.11 onwards (default: no private addresses).
allow_private = ["127.0.0.0/8"]
# Default "2s": 100x (1,051 requests to each host) would take 35 minutes of
# politeness alone.
per_host_delay = "5ms"
[notify]
# Default 20/s: tens of thousands of mails would take hours.
rate = 0
[smtp]
# The in-process SMTP server (default 127.0.0.1:25).
host = %q
port = %d
`, dbPath, smtpHost, smtpPort)
	if err := os.WriteFile(cfgPath, []byte(cfg), 0o600); err != nil {
		b.Fatal(err)
	}

	// Sources and subscribers go in through the store, as the soak does.
	db, err := store.Open(ctx, dbPath)
	if err != nil {
		b.Fatal(err)
	}
	for h := 0; h < world.hosts; h++ {
		for c := 0; c < scaleColumnsPerHost; c++ {
			if _, err := db.AddSource(ctx, store.Source{URL: fmt.Sprintf("%s/col%d/index.html", world.urls[h], c),
				Name: fmt.Sprintf("%s省科学技术厅 通知公告 %d", scaleRegion(h), c), Region: scaleRegion(h)}); err != nil {
				b.Fatal(err)
			}
		}
	}
	rng := rand.New(rand.NewSource(7))
	nSubs := 100 * k
	subs := make([]scaleSub, 0, nSubs)
	mix := map[string]int{}
	var rtSub, allSub scaleSub
	for i := 0; i < nSubs; i++ {
		s := scaleSubscriber(i, rng)
		added, err := db.AddSubscriber(ctx, s.Subscriber)
		if err != nil {
			b.Fatal(err)
		}
		s.Subscriber = added
		subs = append(subs, s)
		switch {
		case s.region == "":
			mix["unfiltered"]++
			if allSub.FeedToken == "" {
				allSub = s
			}
		case s.topic == "":
			mix["region"]++
		default:
			mix["region+topic"]++
			if i == 1 {
				rtSub = s
			}
		}
	}
	db.Close()
	wantNotices, wantWindows := len(world.notices), 0
	for _, n := range world.notices {
		wantWindows += n.windows()
	}
	expMails := world.expectedMails(subs)
	b.Logf("scale %d×: %d sources on %d hosts, %d notices, %d windows, %d subscribers %v; %d reminders expected at %s; set up in %.1f s; files in %s",
		k, world.hosts*scaleColumnsPerHost, world.hosts, wantNotices, wantWindows, nSubs, mix, expMails,
		scaleNow.Format(time.RFC3339), time.Since(setup).Seconds(), dir)
	now := scaleNow.Format(time.RFC3339)
	world.busiest() // setup made no requests; start from zero

	// 1. Cold crawl: everything new.
	crawl := scaleRun(b, dir, cfgPath, "crawl", "crawl", "--once", "--now", now)
	busiest, total := world.busiest()
	nSources := world.hosts * scaleColumnsPerHost
	if !strings.Contains(crawl.stdout, fmt.Sprintf("crawled %d sources: %d ok, 0 failed", nSources, nSources)) {
		b.Fatalf("cold crawl: want %d sources ok: %s", nSources, lastLines(crawl.stdout, 10))
	}
	db, err = store.Open(ctx, dbPath)
	if err != nil {
		b.Fatal(err)
	}
	st, err := db.Status(ctx, scaleNow.Format("2006-01-02"))
	db.Close()
	if err != nil {
		b.Fatal(err)
	}
	if st.Notices != wantNotices || st.Windows != wantWindows {
		b.Fatalf("cold crawl stored %d notices and %d windows, want %d and %d", st.Notices, st.Windows, wantNotices, wantWindows)
	}
	bound := time.Duration(busiest-1) * scalePerHostDelay
	b.Logf("cold crawl: %d requests, busiest host %d; bound %.2f s; %d notices, %d windows (%d open or to come)",
		total, busiest, bound.Seconds(), st.Notices, st.Windows, st.WindowsUpcoming)

	// 2. The same again: every list answers 304.
	recrawl := scaleRun(b, dir, cfgPath, "recrawl", "crawl", "--once", "--now", now)
	busiest2, total2 := world.busiest()
	if !strings.Contains(recrawl.stdout, fmt.Sprintf("crawled %d sources: %d ok, 0 failed; notices 0 new", nSources, nSources)) {
		b.Fatalf("second crawl: %s", lastLines(recrawl.stdout, 10))
	}
	b.Logf("second crawl: %d requests, busiest host %d", total2, busiest2)

	// 3. The day's reminders.
	notify := scaleRun(b, dir, cfgPath, "notify", "notify", "--once", "--now", now)
	mails := len(smtp.Messages())
	m := regexp.MustCompile(`: (\d+) sent, (\d+) to retry, (\d+) failed`).FindStringSubmatch(notify.stdout)
	if m == nil || m[1] != strconv.Itoa(mails) || m[2] != "0" || m[3] != "0" {
		b.Fatalf("notify: the SMTP server received %d mails; notify said %q", mails, lastLines(notify.stdout, 1))
	}
	if mails == 0 {
		b.Fatalf("notify sent nothing")
	}
	if mails != expMails {
		b.Errorf("notify sent %d mails, the world says %d are due", mails, expMails)
	}
	db, err = store.Open(ctx, dbPath)
	if err != nil {
		b.Fatal(err)
	}
	st, err = db.Status(ctx, scaleNow.Format("2006-01-02"))
	db.Close()
	if err != nil {
		b.Fatal(err)
	}
	deliveries := 0
	for _, n := range st.Deliveries {
		deliveries += n
	}
	b.Logf("notify: %d mails; deliveries %v", mails, st.Deliveries)

	// 4. The daemon's web pages. It runs on a clock started at now (the
	// crawl planned each source's next check after 12:00, so its scheduler
	// finds nothing due) with a one-hour tick, so that neither crawler nor
	// notifier runs during the requests.
	serve := exec.Command(os.Args[0], "--config", cfgPath, "serve", "--listen", "127.0.0.1:0",
		"--clock-start", now, "--clock-speed", "1", "--tick", "1h")
	serve.Env = append(os.Environ(), "GW_RUN_MAIN=1")
	serve.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	serveLog, err := os.Create(filepath.Join(dir, "serve.log"))
	if err != nil {
		b.Fatal(err)
	}
	defer serveLog.Close()
	stderr, err := serve.StderrPipe()
	if err != nil {
		b.Fatal(err)
	}
	serve.Stdout = serveLog
	if err := serve.Start(); err != nil {
		b.Fatal(err)
	}
	serveDone := make(chan error, 1)
	addrc := make(chan string, 1)
	warmc := make(chan time.Duration, 1) // the feed listing read at start
	go func() {
		sc := bufio.NewScanner(stderr)
		re := regexp.MustCompile(`grantwatch serving.* addr=(\S+)`)
		reWarm := regexp.MustCompile(`feed listing read ahead.* took=(\S+)`)
		for sc.Scan() {
			fmt.Fprintln(serveLog, sc.Text())
			if m := re.FindStringSubmatch(sc.Text()); m != nil {
				addrc <- m[1]
			}
			if m := reWarm.FindStringSubmatch(sc.Text()); m != nil {
				if d, err := time.ParseDuration(m[1]); err == nil {
					warmc <- d
				}
			}
		}
		serveDone <- serve.Wait()
	}()
	var base string
	select {
	case a := <-addrc:
		base = "http://" + a
	case err := <-serveDone:
		b.Fatalf("serve exited before listening: %v (log in %s)", err, serveLog.Name())
	case <-time.After(2 * time.Minute):
		serve.Process.Kill()
		b.Fatalf("serve did not listen within 2 minutes (log in %s)", serveLog.Name())
	}
	client := &http.Client{Timeout: 5 * time.Minute}
	get := func(path, inm string, want int) (time.Duration, string, int) {
		req, _ := http.NewRequest("GET", base+path, nil)
		if inm != "" {
			req.Header.Set("If-None-Match", inm)
		}
		t0 := time.Now()
		res, err := client.Do(req)
		if err != nil {
			b.Fatalf("GET %s: %v", path, err)
		}
		n, err := io.Copy(io.Discard, res.Body)
		res.Body.Close()
		d := time.Since(t0)
		if err != nil || res.StatusCode != want {
			b.Fatalf("GET %s: %d (want %d), %v", path, res.StatusCode, want, err)
		}
		return d, res.Header.Get("ETag"), int(n)
	}
	ms := func(d time.Duration) float64 { return float64(d.Microseconds()) / 1000 }
	median := func(path, inm string, want int) float64 {
		var ds []time.Duration
		for i := 0; i < 5; i++ {
			d, _, _ := get(path, inm, want)
			ds = append(ds, d)
		}
		sort.Slice(ds, func(i, j int) bool { return ds[i] < ds[j] })
		return ms(ds[2])
	}
	healthz := median("/healthz", "", 200)
	// /metrics counts what is stored (every delivery ever made among it) at
	// its first scrape, then at most once a minute: the median is of
	// scrapes answered from the counts kept.
	d, _, _ := get("/metrics", "", 200)
	metricsFirst := ms(d)
	metricsWarm := median("/metrics", "", 200)
	d, _, upBytes := get("/upcoming", "", 200)
	upFirst := ms(d)
	upWarm := median("/upcoming", "", 200)
	feed := "/feed/" + rtSub.FeedToken + ".ics"
	d, etag, feedBytes := get(feed, "", 200)
	feedFirst := ms(d)
	feedWarm := median(feed, "", 200)
	feed304 := median(feed, etag, 304)
	// The first request after a change: another process stores a notice
	// of the subscriber's region and topic (as a crawl running beside serve
	// does), then the feed is asked for; median of 5 changes.
	var afterChange []time.Duration
	for i := 0; i < 5; i++ {
		wdb, err := store.Open(ctx, dbPath)
		if err != nil {
			b.Fatal(err)
		}
		title := fmt.Sprintf("关于%s开展%s项目申报的补充通知（%d）", rtSub.region, rtSub.topic, i)
		closes := scaleNow.AddDate(0, 0, 20+i).Format("2006-01-02")
		if _, err := wdb.SaveNotice(ctx, store.Notice{URL: fmt.Sprintf("%s/changed/%d.html", world.urls[0], i), Title: title,
			Region: rtSub.region, Text: title + "。请于" + closes + "前报送。"},
			[]store.Window{{Key: "k", Label: "报送", Closes: closes, Evidence: "请于" + closes + "前报送"}}, ""); err != nil {
			b.Fatal(err)
		}
		wdb.Close()
		d, _, _ := get(feed, "", 200)
		afterChange = append(afterChange, d)
	}
	sort.Slice(afterChange, func(i, j int) bool { return afterChange[i] < afterChange[j] })
	feedAfterChange := ms(afterChange[2])
	feedAll := "/feed/" + allSub.FeedToken + ".ics"
	d, _, allBytes := get(feedAll, "", 200)
	allFirst := ms(d)
	allWarm := median(feedAll, "", 200)
	var warm time.Duration
	select {
	case warm = <-warmc:
	case <-time.After(5 * time.Minute):
		b.Errorf("serve did not read the feed listing ahead (log in %s)", serveLog.Name())
	}
	hwm := procStatusKB(serve.Process.Pid, "VmHWM")
	serve.Process.Signal(syscall.SIGTERM)
	select {
	case err := <-serveDone:
		if err != nil {
			b.Errorf("serve: exit after SIGTERM: %v", err)
		}
	case <-time.After(time.Minute):
		serve.Process.Kill()
		b.Errorf("serve did not stop within a minute of SIGTERM")
	}
	if log, _ := os.ReadFile(serveLog.Name()); strings.Contains(string(log), "crawl done") || strings.Contains(string(log), "notify done") {
		b.Errorf("serve crawled or sent mail during the measurement (see %s)", serveLog.Name())
	}
	b.Logf("serve: /upcoming %d KB, feed (%s, %s) %d KB, unfiltered feed %d KB",
		upBytes>>10, rtSub.region, rtSub.topic, feedBytes>>10, allBytes>>10)

	// 5. The database.
	var dbBytes int64
	for _, suf := range []string{"", "-wal"} {
		if fi, err := os.Stat(dbPath + suf); err == nil {
			dbBytes += fi.Size()
		}
	}

	mb := func(kb int64) float64 { return float64(kb) / 1024 }
	b.ReportMetric(float64(k), "k")
	b.ReportMetric(float64(st.Notices), "notices")
	b.ReportMetric(float64(st.Windows), "windows")
	b.ReportMetric(float64(st.WindowsUpcoming), "windows_live")
	b.ReportMetric(float64(nSubs), "subscribers")
	b.ReportMetric(crawl.wall.Seconds(), "s_crawl")
	b.ReportMetric(bound.Seconds(), "s_bound")
	b.ReportMetric(crawl.wall.Seconds()/bound.Seconds(), "x_bound")
	b.ReportMetric(float64(st.Notices)/crawl.wall.Seconds(), "notices_per_s")
	b.ReportMetric(recrawl.wall.Seconds(), "s_recrawl")
	// CPU a unit of work: what must not grow with the size, where the
	// wall time of a small run is set by the pace.
	b.ReportMetric(float64(crawl.cpu.Microseconds())/1000/float64(st.Notices), "ms_cpu_per_notice")
	b.ReportMetric(float64(recrawl.cpu.Microseconds())/1000/float64(nSources), "ms_cpu_per_source_recrawl")
	b.ReportMetric(float64(notify.cpu.Microseconds())/1000/float64(max(mails, 1)), "ms_cpu_per_mail")
	b.ReportMetric(float64(mails), "mails")
	b.ReportMetric(float64(deliveries), "deliveries")
	b.ReportMetric(notify.wall.Seconds(), "s_notify")
	b.ReportMetric(float64(mails)/notify.wall.Seconds(), "mails_per_s")
	b.ReportMetric(ms(warm), "ms_listing_at_start")
	b.ReportMetric(healthz, "ms_healthz")
	b.ReportMetric(metricsFirst, "ms_metrics_first")
	b.ReportMetric(metricsWarm, "ms_metrics")
	b.ReportMetric(upFirst, "ms_upcoming_first")
	b.ReportMetric(upWarm, "ms_upcoming")
	b.ReportMetric(feedFirst, "ms_feed_first")
	b.ReportMetric(feedWarm, "ms_feed_warm")
	b.ReportMetric(feed304, "ms_feed_304")
	b.ReportMetric(feedAfterChange, "ms_feed_after_change")
	b.ReportMetric(allFirst, "ms_feed_all_first")
	b.ReportMetric(allWarm, "ms_feed_all_warm")
	b.ReportMetric(float64(feedBytes)/1024, "kb_feed")
	b.ReportMetric(float64(allBytes)/1024, "kb_feed_all")
	b.ReportMetric(float64(dbBytes)/(1<<20), "mb_db")
	b.ReportMetric(mb(crawl.rssKB), "mb_rss_crawl")
	b.ReportMetric(mb(recrawl.rssKB), "mb_rss_recrawl")
	b.ReportMetric(mb(notify.rssKB), "mb_rss_notify")
	b.ReportMetric(mb(hwm), "mb_rss_serve")
}
