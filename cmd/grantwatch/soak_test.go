package main

import (
	"bufio"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"math/rand"
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

	"github.com/grantwatch/grantwatch/internal/testsmtp"
	"github.com/grantwatch/grantwatch/store"
)

// The soak test runs the real daemon (`serve`, this test binary running
// main in a child process) on an accelerated clock over simulated days: 200
// sources on 20 loopback hosts whose notices appear, change (the deadline
// is rewritten in place), and vanish; 300 subscribers with region, keyword
// or no filters and three sets of lead times; an SMTP server that drops
// idle sessions, is down for three hours and answers 4xx for a while; one
// graceful restart and one kill -9. At the end it checks, from what the
// SMTP server received and independently of the daemon's own planning:
// every closing reminder a subscriber should have had arrived, every
// subscriber reminded of a date that then moved got a correction, no
// reminder of a vanished notice went out after it vanished, no mail went
// twice but for the kill, nothing failed or was left due, RSS did not grow
// after the first day, and the database is whole.
//
// CI runs the short form (2 days); GRANTWATCH_SOAK_DAYS=7 is the long run.
const (
	soakSpeed   = 2400.0 // simulated seconds per real second: a day in 36 s
	soakHosts   = 20
	soakColumns = 10 // per host: 200 sources
	soakSubs    = 300
)

var soakTopics = []string{"人工智能", "生物医药", "新材料", "集成电路", "现代农业", "节能环保", "文化创意", "智能制造", "新能源", "数字经济"}
var soakRegions = []string{"山西", "河北", "山东", "广东"}

type soakNotice struct {
	host, col, id int
	topic         string
	title         string
	pub           time.Time // appears on its list
	opens         time.Time // zero: a bare deadline
	closes        time.Time
	editAt        time.Time // the deadline is rewritten in place (zero: never)
	newCloses     time.Time
	goneAt        time.Time // 404 and off the list (zero: never)
}

func (n *soakNotice) path() string { return fmt.Sprintf("/col%d/%04d.html", n.col, n.id) }

func (n *soakNotice) region() string { return soakRegions[n.host%len(soakRegions)] }

func cnDate(t time.Time) string {
	return fmt.Sprintf("%d年%d月%d日", t.Year(), int(t.Month()), t.Day())
}

// page is the notice as it reads at sim time now.
func (n *soakNotice) page(now time.Time) string {
	closes := n.closes
	if !n.editAt.IsZero() && !now.Before(n.editAt) {
		closes = n.newCloses
	}
	issuer := "某某市" + n.topic + "产业发展办公室"
	when := fmt.Sprintf("<p>请于%s前将申报材料报送至%s。</p>", cnDate(closes), issuer)
	if !n.opens.IsZero() {
		when = fmt.Sprintf("<p>申报时间：%s至%s。</p>", cnDate(n.opens), cnDate(closes))
	}
	return fmt.Sprintf(`<html><head><meta charset="utf-8"><title>%s</title></head><body><div class="nav">首页 &gt; 通知公告</div>
<div class="article"><h1>%s</h1><div class="TRS_Editor"><p>各有关单位：</p><p>为支持%s产业发展，现将第%d号项目申报有关事项通知如下。</p>
%s<p>逾期不予受理。</p><p>%s</p><p>%s</p></div></div></body></html>`, n.title, n.title, n.topic, n.id, when, issuer, cnDate(n.pub))
}

type soakWorld struct {
	start   time.Time // sim
	wall0   time.Time // wall at sim start
	notices []*soakNotice
	byHost  map[int][]*soakNotice
}

func (w *soakWorld) sim(wall time.Time) time.Time {
	return w.start.Add(time.Duration(float64(wall.Sub(w.wall0)) * soakSpeed))
}

func (w *soakWorld) wall(sim time.Time) time.Time {
	return w.wall0.Add(time.Duration(float64(sim.Sub(w.start)) / soakSpeed))
}

