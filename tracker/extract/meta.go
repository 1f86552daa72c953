package extract

import (
	"strconv"
	"strings"
	"unicode/utf8"
)

type meta struct {
	title, issuer, docNumber string
	published                Date
	yearHint                 int  // a year the notice is about, when no date says when it was published
	fromPage                 bool // published comes from a page field (发布时间:), not the 落款
	sigStart                 int  // where the signature date starts, -1 when there is none
}

var orgEnds = []string{"厅", "局", "委员会", "委", "办公室", "办公厅", "部", "政府", "中心", "处", "院", "会", "公司", "小组"}

func endsWithOrg(t string) bool { return orgEndsByLast.endsOne(t) }

// readMeta finds title, issuer, 文号 and publication date.
func readMeta(s string, sc scan) meta {
	ms := sc.mentions
	m := meta{sigStart: -1}
	m.title = findTitle(s)
	m.docNumber = findDocNumber(s)

	// The 落款: the last full date that stands alone on its line, or ends
	// the text right after the issuer's name.
	var sig *mention
	var metaDate *mention
	for i := range ms {
		mt := &ms[i]
		if mt.y == 0 || mt.monthEnd {
			continue
		}
		if lineAlone(s, mt.start, mt.end) || endsText(s, mt.end) && endsWithOrg(textBefore(s, mt.start, 30)) {
			sig = mt
			continue
		}
		if metaDate == nil {
			pre := strings.TrimRight(textBefore(s, mt.start, 24), " :|")
			for _, w := range []string{"发布时间", "发布日期", "成文日期", "印发日期", "制发日期", "时间", "日期"} {
				if !strings.HasSuffix(pre, w) {
					continue
				}
				// A bare 时间/日期 label counts only as a page field (来源: 时间:),
				// never as 受理时间.
				if len(w) == 6 {
					if r, _ := runeBefore(pre, len(pre)-len(w)); isHan(r) {
						continue
					}
				}
				metaDate = mt
				break
			}
		}
	}
	switch {
	case sig != nil:
		m.published = Date{sig.y, sig.m, sig.d}
		m.sigStart = sig.start
		m.issuer = issuerBefore(s, sig.start)
	case metaDate != nil:
		m.published = Date{metaDate.y, metaDate.m, metaDate.d}
		m.fromPage = true
	}
	if m.published.Day > daysIn(m.published.Year, m.published.Month) {
		m.published = Date{}
	}
	if m.issuer == "" {
		if i := strings.Index(m.title, "关于"); i > 0 && endsWithOrg(m.title[:i]) {
			m.issuer = m.title[:i]
		}
	}
	docYear, yearDu := sc.docYear, sc.yearDu
	maxFull := 0
	for _, mt := range ms {
		if mt.y > maxFull {
			maxFull = mt.y
		}
	}
	titleYear := yearWritten(m.title)
	if titleYear != 0 && strings.Contains(m.title, strconv.Itoa(titleYear)+"年度") {
		titleYear = 0 // a programme year may be the next one
	}
	switch {
	case titleYear != 0:
		m.yearHint = titleYear
	case docYear != 0:
		m.yearHint = docYear
	case yearDu != 0:
		m.yearHint = yearDu
	case maxFull != 0:
		m.yearHint = maxFull
	default:
		// A year the title names (关于开展2020年市级……的通知), or any
		// "YYYY年" in the text: the notice's year more often than not.
		m.yearHint = yearWritten(m.title)
		if m.yearHint == 0 {
			m.yearHint = yearWritten(s)
		}
	}
	return m
}

// yearWritten is the first "YYYY年" (1990–2099) in t, or 0.
func yearWritten(t string) int {
	for i := 0; i+7 <= len(t); i++ {
		if !isDigit(t[i]) || i > 0 && isDigit(t[i-1]) {
			continue
		}
		v, j, n := asciiNum(t, i, 5)
		if n == 4 && v >= 1990 && v <= 2099 && hasAt(t, j, "年") {
			return v
		}
		i = j - 1
	}
	return 0
}

// endsText reports whether only white space, 。 and . follow s[i]
// (strings.Trim with that cutset leaving nothing, without trimming).
func endsText(s string, i int) bool {
	for i < len(s) {
		switch {
		case s[i] == ' ' || s[i] == '\n' || s[i] == '.':
			i++
		case hasAt(s, i, "。"):
			i += len("。")
		default:
			return false
		}
	}
	return true
}

// isBlank is trimSpace(t) == "", answered at the first byte for
// a line that starts with a printable ASCII byte or a Chinese character
// (Unicode's spaces start with 0xC2, 0xE1, 0xE2 or 0xE3).
func isBlank(t string) bool {
	if t != "" {
		if c := t[0]; c > ' ' && c < utf8.RuneSelf || c >= 0xE4 {
			return false
		}
	}
	return trimSpace(t) == ""
}

// lastSeparator is strings.LastIndexAny(t, "。:;, ") for valid UTF-8,
// read byte by byte from the end instead of rune by rune.
func lastSeparator(t string) int {
	for k := len(t) - 1; k >= 0; k-- {
		switch t[k] {
		case ':', ';', ',', ' ':
			return k
		case 0x82: // the last byte of 。 (E3 80 82)
			if k >= 2 && t[k-2] == 0xE3 && t[k-1] == 0x80 {
				return k - 2
			}
		}
	}
	return -1
}

