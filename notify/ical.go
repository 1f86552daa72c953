package notify

import (
	"bufio"
	"crypto/sha256"
	"encoding/hex"
	"io"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/grantwatch/grantwatch/store"
)

// Feed is a calendar of windows.
type Feed struct {
	Name    string // X-WR-CALNAME and NAME
	Windows []store.WindowView
	// Now stamps DTSTAMP; feeds that do not change render the same bytes
	// only when Now is fixed, so callers pass the newest update time.
	Now      time.Time
	Location *time.Location
}

// icalWriter writes RFC 5545 content lines: CRLF-terminated, folded at 75
// octets without splitting a UTF-8 character.
type icalWriter struct {
	w   *bufio.Writer
	err error
}

func (iw *icalWriter) line(parts ...string) {
	n := 0 // octets on the current physical line
	for _, s := range parts {
		for len(s) > 0 {
			room := 75 - n
			if len(s) <= room {
				iw.w.WriteString(s)
				n += len(s)
				break
			}
			cut := room
			for cut > 0 && !utf8.RuneStart(s[cut]) {
				cut--
			}
			iw.w.WriteString(s[:cut])
			iw.w.WriteString("\r\n ")
			n = 1 // the leading space of a continuation counts
			s = s[cut:]
		}
	}
	iw.w.WriteString("\r\n")
}

// icalText escapes a TEXT value: backslash, semicolon, comma, newline;
// other control characters are dropped. Every byte it changes is ASCII,
// which never occurs inside a multi-byte UTF-8 character, so it works on
// bytes and copies the runs between.
func icalText(s string) string {
	if !utf8.ValidString(s) {
		s = strings.ToValidUTF8(s, "\uFFFD")
	}
	var b []byte
	start := 0
	for i := 0; i < len(s); i++ {
		c := s[i]
		var rep string
		switch {
		case c == '\\':
			rep = `\\`
		case c == ';':
			rep = `\;`
		case c == ',':
			rep = `\,`
		case c == '\n':
			rep = `\n`
		case c < 0x20 && c != '\t' || c == 0x7F:
		default:
			continue
		}
		if b == nil {
			b = make([]byte, 0, len(s)+16)
		}
		b = append(b, s[start:i]...)
		b = append(b, rep...)
		start = i + 1
	}
	if b == nil {
		return s
	}
	return string(append(b, s[start:]...))
}

// icalURI keeps a URI value on one logical line.
func icalURI(s string) string {
	return strings.Map(func(r rune) rune {
		if r < 0x20 || r == 0x7F {
			return -1
		}
		return r
	}, s)
}

// utcStamp writes a UTC date-time (20190920T090000Z) without time.Format,
// which a large feed calls thousands of times.
func utcStamp(t time.Time) string {
	t = t.UTC()
	y, mo, d := t.Date()
	h, mi, sec := t.Clock()
	b := make([]byte, 0, 16)
	b = appendInt(b, y, 4)
	b = appendInt(b, int(mo), 2)
	b = appendInt(b, d, 2)
	b = append(b, 'T')
	b = appendInt(b, h, 2)
	b = appendInt(b, mi, 2)
	b = appendInt(b, sec, 2)
	return string(append(b, 'Z'))
}

// dayStamp writes a DATE value (20190920).
func dayStamp(t time.Time) string {
	y, mo, d := t.Date()
	b := make([]byte, 0, 8)
	b = appendInt(b, y, 4)
	b = appendInt(b, int(mo), 2)
	return string(appendInt(b, d, 2))
}

func appendInt(b []byte, n, width int) []byte {
	var tmp [8]byte
	for i := width - 1; i >= 0; i-- {
		tmp[i] = byte('0' + n%10)
		n /= 10
	}
	return append(b, tmp[:width]...)
}

// parseDay reads YYYY-MM-DD as midnight in loc, without time.Parse.
func parseDay(s string, loc *time.Location) (time.Time, bool) {
	if len(s) != 10 || s[4] != '-' || s[7] != '-' {
		return time.Time{}, false
	}
	num := func(t string) int {
		n := 0
		for i := 0; i < len(t); i++ {
			if t[i] < '0' || t[i] > '9' {
				return -1
			}
			n = n*10 + int(t[i]-'0')
		}
		return n
	}
	y, m, d := num(s[:4]), num(s[5:7]), num(s[8:])
	if y < 0 || m < 1 || m > 12 || d < 1 || d > 31 {
		return time.Time{}, false
	}
	return time.Date(y, time.Month(m), d, 0, 0, 0, 0, loc), true
}

// uid is stable for a window's event across crawls and date changes.
func uid(w store.WindowView, kind string) string {
	h := sha256.Sum256([]byte(w.NoticeURL + "\x00" + w.Key + "\x00" + kind))
	return hex.EncodeToString(h[:12]) + "@grantwatch"
}

// SizeHint is about the bytes WriteICal writes, a little more rather than
// less: a caller drawing into one buffer grows it once to this, instead of
// by doubling (a 5,000-window feed is megabytes) or to a guess per window
// that, too large, stays allocated behind the drawn feed while it is kept.
func (f Feed) SizeHint() int {
	n := 512
	for _, w := range f.Windows {
		// An event's fixed lines come to about 300 bytes; its summary holds
		// the title and stage, its description those, the evidence and the
		// URL, and the URL has a line of its own. A closing day's event
		// adds an alarm of 70 bytes and the summary again. Lines longer
		// than 75 bytes fold: 3 more every 74.
		if w.Closes != "" {
			text := 3*(len(w.Title)+len(w.Label)) + len(w.Evidence) + 2*len(w.NoticeURL)
			n += 410 + text + text*3/70
		}
		if w.Opens != "" {
			text := 2*(len(w.Title)+len(w.Label)) + len(w.Evidence) + 2*len(w.NoticeURL)
			n += 330 + text + text*3/70
		}
	}
	return n
}

