// Package extract reads Chinese application notices (申报通知): it finds
// the title, issuer, 文号 and publication date, and every application window
// with the sentence that states it. Pure functions, no I/O; any input is
// read in time linear in its length, and nothing panics.
//
// Conventions:
//   - Dates are calendar dates where the notice was issued (Asia/Shanghai).
//   - A deadline written "24时" or "24:00" keeps closes_time "24:00": the end
//     of that day, which is the start of the next; the notifier plans on that
//     instant. Times are those of the closing day only; daily office hours
//     "(9:00-17:30)" give closes_time 17:30.
//   - 月底/月末 is the month's last day; 上旬/中旬/下旬 before 前 are the
//     10th, the 20th and the last day (a deadline only: "上旬开始" names
//     no day).
//   - A window with only a deadline has Opens == ""; one with only an
//     opening date ("8月1日起") has Closes == "".
package extract

import (
	"fmt"
	"sort"
	"strings"
	"time"
	"unicode/utf8"
)

// Date is a calendar date; the zero Date means unknown.
type Date struct{ Year, Month, Day int }

// ParseDate reads YYYY-MM-DD.
func ParseDate(s string) (Date, error) {
	t, err := time.Parse("2006-01-02", s)
	if err != nil {
		return Date{}, fmt.Errorf("date %q: want YYYY-MM-DD", s)
	}
	return Date{t.Year(), int(t.Month()), t.Day()}, nil
}

// IsZero reports an unknown date.
func (d Date) IsZero() bool { return d.Year == 0 }

// String is YYYY-MM-DD, or "" for the zero Date.
func (d Date) String() string {
	if d.IsZero() {
		return ""
	}
	if d.Year < 1000 || d.Year > 9999 {
		return fmt.Sprintf("%04d-%02d-%02d", d.Year, d.Month, d.Day)
	}
	var b [10]byte
	return string(appendDate(b[:0], d))
}

// appendDate appends d.String() for a year of four digits.
func appendDate(b []byte, d Date) []byte {
	return append(b, byte('0'+d.Year/1000), byte('0'+d.Year/100%10), byte('0'+d.Year/10%10), byte('0'+d.Year%10), '-',
		byte('0'+d.Month/10), byte('0'+d.Month%10), '-', byte('0'+d.Day/10), byte('0'+d.Day%10))
}

func (d Date) days() int {
	return int(time.Date(d.Year, time.Month(d.Month), d.Day, 0, 0, 0, 0, time.UTC).Unix() / 86400)
}

func (d Date) less(e Date) bool { return d.days() < e.days() }

// Options are what is known about a notice besides its text.
type Options struct {
	// Published is the publication date when the caller knows it (from a
	// list page); zero: read it from the text.
	Published Date
	// Title is a title known from elsewhere (an HTML <title>); the text's own
	// title line wins when it has one.
	Title string
}

// Window is one application period.
type Window struct {
	What       string `json:"what"`
	Opens      string `json:"opens"`       // YYYY-MM-DD or ""
	Closes     string `json:"closes"`      // YYYY-MM-DD or ""
	ClosesTime string `json:"closes_time"` // HH:MM or ""
	Evidence   string `json:"evidence"`
	// Start and End are the byte span of Evidence in the input text.
	Start int `json:"start"`
	End   int `json:"end"`
}

// Result is what a notice says.
type Result struct {
	Title     string
	Issuer    string
	DocNumber string
	Published string // YYYY-MM-DD, or "" when neither the text nor Options say
	Windows   []Window
}

