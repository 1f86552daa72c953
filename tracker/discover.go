package tracker

import (
	"fmt"
	"net/url"
	"path"
	"regexp"
	"strings"
	"unicode/utf8"

	"github.com/PuerkitoBio/goquery"
	"github.com/andybalholm/cascadia"
	"golang.org/x/net/html"

	"github.com/grantwatch/grantwatch/tracker/extract"
)

// Link is a notice link found on a list page.
type Link struct {
	URL       string `json:"url"`
	Title     string `json:"title"`
	Published string `json:"published,omitempty"` // the date printed beside the link
}

// ListPage is what a 通知公告 column page offers, and what tells it from a
// notice page.
type ListPage struct {
	Links []Link
	Next  []string // further pages of the column, in order
	// Proxy pages a Hanweb datastore through its dataproxy.jsp (a POST per
	// group of records) when the page has one.
	Proxy *RecordProxy

	Repeated   int    // items in the largest repeated structure of notice links
	Dated      int    // of those, items with a date beside the link
	ItemTag    string // what the items are (li, tr, div.news-item …)
	FromScript int    // links read from a script (datastore, array)
	ScriptHow  string // "script datastore", "script array"
	Article    int    // characters of text outside links and the lists
	Notice     bool   // the page has the shape of one article (an article URL and body box)
	Why        string // set when a selector picked the links
}

// navWords are link texts of site furniture, never notices.
var navWords = []string{"首页", "上一页", "下一页", "尾页", "末页", "更多", "返回", "网站地图", "联系我们", "English",
	"登录", "注册", "打印", "关闭", "收藏", "分享", "无障碍", "设为首页", "加入收藏", "站点地图", "上页", "下页"}

// isNavText reports link texts that are navigation.
func isNavText(t string) bool {
	if utf8.RuneCountInString(t) < 5 {
		return true
	}
	for _, w := range navWords {
		if t == w || strings.HasPrefix(t, w) && utf8.RuneCountInString(t) < 8 {
			return true
		}
	}
	return false
}

// articlePath reports a URL path that looks like a page of its own rather
// than a column, a file or a script.
func articlePath(u *url.URL) bool {
	p := strings.ToLower(u.Path)
	switch path.Ext(p) {
	case ".html", ".htm", ".shtml", ".jhtml":
		// A page of its own, unless it is a column's index.
		base := path.Base(p)
		return !strings.HasPrefix(base, "index") && !strings.HasPrefix(base, "default") && !strings.HasPrefix(base, "list")
	case ".jsp", ".php", ".asp", ".aspx", ".do", "":
		return strings.ContainsAny(p, "0123456789") || u.RawQuery != ""
	}
	return false
}

var listDateRE = regexp.MustCompile(`(20\d\d|19\d\d)\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})`)

// dateNear finds the date printed beside a link: in its list item or table
// row when the link is alone there, otherwise in the siblings between it
// and the next (or previous) link.
func dateNear(a *goquery.Selection) string {
	var text string
	if box := a.ClosestMatcher(matchLinkBox); box.Length() > 0 && box.FindMatcher(matchA).Length() == 1 {
		text = strings.Replace(box.Text(), a.Text(), " ", 1)
	} else {
		text = siblingText(a)
	}
	m := listDateRE.FindStringSubmatch(text)
	if m == nil {
		return ""
	}
	d, err := extract.ParseDate(m[1] + "-" + pad2(m[2]) + "-" + pad2(m[3]))
	if err != nil {
		return ""
	}
	return d.String()
}

// siblingText is the text next to a link up to the neighbouring links.
func siblingText(a *goquery.Selection) string {
	var b strings.Builder
	hasLink := func(n *html.Node) bool {
		return n.Type == html.ElementNode && (n.Data == "a" || goquery.NewDocumentFromNode(n).FindMatcher(matchA).Length() > 0)
	}
	for n := a.Nodes[0].NextSibling; n != nil && !hasLink(n); n = n.NextSibling {
		b.WriteString(goquery.NewDocumentFromNode(n).Text())
		b.WriteByte(' ')
	}
	for n := a.Nodes[0].PrevSibling; n != nil && !hasLink(n); n = n.PrevSibling {
		b.WriteString(goquery.NewDocumentFromNode(n).Text())
		b.WriteByte(' ')
	}
	return b.String()
}

