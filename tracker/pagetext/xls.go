package pagetext

import (
	"encoding/binary"
	"errors"
	"fmt"
	"math"
	"strconv"
	"unicode/utf16"

	"golang.org/x/text/encoding"
	"golang.org/x/text/encoding/charmap"
	"golang.org/x/text/encoding/japanese"
	"golang.org/x/text/encoding/korean"
	"golang.org/x/text/encoding/simplifiedchinese"
	"golang.org/x/text/encoding/traditionalchinese"
)

// Excel 97-2003 workbooks (BIFF8, the Workbook stream of an OLE file; also
// what Kingsoft ET writes) and, as far as text goes, Excel 5/95 (BIFF5,
// the Book stream, strings in the workbook's codepage), per [MS-XLS].

// IsXLS sniffs an Excel 97-2003 workbook: an OLE compound file with a
// Workbook (or Book) stream.
func IsXLS(b []byte) bool {
	if !IsOLE(b) {
		return false
	}
	f, err := openOLE(b)
	return err == nil && f.isWorkbook()
}

// XLSText reads an Excel 97-2003 workbook as text: a "工作表：NAME" line
// before each sheet, then one line a row, cells joined by tabs.
func XLSText(b []byte) (string, error) {
	f, err := openOLE(b)
	if err != nil {
		return "", fmt.Errorf("read XLS: %w", err)
	}
	text, err := xlsText(f)
	if err != nil {
		return "", fmt.Errorf("read XLS: %w", err)
	}
	return text, nil
}

func xlsText(f *oleFile) (string, error) {
	var wb []byte
	var err error
	for _, name := range []string{"Workbook", "WORKBOOK", "Book", "BOOK"} {
		if f.has(name) {
			wb, err = f.stream(name, true)
			break
		}
	}
	if err != nil {
		return "", err
	}
	if wb == nil {
		return "", fmt.Errorf("no Workbook stream (streams: %s)", f.names())
	}
	return biffText(wb)
}

// BIFF record types read here.
const (
	recFormula    = 0x0006
	recEOF        = 0x000A
	recDateMode   = 0x0022
	recFilePass   = 0x002F
	recContinue   = 0x003C
	recCodePage   = 0x0042
	recBoundSheet = 0x0085
	recMulRK      = 0x00BD
	recRString    = 0x00D6
	recXF         = 0x00E0
	recSST        = 0x00FC
	recLabelSST   = 0x00FD
	recNumber     = 0x0203
	recLabel      = 0x0204
	recBoolErr    = 0x0205
	recString     = 0x0207
	recRK         = 0x027E
	recFormat     = 0x041E
	recBOF        = 0x0809
	recFormat4    = 0x001E // BIFF4 FORMAT id, seen in some BIFF5 writers
	recNumber2    = 0x0003 // BIFF2 ids some BIFF5 writers still use
	recLabel2     = 0x0004
	recRK2        = 0x007E
	recBOF4       = 0x0409
	recBOF3       = 0x0209
	recBOF2       = 0x0009
	recInteger2   = 0x0002
	biff8Version  = 0x0600
	bofWorksheet  = 0x0010
)

// biffRecord is one record; next is the offset of the record after it
// and after the CONTINUE records that carry on its data.
type biffRecord struct {
	typ    uint16
	offset int // of the record header in the stream
	data   []byte
	next   int
	wb     []byte
}

// readRecord reads the record at offset i; ok is false at the end of the
// stream or at a record that runs past it.
func readRecord(wb []byte, i int) (biffRecord, bool) {
	le := binary.LittleEndian
	if i < 0 || i+4 > len(wb) {
		return biffRecord{}, false
	}
	typ, n := le.Uint16(wb[i:]), int(le.Uint16(wb[i+2:]))
	if i+4+n > len(wb) {
		return biffRecord{}, false
	}
	r := biffRecord{typ: typ, offset: i, data: wb[i+4 : i+4+n], next: i + 4 + n, wb: wb}
	for r.next+4 <= len(wb) && le.Uint16(wb[r.next:]) == recContinue {
		m := int(le.Uint16(wb[r.next+2:]))
		if r.next+4+m > len(wb) {
			break
		}
		r.next += 4 + m
	}
	return r, true
}