// Extract reads a notice.
func Extract(text string, opts Options) Result {
	wk := getScratch()
	n := normalize(text, wk)
	s := n.s
	sc := findMentions(&n, wk.mentions)
	ms := sc.mentions
	wk.mentions = ms
	meta := readMeta(s, sc)
	res := Result{Title: meta.title, Issuer: meta.issuer, DocNumber: meta.docNumber}
	if res.Title == "" {
		res.Title = trimSpace(opts.Title)
	}
	published := opts.Published
	// A page field's date (发布时间: on a site that reposts) may be years
	// after the notice; it dates the notice, but does not make its windows
	// history.
	pageDated := false
	if published.IsZero() {
		published, pageDated = meta.published, meta.fromPage
	}

	ref := refYear{date: published}
	if ref.date.IsZero() {
		ref.year = meta.yearHint
	}

	d := newDoc(&n, wk)
	d.own = ownNames(meta.issuer, &d.ownBuf)
	if len(d.own) == 0 && !severalIssuers(meta.issuer) {
		d.ownLazy = true // the office is found from where applications go
	}
	cs := candidates(s, ms, wk.cands)
	wk.cands = cs
	cells := tableCells(s, cs)
	kept := cs[:0] // filtered in place: kept never runs ahead of i
	for i := range cs {
		if cell, ok := cells[cs[i].start]; ok {
			cs[i].tableWhat = cell.what
			if cs[i].kind == kBare {
				cs[i].kind = kDeadline // a date under a deadline's column
			}
			cs[i].labelStart, cs[i].labelEnd, cs[i].postEnd = cs[i].start, cs[i].start, cs[i].end
			kept = append(kept, cs[i])
			continue
		}
		if cs[i].kind != kRange && cs[i].a.start == meta.sigStart {
			var buf [8]cueHit
			if _, task := scheduleTask(d, &cs[i], buf[:0]); !task {
				continue // the signature date says when, not until when
			}
		}
		if replacedInPlace(s, cs, i) {
			continue
		}
		if classify(d, &cs[i]) {
			kept = append(kept, cs[i])
		}
	}
	ws := wk.windows[:0]
	if cap(ws) < len(kept) {
		ws = make([]window, 0, len(kept))
	}
	mode := 0
	if published.IsZero() {
		mode = yearMode(kept)
	}
	for k := 0; k < len(kept); k++ {
		c := kept[k]
		cref := ref
		if published.IsZero() {
			cref = nearestRef(kept, c.start, ref, mode)
		}
		w, ok := resolve(c, cref, published)
		if !ok {
			continue
		}
		// An opening date whose deadline follows in the same sentence.
		var merged *cand
		if c.kind == kOpen && k+1 < len(kept) {
			nx := kept[k+1]
			if (nx.kind == kDeadline || nx.kind == kBare) && d.sentenceEndOf(&c) >= nx.start {
				if w2, ok := resolve(nx, cref, published); ok && (w.opens.less(w2.closes) || w.opens == w2.closes) {
					w.closes, w.closesTime = w2.closes, w2.closesTime
					c.end, c.postEnd = nx.end, nx.postEnd
					merged = &kept[k+1]
					k++
				}
			}
		}
		// Already over when the notice was published: history, not a window.
		if !published.IsZero() && !pageDated && !w.closes.IsZero() && w.closes.days() < published.days()-60 {
			continue
		}
		prevEnd := 0
		if k > 0 {
			prevEnd = kept[k-1].end
		}
		if c.tableWhat != "" {
			w.what, w.class = c.tableWhat, c.tableWhat // each cell its own stage
		} else {
			w.what, w.class = label(d, c, prevEnd)
		}
		if merged != nil {
			// Opening and deadline in one sentence: the deadline's words
			// usually name the stage (网络推荐的截止日期为).
			if what2, class2 := label(d, *merged, c.start); hasPos(what2) && !isActorLabel(what2) && (isActorLabel(w.what) || !hasPos(w.what)) {
				w.what, w.class = what2, class2
			}
		}
		w.evStart, w.evEnd = evidenceSpan(s, c)
		w.preFrom, w.preTo = c.labelStart, c.start
		ws = append(ws, w)
	}
	wk.windows = ws // all it wrote, for put to clear
	ws = dropReplaced(s, ws)
	ws = mergeWindows(s, ws)
	// The result's strings that need memory of their own (its dates, and
	// words read from the normalized text) are written one after another
	// and copied out as one string: one allocation, not one each.
	ps := wk.pieces[:0]
	for _, w := range ws {
		ps = append(ps, wk.textPiece(stageName(w.what)), wk.datePiece(w.opens), wk.datePiece(w.closes))
	}
	ps = append(ps, wk.textPiece(res.Title), wk.textPiece(res.Issuer), wk.textPiece(res.DocNumber), wk.datePiece(published))
	wk.pieces = ps
	all := string(wk.res)
	res.Title, res.Issuer, res.DocNumber, res.Published = ps[len(ws)*3].in(all), ps[len(ws)*3+1].in(all), ps[len(ws)*3+2].in(all), ps[len(ws)*3+3].in(all)
	if len(ws) > 0 {
		res.Windows = make([]Window, 0, len(ws))
	}
	for k, w := range ws {
		ev := trimSpace(text[n.orig(w.evStart):n.orig(w.evEnd)])
		start := n.orig(w.evStart)
		// Keep the span exact after trimming.
		if k := strings.Index(text[start:], ev); k >= 0 {
			start += k
		}
		res.Windows = append(res.Windows, Window{
			What: ps[3*k].in(all), Opens: ps[3*k+1].in(all), Closes: ps[3*k+2].in(all), ClosesTime: w.closesTime,
			Evidence: ev, Start: start, End: start + len(ev),
		})
	}
	wk.put()
	return res
}

type window struct {
	opens, closes  Date
	closesTime     string
	what, class    string
	evStart, evEnd int
	preFrom, preTo int // the clause before the date: who acts, when it names them (有关行业协会于……)
}

var actorSuffixes = []string{"单位", "企业", "协会", "学会", "部门", "学院", "高校", "学校", "局", "厅", "委", "办", "区", "县", "市", "镇", "街道", "园区", "申请人", "申报人", "负责人", "个人", "团队", "机构", "组织"}

