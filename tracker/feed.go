package tracker

import (
	"bytes"
	"net/url"
	"regexp"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/mmcdole/gofeed"
	"golang.org/x/net/html/charset"
)

// Feeds as sources: an RSS 2.0, Atom or JSON Feed URL (RSSHub's gov/*
// routes are a common one) is a source whose items are notice links, each
// fetched and read like a link found on a list page.

// IsFeed sniffs a feed by its content type or its first bytes.
func IsFeed(body []byte, contentType string) bool {
	ct := strings.ToLower(contentType)
	if strings.Contains(ct, "rss+xml") || strings.Contains(ct, "atom+xml") || strings.Contains(ct, "feed+json") {
		return true
	}
	head := bytes.TrimLeft(bytes.TrimPrefix(body, []byte("\xef\xbb\xbf")), " \t\r\n")
	if len(head) > 2048 {
		head = head[:2048]
	}
	switch {
	case bytes.HasPrefix(head, []byte("{")):
		return bytes.Contains(head, []byte("jsonfeed.org/version"))
	case bytes.HasPrefix(head, []byte("<")):
		// The root element decides: past the XML declaration, comments,
		// processing instructions and a doctype.
		h := bytes.ToLower(head)
		for {
			h = bytes.TrimLeft(h, " \t\r\n")
			var end []byte
			switch {
			case bytes.HasPrefix(h, []byte("<?")):
				end = []byte("?>")
			case bytes.HasPrefix(h, []byte("<!--")):
				end = []byte("-->")
			case bytes.HasPrefix(h, []byte("<!")):
				end = []byte(">")
			}
			if end == nil {
				break
			}
			k := bytes.Index(h, end)
			if k < 0 {
				return false
			}
			h = h[k+len(end):]
		}
		return bytes.HasPrefix(h, []byte("<rss")) || bytes.HasPrefix(h, []byte("<rdf:rdf")) ||
			bytes.HasPrefix(h, []byte("<feed")) && bytes.Contains(h, []byte("http://www.w3.org/2005/atom"))
	}
	return false
}

var xmlEncodingRE = regexp.MustCompile(`(?i)^(\s*<\?xml[^>]*?encoding\s*=\s*["'])([\w.:-]+)(["'])`)

// utf8Feed turns a feed in any declared charset (GBK is common on Chinese
// sites) into UTF-8, its declaration rewritten to say so.
func utf8Feed(body []byte, contentType string) string {
	body = bytes.TrimPrefix(body, []byte("\xef\xbb\xbf"))
	label := ""
	if m := xmlEncodingRE.FindSubmatch(body); m != nil {
		label = string(m[2])
	}
	if _, params, ok := strings.Cut(contentType, "charset="); ok && label == "" {
		label = strings.Trim(strings.TrimSpace(params), `"'`)
	}
	text := string(body)
	if label != "" && !strings.EqualFold(label, "utf-8") && !strings.EqualFold(label, "utf8") {
		if enc, _ := charset.Lookup(label); enc != nil {
			if b, err := enc.NewDecoder().Bytes(body); err == nil {
				text = string(b)
			}
		}
	}
	if !utf8.ValidString(text) {
		text = strings.ToValidUTF8(text, "\uFFFD")
	}
	return xmlEncodingRE.ReplaceAllString(text, "${1}UTF-8${3}")
}

// FeedLinks reads a feed's items as notice links: absolute http(s) URLs,
// deduplicated, titled, dated in loc. Items may link to any host (the feed
// names them); each is fetched with its own host as its scope.
func FeedLinks(body []byte, contentType, feedURL string, loc *time.Location) ([]Link, error) {
	fp := gofeed.NewParser()
	f, err := fp.ParseString(utf8Feed(body, contentType))
	if err != nil {
		return nil, err
	}
	base := canonicalOrEmpty(feedURL)
	seen := map[string]bool{}
	var out []Link
	for _, it := range f.Items {
		if it == nil {
			continue
		}
		link := it.Link
		if link == "" && len(it.Links) > 0 {
			link = it.Links[0]
		}
		if link == "" {
			continue
		}
		u, ok := resolveAgainst(base, link)
		if !ok || seen[u] {
			continue
		}
		seen[u] = true
		l := Link{URL: u, Title: strings.Join(strings.Fields(it.Title), " ")}
		if t := it.PublishedParsed; t != nil {
			l.Published = t.In(loc).Format("2006-01-02")
		} else if t := it.UpdatedParsed; t != nil {
			l.Published = t.In(loc).Format("2006-01-02")
		}
		out = append(out, l)
	}
	return out, nil
}

// resolveAgainst makes href absolute against base and canonical.
func resolveAgainst(base, href string) (string, bool) {
	b, err := url.Parse(base)
	if err != nil {
		return "", false
	}
	r, err := url.Parse(strings.TrimSpace(href))
	if err != nil {
		return "", false
	}
	return CanonicalURL(b.ResolveReference(r).String())
}
