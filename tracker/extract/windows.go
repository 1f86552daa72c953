package extract

import (
	"slices"
	"strings"
	"unicode/utf8"
)

type candKind uint8

const (
	kRange    candKind = iota + 1 // X至Y
	kDeadline                     // X前, 截止时间为X
	kOpen                         // X起, X后
	kBare                         // a date in a submission clause: 请于X报送
	kDay                          // one day with office hours: 7月10日(9:00-17:30)
)

// cand is a date expression that may be a window.
type cand struct {
	kind       candKind
	a, b       mention // b only for ranges
	start, end int     // the date expression with its markers
	fromToday  bool    // 即日起至: opens on the publication date
	// Filled in by classify.
	labelStart int    // where the clause that names the stage starts
	labelEnd   int    // where it ends: the date, or the 自 of 自发布之日起至
	postEnd    int    // end of the text after the date that was read
	tableWhat  string // a table cell: its row and column (第一批 网上截止时间)
	// The sentence around the date, as classify found it (sentKnown), so
	// that label and the merge of an opening with its deadline do not
	// look for its bounds again: sentEnd is where the sentence holding
	// sentEndOf (the date's end when classified) ends.
	sentKnown                     bool
	sentStart, sentEnd, sentEndOf int
}

// sentenceStartOf is d.sentenceStart(c.start), read from c when classify
// found it.
func (d *doc) sentenceStartOf(c *cand) int {
	if c.sentKnown {
		return c.sentStart
	}
	return d.sentenceStart(c.start)
}

// sentenceEndOf is d.sentenceEnd(c.end), read from c when classify found
// it for the same end (a merge moves the end).
func (d *doc) sentenceEndOf(c *cand) int {
	if c.sentKnown && c.sentEndOf == c.end {
		return c.sentEnd
	}
	return d.sentenceEnd(c.end)
}

// connectorAt reads a range connector at i: 至, 到, -, ~, 起至, 起到, 开始至.
func connectorAt(s string, i int, isoLeft bool) (int, bool) {
	if k := connectors.at(s, i); k >= 0 {
		e := i + len(connectors.words[k])
		for e < len(s) && s[e] == '-' {
			e++ // ——, a doubled dash (every dash is folded to -)
		}
		return e, true
	}
	if isoLeft && hasAt(s, i, "/") {
		return i + 1, true
	}
	return i, false
}

var connectors = newPrefixList("起至", "起到", "起-", "开始至", "至", "到", "-", "~")

var deadlineAfter = newPrefixList("之前", "以前", "为止", "前", "止", "截止")

// closeAfter ends the second clause of 自A开始，至B结束.
var closeAfter = newPrefixList("之前", "以前", "为止", "前", "止", "截止", "结束")
var openAfter = newPrefixList("起开始", "开始", "之后", "以后", "起", "后", "开放", "开通", "启动")
var deadlineBefore = []string{"截止时间为", "截止日期为", "截止时间是", "截止日期是", "截止时间", "截止日期",
	"截止到", "截止至", "截止", "截至", "延期至", "延长至", "推迟至", "顺延至", "调整为", "调整至", "延期到",
	"延长到", "不迟于", "不晚于", "不得晚于", "不得迟于", "不超过", "最迟于", "最迟", "最晚", "之前于"}

// afterAny returns the end of the first of words found at i.
func afterAny(s string, i int, words *prefixList) (int, bool) {
	if k := words.at(s, i); k >= 0 {
		return i + len(words.words[k]), true
	}
	return i, false
}

// labelTail is t without the white space, colon, 为 or 是 that may follow
// a label at its end: a label word (截止时间为:) then ends it.
func labelTail(t string) string {
	t = strings.TrimRight(t, " \n:")
	t = strings.TrimSuffix(t, "为")
	t = strings.TrimSuffix(t, "是")
	return strings.TrimRight(t, " \n:")
}

// fromTodayBefore, before a date, open its window on the publication day.
var fromTodayBefore = []string{"即日起至", "即日起到", "即日至", "之日起至", "之日起到", "即日起-"}

// Word lists read at the end of a clause, indexed by their last rune
// (wordsByRune.endsOne): the candidates' words before a date, the
// endings of titles, offices and actors.
var (
	deadlineBeforeByLast  = indexWords(deadlineBefore, true)
	fromTodayBeforeByLast = indexWords(fromTodayBefore, true)
	titleEndsByLast       = indexWords(titleEnds, true)
	orgEndsByLast         = indexWords(orgEnds, true)
	actorEndsByLast       = indexWords(actorEnds, true)
)

