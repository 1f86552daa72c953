// Package pagetext turns fetched bytes into text: it finds the charset
// (header, BOM, <meta>, or the bytes themselves), decodes GBK and GB2312 as
// GB18030 (their superset, which government sites actually serve), and
// reads the visible text of HTML pages.
package pagetext

import (
	"bytes"
	"strings"
	"unicode/utf8"

	"golang.org/x/net/html/charset"
	"golang.org/x/text/encoding"
	"golang.org/x/text/encoding/htmlindex"
	"golang.org/x/text/encoding/simplifiedchinese"
	"golang.org/x/text/encoding/unicode"
)

// metaScanLimit is how far into a page <meta charset> is looked for. The
// HTML spec says 1024 bytes; Chinese CMS pages often put it later, after
// long comments and scripts.
const metaScanLimit = 64 << 10

// Decode returns body as UTF-8 text and the name of the charset it was
// read as. contentType is the HTTP header ("" when unknown).
func Decode(body []byte, contentType string) (string, string) {
	// A BOM outranks everything.
	switch {
	case bytes.HasPrefix(body, []byte{0xEF, 0xBB, 0xBF}):
		return toValid(body[3:]), "utf-8"
	case bytes.HasPrefix(body, []byte{0xFF, 0xFE}):
		return decodeWith(unicode.UTF16(unicode.LittleEndian, unicode.IgnoreBOM), body[2:]), "utf-16le"
	case bytes.HasPrefix(body, []byte{0xFE, 0xFF}):
		return decodeWith(unicode.UTF16(unicode.BigEndian, unicode.IgnoreBOM), body[2:]), "utf-16be"
	}
	label := ""
	if _, params, ok := strings.Cut(contentType, ";"); ok {
		for _, p := range strings.Split(params, ";") {
			k, v, _ := strings.Cut(strings.TrimSpace(p), "=")
			if strings.EqualFold(strings.TrimSpace(k), "charset") {
				label = strings.Trim(strings.TrimSpace(v), `"'`)
			}
		}
	}
	if label == "" {
		label = metaCharset(body)
	}
	return decodeLabel(body, label)
}

// decodeLabel decodes with a declared label, correcting the label when the
// bytes say otherwise: a page labelled UTF-8 that is not valid UTF-8 is
// GB18030 in practice, and one labelled GBK that is valid UTF-8 with
// Chinese in it is UTF-8.
func decodeLabel(body []byte, label string) (string, string) {
	name := normalizeLabel(label)
	valid := utf8.Valid(body)
	switch {
	case name == "" && valid, name == "utf-8" && valid:
		return string(body), "utf-8"
	case (name == "" || name == "utf-8") && mostlyUTF8(body):
		// A UTF-8 page with a few stray bytes (a truncated character, a
		// pasted fragment): read it as UTF-8, the strays replaced.
		return toValid(body), "utf-8"
	case name == "" || name == "utf-8":
		return decodeWith(simplifiedchinese.GB18030, body), "gb18030"
	case name == "gb18030" && valid && hasMultibyte(body):
		return string(body), "utf-8"
	}
	enc, err := htmlindex.Get(name)
	if err != nil {
		if valid {
			return string(body), "utf-8"
		}
		return decodeWith(simplifiedchinese.GB18030, body), "gb18030"
	}
	return decodeWith(enc, body), name
}

// normalizeLabel maps a charset label to a canonical name; every Chinese
// GB label becomes gb18030.
func normalizeLabel(label string) string {
	l := strings.ToLower(strings.TrimSpace(label))
	switch l {
	case "":
		return ""
	case "gbk", "gb2312", "gb_2312-80", "gb18030", "x-gbk", "cp936", "ms936", "windows-936", "euc-cn", "csgb2312", "chinese", "iso-ir-58":
		return "gb18030"
	case "utf8", "utf-8", "unicode-1-1-utf-8":
		return "utf-8"
	}
	if _, name := charset.Lookup(l); name != "" {
		if name == "gbk" || name == "gb18030" {
			return "gb18030"
		}
		return name
	}
	return l
}

