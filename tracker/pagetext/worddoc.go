package pagetext

import (
	"encoding/binary"
	"errors"
	"fmt"
	"math"
	"sort"
	"strings"
	"unicode/utf16"
	"unicode/utf8"

	"golang.org/x/text/encoding/charmap"
)

// Word binary (.doc of Word 97-2003, and Kingsoft WPS Writer .wps, which
// WPS writes in the same OLE/Word-binary layout) as described in
// [MS-DOC]: the FIB at the start of the WordDocument stream says which
// table stream holds the piece table (CLX); each piece maps a run of
// character positions to bytes of the WordDocument stream, 8-bit CP-1252
// ("compressed") or UTF-16LE. Chinese text is always in UTF-16 pieces.

// ErrEncrypted means a document is password-protected: no reader can get
// its text without the password.
var ErrEncrypted = errors.New("document is encrypted (password-protected)")

const (
	wIdentWord  = 0xA5EC // Word 95 and later
	wIdentWord6 = 0xA5DC
	fibBaseLen  = 32
	// nFib of Word 97; earlier (Word 6/95) FIBs have another layout and
	// 8-bit text in the document's codepage.
	nFibWord97 = 0xC1
)

// docText reads the text of an opened Word-binary compound file.
func docText(f *oleFile) (string, error) {
	wd, err := f.stream("WordDocument", true)
	if err != nil {
		return "", err
	}
	return wordDocText(wd, func(name string) ([]byte, error) { return f.stream(name, false) })
}

// wordDocText reads a WordDocument stream; table gives the table stream
// of that name, nil when there is none.
func wordDocText(wd []byte, table func(name string) ([]byte, error)) (string, error) {
	if len(wd) < fibBaseLen {
		return "", errors.New("WordDocument stream: no Word FIB")
	}
	switch binary.LittleEndian.Uint16(wd) {
	case wIdentWord:
	case wIdentWord6:
		return wordScan(wd)
	default:
		return "", errors.New("WordDocument stream: no Word FIB")
	}
	flags := binary.LittleEndian.Uint16(wd[0x0A:])
	if flags&0x0100 != 0 { // fEncrypted
		return "", ErrEncrypted
	}
	nFib := binary.LittleEndian.Uint16(wd[2:])
	tblName := "0Table"
	if flags&0x0200 != 0 { // fWhichTblStm
		tblName = "1Table"
	}
	tbl, err := table(tblName)
	if err != nil {
		return "", err
	}
	if tbl != nil {
		fib, err := readFIB(wd)
		if err == nil && fib.lcbClx != 0 {
			return wordText(wd, tbl, fib)
		}
		if nFib >= nFibWord97 {
			if err != nil {
				return "", err
			}
			return "", errors.New("WordDocument: no piece table")
		}
	}
	if nFib < nFibWord97 {
		// Word 95 and earlier keep no table stream: their text is a span
		// of the WordDocument stream.
		return wordScan(wd)
	}
	return "", fmt.Errorf("WordDocument: no %s stream", tblName)
}

// fib holds what we read of the File Information Block.
type fib struct {
	// Character counts of the document's parts, in CP order: main text,
	// footnotes, headers, (macro), comments, endnotes, text boxes, header
	// text boxes.
	ccp            [8]uint32
	fcClx, lcbClx  uint32
	fcPapx, lcbPap uint32 // PlcBtePapx: paragraph properties, for table rows
}

func readFIB(wd []byte) (fib, error) {
	var fb fib
	le := binary.LittleEndian
	p := fibBaseLen
	if len(wd) < p+2 {
		return fb, errors.New("FIB truncated")
	}
	csw := int(le.Uint16(wd[p:]))
	p += 2 + 2*csw
	if len(wd) < p+2 {
		return fb, errors.New("FIB truncated")
	}
	cslw := int(le.Uint16(wd[p:]))
	p += 2
	lw := p
	p += 4 * cslw
	if len(wd) < p+2 || cslw < 11 {
		return fb, errors.New("FIB truncated")
	}
	for i := range fb.ccp {
		fb.ccp[i] = le.Uint32(wd[lw+4*(3+i):])
	}
	cbRgFcLcb := int(le.Uint16(wd[p:]))
	p += 2
	pair := func(i int) (uint32, uint32) {
		if i >= cbRgFcLcb || p+8*i+8 > len(wd) {
			return 0, 0
		}
		return le.Uint32(wd[p+8*i:]), le.Uint32(wd[p+8*i+4:])
	}
	fb.fcPapx, fb.lcbPap = pair(13)
	fb.fcClx, fb.lcbClx = pair(33)
	return fb, nil
}

