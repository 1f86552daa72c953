package tracker

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"reflect"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/grantwatch/grantwatch/store"
)

var t0 = time.Date(2019, 8, 28, 1, 0, 0, 0, time.UTC) // 09:00 in Shanghai

// listPage renders a 通知公告 column the way CMSs do: a GBK page, charset
// only in <meta>, truncated link texts with full titles in title="", dates
// beside the links, navigation, and pagination.
func listPage(t *testing.T, next string, items ...[3]string) []byte {
	var b strings.Builder
	b.WriteString(`<html><head><meta http-equiv="Content-Type" content="text/html; charset=gb2312"><title>通知公告</title></head><body>
<div class="nav"><a href="/">首页</a> <a href="/tzgg/">通知公告</a> <a href="javascript:void(0)">打印</a> <a href="mailto:kjt@example.gov.cn">联系我们</a></div>
<ul class="list">`)
	for _, it := range items {
		text := it[1]
		if r := []rune(text); len(r) > 12 {
			text = string(r[:12]) + "..."
		}
		fmt.Fprintf(&b, `<li><a href="%s" title="%s" target="_blank">%s</a><span>%s</span></li>`+"\n", it[0], it[1], text, it[2])
	}
	b.WriteString(`</ul><div class="page">`)
	if next != "" {
		fmt.Fprintf(&b, `<a href="%s">下一页</a>`, next)
	}
	b.WriteString(`</div><div class="foot"><a href="http://other.example.com/a/123.html">友情链接：另一个网站的通知公告页面</a>
<a href="http://169.254.169.254/latest/meta-data/1.html">云服务器元数据的链接不能访问</a></div></body></html>`)
	return gbkBytes(t, b.String())
}

// noticePage renders a notice in a TRS_Editor body, with a sidebar.
func noticePage(title, body string, attachments ...[2]string) []byte {
	var b strings.Builder
	fmt.Fprintf(&b, `<html><head><meta charset="utf-8"><title>%s - 某某省科学技术厅</title></head><body>
<div class="side"><a href="/tzgg/">更多通知公告</a><a href="/tzgg/999.html">另一个无关的通知标题很长很长</a></div>
<h1>%s</h1><div class="TRS_Editor">%s`, title, title, body)
	for _, a := range attachments {
		fmt.Fprintf(&b, `<p>附件：<a href="%s">%s</a></p>`, a[0], a[1])
	}
	b.WriteString(`</div><script>var x="2030年1月1日前报送";</script></body></html>`)
	return []byte(b.String())
}

