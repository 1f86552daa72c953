package main

import (
	"fmt"
	"io"
	"strings"
	"text/tabwriter"
	"unicode/utf8"
)

// Most of what the commands print comes from the web: notice titles,
// evidence sentences, issuers, link texts, error messages of servers. A
// page can put terminal escapes in them ("\x1b]0;…\x07" retitles the
// window; others move the cursor, rewrite earlier lines or, in some
// terminals, answer back), and bidi overrides that make a line read other
// than it is. So table and plain output goes through termSafe, which drops
// them; JSON, iCal and HTML go out byte for byte (JSON escapes C0 itself,
// and its readers want the exact text).

// unsafeRune reports a rune a terminal acts on instead of showing: C0
// controls but newline and tab, DEL, C1 controls, and the bidi embedding,
// override and isolate characters (U+202A-202E, U+2066-2069).
func unsafeRune(r rune) bool {
	switch {
	case r == '\n' || r == '\t':
		return false
	case r < 0x20, r >= 0x7F && r <= 0x9F:
		return true
	case r >= 0x202A && r <= 0x202E, r >= 0x2066 && r <= 0x2069:
		return true
	}
	return false
}

// cleanText drops unsafe runes from s and replaces bytes that are not
// UTF-8 (a lone 0x9B is CSI to an 8-bit terminal) with U+FFFD.
func cleanText(s string) string {
	clean := true
	for _, r := range s {
		if unsafeRune(r) || r == utf8.RuneError {
			clean = false
			break
		}
	}
	if clean {
		return s
	}
	var b strings.Builder
	b.Grow(len(s))
	for i := 0; i < len(s); {
		r, n := utf8.DecodeRuneInString(s[i:])
		switch {
		case r == utf8.RuneError && n <= 1:
			b.WriteRune(utf8.RuneError)
		case !unsafeRune(r):
			b.WriteString(s[i : i+n])
		}
		i += n
	}
	return b.String()
}

// termSafe is a writer that passes text through cleanText. A UTF-8
// sequence split across two writes is held back until it is whole.
type termSafe struct {
	w       io.Writer
	pending []byte
}

func (t *termSafe) Write(p []byte) (int, error) {
	buf := append(t.pending, p...)
	// Hold back an incomplete sequence at the end (at most 3 bytes).
	end := len(buf)
	for i := max(0, end-(utf8.UTFMax-1)); i < end; i++ {
		if utf8.RuneStart(buf[i]) && !utf8.FullRune(buf[i:end]) {
			end = i
			break
		}
	}
	t.pending = append([]byte(nil), buf[end:]...)
	if _, err := io.WriteString(t.w, cleanText(string(buf[:end]))); err != nil {
		return 0, err
	}
	return len(p), nil
}

// table prints aligned columns, every cell cleaned before it is measured,
// tabs and line breaks in a cell made spaces: a cell cannot add columns or
// rows, nor carry escapes. Every table of every command is printed here.
type table struct{ tw *tabwriter.Writer }

func newTable(w io.Writer, header ...string) *table {
	t := &table{tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)}
	cells := make([]any, len(header))
	for i, h := range header {
		cells[i] = h
	}
	t.row(cells...)
	return t
}

// row prints one line; each cell is formatted with %v.
func (t *table) row(cells ...any) {
	parts := make([]string, len(cells))
	for i, c := range cells {
		parts[i] = cleanText(cellSpaces.Replace(fmt.Sprint(c)))
	}
	fmt.Fprintln(t.tw, strings.Join(parts, "\t"))
}

var cellSpaces = strings.NewReplacer("\t", " ", "\n", " ", "\r", " ")

func (t *table) flush() error { return t.tw.Flush() }