// endsOne is hasSuffixAny for the words of x: only those ending with t's
// last rune can end t. (When t ends with a word, DecodeLastRuneInString
// of t finds that word's last rune, whatever comes before it.)
func (x *wordsByRune) endsOne(t string) bool {
	r, _ := decodeLastRune(t)
	for _, w := range x.of(r) {
		if strings.HasSuffix(t, w) {
			return true
		}
	}
	return false
}

// hasSuffixAny reports whether t ends with one of words.
func hasSuffixAny(t string, words []string) bool {
	for _, w := range words {
		if strings.HasSuffix(t, w) {
			return true
		}
	}
	return false
}

// runeStart moves i back to the start of a rune.
func runeStart(s string, i int) int {
	for i > 0 && i < len(s) && !utf8.RuneStart(s[i]) {
		i--
	}
	return i
}

// candidates turns date mentions into window candidates.
func candidates(s string, ms []mention, buf []cand) []cand {
	out := buf[:0]
	if cap(out) < len(ms) {
		out = make([]cand, 0, len(ms))
	}
	for i := 0; i < len(ms); i++ {
		a := ms[i]
		if inURL(s, a.start) {
			continue
		}
		j := skipWS(s, a.end)
		isoLeft := a.y != 0 && a.start < len(s) && isDigit(s[a.start]) && !hasAt(s, a.end-3, "日")
		if k, ok := connectorAt(s, j, isoLeft); ok {
			k = skipWS(s, k)
			var b mention
			found := false
			if i+1 < len(ms) && ms[i+1].start == k {
				b, found = ms[i+1], true
				i++
			} else if d, ok := scanDayOnly(s, k); ok {
				d.m = a.m
				readTime(s, &d)
				b, found = d, true
			}
			if found {
				c := cand{kind: kRange, a: a, b: b, start: a.start, end: b.end}
				// 止, 截止, and 结束 (从A起至B结束) close a range.
				if e, ok := afterAny(s, skipWS(s, b.end), closeAfter); ok {
					c.end = e
				}
				out = append(out, c)
				continue
			}
		}
		pre := runeStart(s, max(0, a.start-24))
		// Two dates with nothing between them but layout, under a heading
		// that says they bound a period (申报起止时间 | 3月1日 | 3月31日):
		// a table's two cells.
		if i+1 < len(ms) && strings.Contains(s[pre:a.start], "起止") && onlyLayout(s, a.end, ms[i+1].start) {
			b := ms[i+1]
			out = append(out, cand{kind: kRange, a: a, b: b, start: a.start, end: b.end})
			i++
			continue
		}
		c := cand{a: a, start: a.start, end: a.end}
		tail := labelTail(s[pre:a.start]) // trimmed once for both tests below
		switch {
		case fromTodayBeforeByLast.endsOne(tail):
			c.kind, c.fromToday = kRange, true
			c.b = a
		default:
			if e, ok := afterAny(s, j, deadlineAfter); ok {
				c.kind, c.end = kDeadline, e
			} else if e, ok := afterAny(s, j, openAfter); ok && closesSystem(s, e) {
				// 3月20日17:00后系统关闭: when the system closes, a deadline.
				c.kind, c.end = kDeadline, e
			} else if ok {
				c.kind, c.end = kOpen, e
				if e, ok := closingClause(s, e, ms, i+1); ok {
					c.kind, c.b, c.end = kRange, ms[i+1], e
					i++
				}
			} else if deadlineBeforeByLast.endsOne(tail) {
				c.kind = kDeadline
			} else if a.daily {
				c.kind = kDay // office hours that day: the window is that day
			} else if applicationField(tail) {
				// The day an application field names (提交时间为5月9日,
				// 申报时间:2014年1月3日) is, as ../shared/corpus reads a
				// hand-in on a day without 前, a deadline.
				c.kind = kDeadline
			} else {
				c.kind = kBare
			}
		}
		out = append(out, c)
	}
	return out
}

// closesSystem reports a note that the system closes (or takes nothing
// more) after the date: 后系统关闭, 后不再受理.
func closesSystem(s string, i int) bool {
	t := s[i:min(len(s), i+30)]
	for _, w := range []string{"系统关闭", "系统将关闭", "关闭系统", "不再受理", "不予受理", "停止受理", "关闭"} {
		if strings.HasPrefix(strings.TrimLeft(t, " ,"), w) {
			return true
		}
	}
	return false
}

