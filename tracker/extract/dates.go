package extract

import (
	"strings"
	"unicode/utf8"
)

// clock is a time of day; ok is false when none was written.
type clock struct {
	h, m int8
	ok   bool
}

func (c clock) String() string {
	if !c.ok {
		return ""
	}
	return string([]byte{byte('0' + c.h/10), byte('0' + c.h%10), ':', byte('0' + c.m/10), byte('0' + c.m%10)})
}

// mention is one date written in the normalized text.
type mention struct {
	start, end int // bytes of the normalized text, the time of day included
	y, m, d    int // y == 0: the year was not written
	monthEnd   bool
	t          clock // time of day after the date
	t0         clock // start of daily hours "(9:00-17:30)", or of a range "8:00—"
	daily      bool  // t0-t are office hours of that day
	rel        int8  // 1: 本月 (the publication's month), 2: 下月; m is 0 until resolved
}

const maxGap = 8 // white space allowed between the parts of a date (PDF text)

func skipWS(s string, i int) int {
	for n := 0; i < len(s) && n < maxGap; n++ {
		if c := s[i]; c == ' ' || c == '\n' {
			i++
			continue
		}
		break
	}
	return i
}

// hasAt reports whether s has lit at i. Most positions asked about hold
// another word: two bytes tell, before the whole of lit is compared (which
// calls memequal, lit being no constant once hasAt is inlined).
func hasAt(s string, i int, lit string) bool {
	if i < 0 || len(s)-i < len(lit) {
		return false
	}
	if len(lit) >= 2 && (s[i] != lit[0] || s[i+1] != lit[1]) {
		return false
	}
	return s[i:i+len(lit)] == lit
}

// runeAt decodes the rune at i (utf8.RuneError, 0 at the end).
func runeAt(s string, i int) (rune, int) {
	if i >= len(s) {
		return utf8.RuneError, 0
	}
	if c := s[i]; c < utf8.RuneSelf {
		return rune(c), 1
	}
	return decodeRune(s[i:])
}

// runeBefore decodes the rune ending at i.
func runeBefore(s string, i int) (rune, int) {
	if i <= 0 {
		return utf8.RuneError, 0
	}
	if c := s[i-1]; c < utf8.RuneSelf {
		return rune(c), 1
	}
	return decodeLastRune(s[:i])
}

func isDigit(c byte) bool { return c >= '0' && c <= '9' }

// asciiNum reads up to max digits at i.
func asciiNum(s string, i, max int) (v, end, n int) {
	end = i
	for end < len(s) && isDigit(s[end]) && n < max {
		v = v*10 + int(s[end]-'0')
		end++
		n++
	}
	return v, end, n
}

// cnDigitOf is the value of a Chinese digit (O and o stand for 〇 in years).
func cnDigitOf(r rune) (int, bool) {
	switch r {
	case '零', 'O', 'o':
		return 0, true
	case '一':
		return 1, true
	case '二', '两':
		return 2, true
	case '三':
		return 3, true
	case '四':
		return 4, true
	case '五':
		return 5, true
	case '六':
		return 6, true
	case '七':
		return 7, true
	case '八':
		return 8, true
	case '九':
		return 9, true
	}
	return 0, false
}

func cnDigitAt(s string, i int) (int, int, bool) {
	r, w := runeAt(s, i)
	if r == 'O' || r == 'o' || r == '两' {
		// Only inside a numeral: "二OO六", never on their own.
		return 0, w, false
	}
	v, ok := cnDigitOf(r)
	return v, w, ok
}

// cnYear reads four Chinese digits (二〇一九, 二OO六) at i.
func cnYear(s string, i int) (int, int, bool) {
	v, j := 0, i
	for k := 0; k < 4; k++ {
		r, w := runeAt(s, j)
		d, ok := cnDigitOf(r)
		if !ok || r == '两' || (k == 0 && (r == 'O' || r == 'o' || r == '零')) {
			return 0, i, false
		}
		v = v*10 + d
		j += w
	}
	return v, j, true
}

