package tracker

import (
	"bytes"
	"compress/gzip"
	"context"
	"errors"
	"fmt"
	"math/rand"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/grantwatch/grantwatch/store"
)

// hostile is one way a source can misbehave, and what grantwatch must
// record for it.
type hostile struct {
	name    string
	handler http.HandlerFunc // the source page
	robots  http.HandlerFunc // nil: no robots.txt (404)
	url     func(s *site) string
	// want: "ok" (checked, nothing to mend), "warn:TEXT" (checked, with a
	// warning), or "err:TEXT" (failed, error recorded).
	want string
	// nextAtLeast: the next check is planned at least this far ahead.
	nextAtLeast time.Duration
}

func page(body string) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		w.Write([]byte(body))
	}
}

const okNotice = `<html><body><h1>关于组织申报的通知</h1><div class="TRS_Editor"><p>各有关单位：请于2019年9月20日前将申报材料报送至我厅，逾期不予受理。</p></div></body></html>`

func hostiles(t *testing.T) []hostile {
	gzBomb := func() []byte {
		var b bytes.Buffer
		zw, _ := gzip.NewWriterLevel(&b, gzip.BestCompression)
		chunk := make([]byte, 1<<20)
		for i := 0; i < 200; i++ { // 200 MiB of zeros, a few hundred KiB on the wire
			zw.Write(chunk)
		}
		zw.Close()
		return b.Bytes()
	}()
	garbage := make([]byte, 64<<10)
	rand.New(rand.NewSource(1)).Read(garbage)
	deep := strings.Repeat("<div>", 20000) + "请于2019年9月20日前报送申报材料。" + strings.Repeat("</div>", 20000)
	sleep := func(d time.Duration) http.HandlerFunc {
		return func(w http.ResponseWriter, r *http.Request) {
			select {
			case <-time.After(d):
			case <-r.Context().Done():
			}
		}
	}
	status := func(code int, header ...string) http.HandlerFunc {
		return func(w http.ResponseWriter, r *http.Request) {
			for i := 0; i+1 < len(header); i += 2 {
				w.Header().Set(header[i], header[i+1])
			}
			w.WriteHeader(code)
			w.Write([]byte("<html><body>error</body></html>"))
		}
	}
	return []hostile{
		{name: "healthy notice", handler: page(okNotice), want: "ok"},
		{name: "connection refused", url: func(s *site) string {
			ln, _ := net.Listen("tcp", "127.0.0.1:0")
			addr := ln.Addr().String()
			ln.Close()
			return "http://" + addr + "/n.html"
		}, want: "err:connection refused"},
		{name: "DNS failure", url: func(*site) string { return "http://no-such-host.example.gov.cn/n.html" }, want: "err:dns down"},
		{name: "TLS failure (self-signed)", url: func(*site) string {
			ts := httptest.NewTLSServer(page(okNotice))
			t.Cleanup(ts.Close)
			return ts.URL + "/n.html"
		}, want: "err:certificate"},
		{name: "no response headers (header timeout)", handler: sleep(5 * time.Second), want: "err:timeout"},
		{name: "body trickles (body timeout)", handler: func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Type", "text/html")
			for i := 0; i < 100; i++ {
				if _, err := w.Write([]byte("<p>申报</p>")); err != nil {
					return
				}
				w.(http.Flusher).Flush()
				select {
				case <-time.After(200 * time.Millisecond):
				case <-r.Context().Done():
					return
				}
			}
		}, want: "err:timeout"},
		{name: "chunked body that never ends", handler: func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Type", "text/html")
			for {
				if _, err := w.Write([]byte(strings.Repeat("x", 100))); err != nil {
					return
				}
				w.(http.Flusher).Flush()
				select {
				case <-time.After(20 * time.Millisecond):
				case <-r.Context().Done():
					return
				}
			}
		}, want: "err:timeout"},
		{name: "500", handler: status(500), want: "err:status 500", nextAtLeast: 30 * time.Minute},
		{name: "502", handler: status(502), want: "err:status 502"},
		{name: "503 without Retry-After", handler: status(503), want: "err:status 503", nextAtLeast: 30 * time.Minute},
		{name: "503 with Retry-After 2h", handler: status(503, "Retry-After", "7200"), want: "err:status 503", nextAtLeast: 2 * time.Hour},
		{name: "429 with Retry-After date", handler: status(429, "Retry-After", time.Now().Add(3*time.Hour).UTC().Format(http.TimeFormat)),
			want: "err:status 429", nextAtLeast: 2*time.Hour + 50*time.Minute},
		{name: "403 plain", handler: status(403), want: "err:status 403"},
		{name: "403 WAF page", handler: status(403, "Server", "SomeWAF", "Set-Cookie", "waf=1"), want: "err:anti-bot", nextAtLeast: 24 * time.Hour},
		{name: "412 JavaScript challenge", handler: status(412, "Set-Cookie", "c=1"), want: "err:anti-bot", nextAtLeast: 24 * time.Hour},
		{name: "404", handler: status(404), want: "err:status 404"},
		{name: "410", handler: status(410), want: "err:status 410"},
		{name: "redirect loop", handler: func(w http.ResponseWriter, r *http.Request) { http.Redirect(w, r, r.URL.Path+"?x", http.StatusFound) }, want: "err:redirects"},
		{name: "redirect off-host", handler: func(w http.ResponseWriter, r *http.Request) {
			http.Redirect(w, r, "http://127.0.0.1:9/elsewhere.html", http.StatusFound)
		}, want: "err:leaves the source's host"},
		{name: "redirect to 169.254.169.254", handler: func(w http.ResponseWriter, r *http.Request) {
			http.Redirect(w, r, "http://169.254.169.254/latest/meta-data/", http.StatusFound)
		}, want: "err:leaves the source's host"},
		{name: "redirect to ftp://", handler: func(w http.ResponseWriter, r *http.Request) {
			http.Redirect(w, r, "ftp://files.example.gov.cn/x", http.StatusFound)
		}, want: "err:not http"},
		{name: "gzip bomb (200 MiB)", handler: func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Type", "text/html")
			w.Header().Set("Content-Encoding", "gzip")
			w.Write(gzBomb)
		}, want: "warn:cut at"},
		{name: "20 MiB page", handler: page(strings.Repeat("<p>各有关单位请于2019年9月20日前报送申报材料。</p>\n", 20<<20/70)), want: "warn:cut at"},
		{name: "binary garbage", handler: func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Type", "text/html")
			w.Write(garbage)
		}, want: "ok"},
		{name: "HTML without body", handler: page("<html><head><title>x</title></head></html>"), want: "ok"},
		{name: "empty 200", handler: page(""), want: "ok"},
		{name: "20,000 nested divs", handler: page(deep), want: "ok"},
		{name: "meta charset lies (says gbk, is UTF-8)", handler: func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Type", "text/html")
			w.Write([]byte(strings.Replace(okNotice, "<html>", `<html><head><meta charset="gbk"></head>`, 1)))
		}, want: "ok:window"},
		{name: "header charset lies (says utf-8, is GBK)", handler: func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Type", "text/html; charset=utf-8")
			w.Write(gbkBytes(t, okNotice))
		}, want: "ok:window"},
		{name: "invalid UTF-8 in a UTF-8 page", handler: func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Type", "text/html; charset=utf-8")
			w.Write(append([]byte(okNotice), 0xff, 0xfe, 0x80))
		}, want: "ok:window"},
		{name: "robots.txt 503", handler: page(okNotice), robots: status(503), want: "err:robots.txt unavailable"},
		{name: "robots.txt 404", handler: page(okNotice), robots: status(404), want: "ok"},
		{name: "robots.txt disallows", handler: page(okNotice), robots: page("User-agent: *\nDisallow: /\n"), want: "err:disallowed by robots.txt"},
	}
}

