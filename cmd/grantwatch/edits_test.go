package main

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"sync"
	"testing"

	"github.com/grantwatch/grantwatch/internal/testsmtp"
)

// editSite is a 通知公告 column whose pages the test rewrites between two
// crawls, and whose notice C answers 500 a given number of times first.
type editSite struct {
	mu      sync.Mutex
	pages   map[string]string
	failFor map[string]int // path → 500s still to answer
	hits    map[string]int
}

func (s *editSite) set(path, html string) {
	s.mu.Lock()
	s.pages[path] = html
	s.mu.Unlock()
}

func (s *editSite) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.hits[r.URL.Path]++
	if s.failFor[r.URL.Path] > 0 {
		s.failFor[r.URL.Path]--
		http.Error(w, "busy", http.StatusInternalServerError)
		return
	}
	page, ok := s.pages[r.URL.Path]
	if !ok {
		http.NotFound(w, r)
		return
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	fmt.Fprint(w, page)
}

func editList(items ...[3]string) string {
	var b strings.Builder
	b.WriteString(`<html><head><title>通知公告_某某省工业和信息化厅</title></head><body><div class="nav"><a href="/">首页</a></div><ul class="list">`)
	for _, it := range items {
		fmt.Fprintf(&b, `<li><a href="%s">%s</a><span>%s</span></li>`, it[0], it[1], it[2])
	}
	b.WriteString(`</ul><div class="foot">主办：某某省工业和信息化厅</div></body></html>`)
	return b.String()
}

func editNotice(title, body, date string) string {
	return fmt.Sprintf(`<html><head><title>%s</title></head><body><h1>%s</h1><div class="TRS_Editor"><p>各有关单位：</p>%s<p>某某省工业和信息化厅</p><p>%s</p></div></body></html>`,
		title, title, body, date)
}

