package tracker

import (
	"reflect"
	"strings"
	"testing"
)

func TestDiscover(t *testing.T) {
	page := `<html><body>
<div class="menu"><a href="/">首页</a><a href="/tzgg/">通知公告</a><a href="/zcfg/">政策法规</a></div>
<table class="list">
<tr><td><a href="./202001/t20200110_1.html" title="关于组织申报2020年度重点研发计划项目的通知">关于组织申报2020年度重点研...</a></td><td>[2020-01-10]</td></tr>
<tr><td><a href="/tzgg/202001/t20200108_2.html#anchor">关于开展2020年科技型中小企业评价工作的通知</a></td><td>2020/1/8</td></tr>
<tr><td><a href="http://KJT.example.gov.cn/tzgg/202001/t20200108_2.html">关于开展2020年科技型中小企业评价工作的通知</a></td><td>2020年1月8日</td></tr>
<tr><td><a href="javascript:openWin('3')">关于弹出窗口打开的一个通知页面</a></td></tr>
<tr><td><a href="mailto:a@example.gov.cn">给我们写信反映申报中遇到的问题</a></td></tr>
<tr><td><a href="http://www.other.gov.cn/art/2020/1/7/art_1.html">其他网站上转载的一个申报通知</a></td></tr>
<tr><td><a href="/files/guide.pdf">申报指南全文下载PDF版本</a></td></tr>
<tr><td><a href="/tzgg/202001/t20200105_4.html">关于公布2019年度第二批高新技术企业名单的通知</a> 2020.01.05</td></tr>
</table>
<div class="pages"><a href="index.html">上一页</a> <a href="index_2.html">下一页</a> <a href="index_9.html">尾页</a></div>
</body></html>`
	got := Discover("http://kjt.example.gov.cn/tzgg/index_1.html", page, "", nil)
	want := []Link{
		{URL: "http://kjt.example.gov.cn/tzgg/202001/t20200110_1.html", Title: "关于组织申报2020年度重点研发计划项目的通知", Published: "2020-01-10"},
		{URL: "http://kjt.example.gov.cn/tzgg/202001/t20200108_2.html", Title: "关于开展2020年科技型中小企业评价工作的通知", Published: "2020-01-08"},
		// A list item that links straight to a document: the file is the notice.
		{URL: "http://kjt.example.gov.cn/files/guide.pdf", Title: "申报指南全文下载PDF版本"},
		{URL: "http://kjt.example.gov.cn/tzgg/202001/t20200105_4.html", Title: "关于公布2019年度第二批高新技术企业名单的通知", Published: "2020-01-05"},
	}
	if !reflect.DeepEqual(got.Links, want) {
		t.Errorf("links\n got %+v\nwant %+v", got.Links, want)
	}
	if !reflect.DeepEqual(got.Next, []string{"http://kjt.example.gov.cn/tzgg/index_2.html"}) {
		t.Errorf("next %v", got.Next)
	}
	// Another host, when allowed.
	got = Discover("http://kjt.example.gov.cn/tzgg/index_1.html", page, "", []string{"www.other.gov.cn"})
	if len(got.Links) != 5 {
		t.Errorf("with allowed host: %d links", len(got.Links))
	}
	// A selector picks the links instead of the heuristics.
	got = Discover("http://kjt.example.gov.cn/tzgg/", page, "div.menu a", nil)
	if len(got.Links) != 2 || got.Links[0].Title != "首页" || got.Links[1].Title != "政策法规" { // the page itself is left out
		t.Errorf("selector: %+v", got.Links)
	}
	// Garbage does not panic and finds nothing.
	if got := Discover("http://x/", "<<<>>>\x00\xff", "", nil); len(got.Links) != 0 {
		t.Errorf("garbage: %+v", got)
	}
}

