package tracker

import (
	"encoding/json"
	"fmt"
	"net/url"
	"path"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/PuerkitoBio/goquery"
	"golang.org/x/net/html"
)

// anchor is a candidate notice link and the element it came from.
type anchor struct {
	node *html.Node
	link Link
}

// group is the links that share one place in the page's structure: the
// same chain of elements from the page down to the link (li items of one
// list, rows of one table, cards of one column).
type group struct {
	sig     string
	anchors []anchor
	items   []*html.Node // the repeated elements, one per item
	dated   int
}

func (g *group) itemTag() string {
	if len(g.items) == 0 {
		return ""
	}
	n := g.items[0]
	if c := firstClass(n); c != "" && n.Data == "div" {
		return n.Data + "." + c
	}
	return n.Data
}

// itemTags are the elements a list repeats; their classes often alternate
// (odd/even, first/last), so they are left out of the signature.
var itemTags = map[string]bool{"li": true, "tr": true, "td": true, "th": true, "dd": true, "dt": true, "p": true,
	"span": true, "a": true, "em": true, "font": true, "b": true, "strong": true, "i": true, "tbody": true}

func firstClass(n *html.Node) string {
	for _, a := range n.Attr {
		if a.Key == "class" {
			if f := strings.Fields(a.Val); len(f) > 0 {
				return f[0]
			}
		}
	}
	return ""
}

// signature is the chain of elements from body down to n.
func signature(n *html.Node) string {
	var b strings.Builder
	for p := n; p != nil && p.Type == html.ElementNode && p.Data != "body" && p.Data != "html"; p = p.Parent {
		b.WriteString(p.Data)
		if !itemTags[p.Data] {
			if c := firstClass(p); c != "" {
				b.WriteByte('.')
				b.WriteString(c)
			}
		}
		b.WriteByte('<')
	}
	return b.String()
}

// groupAnchors groups candidate links by their signature and finds each
// group's repeated items: the children of the group's lowest common
// ancestor that hold its links.
func groupAnchors(cands []anchor) []*group {
	bySig := map[string]*group{}
	var order []*group
	for _, c := range cands {
		sig := signature(c.node)
		g := bySig[sig]
		if g == nil {
			g = &group{sig: sig}
			bySig[sig] = g
			order = append(order, g)
		}
		g.anchors = append(g.anchors, c)
	}
	for _, g := range order {
		lca := g.anchors[0].node.Parent
		for _, c := range g.anchors[1:] {
			lca = commonAncestor(lca, c.node)
		}
		seenItem := map[*html.Node]bool{}
		datedItem := map[*html.Node]bool{}
		itemOf := make([]*html.Node, len(g.anchors))
		for i, c := range g.anchors {
			item := c.node
			for item.Parent != nil && item.Parent != lca {
				item = item.Parent
			}
			if len(g.anchors) == 1 {
				item = c.node
			}
			itemOf[i] = item
			if !seenItem[item] {
				seenItem[item] = true
				g.items = append(g.items, item)
			}
		}
		for i := range g.anchors {
			c := &g.anchors[i]
			if c.link.Published == "" && len(g.items) >= 2 {
				// The date may sit anywhere in the item (a card's meta
				// line, a table row's column) or just after it (<dt>
				// title, <dd> date).
				c.link.Published = firstListDate(strings.Replace(itemText(itemOf[i], seenItem), c.link.Title, " ", 1))
			}
			if c.link.Published != "" && !datedItem[itemOf[i]] {
				datedItem[itemOf[i]] = true
				g.dated++
			}
		}
	}
	return order
}

// itemText is the text of a list item and of the siblings that follow it
// up to the next item.
func itemText(item *html.Node, items map[*html.Node]bool) string {
	var b strings.Builder
	var walk func(*html.Node)
	walk = func(n *html.Node) {
		if n.Type == html.TextNode {
			b.WriteString(n.Data)
			b.WriteByte(' ')
		}
		for c := n.FirstChild; c != nil; c = c.NextSibling {
			walk(c)
		}
	}
	walk(item)
	for n := item.NextSibling; n != nil && !items[n] && b.Len() < 2000; n = n.NextSibling {
		walk(n)
	}
	return b.String()
}

