// Package digest reads policy digests: the weekly newsletters consultancies
// send, one item after another (title, 文号, addressees, body, issuer, date,
// 相关链接), grouped under section tags ([政策文件], [申报通知]), usually
// converted from PDF: double-spaced, wrapped lines, URLs broken over two
// lines, page furniture (the publisher's own address) between lines.
package digest

import (
	"fmt"
	"strings"
	"unicode/utf8"
)

// Item is one notice of a digest.
type Item struct {
	Category string // the section tag, without brackets: 申报通知
	Title    string
	Text     string // the item as the extractor reads it: title, then body
	Link     string // 相关链接: the notice on the issuer's site
	ApplyURL string // 申报网址: an online application system named in the text
	Line     int    // where the item starts in the file (1-based)
}

// Result is a parsed digest.
type Result struct {
	Items []Item
	// Ignored lists what was read but kept out, for the summary: page
	// furniture and trailing text without a link.
	Ignored []string
}

const linkLabel = "相关链接"

// Parse splits a digest into items. An item ends at its 相关链接 line; text
// after the last link (the publisher's sign-off) is not an item.
func Parse(text string) (Result, error) {
	text = strings.ReplaceAll(text, "\r\n", "\n")
	if !utf8.ValidString(text) {
		return Result{}, fmt.Errorf("not UTF-8 text")
	}
	lines := strings.Split(text, "\n")
	var res Result
	category := ""
	var body []string
	start := 0
	for i := 0; i < len(lines); i++ {
		t := strings.TrimSpace(lines[i])
		if tag, ok := sectionTag(t); ok {
			category = tag
			if nonEmpty(body) {
				// A tag in the middle of text without a link: keep reading,
				// the text belongs to the next item's neighbourhood.
				res.Ignored = append(res.Ignored, fmt.Sprintf("line %d: text before section [%s] has no 相关链接", i+1, tag))
			}
			body, start = nil, i+1
			continue
		}
		if rest, ok := cutLinkLabel(t); ok {
			link, next := joinURL(lines, i, rest)
			item := makeItem(body, category, link, start+1)
			if item.Title != "" {
				res.Items = append(res.Items, item)
			} else {
				res.Ignored = append(res.Ignored, fmt.Sprintf("line %d: link %s without an item", i+1, link))
			}
			body, start = nil, next+1
			i = next
			continue
		}
		if isBareURL(t) {
			// A URL alone on a line, outside a link field: the publisher's
			// page furniture.
			res.Ignored = append(res.Ignored, fmt.Sprintf("line %d: %s", i+1, t))
			continue
		}
		if len(body) == 0 && t == "" {
			start = i + 1
			continue
		}
		body = append(body, lines[i])
	}
	if nonEmpty(body) {
		first := ""
		for _, l := range body {
			if strings.TrimSpace(l) != "" {
				first = strings.TrimSpace(l)
				break
			}
		}
		res.Ignored = append(res.Ignored, fmt.Sprintf("line %d: trailing text without 相关链接 (%.40s…)", start+1, first))
	}
	return res, nil
}

func nonEmpty(lines []string) bool {
	for _, l := range lines {
		if strings.TrimSpace(l) != "" {
			return true
		}
	}
	return false
}

func sectionTag(t string) (string, bool) {
	if len(t) < 3 || t[0] != '[' || t[len(t)-1] != ']' {
		return "", false
	}
	tag := strings.TrimSpace(t[1 : len(t)-1])
	if tag == "" || utf8.RuneCountInString(tag) > 12 || strings.ContainsAny(tag, "[]") {
		return "", false
	}
	return tag, true
}

func cutLinkLabel(t string) (string, bool) {
	rest, ok := strings.CutPrefix(t, linkLabel)
	if !ok {
		return "", false
	}
	rest = strings.TrimSpace(rest)
	rest = strings.TrimPrefix(strings.TrimPrefix(rest, "："), ":")
	return strings.TrimSpace(rest), true
}