func TestCrawlListSite(t *testing.T) {
	now := &clock{t: t0}
	c := testCrawler(t, testFetchConfig(), now)
	s := newSite(t)
	s.page("/robots.txt", "text/plain", []byte("User-agent: *\nDisallow: /private/\n"))
	s.page("/tzgg/", "text/html", listPage(t, "index_1.html",
		[3]string{"/tzgg/1.html", "关于组织申报2019年度重点研发计划项目的通知", "2019-08-27"},
		[3]string{"2.html", "关于开展2019年度科技型中小企业评价工作的通知", "2019-08-26"},
		[3]string{"/tzgg/1.html#top", "关于组织申报2019年度重点研发计划项目的通知", "2019-08-27"},
		[3]string{"/private/9.html", "关于内部事项的通知不应被抓取的页面", "2019-08-20"},
	))
	s.page("/tzgg/index_1.html", "text/html", listPage(t, "",
		[3]string{"/tzgg/3.html", "关于征集2019年度产学研合作项目的通知", "2019-08-10"},
	))
	s.page("/tzgg/1.html", "text/html", noticePage("关于组织申报2019年度重点研发计划项目的通知",
		`<p>各有关单位：</p><p>网上申报时间：9月2日至9月20日17:00。</p><p>纸质材料请于9月25日前报送省科技厅。</p><p>某某省科学技术厅</p><p>2019年8月27日</p>`))
	s.page("/tzgg/2.html", "text/html", noticePage("关于开展2019年度科技型中小企业评价工作的通知",
		`<p>各有关单位：</p><p>具体安排见附件。</p>`, [2]string{"/files/2.docx", "附件1：评价工作安排.docx"}))
	s.page("/files/2.docx", "application/octet-stream", docx(t, "评价工作安排", "企业网上填报截止时间为2019年10月15日。"))
	s.page("/tzgg/3.html", "text/html", noticePage("关于征集2019年度产学研合作项目的通知",
		`<p>各有关单位：</p><p>项目申报书请于2019年9月30日前提交至科技处。</p>`, [2]string{"/files/3.xls", "汇总表.xls"}))
	s.page("/files/3.xls", "application/vnd.ms-excel", []byte("not a document we read"))
	s.page("/private/9.html", "text/html", noticePage("内部", "<p>请于9月1日前报送。</p>"))

	src := addSource(t, c, store.Source{URL: s.url("/tzgg/"), Name: "某某省科技厅通知公告"})
	rep := c.CrawlNow(context.Background(), []store.Source{src}, nil)
	r := rep.Sources[0]
	if r.Err != nil || r.Kind != "list" || r.Links != 4 || r.NoticesNew != 3 {
		t.Fatalf("report %+v", r)
	}
	got := windowSet(t, c.DB)
	want := []string{"1.html 2019-09-02→2019-09-20 17:00", "1.html →2019-09-25 ", "3.html →2019-09-30 ", "2.html →2019-10-15 "}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("windows\n got %q\nwant %q", got, want)
	}
	if n := s.hitCount("/private/9.html"); n != 0 {
		t.Errorf("robots-disallowed page fetched %d times", n)
	}
	n1, err := c.DB.NoticeByURL(context.Background(), s.url("/tzgg/1.html"))
	if err != nil || n1.Title != "关于组织申报2019年度重点研发计划项目的通知" || n1.Published != "2019-08-27" || n1.SourceID != src.ID {
		t.Errorf("notice 1 %+v %v", n1, err)
	}
	// The page's script text is not notice text.
	if strings.Contains(n1.Text, "2030") {
		t.Errorf("script text read as notice text")
	}
	st, _ := c.DB.NoticeFetchStateOf(context.Background(), mustNotice(t, c, s.url("/tzgg/2.html")).ID)
	if len(st.Attachments) != 1 || st.Attachments[0].Status != "read" {
		t.Errorf("attachments of notice 2: %+v", st.Attachments)
	}
	st, _ = c.DB.NoticeFetchStateOf(context.Background(), mustNotice(t, c, s.url("/tzgg/3.html")).ID)
	if len(st.Attachments) != 1 || !strings.HasPrefix(st.Attachments[0].Status, "skipped: not a PDF, Word (DOC, DOCX, WPS) or Excel") {
		t.Errorf("attachments of notice 3: %+v", st.Attachments)
	}
	srcAfter, _ := c.DB.Source(context.Background(), fmt.Sprint(src.ID))
	if srcAfter.LastSuccessAt.IsZero() || srcAfter.LinksFound != 4 || srcAfter.ConsecutiveFailures != 0 || srcAfter.NextCheckAt.Before(t0) {
		t.Errorf("source health %+v", srcAfter)
	}
	// The next check follows the schedule: the next 6-hour mark, plus jitter 0.
	if want := time.Date(2019, 8, 28, 4, 0, 0, 0, time.UTC); !srcAfter.NextCheckAt.Equal(want) {
		t.Errorf("next check %v, want %v", srcAfter.NextCheckAt, want)
	}
	// Nothing leaves the site's host.
	for _, req := range s.reqs {
		if req.Host != s.srv.Listener.Addr().String() {
			t.Errorf("request to %s", req.Host)
		}
	}

	// A second run: nothing new, nothing changed, known notices re-checked.
	rep = c.CrawlNow(context.Background(), []store.Source{srcAfter}, nil)
	if r := rep.Sources[0]; r.Err != nil || r.NoticesNew != 0 || r.NoticesChanged != 0 || r.WindowsAdded != 0 {
		t.Errorf("second run %+v", r)
	}
	if got2 := windowSet(t, c.DB); !reflect.DeepEqual(got2, want) {
		t.Errorf("second run changed windows: %q", got2)
	}
}