func commonAncestor(a, b *html.Node) *html.Node {
	depth := map[*html.Node]bool{}
	for p := a; p != nil; p = p.Parent {
		depth[p] = true
	}
	for p := b; p != nil; p = p.Parent {
		if depth[p] {
			return p
		}
	}
	return a
}

// chooseGroups picks the list's groups: the largest (most items, then most
// dated), and any other of three or more items that mostly carry dates
// (a second column on the page, a 置顶 box). Nothing when no group has
// three items: then the page has no list to speak of.
func chooseGroups(groups []*group) (keep []*group, best *group) {
	for _, g := range groups {
		if best == nil || len(g.items) > len(best.items) || len(g.items) == len(best.items) && g.dated > best.dated {
			best = g
		}
	}
	if best == nil || len(best.items) < 3 {
		return nil, best
	}
	for _, g := range groups {
		if g == best || len(g.items) >= 3 && 2*g.dated >= len(g.items) {
			keep = append(keep, g)
		}
	}
	return keep, best
}

// articleRunes measures the longest article the page holds outside its
// lists: the element whose own text, less three times its link text, is
// largest (menus and lists are mostly links; an article mostly not).
func articleRunes(doc *goquery.Document, exclude []*html.Node) int {
	skip := map[*html.Node]bool{}
	for _, n := range exclude {
		skip[n] = true
	}
	best := 0
	var walk func(n *html.Node, inLink bool) (text, links int)
	walk = func(n *html.Node, inLink bool) (text, links int) {
		switch n.Type {
		case html.TextNode:
			k := 0
			for _, r := range n.Data {
				if r > ' ' && r != 0xA0 && r != 0x3000 {
					k++
				}
			}
			if inLink {
				return 0, k
			}
			return k, 0
		case html.ElementNode:
			switch n.Data {
			case "script", "style", "noscript", "template", "iframe", "svg", "head", "select", "option":
				return 0, 0
			}
			if skip[n] {
				return 0, 0
			}
		}
		isLink := n.Type == html.ElementNode && n.Data == "a"
		for c := n.FirstChild; c != nil; c = c.NextSibling {
			t, l := walk(c, inLink || isLink)
			text, links = text+t, links+l
		}
		if score := text - 3*links; n.Type == html.ElementNode && score > 0 && text > best && score >= text/2 {
			best = text
		}
		return text, links
	}
	for _, n := range doc.Nodes {
		walk(n, false)
	}
	return best
}

// noticeShaped: the page's own URL names one page (not a column index) and
// it has an article box (the CMS's body container) with text of its own
// beyond the lists.
func noticeShaped(doc *goquery.Document, base *url.URL, exclude []*html.Node) bool {
	if !articlePath(base) {
		return false
	}
	skip := map[*html.Node]bool{}
	for _, n := range exclude {
		skip[n] = true
	}
	for _, s := range bodySelectors {
		box := doc.Find(s).First()
		if box.Length() == 0 {
			continue
		}
		n := 0
		var walk func(*html.Node)
		walk = func(x *html.Node) {
			if skip[x] || x.Type == html.ElementNode && (x.Data == "a" || x.Data == "script" || x.Data == "style") {
				return
			}
			if x.Type == html.TextNode {
				n += utf8.RuneCountInString(strings.Join(strings.Fields(x.Data), ""))
			}
			for c := x.FirstChild; c != nil; c = c.NextSibling {
				walk(c)
			}
		}
		walk(box.Nodes[0])
		if n >= 30 {
			return true
		}
	}
	return false
}

