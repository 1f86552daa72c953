package tracker

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"golang.org/x/text/encoding/simplifiedchinese"

	"github.com/grantwatch/grantwatch/internal/storetest"
	"github.com/grantwatch/grantwatch/internal/testdoc"
	"github.com/grantwatch/grantwatch/store"
)

// site is a government site for tests: pages by path, each answered by a
// handler that may change between crawls.
type site struct {
	t    *testing.T
	srv  *httptest.Server
	mu   sync.Mutex
	h    map[string]http.HandlerFunc
	hits map[string]int
	reqs []*http.Request
	when []time.Time // when each of reqs arrived
	// latency holds every answer that long after the request arrived, as
	// a distant server's would be.
	latency time.Duration
}

// newSite starts a site on 127.0.0.1, or on another loopback address.
func newSite(t *testing.T, addr ...string) *site {
	t.Helper()
	s := &site{t: t, h: map[string]http.HandlerFunc{}, hits: map[string]int{}}
	srv := httptest.NewUnstartedServer(http.HandlerFunc(s.serve))
	if len(addr) > 0 {
		ln, err := net.Listen("tcp", addr[0]+":0")
		if err != nil {
			t.Fatal(err)
		}
		srv.Listener.Close()
		srv.Listener = ln
	}
	srv.Start()
	t.Cleanup(srv.Close)
	s.srv = srv
	return s
}

func (s *site) serve(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	s.hits[r.URL.Path]++
	s.reqs = append(s.reqs, r)
	s.when = append(s.when, time.Now())
	h := s.h[r.URL.Path]
	latency := s.latency
	s.mu.Unlock()
	if latency > 0 {
		time.Sleep(latency) // a distant server: the request arrived (when), the answer comes later
	}
	if h == nil {
		http.NotFound(w, r)
		return
	}
	h(w, r)
}

func (s *site) handle(path string, h http.HandlerFunc) {
	s.mu.Lock()
	s.h[path] = h
	s.mu.Unlock()
}

// page serves body with a content type (no charset unless given).
func (s *site) page(path, contentType string, body []byte) {
	s.handle(path, func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", contentType)
		w.Write(body)
	})
}

func (s *site) url(path string) string { return s.srv.URL + path }

func (s *site) hitCount(path string) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.hits[path]
}

func gbkBytes(t *testing.T, s string) []byte {
	t.Helper()
	b, err := simplifiedchinese.GBK.NewEncoder().Bytes([]byte(s))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func docx(t *testing.T, paragraphs ...string) []byte { return testdoc.DOCX(paragraphs...) }

func pdf(lines ...string) []byte { return testdoc.PDF(lines...) }

// testFetchConfig allows loopback, as the tests' sites live there.
func testFetchConfig() FetchConfig {
	return FetchConfig{UserAgent: "grantwatch-test", Timeout: 5 * time.Second, DialTimeout: 2 * time.Second,
		HeaderTimeout: 3 * time.Second, PerHostDelay: 0, PerHostConcurrency: 1, MaxBodyBytes: 1 << 20,
		MaxRedirects: 5, AllowPrivate: []string{"127.0.0.0/8"}, RespectRobots: true}
}

// clock is a settable clock.
type clock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *clock) Set(t time.Time) {
	c.mu.Lock()
	c.t = t
	c.mu.Unlock()
}

func testCrawler(t *testing.T, fc FetchConfig, now *clock) *Crawler {
	t.Helper()
	db, err := store.Open(context.Background(), storetest.DSN(t), store.WithClock(now.Now))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	loc, _ := time.LoadLocation("Asia/Shanghai")
	return &Crawler{DB: db, Fetcher: NewFetcher(fc), Logger: slog.New(slog.NewTextHandler(io.Discard, nil)), Now: now.Now,
		Location: loc, Config: CrawlConfig{Schedule: "0 */6 * * *", MaxPages: 3, MaxNoticesPerRun: 50, FailureAlert: 3,
			RetryBackoff: 30 * time.Minute, RetryBackoffMax: 24 * time.Hour}}
}

func addSource(t *testing.T, c *Crawler, s store.Source) store.Source {
	t.Helper()
	added, err := c.DB.AddSource(context.Background(), s)
	if err != nil {
		t.Fatal(err)
	}
	return added
}

func windowSet(t *testing.T, db *store.DB) []string {
	t.Helper()
	ws, err := db.Windows(context.Background(), store.WindowFilter{})
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, w := range ws {
		out = append(out, fmt.Sprintf("%s %s→%s %s", w.NoticeURL[strings.LastIndex(w.NoticeURL, "/")+1:], w.Opens, w.Closes, w.ClosesTime))
	}
	return out
}

func discardLogger() *slog.Logger { return slog.New(slog.NewTextHandler(io.Discard, nil)) }