// TestHostileSources crawls every hostile source at once, beside a healthy
// one: each outcome is recorded on its source, and none spills over.
func TestHostileSources(t *testing.T) {
	fc := testFetchConfig()
	fc.Timeout = 1500 * time.Millisecond
	fc.HeaderTimeout = time.Second
	fc.MaxBodyBytes = 1 << 20
	fc.Resolver = &net.Resolver{PreferGo: true, Dial: func(context.Context, string, string) (net.Conn, error) {
		return nil, errors.New("dns down")
	}}
	now := &clock{t: t0}
	c := testCrawler(t, fc, now)
	hs := hostiles(t)
	var srcs []store.Source
	for i, h := range hs {
		s := newSite(t, fmt.Sprintf("127.0.1.%d", i+1))
		if h.robots != nil {
			s.handle("/robots.txt", h.robots)
		}
		if h.handler != nil {
			s.handle("/n.html", h.handler)
		}
		u := s.url("/n.html")
		if h.url != nil {
			u = h.url(s)
		}
		srcs = append(srcs, addSource(t, c, store.Source{URL: u, Name: h.name, Kind: "notice"}))
	}
	start := time.Now()
	rep := c.CrawlNow(context.Background(), srcs, nil)
	if took := time.Since(start); took > 20*time.Second {
		t.Errorf("the run took %v: a hostile source held the others", took)
	}
	var table strings.Builder
	for i, h := range hs {
		r := rep.Sources[i]
		src, _ := c.DB.Source(context.Background(), fmt.Sprint(srcs[i].ID))
		outcome := "ok"
		switch {
		case src.LastError != "":
			outcome = "error: " + src.LastError
		case src.Warning != "":
			outcome = "warning: " + src.Warning
		}
		fmt.Fprintf(&table, "| %s | %s |\n", h.name, shortText(outcome, 110))
		kind, text, _ := strings.Cut(h.want, ":")
		switch kind {
		case "ok":
			if r.Err != nil || src.LastError != "" || src.LastSuccessAt.IsZero() {
				t.Errorf("%s: want a clean check, got %v / %q", h.name, r.Err, src.LastError)
			}
			if text == "window" {
				ws, _ := c.DB.Windows(context.Background(), store.WindowFilter{})
				found := false
				for _, w := range ws {
					found = found || w.NoticeURL == srcs[i].URL && w.Closes == "2019-09-20"
				}
				if !found {
					t.Errorf("%s: the page's window was not read", h.name)
				}
			}
		case "warn":
			if r.Err != nil || !strings.Contains(src.Warning, text) {
				t.Errorf("%s: want warning %q, got err %v, warning %q", h.name, text, r.Err, src.Warning)
			}
		case "err":
			if r.Err == nil || !strings.Contains(src.LastError, text) || src.ConsecutiveFailures != 1 {
				t.Errorf("%s: want error %q recorded, got %v / %q (failures %d)", h.name, text, r.Err, src.LastError, src.ConsecutiveFailures)
			}
		}
		if h.nextAtLeast > 0 && src.NextCheckAt.Sub(now.Now()) < h.nextAtLeast {
			t.Errorf("%s: next check in %v, want at least %v", h.name, src.NextCheckAt.Sub(now.Now()), h.nextAtLeast)
		}
	}
	t.Logf("%d hostile behaviours:\n| behaviour | recorded on the source |\n|---|---|\n%s", len(hs), table.String())
	if n := len(hs); n < 31 {
		t.Errorf("only %d behaviours", n)
	}
}

func shortText(s string, n int) string {
	if len([]rune(s)) <= n {
		return s
	}
	return string([]rune(s)[:n]) + "…"
}