// actorBefore reads who a dated clause addresses (有关行业协会于, 部直属单位
// 应于): the words before 于 when they end like an actor.
func actorBefore(pre string) string {
	t := trimSpace(pre)
	for _, w := range []string{"务必于", "须于", "需于", "应于", "请于", "于", "在"} {
		if strings.HasSuffix(t, w) {
			t = trimSpace(strings.TrimSuffix(t, w))
			for _, p := range []string{"请", "由"} {
				t = strings.TrimPrefix(t, p)
			}
			if moreRunes(t, 1) && !moreRunes(t, 14) && hasSuffixAny(t, actorSuffixes) {
				return t
			}
			return ""
		}
	}
	return ""
}

// nearestRef: with no publication date, a date written without its year
// takes the year most full dates of the notice's windows (kept) have (申报
// 时间为2022年5月10日至……；请于5月30日前), carried from the nearest of
// them, so that a December date followed by a January deadline moves to
// the next year (mode: yearMode of the windows). The windows' own dates, not an eligibility cut-off or a
// cited document's, say the notice's year; a 文号 or programme year
// (〔2019〕, 2020年度) is only the last resort, as it is often a year before
// or after the notice.
func nearestRef(kept []cand, at int, ref refYear, mode int) refYear {
	if mode == 0 {
		return ref
	}
	var best *mention
	for i := range kept {
		mt := fullDate(&kept[i])
		if mt == nil || mt.y != mode {
			continue
		}
		if kept[i].start < at {
			best = mt
			continue
		}
		if best == nil {
			best = mt
		}
		break
	}
	return refYear{date: Date{best.y, best.m, min(max(best.d, 1), daysIn(best.y, best.m))}}
}

// fullDate is a candidate's date written with its year, if any.
func fullDate(c *cand) *mention {
	if c.a.y != 0 && c.a.m != 0 {
		return &c.a
	}
	if c.kind == kRange && c.b.y != 0 && c.b.m != 0 {
		return &c.b
	}
	return nil
}

// yearMode is the year most full dates of the windows have (the later on a
// tie), or 0.
func yearMode(kept []cand) int {
	var years [8]struct{ y, n int }
	mode, modeN := 0, 0
	for i := range kept {
		mt := fullDate(&kept[i])
		if mt == nil {
			continue
		}
		for k := range years {
			if years[k].y == mt.y || years[k].y == 0 {
				years[k].y = mt.y
				years[k].n++
				if years[k].n > modeN || years[k].n == modeN && mt.y > mode {
					mode, modeN = mt.y, years[k].n
				}
				break
			}
		}
	}
	return mode
}

type refYear struct {
	date Date // the publication date, when known
	year int  // otherwise a year the notice is about
}

// yearFor picks the year of a month and day written without one: the
// publication year, or the next when the date would fall more than four
// months before publication (a December notice with a January deadline).
func (r refYear) yearFor(m, d int) int {
	if !r.date.IsZero() {
		y := r.date.Year
		if (Date{y, m, min(d, daysIn(y, m))}).days() < r.date.days()-120 {
			y++
		}
		return y
	}
	return r.year
}

func fix(y, m, d int) (Date, bool) {
	if y == 0 || m < 1 || m > 12 || d < 1 {
		return Date{}, false
	}
	if d > daysIn(y, m) {
		return Date{}, false
	}
	return Date{y, m, d}, true
}

// resolve turns a candidate into dates, carrying years and months across a
// range and inferring what is not written.
func resolve(c cand, ref refYear, published Date) (window, bool) {
	a := c.a
	date := func(mt mention, y int) (Date, bool) {
		if mt.monthEnd {
			return fix(y, mt.m, daysIn(y, mt.m))
		}
		return fix(y, mt.m, mt.d)
	}
	var w window
	switch c.kind {
	case kRange:
		b := c.b
		if c.fromToday {
			y := b.y
			if y == 0 {
				y = ref.yearFor(b.m, b.d)
			}
			cl, ok := date(b, y)
			if !ok {
				return w, false
			}
			w.opens, w.closes, w.closesTime = published, cl, b.t.String()
			if !w.opens.IsZero() && cl.less(w.opens) {
				w.opens = Date{}
			}
			return w, true
		}
		ay, by := a.y, b.y
		if b.m == 0 { // day-only end: 8月27日至30日
			b.m = a.m
			if b.d < a.d {
				b.m++
				if b.m > 12 {
					b.m = 1
					if ay != 0 {
						by = ay + 1
					}
				}
			}
		}
		switch {
		case ay == 0 && by == 0:
			ay = ref.yearFor(a.m, a.d)
			by = ay
			if b.m < a.m {
				by = ay + 1
			}
		case by == 0:
			by = ay
			if b.m < a.m {
				by = ay + 1
			}
		case ay == 0:
			ay = by
			if a.m > b.m {
				ay = by - 1
			}
		}
		op, ok1 := date(a, ay)
		cl, ok2 := date(b, by)
		if !ok1 || !ok2 || cl.less(op) || cl.days()-op.days() > 400 {
			return w, false
		}
		w.opens, w.closes = op, cl
		w.closesTime = b.t.String()
		return w, true
	default:
		if a.rel != 0 {
			// 本月/下月 count from the publication; without it, no date.
			if published.IsZero() || c.kind == kRange {
				return w, false
			}
			a.y, a.m = published.Year, published.Month+int(a.rel)-1
			if a.m > 12 {
				a.y, a.m = a.y+1, a.m-12
			}
		}
		y := a.y
		if y == 0 {
			y = ref.yearFor(a.m, a.d)
		}
		d, ok := date(a, y)
		if !ok {
			return w, false
		}
		switch c.kind {
		case kOpen:
			w.opens = d
		case kDay:
			w.opens, w.closes, w.closesTime = d, d, a.t.String()
		default:
			w.closes, w.closesTime = d, a.t.String()
		}
		return w, true
	}
}