// closingClause reads the closing that follows an opening in a clause of
// its own (自A开始，至B结束): i is after the opening's 开始, ms[next] must be
// B. It returns where the closing ends.
func closingClause(s string, i int, ms []mention, next int) (int, bool) {
	if next >= len(ms) {
		return 0, false
	}
	k := skipWS(s, i)
	if k < len(s) && s[k] == ',' {
		k = skipWS(s, k+1)
	}
	if !(hasAt(s, k, "至") || hasAt(s, k, "到")) || skipWS(s, k+3) != ms[next].start {
		return 0, false
	}
	end := ms[next].end
	if e, ok := afterAny(s, skipWS(s, end), closeAfter); ok {
		end = e
	}
	return end, true
}

// onlyLayout reports whether s[i:j] holds only white space and table
// separators, and at most two line breaks.
func onlyLayout(s string, i, j int) bool {
	if j < i || j-i > 16 {
		return false
	}
	lines := 0
	for _, c := range []byte(s[i:j]) {
		switch c {
		case '\n':
			lines++
		case ' ', '|', '\t':
		default:
			return false
		}
	}
	return lines <= 2
}

// inURL reports whether position i sits inside a URL (.../art/2021/5/7/...).
func inURL(s string, i int) bool {
	j := i
	for j > 0 && i-j < 200 {
		c := s[j-1]
		if c <= ' ' || c >= 0x80 {
			break
		}
		j--
	}
	tok := s[j:i]
	return strings.Contains(tok, "://") || strings.HasPrefix(tok, "www.") || strings.Contains(tok, "/art/")
}

// Sentence bounds: 。;!? always end a sentence; a line break ends one
// unless the line is wrapped text (a long line cut mid-sentence, or a date
// split over lines by a PDF converter).
var titleEnds = []string{"通知", "公告", "通告", "的函", "意见", "办法", "指南", "决定", "方案", "目录", "名单", "公示", "批复"}
var continues = []string{"于", "在", "为", "至", "到", "年", "月", "日", "第", "和", "及", "与", "前", "止", "自", "从", "将", "请", "的"}

// softNewline reports whether line break k of s is wrapped text, not the
// end of a sentence. nl are all the line breaks of s (normalize noted
// them): the lines on either side are bounded by their neighbours, not
// searched for (a page with few line breaks has lines of thousands of
// bytes).
func softNewline(s string, nl []int32, k int) bool {
	i := int(nl[k])
	ls := 0
	if k > 0 {
		ls = int(nl[k-1]) + 1
	}
	prev := trimSpace(s[ls:i])
	if prev == "" {
		return false
	}
	last, _ := decodeLastRune(prev)
	switch last {
	case '。', ';', '!', '?', ':', ')':
		return false
	}
	if titleEndsByLast.endsOne(prev) {
		return false
	}
	le := len(s)
	if k+1 < len(nl) {
		le = int(nl[k+1])
	}
	next := trimSpace(s[i+1 : le])
	if next == "" {
		return false
	}
	for _, w := range []string{"来源", "发布", "时间", "日期", "附件", "联系"} {
		if strings.HasPrefix(next, w) {
			return false
		}
	}
	if isDigit(next[0]) || strings.HasPrefix(next, "年") || strings.HasPrefix(next, "月") || strings.HasPrefix(next, "日") {
		for _, w := range continues {
			if strings.HasSuffix(prev, w) {
				return true
			}
		}
		if isDigit(prev[len(prev)-1]) {
			return true
		}
	}
	// A long line cut mid-sentence (PDF text), but not one that ends with
	// a date or time: such lines are complete items of a list.
	// The line's last rune is read first; its length is counted only when
	// that rune may end a cut line, and not at all past 120 bytes (no rune
	// is longer than four).
	if (isHan(last) && !isTimeUnit(last) || last == ',' || last == '、') && moreRunes(prev, 29) {
		return true
	}
	return false
}

const maxSentence = 360 // bytes looked at on either side of a date

// doc is a normalized text with its sentence ends: 。;!? always end a
// sentence, a line break ends one unless softNewline says the line was
// wrapped. Line breaks are judged only when a date's sentence reaches
// them, and each once.
type doc struct {
	s        string
	ends     []int32
	newlines []int32
	soft     []int8   // by line break: 0 not judged yet, 1 soft, -1 not
	own      []string // the issuing office's names (ownNames)
	ownBuf   [2]string
	ownLazy  bool // the issuer is unnamed: read it from where applications go
	receives map[string]bool
}

// officeLevels are the characters an office's name starts with (市科技局).
var officeLevels = newWordList("市", "省", "区", "县")

