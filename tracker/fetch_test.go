package tracker

import (
	"context"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
)

// TestFetchKeepsConnectionAfterErrorPage: a 404 robots.txt (most
// government sites have none) or a 404 notice comes with a page; closed
// unread, its connection went with it and every next request to the host
// dialled again. Four requests (robots.txt 404, a page, a 404 page, a page)
// go over one connection; an error page larger than what is worth reading
// still closes it.
func TestFetchKeepsConnectionAfterErrorPage(t *testing.T) {
	var conns atomic.Int32
	errPage := strings.Repeat("<p>您访问的页面不存在</p>\n", 200) // ~6 KB, as IIS and TRS send
	srv := httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case "/big-404.html":
			w.WriteHeader(http.StatusNotFound)
			w.Write([]byte(strings.Repeat("x", drainBytes+(64<<10))))
		case "/robots.txt", "/gone.html":
			w.WriteHeader(http.StatusNotFound)
			w.Write([]byte(errPage))
		default:
			w.Write([]byte("<html><body><p>请于2019年9月20日前报送。</p></body></html>"))
		}
	}))
	srv.Config.ConnState = func(_ net.Conn, s http.ConnState) {
		if s == http.StateNew {
			conns.Add(1)
		}
	}
	srv.Start()
	defer srv.Close()
	f := NewFetcher(testFetchConfig())
	ctx := context.Background()
	// Each step fetches a page (robots.txt goes first, once) and says how
	// many connections the server has seen by then.
	for _, step := range []struct {
		path  string
		gone  bool // a 404 page: the fetch fails
		conns int32
		why   string
	}{
		{"/a.html", false, 1, "robots.txt (404) and a page"},
		{"/gone.html", true, 1, "then a 404 page"},
		{"/b.html", false, 1, "then a page"},
		{"/big-404.html", true, 1, "then a 128 KB 404 page"},
		{"/c.html", false, 2, "then a page, after a 128 KB error page (not read to its end, it is closed)"},
	} {
		_, err := f.Fetch(ctx, Request{URL: srv.URL + step.path})
		if (err != nil) != step.gone {
			t.Fatalf("%s: error %v, want one: %v", step.path, err, step.gone)
		}
		if n := conns.Load(); n != step.conns {
			t.Errorf("%s: %d connections for %s; want %d", step.path, n, step.why, step.conns)
		}
	}
}
