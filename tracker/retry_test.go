package tracker

import (
	"context"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/grantwatch/grantwatch/store"
	"github.com/grantwatch/grantwatch/tracker/extract"
)

// A fetch that fails for a reason that may pass is tried again within the
// run (each try waiting its turn on the host); one that will not pass is
// not.
func TestFetchRetries(t *testing.T) {
	fc := testFetchConfig()
	fc.Retries, fc.RetryWait, fc.MaxRetryAfter = 2, 50*time.Millisecond, 2*time.Second
	fc.RespectRobots = false
	fc.Timeout = 300 * time.Millisecond
	f := NewFetcher(fc)
	s := newSite(t)
	var mu sync.Mutex
	left := map[string]int{}
	failing := func(status int, times int, header ...string) http.HandlerFunc {
		return func(w http.ResponseWriter, r *http.Request) {
			mu.Lock()
			fail := left[r.URL.Path] < times
			left[r.URL.Path]++
			mu.Unlock()
			if fail {
				if len(header) == 2 {
					w.Header().Set(header[0], header[1])
				}
				if status == 0 { // a body that never comes
					w.WriteHeader(200)
					w.(http.Flusher).Flush()
					time.Sleep(time.Second)
					return
				}
				http.Error(w, "no", status)
				return
			}
			w.Write([]byte("<html><body>ok</body></html>"))
		}
	}
	s.handle("/500twice", failing(500, 2))
	s.handle("/500always", failing(500, 10))
	s.handle("/404", failing(404, 10))
	s.handle("/503ra", failing(503, 1, "Retry-After", "1"))
	s.handle("/503long", failing(503, 10, "Retry-After", "120"))
	s.handle("/slow", failing(0, 1))
	for _, tc := range []struct {
		path    string
		ok      bool
		hits    int
		minTook time.Duration
	}{
		{"/500twice", true, 3, 50*time.Millisecond + 200*time.Millisecond}, // waits 1×, then 4× RetryWait
		{"/500always", false, 3, 250 * time.Millisecond},
		{"/404", false, 1, 0},
		{"/503ra", true, 2, time.Second}, // Retry-After honoured
		{"/slow", true, 2, 0},            // a timeout is tried again
		{"/503long", false, 1, 0},        // longer than MaxRetryAfter: left for a later run (and the host held)
	} {
		start := time.Now()
		_, err := f.Fetch(context.Background(), Request{URL: s.url(tc.path)})
		took := time.Since(start)
		if (err == nil) != tc.ok || s.hitCount(tc.path) != tc.hits || took < tc.minTook {
			t.Errorf("%s: err %v, %d requests in %v; want ok=%v, %d requests, at least %v", tc.path, err, s.hitCount(tc.path), took, tc.ok, tc.hits, tc.minTook)
		}
	}
}

// A notice that failed is fetched again at the next check of its source
// even when the list answers 304 Not Modified, and status lists it while it
// keeps failing.
func TestFailedNoticeRetriedWhenListUnchanged(t *testing.T) {
	now := &clock{t: t0}
	fc := testFetchConfig()
	fc.Retries, fc.RetryWait = 1, time.Millisecond
	c := testCrawler(t, fc, now)
	s := newSite(t)
	list := listPage(t, "", [3]string{"/tzgg/1.html", "关于组织申报2019年度重点研发计划项目的通知", "2019-08-27"},
		[3]string{"/tzgg/2.html", "关于开展2019年度科技型中小企业评价工作的通知", "2019-08-26"})
	s.handle("/tzgg/", func(w http.ResponseWriter, r *http.Request) {
		if r.Header.Get("If-None-Match") == `"v1"` {
			w.WriteHeader(http.StatusNotModified)
			return
		}
		w.Header().Set("ETag", `"v1"`)
		w.Header().Set("Content-Type", "text/html")
		w.Write(list)
	})
	s.page("/tzgg/1.html", "text/html", noticePage("关于组织申报2019年度重点研发计划项目的通知", "<p>请于2019年9月20日前报送。</p>"))
	broken := true
	var mu sync.Mutex
	s.handle("/tzgg/2.html", func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		defer mu.Unlock()
		if broken {
			http.Error(w, "busy", 502)
			return
		}
		w.Header().Set("Content-Type", "text/html")
		w.Write(noticePage("关于开展2019年度科技型中小企业评价工作的通知", "<p>请于2019年9月25日前报送评价材料。</p>"))
	})
	src := addSource(t, c, store.Source{URL: s.url("/tzgg/")})
	for run := 1; run <= 2; run++ {
		src, _ = c.DB.Source(context.Background(), src.URL)
		r := c.CrawlNow(context.Background(), []store.Source{src}, nil).Sources[0]
		if r.Err != nil || r.NoticesFailed != 1 {
			t.Fatalf("run %d: %+v", run, r)
		}
		if run == 2 && !r.NotModified {
			t.Errorf("run 2: the list was read again, not answered 304")
		}
	}
	st, err := c.DB.Status(context.Background(), "2019-08-28")
	if err != nil || len(st.FailingNotices) != 1 || st.FailingNotices[0].Failures != 2 || !strings.HasSuffix(st.FailingNotices[0].URL, "/tzgg/2.html") {
		t.Fatalf("status: %+v %v", st.FailingNotices, err)
	}
	if hits := s.hitCount("/tzgg/2.html"); hits != 4 {
		t.Errorf("the failing notice was requested %d times in two runs, want 4 (one retry each)", hits)
	}
	mu.Lock()
	broken = false
	mu.Unlock()
	src, _ = c.DB.Source(context.Background(), src.URL)
	r := c.CrawlNow(context.Background(), []store.Source{src}, nil).Sources[0]
	if r.Err != nil || !r.NotModified || r.NoticesNew != 1 || r.NoticesFailed != 0 {
		t.Fatalf("run 3: %+v", r)
	}
	if st, _ := c.DB.Status(context.Background(), "2019-08-28"); len(st.FailingNotices) != 0 {
		t.Errorf("still listed as failing: %+v", st.FailingNotices)
	}
	if got := windowSet(t, c.DB); len(got) != 2 {
		t.Errorf("windows %v", got)
	}
}