// cnSmall reads a Chinese number from 1 to 39 (十一, 二十, 廿三, 三十一) at i.
func cnSmall(s string, i int) (int, int, bool) {
	j := i
	tens, units := 0, 0
	r, w := runeAt(s, j)
	switch {
	case r == '十':
		tens, j = 1, j+w
	case r == '廿':
		tens, j = 2, j+w
	case r == '卅':
		tens, j = 3, j+w
	default:
		d, dw, ok := cnDigitAt(s, j)
		if !ok || d == 0 {
			return 0, i, false
		}
		j += dw
		if r2, w2 := runeAt(s, j); r2 == '十' {
			if d > 3 {
				return 0, i, false
			}
			tens, j = d, j+w2
		} else {
			return d, j, true
		}
	}
	if d, dw, ok := cnDigitAt(s, j); ok && d > 0 {
		units, j = d, j+dw
	}
	return tens*10 + units, j, true
}

// smallNum reads a month, day or hour: ASCII digits or a Chinese number.
func smallNum(s string, i int) (int, int, bool) {
	if i < len(s) && isDigit(s[i]) {
		v, end, n := asciiNum(s, i, 3)
		if n > 2 {
			return 0, i, false
		}
		return v, end, true
	}
	return cnSmall(s, i)
}

func validMD(m, d int) bool { return m >= 1 && m <= 12 && d >= 1 && d <= 31 }

// dayMark reads 日 or 号 at i.
func dayMark(s string, i int) (int, bool) {
	if hasAt(s, i, "日") || hasAt(s, i, "号") {
		return i + 3, true
	}
	return i, false
}

// monthEndMark reads 底 or 末 (月底, 月末) at i.
func monthEndMark(s string, i int) (int, bool) {
	if hasAt(s, i, "底") || hasAt(s, i, "末") {
		return i + 3, true
	}
	return i, false
}

// dayWord reads a day written as a word after 月: 底 or 末 (the month's
// end), or 上旬前, 中旬前, 下旬前.
func dayWord(s string, i int) (day int, monthEnd bool, end int, ok bool) {
	if e, ok := monthEndMark(s, i); ok {
		return 0, true, e, true
	}
	if d, e, ok := tenDayDeadline(s, i); ok {
		return d, d == 0, e, true
	}
	return 0, false, i, false
}

// tenDayDeadline reads 上旬前, 中旬之前, 下旬以前 at i: the last day of the
// month's first, second or last ten days (10, 20, 0 for the month's end).
// Only as a deadline: "4月上旬开始" names no day to open on.
func tenDayDeadline(s string, i int) (day, end int, ok bool) {
	switch {
	case hasAt(s, i, "上旬"):
		day = 10
	case hasAt(s, i, "中旬"):
		day = 20
	case hasAt(s, i, "下旬"):
		day = 0
	default:
		return 0, i, false
	}
	k := skipWS(s, i+6)
	if hasAt(s, k, "前") || hasAt(s, k, "之前") || hasAt(s, k, "以前") {
		return day, i + 6, true
	}
	return 0, i, false
}