// piece is one entry of the piece table: characters [cp, cpEnd) stored at
// byte fc of the WordDocument stream, 1 byte (compressed) or 2 a char.
type piece struct {
	cp, cpEnd  uint32
	fc         uint32
	compressed bool
}

// readPieces finds the Pcdt in the CLX and returns its pieces.
func readPieces(tbl []byte, fcClx, lcbClx uint32) ([]piece, error) {
	le := binary.LittleEndian
	if uint64(fcClx)+uint64(lcbClx) > uint64(len(tbl)) {
		return nil, errors.New("piece table past the end of the table stream")
	}
	clx := tbl[fcClx : fcClx+lcbClx]
	for i := 0; i < len(clx); {
		switch clx[i] {
		case 0x01: // Prc: skip its grpprl
			if i+3 > len(clx) {
				return nil, errors.New("piece table: truncated Prc")
			}
			cb := int(int16(le.Uint16(clx[i+1:])))
			if cb < 0 {
				return nil, errors.New("piece table: bad Prc size")
			}
			i += 3 + cb
		case 0x02: // Pcdt
			if i+5 > len(clx) {
				return nil, errors.New("piece table: truncated Pcdt")
			}
			lcb := int(le.Uint32(clx[i+1:]))
			plc := clx[i+5:]
			if lcb < 0 || lcb > len(plc) || lcb < 16 || (lcb-4)%12 != 0 {
				return nil, errors.New("piece table: bad PlcPcd size")
			}
			n := (lcb - 4) / 12
			pcs := make([]piece, 0, n)
			for k := 0; k < n; k++ {
				cp, cpEnd := le.Uint32(plc[4*k:]), le.Uint32(plc[4*k+4:])
				pcd := plc[4*(n+1)+8*k:]
				fc := le.Uint32(pcd[2:])
				p := piece{cp: cp, cpEnd: cpEnd, fc: fc &^ 0x40000000}
				if fc&0x40000000 != 0 {
					p.compressed = true
					p.fc /= 2
				}
				if cpEnd > cp {
					pcs = append(pcs, p)
				}
			}
			return pcs, nil
		default:
			return nil, fmt.Errorf("piece table: unknown CLX entry %#x", clx[i])
		}
	}
	return nil, errors.New("piece table: no Pcdt")
}

// wordText decodes the main text, footnotes, endnotes and text boxes of a
// Word 97+ document (headers, footers and comments are left out: running
// heads and page numbers only add noise).
func wordText(wd, tbl []byte, fb fib) (string, error) {
	pcs, err := readPieces(tbl, fb.fcClx, fb.lcbClx)
	if err != nil {
		return "", err
	}
	// Part boundaries in CP order.
	var start [9]uint64
	for i, c := range fb.ccp {
		start[i+1] = start[i] + uint64(c)
	}
	type span struct{ from, to uint64 }
	parts := []span{
		{start[0], start[1]}, // main text
		{start[1], start[2]}, // footnotes
		{start[5], start[6]}, // endnotes
		{start[6], start[7]}, // text boxes
	}
	if start[8] == 0 {
		// No counts in the FIB (some writers leave them out): every piece.
		parts = []span{{0, math.MaxUint32}}
	}
	ttp := readTTP(wd, tbl, fb)
	w := newWordWriter(ttp)
	// Characters decoded in all: never more than the stream has bytes, so
	// overlapping pieces cannot multiply the output.
	budget := len(wd)
	for pi, part := range parts {
		if part.to <= part.from {
			continue
		}
		if pi > 0 {
			w.paragraph()
		}
		for _, p := range pcs {
			from, to := max(uint64(p.cp), part.from), min(uint64(p.cpEnd), part.to)
			if from >= to {
				continue
			}
			n := int(min(to-from, uint64(budget)))
			if n <= 0 {
				break
			}
			off := uint64(p.fc) + (from - uint64(p.cp))
			width := uint64(1)
			if !p.compressed {
				off = uint64(p.fc) + 2*(from-uint64(p.cp))
				width = 2
			}
			if off >= uint64(len(wd)) {
				continue
			}
			if avail := (uint64(len(wd)) - off) / width; uint64(n) > avail {
				n = int(avail)
			}
			budget -= n
			fc := uint32(off)
			if p.compressed {
				for _, c := range wd[off : off+uint64(n)] {
					w.char(rune(c), fc, true)
					fc++
				}
				continue
			}
			b := wd[off : off+2*uint64(n)]
			for i := 0; i < len(b); i += 2 {
				r := rune(binary.LittleEndian.Uint16(b[i:]))
				if utf16.IsSurrogate(r) {
					if i+3 < len(b) {
						if d := utf16.DecodeRune(r, rune(binary.LittleEndian.Uint16(b[i+2:]))); d != utf8.RuneError {
							w.char(d, fc, false)
							i += 2
							fc += 4
							continue
						}
					}
					r = utf8.RuneError
				}
				w.char(r, fc, false)
				fc += 2
			}
		}
	}
	return w.text(), nil
}