func newSoakWorld(start time.Time, days int, rng *rand.Rand) *soakWorld {
	w := &soakWorld{start: start, byHost: map[int][]*soakNotice{}}
	id := 0
	add := func(host, col int, pub time.Time) {
		id++
		n := &soakNotice{host: host, col: col, id: id, topic: soakTopics[rng.Intn(len(soakTopics))], pub: pub}
		n.title = fmt.Sprintf("关于组织申报%s专项第%04d号项目的通知", n.topic, id)
		day := time.Date(pub.Year(), pub.Month(), pub.Day(), 0, 0, 0, 0, pub.Location())
		n.closes = day.AddDate(0, 0, 3+rng.Intn(8))
		if rng.Intn(3) == 0 {
			n.opens = day.AddDate(0, 0, 1+rng.Intn(2))
		}
		switch r := rng.Intn(10); {
		case pub.Before(start.AddDate(0, 0, -30)): // archive: left as it is
		case r < 2: // extended in place, a day or two after publication
			n.editAt = pub.Add(time.Duration(24+rng.Intn(24)) * time.Hour)
			n.newCloses = n.closes.AddDate(0, 0, 3)
		case r < 3: // withdrawn
			n.goneAt = pub.Add(time.Duration(20+rng.Intn(20)) * time.Hour)
		}
		w.notices = append(w.notices, n)
		w.byHost[host] = append(w.byHost[host], n)
	}
	for h := 0; h < soakHosts; h++ {
		for c := 0; c < soakColumns; c++ {
			// A column shows a page of older notices, long closed, as real
			// columns do (a list of one link looks like no list at all).
			for k := 0; k < 12; k++ {
				add(h, c, start.AddDate(0, -2, -6*k).Add(time.Duration(rng.Intn(24*60))*time.Minute))
			}
			// Some notices are up before the daemon first looks.
			if rng.Intn(3) == 0 {
				add(h, c, start.Add(-time.Duration(1+rng.Intn(72))*time.Hour))
			}
			for d := 0; d < days; d++ {
				if rng.Intn(10) == 0 {
					add(h, c, start.AddDate(0, 0, d).Add(time.Duration(rng.Intn(24*60))*time.Minute))
				}
			}
		}
	}
	return w
}

// serveHost serves one host's columns as they stand at the sim time now,
// with ETags and 304s as real sites do.
func (w *soakWorld) serveHost(t *testing.T, host int) string {
	ln, err := net.Listen("tcp", fmt.Sprintf("127.0.0.%d:0", 11+host))
	if err != nil {
		t.Fatal(err)
	}
	h := http.HandlerFunc(func(rw http.ResponseWriter, r *http.Request) {
		now := w.sim(time.Now())
		live := func(n *soakNotice) bool { return !now.Before(n.pub) && (n.goneAt.IsZero() || now.Before(n.goneAt)) }
		var body string
		switch {
		case strings.HasSuffix(r.URL.Path, "/index.html"):
			col, _ := strconv.Atoi(strings.TrimSuffix(strings.TrimPrefix(r.URL.Path, "/col"), "/index.html"))
			var b strings.Builder
			b.WriteString(`<html><head><meta charset="utf-8"><title>通知公告</title></head><body><div class="nav">首页 &gt; 通知公告</div><ul class="list">`)
			ns := w.byHost[host]
			for i := len(ns) - 1; i >= 0; i-- {
				if n := ns[i]; n.col == col && live(n) {
					fmt.Fprintf(&b, `<li><a href="%s" title="%s">%s</a><span>%s</span></li>`, n.path(), n.title, n.title, n.pub.Format("2006-01-02"))
				}
			}
			b.WriteString(`</ul><div class="foot">主办单位：某某市人民政府</div></body></html>`)
			body = b.String()
		case r.URL.Path == "/robots.txt":
			body = "User-agent: *\nDisallow: /admin/\n"
		default:
			for _, n := range w.byHost[host] {
				if n.path() == r.URL.Path && live(n) {
					body = n.page(now)
				}
			}
			if body == "" {
				http.NotFound(rw, r)
				return
			}
		}
		sum := sha256.Sum256([]byte(body))
		etag := `"` + hex.EncodeToString(sum[:8]) + `"`
		rw.Header().Set("ETag", etag)
		if r.Header.Get("If-None-Match") == etag {
			rw.WriteHeader(http.StatusNotModified)
			return
		}
		rw.Header().Set("Content-Type", "text/html; charset=utf-8")
		rw.Write([]byte(body))
	})
	srv := &http.Server{Handler: h, ReadHeaderTimeout: 5 * time.Second}
	go srv.Serve(ln)
	t.Cleanup(func() { srv.Close() })
	return "http://" + ln.Addr().String()
}

type soakSub struct {
	email   string
	region  string
	topic   string
	leads   []string
	regions []string
}