// receiverStep: with no issuer named, a clause whose subject is the office
// applications are sent to (2.市科技局各业务科于……汇总) is that office's
// own step.
func (d *doc) receiverStep(pre string) bool {
	// Most clauses name no office at their start: look before working.
	if officeLevels.in(pre[:runeStart(pre, min(len(pre), 24))]) == 0 {
		return false
	}
	t := strings.TrimPrefix(stripEnum(trimBullets(pre)), "由")
	if len(t) < 9 {
		return false
	}
	switch t[:3] {
	case "市", "省", "区", "县":
	default:
		return false
	}
	name := ""
	for j := 3; j+3 <= len(t) && j <= 21; j += 3 {
		if r := t[j : j+3]; r == "局" || r == "厅" || r == "委" || r == "办" {
			name = t[:j+3]
			break
		}
	}
	if name == "" || !ownStep(pre, []string{name}) {
		return false
	}
	if d.receives == nil {
		d.receives = map[string]bool{}
	}
	got, seen := d.receives[name]
	if !seen {
		got = receivedBy(d.s, name)
		d.receives[name] = got
	}
	return got
}

// receivedBy reports whether the text sends applications to name
// (报送市科技局, 交至市科技局, 报送到市科技局).
func receivedBy(s, name string) bool {
	for from := 0; ; {
		k := indexCJK(s[from:], name)
		if k < 0 {
			return false
		}
		i := from + k
		before := textBefore(s, i, 4)
		for _, v := range []string{"报送", "提交", "交至", "送至", "上报", "报", "送到", "交到"} {
			if strings.HasSuffix(before, v) || strings.HasSuffix(before, v+"至") || strings.HasSuffix(before, v+"到") {
				return true
			}
		}
		from = i + len(name)
	}
}

// ownStep reports a clause whose actor is the issuing office itself, by
// one of its names (苏州市科学技术局集中受理……, 由市科技局于……前汇总): its
// own step, not a window of the notice (SCHEMA.md).
func ownStep(pre string, names []string) bool {
	for _, o := range names {
		k := strings.Index(pre, o)
		if k < 0 {
			continue
		}
		// The office is the subject: at the clause's start, after 由, or
		// followed by its own action (于, 将, 集中, 在).
		before := stripEnum(trimBullets(trimSpace(pre[:k])))
		after := pre[k+len(o):]
		if (before == "" || before == "由") && (strings.HasPrefix(after, "于") || strings.HasPrefix(after, "将") ||
			strings.HasPrefix(after, "集中") || strings.HasPrefix(after, "在") || strings.HasPrefix(after, "各") || strings.HasPrefix(after, "对")) {
			return true
		}
	}
	return false
}

// newDoc sets up w.doc for nz.
func newDoc(nz *normalized, w *scratch) *doc {
	soft := w.soft[:0]
	if cap(soft) < len(nz.newlines) {
		soft = make([]int8, len(nz.newlines))
	}
	soft = soft[:len(nz.newlines)]
	clear(soft)
	w.soft = soft
	w.doc = doc{s: nz.s, ends: nz.ends, newlines: nz.newlines, soft: soft}
	return &w.doc
}

// isSoft reports whether line break k (of newlines) is soft, judging it
// the first time it is asked.
func (d *doc) isSoft(k int) bool {
	if d.soft[k] == 0 {
		d.soft[k] = -1
		if softNewline(d.s, d.newlines, k) {
			d.soft[k] = 1
		}
	}
	return d.soft[k] > 0
}

func searchInt32(l []int32, x int) int {
	// sort.Search, written out: its predicate is a call per probe.
	lo, hi := 0, len(l)
	for lo < hi {
		h := int(uint(lo+hi) >> 1)
		if int(l[h]) >= x {
			hi = h
		} else {
			lo = h + 1
		}
	}
	return lo
}

// sentenceStart is where the sentence holding i starts (at most
// maxSentence bytes back).
func (d *doc) sentenceStart(i int) int {
	lim := max(0, i-maxSentence)
	from := lim
	if k := searchInt32(d.ends, i); k > 0 && int(d.ends[k-1]) >= lim {
		// Past the whole mark: 。 is three bytes.
		end := int(d.ends[k-1])
		_, w := runeAt(d.s, end)
		from = end + max(1, w)
	}
	for k := searchInt32(d.newlines, i) - 1; k >= 0 && int(d.newlines[k]) >= from; k-- {
		if !d.isSoft(k) {
			return int(d.newlines[k]) + 1
		}
	}
	if from == lim {
		return runeStart(d.s, lim)
	}
	return from
}