// DetectKind tells a list page from a notice page, and says why.
//   - Links read from a script datastore or array make a list.
//   - An article of 200 characters or more outside the lists makes a
//     notice (its links are attachments or 相关链接), unless a large dated
//     list outweighs it.
//   - Three or more repeated notice links (two, when both are dated and
//     nothing else is said) make a list, unless the page is shaped like
//     one notice (an article URL with a body box of its own).
//   - Anything else is a notice.
func DetectKind(list ListPage) (kind, why string) {
	items := func() string {
		s := fmt.Sprintf("%d links in repeated %s items", list.Repeated, orText(list.ItemTag, "link"))
		if list.Dated > 0 {
			s += fmt.Sprintf(", %d dated", list.Dated)
		}
		return s
	}
	switch {
	case list.Why != "":
		if len(list.Links) > 0 {
			return "list", list.Why
		}
		return "notice", list.Why + ": none found"
	case list.FromScript >= 3:
		return "list", fmt.Sprintf("%d links in a %s", list.FromScript, list.ScriptHow)
	case list.Article >= 200 && !(list.Repeated >= 8 && 2*list.Dated >= list.Repeated && list.Article < 400):
		if list.Repeated >= 3 {
			return "notice", fmt.Sprintf("an article of %d characters; the %d links beside it (repeated %s items) are attachments or related links",
				list.Article, list.Repeated, orText(list.ItemTag, "link"))
		}
		return "notice", fmt.Sprintf("an article of %d characters", list.Article)
	case list.Repeated >= 3 && list.Notice:
		return "notice", fmt.Sprintf("a short article in its own body box at an article URL; the %d links beside it (repeated %s items) are attachments or related links",
			list.Repeated, orText(list.ItemTag, "link"))
	case list.Repeated >= 3, list.Repeated == 2 && list.Dated == 2 && list.Article < 200 && !list.Notice:
		// (A new column may hold two dated notices and nothing else.)
		return "list", items() + fmt.Sprintf(", %d characters of other text", list.Article)
	}
	return "notice", fmt.Sprintf("no repeated notice links (%d), an article of %d characters", list.Repeated, list.Article)
}

func orText(s, def string) string {
	if s == "" {
		return def
	}
	return s
}

// docLinkExt are documents a list may link to directly: the file is the
// notice.
var docLinkExt = map[string]bool{".pdf": true, ".doc": true, ".docx": true, ".wps": true, ".xls": true, ".xlsx": true, ".ofd": true}

func isDocLink(u *url.URL) bool { return docLinkExt[strings.ToLower(path.Ext(u.Path))] }

// Scripts that hold a list.
var (
	recordRE    = regexp.MustCompile(`(?is)<record>\s*<!\[CDATA\[(.*?)\]\]>\s*</record>`)
	nextGroupRE = regexp.MustCompile(`(?is)<nextgroup>\s*<!\[CDATA\[(.*?)\]\]>\s*</nextgroup>`)
	hrefRE      = regexp.MustCompile(`(?i)href\s*=\s*["']([^"']+)["']`)
	perPageRE   = regexp.MustCompile(`(?i)\bperpage["']?\s*[:=]\s*["']?(\d+)`)
	totalRecRE  = regexp.MustCompile(`(?i)\btotalrecord["']?\s*[:=]\s*["']?(\d+)`)
	groupSizeRE = regexp.MustCompile(`(?i)\bgroupsize["']?\s*[:=]\s*["']?(\d+)`)
	proxyURLRE  = regexp.MustCompile(`(?i)\bproxyurl["']?\s*[:=]\s*["']([^"']+)["']`)
)

// RecordProxy pages a Hanweb (大汉) jpage column: the first records come
// in the page's datastore; the next groups are POSTed for to the column's
// dataproxy.jsp with startrecord/endrecord/perpage, the datastore's
// nextgroup parameters as the form.
type RecordProxy struct {
	URL     string     // dataproxy.jsp, absolute
	Form    url.Values // the nextgroup link's parameters
	PerPage int
	Group   int // records asked for at once
	Total   int // records in the column, 0 when the page does not say
	Next    int // the next record to ask for (1-based)
}

// Request is the next group's fetch, and false when the column is read.
func (p *RecordProxy) Request() (target string, form url.Values, ok bool) {
	if p == nil || p.Total > 0 && p.Next > p.Total {
		return "", nil, false
	}
	q := url.Values{}
	q.Set("startrecord", strconv.Itoa(p.Next))
	q.Set("endrecord", strconv.Itoa(p.Next+p.Group-1))
	q.Set("perpage", strconv.Itoa(p.PerPage))
	u, err := url.Parse(p.URL)
	if err != nil {
		return "", nil, false
	}
	u.RawQuery = q.Encode()
	form = url.Values{}
	for k, v := range p.Form {
		form[k] = v
	}
	return u.String(), form, true
}