func (s soakSub) matches(n *soakNotice) bool {
	return (s.region == "" || s.region == n.region()) && (s.topic == "" || s.topic == n.topic)
}

// rssKB reads a process's resident set.
func rssKB(pid int) int {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		return 0
	}
	for _, l := range strings.Split(string(b), "\n") {
		if f := strings.Fields(l); len(f) >= 2 && f[0] == "VmRSS:" {
			n, _ := strconv.Atoi(f[1])
			return n
		}
	}
	return 0
}

func TestSoak(t *testing.T) {
	if testing.Short() {
		t.Skip("soak: not in -short")
	}
	days := 2
	if v, err := strconv.Atoi(os.Getenv("GRANTWATCH_SOAK_DAYS")); err == nil && v >= 2 {
		days = v
	}
	shanghai, _ := time.LoadLocation("Asia/Shanghai")
	start := time.Date(2021, 3, 1, 0, 0, 0, 0, shanghai)
	seed := int64(20210301)
	if v, err := strconv.ParseInt(os.Getenv("GRANTWATCH_SOAK_SEED"), 10, 64); err == nil {
		seed = v
	}
	rng := rand.New(rand.NewSource(seed))
	world := newSoakWorld(start, days, rng)

	smtp := testsmtp.StartIdle(t, 500*time.Millisecond) // drops idle sessions
	smtpHost, smtpPort := smtp.HostPort()
	dir := t.TempDir()
	dbPath := filepath.Join(dir, "gw.db")
	cfgPath := filepath.Join(dir, "gw.toml")
	os.WriteFile(cfgPath, []byte(fmt.Sprintf(`db = %q
[fetch]
allow_private = ["127.0.0.0/8"]
per_host_delay = "5ms"
timeout = "5s"
[smtp]
host = %q
port = %d
from = "grantwatch@example.cn"
[notify]
rate = 0
[http]
base_url = "http://127.0.0.1:8080"
`, dbPath, smtpHost, smtpPort)), 0o600)

	// Sources and subscribers go in through the store, as the CLI would put
	// them (500 CLI runs would only slow the test).
	db, err := store.Open(context.Background(), dbPath)
	if err != nil {
		t.Fatal(err)
	}
	hostURL := make([]string, soakHosts)
	for h := range hostURL {
		hostURL[h] = world.serveHost(t, h)
	}
	var subs []soakSub
	leadSets := [][]string{nil, {"1d"}, {"3d", "1d"}}
	for i := 0; i < soakSubs; i++ {
		s := soakSub{email: fmt.Sprintf("s%03d@example.cn", i), leads: leadSets[i%3]}
		switch {
		case i < 30: // everything
		case i < 150:
			s.region = soakRegions[i%len(soakRegions)]
		default:
			s.topic = soakTopics[i%len(soakTopics)]
		}
		sub := store.Subscriber{Email: s.email, Status: "active", LeadClose: s.leads}
		if s.region != "" {
			sub.Regions = []string{s.region}
		}
		if s.topic != "" {
			sub.Keywords = []string{s.topic}
		}
		if _, err := db.AddSubscriber(context.Background(), sub); err != nil {
			t.Fatal(err)
		}
		subs = append(subs, s)
	}
	for h := 0; h < soakHosts; h++ {
		for c := 0; c < soakColumns; c++ {
			if _, err := db.AddSource(context.Background(), store.Source{URL: fmt.Sprintf("%s/col%d/index.html", hostURL[h], c),
				Name: fmt.Sprintf("通知公告 %d-%d", h, c), Region: soakRegions[h%len(soakRegions)]}); err != nil {
				t.Fatal(err)
			}
		}
	}
	db.Close()

	// The daemon, restarted twice.
	logf, _ := os.Create(filepath.Join(dir, "daemon.log"))
	defer logf.Close()
	var proc *exec.Cmd
	var procDone chan error
	var rssMu sync.Mutex
	type sample struct {
		proc, day, kb int
	}
	var samples []sample
	procs := 0
	launch := func() {
		simNow := world.sim(time.Now())
		cmd := exec.Command(os.Args[0], "--config", cfgPath, "serve", "--listen", "127.0.0.1:0",
			"--clock-start", simNow.Format(time.RFC3339Nano), "--clock-speed", fmt.Sprint(soakSpeed), "--tick", "1s")
		cmd.Env = append(os.Environ(), "GW_RUN_MAIN=1")
		cmd.Stdout, cmd.Stderr = logf, logf
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		procs++
		proc, procDone = cmd, make(chan error, 1)
		done, exited := procDone, make(chan struct{})
		go func() {
			done <- cmd.Wait()
			close(exited)
		}()
		n := procs
		go func() {
			for {
				select {
				case <-exited:
					return
				case <-time.After(300 * time.Millisecond):
				}
				if kb := rssKB(cmd.Process.Pid); kb > 0 {
					rssMu.Lock()
					samples = append(samples, sample{n, int(world.sim(time.Now()).Sub(start).Hours() / 24), kb})
					rssMu.Unlock()
				}
			}
		}()
	}
	stop := func(sig syscall.Signal) error {
		proc.Process.Signal(sig)
		select {
		case err := <-procDone:
			return err
		case <-time.After(30 * time.Second):
			proc.Process.Signal(syscall.SIGQUIT) // Go prints every goroutine's stack
			<-procDone
			log, _ := os.ReadFile(filepath.Join(dir, "daemon.log"))
			if len(log) > 20000 {
				log = log[len(log)-20000:]
			}
			t.Fatalf("the daemon did not stop within 30 s:\n%s", log)
		}
		return nil
	}

	at := func(day int, hm string) time.Time {
		h, _ := strconv.Atoi(hm[:2])
		m, _ := strconv.Atoi(hm[3:])
		return start.AddDate(0, 0, day).Add(time.Duration(h)*time.Hour + time.Duration(m)*time.Minute)
	}
	end := start.AddDate(0, 0, days)
	type event struct {
		at   time.Time
		name string
		do   func()
	}
	restarts := 0
	events := []event{
		{at(0, "08:30"), "SMTP down", smtp.Stop},
		{at(0, "11:30"), "SMTP up", func() {
			if err := smtp.Restart(); err != nil {
				t.Fatal(err)
			}
		}},
		{at(0, "18:00"), "graceful restart", func() {
			if err := stop(syscall.SIGTERM); err != nil {
				t.Errorf("SIGTERM: daemon exited with %v", err)
			}
			restarts++
			launch()
		}},
		{at(1, "09:03"), "kill -9", func() {
			stop(syscall.SIGKILL)
			restarts++
			launch()
		}},
		{at(1, "09:20"), "SMTP 4xx", func() { smtp.SetRefuse(func(string) error { return testsmtp.TempFail }) }},
		{at(1, "11:00"), "SMTP 4xx over", func() { smtp.SetRefuse(nil) }},
		{end, "end", func() {
			if err := stop(syscall.SIGTERM); err != nil {
				t.Errorf("final SIGTERM: daemon exited with %v", err)
			}
		}},
	}
	world.wall0 = time.Now().Add(time.Second)
	time.Sleep(time.Until(world.wall0))
	launch()
	for _, e := range events {
		time.Sleep(time.Until(world.wall(e.at)))
		t.Logf("sim %s: %s", e.at.Format("01-02 15:04"), e.name)
		e.do()
	}

	// What arrived, by subscriber and notice.
	type mail struct {
		to, subject, id string
		at              time.Time // sim
	}
	var mails []mail
	ids := map[string]int{}
	for _, m := range smtp.Messages() {
		p, err := m.Parsed()
		if err != nil {
			t.Fatal(err)
		}
		subj, _ := new(mime.WordDecoder).DecodeHeader(p.Header.Get("Subject"))
		mails = append(mails, mail{to: m.To[0], subject: subj, id: p.Header.Get("Message-Id"), at: world.sim(m.At)})
		ids[p.Header.Get("Message-Id")]++
	}
	duplicates := len(mails) - len(ids)
	noticeOf := func(subject string) string {
		if i := strings.Index(subject, "号项目"); i >= 4 {
			return subject[i-4 : i]
		}
		return ""
	}
	got := map[string][]mail{} // to + notice number
	for _, m := range mails {
		got[m.to+"/"+noticeOf(m.subject)] = append(got[m.to+"/"+noticeOf(m.subject)], m)
	}

	// Independent checks, from the world.
	dueClose, gotClose, corrDue, corrGot, afterGone, withdrawNotes := 0, 0, 0, 0, 0, 0
	var missing []string
	for _, n := range world.notices {
		num := fmt.Sprintf("%04d", n.id)
		closes := n.closes
		if !n.editAt.IsZero() && n.editAt.Before(closes) {
			closes = n.newCloses
		}
		lastDay := closes.AddDate(0, 0, -1).Add(9 * time.Hour) // the 1-day reminder is due at 09:00 the day before
		for _, s := range subs {
			if !s.matches(n) {
				continue
			}
			ms := got[s.email+"/"+num]
			// A closing reminder was due when the notice was up at least two
			// days before its 1-day reminder and it fell within the run.
			if n.goneAt.IsZero() && !lastDay.Before(start.Add(12*time.Hour)) && lastDay.Before(end.Add(-2*time.Hour)) &&
				lastDay.Sub(n.pub) > 48*time.Hour {
				dueClose++
				ok := false
				for _, m := range ms {
					if strings.HasPrefix(m.subject, "【申报截止提醒】") && !m.at.After(closes.AddDate(0, 0, 1)) {
						ok = true
					}
				}
				if ok {
					gotClose++
				} else if len(missing) < 10 {
					missing = append(missing, fmt.Sprintf("%s: %s closes %s", s.email, n.title, closes.Format("01-02")))
				}
			}
			// Reminded of the old date before the edit: a correction.
			if !n.editAt.IsZero() && n.editAt.Before(end.Add(-12*time.Hour)) {
				reminded := false
				for _, m := range ms {
					// (An opening reminder announced the opening day, which did
					// not move.)
					if m.at.Before(n.editAt) && strings.HasPrefix(m.subject, "【申报截止提醒】") {
						reminded = true
					}
				}
				if reminded {
					corrDue++
					found := false
					for _, m := range ms {
						if strings.HasPrefix(m.subject, "【截止时间调整】") && m.at.After(n.editAt) {
							corrGot++
							found = true
							break
						}
					}
					if !found && corrDue-corrGot <= 2 {
						var subj []string
						for _, m := range ms {
							subj = append(subj, m.at.Format("01-02 15:04")+" "+m.subject)
						}
						t.Logf("no correction: %s, %s edited at %s (%s → %s): %q", s.email, n.title, n.editAt.Format("01-02 15:04"),
							n.closes.Format("01-02"), n.newCloses.Format("01-02"), subj)
					}
				}
			}
			// Nothing about a withdrawn notice once the daemon has seen it go
			// (the next check of its source: within 6 h and the jitter).
			if !n.goneAt.IsZero() {
				notes := 0
				for _, m := range ms {
					if strings.HasPrefix(m.subject, "【申报通知变更】") {
						// The one note to whoever was reminded that the
						// notice was taken down.
						if notes++; notes > 1 || m.at.Before(n.goneAt) {
							t.Errorf("withdrawal note %d to %s at %s (gone at %s): %q", notes, s.email, m.at.Format("01-02 15:04"), n.goneAt.Format("01-02 15:04"), m.subject)
						}
						withdrawNotes++
						continue
					}
					if m.at.After(n.goneAt.Add(7 * time.Hour)) {
						if afterGone < 3 {
							t.Logf("after withdrawal: %s got %q at %s; gone at %s", s.email, m.subject, m.at.Format("01-02 15:04"), n.goneAt.Format("01-02 15:04"))
						}
						afterGone++
					}
				}
			}
		}
	}

	if keep := os.Getenv("GRANTWATCH_SOAK_KEEP"); keep != "" {
		// Keep the database and the daemon's log for a look afterwards.
		os.MkdirAll(keep, 0o700)
		for _, f := range []string{"gw.db", "daemon.log"} {
			if b, err := os.ReadFile(filepath.Join(dir, f)); err == nil {
				os.WriteFile(filepath.Join(keep, f), b, 0o600)
			}
		}
	}
	db, err = store.Open(context.Background(), dbPath)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	ctx := context.Background()
	all, _ := db.Deliveries(ctx, "", 0)
	status := map[string]int{}
	leftDue := 0
	sentIDs := map[string]bool{}
	for _, d := range all {
		status[d.Status]++
		if d.Status == "pending" && d.DueAt.Before(end.Add(-3*time.Hour)) && d.Kind != "digest" {
			leftDue++
		}
		if d.Status == "sent" {
			sentIDs["<"+d.MessageID+">"] = true
		}
	}
	unrecorded := 0
	for id := range ids {
		if !sentIDs[id] {
			unrecorded++
		}
	}
	notices, _ := db.Notices(ctx, "", 0)
	windows, _ := db.Windows(ctx, store.WindowFilter{All: true})
	integrity, ierr := db.IntegrityCheck(ctx)
	fi, _ := os.Stat(dbPath)

	rssMu.Lock()
	byDay := map[[2]int]int{}
	for _, s := range samples {
		k := [2]int{s.proc, s.day}
		byDay[k] = max(byDay[k], s.kb)
	}
	rssMu.Unlock()
	var keys [][2]int
	for k := range byDay {
		keys = append(keys, k)
	}
	sort.Slice(keys, func(i, j int) bool {
		return keys[i][0] < keys[j][0] || keys[i][0] == keys[j][0] && keys[i][1] < keys[j][1]
	})
	var rssLine []string
	peak, firstDay, final := 0, 0, 0
	for _, k := range keys {
		rssLine = append(rssLine, fmt.Sprintf("p%d/d%d %.1f MB", k[0], k[1], float64(byDay[k])/1024))
		peak = max(peak, byDay[k])
		if k[1] == 0 {
			firstDay = max(firstDay, byDay[k])
		}
		final = byDay[k]
	}
	log, _ := os.ReadFile(filepath.Join(dir, "daemon.log"))

	t.Logf("soak: %d days simulated; %d sources on %d hosts; %d notices (%d edited, %d withdrawn); %d windows; %d subscribers",
		days, soakHosts*soakColumns, soakHosts, len(notices), countWorld(world, func(n *soakNotice) bool { return !n.editAt.IsZero() }),
		countWorld(world, func(n *soakNotice) bool { return !n.goneAt.IsZero() }), len(windows), soakSubs)
	t.Logf("soak: mails received %d (%d distinct, %d duplicated); deliveries %v; closing reminders due %d, delivered %d; corrections due %d, sent %d; withdrawal notes %d; other mails after withdrawal %d",
		len(mails), len(ids), duplicates, status, dueClose, gotClose, corrDue, corrGot, withdrawNotes, afterGone)
	t.Logf("soak: restarts %d (1 SIGTERM, 1 kill -9); RSS peak %.1f MB, first day %.1f MB, final %.1f MB; DB %.1f MB; integrity %s",
		restarts, float64(peak)/1024, float64(firstDay)/1024, float64(final)/1024, float64(fi.Size())/(1<<20), integrity)
	t.Logf("soak: RSS by process/day: %s", strings.Join(rssLine, ", "))

	if dueClose == 0 || gotClose != dueClose {
		t.Errorf("closing reminders: %d due, %d delivered; missing e.g. %q", dueClose, gotClose, missing)
	}
	if corrDue == 0 || corrGot != corrDue {
		t.Errorf("corrections: %d due, %d sent", corrDue, corrGot)
	}
	if afterGone != 0 {
		t.Errorf("%d mails about notices after they were withdrawn", afterGone)
	}
	if duplicates > 1 {
		t.Errorf("%d duplicate mails for 1 kill", duplicates)
	}
	if status["failed"] != 0 || status["sending"] != 0 || leftDue != 0 {
		t.Errorf("deliveries failed %d, sending %d, left due %d", status["failed"], status["sending"], leftDue)
	}
	if unrecorded != 0 {
		t.Errorf("%d mails received that are not recorded as sent", unrecorded)
	}
	if ierr != nil || integrity != "ok" {
		t.Errorf("integrity_check: %q %v", integrity, ierr)
	}
	// Flat: the last day's peak within 50 % (and 16 MB) of the first day's.
	if firstDay == 0 || final > firstDay*3/2+16*1024 {
		t.Errorf("RSS grew: first day %d kB, final %d kB", firstDay, final)
	}
	// DB size in line with the data: well under 64 KB per notice.
	if fi.Size() > int64(len(notices)+1)*64<<10 {
		t.Errorf("DB %d bytes for %d notices", fi.Size(), len(notices))
	}
	if strings.Contains(string(log), "panic") {
		t.Errorf("the daemon panicked:\n%s", log)
	}
	if t.Failed() {
		sc := bufio.NewScanner(strings.NewReader(string(log)))
		n := 0
		for sc.Scan() && n < 40 {
			if strings.Contains(sc.Text(), "level=ERROR") {
				t.Log(sc.Text())
				n++
			}
		}
	}
}

func countWorld(w *soakWorld, f func(*soakNotice) bool) int {
	n := 0
	for _, x := range w.notices {
		if f(x) {
			n++
		}
	}
	return n
}