func TestPDFAttachment(t *testing.T) {
	now := &clock{t: t0}
	c := testCrawler(t, testFetchConfig(), now)
	s := newSite(t)
	s.page("/tzgg/3.html", "text/html", noticePage("关于征集2019年度产学研合作项目的通知",
		`<p>各有关单位：</p><p>详见附件。</p>`, [2]string{"/files/3.pdf", "征集指南.pdf"}))
	s.page("/files/3.pdf", "application/pdf", pdf("征集指南", "项目申报书请于2019年9月30日前提交至科技处。"))
	src := addSource(t, c, store.Source{URL: s.url("/tzgg/3.html"), Kind: "notice"})
	if r := c.CrawlNow(context.Background(), []store.Source{src}, nil).Sources[0]; r.Err != nil || r.WindowsAdded != 1 {
		t.Fatalf("report %+v", r)
	}
	if got := windowSet(t, c.DB); !reflect.DeepEqual(got, []string{"3.html →2019-09-30 "}) {
		t.Errorf("windows %q", got)
	}
	st, _ := c.DB.NoticeFetchStateOf(context.Background(), mustNotice(t, c, s.url("/tzgg/3.html")).ID)
	if len(st.Attachments) != 1 || st.Attachments[0].Status != "read" {
		t.Errorf("attachments %+v", st.Attachments)
	}
}

func mustNotice(t *testing.T, c *Crawler, url string) store.Notice {
	t.Helper()
	n, err := c.DB.NoticeByURL(context.Background(), url)
	if err != nil {
		t.Fatal(err)
	}
	return n
}

func TestNoticeSourceEditedExtendedAndGone(t *testing.T) {
	now := &clock{t: t0}
	c := testCrawler(t, testFetchConfig(), now)
	s := newSite(t)
	var mu sync.Mutex
	body := `<p>各有关单位：</p><p>请于2019年9月20日前将申报材料报送至我厅。</p><p>某某省工业和信息化厅</p><p>2019年8月27日</p>`
	etag := `"v1"`
	s.handle("/tzgg/1.html", func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		b, e := body, etag
		mu.Unlock()
		if r.Header.Get("If-None-Match") == e {
			w.WriteHeader(http.StatusNotModified)
			return
		}
		w.Header().Set("ETag", e)
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		w.Write(noticePage("关于组织申报2019年度工业互联网创新发展重点项目的通知", b))
	})
	src := addSource(t, c, store.Source{URL: s.url("/tzgg/1.html"), Kind: "auto"})
	rep := c.CrawlNow(context.Background(), []store.Source{src}, nil)
	if r := rep.Sources[0]; r.Err != nil || r.Kind != "notice" || r.NoticesNew != 1 {
		t.Fatalf("first run %+v", r)
	}
	src, _ = c.DB.Source(context.Background(), fmt.Sprint(src.ID))
	if src.ETag != `"v1"` {
		t.Errorf("etag not kept: %q", src.ETag)
	}
	// Unchanged: a 304, nothing re-read.
	rep = c.CrawlNow(context.Background(), []store.Source{src}, nil)
	if r := rep.Sources[0]; !r.NotModified || r.NoticesChanged != 0 {
		t.Errorf("conditional GET: %+v", r)
	}

	// The issuer edits the notice: the deadline moves, the window keeps its
	// identity and records the change.
	mu.Lock()
	body = strings.Replace(body, "9月20日", "9月27日", 1)
	etag = `"v2"`
	mu.Unlock()
	now.Set(t0.Add(6 * time.Hour))
	rep = c.CrawlNow(context.Background(), []store.Source{src}, nil)
	if r := rep.Sources[0]; r.Err != nil || r.NoticesChanged != 1 || r.WindowsChanged != 1 {
		t.Fatalf("edited run %+v", r)
	}
	ws, _ := c.DB.Windows(context.Background(), store.WindowFilter{})
	if len(ws) != 1 || ws[0].Closes != "2019-09-27" || ws[0].Revision != 2 {
		t.Fatalf("after edit: %+v", ws)
	}
	hist, _ := c.DB.WindowChanges(context.Background(), ws[0].ID)
	if len(hist) != 1 || hist[0].OldCloses != "2019-09-20" || hist[0].NewCloses != "2019-09-27" {
		t.Errorf("history %+v", hist)
	}

	// A 延期 notice on the same site moves that window again and is linked.
	s.page("/tzgg/2.html", "text/html; charset=utf-8", noticePage("关于延期组织申报2019年度工业互联网创新发展重点项目的通知",
		`<p>各有关单位：</p><p>因系统升级，申报截止时间延期至2019年10月10日17:00。</p><p>某某省工业和信息化厅</p><p>2019年9月20日</p>`))
	ext := addSource(t, c, store.Source{URL: s.url("/tzgg/2.html"), Kind: "notice"})
	rep = c.CrawlNow(context.Background(), []store.Source{ext}, nil)
	if r := rep.Sources[0]; r.Err != nil || r.Extended != 1 {
		t.Fatalf("extension run %+v", r)
	}
	ws, _ = c.DB.Windows(context.Background(), store.WindowFilter{})
	if len(ws) != 1 || ws[0].Closes != "2019-10-10" || ws[0].ClosesTime != "17:00" || !strings.HasSuffix(ws[0].NoticeURL, "/1.html") {
		t.Errorf("after extension: %+v", ws)
	}
	n2 := mustNotice(t, c, s.url("/tzgg/2.html"))
	if n2.ExtendsNoticeID != mustNotice(t, c, s.url("/tzgg/1.html")).ID {
		t.Errorf("extension not linked: %+v", n2)
	}
	hist, _ = c.DB.WindowChanges(context.Background(), ws[0].ID)
	if len(hist) != 2 || !strings.HasPrefix(hist[1].Reason, "延期") {
		t.Errorf("history after extension %+v", hist)
	}
}