// wordScan reads a Word 6/95 file (or one without a piece table) by
// taking its text span (fcMin to fcMac) as UTF-16LE when it looks like it,
// else as 8-bit text in whatever charset it sniffs as: Chinese Word 95
// documents are GBK.
func wordScan(wd []byte) (string, error) {
	if len(wd) < 0x20 {
		return "", errors.New("FIB truncated")
	}
	fcMin := binary.LittleEndian.Uint32(wd[0x18:])
	fcMac := binary.LittleEndian.Uint32(wd[0x1C:])
	if fcMac > uint32(len(wd)) {
		fcMac = uint32(len(wd))
	}
	if fcMin >= fcMac {
		return "", errors.New("Word 6/95 document: no text span")
	}
	span := wd[fcMin:fcMac]
	var s string
	if looksUTF16LE(span) {
		s = string(utf16.Decode(u16s(span)))
	} else {
		s, _ = Decode(span, "")
	}
	w := newWordWriter(nil)
	for _, r := range s {
		w.char(r, 0, false)
	}
	return w.text(), nil
}

// looksUTF16LE: most high bytes zero (Latin text) or in the CJK block.
func looksUTF16LE(b []byte) bool {
	if len(b) < 4 || len(b)%2 != 0 {
		return false
	}
	hits := 0
	for i := 1; i < len(b); i += 2 {
		if b[i] == 0 || (b[i] >= 0x4E && b[i] <= 0x9F) || b[i] == 0x30 || b[i] == 0xFF {
			hits++
		}
	}
	return hits*10 >= len(b)/2*9
}

func u16s(b []byte) []uint16 {
	u := make([]uint16, len(b)/2)
	for i := range u {
		u[i] = binary.LittleEndian.Uint16(b[2*i:])
	}
	return u
}

// wordWriter turns Word's text with its control characters into lines.
type wordWriter struct {
	out []byte
	// fields: for each open field (innermost last), whether its result
	// part has begun; text is kept only outside field codes.
	fields []bool
	ttp    *ttpIndex
	last   rune // last rune written
	mark   bool // the last character read was a cell mark
}

func newWordWriter(ttp *ttpIndex) *wordWriter { return &wordWriter{ttp: ttp} }

// maxFieldDepth: deeper nesting is treated as text; Word allows 20 levels.
const maxFieldDepth = 64

func (w *wordWriter) inCode() bool {
	for _, res := range w.fields {
		if !res {
			return true
		}
	}
	return false
}

func (w *wordWriter) paragraph() {
	if len(w.out) > 0 && w.last != '\n' {
		w.write('\n')
	}
}

func (w *wordWriter) write(r rune) {
	w.out = utf8.AppendRune(w.out, r)
	w.last = r
}

// char writes one character stored at byte fc of the WordDocument stream.
func (w *wordWriter) char(r rune, fc uint32, compressed bool) {
	if compressed && r >= 0x80 {
		r = charmap.Windows1252.DecodeByte(byte(r))
	}
	switch r {
	case 0x13: // field begin
		if len(w.fields) < maxFieldDepth {
			w.fields = append(w.fields, false)
		}
		return
	case 0x14: // field separator: the result follows
		if n := len(w.fields); n > 0 {
			w.fields[n-1] = true
		}
		return
	case 0x15: // field end
		if n := len(w.fields); n > 0 {
			w.fields = w.fields[:n-1]
		}
		return
	}
	if w.inCode() {
		return
	}
	prevMark := w.mark
	w.mark = r == 0x07
	switch r {
	case '\r', 0x0B, 0x0C, 0x0E: // paragraph, line break, page break, column break
		w.write('\n')
	case 0x07: // end of a cell, or of a table row
		if w.ttp.rowEnd(fc) || (w.ttp == nil && prevMark) {
			w.trimTab()
			w.write('\n')
		} else {
			w.write('\t')
		}
	case '\t':
		w.write('\t')
	case 0x1E: // non-breaking hyphen
		w.write('-')
	case 0xA0: // no-break space
		w.write(' ')
	case utf8.RuneError:
		w.write(r)
	default:
		if r < 0x20 || r == 0x1F || r == 0x7F || (r >= 0xF000 && r <= 0xF0FF) {
			// other marks (pictures, footnote references, annotations,
			// optional hyphens) and Symbol-font private-use glyphs
			return
		}
		w.write(r)
	}
}