func pad2(s string) string {
	if len(s) == 1 {
		return "0" + s
	}
	return s
}

// Discover reads a list page: the notice links (absolute, canonical,
// deduplicated, on allowed hosts), with their titles and dates, the links
// to the column's next pages, and what tells a list from a notice (see
// DetectKind). selector, when set, picks the notice links instead of the
// heuristics.
//
// A list is a repeated structure of links to notices, wherever it sits:
// <li> items, table rows, cards, definition lists; records of a Hanweb
// <script type="text/xml"> datastore; a JSON or JavaScript array in a
// script. Links may go straight to a document (the file is the notice).
func Discover(pageURL, page, selector string, allowHosts []string) ListPage {
	var out ListPage
	base, err := url.Parse(pageURL)
	if err != nil {
		return out
	}
	doc, err := goquery.NewDocumentFromReader(strings.NewReader(page))
	if err != nil {
		return out
	}
	scope := NewScope(pageURL, allowHosts)
	self := canonicalOrEmpty(pageURL)
	resolve := func(href string) (*url.URL, bool) {
		href = strings.TrimSpace(href)
		lower := strings.ToLower(href)
		if href == "" || strings.HasPrefix(href, "#") || strings.HasPrefix(lower, "javascript:") ||
			strings.HasPrefix(lower, "mailto:") || strings.HasPrefix(lower, "tel:") || strings.HasPrefix(lower, "data:") {
			return nil, false
		}
		ref, err := url.Parse(href)
		if err != nil {
			return nil, false
		}
		u := base.ResolveReference(ref)
		canon, ok := CanonicalURL(u.String())
		if !ok {
			return nil, false
		}
		u, _ = url.Parse(canon)
		return u, scope.Contains(u)
	}
	sel := "a[href]"
	if selector != "" {
		sel = selector
	}
	var cands []anchor
	seen := map[string]bool{}
	doc.Find("body " + sel).Each(func(_ int, a *goquery.Selection) {
		if goquery.NodeName(a) != "a" {
			a = a.Find("a[href]").First()
		}
		if a.Length() == 0 {
			return
		}
		l, ok := readAnchor(a, resolve)
		if !ok || l.URL == self || selector != "" && seen[l.URL] {
			return
		}
		u, _ := url.Parse(l.URL)
		if selector == "" && (isNavText(l.Title) || !(articlePath(u) || isDocLink(u)) || !hasHan(l.Title)) {
			return
		}
		// A link repeated (a 置顶 box, a card's 查看详情) stays a candidate
		// in each place: the list is the place that repeats.
		seen[l.URL] = true
		cands = append(cands, anchor{node: a.Nodes[0], link: l})
	})
	if selector != "" {
		for _, c := range cands {
			out.Links = append(out.Links, c.link)
		}
		out.Why = fmt.Sprintf("%d links picked by the selector %s", len(out.Links), selector)
		out.Repeated = len(out.Links)
	} else {
		groups := groupAnchors(cands)
		keep, best := chooseGroups(groups)
		var exclude []*html.Node
		if best != nil {
			out.Repeated, out.Dated, out.ItemTag = len(best.items), best.dated, best.itemTag()
			for _, g := range keep {
				exclude = append(exclude, g.items...)
			}
		}
		// The groups hold the links with the dates read from their items.
		read := map[string]Link{}
		for _, g := range groups {
			for _, c := range g.anchors {
				if r, ok := read[c.link.URL]; !ok || r.Published == "" && c.link.Published != "" ||
					utf8.RuneCountInString(c.link.Title) > utf8.RuneCountInString(r.Title) && (r.Published == "") == (c.link.Published == "") {
					read[c.link.URL] = c.link
				}
			}
		}
		in := map[string]bool{}
		for _, g := range keep {
			for _, c := range g.anchors {
				in[c.link.URL] = true
			}
		}
		done := map[string]bool{}
		for _, c := range cands { // page order, each once
			if (len(keep) == 0 || in[c.link.URL]) && !done[c.link.URL] {
				done[c.link.URL] = true
				out.Links = append(out.Links, read[c.link.URL])
			}
		}
		out.Article = articleRunes(doc, exclude)
		out.Notice = noticeShaped(doc, base, exclude)
	}
	// Lists a script holds: a Hanweb datastore, a JSON or JS array.
	if sl, how, proxy := scriptLinks(doc, page, base, resolve); len(sl) > 0 {
		n := 0
		for _, l := range sl {
			if l.URL != self && !seen[l.URL] {
				seen[l.URL] = true
				out.Links = append(out.Links, l)
				n++
			}
		}
		out.FromScript, out.ScriptHow, out.Proxy = n, how, proxy
	}
	out.Next = nextPages(doc, resolve, pageURL)
	if len(out.Next) == 0 {
		out.Next = trsPages(page, base)
	}
	if len(out.Next) == 0 {
		out.Next = numberedNext(doc, resolve, base)
	}
	return out
}