// WriteICal writes a feed: per window an all-day event on its closing day
// (a timed event when the deadline has a time of day) and one on its
// opening day when known.
func (f Feed) WriteICal(w io.Writer) error {
	bw := bufio.NewWriterSize(w, 64<<10)
	iw := &icalWriter{w: bw}
	loc := f.Location
	if loc == nil {
		loc, _ = time.LoadLocation("Asia/Shanghai")
	}
	iw.line("BEGIN:VCALENDAR")
	iw.line("VERSION:2.0")
	iw.line("PRODID:-//grantwatch//申报窗口//ZH")
	iw.line("CALSCALE:GREGORIAN")
	iw.line("METHOD:PUBLISH")
	iw.line("X-WR-CALNAME:", icalText(f.Name))
	iw.line("NAME:", icalText(f.Name))
	iw.line("X-WR-TIMEZONE:", loc.String())
	iw.line("REFRESH-INTERVAL;VALUE=DURATION:PT6H")
	iw.line("X-PUBLISHED-TTL:PT6H")
	stamp := utcStamp(f.Now)
	for _, win := range f.Windows {
		desc := win.Title + "\n阶段：" + win.Label
		if win.Evidence != "" {
			desc += "\n原文：「" + win.Evidence + "」"
		}
		desc = icalText(desc + "\n" + win.NoticeURL)
		title := icalText(strings.TrimSpace(win.Title) + " (" + win.Label + ")")
		if win.Closes != "" {
			f.event(iw, win, "close", "截止："+title, desc, stamp, loc)
		}
		if win.Opens != "" {
			f.event(iw, win, "open", "开始："+title, desc, stamp, loc)
		}
	}
	iw.line("END:VCALENDAR")
	return bw.Flush()
}

// event writes one VEVENT; summary and desc come escaped.
func (f Feed) event(iw *icalWriter, win store.WindowView, kind, summary, desc, stamp string, loc *time.Location) {
	date := win.Closes
	if kind == "open" {
		date = win.Opens
	}
	day, ok := parseDay(date, loc)
	if !ok {
		return
	}
	iw.line("BEGIN:VEVENT")
	iw.line("UID:", uid(win, kind))
	iw.line("DTSTAMP:", stamp)
	if !win.UpdatedAt.IsZero() {
		iw.line("LAST-MODIFIED:", utcStamp(win.UpdatedAt))
	}
	// SEQUENCE rises each time the window's dates change.
	iw.line("SEQUENCE:", strconv.Itoa(max(0, win.Revision-1)))
	timed := kind == "close" && win.ClosesTime != "" && win.ClosesTime != "24:00"
	if timed {
		t, err := time.Parse("15:04", win.ClosesTime)
		if err == nil {
			at := day.Add(time.Duration(t.Hour())*time.Hour + time.Duration(t.Minute())*time.Minute)
			iw.line("DTSTART:", utcStamp(at.Add(-30*time.Minute)))
			iw.line("DTEND:", utcStamp(at))
		} else {
			timed = false
		}
	}
	if !timed {
		// DTEND is exclusive: an all-day event ends the next day.
		iw.line("DTSTART;VALUE=DATE:", dayStamp(day))
		iw.line("DTEND;VALUE=DATE:", dayStamp(day.AddDate(0, 0, 1)))
		iw.line("TRANSP:TRANSPARENT")
	}
	iw.line("SUMMARY:", summary)
	iw.line("DESCRIPTION:", desc)
	iw.line("URL:", icalURI(win.NoticeURL))
	iw.line("CATEGORIES:申报")
	if kind == "close" {
		// Many clients drop feed alarms; the email is the real reminder.
		iw.line("BEGIN:VALARM")
		iw.line("ACTION:DISPLAY")
		iw.line("DESCRIPTION:", summary)
		iw.line("TRIGGER:-P1D")
		iw.line("END:VALARM")
	}
	iw.line("END:VEVENT")
}

// FeedWindowsIndexed is FeedWindows with the keyword filter answered by
// the index: hits holds the notices with any of the subscriber's keywords
// (nil when the subscriber has none).
func FeedWindowsIndexed(s store.Subscriber, ws []store.WindowView, hits map[int64]bool, since string) []store.WindowView {
	var out []store.WindowView
	noKeywords := s
	noKeywords.Keywords = nil
	for _, w := range ws {
		if w.Status != "active" || w.Closes != "" && w.Closes < since || w.Closes == "" && w.Opens < since {
			continue
		}
		if !Matches(noKeywords, w, "") {
			continue
		}
		if len(s.Keywords) > 0 && !hits[w.NoticeID] {
			continue
		}
		out = append(out, w)
	}
	return out
}

// FeedWindows selects the windows a subscriber's feed shows: their
// filters, still open or to come (and a week back, so a deadline just
// passed does not vanish at once).
func FeedWindows(s store.Subscriber, ws []store.WindowView, texts map[int64]string, since string) []store.WindowView {
	var out []store.WindowView
	for _, w := range ws {
		if w.Status != "active" || w.Closes != "" && w.Closes < since || w.Closes == "" && w.Opens < since {
			continue
		}
		if Matches(s, w, texts[w.NoticeID]) {
			out = append(out, w)
		}
	}
	return out
}