// scanDate reads a date starting at i into mt (a pointer: a mention is
// large, and most anchors are no date), or returns false. It does not read
// a time of day.
func scanDate(s string, i int, mt *mention) bool {
	*mt = mention{start: i}
	if i < len(s) && isDigit(s[i]) {
		v, j, n := asciiNum(s, i, 8)
		if n == 4 && v >= 1950 && v <= 2099 {
			return scanAfterYear(s, mt, v, j)
		}
		if i > 0 && s[i-1] == '[' {
			return false // a 文号 whose 〕 was lost: [20181111号
		}
		if n > 2 {
			// The mangled form 2017630日 (年 and 月 lost): YYYY then M DD or
			// MM DD, before 日 or right before 前 (2022415之前).
			if n == 7 || n == 8 {
				end, ok := j+3, hasAt(s, j, "日") || hasAt(s, j, "号")
				if !ok && (hasAt(s, j, "前") || hasAt(s, j, "之前") || hasAt(s, j, "以前")) {
					end, ok = j, true
				}
				// 截止时间:20181011, YYYYMMDD after a deadline's label.
				if !ok && n == 8 && i >= 3 && hasAt(s, i-1, ":") && (hasAt(s, i-7, "时间") || hasAt(s, i-7, "日期")) {
					end, ok = j, true
				}
				y, _, _ := asciiNum(s, i, 4)
				if ok && y >= 1950 && y <= 2099 {
					if m, d, ok := splitMangled(s[i+4 : j]); ok {
						mt.y, mt.m, mt.d, mt.end = y, m, d, end
						return true
					}
				}
			}
			// 月 and 日 both lost: 需在1023前 is 10月23日前.
			if n == 4 && (hasAt(s, j, "前") || hasAt(s, j, "之前") || hasAt(s, j, "以前")) {
				if m, d, ok := splitMangled(s[i:j]); ok {
					mt.m, mt.d, mt.end = m, d, j
					return true
				}
			}
			// 月 lost, no year: 于511日前 is 5月11日前, when only one reading
			// makes a date and a deadline word follows.
			if n == 3 || n == 4 {
				if e, ok := lostMonthEnd(s, j); ok {
					if m, d, ok := splitMangled(s[i:j]); ok {
						mt.m, mt.d, mt.end = m, d, e
						return true
					}
				}
			}
			return false
		}
		// 于67日前: no day is 67, so 6月7日.
		if n == 2 && v > 31 && v%10 != 0 {
			if e, ok := lostMonthEnd(s, j); ok {
				mt.m, mt.d, mt.end = v/10, v%10, e
				return true
			}
		}
		// 本月25日前, 下月10日前: a day of the publication's month or the next.
		if n <= 2 && v >= 1 && v <= 31 && i >= 6 && (hasAt(s, i-6, "本月") || hasAt(s, i-6, "下月")) {
			if e, ok := dayMark(s, skipWS(s, j)); ok {
				mt.start, mt.d, mt.end, mt.rel = i-6, v, e, 1
				if hasAt(s, i-6, "下月") {
					mt.rel = 2
				}
				return true
			}
		}
		return scanMonthDay(s, mt, v, j)
	}
	if y, j, ok := cnYear(s, i); ok && y >= 1950 && y <= 2099 {
		return scanAfterYear(s, mt, y, j)
	}
	if m, j, ok := cnSmall(s, i); ok {
		return scanMonthDay(s, mt, m, j)
	}
	return false
}

// lostMonthEnd reads the 日 of a date whose 月 was lost, and says whether
// what follows makes it a deadline or a day to act (前, 上午, 止 …); it
// returns the end of 日.
func lostMonthEnd(s string, j int) (int, bool) {
	if !hasAt(s, j, "日") && !hasAt(s, j, "号") {
		return 0, false
	}
	if lostMonthFollow.at(s, skipWS(s, j+3)) >= 0 {
		return j + 3, true
	}
	return 0, false
}

// lostMonthFollow are the words after 日 that make a date whose 月 was lost
// a deadline or a day to act.
var lostMonthFollow = newPrefixList("前", "之前", "以前", "上午", "下午", "中午", "晚", "止", "截止", "(", "17", "18", "24")

func splitMangled(rest string) (int, int, bool) {
	num := func(t string) int {
		v := 0
		for k := 0; k < len(t); k++ {
			v = v*10 + int(t[k]-'0')
		}
		return v
	}
	switch len(rest) {
	case 4:
		m, d := num(rest[:2]), num(rest[2:])
		return m, d, validMD(m, d)
	case 3:
		m1, d1 := num(rest[:1]), num(rest[1:])
		m2, d2 := num(rest[:2]), num(rest[2:])
		ok1, ok2 := validMD(m1, d1) && d1 >= 10, validMD(m2, d2)
		if ok1 && !ok2 {
			return m1, d1, true
		}
		if ok2 && !ok1 {
			return m2, d2, true
		}
	}
	return 0, 0, false
}