// readAnchor reads a link's target, title and the date printed beside it.
// fullTitle is a link's title: its text, or its title attribute when that
// says more (the text cut short with …). A tooltip that wraps the title in
// fields (文章标题：…  作者：… 更新时间：…) gives the title alone.
func fullTitle(text, attr string) string {
	if attr == "" || !hasHan(attr) {
		return text
	}
	cut := strings.TrimSpace(strings.TrimRight(strings.TrimSpace(text), ".…"))
	switch {
	case cut == "":
		if k := strings.Index(attr, "："); k > 0 && k < 20 && strings.Contains(attr[k:], " ") {
			attr = attr[k+len("："):] // 文章标题：…
			if e := strings.IndexByte(attr, ' '); e > 0 {
				attr = attr[:e]
			}
		}
		return attr
	case strings.HasPrefix(attr, cut):
		if utf8.RuneCountInString(attr) > utf8.RuneCountInString(text) || strings.HasSuffix(text, "…") || strings.HasSuffix(text, "...") {
			return attr
		}
		return text
	case strings.Contains(attr, cut):
		rest := attr[strings.Index(attr, cut):]
		if e := strings.IndexByte(rest, ' '); e > 0 {
			rest = rest[:e]
		}
		if utf8.RuneCountInString(rest) > utf8.RuneCountInString(cut) {
			return rest
		}
	}
	return text
}

func readAnchor(a *goquery.Selection, resolve func(string) (*url.URL, bool)) (Link, bool) {
	href, _ := a.Attr("href")
	u, ok := resolve(href)
	if !ok {
		return Link{}, false
	}
	text := strings.Join(strings.Fields(a.Text()), " ")
	title, _ := a.Attr("title")
	text = fullTitle(text, strings.Join(strings.Fields(title), " "))
	published := dateNear(a)
	if m := listDateRE.FindStringSubmatchIndex(text); m != nil && m[0] > 0 {
		// Some templates print the date inside the link:
		// <a><span>标题</span><span>2019-08-27</span></a>.
		if d, err := extract.ParseDate(text[m[2]:m[3]] + "-" + pad2(text[m[4]:m[5]]) + "-" + pad2(text[m[6]:m[7]])); err == nil {
			if published == "" {
				published = d.String()
			}
			text = strings.TrimSpace(strings.Trim(text[:m[0]]+text[m[1]:], " []【】()（）"))
		}
	}
	return Link{URL: u.String(), Title: text, Published: published}, true
}

