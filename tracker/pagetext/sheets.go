package pagetext

import (
	"math"
	"sort"
	"strconv"
	"strings"
	"time"
)

// What XLS and XLSX share: cells gathered per sheet, written as one line a
// row with cells joined by tabs under a "工作表：NAME" line, and numbers
// shown the way a reader sees them: dates as 2024年3月31日, no trailing
// ".0", percentages as 15%.

// maxSheetText bounds the text a workbook gives: a sheet of empty rows
// or far-apart cells cannot make it grow past this; later rows are cut.
const maxSheetText = 32 << 20

// sheetCell is one non-empty cell.
type sheetCell struct {
	row, col uint32
	text     string
}

// sheetWriter writes sheets into one text.
type sheetWriter struct {
	out  strings.Builder
	full bool
}

// sheet writes one sheet: cells sorted into rows, the columns of each row
// laid out from the sheet's first used column, so that a value stays
// under its header.
func (w *sheetWriter) sheet(name string, cells []sheetCell) {
	if w.full {
		return
	}
	sort.SliceStable(cells, func(i, j int) bool {
		if cells[i].row != cells[j].row {
			return cells[i].row < cells[j].row
		}
		return cells[i].col < cells[j].col
	})
	// A cell written twice: the last one wins.
	kept := cells[:0]
	for _, c := range cells {
		if n := len(kept); n > 0 && kept[n-1].row == c.row && kept[n-1].col == c.col {
			kept[n-1] = c
			continue
		}
		kept = append(kept, c)
	}
	cells = kept
	minCol := uint32(math.MaxUint32)
	for _, c := range cells {
		minCol = min(minCol, c.col)
	}
	if w.out.Len() > 0 {
		w.out.WriteByte('\n')
	}
	w.out.WriteString("工作表：")
	w.out.WriteString(oneLine(name))
	for i := 0; i < len(cells); {
		row := cells[i].row
		w.out.WriteByte('\n')
		col := minCol
		for ; i < len(cells) && cells[i].row == row; i++ {
			c := cells[i]
			if int64(c.col)-int64(col)+int64(len(c.text)) > int64(maxSheetText-w.out.Len()) {
				w.full = true
				return
			}
			for ; col < c.col; col++ {
				w.out.WriteByte('\t')
			}
			w.out.WriteString(oneLine(c.text))
		}
		if w.out.Len() > maxSheetText {
			w.full = true
			return
		}
	}
}

func (w *sheetWriter) text() string { return w.out.String() }

// oneLine keeps a cell on its line: line breaks inside a cell become
// spaces, tabs too.
func oneLine(s string) string {
	if !strings.ContainsAny(s, "\r\n\t\x00") {
		return strings.TrimSpace(s)
	}
	s = strings.NewReplacer("\r\n", " ", "\r", " ", "\n", " ", "\t", " ", "\x00", "").Replace(s)
	return strings.TrimSpace(s)
}

// numFormat is what a cell's number format says about showing a number.
type numFormat uint8

const (
	fmtNumber numFormat = iota
	fmtDate             // date, with or without a time of day
	fmtDateTime
	fmtTime // time of day or a duration only
	fmtPercent
)

// builtinNumFormat classifies Excel's built-in format ids (with the ids
// Chinese Excel uses for its 年月日 formats).
func builtinNumFormat(id int) numFormat {
	switch {
	case id == 9 || id == 10:
		return fmtPercent
	case id >= 14 && id <= 17, id >= 27 && id <= 31, id == 36, id >= 50 && id <= 58:
		return fmtDate
	case id == 22:
		return fmtDateTime
	case id >= 18 && id <= 21, id >= 32 && id <= 35, id >= 45 && id <= 47:
		return fmtTime
	}
	return fmtNumber
}

