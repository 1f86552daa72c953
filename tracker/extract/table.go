package extract

import "strings"

// Tables whose cells come one to a line, as text copied from an HTML table
// reads:
//
//	批次 / 网上截止时间 / 企业递交纸质材料给镇街 / 镇街报送市工信局
//	第一批 / 8月28日 / 8月30日 / 8月31日
//	第二批 / 9月25日 / 9月28日 / 9月30日
//
// A header of k+1 short lines, then rows of a label and k lines that each
// hold one date: every date under a column whose header names a hand-in
// (网上截止时间, 报送, 递交 …) is a window of that row's batch and that step
// (SCHEMA.md: a schedule table gives one window per applicant task).

type tableCell struct {
	what string // row label and column header: 第一批 网上截止时间
}

type line struct{ start, end int } // trimmed, in s

// tableCells finds such tables and returns, by the start of each date
// cell's candidate, what the cell is.
func tableCells(s string, cs []cand) map[int]tableCell {
	// Only worth the work when dates stand alone on their lines.
	var alone map[int]int // line start → index in cs
	first := -1
	for i, c := range cs {
		if !lineAlone(s, c.start, c.end) {
			continue
		}
		switch {
		case first < 0:
			first = i
		case alone == nil:
			alone = map[int]int{cs[first].start: first}
			fallthrough
		default:
			alone[c.start] = i
		}
	}
	if alone == nil {
		return nil
	}
	var lines []line
	for p := 0; p < len(s); {
		e := strings.IndexByte(s[p:], '\n')
		if e < 0 {
			e = len(s) - p
		}
		t := s[p : p+e]
		if tt := trimSpace(t); tt != "" {
			k := strings.Index(t, tt)
			lines = append(lines, line{p + k, p + k + len(tt)})
		}
		p += e + 1
	}
	isDate := func(l line) bool { _, ok := alone[l.start]; return ok }
	out := map[int]tableCell{}
	for i := 0; i < len(lines); i++ {
		// A row: a label line, then k ≥ 1 date lines.
		if isDate(lines[i]) || i+1 >= len(lines) || !isDate(lines[i+1]) {
			continue
		}
		k := 0
		for i+1+k < len(lines) && isDate(lines[i+1+k]) {
			k++
		}
		// Rows that follow with the same width.
		rows := []int{i}
		for r := i + 1 + k; r+k < len(lines) && !isDate(lines[r]); r += 1 + k {
			n := 0
			for r+1+n < len(lines) && isDate(lines[r+1+n]) {
				n++
			}
			if n != k {
				break
			}
			rows = append(rows, r)
		}
		// The header: the k+1 lines before the first row.
		if i < k+1 {
			continue
		}
		head := lines[i-k-1 : i]
		if !shortCells(s, head) || !shortCells(s, []line{lines[i]}) {
			continue
		}
		for _, r := range rows {
			label := s[lines[r].start:lines[r].end]
			for col := 0; col < k; col++ {
				h := s[head[col+1].start:head[col+1].end]
				if !hasPos(h) && !strings.Contains(h, "截止") {
					continue
				}
				out[lines[r+1+col].start] = tableCell{what: label + " " + h}
			}
		}
		i = rows[len(rows)-1] + k
	}
	return out
}

// shortCells: table cells are short and hold no date.
func shortCells(s string, ls []line) bool {
	for _, l := range ls {
		t := s[l.start:l.end]
		if moreRunes(t, 24) || holdsDate(t) || strings.IndexByte(t, ';') >= 0 || strings.Contains(t, "。") {
			return false
		}
	}
	return true
}