func scanAfterYear(s string, mt *mention, y, j int) bool {
	k := skipWS(s, j)
	if hasAt(s, k, "年") {
		k = skipWS(s, k+3)
		m, k2, ok := smallNum(s, k)
		if !ok || m < 1 || m > 12 {
			return false
		}
		k = skipWS(s, k2)
		if !hasAt(s, k, "月") && !hasAt(s, k, "份") {
			return false
		}
		afterMonth := k + 3
		k = skipWS(s, afterMonth)
		if d, monthEnd, e, ok := dayWord(s, k); ok {
			mt.y, mt.m, mt.d, mt.monthEnd, mt.end = y, m, d, monthEnd, e
			if monthEnd {
				mt.d = daysIn(y, m)
			}
			return true
		}
		d, k2, ok := smallNum(s, k)
		if !ok || !validMD(m, d) {
			return false
		}
		mt.y, mt.m, mt.d, mt.end = y, m, d, k2
		if e, ok := dayMark(s, skipWS(s, k2)); ok {
			mt.end = e
		} else if !isDigit(s[k]) || strings.IndexByte(s[afterMonth:k], '\n') >= 0 {
			// Without 日, only digits on the same line are a day
			// (2019年8月27): 2023年12月 over the heading 三、受理时间 is a
			// month.
			return false
		}
		return true
	}
	// 2019-08-27, 2019.8.27, 2019/8/27: no white space inside.
	if j < len(s) && (s[j] == '-' || s[j] == '.' || s[j] == '/') {
		sep := s[j]
		m, k2, n := asciiNum(s, j+1, 3)
		if n == 0 || n > 2 || k2 >= len(s) || s[k2] != sep {
			return false
		}
		d, k3, n2 := asciiNum(s, k2+1, 3)
		if n2 == 0 || n2 > 2 || !validMD(m, d) {
			return false
		}
		if sep == '.' && k3+1 < len(s) && s[k3] == '.' && isDigit(s[k3+1]) {
			return false // an IP address or a version, not a date
		}
		mt.y, mt.m, mt.d, mt.end = y, m, d, k3
		if e, ok := dayMark(s, k3); ok {
			mt.end = e
		}
		return true
	}
	return false
}

func scanMonthDay(s string, mt *mention, m, j int) bool {
	if m < 1 || m > 12 {
		return false
	}
	k := skipWS(s, j)
	if !hasAt(s, k, "月") {
		return false
	}
	k = skipWS(s, k+3)
	if d, monthEnd, e, ok := dayWord(s, k); ok {
		mt.m, mt.d, mt.monthEnd, mt.end = m, d, monthEnd, e
		return true
	}
	d, k2, ok := smallNum(s, k)
	// 5月1 2 日: a day whose digits a PDF spaced apart.
	if ok && d < 10 && k2+2 < len(s) && s[k2] == ' ' && isDigit(s[k2+1]) && (hasAt(s, k2+2, "日") || hasAt(s, k2+2, " 日")) {
		d, k2 = d*10+int(s[k2+1]-'0'), k2+2
	}
	if !ok || !validMD(m, d) {
		return false
	}
	e, ok := dayMark(s, skipWS(s, k2))
	if !ok {
		// "9月20" without 日 is too weak to be a date (9月20个工作日).
		return false
	}
	mt.m, mt.d, mt.end = m, d, e
	return true
}

// scanDayOnly reads "30日" at i: the end of a range whose month is carried.
func scanDayOnly(s string, i int) (mention, bool) {
	d, j, ok := smallNum(s, i)
	if !ok || d < 1 || d > 31 {
		return mention{}, false
	}
	e, ok := dayMark(s, skipWS(s, j))
	if !ok {
		return mention{}, false
	}
	return mention{start: i, end: e, d: d}, true
}