// Label words: leading enumeration and filler, trailing "时间为:" and the like.
var labelTrailing = []string{"截止时间为", "截止日期为", "时间为", "日期为", "截止时间", "截止日期", "截止到", "截止至",
	"时间是", "时间", "日期", "起止", "截止", "不迟于", "不晚于", "最迟", "请于", "务必于", "须于", "应于", "可于", "统一于",
	"一并于", "即日起至", "即日起", "之日起至", "自", "从", "于", "在", "为", "是", ":", "(", "请", "务必", "须", "应", "均", "的", "可", "将", "拟", "、", ","}

// trailingByLast and leadingByFirst index the label words by their last
// and first rune, longest first, so trimming reads few of them.
var trailingByLast, leadingByFirst = indexWords(labelTrailing, true), indexWords(labelLeading, false)

// wordsByRune holds words grouped by one of their runes: a table read per
// lookup, where a map would hash the rune every time (cleanLabel looks up
// twice a round, for every label).
type wordsByRune struct {
	group  *[0x10000]uint8 // 1 + index in groups; 0: no word
	groups [][]string
}

// of returns the words indexed under r.
func (x *wordsByRune) of(r rune) []string {
	if r < 0 || r >= 0x10000 || x.group[r] == 0 {
		return nil
	}
	return x.groups[x.group[r]-1]
}

func indexWords(words []string, byLast bool) *wordsByRune {
	x := &wordsByRune{group: new([0x10000]uint8)}
	for _, w := range words {
		var r rune
		if byLast {
			r, _ = decodeLastRune(w)
		} else {
			r, _ = decodeRune(w)
		}
		if x.group[r] == 0 {
			x.groups = append(x.groups, nil)
			x.group[r] = uint8(len(x.groups))
		}
		x.groups[x.group[r]-1] = append(x.groups[x.group[r]-1], w)
	}
	for _, l := range x.groups {
		sort.SliceStable(l, func(i, j int) bool { return len(l[i]) > len(l[j]) })
	}
	return x
}

var labelLeading = []string{"请", "各", "并", "同时", "另外", "其中", "具体", "本次", ":", ")", "、", ".", "将", "把", "前", "之前", "以前", "止", "为止", "期间", "之间"}

// wordEnds are words whose last rune is also a trailing filler word (请,
// 可, 于 …): 提交申请 must not lose its 请.
// Only words that cannot be an actor followed by the filler: 单位于 is
// 单位 + 于, not 位于.
var wordEnds = []string{"申请", "邀请", "许可", "认可", "作为", "行为", "即将"}

func stripEnum(t string) string {
	for {
		t = trimSeparatorsLeft(t)
		switch {
		case strings.HasPrefix(t, "(") || strings.HasPrefix(t, "（"):
			k := indexCloseParen(t)
			if k > 0 && k <= 8 {
				t = t[k+1:]
				continue
			}
		case isEnumHeading(t) && !strings.HasPrefix(t, "第"):
			k := 0
			for k < len(t) && isDigit(t[k]) {
				k++
			}
			if k > 0 {
				t = t[k:]
				continue
			}
			if i := strings.Index(t, "、"); i > 0 && i <= 9 {
				t = t[i+3:]
				continue
			}
			if i := strings.Index(t, "."); i > 0 && i <= 9 {
				t = t[i+1:]
				continue
			}
		}
		r, w := decodeRune(t)
		if r >= '①' && r <= '⑳' {
			t = t[w:]
			continue
		}
		return t
	}
}

