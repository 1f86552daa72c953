package pagetext

import (
	"bytes"
	"strings"

	"golang.org/x/net/html"
	"golang.org/x/net/html/atom"
)

// IsHTML sniffs whether decoded text is an HTML page rather than plain text.
func IsHTML(b []byte) bool {
	b = bytes.TrimLeft(b, " \t\r\n\ufeff")
	b = bytes.TrimPrefix(b, []byte{0xEF, 0xBB, 0xBF})
	if len(b) == 0 || b[0] != '<' {
		return false
	}
	head := bytes.ToLower(b[:min(len(b), 4096)])
	for _, t := range []string{"<!doctype html", "<html", "<head", "<body", "<div", "<p>", "<p ", "<table", "<meta", "<title", "<br", "<span"} {
		if bytes.Contains(head, []byte(t)) {
			return true
		}
	}
	return false
}

// Page is the readable part of an HTML page.
type Page struct {
	Title string
	Text  string
}

// skipped elements hold no readable text.
var skipped = map[atom.Atom]bool{
	atom.Script: true, atom.Style: true, atom.Noscript: true, atom.Template: true, atom.Head: true,
	atom.Iframe: true, atom.Object: true, atom.Svg: true, atom.Select: true, atom.Button: true,
}

// blocks end a line.
var blocks = map[atom.Atom]bool{
	atom.P: true, atom.Div: true, atom.Br: true, atom.Li: true, atom.Tr: true, atom.Table: true,
	atom.H1: true, atom.H2: true, atom.H3: true, atom.H4: true, atom.H5: true, atom.H6: true,
	atom.Section: true, atom.Article: true, atom.Ul: true, atom.Ol: true, atom.Dd: true, atom.Dt: true,
	atom.Blockquote: true, atom.Pre: true, atom.Hr: true, atom.Header: true, atom.Footer: true, atom.Form: true,
	atom.Center: true, atom.Address: true, atom.Dl: true, atom.Main: true, atom.Nav: true, atom.Aside: true,
}

// HTMLText reads the title and visible text of an HTML document; broken
// markup is read the way browsers read it.
func HTMLText(doc string) Page {
	root, err := html.Parse(strings.NewReader(doc))
	if err != nil {
		return Page{Text: doc}
	}
	var p Page
	if t := find(root, atom.Title); t != nil {
		p.Title = collapse(textOf(t))
	}
	body := find(root, atom.Body)
	if body == nil {
		body = root
	}
	p.Text = NodeText(body)
	return p
}

// NodeText is the visible text under n, one line per block.
func NodeText(n *html.Node) string {
	var b strings.Builder
	writeText(&b, n)
	return tidyLines(b.String())
}

func writeText(b *strings.Builder, n *html.Node) {
	switch n.Type {
	case html.TextNode:
		b.WriteString(strings.Map(func(r rune) rune {
			if r == '\n' || r == '\r' || r == '\t' {
				return ' '
			}
			return r
		}, n.Data))
		return
	case html.ElementNode:
		if skipped[n.DataAtom] {
			return
		}
		if blocks[n.DataAtom] {
			b.WriteByte('\n')
		}
		if n.DataAtom == atom.Td || n.DataAtom == atom.Th {
			b.WriteByte(' ')
		}
	}
	for c := n.FirstChild; c != nil; c = c.NextSibling {
		writeText(b, c)
	}
	if n.Type == html.ElementNode && blocks[n.DataAtom] {
		b.WriteByte('\n')
	}
}

// tidyLines trims each line, drops empty ones, and joins them.
func tidyLines(s string) string {
	var out []string
	for _, l := range strings.Split(s, "\n") {
		l = strings.TrimSpace(strings.Join(strings.Fields(l), " "))
		if l != "" {
			out = append(out, l)
		}
	}
	return strings.Join(out, "\n")
}

func textOf(n *html.Node) string {
	var b strings.Builder
	var walk func(*html.Node)
	walk = func(n *html.Node) {
		if n.Type == html.TextNode {
			b.WriteString(n.Data)
		}
		for c := n.FirstChild; c != nil; c = c.NextSibling {
			walk(c)
		}
	}
	walk(n)
	return b.String()
}

func collapse(s string) string { return strings.Join(strings.Fields(s), " ") }

func find(n *html.Node, a atom.Atom) *html.Node {
	if n.Type == html.ElementNode && n.DataAtom == a {
		return n
	}
	for c := n.FirstChild; c != nil; c = c.NextSibling {
		if f := find(c, a); f != nil {
			return f
		}
	}
	return nil
}