// scriptLinks reads lists that scripts hold: Hanweb datastores (records of
// HTML in CDATA) and JSON or JavaScript arrays of objects with a link.
func scriptLinks(doc *goquery.Document, page string, base *url.URL, resolve func(string) (*url.URL, bool)) ([]Link, string, *RecordProxy) {
	var links []Link
	how := ""
	var proxy *RecordProxy
	doc.Find("script").Each(func(_ int, s *goquery.Selection) {
		if _, external := s.Attr("src"); external {
			return
		}
		text := s.Text()
		if recs := recordRE.FindAllStringSubmatch(text, -1); len(recs) > 0 {
			how = "script datastore"
			links = append(links, recordLinks(recs, resolve)...)
			if proxy == nil {
				proxy = newRecordProxy(text, page, base, len(recs))
			}
			return
		}
		if ls := arrayLinks(text, resolve); len(ls) >= 2 {
			if how == "" {
				how = "script array"
			}
			links = append(links, ls...)
			return
		}
		if ls := writtenLinks(text, resolve); len(ls) >= 3 {
			if how == "" {
				how = "script that writes the list"
			}
			links = append(links, ls...)
		}
	})
	return links, how, proxy
}

var (
	scriptAnchorRE = regexp.MustCompile(`(?is)<a\s[^>]*?href\s*=\s*["']([^"']+)["'][^>]*>(.*?)</a>`)
	titleAttrRE    = regexp.MustCompile(`(?is)\stitle\s*=\s*["']([^"']*)["']`)
	tagRE          = regexp.MustCompile(`<[^>]*>`)
	ymdVarsRE      = regexp.MustCompile(`(?is)year\[\w*\]\s*=\s*["']?(\d{4})["']?.{0,40}?month\[\w*\]\s*=\s*["']?(\d{1,2})["']?.{0,40}?day\[\w*\]\s*=\s*["']?(\d{1,2})`)
)

// writtenLinks reads lists that a script writes into the page as HTML
// strings (document.write, or Hanweb's urls[i]/headers[i] arrays with
// year[i], month[i], day[i]): each anchor with a Chinese title is a link,
// dated by what follows it up to the next anchor.
func writtenLinks(script string, resolve func(string) (*url.URL, bool)) []Link {
	js := strings.NewReplacer(`\"`, `"`, `\'`, `'`, `\/`, `/`).Replace(script)
	ms := scriptAnchorRE.FindAllStringSubmatchIndex(js, -1)
	var out []Link
	seen := map[string]bool{}
	for i, m := range ms {
		href := html.UnescapeString(js[m[2]:m[3]])
		u, ok := resolve(href)
		if !ok || seen[u.String()] || !(articlePath(u) || isDocLink(u)) {
			continue
		}
		text := strings.Join(strings.Fields(html.UnescapeString(tagRE.ReplaceAllString(js[m[4]:m[5]], ""))), " ")
		attr := ""
		if t := titleAttrRE.FindStringSubmatch(js[m[0]:m[4]]); t != nil {
			attr = strings.Join(strings.Fields(html.UnescapeString(t[1])), " ")
		}
		title := fullTitle(text, attr)
		if !hasHan(title) || isNavText(title) {
			continue
		}
		end := len(js)
		if i+1 < len(ms) {
			end = ms[i+1][0]
		}
		after := js[m[1]:min(end, m[1]+400)]
		if k := strings.Index(after, "href"); k >= 0 {
			after = after[:k]
		}
		if k := strings.Index(after, "urls["); k >= 0 {
			after = after[:k] // the next item's URL holds its own date
		}
		l := Link{URL: u.String(), Title: title}
		if d := ymdVarsRE.FindStringSubmatch(after); d != nil {
			l.Published = listDate(d[1], d[2], d[3])
		} else {
			l.Published = firstListDate(after)
		}
		seen[l.URL] = true
		out = append(out, l)
	}
	return out
}

// recordLinks reads the links of datastore records.
func recordLinks(recs [][]string, resolve func(string) (*url.URL, bool)) []Link {
	var b strings.Builder
	for _, r := range recs {
		b.WriteString("<div class=\"record\">")
		b.WriteString(r[1])
		b.WriteString("</div>")
	}
	sub, err := goquery.NewDocumentFromReader(strings.NewReader("<html><body>" + b.String() + "</body></html>"))
	if err != nil {
		return nil
	}
	var out []Link
	seen := map[string]bool{}
	sub.Find("div.record").Each(func(_ int, rec *goquery.Selection) {
		rec.Find("a[href]").EachWithBreak(func(_ int, a *goquery.Selection) bool {
			l, ok := readAnchor(a, resolve)
			if !ok || seen[l.URL] || !hasHan(l.Title) || isNavText(l.Title) {
				return true
			}
			if l.Published == "" {
				l.Published = firstListDate(rec.Text())
			}
			seen[l.URL] = true
			out = append(out, l)
			return false // one notice per record
		})
	})
	return out
}