// skipWeekday passes over a weekday note: (星期五), （周五）, 星期五, 周五.
func skipWeekday(s string, i int) int {
	k := skipWS(s, i)
	paren := false
	if hasAt(s, k, "(") {
		paren, k = true, skipWS(s, k+1)
	}
	switch {
	case hasAt(s, k, "星期"), hasAt(s, k, "礼拜"):
		k += 6
	case hasAt(s, k, "周"):
		k += 3
	default:
		return i
	}
	r, w := runeAt(s, k)
	switch r {
	case '一', '二', '三', '四', '五', '六', '日', '天', '七':
	default:
		return i
	}
	k += w
	if paren {
		k = skipWS(s, k)
		if !hasAt(s, k, ")") {
			return i
		}
		k++
	}
	return k
}

// scanClock reads a time of day at i: 17:00, 17:00时, 17时, 17时30分,
// 下午5点, 24时. It returns the end, or false.
func scanClock(s string, i int) (clock, int, bool) {
	if !clockMayStart(s, i) {
		return clock{}, i, false // most dates have no time after them
	}
	k := i
	pm, am := false, false
	night := false
	for _, p := range []string{"下午", "晚上", "中午", "傍晚", "晚"} {
		if hasAt(s, k, p) {
			pm, night, k = true, p == "晚上" || p == "晚", k+len(p)
			break
		}
	}
	for _, p := range []string{"上午", "早上", "凌晨"} {
		if hasAt(s, k, p) {
			am, k = true, k+len(p)
			break
		}
	}
	k = skipWS(s, k)
	h, k2, ok := smallNum(s, k)
	if !ok || h > 24 {
		return clock{}, i, false
	}
	k = k2
	mi := 0
	switch {
	case hasAt(s, k, ":"):
		v, k3, n := asciiNum(s, k+1, 3)
		if n != 2 || v > 59 {
			return clock{}, i, false
		}
		mi, k = v, k3
		if hasAt(s, k, "时") {
			k += 3
		}
	case hasAt(s, k, "时"), hasAt(s, k, "点"):
		k += 3
		if v, k3, ok := smallNum(s, k); ok && v <= 59 && hasAt(s, k3, "分") {
			mi, k = v, k3+3
		} else if hasAt(s, k, "半") {
			mi, k = 30, k+3
		} else if hasAt(s, k, "整") {
			k += 3
		}
	default:
		return clock{}, i, false
	}
	if pm && h < 12 {
		h += 12
	}
	if night && h == 12 && mi == 0 {
		h = 24 // 晚12时: midnight at the end of that day
	}
	if am && h == 12 {
		h = 0
	}
	if h == 24 && mi != 0 {
		return clock{}, i, false
	}
	return clock{h: int8(h), m: int8(mi), ok: true}, k, true
}

// clockMayStart reports whether a time of day may start at i, as
// scanClock reads one: with a part of the day (下午, 上午 …), white space,
// a digit or a Chinese number's first character. It tells at one rune what
// scanClock would find after trying every part of the day.
func clockMayStart(s string, i int) bool {
	if i >= len(s) {
		return false
	}
	if c := s[i]; c < utf8.RuneSelf {
		return isDigit(c) || c == ' ' || c == '\n'
	}
	r, _ := decodeRune(s[i:])
	switch r {
	case '下', '晚', '中', '傍', '上', '早', '凌', '十', '廿', '卅', '一', '二', '三', '四', '五', '六', '七', '八', '九':
		return true
	}
	return false
}

// skipAside passes over a short aside after a date that does not change
// it: (含), (含当日), (以邮戳为准).
func skipAside(s string, i int) int {
	k := skipWS(s, i)
	if !hasAt(s, k, "(") {
		return i
	}
	e := strings.IndexByte(s[k:min(len(s), k+40)], ')')
	if e < 0 {
		return i
	}
	in := s[k+1 : k+e]
	for _, w := range []string{"含", "邮戳", "为准", "送达", "寄出", "节假日", "工作日"} {
		if strings.Contains(in, w) && !strings.ContainsAny(in, "0123456789") {
			return k + e + 1
		}
	}
	return i
}

