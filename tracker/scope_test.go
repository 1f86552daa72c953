package tracker

import (
	"context"
	"net/http"
	"net/url"
	"testing"
	"time"

	"github.com/grantwatch/grantwatch/store"
)

func TestScope(t *testing.T) {
	for _, tc := range []struct {
		base  string
		allow []string
		url   string
		in    bool
	}{
		{"http://kjt.gov.cn/tzgg/", nil, "http://kjt.gov.cn/1.html", true},
		{"http://kjt.gov.cn/tzgg/", nil, "https://kjt.gov.cn/1.html", true}, // default ports: one site
		{"https://kjt.gov.cn/tzgg/", nil, "http://KJT.gov.cn:80/1.html", true},
		{"http://kjt.gov.cn/tzgg/", nil, "http://kjt.gov.cn:8080/1.html", false},
		{"http://kjt.gov.cn/tzgg/", nil, "http://www.kjt.gov.cn/1.html", false},
		{"http://127.0.0.1:8080/tzgg/", nil, "http://127.0.0.1:8080/1.html", true},
		{"http://127.0.0.1:8080/tzgg/", nil, "http://127.0.0.1:6379/", false},
		{"http://127.0.0.1:8080/tzgg/", nil, "http://127.0.0.1/", false},
		{"http://127.0.0.1:8080/tzgg/", nil, "https://127.0.0.1:8080/", false}, // a non-default port keeps its scheme
		{"http://kjt.gov.cn/", []string{"file.kjt.gov.cn"}, "https://file.kjt.gov.cn/a.pdf", true},
		{"http://kjt.gov.cn/", []string{"file.kjt.gov.cn"}, "http://file.kjt.gov.cn:8081/a.pdf", false},
		{"http://kjt.gov.cn/", []string{"file.kjt.gov.cn:8081"}, "http://file.kjt.gov.cn:8081/a.pdf", true},
		{"http://kjt.gov.cn/", nil, "ftp://kjt.gov.cn/a.pdf", false},
	} {
		u, _ := url.Parse(tc.url)
		if got := NewScope(tc.base, tc.allow).Contains(u); got != tc.in {
			t.Errorf("%s %v ∋ %s: %v, want %v", tc.base, tc.allow, tc.url, got, tc.in)
		}
	}
}

// allow_private = ["127.0.0.1"] lets the source on its port be crawled;
// another service on 127.0.0.1 stays out of reach, whether a list link,
// an attachment or a redirect names it.
func TestCrawlStaysOnTheSourcesPort(t *testing.T) {
	now := &clock{t: time.Date(2019, 8, 27, 9, 0, 0, 0, time.UTC)}
	c := testCrawler(t, testFetchConfig(), now)
	s := newSite(t)
	inner := newSite(t) // another service on the same address
	inner.page("/secret.html", "text/html", noticePage("关于内部服务的通知", "<p>请于9月1日前报送。</p>"))
	inner.page("/files/a.docx", "application/octet-stream", docx(t, "请于2019年9月30日前报送。"))
	s.page("/tzgg/", "text/html", listPage(t, "",
		[3]string{"/tzgg/1.html", "关于组织申报2019年度重点研发计划项目的通知", "2019-08-27"},
		[3]string{inner.url("/secret.html"), "关于内部服务的通知公告不应被抓取的页面", "2019-08-26"},
		[3]string{"/tzgg/2.html", "关于开展2019年度科技型中小企业评价工作的通知", "2019-08-25"},
	))
	s.page("/tzgg/1.html", "text/html", noticePage("关于组织申报2019年度重点研发计划项目的通知",
		`<p>纸质材料请于9月25日前报送省科技厅。</p>`, [2]string{inner.url("/files/a.docx"), "附件1：申报书.docx"}))
	s.handle("/tzgg/2.html", func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, inner.url("/secret.html"), http.StatusFound)
	})
	src := addSource(t, c, store.Source{URL: s.url("/tzgg/"), Name: "通知公告"})
	rep := c.CrawlNow(context.Background(), []store.Source{src}, nil)
	if r := rep.Sources[0]; r.Err != nil || r.NoticesNew != 1 {
		t.Errorf("report %+v", r)
	}
	if n := inner.hitCount("/secret.html") + inner.hitCount("/files/a.docx") + inner.hitCount("/robots.txt"); n != 0 {
		t.Errorf("another port of the allowed address was fetched %d times", n)
	}
	st, _ := c.DB.NoticeFetchStateOf(context.Background(), mustNotice(t, c, s.url("/tzgg/1.html")).ID)
	if len(st.Attachments) != 1 || st.Attachments[0].Status == "read" {
		t.Errorf("attachment on another port: %+v", st.Attachments)
	}
}
