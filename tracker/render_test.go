package tracker

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/grantwatch/grantwatch/internal/testdoc"
	"github.com/grantwatch/grantwatch/store"
	"github.com/grantwatch/grantwatch/tracker/pagetext"
	"github.com/grantwatch/grantwatch/tracker/render"
)

// scriptSite serves two 通知公告 columns whose lists only a browser sees:
// /js/ draws its list from strings in a script, /xhr/ loads it as JSON
// with fetch(). The XHR page also tries a service on another port, which
// must never be reached.
func scriptSite(t *testing.T) (*site, *site) {
	s := newSite(t)
	other := newSite(t) // another service on the same address
	other.page("/steal", "text/plain", []byte("secret"))
	titles := []string{"关于组织申报2024年度重点研发计划项目的通知", "关于开展2024年度科技型中小企业评价工作的通知",
		"关于征集2024年度产学研合作项目的通知", "关于组织推荐2024年度科学技术奖的通知"}
	s.page("/js/", "text/html; charset=utf-8", []byte(`<!DOCTYPE html><html><head><meta charset="utf-8"><title>通知公告</title></head><body>
<div class="nav"><a href="/">首页</a></div><h2>通知公告</h2><ul id="list" class="news-list"></ul>
<script>
var t = ["`+strings.Join(titles, `","`)+`"];
var ul = document.getElementById("list");
for (var i = 0; i < t.length; i++) {
  var li = document.createElement("li"), a = document.createElement("a"), sp = document.createElement("span");
  a.href = "./202403/t2024030" + (i + 1) + "_" + (100 + i) + ".html"; a.textContent = t[i];
  sp.textContent = "2024-03-0" + (i + 1);
  li.appendChild(a); li.appendChild(sp); ul.appendChild(li);
}
</script></body></html>`))
	s.page("/xhr/", "text/html; charset=utf-8", []byte(fmt.Sprintf(`<!DOCTYPE html><html><head><meta charset="utf-8"><title>通知公告</title></head><body>
<h2>通知公告</h2><div class="list-box"><ul id="news"></ul></div><div id="pager"></div>
<script>
fetch(%q).catch(function(){});
fetch("/xhr/list?page=1", {method: "POST", headers: {"Content-Type": "application/json"}, body: JSON.stringify({page: 1, size: 20})})
  .then(function(r){ return r.json(); })
  .then(function(d){
    var ul = document.getElementById("news");
    d.rows.forEach(function(r){ var li = document.createElement("li"); li.innerHTML = '<a href="' + r.u + '">' + r.t + '</a><span>' + r.d + '</span>'; ul.appendChild(li); });
  });
</script></body></html>`, other.url("/steal"))))
	s.handle("/xhr/list", func(w http.ResponseWriter, r *http.Request) {
		if r.Method != http.MethodPost {
			http.Error(w, "POST only", 405)
			return
		}
		var rows []map[string]string
		for i, title := range titles {
			rows = append(rows, map[string]string{"u": fmt.Sprintf("/xhr/art/2024/3/%d/art_12_%d.html", i+1, 500+i), "t": title, "d": fmt.Sprintf("2024-03-0%d", i+1)})
		}
		w.Header().Set("Content-Type", "application/json")
		json.NewEncoder(w).Encode(map[string]any{"rows": rows})
	})
	for i, title := range titles {
		body := noticePage(title, fmt.Sprintf("<p>各有关单位：</p><p>申报截止时间：2024年4月%d日。</p>", 10+i))
		s.page(fmt.Sprintf("/js/202403/t2024030%d_%d.html", i+1, 100+i), "text/html; charset=utf-8", body)
		s.page(fmt.Sprintf("/xhr/art/2024/3/%d/art_12_%d.html", i+1, 500+i), "text/html; charset=utf-8", body)
	}
	return s, other
}