// cleanLabel tidies the words around a date into a stage name. keepEnd
// says which end to keep when it is long: the words right before a date
// name its stage, those right after it say what is handed in.
func cleanLabel(t string, keepEnd bool) string {
	// Only the words nearest the date matter; cut long clauses first so
	// that cleaning stays cheap.
	const window = 150
	if len(t) > window {
		if keepEnd {
			t = t[runeStart(t, len(t)-window):]
		} else {
			t = t[:runeStart(t, window)]
		}
	}
	t = dropSpace(t)
	t = dropShortParens(t)
	if keepEnd {
		t = dropCitedTitles(t)
	}
	// An aside the window cut open: drop it.
	if keepEnd {
		if k := strings.LastIndexByte(t, ')'); k >= 0 && strings.IndexByte(t[:k], '(') < 0 {
			t = t[k+1:]
		}
	} else if k := strings.IndexByte(t, '('); k > 0 && strings.IndexByte(t[k:], ')') < 0 {
		t = t[:k]
	}
	t = trimBullets(t)
	t = stripEnum(t)
	for changed := true; changed && t != ""; {
		changed = false
		last, _ := decodeLastRune(t)
		for _, w := range trailingByLast.of(last) {
			if strings.HasSuffix(t, w) && len(t) > len(w) && !(!moreRunes(w, 1) && hasSuffixAny(t, wordEnds)) {
				t, changed = t[:len(t)-len(w)], true
				break
			}
		}
		first, _ := decodeRune(t)
		for _, w := range leadingByFirst.of(first) {
			if strings.HasPrefix(t, w) && len(t) > len(w) {
				t, changed = t[len(w):], true
				break
			}
		}
		if t2 := trimSeparators(t); t2 != t {
			t, changed = t2, true
		}
	}
	if moreRunes(t, 24) {
		if keepEnd {
			if h, _, ok := nextCue(t, 0, len(t)); ok && h.kind == cuePos && !moreRunes(t[:h.start], 8) {
				keepEnd = false // the stage is named first: 各学院汇总提交……
			}
		}
		if !utf8.ValidString(t) {
			// Invalid bytes become U+FFFD, as the conversion to runes
			// makes them.
			rs := []rune(t)
			n := len(rs)
			if keepEnd {
				return string(rs[n-24:])
			}
			return string(rs[:24])
		}
		// Cut at the 24th rune from the end or the start: in valid UTF-8
		// every byte that is not a continuation byte starts a rune.
		if keepEnd {
			k := len(t)
			for runes := 0; runes < 24; runes++ {
				k--
				for !utf8.RuneStart(t[k]) {
					k--
				}
			}
			t = t[k:]
		} else {
			k := 0
			for runes := 0; runes < 24; runes++ {
				_, w := decodeRune(t[k:])
				k += w
			}
			t = t[:k]
		}
	}
	return t
}

// dropCitedTitles removes, from the words before a date, the titles of the
// notices they cite (《关于组织申报……的通知》网上申报截止时间): the stage is
// named beside such a title, never in it. A label that is only a title
// keeps it; a form's title (《推荐函》) is what is sent, and stays.
func dropCitedTitles(t string) string {
	for {
		i := strings.Index(t, "《")
		if i < 0 {
			return t
		}
		j := strings.Index(t[i:], "》")
		if j < 0 {
			return t
		}
		title := t[i : i+j]
		if !strings.Contains(title, "关于") && !strings.Contains(title, "通知") && !strings.Contains(title, "公告") {
			return t // a form named by its title (《推荐函》) is what is sent
		}
		rest := t[:i] + t[i+j+len("》"):]
		if trimSpace(rest) == "" {
			return t
		}
		t = rest
	}
}

// dropShortParens removes asides such as (附件2) and (一式两套) from a label.
func dropShortParens(t string) string {
	for i := 0; i < len(t); {
		k := strings.IndexByte(t[i:], '(')
		if k < 0 {
			break
		}
		k += i
		e := strings.IndexByte(t[k:], ')')
		if e < 0 || moreRunes(t[k:k+e], 12) || k == 0 {
			i = k + 1
			continue
		}
		t = t[:k] + t[k+e+1:]
		i = k
	}
	return t
}

// 人 covers 申请人, 申报人, 负责人, 个人.
var actorEnds = []string{"单位", "企业", "部门", "学院", "人员", "人", "各位", "老师", "机构", "公司", "高校", "院校", "医院", "团队"}

// isActorLabel reports a label that names who applies, not what is done.
func isActorLabel(t string) bool { return actorEndsByLast.endsOne(t) }

func hasPos(t string) bool {
	found := false
	eachCue(t, 0, len(t), func(h cueHit) bool {
		found = h.kind == cuePos || h.kind == cueReview
		return !found
	})
	return found
}