func firstListDate(text string) string {
	m := listDateRE.FindStringSubmatch(text)
	if m == nil {
		return ""
	}
	return listDate(m[1], m[2], m[3])
}

func listDate(y, m, d string) string {
	yy, _ := strconv.Atoi(y)
	mm, _ := strconv.Atoi(m) // not Sscan: "09" would be read as octal
	dd, _ := strconv.Atoi(d)
	if mm < 1 || mm > 12 || dd < 1 || dd > 31 {
		return ""
	}
	return fmt.Sprintf("%04d-%02d-%02d", yy, mm, dd)
}

// newRecordProxy reads a datastore's paging: the nextgroup link (the
// dataproxy.jsp URL and its parameters) and the jpage settings beside it.
func newRecordProxy(script, page string, base *url.URL, inPage int) *RecordProxy {
	m := nextGroupRE.FindStringSubmatch(script)
	if m == nil {
		return nil
	}
	h := hrefRE.FindStringSubmatch(m[1])
	if h == nil {
		return nil
	}
	ref, err := url.Parse(html.UnescapeString(strings.TrimSpace(h[1])))
	if err != nil {
		return nil
	}
	u := base.ResolveReference(ref)
	p := &RecordProxy{Form: u.Query()}
	if pu := proxyURLRE.FindStringSubmatch(page); pu != nil {
		if r, err := url.Parse(pu[1]); err == nil {
			u = base.ResolveReference(r)
		}
	}
	u.RawQuery = ""
	p.URL = u.String()
	atoi := func(re *regexp.Regexp) int {
		if m := re.FindStringSubmatch(page); m != nil {
			n, _ := strconv.Atoi(m[1])
			return n
		}
		return 0
	}
	p.PerPage, p.Total = atoi(perPageRE), atoi(totalRecRE)
	if p.PerPage <= 0 {
		p.PerPage = max(1, inPage)
	}
	groupSize := atoi(groupSizeRE)
	if groupSize <= 0 {
		groupSize = max(1, inPage/p.PerPage)
	}
	p.Group = p.PerPage * groupSize
	p.Next = inPage + 1
	if p.Total > 0 && p.Next > p.Total {
		return nil
	}
	return p
}

// ProxyPage reads a dataproxy.jsp answer: its records' links, and the
// proxy advanced past them (nil when the column is read).
func ProxyPage(body string, p *RecordProxy, pageURL string, allowHosts []string) ([]Link, *RecordProxy) {
	base, err := url.Parse(pageURL)
	if err != nil || p == nil {
		return nil, nil
	}
	scope := NewScope(pageURL, allowHosts)
	resolve := func(href string) (*url.URL, bool) {
		ref, err := url.Parse(strings.TrimSpace(href))
		if err != nil {
			return nil, false
		}
		canon, ok := CanonicalURL(base.ResolveReference(ref).String())
		if !ok {
			return nil, false
		}
		u, _ := url.Parse(canon)
		return u, scope.Contains(u)
	}
	recs := recordRE.FindAllStringSubmatch(body, -1)
	links := recordLinks(recs, resolve)
	next := *p
	if m := totalRecordRE.FindStringSubmatch(body); m != nil {
		next.Total, _ = strconv.Atoi(m[1])
	}
	next.Next = p.Next + p.Group
	if len(recs) == 0 || len(recs) < p.Group && next.Total == 0 || next.Total > 0 && next.Next > next.Total {
		return links, nil
	}
	return links, &next
}

// arrayLinks reads JSON or JavaScript arrays of objects in a script: each
// object with a link (a url/link/href field, or a string that is a page or
// document path) and a Chinese title is a notice.
func arrayLinks(script string, resolve func(string) (*url.URL, bool)) []Link {
	var out []Link
	for i := 0; i < len(script); i++ {
		if script[i] != '[' {
			continue
		}
		j := i + 1
		for j < len(script) && (script[j] == ' ' || script[j] == '\n' || script[j] == '\r' || script[j] == '\t') {
			j++
		}
		if j >= len(script) || script[j] != '{' {
			continue
		}
		end := matchBracket(script, i)
		if end < 0 {
			continue
		}
		lit := script[i : end+1]
		var objs []map[string]any
		if json.Unmarshal([]byte(lit), &objs) != nil {
			if json.Unmarshal([]byte(jsToJSON(lit)), &objs) != nil {
				continue
			}
		}
		var ls []Link
		for _, o := range objs {
			if l, ok := objectLink(o, resolve); ok {
				ls = append(ls, l)
			}
		}
		if len(ls) >= 2 {
			out = append(out, ls...)
			i = end
		}
	}
	return out
}

