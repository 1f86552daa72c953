package main

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// fixtureSite is a small 通知公告 column with two notices and a broken one.
func fixtureSite(t *testing.T) *httptest.Server {
	t.Helper()
	mux := http.NewServeMux()
	mux.HandleFunc("/tzgg/", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		fmt.Fprint(w, `<html><body><ul>
<li><a href="/tzgg/1.html" title="关于组织申报2019年度重点研发计划项目的通知">关于组织申报2019年度重点研发计划...</a><span>2019-08-27</span></li>
<li><a href="/tzgg/2.html">关于开展2019年度科技型中小企业评价工作的通知</a><span>2019-08-26</span></li>
<li><a href="/tzgg/3.html">关于征集2019年度产学研合作项目建议的通知</a><span>2019-08-20</span></li>
</ul></body></html>`)
	})
	notice := func(title, body string) http.HandlerFunc {
		return func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Type", "text/html; charset=utf-8")
			fmt.Fprintf(w, `<html><body><h1>%s</h1><div class="TRS_Editor">%s<p>某某省科学技术厅</p><p>2019年8月27日</p></div></body></html>`, title, body)
		}
	}
	mux.HandleFunc("/tzgg/1.html", notice("关于组织申报2019年度重点研发计划项目的通知", "<p>网上申报时间：9月2日至9月20日17:00。</p>"))
	mux.HandleFunc("/tzgg/2.html", notice("关于开展2019年度科技型中小企业评价工作的通知", "<p>请于9月25日前报送评价材料。</p>"))
	mux.HandleFunc("/tzgg/3.html", func(w http.ResponseWriter, r *http.Request) { http.Error(w, "oops", 500) })
	mux.HandleFunc("/broken/", func(w http.ResponseWriter, r *http.Request) { http.Error(w, "oops", 502) })
	srv := httptest.NewServer(mux)
	t.Cleanup(srv.Close)
	return srv
}

func TestCrawlOnceAndSourceTest(t *testing.T) {
	srv := fixtureSite(t)
	dir := t.TempDir()
	db := filepath.Join(dir, "gw.db")
	cfg := filepath.Join(dir, "gw.toml")
	os.WriteFile(cfg, []byte("[fetch]\nallow_private = [\"127.0.0.1\"]\nper_host_delay = \"10ms\"\ntimeout = \"5s\"\nretry_wait = \"20ms\"\n"), 0o600)

	out := mustGW(t, "--config", cfg, "source", "test", srv.URL+"/tzgg/")
	if !strings.Contains(out, "a list page") || !strings.Contains(out, "关于组织申报2019年度重点研发计划项目的通知") {
		t.Errorf("source test (list):\n%s", out)
	}
	out = mustGW(t, "--config", cfg, "source", "test", srv.URL+"/tzgg/1.html")
	if !strings.Contains(out, "a notice page") || !strings.Contains(out, "2019-09-02 → 2019-09-20 17:00") {
		t.Errorf("source test (notice):\n%s", out)
	}
	if _, err := os.Stat(db); !os.IsNotExist(err) {
		t.Error("source test wrote a database")
	}

	mustGW(t, "--config", cfg, "--db", db, "source", "add", srv.URL+"/tzgg/", "--name", "科技厅通知公告")
	mustGW(t, "--config", cfg, "--db", db, "source", "add", srv.URL+"/broken/")
	r := gw(t, "--config", cfg, "--db", db, "crawl", "--once")
	if r.code != 0 {
		t.Fatalf("crawl --once exit %d: %s %s", r.code, r.stdout, r.stderr)
	}
	if !strings.Contains(r.stdout, "crawled 2 sources: 1 ok, 1 failed; notices 2 new") || !strings.Contains(r.stdout, "FAILED source 2") {
		t.Errorf("crawl output:\n%s", r.stdout)
	}
	ws := jsonLines(t, mustGW(t, "--db", db, "windows", "--json"))
	if len(ws) != 2 || ws[0]["closes"] != "2019-09-20" || ws[0]["closes_time"] != "17:00" || ws[1]["closes"] != "2019-09-25" {
		t.Errorf("windows: %v", ws)
	}
	st := mustGW(t, "--db", db, "status")
	if !strings.Contains(st, "1 failing") || !strings.Contains(st, "502") {
		t.Errorf("status:\n%s", st)
	}
	// One source only.
	r = gw(t, "--config", cfg, "--db", db, "crawl", "--once", "--source", "1")
	if r.code != 0 || !strings.Contains(r.stdout, "crawled 1 sources") {
		t.Errorf("crawl --source: %d %s", r.code, r.stdout)
	}
	if r := gw(t, "--db", db, "crawl"); r.code != 2 {
		t.Errorf("crawl without --once: exit %d", r.code)
	}
	if r := gw(t, "--db", db, "crawl", "--once", "--source", "99"); r.code != 2 {
		t.Errorf("crawl unknown source: exit %d", r.code)
	}
}

func TestSourceTestRefusesPrivateByDefault(t *testing.T) {
	srv := fixtureSite(t)
	r := gw(t, "source", "test", srv.URL+"/tzgg/")
	if r.code == 0 || !strings.Contains(r.stderr, "loopback, private or link-local") {
		t.Errorf("fetch of loopback without allow_private: %d %q", r.code, r.stderr)
	}
}
