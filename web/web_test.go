package web

import (
	"compress/gzip"
	"context"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"regexp"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/grantwatch/grantwatch/internal/storetest"
	"github.com/grantwatch/grantwatch/internal/testsmtp"
	"github.com/grantwatch/grantwatch/notify"
	"github.com/grantwatch/grantwatch/store"
)

var shanghai, _ = time.LoadLocation("Asia/Shanghai")

type env struct {
	t    *testing.T
	db   *store.DB
	smtp *testsmtp.Server
	srv  *httptest.Server
	web  *Server
	// clock is the web server's time (UnixNano), which a test may move.
	clock *atomic.Int64
}

func newEnv(t *testing.T, public bool) *env {
	t.Helper()
	now := time.Date(2019, 9, 1, 1, 0, 0, 0, time.UTC)
	db, err := store.Open(context.Background(), storetest.DSN(t), store.WithClock(func() time.Time { return now }))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	smtp := testsmtp.Start(t)
	host, port := smtp.HostPort()
	n := &notify.Notifier{DB: db, Logger: slog.New(slog.NewTextHandler(io.Discard, nil)),
		Mailer: notify.NewMailer(notify.SMTPConfig{Host: host, Port: port, TLS: "none", Timeout: 5 * time.Second}),
		Config: notify.Config{Hour: 9, Location: shanghai, From: "grantwatch@example.cn", FromName: "申报提醒",
			RetryBackoff: time.Minute, RetryBackoffMax: time.Hour, DigestDays: 14}}
	t.Cleanup(func() { n.Mailer.Close() })
	clock := &atomic.Int64{}
	clock.Store(now.UnixNano())
	w := &Server{DB: db, Logger: slog.New(slog.NewTextHandler(io.Discard, nil)), Now: func() time.Time { return time.Unix(0, clock.Load()).UTC() }, Notifier: n,
		Config: Config{PublicFeed: public, SubscribePerHour: 3, Location: shanghai}, Stats: func() Stats { return Stats{Crawls: 7, FetchErrors: 2} }}
	srv := httptest.NewServer(w.Handler())
	t.Cleanup(srv.Close)
	w.Config.BaseURL = srv.URL
	n.Config.BaseURL = srv.URL
	for i, x := range []struct{ url, title, region, closes string }{
		{"https://kjt.example.gov.cn/1.html", "关于组织申报2019年度山西省重点研发计划的通知", "山西", "2019-09-30"},
		{"https://gxt.example.gov.cn/2.html", "关于申报首台套保险补偿的通知", "山东", "2019-09-06"},
	} {
		if _, err := db.SaveNotice(context.Background(), store.Notice{URL: x.url, Title: x.title, Region: x.region},
			[]store.Window{{Key: "k", Label: []string{"网络申报", "报送"}[i], Opens: "2019-08-30", Closes: x.closes}}, ""); err != nil {
			t.Fatal(err)
		}
	}
	return &env{t: t, db: db, smtp: smtp, srv: srv, web: w, clock: clock}
}