func (w *wordWriter) trimTab() {
	for len(w.out) > 0 && w.out[len(w.out)-1] == '\t' {
		w.out = w.out[:len(w.out)-1]
	}
}

func (w *wordWriter) text() string {
	lines := strings.Split(string(w.out), "\n")
	kept := lines[:0]
	for _, l := range lines {
		l = strings.TrimRight(l, " \t")
		if strings.TrimSpace(l) != "" {
			kept = append(kept, l)
		}
	}
	return strings.Join(kept, "\n")
}

// ttpIndex knows which byte ranges of the WordDocument stream hold
// table-row-end paragraphs (fTtp), so that a cell mark (0x07) ending a row
// becomes a newline and one ending a cell a tab. Without it (nil) every
// mark is a tab unless it directly follows another, the usual layout of a
// row's last cell mark and the row mark.
type ttpIndex struct {
	from, to []uint32 // sorted by from
}

func (t *ttpIndex) rowEnd(fc uint32) bool {
	if t == nil || len(t.from) == 0 {
		return false
	}
	i := sort.Search(len(t.from), func(i int) bool { return t.from[i] > fc }) - 1
	return i >= 0 && fc < t.to[i]
}

// readTTP reads the paragraph-property FKPs named by PlcBtePapx and keeps
// the runs whose properties set sprmPFTtp or sprmPFInnerTtp. Anything
// malformed gives nil: cell marks then all read as tabs, the text intact.
func readTTP(wd, tbl []byte, fb fib) *ttpIndex {
	le := binary.LittleEndian
	if fb.lcbPap < 4 || uint64(fb.fcPapx)+uint64(fb.lcbPap) > uint64(len(tbl)) || (fb.lcbPap-4)%8 != 0 {
		return nil
	}
	plc := tbl[fb.fcPapx : fb.fcPapx+fb.lcbPap]
	n := int(fb.lcbPap-4) / 8
	t := &ttpIndex{}
	for k := 0; k < n; k++ {
		pn := uint64(le.Uint32(plc[4*(n+1)+4*k:]) & 0x3FFFFF)
		off := pn * 512
		if off+512 > uint64(len(wd)) {
			continue
		}
		fkp := wd[off : off+512]
		crun := int(fkp[511])
		if 4*(crun+1)+13*crun > 511 {
			continue
		}
		for i := 0; i < crun; i++ {
			from, to := le.Uint32(fkp[4*i:]), le.Uint32(fkp[4*i+4:])
			bx := int(fkp[4*(crun+1)+13*i]) * 2
			if bx == 0 || bx >= 511 || to <= from {
				continue
			}
			cb := int(fkp[bx]) * 2
			start := bx + 1
			if cb == 0 {
				if bx+1 >= 511 {
					continue
				}
				cb = int(fkp[bx+1]) * 2
				start = bx + 2
			} else {
				cb-- // cb' = 2*cb - 1
			}
			if start+cb > 511 || cb < 2 {
				continue
			}
			if papxTTP(fkp[start+2 : start+cb]) { // skip istd
				t.from = append(t.from, from)
				t.to = append(t.to, to)
			}
		}
	}
	if len(t.from) == 0 {
		return nil
	}
	idx := make([]int, len(t.from))
	for i := range idx {
		idx[i] = i
	}
	sort.Slice(idx, func(a, b int) bool { return t.from[idx[a]] < t.from[idx[b]] })
	from, to := make([]uint32, len(idx)), make([]uint32, len(idx))
	for i, j := range idx {
		from[i], to[i] = t.from[j], t.to[j]
	}
	t.from, t.to = from, to
	return t
}

// papxTTP walks a grpprl looking for sprmPFTtp (0x2417) or
// sprmPFInnerTtp (0x244C) set to 1.
func papxTTP(g []byte) bool {
	le := binary.LittleEndian
	for i := 0; i+2 <= len(g); {
		sprm := le.Uint16(g[i:])
		i += 2
		var n int
		switch sprm >> 13 { // spra: operand size
		case 0, 1:
			n = 1
		case 2, 4, 5:
			n = 2
		case 3:
			n = 4
		case 7:
			n = 3
		case 6:
			if i >= len(g) {
				return false
			}
			switch sprm {
			case 0xD608: // sprmTDefTable: 2-byte size
				if i+2 > len(g) {
					return false
				}
				n = int(le.Uint16(g[i:])) + 1
			case 0xC615: // sprmPChgTabs: size 255 means more; give up
				if g[i] == 255 {
					return false
				}
				n = int(g[i]) + 1
			default:
				n = int(g[i]) + 1
			}
		}
		if i+n > len(g) {
			return false
		}
		if (sprm == 0x2417 || sprm == 0x244C) && g[i] == 1 {
			return true
		}
		i += n
	}
	return false
}