// TestEditsExtensionsAndTransientErrors is the two-phase run of issue 13.
// Phase 1 crawls a column of two notices and mails the reminders due.
// Phase 2, a day later: notice A was edited in place (its deadline moved,
// its stage renamed), a 延期 notice D moves both windows of notice B, and a
// new notice C answers 500 twice before it answers. Each moved window gets
// one correction mail over SMTP; no window is duplicated; nothing is lost.
func TestEditsExtensionsAndTransientErrors(t *testing.T) {
	site := &editSite{pages: map[string]string{}, failFor: map[string]int{}, hits: map[string]int{}}
	srv := httptest.NewServer(site)
	t.Cleanup(srv.Close)
	smtp := testsmtp.Start(t)
	dir := t.TempDir()
	db := filepath.Join(dir, "gw.db")
	cfg := filepath.Join(dir, "gw.toml")
	// retry_wait is shortened (default 1s, then 4s) to keep the test quick.
	os.WriteFile(cfg, []byte("[fetch]\nallow_private = [\"127.0.0.1\"]\nper_host_delay = \"10ms\"\nretry_wait = \"100ms\"\n"), 0o600)

	titleA := "关于组织申报2025年度重点研发计划项目的通知"
	titleB := "关于组织申报2025年度工业互联网创新发展项目的通知"
	titleC := "关于开展2025年度科技型中小企业评价工作的通知"
	titleD := "关于延长2025年度工业互联网创新发展项目申报截止时间的通知"
	site.set("/tzgg/", editList([3]string{"/tzgg/b.html", titleB, "2025-02-28"}, [3]string{"/tzgg/a.html", titleA, "2025-02-27"}))
	site.set("/tzgg/a.html", editNotice(titleA, "<p>网上申报截止时间：2025年3月5日17:00。</p>", "2025年2月27日"))
	site.set("/tzgg/b.html", editNotice(titleB, "<p>一、网上申报：请于2025年3月6日前登录系统填报。</p><p>二、纸质材料报送：请于2025年3月7日前将纸质材料报送至省工信厅。</p>", "2025年2月28日"))

	mustGW(t, "--config", cfg, "--db", db, "source", "add", srv.URL+"/tzgg/", "--name", "工信厅通知公告")
	mustGW(t, "--config", cfg, "--db", db, "subscriber", "add", "li@example.cn")
	phase1, phase2 := "2025-03-01T18:00:00+08:00", "2025-03-02T19:00:00+08:00"
	out := mustGW(t, "--config", cfg, "--db", db, "crawl", "--once", "--now", phase1)
	if !strings.Contains(out, "notices 2 new") || !strings.Contains(out, "windows 3 new") {
		t.Fatalf("phase 1 crawl:\n%s", out)
	}
	out = mustGW(t, "--config", cfg, "--db", db, "notify", "--once", "--now", phase1, "--smtp", smtp.Addr)
	if n := len(smtp.Messages()); n != 3 {
		t.Fatalf("phase 1: %d reminders sent, want 3 (one per window)\n%s\n%q", n, out, smtp.Subjects())
	}

	// Phase 2.
	site.set("/tzgg/", editList([3]string{"/tzgg/d.html", titleD, "2025-03-02"}, [3]string{"/tzgg/c.html", titleC, "2025-03-02"},
		[3]string{"/tzgg/b.html", titleB, "2025-02-28"}, [3]string{"/tzgg/a.html", titleA, "2025-02-27"}))
	site.set("/tzgg/a.html", editNotice(titleA, "<p>申报截止时间：2025年3月15日17:00。</p>", "2025年2月27日"))
	site.set("/tzgg/c.html", editNotice(titleC, "<p>请于2025年3月28日前报送评价材料。</p>", "2025年3月2日"))
	site.set("/tzgg/d.html", editNotice(titleD, "<p>因申报系统升级，经研究，《"+titleB+"》网上申报截止时间延长至2025年3月20日，纸质材料报送截止时间延长至2025年3月25日。</p>", "2025年3月2日"))
	site.mu.Lock()
	site.failFor["/tzgg/c.html"] = 2
	site.mu.Unlock()
	out = mustGW(t, "--config", cfg, "--db", db, "crawl", "--once", "--now", phase2)
	if !strings.Contains(out, "notices 2 new, 1 changed") {
		t.Errorf("phase 2 crawl:\n%s", out)
	}
	if site.hits["/tzgg/c.html"] != 3 {
		t.Errorf("notice C fetched %d times, want 3 (two 500s, then the page)", site.hits["/tzgg/c.html"])
	}
	var got []string
	for _, w := range jsonLines(t, mustGW(t, "--db", db, "windows", "--json")) {
		u := w["notice_url"].(string)
		got = append(got, fmt.Sprintf("%s %v→%v %v", u[strings.LastIndex(u, "/")+1:], w["opens"], w["closes"], w["closes_time"]))
	}
	sort.Strings(got)
	want := []string{
		"a.html <nil>→2025-03-15 17:00",
		"b.html <nil>→2025-03-20 <nil>",
		"b.html <nil>→2025-03-25 <nil>",
		"c.html <nil>→2025-03-28 <nil>",
	}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("windows after phase 2:\n%s\nwant\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
	if st := mustGW(t, "--db", db, "status"); strings.Contains(st, "failed fetches") {
		t.Errorf("status lists a failing notice:\n%s", st)
	}

	out = mustGW(t, "--config", cfg, "--db", db, "notify", "--once", "--now", phase2, "--smtp", smtp.Addr)
	subjects := smtp.Subjects()[3:]
	sort.Strings(subjects)
	wantSubj := []string{
		"【截止时间调整】" + titleA,
		"【截止时间调整】" + titleB,
		"【截止时间调整】" + titleB,
	}
	sort.Strings(wantSubj)
	ok := len(subjects) == len(wantSubj)
	for i := 0; ok && i < len(subjects); i++ {
		ok = strings.HasPrefix(subjects[i], wantSubj[i])
	}
	if !ok {
		t.Errorf("phase 2 mails: want one correction per moved window, got\n%s\n%s", strings.Join(subjects, "\n"), out)
	}
	for _, s := range subjects {
		if strings.Contains(s, "2025-03-05") || strings.Contains(s, "2025-03-06") || strings.Contains(s, "2025-03-07") {
			t.Errorf("a correction names an old deadline: %s", s)
		}
	}
	mustGW(t, "--config", cfg, "--db", db, "notify", "--once", "--now", phase2, "--smtp", smtp.Addr)
	if n := len(smtp.Messages()); n != 6 {
		t.Errorf("a second notify at the same instant sent %d more", n-6)
	}
}