// chunks is the record's data and that of its CONTINUE records.
func (r biffRecord) chunks() [][]byte {
	out := [][]byte{r.data}
	le := binary.LittleEndian
	for i := r.offset + 4 + len(r.data); i+4 <= r.next; {
		m := int(le.Uint16(r.wb[i+2:]))
		out = append(out, r.wb[i+4:i+4+m])
		i += 4 + m
	}
	return out
}

// biffBook is what the workbook globals say.
type biffBook struct {
	biff8    bool
	date1904 bool
	enc      encoding.Encoding // BIFF5 strings
	sst      []string
	xfFormat []numFormat // by XF index
	formats  map[int]numFormat
	sheets   []boundSheet
}

type boundSheet struct {
	offset uint32
	name   string
	kind   byte // 0 worksheet, 1 macro sheet, 2 chart, 6 VB module
	used   bool
}

func biffText(wb []byte) (string, error) {
	first, ok := readRecord(wb, 0)
	if !ok || !isBOF(first.typ) {
		return "", errors.New("Workbook stream: no BOF record")
	}
	bk := &biffBook{formats: map[int]numFormat{}, enc: charmap.Windows1252}
	if d := first.data; len(d) >= 2 && binary.LittleEndian.Uint16(d) >= biff8Version {
		bk.biff8 = true
	}
	// The globals substream, up to its EOF.
	i := first.next
	var xfs []int
	for {
		r, ok := readRecord(wb, i)
		if !ok {
			break
		}
		i = r.next
		d := r.data
		switch r.typ {
		case recEOF:
		case recFilePass:
			return "", ErrEncrypted
		case recDateMode:
			bk.date1904 = len(d) >= 2 && d[0]|d[1] != 0
		case recCodePage:
			if len(d) >= 2 {
				bk.enc = codePage(binary.LittleEndian.Uint16(d))
			}
		case recXF:
			if len(d) >= 4 {
				xfs = append(xfs, int(binary.LittleEndian.Uint16(d[2:])))
			}
		case recFormat, recFormat4:
			if id, code, ok := bk.formatRecord(d); ok {
				bk.formats[id] = classifyNumFormat(code)
			}
		case recBoundSheet:
			if s, ok := bk.boundSheet(d); ok {
				bk.sheets = append(bk.sheets, s)
			}
		case recSST:
			bk.sst = readSST(r)
		}
		if r.typ == recEOF {
			break
		}
	}
	bk.xfFormat = make([]numFormat, len(xfs))
	for k, id := range xfs {
		if f, ok := bk.formats[id]; ok {
			bk.xfFormat[k] = f
		} else {
			bk.xfFormat[k] = builtinNumFormat(id)
		}
	}
	var w sheetWriter
	nth := 0
	for !w.full {
		r, ok := readRecord(wb, i)
		if !ok {
			break
		}
		if !isBOF(r.typ) {
			i = r.next
			continue
		}
		kind := uint16(bofWorksheet)
		if len(r.data) >= 4 {
			kind = binary.LittleEndian.Uint16(r.data[2:])
		}
		name, sheetKind := bk.sheetName(r.offset, nth)
		nth++
		cells, next := bk.readSheet(wb, r.next)
		i = next
		if kind == bofWorksheet && sheetKind == 0 {
			w.sheet(name, cells)
		}
	}
	if w.text() == "" {
		return "", errors.New("Workbook stream: no worksheet (truncated?)")
	}
	return w.text(), nil
}

func isBOF(t uint16) bool {
	return t == recBOF || t == recBOF4 || t == recBOF3 || t == recBOF2
}

// sheetName finds the BOUNDSHEET of the substream at offset (or, when no
// BOUNDSHEET points there, the nth not yet used).
func (bk *biffBook) sheetName(offset, nth int) (string, byte) {
	for k := range bk.sheets {
		if s := &bk.sheets[k]; !s.used && int64(s.offset) == int64(offset) {
			s.used = true
			return s.name, s.kind
		}
	}
	for k := range bk.sheets {
		if s := &bk.sheets[k]; !s.used {
			s.used = true
			return s.name, s.kind
		}
	}
	return "Sheet" + strconv.Itoa(nth+1), 0
}

