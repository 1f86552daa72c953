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
	if _, err := f.Fetch(ctx, Request{URL: srv.URL + "/a.html"}); err != nil {
		t.Fatal(err)
	}
	if _, err := f.Fetch(ctx, Request{URL: srv.URL + "/gone.html"}); err == nil {
		t.Fatal("404 page fetched without error")
	}
	if _, err := f.Fetch(ctx, Request{URL: srv.URL + "/b.html"}); err != nil {
		t.Fatal(err)
	}
	if n := conns.Load(); n != 1 {
		t.Errorf("%d connections for robots.txt (404), a page, a 404 page and a page; want 1", n)
	}
	if _, err := f.Fetch(ctx, Request{URL: srv.URL + "/big-404.html"}); err == nil {
		t.Fatal("404 page fetched without error")
	}
	if _, err := f.Fetch(ctx, Request{URL: srv.URL + "/c.html"}); err != nil {
		t.Fatal(err)
	}
	if n := conns.Load(); n != 2 {
		t.Errorf("%d connections after a 128 KB error page; want 2 (not read to its end, it is closed)", n)
	}
}