// readTime extends a date mention with what follows it: a weekday note, a
// time of day, or daily office hours "(9:00-17:30)".
func readTime(s string, mt *mention) {
	if !timeMayFollow(s, mt.end) {
		return
	}
	mt.end = skipAside(s, mt.end)
	k := skipWeekday(s, mt.end)
	mt.end = skipAside(s, k)
	k = mt.end
	if hasAt(s, k, "(") {
		// Daily hours: (9:00-17:30)
		if t0, k2, ok := scanClock(s, skipWS(s, k+1)); ok {
			k2 = skipWS(s, k2)
			if k2 < len(s) && (s[k2] == '-' || s[k2] == '~' || hasAt(s, k2, "至")) {
				step := 1
				if s[k2] != '-' && s[k2] != '~' {
					step = 3
				}
				if t1, k3, ok := scanClock(s, skipWS(s, k2+step)); ok {
					k3 = skipWS(s, k3)
					if hasAt(s, k3, ")") {
						mt.t0, mt.t, mt.daily, mt.end = t0, t1, true, k3+1
						return
					}
				}
			}
		}
		return
	}
	k = skipWS(s, k)
	// 上午8-11时, 下午2-5点: hours of that day, the unit written once.
	if t0, t1, k2, ok := hourSpan(s, k); ok {
		mt.t0, mt.t, mt.daily, mt.end = t0, t1, true, k2
		return
	}
	if t, k2, ok := scanClock(s, k); ok {
		mt.t, mt.end = t, skipAside(s, k2)
		k2 = mt.end
		// "8:00-17:30" on the same day: office hours.
		k3 := skipWS(s, k2)
		if k3 < len(s) && (s[k3] == '-' || s[k3] == '~') {
			if t1, k4, ok := scanClock(s, skipWS(s, k3+1)); ok {
				mt.t0, mt.t, mt.daily, mt.end = t, t1, true, k4
			}
		}
	}
}

// timeMayFollow reports whether readTime may find anything at i: each of
// its steps starts with white space, a parenthesis, a digit, a weekday
// (星期, 礼拜, 周), a part of the day or a Chinese number (clockMayStart).
// Most dates are followed by none (前, 至, 起, a comma).
func timeMayFollow(s string, i int) bool {
	if i >= len(s) {
		return false
	}
	if c := s[i]; c < utf8.RuneSelf {
		return c == '(' || isDigit(c) || c == ' ' || c == '\n'
	}
	r, _ := decodeRune(s[i:])
	switch r {
	case '星', '礼', '周', '下', '晚', '中', '傍', '上', '早', '凌', '十', '廿', '卅', '一', '二', '三', '四', '五', '六', '七', '八', '九':
		return true
	}
	return false
}

// hourSpan reads "上午8-11时" at i: a part of the day, two hours joined by
// a dash, one unit (时 or 点) after the second.
func hourSpan(s string, i int) (clock, clock, int, bool) {
	k, pm := i, false
	switch {
	case hasAt(s, k, "上午"), hasAt(s, k, "早上"):
		k += 6
	case hasAt(s, k, "下午"), hasAt(s, k, "晚上"):
		k, pm = k+6, true
	default:
		return clock{}, clock{}, i, false
	}
	h0, k2, n0 := asciiNum(s, skipWS(s, k), 3)
	if n0 == 0 || n0 > 2 || k2 >= len(s) || s[k2] != '-' {
		return clock{}, clock{}, i, false
	}
	h1, k3, n1 := asciiNum(s, k2+1, 3)
	if n1 == 0 || n1 > 2 || !(hasAt(s, k3, "时") || hasAt(s, k3, "点")) || h0 >= h1 || h1 > 24 {
		return clock{}, clock{}, i, false
	}
	if pm && h1 <= 12 {
		h0, h1 = h0+12, h1+12
	}
	if h1 > 24 {
		return clock{}, clock{}, i, false
	}
	return clock{h: int8(h0), ok: true}, clock{h: int8(h1), ok: true}, k3 + 3, true
}