func TestGoneNoticeOnList(t *testing.T) {
	now := &clock{t: t0}
	c := testCrawler(t, testFetchConfig(), now)
	s := newSite(t)
	s.page("/list/", "text/html", listPage(t, "", [3]string{"/list/1.html", "关于组织申报2019年度重点研发计划项目的通知", "2019-08-27"}))
	s.page("/list/1.html", "text/html", noticePage("关于组织申报2019年度重点研发计划项目的通知", `<p>请于2019年9月20日前报送申报材料。</p>`))
	src := addSource(t, c, store.Source{URL: s.url("/list/"), Kind: "list"})
	if r := c.CrawlNow(context.Background(), []store.Source{src}, nil).Sources[0]; r.NoticesNew != 1 {
		t.Fatalf("first run %+v", r)
	}
	s.handle("/list/1.html", func(w http.ResponseWriter, r *http.Request) { http.NotFound(w, r) })
	// Known notices are fetched again at most once a day.
	now.Set(t0.Add(2 * time.Hour))
	if r := c.CrawlNow(context.Background(), []store.Source{src}, nil).Sources[0]; r.Err != nil || r.NoticesGone != 0 {
		t.Fatalf("run two hours later %+v", r)
	}
	now.Set(t0.Add(25 * time.Hour))
	r := c.CrawlNow(context.Background(), []store.Source{src}, nil).Sources[0]
	if r.Err != nil || r.NoticesGone != 1 {
		t.Fatalf("second run %+v", r)
	}
	n := mustNotice(t, c, s.url("/list/1.html"))
	ws, _ := c.DB.NoticeWindows(context.Background(), n.ID)
	if n.Status != "gone" || len(ws) != 1 || ws[0].Status != "active" {
		t.Errorf("gone notice %+v windows %+v", n, ws)
	}
}