// Article is the readable part of a notice page.
type Article struct {
	Title       string
	Text        string
	Attachments []Link // 附件 links: documents to read with the notice
	// Cited are the pages the body links to (canonical URLs): a 延期
	// notice may name the notice it extends by linking to it.
	Cited []string
}

// bodySelectors are the article containers of the CMSs government sites
// run (TRS, Hanweb, and common templates), most specific first.
var bodySelectors = []string{
	".TRS_Editor", ".trs_editor_view", "#zoom", ".zoom", "#UCAP-CONTENT", "#fontzoom", ".Custom_UnionStyle",
	".article-content", ".article_content", ".art_con", ".wzxq", ".xxgk_content", ".content_text", ".main-txt",
	"#content", ".content", "article", ".article",
}

// Selectors compiled once: goquery compiles a selector string at every
// call, and a notice page went through some thirty (2 % of a crawl's CPU).
var (
	bodyMatchers      = compileAll(bodySelectors)
	titleMatchers     = compileAll([]string{"h1", ".title", "h2", "h3"})
	metaTitleMatchers = compileAll([]string{`meta[name="ArticleTitle"]`, `meta[property="og:title"]`})
	matchHidden       = cascadia.MustCompile("script, style, noscript, template, iframe, svg")
	matchLink         = cascadia.MustCompile("a[href]")
	matchA            = cascadia.MustCompile("a")
	matchAll          = cascadia.MustCompile("*")
	matchBody         = cascadia.MustCompile("body")
	matchBlocks       = cascadia.MustCompile("div, td, section, article, main")
	matchTitle        = cascadia.MustCompile("title")
	matchLinkBox      = cascadia.MustCompile("li, tr, dd, p")
)

func compileAll(sels []string) []goquery.Matcher {
	ms := make([]goquery.Matcher, len(sels))
	for i, s := range sels {
		ms[i] = cascadia.MustCompile(s)
	}
	return ms
}

var docExt = map[string]bool{".doc": true, ".docx": true, ".pdf": true, ".wps": true, ".xls": true, ".xlsx": true, ".zip": true, ".rar": true, ".txt": true}

// ReadArticle takes the title, body text and attachments of a notice page.
func ReadArticle(pageURL, page string) Article {
	var art Article
	doc, err := goquery.NewDocumentFromReader(strings.NewReader(page))
	if err != nil {
		return art
	}
	doc.FindMatcher(matchHidden).Remove()
	var body *goquery.Selection
	for _, m := range bodyMatchers {
		if sel := doc.FindMatcher(m).First(); sel.Length() > 0 && utf8.RuneCountInString(strings.TrimSpace(sel.Text())) >= 20 {
			body = sel
			break
		}
	}
	if body == nil {
		body = largestBlock(doc)
	}
	art.Text = nodeText(body)
	art.Title = pageTitle(doc, body)

	base, _ := url.Parse(pageURL)
	seen := map[string]bool{}
	doc.FindMatcher(matchLink).Each(func(_ int, a *goquery.Selection) {
		href, _ := a.Attr("href")
		if base == nil || href == "" || strings.HasPrefix(strings.ToLower(strings.TrimSpace(href)), "javascript:") {
			return
		}
		ref, err := url.Parse(strings.TrimSpace(href))
		if err != nil {
			return
		}
		u := base.ResolveReference(ref)
		canon, ok := CanonicalURL(u.String())
		if !ok || seen[canon] {
			return
		}
		text := strings.TrimSpace(a.Text())
		ext := strings.ToLower(path.Ext(u.Path))
		near := strings.Contains(a.Parent().Text(), "附件")
		// A notice's attachments are in its body, or beside it under a
		// 附件 heading; a document linked from the sidebar or footer (a
		// budget report, a guide to the site) is not part of the notice.
		in := inside(a.Nodes[0], body)
		if in && !docExt[ext] {
			art.Cited = append(art.Cited, canon)
		}
		if in && (docExt[ext] || near && (strings.Contains(text, "附件") || docExt[strings.ToLower(path.Ext(text))])) ||
			!in && near && (docExt[ext] || strings.Contains(text, "附件")) {
			seen[canon] = true
			art.Attachments = append(art.Attachments, Link{URL: canon, Title: text})
		}
	})
	return art
}