func (e *env) get(c *http.Client, path string, header ...string) (*http.Response, string) {
	e.t.Helper()
	req, _ := http.NewRequest(http.MethodGet, e.srv.URL+path, nil)
	for i := 0; i+1 < len(header); i += 2 {
		req.Header.Set(header[i], header[i+1])
	}
	resp, err := c.Do(req)
	if err != nil {
		e.t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp, string(b)
}

func (e *env) post(c *http.Client, path string, form url.Values) (*http.Response, string) {
	e.t.Helper()
	resp, err := c.PostForm(e.srv.URL+path, form)
	if err != nil {
		e.t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp, string(b)
}

var csrfRE = regexp.MustCompile(`name="csrf" value="([^"]+)"`)

func browser(t *testing.T) *http.Client {
	jar, _ := cookiejar.New(nil)
	return &http.Client{Jar: jar}
}

func TestFeed(t *testing.T) {
	e := newEnv(t, false)
	sub, err := e.db.AddSubscriber(context.Background(), store.Subscriber{Email: "li@example.cn", Status: "active", Regions: []string{"山西"}})
	if err != nil {
		t.Fatal(err)
	}
	c := http.DefaultClient
	resp, body := e.get(c, "/feed/"+sub.FeedToken+".ics")
	if resp.StatusCode != 200 || resp.Header.Get("Content-Type") != "text/calendar; charset=utf-8" {
		t.Fatalf("feed: %d %s", resp.StatusCode, resp.Header.Get("Content-Type"))
	}
	if !strings.Contains(body, "山西省重点研发计划") || strings.Contains(body, "首台套") || !strings.HasPrefix(body, "BEGIN:VCALENDAR\r\n") {
		t.Errorf("feed body:\n%s", body)
	}
	etag := resp.Header.Get("ETag")
	if resp, _ := e.get(c, "/feed/"+sub.FeedToken+".ics", "If-None-Match", etag); resp.StatusCode != http.StatusNotModified {
		t.Errorf("If-None-Match: %d", resp.StatusCode)
	}
	for _, path := range []string{"/feed/" + strings.Repeat("A", 22) + ".ics", "/feed/" + sub.UnsubscribeToken + ".ics", "/feed/public.ics", "/feed/" + sub.FeedToken} {
		if resp, _ := e.get(c, path); resp.StatusCode != http.StatusNotFound {
			t.Errorf("%s: %d", path, resp.StatusCode)
		}
	}
	// The public feed, when on, filters by the query.
	e2 := newEnv(t, true)
	resp, body = e2.get(c, "/feed/public.ics?region="+url.QueryEscape("山东"))
	if resp.StatusCode != 200 || !strings.Contains(body, "首台套") || strings.Contains(body, "山西省") {
		t.Errorf("public feed: %d\n%s", resp.StatusCode, body)
	}
}

func TestSubscribeFlow(t *testing.T) {
	e := newEnv(t, false)
	c := browser(t)
	_, page := e.get(c, "/subscribe")
	m := csrfRE.FindStringSubmatch(page)
	if m == nil {
		t.Fatalf("no CSRF field:\n%s", page)
	}
	// Without the CSRF field: refused, nothing written.
	if resp, _ := e.post(c, "/subscribe", url.Values{"email": {"li@example.cn"}}); resp.StatusCode != http.StatusForbidden {
		t.Errorf("no CSRF: %d", resp.StatusCode)
	}
	resp, body := e.post(c, "/subscribe", url.Values{"csrf": {m[1]}, "email": {"li@example.cn"}, "regions": {"山西, 河北"}})
	if resp.StatusCode != 200 || !strings.Contains(body, "如果地址有效") {
		t.Fatalf("subscribe: %d\n%s", resp.StatusCode, body)
	}
	subs, _ := e.db.Subscribers(context.Background())
	if len(subs) != 1 || subs[0].Status != "pending" || len(subs[0].Regions) != 2 {
		t.Fatalf("subscriber %+v", subs)
	}
	// The confirmation mail, from the SMTP server.
	msgs := e.smtp.Messages()
	if len(msgs) != 1 {
		t.Fatalf("%d mails", len(msgs))
	}
	parts, err := msgs[0].Parts()
	if err != nil {
		t.Fatal(err)
	}
	link := regexp.MustCompile(`/confirm/[A-Za-z0-9_-]{22}`).FindString(parts["text/plain"])
	if link == "" || !strings.Contains(parts["text/html"], link) {
		t.Fatalf("no confirm link in the mail:\n%s", parts["text/plain"])
	}
	path := link[strings.Index(link, "/confirm/"):]
	// GET shows a button and changes nothing.
	_, page = e.get(c, path)
	if s, _ := e.db.Subscriber(context.Background(), "li@example.cn"); s.Status != "pending" || !strings.Contains(page, "确认订阅") {
		t.Fatalf("GET confirm changed status to %s", s.Status)
	}
	resp, page = e.post(c, path, url.Values{"csrf": {csrfRE.FindStringSubmatch(page)[1]}})
	if resp.StatusCode != 200 || !strings.Contains(page, "订阅设置") || !strings.Contains(page, "订阅已确认") || strings.Contains(page, "已保存") {
		t.Fatalf("confirm: %d\n%s", resp.StatusCode, page)
	}
	confirmed, _ := e.db.Subscriber(context.Background(), "li@example.cn")
	if confirmed.Status != "active" {
		t.Fatalf("not confirmed: %s", confirmed.Status)
	}
	// The manage token (preferences, unsubscribe) is not the confirmation's.
	token := confirmed.UnsubscribeToken
	if "/confirm/"+token == path || !strings.HasSuffix(resp.Request.URL.Path, "/preferences/"+token) {
		t.Fatalf("confirmation landed on %s", resp.Request.URL)
	}
	// Preferences.
	resp, page = e.post(c, "/preferences/"+token, url.Values{"csrf": {csrfRE.FindStringSubmatch(page)[1]}, "regions": {"山东"},
		"keywords": {"首台套"}, "digest": {"weekly"}, "lead_close": {"5d,1d"}, "name": {"李老师"}})
	if resp.StatusCode != 200 || !strings.Contains(page, "已保存") {
		t.Fatalf("preferences: %d\n%s", resp.StatusCode, page)
	}
	s, _ := e.db.Subscriber(context.Background(), "li@example.cn")
	if s.Digest != "weekly" || strings.Join(s.Regions, ",") != "山东" || strings.Join(s.LeadClose, ",") != "5d,1d" || s.Name != "李老师" {
		t.Errorf("saved %+v", s)
	}
	// Unsubscribe: GET changes nothing; the one-click POST (no cookie, no
	// CSRF field, as a mail client sends it) unsubscribes at once.
	e.get(c, "/unsubscribe/"+token)
	if s, _ := e.db.Subscriber(context.Background(), "li@example.cn"); s.Status != "active" {
		t.Fatal("GET unsubscribed")
	}
	resp, err = http.Post(e.srv.URL+"/unsubscribe/"+token, "application/x-www-form-urlencoded", strings.NewReader("List-Unsubscribe=One-Click"))
	if err != nil || resp.StatusCode != 200 {
		t.Fatalf("one-click: %v %v", resp, err)
	}
	if s, _ := e.db.Subscriber(context.Background(), "li@example.cn"); s.Status != "unsubscribed" {
		t.Errorf("one-click did not unsubscribe: %s", s.Status)
	}
	if resp, _ := e.get(http.DefaultClient, "/unsubscribe/"+strings.Repeat("x", 22)); resp.StatusCode != http.StatusNotFound {
		t.Errorf("bad token: %d", resp.StatusCode)
	}
}

func TestNoEnumerationAndRateLimit(t *testing.T) {
	e := newEnv(t, false)
	if _, err := e.db.AddSubscriber(context.Background(), store.Subscriber{Email: "known@example.cn", Status: "active"}); err != nil {
		t.Fatal(err)
	}
	c := browser(t)
	_, page := e.get(c, "/subscribe")
	tok := csrfRE.FindStringSubmatch(page)[1]
	_, known := e.post(c, "/subscribe", url.Values{"csrf": {tok}, "email": {"known@example.cn"}})
	_, unknown := e.post(c, "/subscribe", url.Values{"csrf": {tok}, "email": {"new@example.cn"}})
	if known != unknown {
		t.Error("the answer differs for a known address")
	}
	subj := e.smtp.Subjects()
	if len(subj) != 2 || subj[0] != "您已订阅 grantwatch 申报提醒" || subj[1] != "请确认订阅 grantwatch 申报提醒" {
		t.Errorf("mails %q", subj)
	}
	e.post(c, "/subscribe", url.Values{"csrf": {tok}, "email": {"third@example.cn"}})
	resp, _ := e.post(c, "/subscribe", url.Values{"csrf": {tok}, "email": {"fourth@example.cn"}})
	if resp.StatusCode != http.StatusTooManyRequests {
		t.Errorf("4th subscribe in an hour: %d", resp.StatusCode)
	}
	if _, err := e.db.Subscriber(context.Background(), "fourth@example.cn"); err == nil {
		t.Error("a rate-limited request was stored")
	}
	resp, body := e.post(c, "/subscribe", url.Values{"csrf": {tok}, "email": {"not-an-address"}})
	if resp.StatusCode != http.StatusBadRequest || !strings.Contains(body, "邮箱地址无效") {
		t.Errorf("bad address: %d", resp.StatusCode)
	}
}

func TestUpcomingAndMetrics(t *testing.T) {
	e := newEnv(t, true)
	resp, page := e.get(http.DefaultClient, "/upcoming")
	if resp.StatusCode != 200 || !strings.Contains(page, "山西省重点研发计划") || !strings.Contains(page, `class="today"`) ||
		!strings.Contains(page, "webcal://") || strings.Contains(page, "<script") {
		t.Errorf("upcoming: %d\n%s", resp.StatusCode, page)
	}
	_, page = e.get(http.DefaultClient, "/upcoming?region="+url.QueryEscape("山东"))
	if strings.Contains(page, "山西省重点研发计划") || !strings.Contains(page, "首台套") || !strings.Contains(page, "closing") {
		t.Errorf("region filter:\n%s", page)
	}
	_, page = e.get(http.DefaultClient, "/upcoming?region="+url.QueryEscape("<script>alert(1)</script>"))
	if strings.Contains(page, "<script>alert(1)") {
		t.Error("region not escaped")
	}
	resp, text := e.get(http.DefaultClient, "/metrics")
	for _, want := range []string{"grantwatch_crawls_total 7", "grantwatch_fetch_errors_total 2", "grantwatch_notices 2",
		`grantwatch_windows{state="active"} 2`, `grantwatch_deliveries{status="sent"} 0`, "# TYPE grantwatch_crawls_total counter"} {
		if !strings.Contains(text, want) {
			t.Errorf("metrics lack %q:\n%s", want, text)
		}
	}
	if !strings.HasPrefix(resp.Header.Get("Content-Type"), "text/plain; version=0.0.4") {
		t.Errorf("metrics content type %q", resp.Header.Get("Content-Type"))
	}
}

// /metrics counts what is stored at most once a minute: counting every
// delivery ever made at each scrape would grow with the database.
func TestMetricsCountsKeptAMinute(t *testing.T) {
	e := newEnv(t, false)
	scrape := func() string {
		t.Helper()
		resp, text := e.get(http.DefaultClient, "/metrics")
		if resp.StatusCode != 200 {
			t.Fatalf("metrics: %d", resp.StatusCode)
		}
		return text
	}
	if text := scrape(); !strings.Contains(text, "grantwatch_notices 2\n") || !strings.Contains(text, "grantwatch_counts_age_seconds 0\n") {
		t.Fatalf("first scrape:\n%s", text)
	}
	if _, err := e.db.SaveNotice(context.Background(), store.Notice{URL: "https://fgw.example.gov.cn/3.html", Title: "关于申报专项资金的通知"}, nil, ""); err != nil {
		t.Fatal(err)
	}
	start := e.web.Now()
	for _, c := range []struct {
		after   time.Duration
		notices string
		age     string
	}{
		{0, "2", "0"},                 // read a moment ago
		{59 * time.Second, "2", "59"}, // still within the minute
		{60 * time.Second, "3", "0"},  // read again
		{70 * time.Second, "3", "10"},
		{-time.Hour, "3", "0"}, // a clock set back reads again rather than show an age below zero
	} {
		e.clock.Store(start.Add(c.after).UnixNano())
		text := scrape()
		if !strings.Contains(text, "grantwatch_notices "+c.notices+"\n") || !strings.Contains(text, "grantwatch_counts_age_seconds "+c.age+"\n") {
			t.Errorf("%v after the first scrape: want %s notices counted %s s ago:\n%s", c.after, c.notices, c.age, text)
		}
	}
}

// The web server offers no admin action: sources, notices, subscribers and
// settings are the CLI's; the only writes are a subscriber's own, by token.
func TestNoAdminOverHTTP(t *testing.T) {
	e := newEnv(t, false)
	for _, m := range []string{http.MethodGet, http.MethodPost, http.MethodPut, http.MethodDelete} {
		for _, p := range []string{"/sources", "/source/add", "/admin", "/api/sources", "/notices", "/subscribers", "/crawl", "/notify",
			"/backup", "/config", "/windows", "/import", "/debug/pprof/", "/feed/", "/preferences/", "/unsubscribe/"} {
			req, _ := http.NewRequest(m, e.srv.URL+p, strings.NewReader("url=http://evil.example/"))
			resp, err := http.DefaultClient.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			resp.Body.Close()
			if resp.StatusCode != http.StatusNotFound && resp.StatusCode != http.StatusMethodNotAllowed {
				t.Errorf("%s %s: %d", m, p, resp.StatusCode)
			}
		}
	}
	srcs, _ := e.db.Sources(context.Background())
	if len(srcs) != 0 {
		t.Errorf("a request added a source: %+v", srcs)
	}
	resp, _ := e.get(http.DefaultClient, "/upcoming")
	for h, want := range map[string]string{"X-Content-Type-Options": "nosniff", "X-Frame-Options": "DENY"} {
		if resp.Header.Get(h) != want {
			t.Errorf("%s: %q", h, resp.Header.Get(h))
		}
	}
	if !strings.Contains(resp.Header.Get("Content-Security-Policy"), "default-src 'none'") {
		t.Errorf("CSP %q", resp.Header.Get("Content-Security-Policy"))
	}
}

// A feed served from memory is never stale: a moved deadline, a renamed
// notice or a changed subscriber filter gives a new ETag and new bytes, and
// the old ETag no longer earns a 304.
func TestFeedFollowsChanges(t *testing.T) {
	e := newEnv(t, false)
	ctx := context.Background()
	sub, err := e.db.AddSubscriber(ctx, store.Subscriber{Email: "li@example.cn", Status: "active", Regions: []string{"山西"}})
	if err != nil {
		t.Fatal(err)
	}
	path := "/feed/" + sub.FeedToken + ".ics"
	resp, body := e.get(http.DefaultClient, path)
	etag1 := resp.Header.Get("ETag")
	if !strings.Contains(body, "DTEND;VALUE=DATE:20191001") {
		t.Fatalf("first feed:\n%s", body)
	}
	if resp, again := e.get(http.DefaultClient, path); resp.Header.Get("ETag") != etag1 || again != body {
		t.Fatal("an unchanged feed changed")
	}
	// The deadline moves.
	if _, err := e.db.SaveNotice(ctx, store.Notice{URL: "https://kjt.example.gov.cn/1.html", Title: "关于组织申报2019年度山西省重点研发计划的通知", Region: "山西"},
		[]store.Window{{Key: "k", Label: "网络申报", Opens: "2019-08-30", Closes: "2019-10-15"}}, ""); err != nil {
		t.Fatal(err)
	}
	resp, body = e.get(http.DefaultClient, path, "If-None-Match", etag1)
	etag2 := resp.Header.Get("ETag")
	if resp.StatusCode != 200 || etag2 == etag1 || !strings.Contains(body, "DTEND;VALUE=DATE:20191016") || strings.Contains(body, "20191001") {
		t.Fatalf("after the move: %d %s→%s\n%s", resp.StatusCode, etag1, etag2, body)
	}
	// The subscriber widens the filter.
	sub.Regions = []string{"山西", "山东"}
	if err := e.db.UpdatePreferences(ctx, sub); err != nil {
		t.Fatal(err)
	}
	resp, body = e.get(http.DefaultClient, path, "If-None-Match", etag2)
	if resp.StatusCode != 200 || resp.Header.Get("ETag") == etag2 || !strings.Contains(body, "首台套") {
		t.Fatalf("after the filter change: %d\n%s", resp.StatusCode, body)
	}
}

// The timeline reads only its window of days and at most upcomingLimit
// rows, and says when it cut.
func TestUpcomingBounded(t *testing.T) {
	e := newEnv(t, false)
	ctx := context.Background()
	for i := 0; i < upcomingLimit+5; i++ {
		if _, err := e.db.SaveNotice(ctx, store.Notice{URL: fmt.Sprintf("https://kjt.example.gov.cn/b%d.html", i), Title: fmt.Sprintf("批量通知%d", i), Region: "河北"},
			[]store.Window{{Key: "k", Label: "申报", Closes: "2019-10-20"}}, ""); err != nil {
			t.Fatal(err)
		}
	}
	// Outside the timeline: long closed, and opening after it ends.
	for i, w := range []store.Window{{Key: "k", Closes: "2019-01-10"}, {Key: "k", Opens: "2020-03-01", Closes: "2020-03-30"}} {
		if _, err := e.db.SaveNotice(ctx, store.Notice{URL: fmt.Sprintf("https://kjt.example.gov.cn/out%d.html", i), Title: fmt.Sprintf("不在时间线上%d", i), Region: "河南"},
			[]store.Window{w}, ""); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := e.db.AddSource(ctx, store.Source{URL: "https://hebei.example.gov.cn/tzgg/", Region: "河北"}); err != nil {
		t.Fatal(err)
	}
	_, page := e.get(http.DefaultClient, "/upcoming")
	if n := strings.Count(page, `<div class="row">`); n != upcomingLimit {
		t.Errorf("%d rows, want %d", n, upcomingLimit)
	}
	if !strings.Contains(page, "只列出最先截止的") || strings.Contains(page, "不在时间线上") {
		t.Error("the cut is not said, or a window off the timeline is shown")
	}
	if !strings.Contains(page, `<option value="山东">`) || !strings.Contains(page, `<option value="河北">`) || strings.Contains(page, `<option value="河南">`) {
		t.Error("the region choice is not the timeline's regions")
	}
	_, page = e.get(http.DefaultClient, "/upcoming?region="+url.QueryEscape("山东"))
	if strings.Count(page, `<div class="row">`) != 1 || strings.Contains(page, "只列出最先截止的") || !strings.Contains(page, `<option value="河北">`) {
		t.Errorf("region page:\n%.2000s", page)
	}
}

// A feed goes gzipped to a client that takes gzip, plain to one that does
// not, the same calendar either way (drawn, or from memory), each form
// with its own ETag and either ETag answered with a 304.
func TestFeedGzip(t *testing.T) {
	e := newEnv(t, false)
	sub, err := e.db.AddSubscriber(context.Background(), store.Subscriber{Email: "li@example.cn", Status: "active"})
	if err != nil {
		t.Fatal(err)
	}
	c := http.DefaultClient
	path := "/feed/" + sub.FeedToken + ".ics"
	// Plain first (the feed drawn), then gzipped (from memory), then plain
	// again (from memory, unpacked).
	plain, plainBody := e.get(c, path, "Accept-Encoding", "identity")
	packed, packedBody := e.get(c, path, "Accept-Encoding", "br;q=1.0, gzip;q=0.8")
	again, againBody := e.get(c, path, "Accept-Encoding", "gzip;q=0, identity")
	if plain.StatusCode != 200 || packed.StatusCode != 200 || again.StatusCode != 200 {
		t.Fatalf("statuses %d %d %d", plain.StatusCode, packed.StatusCode, again.StatusCode)
	}
	if plain.Header.Get("Content-Encoding") != "" || again.Header.Get("Content-Encoding") != "" || packed.Header.Get("Content-Encoding") != "gzip" {
		t.Errorf("Content-Encoding: %q %q %q", plain.Header.Get("Content-Encoding"), packed.Header.Get("Content-Encoding"), again.Header.Get("Content-Encoding"))
	}
	zr, err := gzip.NewReader(strings.NewReader(packedBody))
	if err != nil {
		t.Fatal(err)
	}
	unpacked, err := io.ReadAll(zr)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(plainBody, "BEGIN:VCALENDAR\r\n") || string(unpacked) != plainBody || againBody != plainBody {
		t.Errorf("the three forms differ: %d, %d (unpacked) and %d bytes", len(plainBody), len(unpacked), len(againBody))
	}
	if len(packedBody) >= len(plainBody) {
		t.Errorf("gzipped %d bytes, plain %d", len(packedBody), len(plainBody))
	}
	tagPlain, tagPacked := plain.Header.Get("ETag"), packed.Header.Get("ETag")
	if tagPlain == tagPacked || tagPacked != strings.TrimSuffix(tagPlain, `"`)+`-gz"` || again.Header.Get("ETag") != tagPlain {
		t.Errorf("ETags %s %s %s", tagPlain, tagPacked, again.Header.Get("ETag"))
	}
	if !slices.Contains(packed.Header.Values("Vary"), "Accept-Encoding") || !slices.Contains(plain.Header.Values("Vary"), "Accept-Encoding") {
		t.Errorf("Vary: %q, %q", packed.Header.Values("Vary"), plain.Header.Values("Vary"))
	}
	// What is kept is counted by its length: its arrays hold little more.
	e.web.feeds.mu.Lock()
	for tag, el := range e.web.feeds.byTag {
		fe := el.Value.(*feedEntry)
		if cap(fe.raw) > len(fe.raw)*5/4 || cap(fe.gz) > len(fe.gz)*5/4 {
			t.Errorf("feed %s kept in arrays of %d and %d bytes for %d and %d", tag, cap(fe.raw), cap(fe.gz), len(fe.raw), len(fe.gz))
		}
	}
	e.web.feeds.mu.Unlock()
	for _, tag := range []string{tagPlain, tagPacked} {
		for _, enc := range []string{"identity", "gzip"} {
			if resp, _ := e.get(c, path, "Accept-Encoding", enc, "If-None-Match", tag); resp.StatusCode != http.StatusNotModified {
				t.Errorf("If-None-Match %s with %s: %d", tag, enc, resp.StatusCode)
			}
		}
	}
}

func TestAcceptsGzip(t *testing.T) {
	for h, want := range map[string]bool{
		"": false, "gzip": true, "GZIP": true, "deflate, gzip": true, "gzip;q=0": false, "gzip; q=0.0": false,
		"gzip;q=0.5": true, "*": true, "*;q=0": false, "identity": false, "x-gzip": true, "br": false,
	} {
		if got := acceptsGzip(h); got != want {
			t.Errorf("acceptsGzip(%q) = %v, want %v", h, got, want)
		}
	}
}

// TestWarmReadsTheListing: after Warm the feed listing is held at the
// current version, so the first feed after a start does not read it.
func TestWarmReadsTheListing(t *testing.T) {
	e := newEnv(t, false)
	ctx := context.Background()
	if e.web.feeds.list != nil {
		t.Fatal("listing held before anything asked for it")
	}
	if err := e.web.Warm(ctx); err != nil {
		t.Fatal(err)
	}
	v, err := e.db.ListingVersion(ctx)
	if err != nil {
		t.Fatal(err)
	}
	e.web.feeds.mu.Lock()
	n, lv := len(e.web.feeds.list), e.web.feeds.listVersion
	e.web.feeds.mu.Unlock()
	if n != 2 || lv != v {
		t.Errorf("after Warm: %d windows at version %d, want 2 at %d", n, lv, v)
	}
	// What Warm read is what a feed shows.
	sub, err := e.db.AddSubscriber(ctx, store.Subscriber{Email: "li@example.cn", Status: "active"})
	if err != nil {
		t.Fatal(err)
	}
	if resp, body := e.get(http.DefaultClient, "/feed/"+sub.FeedToken+".ics"); resp.StatusCode != 200 ||
		!strings.Contains(body, "山西省重点研发计划") || !strings.Contains(body, "首台套") {
		t.Errorf("feed after Warm: %d\n%s", resp.StatusCode, body)
	}
}

// TestListingReadOnce: callers that need the whole listing while it is
// being read (a feed asked for during serve's read at start) wait for that
// read instead of each reading it again beside it: all get the one slice.
func TestListingReadOnce(t *testing.T) {
	e := newEnv(t, false)
	ctx := context.Background()
	for i := 0; i < 1500; i++ {
		if _, err := e.db.SaveNotice(ctx, store.Notice{URL: fmt.Sprintf("https://kjt.example.gov.cn/many/%d.html", i), Title: "关于申报的通知", Region: "山西"},
			[]store.Window{{Key: "k", Label: "申报", Opens: "2019-09-01", Closes: "2019-09-30"}}, ""); err != nil {
			t.Fatal(err)
		}
	}
	v, err := e.db.ListingVersion(ctx)
	if err != nil {
		t.Fatal(err)
	}
	const n = 8
	got := make([][]store.WindowView, n)
	start := make(chan struct{})
	var wg sync.WaitGroup
	for i := 0; i < n; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			<-start
			ws, err := e.web.feeds.windows(ctx, e.db, v, "2019-08-02")
			if err != nil {
				t.Error(err)
			}
			got[i] = ws
		}()
	}
	close(start)
	wg.Wait()
	for i := range got {
		if len(got[i]) != 1502 {
			t.Fatalf("caller %d: %d windows, want 1502", i, len(got[i]))
		}
		if &got[i][0] != &got[0][0] {
			t.Errorf("caller %d read the listing again beside caller 0", i)
		}
	}
}