// sentenceEnd is where the sentence holding i ends.
func (d *doc) sentenceEnd(i int) int {
	lim := min(len(d.s), i+maxSentence)
	to := lim
	if k := searchInt32(d.ends, i); k < len(d.ends) && int(d.ends[k]) < lim {
		to = int(d.ends[k])
	}
	for k := searchInt32(d.newlines, i); k < len(d.newlines) && int(d.newlines[k]) < to; k++ {
		if !d.isSoft(k) {
			return int(d.newlines[k])
		}
	}
	if to == lim {
		return runeStart(d.s, lim)
	}
	return to
}

// subStart is the start of the sub-clause before i: after the last comma.
func subStart(s string, from, i int) int {
	if k := strings.LastIndexByte(s[from:i], ','); k >= 0 {
		return from + k + 1
	}
	return from
}

// subEnd is the end of the sub-clause after i: the next comma.
func subEnd(s string, i, to int) int {
	if k := strings.IndexByte(s[i:to], ','); k >= 0 {
		return i + k
	}
	return to
}

func isEnumHeading(line string) bool {
	if line == "" {
		return false
	}
	// Most labels start with a Chinese character that heads nothing: one
	// byte tells an ASCII start, a switch the numerals (ContainsRune would
	// read its set each time).
	r, w := rune(line[0]), 1
	if r >= utf8.RuneSelf {
		r, w = decodeRune(line)
	}
	switch {
	case r == '一' || r == '二' || r == '三' || r == '四' || r == '五' || r == '六' || r == '七' || r == '八' || r == '九' || r == '十':
		rest := line[w:]
		for strings.HasPrefix(rest, "十") || strings.HasPrefix(rest, "一") || strings.HasPrefix(rest, "二") {
			rest = rest[3:]
		}
		return strings.HasPrefix(rest, "、") || strings.HasPrefix(rest, ".")
	case r == '(' || r == '（':
		return true
	case isDigit(line[0]):
		k := 0
		for k < len(line) && isDigit(line[k]) {
			k++
		}
		return k < len(line) && (line[k] == '.' || strings.HasPrefix(line[k:], "、"))
	case strings.HasPrefix(line, "第"):
		return true
	}
	return false
}

// lastNewline is strings.LastIndexByte(d.s[:i], '\n'), found among the
// noted line breaks (normalize notes every one) instead of read back byte
// by byte: a page without line breaks would be read to its start.
func (d *doc) lastNewline(i int) int {
	if k := searchInt32(d.newlines, i) - 1; k >= 0 {
		return int(d.newlines[k])
	}
	return -1
}

// headingBefore returns the heading line just above the line holding i
// ("一、申报时间"), or "".
func headingBefore(d *doc, i int) (string, int) {
	s := d.s
	ls := d.lastNewline(i)
	if ls < 0 {
		return "", 0
	}
	if trimSpace(s[ls+1:i]) != "" && !isEnumHeading(trimSpace(s[ls+1:i])) {
		// Text stands before the date on its own line: it is the label.
		if moreRunes(trimSpace(s[ls+1:i]), 12) {
			return "", 0
		}
	}
	end := ls
	for n := 0; n < 3 && end > 0; n++ {
		ps := d.lastNewline(end) + 1
		line := trimSpace(s[ps:end])
		if line == "" {
			end = ps - 1
			continue
		}
		if moreRunes(line, 24) {
			return "", 0
		}
		last, _ := decodeLastRune(line)
		if last == '。' || last == ';' || last == '!' || last == '?' {
			return "", 0 // a sentence, not a heading
		}
		if isEnumHeading(line) || last == ':' || strings.HasSuffix(line, "时间") || strings.HasSuffix(line, "日期") || strings.HasSuffix(line, "安排") {
			return line, ps
		}
		return "", 0
	}
	return "", 0
}

// lineAlone reports whether only white space (or 印发, 。) shares the
// line(s) with s[start:end]: a signature date, not a window.
func lineAlone(s string, start, end int) bool {
	// Only a few bytes either side matter: read no further, so that a
	// text without line breaks costs no more per date.
	for j := start - 1; j >= 0; j-- {
		if s[j] == '\n' {
			break
		}
		if s[j] != ' ' {
			return false
		}
	}
	le := strings.IndexByte(s[end:min(len(s), end+24)], '\n')
	if le < 0 {
		if len(s)-end > 24 {
			return false
		}
		le = len(s) - end
	}
	rest := trimSpace(s[end : end+le])
	rest = strings.TrimSuffix(strings.TrimSuffix(rest, "。"), "印发")
	return trimSpace(rest) == ""
}