// inside reports whether n is within one of the selection's nodes.
func inside(n *html.Node, sel *goquery.Selection) bool {
	in := map[*html.Node]bool{}
	for _, b := range sel.Nodes {
		in[b] = true
	}
	for p := n; p != nil; p = p.Parent {
		if in[p] {
			return true
		}
	}
	return false
}

// largestBlock picks the element with the most text of its own: long text
// that is not link text (menus and lists are mostly links).
func largestBlock(doc *goquery.Document) *goquery.Selection {
	best, bestScore := doc.FindMatcher(matchBody), -1
	doc.FindMatcher(matchBlocks).Each(func(_ int, s *goquery.Selection) {
		all := utf8.RuneCountInString(strings.Join(strings.Fields(s.Text()), ""))
		links := utf8.RuneCountInString(strings.Join(strings.Fields(s.FindMatcher(matchA).Text()), ""))
		score := all - 3*links
		// Prefer the inner block when a wrapper adds little.
		if score > bestScore || score == bestScore && best.FindMatcher(matchAll).Length() > s.FindMatcher(matchAll).Length() {
			best, bestScore = s, score
		}
	})
	if best.Length() == 0 {
		return doc.Selection
	}
	return best
}

func pageTitle(doc *goquery.Document, body *goquery.Selection) string {
	for _, m := range titleMatchers {
		if t := strings.Join(strings.Fields(doc.FindMatcher(m).First().Text()), " "); utf8.RuneCountInString(t) >= 6 {
			return t
		}
	}
	for _, m := range metaTitleMatchers {
		if t, ok := doc.FindMatcher(m).Attr("content"); ok && strings.TrimSpace(t) != "" {
			return strings.TrimSpace(t)
		}
	}
	t := strings.Join(strings.Fields(doc.FindMatcher(matchTitle).First().Text()), " ")
	// Drop the site name: "关于……的通知 - 某某省科技厅" or "_某某网".
	for _, sep := range []string{" - ", "_", " | ", "--"} {
		if i := strings.Index(t, sep); i > 0 {
			t = t[:i]
		}
	}
	return strings.TrimSpace(t)
}

// nodeText is the visible text of a selection, one line per block.
func nodeText(s *goquery.Selection) string {
	var b strings.Builder
	for _, n := range s.Nodes {
		writeNode(&b, n)
	}
	var out []string
	for _, l := range strings.Split(b.String(), "\n") {
		if l = strings.Join(strings.Fields(l), " "); l != "" {
			out = append(out, l)
		}
	}
	return strings.Join(out, "\n")
}

var blockTags = map[string]bool{"p": true, "div": true, "br": true, "li": true, "tr": true, "table": true, "h1": true, "h2": true,
	"h3": true, "h4": true, "h5": true, "h6": true, "section": true, "article": true, "ul": true, "ol": true, "dd": true,
	"dt": true, "blockquote": true, "pre": true, "hr": true, "center": true}

func writeNode(b *strings.Builder, n *html.Node) {
	switch n.Type {
	case html.TextNode:
		b.WriteString(strings.NewReplacer("\n", " ", "\r", " ", "\t", " ").Replace(n.Data))
		return
	case html.ElementNode:
		switch n.Data {
		case "script", "style", "noscript", "template", "iframe", "svg", "head":
			return
		case "td", "th":
			b.WriteByte(' ')
		}
		if blockTags[n.Data] {
			b.WriteByte('\n')
		}
	}
	for c := n.FirstChild; c != nil; c = c.NextSibling {
		writeNode(b, c)
	}
	if n.Type == html.ElementNode && blockTags[n.Data] {
		b.WriteByte('\n')
	}
}