// label names a window's stage from the words before its date (网络填报受理时间:
// …), or after it (…前将申报材料报送市工信局), and gives the class used to
// tell stages with equal dates apart.
func label(d *doc, c cand, prevEnd int) (what, class string) {
	s := d.s
	from := max(c.labelStart, prevEnd)
	if from > c.start {
		from = c.labelStart
	}
	to := c.start
	if c.labelEnd > from && c.labelEnd < to {
		to = c.labelEnd
	}
	pre := cleanLabel(s[from:to], true)
	prePos := hasPos(pre) // asked again below only when pre changes
	if !prePos && from > c.labelStart {
		// 截止时间:第一批为5月22日、第二批为7月20日: the stage is named
		// once, before the first date of the list.
		leadText := s[c.labelStart:firstDigitRun(s, c.labelStart, c.start)]
		if k := strings.LastIndexByte(leadText, ':'); k > 0 && !hasPos(leadText[k:]) {
			leadText = leadText[:k]
		}
		if lead := cleanLabel(leadText, true); hasPos(lead) {
			pre = trimSpace(lead + " " + pre)
			prePos = hasPos(pre)
		}
	}
	if prePos && !isActorLabel(pre) {
		what = pre
	} else {
		// The words after the date: …前将申报材料报送市工信局.
		postFrom, postTo := c.end, c.postEnd
		if postTo <= postFrom || trimSpace(strings.Trim(s[postFrom:postTo], ",;")) == "" {
			se := d.sentenceEndOf(&c)
			// The next clause names this stage unless it has a date of its
			// own (第一批截止时间为5月22日,第二批截止时间为7月20日).
			if postTo < se {
				if next := subEnd(s, postTo+1, se); !holdsDate(s[postTo:next]) {
					postTo = next
				}
			}
		}
		post := ""
		if postTo > postFrom {
			post = cleanLabel(s[postFrom:postTo], false)
		}
		switch {
		case hasPos(post):
			what = post
		case pre != "":
			what = pre
		case post != "":
			what = post
		default:
			what = "申报"
		}
	}
	// A batch named before the date in its sentence: 第一批:…
	if b := lastBatch(s[d.sentenceStartOf(&c):c.start]); b != "" && !strings.Contains(what, "批") {
		what = b + " " + what
	}
	class = lastBatch(what) + stageClass(what)
	return what, class
}

var stageGroups = [][]string{
	{"网上", "网络", "在线", "系统", "平台", "电子"},
	{"纸质", "书面", "纸本", "盖章"},
	{"审核", "初审", "审查"},
	{"推荐"},
}

// stageWordList holds the words of all stageGroups, stageWordGroup says
// the group of each, and stageClasses[m] is the class of the groups in
// bit mask m: stageClass reads its text once and builds no string.
var stageWordList, stageWordGroup, stageClasses = func() (*wordList, []int, []string) {
	var words []string
	var group []int
	for g, ws := range stageGroups {
		for _, w := range ws {
			words, group = append(words, w), append(group, g)
		}
	}
	classes := make([]string, 1<<len(stageGroups))
	for m := range classes {
		for g, ws := range stageGroups {
			if m&(1<<g) != 0 {
				classes[m] += ws[0]
			}
		}
	}
	return newWordList(words...), group, classes
}()

// stageClass names the groups of stageGroups whose words t holds, in
// their order (网上纸质).
func stageClass(t string) string {
	found := stageWordList.in(t)
	m := 0
	for k, g := range stageWordGroup {
		if found&(1<<k) != 0 {
			m |= 1 << g
		}
	}
	return stageClasses[m]
}

// evidenceSpan is the clause that states a window: from where its stage is
// named to the end of the date (and the words after it when they name the
// stage), within the sentence.
func evidenceSpan(s string, c cand) (int, int) {
	start := c.labelStart
	for start < c.start && (s[start] == ' ' || s[start] == '\n' || s[start] == ',') {
		start++
	}
	end := c.end
	if c.postEnd > end && !moreRunes(s[end:c.postEnd], 40) {
		end = c.postEnd
		if k := strings.IndexByte(s[c.end:end], '\n'); k >= 0 {
			end = c.end + k
		}
	}
	if end-start > 600 {
		start = runeStart(s, end-600)
	}
	return start, end
}

// mergeWindows drops restatements: the same dates for the same stage (or
// for an unnamed one), and a bare deadline that repeats a range's closing
// date (whose time of day it may add).
func mergeWindows(s string, ws []window) []window {
	out := ws[:0] // merged in place: out never runs ahead of the window read
	for _, w := range ws {
		merged := false
		for i := range out {
			o := &out[i]
			if o.closes == w.closes {
				// Read only when the dates would merge them.
				if a, b := actorBefore(s[o.preFrom:max(o.preFrom, o.preTo)]), actorBefore(s[w.preFrom:max(w.preFrom, w.preTo)]); a != "" && b != "" && a != b {
					continue // two addressees, one date: two stages
				}
			}
			compatible := o.class == w.class || o.class == "" || w.class == "" ||
				o.class == w.class && strings.TrimLeft(o.class, "第一二三四五六七八九十批") == "" && strings.TrimLeft(w.class, "第一二三四五六七八九十批") == ""
			if !compatible {
				continue
			}
			if o.opens == w.opens && o.closes == w.closes {
				if o.closesTime == "" {
					o.closesTime = w.closesTime
				}
				merged = true
				break
			}
			if w.opens.IsZero() && !o.opens.IsZero() && o.closes == w.closes && !w.closes.IsZero() {
				if o.closesTime == "" {
					o.closesTime = w.closesTime
				}
				merged = true
				break
			}
			// An opening stated on its own (将于5月20日开始) and the range
			// that starts that day (申报时间为5月20日至6月19日): one window.
			if w.closes.IsZero() && !w.opens.IsZero() && o.opens == w.opens && !o.closes.IsZero() {
				merged = true
				break
			}
			if o.closes.IsZero() && !o.opens.IsZero() && o.opens == w.opens && !w.closes.IsZero() {
				*o = w
				merged = true
				break
			}
			if o.opens.IsZero() && !w.opens.IsZero() && o.closes == w.closes && !w.closes.IsZero() {
				// The range came second: it replaces the bare deadline.
				t := o.closesTime
				*o = w
				if o.closesTime == "" {
					o.closesTime = t
				}
				merged = true
				break
			}
		}
		if !merged {
			out = append(out, w)
		}
	}
	return out
}