type verdict uint8

const (
	vNone verdict = iota
	vPos
	vNeg
)

// judge decides from the cues in s[from:to]: the cue closest to the date
// (the last one) speaks, a review by the issuer itself counts against.
func judgeLast(s string, hits []cueHit, subFrom int) verdict {
	for k := len(hits) - 1; k >= 0; k-- {
		h := hits[k]
		if h.kind == cueNeg && !strings.HasSuffix(h.w, "的") && describesBefore(s, h) {
			continue
		}
		// 所有申报项目应于……前完成: 申报 names the projects, it is not
		// what the date is for.
		if h.kind == cuePos && (h.w == "申报" || h.w == "推荐") && (hasAt(s, h.end, "项目") || hasAt(s, h.end, "企业")) &&
			k == len(hits)-1 && !strings.Contains(s[h.end:], "报送") {
			continue
		}
		switch h.kind {
		case cuePos:
			return vPos
		case cueNeg:
			return vNeg
		case cueReview:
			if reviewByLowerBody(s[subFrom:h.start]) {
				return vPos
			}
			return vNeg
		}
	}
	return vNone
}

// judgeFirst decides from the first cue after a date; s[:end] is the text
// the hits were read from. 期间/之间 after a range usually bound an
// eligibility period (2022年1月1日至12月31日期间成立的企业), but when an
// applicant's action follows with no 的 to turn it into a description
// (……至10月20日期间登录系统报名), the range is when to act.
func judgeFirst(s string, hits []cueHit, end int) verdict {
	for i, h := range hits {
		if (h.kind == cueNeg || h.kind == cueReview) && describes(s, h) {
			continue
		}
		switch h.kind {
		case cuePos:
			return vPos
		case cuePostNeg:
			if (h.w == "期间" || h.w == "之间") && i+1 < len(hits) && hits[i+1].kind == cuePos &&
				!strings.Contains(s[h.end:end], "的") {
				return vPos
			}
			return vNeg
		case cueNeg:
			return vNeg
		}
	}
	return vNone
}

// scheduleTask reads the line after a date that stands alone on its line:
// when it is a short task an applicant does (提交, 报送 …) with no date of
// its own, the date is a schedule row. A title, an attachment list or a
// page field after a date is not a task. It returns the task line's end.
func scheduleTask(d *doc, c *cand, buf []cueHit) (int, bool) {
	s := d.s
	i := c.end
	for n := 0; n < 3 && i < len(s); {
		switch s[i] {
		case '\n':
			n++
			i++
			continue
		case ' ', '\t', '|':
			i++
			continue
		}
		break
	}
	if i >= len(s) || i == c.end {
		return 0, false
	}
	e := strings.IndexByte(s[i:], '\n')
	if e < 0 {
		e = len(s) - i
	}
	line := s[i : i+e]
	if len(line) > 180 || holdsDate(line) {
		return 0, false
	}
	for _, w := range []string{"附件", "关于", "通知", "公告", "来源", "浏览", "发布"} {
		if strings.Contains(line, w) {
			return 0, false
		}
	}
	if judgeFirst(line, cuesIn(buf, line, 0, len(line)), len(line)) != vPos {
		return 0, false
	}
	// Handing something in, not revising it (申请人修改、完善《申请书》).
	for _, v := range []string{"提交", "报送", "上报", "递交", "寄送", "送交", "交至", "交", "上传", "发送", "报名", "填报"} {
		if strings.Contains(line, v) {
			return i + e, true
		}
	}
	return 0, false
}

// notByItsWords reads the few words right before a date for the cases
// that rule it out whatever the sentence says:
//   - the issuing office's own step (我委可于4月11日前向工信部推荐);
//   - the day a news report speaks of (上周五(5月15日), 今日(5月18日)起);
//   - a full date right after an office's name or a page's 时间: field,
//     with nothing that makes it a deadline: a signature or a publication
//     date run into the text (……办公厅2021年4月19日).
func notByItsWords(s string, c *cand) bool {
	b := strings.TrimRight(textBefore(s, c.start, 16), " ")
	if b == "" {
		return true
	}
	switch last, _ := runeBefore(b, len(b)); last {
	case '于', '在':
		t := strings.TrimSuffix(strings.TrimSuffix(b, "于"), "在")
		t = strings.TrimSuffix(strings.TrimSuffix(strings.TrimSuffix(t, "可"), "将"), "拟")
		for _, w := range []string{"我委", "我局", "我厅", "我处", "我办", "本委", "本局", "本厅", "我部"} {
			if strings.HasSuffix(t, w) {
				return false
			}
		}
	case '(':
		t := strings.TrimSuffix(b, "(")
		for _, w := range []string{"今日", "今天", "昨日", "昨天", "明日", "明天"} {
			if strings.HasSuffix(t, w) {
				return false
			}
		}
		if r, _ := runeBefore(t, len(t)); strings.ContainsRune("一二三四五六日天", r) && (strings.Contains(t, "上周") || strings.Contains(t, "本周") || strings.Contains(t, "下周")) {
			return false
		}
	}
	if c.kind == kBare && c.a.y != 0 && (endsWithOrg(b) || strings.HasSuffix(b, "时间:") || strings.HasSuffix(b, "日期:")) {
		return false
	}
	return true
}