func textBefore(s string, i, n int) string {
	return s[runeStart(s, max(0, i-n*3)):i]
}

// issuerBefore reads the issuer's name just before a signature date: on
// the same line, or on the line above.
func issuerBefore(s string, i int) string {
	// A name is short: look at most 150 bytes back.
	from := runeStart(s, max(0, i-150))
	ls := strings.LastIndexByte(s[from:i], '\n') + 1 + from
	same := trimSpace(s[ls:i])
	if same == "" && ls > 0 {
		// The line above (PDF text may put a blank line between).
		end := ls - 1
		for n := 0; n < 3 && end > 0; n++ {
			lim := runeStart(s, max(0, end-150))
			ps := strings.LastIndexByte(s[lim:end], '\n') + 1 + lim
			same = trimSpace(s[ps:end])
			if same != "" {
				break
			}
			end = ps - 1
		}
	}
	if same == "" {
		return ""
	}
	// The tail of the line: after the last sentence mark or space.
	if k := lastSeparator(same); k >= 0 {
		same = same[k+1:]
	}
	if k := strings.LastIndex(same, ".docx"); k >= 0 {
		same = same[k+5:]
	}
	if k := strings.LastIndex(same, ".pdf"); k >= 0 {
		same = same[k+4:]
	}
	if !endsWithOrg(same) {
		return ""
	}
	if moreRunes(same, 40) || !moreRunes(same, 1) {
		return ""
	}
	return same
}

// findTitle takes the first line that reads as a notice title.
func findTitle(s string) string {
	if len(s) > 4096 {
		s = s[:runeStart(s, 4096)] // a title heads the page
	}
	// Only a line that holds 关于 can be a title: one search finds the
	// next 关于, and the lines before it are only counted.
	next := indexCJK(s, "关于")
	lines := 0
	for p := 0; p < len(s) && lines < 15; lines++ {
		if next < 0 {
			return "" // no line left holds 关于
		}
		ls, le := p, len(s)
		if k := strings.IndexByte(s[p:], '\n'); k >= 0 {
			le = p + k
		}
		p = le + 1
		line := s[ls:le]
		if len(line) > 400 {
			continue // a page without line breaks: no line of it is a title
		}
		if next < ls {
			if k := indexCJK(s[ls:], "关于"); k >= 0 {
				next = ls + k
			} else {
				next = -1
			}
		}
		if next < 0 || next+len("关于") > le {
			if isBlank(line) {
				lines--
			}
			continue
		}
		t := trimSpace(line)
		if len(t) > 400 {
			continue
		}
		// The cheap test first: most lines that hold 关于 are body text,
		// which ends with no title's word.
		tail := strings.TrimRight(t, " )》。")
		if !titleEndsByLast.endsOne(tail) {
			continue
		}
		if !moreRunes(t, 5) || moreRunes(t, 120) {
			continue
		}
		i := strings.Index(t, "关于")
		if i < 0 || strings.IndexByte(t[:i], '(') >= 0 || strings.IndexByte(t[:i], ',') >= 0 || strings.Contains(t[:i], "《") {
			continue
		}
		for _, e := range titleEnds {
			if strings.HasSuffix(tail, e) {
				// Keep the issuer's name when it heads the title.
				start := i
				if pre := t[:i]; pre != "" {
					k := strings.LastIndexAny(pre, " :|") + 1
					if endsWithOrg(pre[k:]) {
						start = k
					}
				}
				return tail[start:]
			}
		}
	}
	return ""
}

// findDocNumber finds the notice's own 文号 (工信厅科函〔2019〕97号): one that
// stands on its own line, the way documents are headed.
func findDocNumber(s string) string {
	for from := 0; from < len(s); {
		k := strings.IndexByte(s[from:], '[')
		if k < 0 {
			return ""
		}
		k += from
		// The line's start: past from, which is 0 or the line break that
		// ended the line looked at before, there is always one to find.
		ls := strings.LastIndexByte(s[from:k], '\n') + 1 + from
		le := strings.IndexByte(s[k:], '\n')
		if le < 0 {
			le = len(s)
		} else {
			le += k
		}
		from = le
		line := s[ls:le]
		t := strings.Trim(trimSpace(line), "()")
		if t == "" || len(t) > 90 {
			continue
		}
		b := strings.IndexByte(t, '[')
		if b <= 0 || b+6 > len(t) || t[b+5] != ']' {
			continue
		}
		if _, _, n := asciiNum(t, b+1, 5); n != 4 {
			continue
		}
		_, e, n := asciiNum(t, skipWS(t, b+6), 5)
		if n == 0 {
			continue
		}
		if k := skipWS(t, e); hasAt(t, k, "号") {
			e = k
		} else if e != len(t) {
			continue
		}
		r, _ := runeBefore(t, b)
		if !isHan(r) {
			continue
		}
		end := e
		if hasAt(t, e, "号") {
			end = e + 3
		}
		// Restore the brackets documents use; drop PDF spacing.
		return strings.ReplaceAll(t[:b]+"〔"+t[b+1:b+5]+"〕"+t[b+6:end], " ", "")
	}
	return ""
}