// holdsDate reports a written day or month: a digit right before 月 or 日.
func holdsDate(t string) bool {
	for _, mark := range []string{"月", "日"} {
		for i := strings.Index(t, mark); i >= 0; {
			if i > 0 && isDigit(t[i-1]) {
				return true
			}
			k := strings.Index(t[i+len(mark):], mark)
			if k < 0 {
				break
			}
			i += len(mark) + k
		}
	}
	return false
}

// replacedInPlace: a date that its own sentence replaces (原定3月10日的截止
// 时间现调整为3月20日; 由3月10日延长至3月20日) is no window: between it and
// the next date stands a word that moves a deadline, or 原定 comes before it.
func replacedInPlace(s string, cs []cand, i int) bool {
	c := &cs[i]
	if c.kind == kRange || i+1 >= len(cs) {
		return false
	}
	next := cs[i+1].start
	if t := s[c.end:max(c.end, next)]; next < c.end || next-c.end > 60 || strings.IndexByte(t, ';') >= 0 || strings.IndexByte(t, ',') >= 0 ||
		strings.IndexByte(t, '\n') >= 0 || strings.Contains(t, "。") {
		return false
	}
	between := s[c.end:next]
	for _, x := range extensionWords {
		if strings.Contains(between, x) {
			return true
		}
	}
	return false
}

// issuerShort are the long forms of office names and the short forms
// notices call themselves by (某某市科学技术局 → 市科技局).
var issuerShort = [][2]string{
	{"科学技术局", "科技局"}, {"科学技术厅", "科技厅"}, {"科学技术委员会", "科委"},
	{"工业和信息化局", "工信局"}, {"工业和信息化厅", "工信厅"}, {"经济和信息化局", "经信局"},
	{"经济和信息化委员会", "经信委"}, {"经济和信息化厅", "经信厅"}, {"发展和改革委员会", "发改委"},
	{"发展改革委员会", "发改委"}, {"农业农村局", "农业农村局"}, {"农业农村厅", "农业农村厅"},
	{"人力资源和社会保障局", "人社局"}, {"人力资源和社会保障厅", "人社厅"}, {"市场监督管理局", "市场监管局"},
	{"商务局", "商务局"}, {"商务厅", "商务厅"}, {"财政局", "财政局"}, {"教育局", "教育局"}, {"教育厅", "教育厅"},
}

// ownNames are the names the issuing office goes by in its own notice:
// its full name, and its level with the short form (市科技局), so that a
// step the office itself takes (市科技局于……前将审核结果汇总) is known.
func ownNames(issuer string, buf *[2]string) []string {
	issuer = trimSpace(issuer)
	if issuer == "" || severalIssuers(issuer) {
		return nil // several issuers: their steps are not told apart
	}
	out := append(buf[:0], issuer)
	for k, p := range issuerShort {
		if !strings.HasSuffix(issuer, p[0]) {
			continue
		}
		place := strings.TrimSuffix(issuer, p[0])
		for l, lvl := range officeLevelNames {
			if strings.HasSuffix(place, lvl) {
				out = append(out, shortOfficeNames[k][l])
				break
			}
		}
		break
	}
	return out
}

// officeLevelNames are the levels an office's short name starts with, and
// shortOfficeNames[k][l] is level l's short form of issuerShort[k] (市科技局),
// joined once rather than for every notice.
var officeLevelNames = [...]string{"市", "省", "区", "县"}

var shortOfficeNames = func() [][len(officeLevelNames)]string {
	out := make([][len(officeLevelNames)]string, len(issuerShort))
	for k, p := range issuerShort {
		for l, lvl := range officeLevelNames {
			out[k][l] = lvl + p[1]
		}
	}
	return out
}()

// indexCJK is strings.Index for a word of three-byte characters, found by
// its last byte with IndexByte, where Index would stop at every lead byte
// of Chinese text.
func indexCJK(s, w string) int {
	last := w[len(w)-1]
	for i := len(w) - 1; i < len(s); {
		k := strings.IndexByte(s[i:], last)
		if k < 0 {
			return -1
		}
		i += k
		if s[i-len(w)+1:i+1] == w {
			return i - len(w) + 1
		}
		i++
	}
	return -1
}