func TestReadArticle(t *testing.T) {
	trs := `<html><head><title>关于组织申报的通知_某某省科学技术厅</title></head><body>
<div class="nav"><a href="/">首页</a> &gt; <a href="/tzgg/">通知公告</a></div>
<div class="TRS_Editor"><p>各有关单位：</p><p>请于2019年9月20日前报送。</p><p>附件：<a href="/files/a.docx">申报书模板</a></p>
<p><a href="/files/b.pdf">指南.pdf</a></p></div><div class="foot">版权所有</div></body></html>`
	a := ReadArticle("http://kjt.example.gov.cn/tzgg/1.html", trs)
	if a.Title != "关于组织申报的通知" || !strings.Contains(a.Text, "请于2019年9月20日前报送。") || strings.Contains(a.Text, "版权所有") || strings.Contains(a.Text, "首页") {
		t.Errorf("TRS page: %+v", a)
	}
	if len(a.Attachments) != 2 || a.Attachments[0].URL != "http://kjt.example.gov.cn/files/a.docx" || a.Attachments[1].Title != "指南.pdf" {
		t.Errorf("attachments %+v", a.Attachments)
	}
	hanweb := `<html><body><div id="left"><a href="/1">菜单一项</a><a href="/2">菜单二项</a></div>
<div id="zoom"><p>根据有关要求，现组织申报。</p><p>网上申报时间：2019年9月1日至9月30日。</p></div></body></html>`
	if a := ReadArticle("http://x.gov.cn/art/1.html", hanweb); !strings.Contains(a.Text, "网上申报时间") || strings.Contains(a.Text, "菜单") {
		t.Errorf("Hanweb page: %q", a.Text)
	}
	plain := `<html><body><table><tr><td><a href="/a">一</a><a href="/b">二</a><a href="/c">三</a><a href="/d">四</a></td>
<td><div>各有关单位：根据工作安排，现将有关事项通知如下。请各单位于2019年9月20日前将申报材料一式三份报送至科技处，逾期不予受理。联系人：张三。</div></td></tr></table></body></html>`
	if a := ReadArticle("http://x.gov.cn/1.html", plain); !strings.Contains(a.Text, "请各单位于2019年9月20日前") || strings.Contains(a.Text, "一二三四") {
		t.Errorf("largest block: %q", a.Text)
	}
}

func TestRobots(t *testing.T) {
	txt := `# comment
User-agent: BadBot
Disallow: /

User-agent: grantwatch
User-agent: otherbot
Disallow: /private/
Allow: /private/public.html
Disallow: /*.pdf$
Crawl-delay: 5

User-agent: *
Disallow: /
`
	r := parseRobots(txt, "grantwatch/0.1 (+https://example)")
	for path, want := range map[string]bool{
		"/tzgg/1.html": true, "/private/x.html": false, "/private/public.html": true, "/files/a.pdf": false, "/files/a.pdf?x=1": true,
	} {
		if got := r.allowed(path); got != want {
			t.Errorf("allowed(%q) = %v, want %v", path, got, want)
		}
	}
	if r.crawlDelay.Seconds() != 5 {
		t.Errorf("crawl delay %v", r.crawlDelay)
	}
	star := parseRobots("User-agent: *\nDisallow: /admin\n", "grantwatch")
	if star.allowed("/admin/x") || !star.allowed("/tzgg/") {
		t.Error("* group not applied")
	}
	if !parseRobots("", "grantwatch").allowed("/anything") || !parseRobots("garbage\x00\xff", "grantwatch").allowed("/x") {
		t.Error("empty robots.txt disallows")
	}
}

func TestDiscoverTemplates(t *testing.T) {
	// Date inside the link, no digits in the paths, TRS script pagination.
	page := `<html><body><div class="list">
<a href="./notice-a.html"><span class="t">关于组织申报重点研发计划项目的通知</span><span class="d">2020-03-02</span></a>
<a href="./notice-b.html"><span class="t">关于开展科技型中小企业评价工作的通知</span><span class="d">2020-02-28</span></a>
<a href="./index.html">通知公告栏目首页的链接文字</a>
</div><script>createPageHTML(5, 0, "index", "html");</script></body></html>`
	got := Discover("http://kjt.example.gov.cn/tzgg/index.html", page, "", nil)
	want := []Link{
		{URL: "http://kjt.example.gov.cn/tzgg/notice-a.html", Title: "关于组织申报重点研发计划项目的通知", Published: "2020-03-02"},
		{URL: "http://kjt.example.gov.cn/tzgg/notice-b.html", Title: "关于开展科技型中小企业评价工作的通知", Published: "2020-02-28"},
	}
	if !reflect.DeepEqual(got.Links, want) {
		t.Errorf("links\n got %+v\nwant %+v", got.Links, want)
	}
	if !reflect.DeepEqual(got.Next, []string{"http://kjt.example.gov.cn/tzgg/index_1.html"}) {
		t.Errorf("next %v", got.Next)
	}
	// The last page has no next.
	last := strings.Replace(page, "createPageHTML(5, 0,", "createPageHTML(5, 4,", 1)
	if got := Discover("http://kjt.example.gov.cn/tzgg/index_4.html", last, "", nil); len(got.Next) != 0 {
		t.Errorf("last page next %v", got.Next)
	}
}