func TestFailuresBackoffAndFlag(t *testing.T) {
	now := &clock{t: t0}
	c := testCrawler(t, testFetchConfig(), now)
	s := newSite(t)
	var mu sync.Mutex
	fail := 3
	s.handle("/n.html", func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		defer mu.Unlock()
		if fail > 0 {
			fail--
			http.Error(w, "boom", http.StatusInternalServerError)
			return
		}
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		w.Write(noticePage("关于组织申报的通知", "<p>请于2019年9月20日前报送申报材料。</p>"))
	})
	src := addSource(t, c, store.Source{URL: s.url("/n.html"), Kind: "notice"})
	wantNext := []time.Duration{30 * time.Minute, time.Hour, 2 * time.Hour}
	for i := 0; i < 3; i++ {
		r := c.CrawlNow(context.Background(), []store.Source{src}, nil).Sources[0]
		var fe *FetchError
		if !errors.As(r.Err, &fe) || fe.Status != 500 {
			t.Fatalf("run %d: %+v", i, r)
		}
		src, _ = c.DB.Source(context.Background(), fmt.Sprint(src.ID))
		if src.ConsecutiveFailures != i+1 || !src.NextCheckAt.Equal(now.Now().Add(wantNext[i])) {
			t.Errorf("run %d: failures %d, next %v (want +%v)", i, src.ConsecutiveFailures, src.NextCheckAt, wantNext[i])
		}
	}
	if !strings.HasPrefix(src.Flag, "failing") || src.FlaggedAt().IsZero() {
		t.Errorf("not flagged after 3 failures: %+v", src)
	}
	// Due sources: not before the backoff ends.
	due, _ := c.DB.DueSources(context.Background(), now.Now(), 10)
	if len(due) != 0 {
		t.Errorf("due during backoff: %d", len(due))
	}
	now.Set(src.NextCheckAt)
	due, _ = c.DB.DueSources(context.Background(), now.Now(), 10)
	if len(due) != 1 {
		t.Fatalf("due after backoff: %d", len(due))
	}
	if r := c.CrawlNow(context.Background(), due, nil).Sources[0]; r.Err != nil || r.NoticesNew != 1 {
		t.Errorf("recovery run %+v", r)
	}
	src, _ = c.DB.Source(context.Background(), fmt.Sprint(src.ID))
	if src.ConsecutiveFailures != 0 || src.Flag != "" || src.LastError != "" {
		t.Errorf("after recovery: %+v", src)
	}
}

func TestEmptyListIsFlagged(t *testing.T) {
	now := &clock{t: t0}
	c := testCrawler(t, testFetchConfig(), now)
	s := newSite(t)
	s.page("/l/", "text/html", listPage(t, "", [3]string{"/l/1.html", "关于组织申报2019年度重点研发计划项目的通知", "2019-08-27"}))
	s.page("/l/1.html", "text/html", noticePage("通知", "<p>请于2019年9月20日前报送申报材料。</p>"))
	src := addSource(t, c, store.Source{URL: s.url("/l/"), Kind: "list"})
	c.CrawlNow(context.Background(), []store.Source{src}, nil)
	s.page("/l/", "text/html", listPage(t, "")) // the site was redesigned
	src, _ = c.DB.Source(context.Background(), fmt.Sprint(src.ID))
	r := c.CrawlNow(context.Background(), []store.Source{src}, nil).Sources[0]
	src, _ = c.DB.Source(context.Background(), fmt.Sprint(src.ID))
	if r.Err != nil || r.Links != 0 || !strings.HasPrefix(src.Flag, "list page yielded no links") {
		t.Errorf("empty list: %+v flag %q", r, src.Flag)
	}
}