// An edit that renames a stage as it moves its date keeps the window (and
// so its reminders become a correction), and a 延期 notice moves each of
// the original's windows by stage kind.
func TestKeepKeysAndPickExtended(t *testing.T) {
	stored := []store.Window{
		{ID: 1, Key: "网上申报", Label: "网上申报", Closes: "2025-03-06", Status: "active"},
		{ID: 2, Key: "纸质材料报送", Label: "纸质材料报送", Closes: "2025-03-07", Status: "active"},
		{ID: 3, Key: "推荐", Label: "推荐", Closes: "2025-03-01", Status: "withdrawn"},
	}
	ws := StoreWindows([]extract.Window{{What: "网络填报", Closes: "2025-03-16"}, {What: "纸质材料提交", Closes: "2025-03-17"}})
	keepKeys(stored, ws)
	if ws[0].Key != "网上申报" || ws[1].Key != "纸质材料报送" {
		t.Errorf("by stage kind: %q %q", ws[0].Key, ws[1].Key)
	}
	ws = StoreWindows([]extract.Window{{What: "申报", Closes: "2025-03-16"}, {What: "纸质材料报送", Closes: "2025-03-17"}})
	keepKeys(stored, ws)
	if ws[0].Key != "网上申报" || ws[1].Key != "纸质材料报送" {
		t.Errorf("the one left on each side: %q %q", ws[0].Key, ws[1].Key)
	}
	ws = StoreWindows([]extract.Window{{What: "申报", Closes: "2025-03-16"}, {What: "报名", Closes: "2025-03-17"}})
	keepKeys(stored, ws)
	if ws[0].Key != "申报" || ws[1].Key != "报名" {
		t.Errorf("two unknown stages for two stored: left alone, got %q %q", ws[0].Key, ws[1].Key)
	}

	open := stored[:2]
	used := map[int64]bool{}
	if p := pickExtended(open, used, extract.Window{What: "纸质材料报送", Closes: "2025-03-25"}, 2); p == nil || p.ID != 2 {
		t.Errorf("paper: %+v", p)
	}
	used[2] = true
	if p := pickExtended(open, used, extract.Window{What: "项目申报", Closes: "2025-03-20"}, 2); p == nil || p.ID != 1 {
		t.Errorf("the only open window left: %+v", p)
	}
	if p := pickExtended(open, map[int64]bool{}, extract.Window{What: "项目申报", Closes: "2025-03-20"}, 1); p == nil || p.ID != 2 {
		t.Errorf("one deadline, kinds silent: the window closing last before it, got %+v", p)
	}
	if p := pickExtended(open, map[int64]bool{}, extract.Window{What: "项目申报", Closes: "2025-03-20"}, 2); p != nil {
		t.Errorf("two deadlines, kinds silent, two windows: no guess, got %+v", p)
	}
}

// A 延期 notice that names the notice it extends only by its 文号, or only
// by a link, moves that notice's window (and not another's with a closer
// title).
func TestExtensionNamedByDocNumberOrLink(t *testing.T) {
	for _, tc := range []struct{ name, body string }{
		{"文号", `<p>各有关单位：</p><p>经研究，湘科发〔2025〕12号文件规定的申报截止时间延长至2025年3月30日。</p>`},
		{"link", `<p>各有关单位：</p><p>经研究，<a href="/tzgg/1.html">此前通知</a>规定的申报截止时间延长至2025年3月30日。</p>`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			now := &clock{t: time.Date(2025, 3, 1, 2, 0, 0, 0, time.UTC)}
			c := testCrawler(t, testFetchConfig(), now)
			s := newSite(t)
			s.page("/tzgg/1.html", "text/html", noticePage("关于组织申报2025年度重点研发计划项目的通知",
				`<p>湘科发〔2025〕12号</p><p>各有关单位：</p><p>请于2025年3月10日前完成网上申报。</p>`))
			s.page("/tzgg/2.html", "text/html", noticePage("关于组织申报2025年度重点研发计划后补助项目的通知",
				`<p>各有关单位：</p><p>请于2025年3月12日前完成网上申报。</p>`))
			s.page("/tzgg/3.html", "text/html", noticePage("关于延长申报截止时间的通知", tc.body))
			for _, p := range []string{"/tzgg/1.html", "/tzgg/2.html", "/tzgg/3.html"} {
				src := addSource(t, c, store.Source{URL: s.url(p), Kind: "notice"})
				if r := c.CrawlNow(context.Background(), []store.Source{src}, nil).Sources[0]; r.Err != nil {
					t.Fatal(r.Err)
				}
			}
			got := windowSet(t, c.DB)
			want := "2.html →2025-03-12  1.html →2025-03-30 "
			if strings.Join(got, " ") != want {
				t.Errorf("windows %q, want %q", strings.Join(got, " "), want)
			}
		})
	}
}