func hasMultibyte(b []byte) bool {
	for _, c := range b {
		if c >= 0x80 {
			return true
		}
	}
	return false
}

func decodeWith(enc encoding.Encoding, b []byte) string {
	out, err := enc.NewDecoder().Bytes(b)
	if err != nil {
		return toValid(b)
	}
	return toValid(out)
}

func toValid(b []byte) string {
	if utf8.Valid(b) {
		return string(b)
	}
	return strings.ToValidUTF8(string(b), "\uFFFD")
}

// metaCharset finds <meta charset=...> or <meta http-equiv content="...;
// charset=..."> in the first metaScanLimit bytes.
func metaCharset(body []byte) string {
	b := body
	if len(b) > metaScanLimit {
		b = b[:metaScanLimit]
	}
	lower := bytes.ToLower(b)
	for i := 0; ; {
		k := bytes.Index(lower[i:], []byte("<meta"))
		if k < 0 {
			return ""
		}
		i += k + 5
		end := bytes.IndexByte(lower[i:], '>')
		if end < 0 {
			return ""
		}
		tag := lower[i : i+end]
		if c := bytes.Index(tag, []byte("charset")); c >= 0 {
			v := tag[c+7:]
			v = bytes.TrimLeft(v, " \t\n\r")
			if len(v) == 0 || v[0] != '=' {
				continue
			}
			v = bytes.TrimLeft(v[1:], " \t\n\r\"'")
			n := 0
			for n < len(v) && (v[n] == '-' || v[n] == '_' || v[n] >= 'a' && v[n] <= 'z' || v[n] >= '0' && v[n] <= '9') {
				n++
			}
			if n > 0 {
				return string(v[:n])
			}
		}
		i += end
	}
}

// mostlyUTF8 reports text whose non-ASCII bytes are almost all valid UTF-8
// sequences: GBK text read as UTF-8 fails on most of its characters.
func mostlyUTF8(b []byte) bool {
	good, bad := 0, 0
	for i := 0; i < len(b); {
		if b[i] < utf8.RuneSelf {
			i++
			continue
		}
		r, n := utf8.DecodeRune(b[i:])
		if r == utf8.RuneError && n <= 1 {
			bad++
			i++
			continue
		}
		good += n
		i += n
	}
	return good > 0 && bad*20 <= good
}

// textSniffLimit is how much of a document LooksLikeText decodes to judge
// it; the cheap byte checks cover the whole of it.
const textSniffLimit = 256 << 10

// LooksLikeText reports whether b, a file that is not a PDF or an office
// document, is text in some charset rather than binary data (an image, an
// archive, random bytes), which Decode would turn into garbage without
// complaint. Text has no NUL byte (UTF-16 aside, which has a BOM here) and
// next to no other control characters or undecodable bytes; a few are
// tolerated, since pasted notices carry the odd stray control.
func LooksLikeText(b []byte) bool {
	tolerated := func(bad, total int) bool { return bad <= 8+total/50 }
	utf16 := bytes.HasPrefix(b, []byte{0xFF, 0xFE}) || bytes.HasPrefix(b, []byte{0xFE, 0xFF})
	if !utf16 {
		bad := 0
		for _, c := range b {
			switch {
			case c == 0:
				return false
			case c < 0x20 && c != '\t' && c != '\n' && c != '\r' && c != '\f' && c != '\v', c == 0x7F:
				bad++
			}
		}
		if !tolerated(bad, len(b)) {
			return false
		}
	}
	// The decoded text of a prefix: undecodable bytes become U+FFFD, and
	// C1 controls show what a wrongly guessed charset makes of binary.
	head := b[:min(len(b), textSniffLimit)]
	s, _ := Decode(head, "")
	bad, runes := 0, 0
	for _, r := range s {
		runes++
		if r == utf8.RuneError || r < 0x20 && r != '\t' && r != '\n' && r != '\r' && r != '\f' && r != '\v' || r >= 0x7F && r <= 0x9F {
			bad++
		}
	}
	if len(head) < len(b) {
		bad-- // the cut may fall inside a character: one U+FFFD at the end
	}
	return tolerated(bad, runes)
}