// Columns built by script: read through Chromium with source render, each
// request the page makes served by the fetcher (the XHR counted on the
// site, the other port never reached); the same pages read plainly show no
// list and the hint to render them.
func TestRenderedSources(t *testing.T) {
	testdoc.RequireTool(t, "chromium", "apt-get install chromium")
	s, other := scriptSite(t)
	for _, path := range []string{"/js/", "/xhr/"} {
		t.Run(strings.Trim(path, "/"), func(t *testing.T) {
			// Plain: no list, and the hint.
			res, err := NewFetcher(testFetchConfig()).Fetch(context.Background(), Request{URL: s.url(path)})
			if err != nil {
				t.Fatal(err)
			}
			page, _ := pagetext.Decode(res.Body, res.ContentType)
			list := Discover(s.url(path), page, "", nil)
			if kind, why := DetectKind(list); kind == "list" || len(list.Links) > 0 {
				t.Errorf("plain read found a list: %s (%s) %v", kind, why, list.Links)
			}
			if ok, why := ScriptBuilt(page, list); !ok {
				t.Errorf("no script-built hint for %s", path)
			} else {
				t.Logf("hint: looks script-built (%s)", why)
			}

			// Rendered.
			now := &clock{t: time.Date(2024, 3, 5, 2, 0, 0, 0, time.UTC)}
			c := testCrawler(t, testFetchConfig(), now)
			c.Renderer = render.New(render.Config{PageTimeout: 20 * time.Second})
			t.Cleanup(c.Renderer.Close)
			src := addSource(t, c, store.Source{URL: s.url(path), Render: true})
			r := c.CrawlNow(context.Background(), []store.Source{src}, nil).Sources[0]
			if r.Err != nil || r.Kind != "list" || r.Links != 4 || r.NoticesNew != 4 || r.WindowsAdded != 4 {
				t.Fatalf("rendered crawl: kind %s (%s), %d links, %d new, %d windows, err %v, warnings %v", r.Kind, r.Why, r.Links, r.NoticesNew, r.WindowsAdded, r.Err, r.Warnings)
			}
			t.Logf("rendered: %s (%s)", r.Kind, r.Why)
		})
	}
	if n := s.hitCount("/xhr/list"); n != 1 {
		t.Errorf("the XHR reached the site %d times through the fetcher, want 1", n)
	}
	if n := other.hitCount("/steal"); n != 0 {
		t.Errorf("the page reached another port %d times", n)
	}
}

// Rendering is no way around bot protection: a rendered source whose page
// answers with a challenge fails as antibot, as a plain one does.
func TestRenderedSourceBlocked(t *testing.T) {
	testdoc.RequireTool(t, "chromium", "apt-get install chromium")
	s := newSite(t)
	s.handle("/waf/", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Server", "WAF/2.0")
		w.WriteHeader(412)
		w.Write([]byte(`<html><script>window.location.reload()</script></html>`))
	})
	now := &clock{t: t0}
	c := testCrawler(t, testFetchConfig(), now)
	c.Renderer = render.New(render.Config{PageTimeout: 10 * time.Second})
	t.Cleanup(c.Renderer.Close)
	src := addSource(t, c, store.Source{URL: s.url("/waf/"), Render: true})
	r := c.CrawlNow(context.Background(), []store.Source{src}, nil).Sources[0]
	var fe *FetchError
	if !errors.As(r.Err, &fe) || fe.Kind != "antibot" {
		t.Fatalf("rendered challenge page: %v", r.Err)
	}
	got, _ := c.DB.Source(context.Background(), src.URL)
	if !got.NextCheckAt.After(now.Now().Add(23 * time.Hour)) {
		t.Errorf("next check %v: a blocked source backs off for long", got.NextCheckAt)
	}
}

// Without a browser, a rendered source fails with a clear error.
func TestRenderedSourceWithoutBrowser(t *testing.T) {
	s := newSite(t)
	s.page("/x/", "text/html", []byte("<html></html>"))
	c := testCrawler(t, testFetchConfig(), &clock{t: t0})
	c.Renderer = render.New(render.Config{Browser: "/nonexistent/chromium"})
	src := addSource(t, c, store.Source{URL: s.url("/x/"), Render: true})
	r := c.CrawlNow(context.Background(), []store.Source{src}, nil).Sources[0]
	if !errors.Is(r.Err, render.ErrNoBrowser) || !strings.Contains(r.Err.Error(), "install chromium") {
		t.Errorf("error %v", r.Err)
	}
}