// extensionWords move a deadline: the date after them replaces an earlier
// one.
var extensionWords = []string{"延至", "延长至", "延期至", "推迟至", "顺延至", "延迟至", "顺延", "调整为", "调整至", "延长到", "延期到"}

// dropReplaced: in a notice that moves its deadline (原定9月10日截止，现延至
// 9月20日), the deadlines stated before the first move and closing before
// the moved one are replaced, not windows. Windows whose own sentence
// moves a date are the new ones.
func dropReplaced(s string, ws []window) []window {
	first, latest := -1, Date{}
	for _, w := range ws {
		ev := s[w.evStart:w.evEnd]
		// Every extension word holds 延, 调整 or 推迟: most evidence has
		// none, which three searches by the words' last bytes tell (their
		// first bytes lead many Chinese characters, their last bytes end
		// few; the text is valid UTF-8, so a match is a match of runes).
		if indexCJK(ev, "延") < 0 && indexCJK(ev, "调整") < 0 && indexCJK(ev, "推迟") < 0 {
			continue
		}
		for _, x := range extensionWords {
			if strings.Contains(ev, x) {
				if first < 0 || w.evStart < first {
					first = w.evStart
				}
				if latest.less(w.closes) {
					latest = w.closes
				}
				break
			}
		}
	}
	if first < 0 {
		return ws
	}
	out := ws[:0]
	for _, w := range ws {
		if w.evEnd <= first && !w.closes.IsZero() && w.closes.less(latest) {
			continue
		}
		out = append(out, w)
	}
	return out
}

// lastBatch finds the last "第X批" (X at most three characters) in t.
func lastBatch(t string) string {
	// Most clauses name no batch: look for 批's last byte (0xB9) first,
	// which IndexByte finds fast, before the slower search from the end.
	if k := strings.IndexByte(t, 0xB9); k < 0 || !strings.Contains(t[max(0, k-2):], "批") {
		return ""
	}
	for end := len(t); end > 0; {
		j := strings.LastIndex(t[:end], "批")
		if j < 0 {
			return ""
		}
		i := strings.LastIndex(t[:j], "第")
		if i >= 0 && j-i <= 12 && j-i > 3 {
			return t[i : j+3]
		}
		end = j
	}
	return ""
}

// firstDigitRun returns where the first date-like digit run in s[from:to]
// starts (to when there is none).
func firstDigitRun(s string, from, to int) int {
	for i := from; i < to; i++ {
		if isDigit(s[i]) {
			return i
		}
	}
	return to
}

// dropSpace removes white space (labels are Chinese: spaces are layout).
func dropSpace(t string) string {
	if strings.IndexByte(t, ' ') < 0 && strings.IndexByte(t, '\n') < 0 {
		return t
	}
	// A Builder hands its buffer over as the string: one allocation, not
	// a buffer and its copy.
	var b strings.Builder
	b.Grow(len(t))
	for i := 0; i < len(t); i++ {
		if t[i] != ' ' && t[i] != '\n' {
			b.WriteByte(t[i])
		}
	}
	return b.String()
}

// trimSeparators trims " ,;:." and 、 from both ends (strings.Trim with a
// non-ASCII cutset is slow on the hot path).
func trimSeparators(t string) string {
	t = trimSeparatorsLeft(t)
	for t != "" {
		switch {
		case isSeparator(t[len(t)-1]):
			t = t[:len(t)-1]
		case strings.HasSuffix(t, "、"):
			t = t[:len(t)-3]
		default:
			return t
		}
	}
	return t
}

// trimBullets drops list bullets a label may start with.
func trimBullets(t string) string {
	for t != "" {
		r, w := decodeRune(t)
		switch r {
		case '•', '·', '■', '◆', '●', '▪', '-', '*', '>', '》':
			t = t[w:]
		default:
			return t
		}
	}
	return t
}

// isSeparator reports the bytes of " ,;:.|" (a switch: IndexByte on the
// set is a call for each byte tested).
func isSeparator(c byte) bool {
	switch c {
	case ' ', ',', ';', ':', '.', '|':
		return true
	}
	return false
}

func trimSeparatorsLeft(t string) string {
	for t != "" {
		switch {
		case isSeparator(t[0]):
			t = t[1:]
		case strings.HasPrefix(t, "、"):
			t = t[3:]
		default:
			return t
		}
	}
	return t
}

// severalIssuers is strings.ContainsAny(issuer, "、,"): a list of offices.
// (A rune's bytes are found where the rune is: its lead byte cannot sit
// inside another rune.)
func severalIssuers(issuer string) bool {
	return strings.IndexByte(issuer, ',') >= 0 || strings.Contains(issuer, "、")
}

// indexCloseParen is strings.IndexAny(t, ")）"), as two searches.
func indexCloseParen(t string) int {
	k := strings.IndexByte(t, ')')
	if k2 := strings.Index(t, "）"); k2 >= 0 && (k < 0 || k2 < k) {
		k = k2
	}
	return k
}