func TestHostileResponses(t *testing.T) {
	fc := testFetchConfig()
	fc.Timeout = 700 * time.Millisecond
	fc.HeaderTimeout = 500 * time.Millisecond
	fc.MaxBodyBytes = 256 << 10
	s := newSite(t)
	other := newSite(t, "127.0.0.2")
	s.handle("/slow.html", func(w http.ResponseWriter, r *http.Request) {
		select {
		case <-time.After(3 * time.Second):
		case <-r.Context().Done():
		}
	})
	s.handle("/slowbody.html", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/html")
		w.WriteHeader(200)
		for i := 0; i < 100; i++ {
			if _, err := w.Write([]byte("<p>申报</p>")); err != nil {
				return
			}
			w.(http.Flusher).Flush()
			select {
			case <-time.After(100 * time.Millisecond):
			case <-r.Context().Done():
				return
			}
		}
	})
	big := strings.Repeat("<p>各有关单位请于2019年9月20日前报送申报材料。</p>\n", 20<<20/70)
	s.page("/big.html", "text/html; charset=utf-8", []byte(big))
	s.handle("/loop.html", func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, "/loop.html?x="+r.URL.Query().Get("x")+"1", http.StatusFound)
	})
	s.handle("/offhost.html", func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, other.url("/x.html"), http.StatusFound)
	})
	s.handle("/metadata.html", func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, "http://169.254.169.254/latest/meta-data/", http.StatusFound)
	})
	busy := newSite(t, "127.0.0.3")
	busy.handle("/busy.html", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Retry-After", "120")
		http.Error(w, "busy", http.StatusServiceUnavailable)
	})
	busy.page("/other.html", "text/html", []byte("<p>x</p>"))
	s.handle("/waf.html", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Set-Cookie", "challenge=1")
		w.WriteHeader(412)
		w.Write([]byte("<script>var a=1;document.cookie='x';location.reload()</script>"))
	})
	other.page("/x.html", "text/html", []byte("<p>elsewhere</p>"))
	f := NewFetcher(fc)
	ctx := context.Background()
	tests := []struct {
		path string
		kind string
	}{
		{"/slow.html", "timeout"},
		{"/slowbody.html", "timeout"},
		{"/loop.html", "redirect"},
		{"/offhost.html", "redirect"},
		{"/metadata.html", "redirect"},
		{"busy:/busy.html", "status"},
		{"busy:/other.html", "held"}, // the host asked for two minutes of quiet
		{"/waf.html", "antibot"},
		{"/missing.html", "status"},
	}
	for _, tt := range tests {
		start := time.Now()
		u := s.url(tt.path)
		if p, ok := strings.CutPrefix(tt.path, "busy:"); ok {
			u = busy.url(p)
		}
		_, err := f.Fetch(ctx, Request{URL: u})
		var fe *FetchError
		if !errors.As(err, &fe) || fe.Kind != tt.kind {
			t.Errorf("%s: err %v, want kind %s", tt.path, err, tt.kind)
		}
		if time.Since(start) > 3*time.Second {
			t.Errorf("%s took %v", tt.path, time.Since(start))
		}
		if tt.path == "busy:/busy.html" && (fe == nil || fe.RetryAfter != 2*time.Minute) {
			t.Errorf("Retry-After not read: %+v", fe)
		}
	}
	if other.hitCount("/x.html") != 0 {
		t.Error("followed a redirect off the source's host")
	}
	res, err := f.Fetch(ctx, Request{URL: s.url("/big.html")})
	if err != nil {
		t.Errorf("20 MiB page: %v", err)
	} else if !res.Truncated || len(res.Body) != int(fc.MaxBodyBytes) {
		t.Errorf("20 MiB page: truncated=%v len=%d", res.Truncated, len(res.Body))
	}
	if busy.hitCount("/other.html") != 0 {
		t.Error("a held-off host was called")
	}
	// Allowed hosts may be reached by redirect: on the port allowed.
	otherHost := strings.TrimPrefix(other.srv.URL, "http://")
	if _, err := f.Fetch(ctx, Request{URL: s.url("/offhost.html"), AllowHosts: []string{"127.0.0.2"}}); err == nil {
		t.Errorf("a host allowed on its default ports was reached on %s", otherHost)
	}
	if _, err := f.Fetch(ctx, Request{URL: s.url("/offhost.html"), AllowHosts: []string{otherHost}}); err != nil {
		t.Errorf("redirect to an allowed host: %v", err)
	}
}

func TestSSRFGuard(t *testing.T) {
	s := newSite(t)
	s.page("/n.html", "text/html", []byte("<p>x</p>"))
	fc := testFetchConfig()
	fc.AllowPrivate = nil
	fc.RespectRobots = false
	f := NewFetcher(fc)
	ctx := context.Background()
	for _, u := range []string{s.url("/n.html"), "http://localhost:" + s.srv.URL[strings.LastIndex(s.srv.URL, ":")+1:] + "/n.html",
		"http://169.254.169.254/latest/meta-data/", "http://[::1]:9/", "http://10.0.0.1:9/", "http://0.0.0.0:9/"} {
		_, err := f.Fetch(ctx, Request{URL: u})
		var fe *FetchError
		if !errors.As(err, &fe) || fe.Kind != "blocked" {
			t.Errorf("%s: err %v, want blocked", u, err)
		}
	}
	if s.hitCount("/n.html") != 0 {
		t.Error("a blocked address was reached")
	}
	for _, u := range []string{"ftp://a.gov.cn/x", "file:///etc/passwd", "gopher://a.gov.cn/"} {
		if _, err := f.Fetch(ctx, Request{URL: u}); err == nil {
			t.Errorf("%s fetched", u)
		}
	}
	// Allowed by name or address.
	fc.AllowPrivate = []string{"127.0.0.1"}
	if _, err := NewFetcher(fc).Fetch(ctx, Request{URL: s.url("/n.html")}); err != nil {
		t.Errorf("allowed address: %v", err)
	}
}