// matchBracket finds the ] that closes the [ at i, minding strings.
func matchBracket(s string, i int) int {
	depth := 0
	var quote byte
	for k := i; k < len(s); k++ {
		c := s[k]
		if quote != 0 {
			if c == '\\' {
				k++
			} else if c == quote {
				quote = 0
			}
			continue
		}
		switch c {
		case '"', '\'':
			quote = c
		case '[', '{':
			depth++
		case ']', '}':
			depth--
			if depth == 0 {
				if c == ']' {
					return k
				}
				return -1
			}
		}
	}
	return -1
}

var (
	bareKeyRE       = regexp.MustCompile(`([{,]\s*)([A-Za-z_$][\w$]*)\s*:`)
	trailingCommaRE = regexp.MustCompile(`,\s*([}\]])`)
	totalRecordRE   = regexp.MustCompile(`(?i)<totalrecord>\s*(\d+)`)
	noticePathRE    = regexp.MustCompile(`/t\d{8}_\d+\.s?html?$|/art_\d+_\d+\.html$`)
)

// jsToJSON turns a JavaScript object literal into JSON: single-quoted
// strings become double-quoted, bare keys quoted, trailing commas dropped.
func jsToJSON(s string) string {
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch c {
		case '\'':
			b.WriteByte('"')
			for i++; i < len(s) && s[i] != '\''; i++ {
				switch {
				case s[i] == '\\' && i+1 < len(s):
					if s[i+1] == '\'' {
						b.WriteByte('\'')
					} else {
						b.WriteByte('\\')
						b.WriteByte(s[i+1])
					}
					i++
				case s[i] == '"':
					b.WriteString(`\"`)
				default:
					b.WriteByte(s[i])
				}
			}
			b.WriteByte('"')
		case '"':
			k := i + 1
			for k < len(s) && s[k] != '"' {
				if s[k] == '\\' {
					k++
				}
				k++
			}
			b.WriteString(s[i:min(k+1, len(s))])
			i = k
		default:
			b.WriteByte(c)
		}
	}
	out := bareKeyRE.ReplaceAllString(b.String(), `$1"$2":`)
	return trailingCommaRE.ReplaceAllString(out, "$1")
}

var (
	linkKeys  = []string{"url", "link", "href", "docpuburl", "linkurl", "detailurl", "path", "src", "fileurl"}
	titleKeys = []string{"title", "doctitle", "name", "bt", "subject"}
	dateKeys  = []string{"date", "time", "pubdate", "docreltime", "publishtime", "releasedate", "fbrq", "createtime"}
)

// objectLink reads one array element as a notice link.
func objectLink(o map[string]any, resolve func(string) (*url.URL, bool)) (Link, bool) {
	get := func(keys []string) string {
		lower := map[string]string{}
		var names []string
		for k, v := range o {
			if s, ok := v.(string); ok {
				lower[strings.ToLower(k)] = s
				names = append(names, strings.ToLower(k))
			}
		}
		sort.Strings(names)
		for _, k := range keys {
			if v, ok := lower[k]; ok && strings.TrimSpace(v) != "" {
				return v
			}
		}
		for _, k := range keys { // a key that contains the word (pubDateStr, linkUrl)
			for _, n := range names {
				if strings.Contains(n, k) && strings.TrimSpace(lower[n]) != "" {
					return lower[n]
				}
			}
		}
		return ""
	}
	href := get(linkKeys)
	if href == "" {
		return Link{}, false
	}
	u, ok := resolve(href)
	if !ok || !(articlePath(u) || isDocLink(u)) {
		return Link{}, false
	}
	title := strings.Join(strings.Fields(html.UnescapeString(get(titleKeys))), " ")
	if !hasHan(title) {
		return Link{}, false
	}
	l := Link{URL: u.String(), Title: title}
	if m := listDateRE.FindStringSubmatch(get(dateKeys)); m != nil {
		l.Published = listDate(m[1], m[2], m[3])
	}
	return l, true
}

