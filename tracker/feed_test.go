package tracker

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"github.com/grantwatch/grantwatch/store"
)

// Feeds as sources: RSS 2.0 (UTF-8, and GBK as Chinese sites serve it),
// Atom and JSON Feed. Each item is a notice link, fetched and read like a
// link on a list page; an item on another host (an RSSHub feed names the
// department's site) is fetched there.
func TestFeedSources(t *testing.T) {
	s := newSite(t)
	dept := newSite(t, "127.0.0.2") // the department's own site, another host
	titles := []string{"关于组织申报2024年度重点研发计划项目的通知", "关于开展2024年度科技型中小企业评价工作的通知"}
	for i, title := range titles {
		body := noticePage(title, fmt.Sprintf("<p>各有关单位：</p><p>申报截止时间：2024年4月%d日。</p>", 10+i))
		s.page(fmt.Sprintf("/tzgg/%d.html", i+1), "text/html; charset=utf-8", body)
		dept.page(fmt.Sprintf("/art/2024/3/%d/art_1_%d.html", i+1, i+1), "text/html; charset=utf-8", body)
	}
	rss := func(enc string) string {
		return `<?xml version="1.0" encoding="` + enc + `"?>
<rss version="2.0"><channel><title>某某省科技厅 - 通知公告</title><link>` + s.url("/tzgg/") + `</link><description>通知公告</description>
<item><title>` + titles[0] + `</title><link>` + s.url("/tzgg/1.html") + `</link><pubDate>Fri, 01 Mar 2024 02:00:00 GMT</pubDate></item>
<item><title><![CDATA[` + titles[1] + `]]></title><link>/tzgg/2.html</link><pubDate>Sat, 02 Mar 2024 17:30:00 GMT</pubDate></item>
</channel></rss>`
	}
	s.page("/rss.xml", "application/rss+xml; charset=utf-8", []byte(rss("UTF-8")))
	s.page("/gbk.xml", "text/xml", gbkBytes(t, rss("GBK")))
	s.page("/atom.xml", "application/atom+xml", []byte(`<?xml version="1.0" encoding="utf-8"?>
<feed xmlns="http://www.w3.org/2005/Atom"><title>通知公告</title><id>urn:x</id><updated>2024-03-02T10:00:00+08:00</updated>
<entry><title>`+titles[0]+`</title><id>urn:1</id><link href="`+dept.url("/art/2024/3/1/art_1_1.html")+`"/><updated>2024-03-01T10:00:00+08:00</updated></entry>
<entry><title>`+titles[1]+`</title><id>urn:2</id><link rel="alternate" href="`+dept.url("/art/2024/3/2/art_1_2.html")+`"/><published>2024-03-02T09:00:00+08:00</published><updated>2024-03-02T09:00:00+08:00</updated></entry>
</feed>`))
	s.page("/feed.json", "application/json", []byte(`{"version": "https://jsonfeed.org/version/1.1", "title": "通知公告",
 "items": [{"id": "1", "url": "`+s.url("/tzgg/1.html")+`", "title": "`+titles[0]+`", "date_published": "2024-03-01T10:00:00+08:00"},
           {"id": "2", "url": "`+s.url("/tzgg/2.html")+`", "title": "`+titles[1]+`", "date_published": "2024-03-03T01:00:00+08:00"}]}`))

	for _, tc := range []struct{ path, host, date2 string }{
		{"/rss.xml", "", "2024-03-03"}, // 17:30 GMT is the next day in Shanghai
		{"/gbk.xml", "", "2024-03-03"},
		{"/atom.xml", "127.0.0.2", "2024-03-02"},
		{"/feed.json", "", "2024-03-03"},
	} {
		t.Run(strings.Trim(tc.path, "/"), func(t *testing.T) {
			res, err := NewFetcher(testFetchConfig()).Fetch(context.Background(), Request{URL: s.url(tc.path)})
			if err != nil {
				t.Fatal(err)
			}
			if !IsFeed(res.Body, res.ContentType) {
				t.Fatalf("not sniffed as a feed")
			}
			links, err := FeedLinks(res.Body, res.ContentType, res.URL, testCrawler(t, testFetchConfig(), &clock{t: t0}).Location)
			if err != nil || len(links) != 2 || links[0].Title != titles[0] || links[1].Title != titles[1] || links[1].Published != tc.date2 {
				t.Fatalf("links %+v, err %v", links, err)
			}
			if tc.host != "" && !strings.Contains(links[0].URL, tc.host) {
				t.Errorf("item URL %s", links[0].URL)
			}
			c := testCrawler(t, testFetchConfig(), &clock{t: t0})
			src := addSource(t, c, store.Source{URL: s.url(tc.path)})
			r := c.CrawlNow(context.Background(), []store.Source{src}, nil).Sources[0]
			if r.Err != nil || !r.Feed || r.Links != 2 || r.NoticesNew != 2 || r.WindowsAdded != 2 {
				t.Errorf("crawl: feed %v, %d links, %d new, %d windows, err %v, warnings %v", r.Feed, r.Links, r.NoticesNew, r.WindowsAdded, r.Err, r.Warnings)
			}
		})
	}
	// A page that only mentions a feed is no feed.
	if IsFeed([]byte(`<html><body><a href="/rss.xml">RSS 订阅 <rss></a></body></html>`), "text/html") {
		t.Error("an HTML page taken for a feed")
	}
}