// classify decides whether c is an application window, and fills in its
// label. It reads only the sentence around the date.
func classify(d *doc, c *cand) bool {
	s := d.s
	var buf [4][8]cueHit // backing for the cue lists below; grows on the heap if ever needed
	ss := d.sentenceStart(c.start)
	se := d.sentenceEnd(c.end)
	c.sentKnown, c.sentStart, c.sentEnd, c.sentEndOf = true, ss, se, c.end
	// Stated as over: 已于7月25日完成受理.
	pre := runeStart(s, max(ss, c.start-12))
	// Each test holds 已: most clauses have none, which one search tells.
	if t := s[pre:c.start]; strings.Contains(t, "已") && (strings.Contains(t, "已于") || strings.Contains(t, "已经") || strings.Contains(t, "已在") || strings.HasSuffix(trimSpace(t), "于")) {
		return false
	}
	single := c.kind != kRange
	if !notByItsWords(s, c) {
		return false
	}

	if !c.a.daily && lineAlone(s, c.start, c.end) {
		// A date alone on its line is a signature or a page date, unless a
		// heading above says what it is, or the next line is the task of a
		// schedule (2018年3月12日 / 申请人在线提交《申请书》).
		if end, ok := scheduleTask(d, c, buf[3][:0]); ok {
			c.labelStart, c.labelEnd, c.postEnd = c.start, c.start, end
			if c.kind == kBare {
				c.kind = kDay // a day in a schedule: the task is done that day
			}
			return true
		}
		if h, _ := headingBefore(d, c.start); single && (h == "" || judgeLast(h, cuesIn(buf[3][:0], h, 0, len(h)), 0) != vPos) {
			return false
		}
	}
	sub := subStart(s, ss, c.start)
	if pre := trimSpace(s[sub:c.start]); ownStep(pre, d.own) || d.ownLazy && d.receiverStep(pre) {
		return false
	}
	preTo := c.start
	if c.fromToday {
		// 自本通知发布之日起至: the publication named in the opening phrase
		// says when the window opens, not that the date is a publication.
		if k := strings.LastIndex(s[sub:c.start], "自"); k >= 0 {
			preTo = sub + k
		} else if k := strings.LastIndex(s[sub:c.start], "从"); k >= 0 {
			preTo = sub + k
		} else if k := strings.LastIndex(s[sub:c.start], "之日"); k >= 0 {
			// Written without 自 (申报时间:本通知发布之日起至): the phrase
			// begins after the field's colon or its 为, or at the clause.
			preTo = sub + publicationPhraseStart(s[sub:sub+k])
		}
	}
	preSub := cuesIn(buf[0][:0], s, sub, preTo)
	postEnd := subEnd(s, c.end, se)
	nextEnd := postEnd
	if postEnd < se {
		nextEnd = subEnd(s, postEnd+1, se)
	}
	c.labelStart, c.labelEnd, c.postEnd = sub, preTo, postEnd
	// The date heads its clause alone (3月16日-3月18日,科技处审核……): what
	// follows says whose step it is. (A deadline with its own hand-in,
	// 3月1日前提交科技处,科技处组织评审, keeps it.)
	if len(trimSpace(s[c.end:postEnd])) <= len("之前") && receiverReviewsAfter(s, s[c.end:nextEnd]) {
		return false
	}

	// An issuer-side review named right before the date rules it out, even
	// when 提交 follows (市科技局审核提交时间).
	for _, h := range preSub {
		if h.kind == cueReview && !reviewByLowerBody(s[sub:h.start]) {
			return false
		}
		// 市科技局审核提交时间: the issuing office's own step.
		if h.kind == cuePos && slices.Contains(reviewAndPass, h.w) && endsWithOrg(trimSpace(s[sub:h.start])) &&
			!reviewByLowerBody(s[sub:h.start]) {
			return false
		}
	}
	preVerdict := judgeLast(s, preSub, sub)
	if preVerdict == vNeg && !reviewStageHeading(s, preSub, c) {
		return false
	}
	// The clauses after the date are read only once the words before it
	// have not ruled it out, and the next clause only when they are asked.
	postSub := cuesIn(buf[1][:0], s, c.end, postEnd)
	postVerdict := judgeFirst(s, postSub, postEnd)
	if preVerdict == vNeg && postVerdict != vPos {
		return false
	}
	if postVerdict == vNeg {
		// A range that ends its clause with 期间, the applicant's action in
		// the next clause (……至3月10日期间,申报单位登录系统在线申报).
		last := len(postSub) - 1
		if !(c.kind == kRange && last >= 0 && postSub[last].w == "期间" && trimSpace(s[postSub[last].end:postEnd]) == "" &&
			judgeFirst(s, cuesIn(buf[2][:0], s, postEnd, nextEnd), nextEnd) == vPos && !strings.Contains(s[postEnd:nextEnd], "的")) {
			return false
		}
		c.postEnd = nextEnd
		return true
	}
	if preVerdict == vPos {
		return true
	}
	if postVerdict == vPos || judgeFirst(s, cuesIn(buf[2][:0], s, postEnd, nextEnd), nextEnd) == vPos {
		return true
	}
	switch judgeLast(s, cuesIn(buf[3][:0], s, ss, sub), ss) {
	case vPos:
		return true
	case vNeg:
		return false
	}
	// Nothing in the sentence: a heading above may say it ("一、申报时间").
	if h, hs := headingBefore(d, ss); h != "" {
		if judgeLast(h, cuesIn(buf[3][:0], h, 0, len(h)), 0) == vPos {
			c.labelStart = hs
			return true
		}
	}
	return false
}