// readSheet reads the cells of a sheet substream from offset i (after its
// BOF) to its EOF; nested substreams (embedded charts) are skipped. It
// returns the offset after the EOF.
func (bk *biffBook) readSheet(wb []byte, i int) ([]sheetCell, int) {
	var cells []sheetCell
	le := binary.LittleEndian
	depth := 0
	// The cell of a FORMULA whose string result is in the next STRING.
	pending, hasPending := sheetCell{}, false
	add := func(row, col uint32, text string) {
		if text != "" {
			cells = append(cells, sheetCell{row: row, col: col, text: text})
		}
	}
	for {
		r, ok := readRecord(wb, i)
		if !ok {
			return cells, len(wb)
		}
		i = r.next
		d := r.data
		if isBOF(r.typ) {
			depth++
			continue
		}
		if r.typ == recEOF {
			if depth == 0 {
				return cells, i
			}
			depth--
			continue
		}
		if depth > 0 {
			continue
		}
		var row, col uint32
		var xf int
		if len(d) >= 6 {
			row, col, xf = uint32(le.Uint16(d)), uint32(le.Uint16(d[2:])), int(le.Uint16(d[4:]))
		}
		switch r.typ {
		case recLabelSST:
			if len(d) >= 10 {
				if k := le.Uint32(d[6:]); uint64(k) < uint64(len(bk.sst)) {
					add(row, col, bk.sst[k])
				}
			}
		case recLabel, recRString:
			if len(d) >= 8 {
				add(row, col, bk.cellString(d[6:]))
			}
		case recLabel2:
			if len(d) >= 8 {
				n := int(d[7])
				add(row, col, bk.decode8(d[8:min(len(d), 8+n)]))
			}
		case recNumber:
			if len(d) >= 14 {
				add(row, col, bk.number(math.Float64frombits(le.Uint64(d[6:])), xf))
			}
		case recNumber2:
			if len(d) >= 15 {
				add(row, col, plainNumber(math.Float64frombits(le.Uint64(d[7:]))))
			}
		case recInteger2:
			if len(d) >= 9 {
				add(row, col, strconv.Itoa(int(le.Uint16(d[7:]))))
			}
		case recRK, recRK2:
			if len(d) >= 10 {
				add(row, col, bk.number(rkValue(le.Uint32(d[6:])), xf))
			}
		case recMulRK:
			// row, first col, then (ixfe, rk) pairs, then last col
			for k := 4; k+6 <= len(d)-2; k += 6 {
				add(row, col, bk.number(rkValue(le.Uint32(d[k+2:])), int(le.Uint16(d[k:]))))
				col++
			}
		case recBoolErr:
			if len(d) >= 8 {
				add(row, col, boolErr(d[6], d[7] != 0))
			}
		case recFormula:
			if len(d) < 14 {
				continue
			}
			v := d[6:14]
			if v[6] == 0xFF && v[7] == 0xFF {
				switch v[0] {
				case 0: // string: in the STRING record that follows
					pending, hasPending = sheetCell{row: row, col: col}, true
				case 1:
					add(row, col, boolErr(v[2], false))
				case 2:
					add(row, col, boolErr(v[2], true))
				}
				continue
			}
			add(row, col, bk.number(math.Float64frombits(le.Uint64(v)), xf))
		case recString:
			if hasPending {
				add(pending.row, pending.col, bk.stringRecord(r))
				hasPending = false
			}
		}
	}
}

func (bk *biffBook) number(v float64, xf int) string {
	f := fmtNumber
	if xf >= 0 && xf < len(bk.xfFormat) {
		f = bk.xfFormat[xf]
	}
	return formatNumber(v, f, bk.date1904)
}

func rkValue(rk uint32) float64 {
	var v float64
	if rk&2 != 0 {
		v = float64(int32(rk) >> 2)
	} else {
		v = math.Float64frombits(uint64(rk&^3) << 32)
	}
	if rk&1 != 0 {
		v /= 100
	}
	return v
}