func TestPerHostPaceAndRobotsDelay(t *testing.T) {
	s := newSite(t)
	s.page("/robots.txt", "text/plain", []byte("User-agent: grantwatch\nCrawl-delay: 0.3\nDisallow: /no/\n\nUser-agent: *\nDisallow: /\n"))
	for i := 0; i < 4; i++ {
		s.page(fmt.Sprintf("/p%d.html", i), "text/html", []byte("<p>x</p>"))
	}
	fc := testFetchConfig()
	fc.PerHostDelay = 100 * time.Millisecond
	fc.UserAgent = "grantwatch/0.1 (+https://example)"
	f := NewFetcher(fc)
	var wg sync.WaitGroup
	for i := 0; i < 4; i++ {
		wg.Add(1)
		go func(i int) {
			defer wg.Done()
			if _, err := f.Fetch(context.Background(), Request{URL: s.url(fmt.Sprintf("/p%d.html", i))}); err != nil {
				t.Error(err)
			}
		}(i)
	}
	wg.Wait()
	if _, err := f.Fetch(context.Background(), Request{URL: s.url("/no/x.html")}); err == nil {
		t.Error("robots Disallow for our agent ignored")
	}
	var starts []time.Time
	s.mu.Lock()
	for i, r := range s.reqs {
		if strings.HasPrefix(r.URL.Path, "/p") {
			starts = append(starts, s.when[i])
		}
	}
	s.mu.Unlock()
	sort.Slice(starts, func(i, j int) bool { return starts[i].Before(starts[j]) })
	for i := 1; i < len(starts); i++ {
		if gap := starts[i].Sub(starts[i-1]); gap < 280*time.Millisecond {
			t.Errorf("requests %d and %d only %v apart; Crawl-delay is 300ms", i-1, i, gap)
		}
	}
	if s.hitCount("/robots.txt") != 1 {
		t.Errorf("robots.txt fetched %d times", s.hitCount("/robots.txt"))
	}
}

// TestPaceCountsFromTheAnswer: the delay runs from when a host began to
// answer, so a body that takes long to come is not added to the gap before
// the next request, while the server still sees requests the delay apart.
func TestPaceCountsFromTheAnswer(t *testing.T) {
	const delay, slow = 300 * time.Millisecond, 400 * time.Millisecond
	s := newSite(t)
	s.page("/robots.txt", "text/plain", []byte("User-agent: *\nDisallow:\n"))
	s.handle("/slow.html", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/html")
		io.WriteString(w, "<p>begun")
		w.(http.Flusher).Flush()
		time.Sleep(slow)
		io.WriteString(w, " and ended</p>")
	})
	s.page("/fast.html", "text/html", []byte("<p>x</p>"))
	fc := testFetchConfig()
	fc.PerHostDelay = delay
	f := NewFetcher(fc)
	for _, p := range []string{"/slow.html", "/fast.html", "/fast.html"} {
		if _, err := f.Fetch(context.Background(), Request{URL: s.url(p)}); err != nil {
			t.Fatal(p, err)
		}
	}
	s.mu.Lock()
	when := append([]time.Time(nil), s.when...)
	s.mu.Unlock()
	if len(when) != 4 { // robots.txt, slow, fast, fast
		t.Fatalf("%d requests, want 4", len(when))
	}
	for i := 1; i < len(when); i++ {
		if gap := when[i].Sub(when[i-1]); gap < delay {
			t.Errorf("requests %d and %d %v apart, under the delay %v", i-1, i, gap, delay)
		}
	}
	// From the slow page's arrival: its body's 400 ms, then at once (the
	// delay since its answer began is over), not 400 + 300 ms.
	if gap := when[2].Sub(when[1]); gap > slow+delay-100*time.Millisecond {
		t.Errorf("next request %v after a page whose body took %v: the delay counted from its end", gap, slow)
	}
}