// isTimeUnit reports the runes a date or time ends with (日时号点分).
func isTimeUnit(r rune) bool {
	switch r {
	case '日', '时', '号', '点', '分':
		return true
	}
	return false
}

// publicationPhraseStart is where the phrase naming a publication that
// ends t (本通知发布, 本公告印发, 发文) begins: after the last field colon,
// 为 or 是 in t, or at its start.
func publicationPhraseStart(t string) int {
	start := 0
	for _, sep := range []string{":", "为", "是", ","} {
		if k := strings.LastIndex(t, sep); k >= 0 && k+len(sep) > start {
			start = k + len(sep)
		}
	}
	return start
}

// applicationField reports a field that names when applicants act, ending
// tail (labelTail's, its colon and 为 gone): 申报时间, 受理日期, 提交时间
// (not 发布时间, a page's date).
func applicationField(tail string) bool {
	for _, act := range []string{"申报", "受理", "报名", "报送", "提交", "递交"} {
		if strings.HasSuffix(tail, act+"时间") || strings.HasSuffix(tail, act+"日期") {
			return true
		}
	}
	return false
}

// reviewStageHeading reports a review that heads the date as the name of a
// stage (2.校内评审:6月1日前提交纸质版申报书): what applicants hand in for
// that review is due then, when the words after the date say so.
func reviewStageHeading(s string, pre []cueHit, c *cand) bool {
	if len(pre) == 0 || c.kind != kDeadline {
		return false
	}
	h := pre[len(pre)-1]
	return h.w == "评审" && strings.TrimSpace(s[h.end:c.start]) == ":"
}

// receiverReviewsAfter reports a date whose clause goes on with the office
// the applications are sent to, reviewing them (3月16日-3月18日,科技处(社科处)
// 在线审核申报材料): that office's own step, as the office named before
// the date is (ownStep).
func receiverReviewsAfter(s, post string) bool {
	t := strings.TrimLeft(post, " ,:")
	for j, n := 0, 0; j < len(t) && n < 8; n++ {
		r, w := utf8.DecodeRuneInString(t[j:])
		j += w
		if r != '处' && r != '科' && r != '办' && r != '局' && r != '厅' && r != '委' {
			continue
		}
		name, after := t[:j], t[j:]
		if k := strings.IndexByte(after, ')'); strings.HasPrefix(after, "(") && k > 0 && k < 24 {
			after = after[k+1:] // 科技处(社科处)
		}
		for _, v := range []string{"审核", "在线审核", "审查", "组织评审", "评审", "组织专家"} {
			if strings.HasPrefix(after, v) {
				return utf8.RuneCountInString(name) >= 2 && receivedBy(s, name)
			}
		}
	}
	return false
}