func boolErr(v byte, isErr bool) string {
	if !isErr {
		if v != 0 {
			return "TRUE"
		}
		return "FALSE"
	}
	switch v {
	case 0x00:
		return "#NULL!"
	case 0x07:
		return "#DIV/0!"
	case 0x0F:
		return "#VALUE!"
	case 0x17:
		return "#REF!"
	case 0x1D:
		return "#NAME?"
	case 0x24:
		return "#NUM!"
	case 0x2A:
		return "#N/A"
	}
	return ""
}

// codePage maps a CODEPAGE record to the encoding of BIFF5 strings.
func codePage(cp uint16) encoding.Encoding {
	switch cp {
	case 936:
		return simplifiedchinese.GB18030
	case 950:
		return traditionalchinese.Big5
	case 932:
		return japanese.ShiftJIS
	case 949:
		return korean.EUCKR
	case 1250:
		return charmap.Windows1250
	case 1251:
		return charmap.Windows1251
	}
	return charmap.Windows1252
}

func (bk *biffBook) decode8(b []byte) string {
	s, err := bk.enc.NewDecoder().Bytes(b)
	if err != nil {
		return toValid(b)
	}
	return toValid(s)
}

// cellString reads the string of a LABEL: BIFF8 XLUnicodeString (cch,
// flags, characters), BIFF5 cch and codepage bytes.
func (bk *biffBook) cellString(d []byte) string {
	if len(d) < 2 {
		return ""
	}
	n := int(binary.LittleEndian.Uint16(d))
	if !bk.biff8 {
		return bk.decode8(d[2:min(len(d), 2+n)])
	}
	if len(d) < 3 {
		return ""
	}
	return chars(d[3:], n, d[2]&1 != 0)
}

// chars decodes n characters, UTF-16LE when high, else Latin-1 bytes (the
// "compressed" form, where every high byte is zero).
func chars(b []byte, n int, high bool) string {
	if high {
		n = min(n, len(b)/2)
		u := make([]uint16, n)
		for i := range u {
			u[i] = binary.LittleEndian.Uint16(b[2*i:])
		}
		return string(utf16.Decode(u))
	}
	n = min(n, len(b))
	r := make([]rune, n)
	for i, c := range b[:n] {
		r[i] = rune(c)
	}
	return string(r)
}

// formatRecord reads a FORMAT record: format id and code.
func (bk *biffBook) formatRecord(d []byte) (int, string, bool) {
	if len(d) < 3 {
		return 0, "", false
	}
	id := int(binary.LittleEndian.Uint16(d))
	if !bk.biff8 {
		n := int(d[2])
		return id, bk.decode8(d[3:min(len(d), 3+n)]), true
	}
	if len(d) < 5 {
		return 0, "", false
	}
	return id, chars(d[5:], int(binary.LittleEndian.Uint16(d[2:])), d[4]&1 != 0), true
}

// boundSheet reads a BOUNDSHEET record: where the sheet's substream
// starts, its kind and name.
func (bk *biffBook) boundSheet(d []byte) (boundSheet, bool) {
	if len(d) < 7 {
		return boundSheet{}, false
	}
	s := boundSheet{offset: binary.LittleEndian.Uint32(d), kind: d[5]}
	n := int(d[6])
	if bk.biff8 {
		if len(d) < 8 {
			return boundSheet{}, false
		}
		s.name = chars(d[8:], n, d[7]&1 != 0)
	} else {
		s.name = bk.decode8(d[7:min(len(d), 7+n)])
	}
	return s, true
}

// stringRecord reads a STRING record (a formula's string result), which
// may go on in CONTINUE records.
func (bk *biffBook) stringRecord(r biffRecord) string {
	if !bk.biff8 {
		return bk.cellString(r.data)
	}
	c := contReader{chunks: r.chunks()}
	s, _ := c.xlString(false)
	return s
}