// TRS paging drawn by script: createPageHTML(total, current, "index",
// "html"), current from 0 (page 2 is index_1.html); or with the pager
// element's id first and the record count last (createPageHTML('page_div',
// total, current, 'index', 'html', records)), current from 1 (page 2 is
// index_2.html).
var (
	trsPageRE = regexp.MustCompile(`createPageHTML\(([^)]*)\)`)
	identRE   = regexp.MustCompile(`^[A-Za-z_$][\w$]{0,40}$`)
)

func trsPages(page string, base *url.URL) []string {
	if !strings.Contains(page, "createPageHTML") {
		return trsVarPages(page, base)
	}
	for _, m := range trsPageRE.FindAllStringSubmatch(page, -1) {
		var nums []int
		var strs []string
		for _, a := range strings.Split(m[1], ",") {
			a = strings.TrimSpace(a)
			switch {
			case a == "":
			case a[0] == '"' || a[0] == '\'':
				strs = append(strs, strings.Trim(a, `"'`))
			default:
				n, err := strconv.Atoi(a)
				if err != nil && identRE.MatchString(a) {
					// A variable: var countPage = 5
					if v := regexp.MustCompile(`\b` + regexp.QuoteMeta(a) + `\s*=\s*["']?(\d+)`).FindStringSubmatch(page); v != nil {
						n, err = strconv.Atoi(v[1])
					}
				}
				if err == nil {
					nums = append(nums, n)
				}
			}
		}
		// The element id, when given, comes before the numbers; that form
		// counts pages from 1 (page k is name_k.ext), the older one from 0
		// (page k is name_(k-1).ext, the first being name.ext).
		first := 0
		if len(strs) >= 3 && len(nums) >= 2 {
			strs, first = strs[1:], 1
		}
		if len(nums) < 2 || len(strs) < 2 {
			continue
		}
		total, cur := nums[0], nums[1]-first // cur: 0-based
		if cur+1 >= total {
			return nil
		}
		next, err := url.Parse(fmt.Sprintf("%s_%d.%s", strs[0], cur+1+first, strs[1]))
		if err != nil {
			return nil
		}
		return []string{base.ResolveReference(next).String()}
	}
	return nil
}

var (
	currentPageVarRE = regexp.MustCompile(`\bvar\s+currentPage\s*=\s*(\d+)`)
	countPageVarRE   = regexp.MustCompile(`\bvar\s+countPage\s*=\s*(\d+)`)
)

// trsVarPages reads the TRS pager that a page writes from its own
// variables (var currentPage = 0; var countPage = 3), counting from 0 like
// createPageHTML: the next page of index.html is index_1.html.
func trsVarPages(page string, base *url.URL) []string {
	cm, tm := currentPageVarRE.FindStringSubmatch(page), countPageVarRE.FindStringSubmatch(page)
	if cm == nil || tm == nil {
		return nil
	}
	cur, _ := strconv.Atoi(cm[1])
	total, _ := strconv.Atoi(tm[1])
	if cur+1 >= total {
		return nil
	}
	name, ext := "index", "html"
	if b := path.Base(base.Path); strings.Contains(b, ".") {
		ext = b[strings.LastIndexByte(b, '.')+1:]
		name = strings.TrimSuffix(b, "."+ext)
		if k := strings.LastIndexByte(name, '_'); k > 0 {
			if _, err := strconv.Atoi(name[k+1:]); err == nil {
				name = name[:k]
			}
		}
	}
	next, err := url.Parse(fmt.Sprintf("%s_%d.%s", name, cur+1, ext))
	if err != nil {
		return nil
	}
	return []string{base.ResolveReference(next).String()}
}

func canonicalOrEmpty(u string) string {
	c, _ := CanonicalURL(u)
	return c
}

func hasHan(s string) bool {
	for _, r := range s {
		if r >= 0x3400 && r <= 0x9FFF {
			return true
		}
	}
	return false
}

var nextWords = map[string]bool{"下一页": true, "下页": true, "后一页": true, ">": true, "›": true, "»": true, ">>": true,
	"next": true, "下一页>": true, "下一页 >": true, "下一页>>": true, "[下一页]": true, "下一頁": true}