// scan is what one pass over the text finds: the dates, and the years
// that say which year a notice is about (文号 years 〔2019〕, "2019年度").
type scan struct {
	mentions []mention
	docYear  int // the latest 〔YYYY〕
	yearDu   int // the first YYYY年度
}

// findMentions reads a date at each anchor (digit run or Chinese numeral
// found by normalize), in order; a date that was read is not read again
// from inside, so the work is linear.
func findMentions(nz *normalized, buf []mention) scan {
	s := nz.s
	sc := scan{mentions: buf[:0]}
	end := 0
	for _, a := range nz.anchors {
		i := int(a)
		if i < end {
			continue
		}
		if !isDigit(s[i]) && !cnDateMayFollow(s, i) {
			continue
		}
		if isDigit(s[i]) {
			v, j, n := asciiNum(s, i, 5)
			if n == 4 && v >= 1950 && v <= 2099 {
				if i > 0 && s[i-1] == '[' && j < len(s) && s[j] == ']' {
					sc.docYear = max(sc.docYear, v)
				} else if sc.yearDu == 0 && hasAt(s, j, "年度") {
					sc.yearDu = v
				}
			}
			if n < 5 && !dateMayFollowRun(s, j, n == 4) {
				continue
			}
		}
		var mt mention
		if scanDate(s, i, &mt) {
			readTime(s, &mt)
			sc.mentions = append(sc.mentions, mt)
			end = mt.end
		}
	}
	return sc
}

// dateMayFollowRun reports whether scanDate may read a date from a run of
// at most four digits that ends at j (year: it has four): every date it
// reads from one has 年, 月, 日 or 号 next (white space between), or 前,
// 之前 or 以前 right after the run (a date whose 月 was lost), or -, . or
// / after a year (2019-08-27). Most digit runs of a notice (amounts,
// counts, list numbers) have none, and one rune tells. (Longer runs may
// be a date whose 年 and 月 were lost: scanDate reads them.)
func dateMayFollowRun(s string, j int, year bool) bool {
	if year && j < len(s) && (s[j] == '-' || s[j] == '.' || s[j] == '/') {
		return true
	}
	k := skipWS(s, j)
	if k+3 > len(s) {
		return false
	}
	switch uint32(s[k])<<16 | uint32(s[k+1])<<8 | uint32(s[k+2]) {
	case 0xE5B9B4, 0xE69C88, 0xE697A5, 0xE58FB7: // 年 月 日 号
		return true
	case 0xE5898D, 0xE4B98B, 0xE4BBA5: // 前 之 以
		return k == j
	}
	return false
}

// cnDateMayFollow reports whether the rune after the Chinese numeral at i
// may go on with a date as scanDate reads one: a numeral of the year or
// the number, or 月 (white space before it). Most numerals of a notice
// (一个, 统一, 三年) start no date, and one rune tells.
func cnDateMayFollow(s string, i int) bool {
	_, w := runeAt(s, i)
	j := i + w
	if j >= len(s) {
		return false
	}
	if c := s[j]; c < utf8.RuneSelf {
		return c == ' ' || c == '\n' || c == 'O' || c == 'o'
	}
	r, _ := decodeRune(s[j:])
	switch r {
	case '零', '一', '二', '两', '三', '四', '五', '六', '七', '八', '九', '十', '月':
		return true
	}
	return false
}

// isCnNumeral reports the characters that start or continue a Chinese number.
func isCnNumeral(r rune) bool {
	switch r {
	case '零', '一', '二', '两', '三', '四', '五', '六', '七', '八', '九', '十', '廿', '卅':
		return true
	}
	return false
}

func isLeap(y int) bool { return y%4 == 0 && (y%100 != 0 || y%400 == 0) }

func daysIn(y, m int) int {
	switch m {
	case 2:
		if y == 0 || isLeap(y) {
			return 29
		}
		return 28
	case 4, 6, 9, 11:
		return 30
	}
	return 31
}