// contReader reads a record and its CONTINUE records as one stream, except
// that characters of a string split across records resume, in the next
// record, after a byte of flags saying whether they are 8 or 16 bits wide.
type contReader struct {
	chunks [][]byte
	ci     int // current chunk
	off    int // offset in it
}

// atChunkEnd moves to the next chunk when the current one is used up.
func (c *contReader) atChunkEnd() bool {
	for c.ci < len(c.chunks) && c.off >= len(c.chunks[c.ci]) {
		c.ci++
		c.off = 0
	}
	return c.ci >= len(c.chunks)
}

// bytes reads n raw bytes, across chunks.
func (c *contReader) bytes(n int) ([]byte, bool) {
	var out []byte
	for n > 0 {
		if c.atChunkEnd() {
			return nil, false
		}
		ch := c.chunks[c.ci]
		k := min(n, len(ch)-c.off)
		if out == nil && k == n {
			out = ch[c.off : c.off+k]
		} else {
			out = append(out, ch[c.off:c.off+k]...)
		}
		c.off += k
		n -= k
	}
	return out, true
}

// skip skips n raw bytes, across chunks.
func (c *contReader) skip(n int) bool {
	for n > 0 {
		if c.atChunkEnd() {
			return false
		}
		k := min(n, len(c.chunks[c.ci])-c.off)
		c.off += k
		n -= k
	}
	return true
}

// xlString reads an XLUnicodeString (rich false) or an
// XLUnicodeRichExtendedString (rich true: runs and phonetic data skipped).
func (c *contReader) xlString(rich bool) (string, bool) {
	c.atChunkEnd()
	h, ok := c.bytes(3)
	if !ok {
		return "", false
	}
	n := int(binary.LittleEndian.Uint16(h))
	flags := h[2]
	runs, ext := 0, 0
	if rich && flags&0x08 != 0 {
		b, ok := c.bytes(2)
		if !ok {
			return "", false
		}
		runs = int(binary.LittleEndian.Uint16(b))
	}
	if rich && flags&0x04 != 0 {
		b, ok := c.bytes(4)
		if !ok {
			return "", false
		}
		ext = int(int32(binary.LittleEndian.Uint32(b)))
		if ext < 0 {
			return "", false
		}
	}
	high := flags&1 != 0
	u := make([]uint16, 0, min(n, 1<<12))
	for len(u) < n {
		if c.ci >= len(c.chunks) {
			return "", false
		}
		if c.off >= len(c.chunks[c.ci]) {
			// The characters go on in the next record, after its flags.
			c.ci++
			c.off = 0
			if c.ci >= len(c.chunks) || len(c.chunks[c.ci]) == 0 {
				return "", false
			}
			high = c.chunks[c.ci][0]&1 != 0
			c.off = 1
			continue
		}
		ch := c.chunks[c.ci]
		if high {
			for c.off+2 <= len(ch) && len(u) < n {
				u = append(u, binary.LittleEndian.Uint16(ch[c.off:]))
				c.off += 2
			}
			if len(u) < n && c.off+2 > len(ch) {
				c.off = len(ch) // a stray odd byte
			}
		} else {
			for c.off < len(ch) && len(u) < n {
				u = append(u, uint16(ch[c.off]))
				c.off++
			}
		}
	}
	if !c.skip(4*runs) || !c.skip(ext) {
		// Runs cut short at the end of the SST: the text is whole.
		return string(utf16.Decode(u)), false
	}
	return string(utf16.Decode(u)), true
}

// readSST reads the shared strings; a damaged table keeps the strings
// read up to the damage.
func readSST(r biffRecord) []string {
	if len(r.data) < 8 {
		return nil
	}
	total := int64(binary.LittleEndian.Uint32(r.data[4:]))
	chunks := r.chunks()
	chunks[0] = chunks[0][8:]
	// Every string takes at least 3 bytes.
	sst := make([]string, 0, min(total, int64(r.next-r.offset)/3))
	c := contReader{chunks: chunks}
	for int64(len(sst)) < total {
		s, ok := c.xlString(true)
		if !ok {
			if s != "" {
				sst = append(sst, s)
			}
			break
		}
		sst = append(sst, s)
	}
	return sst
}