// nextPages finds the column's next page by its 下一页 link.
func nextPages(doc *goquery.Document, resolve func(string) (*url.URL, bool), pageURL string) []string {
	var out []string
	self := canonicalOrEmpty(pageURL)
	doc.Find("a[href]").EachWithBreak(func(_ int, a *goquery.Selection) bool {
		t := strings.ToLower(strings.Join(strings.Fields(a.Text()), " "))
		if t == "" {
			t, _ = a.Attr("title")
		}
		if nextWords[t] {
			href, _ := a.Attr("href")
			if u, ok := resolve(href); ok && u.String() != self {
				out = append(out, u.String())
				return false
			}
		}
		return true
	})
	return out
}

// pageParams are the query parameters CMSs page with.
var pageParams = []string{"page", "pageno", "pageindex", "pagenum", "pn", "p", "curpage", "currentpage", "cpage", "pagenumber", "page_no"}

var indexNRE = regexp.MustCompile(`(?i)_(\d+)\.(s?html?|jsp|php|aspx?)$`)

// currentPage guesses which page of the column a URL is: a page parameter
// (page=3), or index_2.html (TRS: the third page); 1 otherwise.
func currentPage(u *url.URL) int {
	q := u.Query()
	for k, v := range q {
		for _, p := range pageParams {
			if strings.EqualFold(k, p) && len(v) > 0 {
				if n, err := strconv.Atoi(v[0]); err == nil && n > 0 {
					return n
				}
			}
		}
	}
	if m := indexNRE.FindStringSubmatch(path.Base(u.Path)); m != nil && strings.HasPrefix(strings.ToLower(path.Base(u.Path)), "index") {
		n, _ := strconv.Atoi(m[1])
		return n + 1
	}
	return 1
}

// numberedNext finds the next page in a pager of page numbers without a
// 下一页 link: the link whose text is the next number.
func numberedNext(doc *goquery.Document, resolve func(string) (*url.URL, bool), base *url.URL) []string {
	want := strconv.Itoa(currentPage(base) + 1)
	self := canonicalOrEmpty(base.String())
	var out []string
	doc.Find("a[href]").EachWithBreak(func(_ int, a *goquery.Selection) bool {
		t := strings.Trim(strings.TrimSpace(a.Text()), "[]【】")
		if t != want {
			return true
		}
		href, _ := a.Attr("href")
		if u, ok := resolve(href); ok && u.String() != self && !articlePathStrict(u) {
			out = append(out, u.String())
			return false
		}
		return true
	})
	return out
}

// articlePathStrict: a URL that is surely a notice (so a "2" linking there
// is no pager).
func articlePathStrict(u *url.URL) bool {
	return isDocLink(u) || noticePathRE.MatchString(u.Path)
}

var (
	xhrSignsRE = regexp.MustCompile(`(?i)\bdataproxy\.jsp|\bjpage\b|unitbuild|XMLHttpRequest|\$\.(ajax|get|post|getJSON)\s*\(|\bfetch\s*\(|\baxios\b|new\s+Vue\s*\(|createApp\s*\(|ReactDOM`)
	emptyBoxRE = regexp.MustCompile(`(?is)<(ul|ol|tbody|div)\b[^>]*\b(id|class)\s*=\s*["'][^"']*(list|news|item|content|tzgg|data|article)[^"']*["'][^>]*>\s*</(ul|ol|tbody|div)>`)
)

// ScriptBuilt says whether a page that showed no list looks like one whose
// list a script builds (an empty list container, a dataproxy/XHR call in a
// script), and why: then rendering it (source add --render) may help.
func ScriptBuilt(page string, list ListPage) (bool, string) {
	if list.Repeated >= 3 || list.FromScript >= 3 {
		return false, ""
	}
	var why []string
	if m := emptyBoxRE.FindStringSubmatch(page); m != nil {
		why = append(why, fmt.Sprintf("an empty list container <%s %s=…%s…>", m[1], m[2], m[3]))
	}
	if m := xhrSignsRE.FindString(page); m != "" {
		why = append(why, fmt.Sprintf("a script that loads data (%s)", strings.TrimSpace(m)))
	}
	if len(why) == 0 {
		return false, ""
	}
	return true, strings.Join(why, " and ")
}