// classifyNumFormat reads a format code: its first section, with quoted
// text, escaped characters and [colour]/[$-locale] tags removed, is a date
// if it has y, d or a month m, a time if only h, m, s.
func classifyNumFormat(code string) numFormat {
	if i := indexUnquoted(code, ';'); i >= 0 {
		code = code[:i]
	}
	var b strings.Builder
	elapsed := false
	for i := 0; i < len(code); i++ {
		c := code[i]
		switch c {
		case '"':
			j := strings.IndexByte(code[i+1:], '"')
			if j < 0 {
				i = len(code)
			} else {
				i += j + 1
			}
		case '\\', '_', '*':
			i++ // the next character is literal (or padding)
		case '[':
			j := strings.IndexByte(code[i+1:], ']')
			tag := ""
			if j < 0 {
				i = len(code)
			} else {
				tag = strings.ToLower(code[i+1 : i+1+j])
				i += j + 1
			}
			if tag != "" && strings.Trim(tag, "hms") == "" {
				elapsed = true
			}
		default:
			b.WriteByte(c)
		}
	}
	s := strings.ToLower(b.String())
	if s == "general" || s == "" {
		if elapsed {
			return fmtTime
		}
		return fmtNumber
	}
	s = strings.NewReplacer("am/pm", "", "a/p", "", "上午/下午", "").Replace(s)
	hasDate := strings.ContainsAny(s, "yd") || strings.Contains(s, "年") || strings.Contains(s, "日")
	hasTime := elapsed || strings.ContainsAny(s, "hs") || strings.Contains(s, "时") || strings.Contains(s, "秒")
	switch {
	case hasDate && hasTime:
		return fmtDateTime
	case hasDate:
		return fmtDate
	case hasTime:
		return fmtTime
	case strings.Contains(s, "m") && !strings.ContainsAny(s, "0#?"):
		return fmtDate // month only: "mmm", "m月"
	case strings.Contains(s, "%"):
		return fmtPercent
	}
	return fmtNumber
}

func indexUnquoted(s string, c byte) int {
	quoted := false
	for i := 0; i < len(s); i++ {
		switch {
		case s[i] == '"':
			quoted = !quoted
		case s[i] == '\\':
			i++
		case s[i] == c && !quoted:
			return i
		}
	}
	return -1
}

// formatNumber shows a cell's number under its format. date1904 is the
// workbook's date system.
func formatNumber(v float64, f numFormat, date1904 bool) string {
	if math.IsNaN(v) || math.IsInf(v, 0) {
		return plainNumber(v)
	}
	switch f {
	case fmtDate, fmtDateTime, fmtTime:
		if s, ok := serialDate(v, f, date1904); ok {
			return s
		}
	case fmtPercent:
		return plainNumber(v*100) + "%"
	}
	return plainNumber(v)
}

// plainNumber prints a number as Excel's General format would, without
// its switch to exponents: 15 significant digits, no trailing zeros.
func plainNumber(v float64) string {
	if math.IsNaN(v) || math.IsInf(v, 0) {
		return "#NUM!"
	}
	if v == 0 {
		return "0"
	}
	r, err := strconv.ParseFloat(strconv.FormatFloat(v, 'g', 15, 64), 64)
	if err == nil {
		v = r
	}
	if a := math.Abs(v); a >= 1e21 || a < 1e-9 {
		return strconv.FormatFloat(v, 'g', -1, 64)
	}
	return strconv.FormatFloat(v, 'f', -1, 64)
}

// serialDate turns an Excel serial date into 2024年3月31日 (with " 15:04"
// when the format shows a time and there is one), or a time into 15:04.
// The 1900 system counts the 29 February 1900 Lotus made up: serial 60.
func serialDate(v float64, f numFormat, date1904 bool) (string, bool) {
	if v < 0 || v > 2958466 { // after 9999-12-31
		return "", false
	}
	days := math.Floor(v)
	secs := int(math.Round((v - days) * 86400))
	if secs >= 86400 {
		days++
		secs -= 86400
	}
	clock := ""
	if f != fmtDate && (secs != 0 || f == fmtTime) {
		h, m, s := secs/3600, secs/60%60, secs%60
		if s != 0 {
			clock = strconv.Itoa(h) + ":" + two(m) + ":" + two(s)
		} else {
			clock = strconv.Itoa(h) + ":" + two(m)
		}
	}
	if f == fmtTime {
		return clock, true
	}
	var y, m, d int
	switch n := int(days); {
	case date1904:
		t := time.Date(1904, 1, 1, 0, 0, 0, 0, time.UTC).AddDate(0, 0, n)
		y, m, d = t.Year(), int(t.Month()), t.Day()
	case n == 0:
		if clock != "" {
			return clock, true
		}
		return "", false
	case n == 60:
		y, m, d = 1900, 2, 29
	default:
		base := time.Date(1899, 12, 30, 0, 0, 0, 0, time.UTC)
		if n < 60 {
			base = base.AddDate(0, 0, 1)
		}
		t := base.AddDate(0, 0, n)
		y, m, d = t.Year(), int(t.Month()), t.Day()
	}
	s := strconv.Itoa(y) + "年" + strconv.Itoa(m) + "月" + strconv.Itoa(d) + "日"
	if clock != "" {
		s += " " + clock
	}
	return s, true
}

func two(n int) string {
	if n < 10 {
		return "0" + strconv.Itoa(n)
	}
	return strconv.Itoa(n)
}