// urlChar reports the characters a URL is written with.
func urlChar(c byte) bool {
	return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' ||
		strings.IndexByte("-._~:/?#[]@!$&'()*+,;=%", c) >= 0
}

func isURLText(t string) bool {
	if t == "" {
		return false
	}
	for i := 0; i < len(t); i++ {
		if !urlChar(t[i]) {
			return false
		}
	}
	return true
}

func isBareURL(t string) bool {
	return isURLText(t) && (strings.HasPrefix(t, "http://") || strings.HasPrefix(t, "https://") || strings.HasPrefix(t, "www."))
}

// joinURL reads the URL of a 相关链接 field: on the label's line or the next
// non-empty one, continued on following lines that hold nothing but URL
// characters (a PDF converter breaks long URLs). It returns the URL and
// the index of the last line read.
func joinURL(lines []string, i int, rest string) (string, int) {
	url := rest
	last := i
	if url == "" {
		for j := i + 1; j < len(lines) && j <= i+3; j++ {
			if t := strings.TrimSpace(lines[j]); t != "" {
				if isURLText(t) {
					url, last = t, j
				}
				break
			}
		}
	}
	if url == "" {
		return "", last
	}
	for j := last + 1; j < len(lines) && j <= last+3; j++ {
		t := strings.TrimSpace(lines[j])
		if t == "" {
			continue
		}
		// A continuation: URL characters only, not a new URL, and the
		// URL so far does not look finished.
		if isURLText(t) && !isBareURL(t) && !looksComplete(url) {
			url += t
			last = j
			continue
		}
		break
	}
	return url, last
}

// looksComplete reports a URL that ends the way pages end.
func looksComplete(u string) bool {
	for _, ext := range []string{".html", ".htm", ".shtml", ".jhtml", ".jsp", ".php", ".asp", ".aspx", ".pdf", "/"} {
		if strings.HasSuffix(strings.ToLower(u), ext) {
			return true
		}
	}
	return false
}

var titleEnds = []string{"通知", "公告", "通告", "意见", "办法", "指南", "方案", "决定", "的函", "公示", "规划", "细则", "条例"}

// makeItem reads title, application URL and text from an item's lines.
func makeItem(body []string, category, link string, line int) Item {
	var ls []string
	for _, l := range body {
		if t := strings.TrimSpace(l); t != "" {
			ls = append(ls, t)
		}
	}
	it := Item{Category: category, Link: link, Line: line}
	if len(ls) == 0 {
		return it
	}
	// The title is wrapped over up to four lines and ends like a title.
	n := 1
	for k := 1; k <= min(4, len(ls)); k++ {
		joined := strings.Join(ls[:k], "")
		if endsLikeTitle(joined) {
			n = k
			break
		}
	}
	it.Title = tidyTitle(strings.Join(ls[:n], ""))
	for _, l := range ls {
		if rest, ok := strings.CutPrefix(l, "申报网址"); ok {
			if k := strings.Index(rest, "http"); k >= 0 {
				u := rest[k:]
				if e := strings.IndexFunc(u, func(r rune) bool { return r > 0x7F || r == ' ' }); e >= 0 {
					u = u[:e]
				}
				it.ApplyURL = u
			}
		}
	}
	// The text keeps one line per printed line, without the blank lines a
	// double-spaced PDF conversion adds, so that wrapped sentences join up.
	it.Text = it.Title + "\n" + strings.Join(ls[n:], "\n")
	return it
}

func endsLikeTitle(t string) bool {
	t = strings.TrimRight(t, " 》)）")
	for _, e := range titleEnds {
		if strings.HasSuffix(t, e) {
			return true
		}
	}
	return false
}

// tidyTitle removes the spaces a PDF converter puts between Chinese and
// digits ("关于开展 2019年…").
func tidyTitle(t string) string {
	var b strings.Builder
	rs := []rune(t)
	for i, r := range rs {
		if r == ' ' && i > 0 && i+1 < len(rs) && (rs[i-1] > 0x7F || rs[i+1] > 0x7F) {
			continue
		}
		b.WriteRune(r)
	}
	return strings.TrimSpace(b.String())
}
