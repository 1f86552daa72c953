package pagetext

import (
	"archive/zip"
	"bytes"
	"context"
	"encoding/binary"
	"errors"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"unicode/utf16"
	"unicode/utf8"

	"github.com/grantwatch/grantwatch/tracker/extract"
)

// The files in testdata/office were made with LibreOffice 7.4 from
// sources written for these tests (a 申报通知 and a 申报汇总表):
//
//	notice.doc     Word 97-2003, from HTML: a table, a hyperlink field, a
//	               bold run inside a date.
//	notice.wps     Word-binary, saved under the .wps name: Kingsoft WPS
//	               Writer writes .wps files in the same OLE/Word-binary
//	               layout (a WordDocument stream, a 0Table/1Table stream).
//	               Made from ODF with a page header (left out of the text),
//	               a footnote, a table with empty cells, a hyperlink.
//	schedule.xls   Excel 97-2003 (BIFF8): two sheets, a header row, dates
//	               in yyyy-mm-dd and yyyy年m月d日 formats, numbers, booleans,
//	               a SUM formula, a percentage.
//	schedule.xlsx  The same workbook as XLSX.
//
// The malformed files are made by TestWriteMalformedTestdata (run with
// PAGETEXT_WRITE_TESTDATA=1): cut short, or garbage inside a well-formed
// OLE wrapper.

func readTestdata(t testing.TB, name string) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", "office", name))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func readDoc(t *testing.T, name string) string {
	t.Helper()
	text, title, err := DocumentText(context.Background(), readTestdata(t, name), "application/octet-stream")
	if err != nil {
		t.Fatalf("%s: %v", name, err)
	}
	if title != "" {
		t.Errorf("%s: title %q", name, title)
	}
	if !utf8.ValidString(text) {
		t.Errorf("%s: invalid UTF-8", name)
	}
	return text
}

func wantLines(t *testing.T, name, text string, lines ...string) {
	t.Helper()
	have := map[string]bool{}
	for _, l := range strings.Split(text, "\n") {
		have[l] = true
	}
	for _, l := range lines {
		if !have[l] {
			t.Errorf("%s: no line %q in:\n%s", name, l, text)
		}
	}
}

type wantWindow struct{ what, opens, closes string }

func wantWindows(t *testing.T, name, text string, want ...wantWindow) {
	t.Helper()
	res := extract.Extract(text, extract.Options{})
	for _, w := range want {
		found := false
		for _, got := range res.Windows {
			if strings.Contains(got.What, w.what) && got.Opens == w.opens && got.Closes == w.closes {
				found = true
			}
		}
		if !found {
			t.Errorf("%s: no window %+v among %+v", name, w, res.Windows)
		}
	}
}

func TestDOCText(t *testing.T) {
	text := readDoc(t, "notice.doc")
	wantLines(t, "notice.doc", text,
		"关于组织申报2024年度省科技计划项目的通知",
		"申报时间：2024年3月1日至3月31日。逾期不予受理。", // "2024年3月1日" is a bold run
		"纸质材料请于2024年4月5日前报送至省科技厅政务服务中心（Room 101）。",
		"联系人\t张三\t电话\t0571-87054321", // a table row
		"邮箱\tkjc@example.gov.cn\t地址\t杭州市西湖区文三路",
		"申报指南详见省科技厅网站。", // a HYPERLINK field: its code left out, its result kept
		"2024年2月20日",
	)
	if strings.Contains(text, "HYPERLINK") || strings.Contains(text, "http://") {
		t.Errorf("field code kept:\n%s", text)
	}
	wantWindows(t, "notice.doc", text,
		wantWindow{"申报", "2024-03-01", "2024-03-31"},
		wantWindow{"纸质材料", "", "2024-04-05"},
	)
	if res := extract.Extract(text, extract.Options{}); res.Published != "2024-02-20" {
		t.Errorf("published %q", res.Published)
	}
}

func TestWPSText(t *testing.T) {
	b := readTestdata(t, "notice.wps")
	if !IsDOC(b) || IsXLS(b) || !IsDocument(b) {
		t.Error("notice.wps not sniffed as a Word-binary document")
	}
	text := readDoc(t, "notice.wps")
	wantLines(t, "notice.wps", text,
		"关于开展2024年度高新技术企业认定工作的通知",
		"一、企业网上申报截止时间：2024年6月30日17:00。",
		"二、受理时间：2024年5月6日至6月30日（节假日除外）。",
		"三、纸质材料请于2024年7月5日前报送至市政务服务中心科技窗口。",
		// Table rows: cells by tabs, an empty first cell kept as a leading
		// tab, the row's end told from the cell marks by the paragraph
		// properties (fTtp).
		"批次\t申报截止\t备注",
		"第一批\t2024年6月30日",
		"\t2024年9月15日\t第二批",
		"咨询电话：0571-85123456，网址：市科技局网站。",
		"\t国科发火〔2016〕32号。", // the footnote, after the main text
	)
	if strings.Contains(text, "第1页") {
		t.Errorf("page header kept:\n%s", text)
	}
	main, _, _ := strings.Cut(text, "国科发火")
	if !strings.HasSuffix(strings.TrimSpace(main), "2024年4月20日") {
		t.Errorf("footnote not after the main text:\n%s", text)
	}
	wantWindows(t, "notice.wps", text,
		wantWindow{"受理", "2024-05-06", "2024-06-30"},
		wantWindow{"纸质材料", "", "2024-07-05"},
	)
}

const scheduleText = "工作表：申报汇总表\n" +
	"序号\t项目名称\t申报单位\t申请经费（万元）\t截止日期\t备注\t是否推荐\n" +
	"1\t智能制造关键技术研究\t某某大学\t50\t2024年3月31日\t纸质材料请于2024年4月5日前报送\tTRUE\n" +
	"2\t新能源汽车电池回收利用\t某某科技有限公司\t12.5\t2024年4月15日\t\tFALSE\n" +
	"3\t乡村振兴数字化平台\t某某市农业农村局\t1234567\t2024年5月1日\t经费单位：元\tTRUE\n" +
	"\t合计\t\t1234629.5\t\t%s\n" +
	"-0.25\t15%%\n" +
	"工作表：说明\n" +
	"申报截止时间：2024年3月31日\n" +
	"网上申报时间：2024年3月1日至3月31日\n" +
	"联系人：张三  电话：0571-87054321"

func TestXLSText(t *testing.T) {
	b := readTestdata(t, "schedule.xls")
	if !IsXLS(b) || IsDOC(b) || !IsDocument(b) || IsXLSX(b) {
		t.Error("schedule.xls not sniffed as XLS")
	}
	text := readDoc(t, "schedule.xls")
	// LibreOffice caches 0 as the result of a string formula in XLS (Excel
	// writes a STRING record, read in TestBIFFSynthetic).
	if want := strings.Replace(scheduleText, "%s", "0", 1); text != strings.Replace(want, "%%", "%", 1) {
		t.Errorf("XLS text:\n%s\nwant:\n%s", text, want)
	}
	direct, err := XLSText(b)
	if err != nil || direct != text {
		t.Errorf("XLSText = %q, %v", direct, err)
	}
	wantWindows(t, "schedule.xls", text,
		wantWindow{"网上申报", "2024-03-01", "2024-03-31"},
		wantWindow{"纸质材料", "", "2024-04-05"},
	)
}

func TestXLSXText(t *testing.T) {
	b := readTestdata(t, "schedule.xlsx")
	if !IsXLSX(b) || IsDOCX(b) || IsDOC(b) || IsXLS(b) || !IsDocument(b) {
		t.Error("schedule.xlsx not sniffed as XLSX")
	}
	text := readDoc(t, "schedule.xlsx")
	want := strings.Replace(strings.Replace(scheduleText, "%s", "共3项", 1), "%%", "%", 1)
	if text != want {
		t.Errorf("XLSX text:\n%s\nwant:\n%s", text, want)
	}
	wantWindows(t, "schedule.xlsx", text,
		wantWindow{"网上申报", "2024-03-01", "2024-03-31"},
		wantWindow{"纸质材料", "", "2024-04-05"},
	)
}

func TestSniffing(t *testing.T) {
	var docx bytes.Buffer
	zw := zip.NewWriter(&docx)
	f, _ := zw.Create("word/document.xml")
	f.Write([]byte(`<w:document/>`))
	zw.Close()
	for _, tt := range []struct {
		name                    string
		b                       []byte
		doc, xls, xlsx, isDocum bool
	}{
		{"pdf", []byte("%PDF-1.7\n"), false, false, false, true},
		{"docx", docx.Bytes(), false, false, false, true},
		{"html", []byte("<html><body>申报</body></html>"), false, false, false, false},
		{"text", []byte("申报截止时间：2024年3月31日"), false, false, false, false},
		{"bare OLE magic", oleMagic, true, false, false, true},
		{"OLE with other streams", buildOLE([]string{"Contents"}, [][]byte{[]byte("x")}), true, false, false, true},
	} {
		if IsDOC(tt.b) != tt.doc || IsXLS(tt.b) != tt.xls || IsXLSX(tt.b) != tt.xlsx || IsDocument(tt.b) != tt.isDocum {
			t.Errorf("%s: IsDOC %v IsXLS %v IsXLSX %v IsDocument %v", tt.name, IsDOC(tt.b), IsXLS(tt.b), IsXLSX(tt.b), IsDocument(tt.b))
		}
	}
}

// --- Word binary, hand-made -------------------------------------------

// wordPiece is text for the synthetic piece table: 8-bit (compressed,
// CP-1252) or UTF-16.
type wordPiece struct {
	text       string
	compressed bool
}

// buildWordStreams writes a WordDocument stream (FIB, then the pieces'
// text from byte 1024) and a 1Table stream (a CLX with a Prc and the
// piece table). ccp are the part lengths: main text, footnotes, headers.
func buildWordStreams(pieces []wordPiece, ccp [3]uint32) (wd, tbl []byte) {
	le := binary.LittleEndian
	wd = make([]byte, 1024)
	le.PutUint16(wd[0:], wIdentWord)
	le.PutUint16(wd[2:], nFibWord97)
	le.PutUint16(wd[0x0A:], 0x0200|0x0004) // fWhichTblStm, fComplex
	le.PutUint16(wd[32:], 14)              // csw
	le.PutUint16(wd[62:], 22)              // cslw
	for i, c := range ccp {
		le.PutUint32(wd[64+4*(3+i):], c)
	}
	le.PutUint16(wd[152:], 93) // cbRgFcLcb
	var cps []uint32
	var pcds []byte
	cp := uint32(0)
	for _, p := range pieces {
		cps = append(cps, cp)
		fc := uint32(len(wd))
		var n int
		if p.compressed {
			for _, r := range p.text {
				b, ok := cp1252(r)
				if !ok {
					panic("not CP-1252")
				}
				wd = append(wd, b)
				n++
			}
			fc = fc*2 | 0x40000000
		} else {
			u := utf16.Encode([]rune(p.text))
			for _, c := range u {
				wd = le.AppendUint16(wd, c)
			}
			n = len(u)
		}
		pcd := make([]byte, 8)
		le.PutUint32(pcd[2:], fc)
		pcds = append(pcds, pcd...)
		cp += uint32(n)
	}
	cps = append(cps, cp)
	tbl = []byte{0x01, 0x02, 0x00, 0xAA, 0xBB, 0x02} // a Prc of 2 bytes, then the Pcdt
	var plc []byte
	for _, c := range cps {
		plc = le.AppendUint32(plc, c)
	}
	plc = append(plc, pcds...)
	tbl = le.AppendUint32(tbl, uint32(len(plc)))
	tbl = append(tbl, plc...)
	le.PutUint32(wd[154+33*8:], 0)
	le.PutUint32(wd[154+33*8+4:], uint32(len(tbl)))
	return wd, tbl
}

func cp1252(r rune) (byte, bool) {
	if r < 0x80 {
		return byte(r), true
	}
	switch r {
	case '“':
		return 0x93, true
	case '”':
		return 0x94, true
	case 'é':
		return 0xE9, true
	}
	return 0, false
}

func TestWordPieces(t *testing.T) {
	main := []wordPiece{
		{"Deadline \u201cNotice\u201d caf\u00e9\r", true},
		{"申报截止时间：\x13 HYPERLINK \"http://x.cn\" \\o \"\x13 PAGE \x14提示\x15\"\x14见网站\x15，", false},
		{"2024年3月31日。\x01\x08\r", false},
		{"𠀀字\r", false}, // a surrogate pair
		{"项目\x07经费\x07\x07A\x07\x07", false},
		{"第\x0b二行\x0c第三页\x1e\x1f\r", false},
	}
	var n uint32
	for _, p := range main {
		n += uint32(utf8.RuneCountInString(p.text)) + uint32(strings.Count(p.text, "𠀀"))
	}
	foot := wordPiece{"\x02\t注：纸质材料请于2024年4月5日前报送。\r", false}
	head := wordPiece{"页眉第1页\r", false}
	all := append(append(main, foot), head)
	nFoot := uint32(utf8.RuneCountInString(foot.text))
	wd, tbl := buildWordStreams(all, [3]uint32{n, nFoot, uint32(utf8.RuneCountInString(head.text))})
	f := buildOLE([]string{"WordDocument", "1Table"}, [][]byte{wd, tbl})
	text, err := DOCText(context.Background(), f)
	if err != nil {
		t.Fatal(err)
	}
	want := "Deadline \u201cNotice\u201d caf\u00e9\n" +
		"申报截止时间：见网站，2024年3月31日。\n" +
		"𠀀字\n" +
		"项目\t经费\n" + // no paragraph properties: a mark right after a cell mark ends the row
		"A\n" +
		"第\n二行\n第三页-\n" +
		"\t注：纸质材料请于2024年4月5日前报送。"
	if text != want {
		t.Errorf("got\n%q\nwant\n%q", text, want)
	}
	// A file that says it is encrypted.
	le := binary.LittleEndian
	enc := append([]byte{}, wd...)
	le.PutUint16(enc[0x0A:], le.Uint16(enc[0x0A:])|0x0100)
	_, err = DOCText(context.Background(), buildOLE([]string{"WordDocument", "1Table"}, [][]byte{enc, tbl}))
	if !errors.Is(err, ErrEncrypted) {
		t.Errorf("encrypted: %v", err)
	}
	// The piece table points past the stream, overlaps itself, or is cut.
	for name, mod := range map[string]func(wd, tbl []byte) ([]byte, []byte){
		"lcbClx past the table stream": func(wd, tbl []byte) ([]byte, []byte) {
			le.PutUint32(wd[154+33*8+4:], 1<<30)
			return wd, tbl
		},
		"no table stream": func(wd, tbl []byte) ([]byte, []byte) { return wd, nil },
		"piece fc past the stream": func(wd, tbl []byte) ([]byte, []byte) {
			le.PutUint32(tbl[6+4+4*(len(all)+1)+2:], 0x3FFFFFF0)
			return wd, tbl
		},
		"huge ccpText": func(wd, tbl []byte) ([]byte, []byte) {
			le.PutUint32(wd[64+12:], 0xFFFFFFFF)
			return wd, tbl
		},
		"unknown CLX byte": func(wd, tbl []byte) ([]byte, []byte) {
			tbl[0] = 7
			return wd, tbl
		},
		"FIB cut short": func(wd, tbl []byte) ([]byte, []byte) { return wd[:40], tbl },
	} {
		w, tb := mod(append([]byte{}, wd...), append([]byte{}, tbl...))
		names, streams := []string{"WordDocument"}, [][]byte{w}
		if tb != nil {
			names, streams = append(names, "1Table"), append(streams, tb)
		}
		text, err := nativeDOCText(buildOLE(names, streams))
		if err == nil && !utf8.ValidString(text) {
			t.Errorf("%s: invalid UTF-8", name)
		}
		if len(text) > 4*len(w) {
			t.Errorf("%s: %d bytes of text from a %d-byte stream", name, len(text), len(w))
		}
	}
}

func TestWordScanFallback(t *testing.T) {
	// A Word 6/95 file: no piece table, 8-bit text in the document's
	// codepage (GBK for Chinese) between fcMin and fcMac.
	le := binary.LittleEndian
	wd := make([]byte, 0x300)
	le.PutUint16(wd, wIdentWord6)
	le.PutUint16(wd[2:], 0x65)
	body := gbk(t, "申报截止时间：2024年3月31日\r纸质材料请于4月5日前报送\r")
	le.PutUint32(wd[0x18:], uint32(len(wd)))
	wd = append(wd, body...)
	le.PutUint32(wd[0x1C:], uint32(len(wd)))
	text, err := nativeDOCText(buildOLE([]string{"WordDocument"}, [][]byte{wd}))
	if err != nil || text != "申报截止时间：2024年3月31日\n纸质材料请于4月5日前报送" {
		t.Errorf("Word 6 text %q, %v", text, err)
	}
}

// --- BIFF8, hand-made --------------------------------------------------

func rec(typ uint16, data ...[]byte) []byte {
	var d []byte
	for _, p := range data {
		d = append(d, p...)
	}
	b := binary.LittleEndian.AppendUint16(nil, typ)
	b = binary.LittleEndian.AppendUint16(b, uint16(len(d)))
	return append(b, d...)
}

func u16(v ...uint16) []byte {
	var b []byte
	for _, x := range v {
		b = binary.LittleEndian.AppendUint16(b, x)
	}
	return b
}

func u32(v uint32) []byte { return binary.LittleEndian.AppendUint32(nil, v) }

func f64(v float64) []byte { return binary.LittleEndian.AppendUint64(nil, math.Float64bits(v)) }

// utf16Bytes is a string's UTF-16LE bytes.
func utf16Bytes(s string) []byte {
	var b []byte
	for _, c := range utf16.Encode([]rune(s)) {
		b = binary.LittleEndian.AppendUint16(b, c)
	}
	return b
}

// xlStr is an XLUnicodeString: 16-bit count, flags, UTF-16 characters.
func xlStr(s string) []byte {
	return append(append(u16(uint16(len(utf16.Encode([]rune(s))))), 1), utf16Bytes(s)...)
}

func buildBIFF(date1904 bool) []byte {
	globals := func(off1, off2 uint32) []byte {
		var g []byte
		g = append(g, rec(recBOF, u16(0x0600, 0x0005, 0, 0), u32(0), u32(0))...)
		g = append(g, rec(recCodePage, u16(1200))...)
		mode := uint16(0)
		if date1904 {
			mode = 1
		}
		g = append(g, rec(recDateMode, u16(mode))...)
		g = append(g, rec(recFormat, u16(164), xlStr(`yyyy\-mm\-dd;@`))...)
		g = append(g, rec(recFormat, u16(165), xlStr(`"¥"#,##0.00`))...)
		for _, f := range []uint16{0, 164, 14, 165, 10} {
			g = append(g, rec(recXF, u16(0, f), make([]byte, 16))...)
		}
		g = append(g, rec(recBoundSheet, u32(off1), []byte{0, 0, 2, 1}, utf16Bytes("汇总"))...)
		g = append(g, rec(recBoundSheet, u32(0), []byte{0, 2, 5, 0}, []byte("Chart"))...)
		g = append(g, rec(recBoundSheet, u32(off2), []byte{1, 0, 5, 0}, []byte("Notes"))...)
		// SST: string 0 whole; string 1 starts 8-bit in the SST and goes on
		// in a CONTINUE as 16-bit; string 2 has rich-text runs and phonetic
		// data that run into the next CONTINUE.
		s0 := append(append(u16(11), 1), utf16Bytes("申报截止时间：2024")...)
		s1a := append(append(u16(12), 0), []byte("Deadline: ")...)
		s1b := append([]byte{1}, utf16Bytes("三月")...)
		s2a := append(append(u16(4), 0x01|0x08|0x04), u16(2)...)
		s2a = append(append(s2a, u32(6)...), utf16Bytes("纸质材料")...)
		s2a = append(s2a, make([]byte, 8)...) // two runs
		s2a = append(s2a, 1, 2, 3)            // 3 of the 6 phonetic bytes
		s2b := []byte{4, 5, 6}
		s3 := append(append(u16(2), 0), []byte("OK")...)
		g = append(g, rec(recSST, u32(4), u32(4), s0, s1a)...)
		g = append(g, rec(recContinue, s1b, s2a)...)
		g = append(g, rec(recContinue, s2b, s3)...)
		g = append(g, rec(recEOF)...)
		return g
	}
	g := globals(0, 0)
	var s1 []byte
	s1 = append(s1, rec(recBOF, u16(0x0600, 0x0010, 0, 0), u32(0), u32(0))...)
	s1 = append(s1, rec(recLabelSST, u16(0, 1, 0), u32(0))...)
	s1 = append(s1, rec(recNumber, u16(0, 2, 1), f64(45382))...)  // yyyy-mm-dd
	s1 = append(s1, rec(recLabelSST, u16(0, 0, 0), u32(2))...)    // written after, sorts first
	s1 = append(s1, rec(recRK, u16(1, 1, 2), u32(45383<<2|2))...) // built-in 14, RK integer
	s1 = append(s1, rec(recRK, u16(1, 2, 0), u32(1234<<2|3))...)  // x100: 12.34
	s1 = append(s1, rec(recMulRK, u16(2, 1), u16(3), u32(42<<2|2), u16(4), u32(15<<2|3), u16(2))...)
	s1 = append(s1, rec(recFormula, u16(3, 1, 0), []byte{0, 0, 0, 0, 0, 0, 0xFF, 0xFF}, make([]byte, 8))...)
	s1 = append(s1, rec(recString, u16(4), []byte{0}, []byte("Tot"))...) // 8-bit "Tot", then...
	s1 = append(s1, rec(recContinue, []byte{1}, utf16Bytes("计"))...)     // ...16-bit "计"
	s1 = append(s1, rec(recFormula, u16(3, 2, 0), f64(7.5), make([]byte, 8))...)
	s1 = append(s1, rec(recFormula, u16(3, 3, 0), []byte{1, 0, 1, 0, 0, 0, 0xFF, 0xFF}, make([]byte, 8))...)
	s1 = append(s1, rec(recBoolErr, u16(4, 1, 0), []byte{0x07, 1})...)
	s1 = append(s1, rec(recLabel, u16(4, 2, 0), xlStr("备注\n第二行"))...)
	s1 = append(s1, rec(recLabelSST, u16(5, 1, 0), u32(99))...) // no such string
	s1 = append(s1, rec(recLabelSST, u16(6, 1, 0), u32(1))...)
	// An embedded chart substream, skipped.
	s1 = append(s1, rec(recBOF, u16(0x0600, 0x0020, 0, 0), u32(0), u32(0))...)
	s1 = append(s1, rec(recLabelSST, u16(9, 9, 0), u32(3))...)
	s1 = append(s1, rec(recEOF)...)
	s1 = append(s1, rec(recEOF)...)
	chart := append(rec(recBOF, u16(0x0600, 0x0020, 0, 0), u32(0), u32(0)), rec(recEOF)...)
	var s2 []byte
	s2 = append(s2, rec(recBOF, u16(0x0600, 0x0010, 0, 0), u32(0), u32(0))...)
	s2 = append(s2, rec(recLabel, u16(0, 0, 0), append(append(u16(2), 0), "OK"...))...)
	s2 = append(s2, rec(recEOF)...)
	off1 := uint32(len(g))
	g = globals(off1, off1+uint32(len(s1)+len(chart)))
	return append(append(append(g, s1...), chart...), s2...)
}

func TestBIFFSynthetic(t *testing.T) {
	b := buildOLE([]string{"Workbook"}, [][]byte{buildBIFF(false)})
	if !IsXLS(b) || IsDOC(b) {
		t.Fatal("not sniffed as XLS")
	}
	text, _, err := DocumentText(context.Background(), b, "")
	want := "工作表：汇总\n" +
		"纸质材料\t申报截止时间：2024\t2024年3月31日\n" +
		"\t2024年4月1日\t12.34\n" +
		"\t42\t15%\n" + // "¥"#,##0.00 is no date; format 10 is a percentage
		"\tTot计\t7.5\tTRUE\n" +
		"\t#DIV/0!\t备注 第二行\n" +
		"\tDeadline: 三月\n" +
		"工作表：Notes\n" +
		"OK"
	if err != nil || text != want {
		t.Errorf("got %v\n%s\nwant\n%s", err, text, want)
	}
	// The 1904 date system: 45382 is four years and a day later.
	text, err = XLSText(buildOLE([]string{"Workbook"}, [][]byte{buildBIFF(true)}))
	if err != nil || !strings.Contains(text, "\t2028年4月1日\n") {
		t.Errorf("1904 system: %v\n%s", err, text)
	}
	// FILEPASS: encrypted.
	enc := buildBIFF(false)
	i := bytes.Index(enc, rec(recCodePage, u16(1200)))
	copy(enc[i:], rec(recFilePass, u16(0)))
	if _, err := XLSText(buildOLE([]string{"Workbook"}, [][]byte{enc})); !errors.Is(err, ErrEncrypted) {
		t.Errorf("FILEPASS: %v", err)
	}
	// Every cut of the stream: an error or some text, never a panic.
	full := buildBIFF(false)
	for n := 0; n < len(full); n += 7 {
		if s, err := biffText(full[:n]); err == nil && !utf8.ValidString(s) {
			t.Fatalf("cut at %d: invalid UTF-8", n)
		}
	}
}

func TestBIFF5(t *testing.T) {
	// An Excel 5/95 workbook (a Book stream): strings are bytes in the
	// workbook's codepage, here 936 (GBK).
	str8 := func(s string) []byte { b := gbk(t, s); return append(u16(uint16(len(b))), b...) }
	name := gbk(t, "汇总")
	var s1 []byte
	s1 = append(s1, rec(recBOF, u16(0x0500, 0x0010, 0, 0))...)
	s1 = append(s1, rec(recLabel, u16(0, 0, 0), str8("申报截止时间：2024年3月31日"))...)
	s1 = append(s1, rec(recNumber, u16(0, 1, 1), f64(45382))...)
	s1 = append(s1, rec(recEOF)...)
	globals := func(off uint32) []byte {
		var g []byte
		g = append(g, rec(recBOF, u16(0x0500, 0x0005, 0, 0))...)
		g = append(g, rec(recCodePage, u16(936))...)
		g = append(g, rec(recFormat, u16(164), []byte{10}, []byte("yyyy/m/d;@"))...)
		g = append(g, rec(recXF, u16(0, 0), make([]byte, 12))...)
		g = append(g, rec(recXF, u16(0, 164), make([]byte, 12))...)
		g = append(g, rec(recBoundSheet, u32(off), []byte{0, 0, byte(len(name))}, name)...)
		return append(g, rec(recEOF)...)
	}
	g := globals(0)
	wb := append(globals(uint32(len(g))), s1...)
	b := buildOLE([]string{"Book"}, [][]byte{wb})
	if !IsXLS(b) {
		t.Fatal("a Book stream not sniffed as XLS")
	}
	text, err := XLSText(b)
	if want := "工作表：汇总\n申报截止时间：2024年3月31日\t2024年3月31日"; err != nil || text != want {
		t.Errorf("BIFF5: %q, %v", text, err)
	}
}

func TestSerialDates(t *testing.T) {
	for _, tt := range []struct {
		v    float64
		f    numFormat
		d    bool
		want string
	}{
		{1, fmtDate, false, "1900年1月1日"},
		{59, fmtDate, false, "1900年2月28日"},
		{60, fmtDate, false, "1900年2月29日"}, // Lotus's day that never was
		{61, fmtDate, false, "1900年3月1日"},
		{45382, fmtDate, false, "2024年3月31日"},
		{45382.75, fmtDate, false, "2024年3月31日"},
		{45382.75, fmtDateTime, false, "2024年3月31日 18:00"},
		{45382, fmtDateTime, false, "2024年3月31日"},
		{0.5, fmtTime, false, "12:00"},
		{0.7500115740740741, fmtTime, false, "18:00:01"},
		{0, fmtDate, true, "1904年1月1日"},
		{43920, fmtDate, true, "2024年3月31日"},
		{-1, fmtDate, false, "-1"},
		{3e6, fmtDate, false, "3000000"},
		{0.15, fmtPercent, false, "15%"},
		{1234567, fmtNumber, false, "1234567"},
		{0.1 + 0.2, fmtNumber, false, "0.3"},
		{12.50, fmtNumber, false, "12.5"},
		{-0.25, fmtNumber, false, "-0.25"},
		{1e22, fmtNumber, false, "1e+22"},
		{math.NaN(), fmtDate, false, "#NUM!"},
	} {
		if got := formatNumber(tt.v, tt.f, tt.d); got != tt.want {
			t.Errorf("formatNumber(%v, %d, %v) = %q, want %q", tt.v, tt.f, tt.d, got, tt.want)
		}
	}
}

func TestClassifyNumFormat(t *testing.T) {
	for code, want := range map[string]numFormat{
		"General":                     fmtNumber,
		"0.00":                        fmtNumber,
		"#,##0.00_);[Red](#,##0.00)":  fmtNumber,
		"0.00E+00":                    fmtNumber,
		`"¥"#,##0.00`:                 fmtNumber,
		"0%":                          fmtPercent,
		"yyyy-mm-dd":                  fmtDate,
		`yyyy\-mm\-dd;@`:              fmtDate,
		`yyyy"年"m"月"d"日"`:             fmtDate,
		`yyyy\年m\月d\日`:                fmtDate,
		"[$-F800]dddd, mmmm dd, yyyy": fmtDate,
		"[DBNum1][$-804]yyyy年m月d日":    fmtDate,
		"m/d/yy h:mm":                 fmtDateTime,
		"h:mm AM/PM":                  fmtTime,
		"[h]:mm:ss":                   fmtTime,
		"mm:ss":                       fmtTime,
		"mmm":                         fmtDate,
		`"TRUE";"TRUE";"FALSE"`:       fmtNumber,
		`"截止"@`:                       fmtNumber,
	} {
		if got := classifyNumFormat(code); got != want {
			t.Errorf("classifyNumFormat(%q) = %d, want %d", code, got, want)
		}
	}
	for id, want := range map[int]numFormat{0: fmtNumber, 14: fmtDate, 22: fmtDateTime, 20: fmtTime, 31: fmtDate, 57: fmtDate, 9: fmtPercent, 49: fmtNumber} {
		if got := builtinNumFormat(id); got != want {
			t.Errorf("builtinNumFormat(%d) = %d, want %d", id, got, want)
		}
	}
}

// --- XLSX, hand-made ---------------------------------------------------

func buildXLSX(t testing.TB, parts map[string]string) []byte {
	t.Helper()
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	for _, name := range []string{"[Content_Types].xml", "xl/workbook.xml", "xl/_rels/workbook.xml.rels", "xl/styles.xml", "xl/sharedStrings.xml", "xl/worksheets/sheet1.xml", "xl/worksheets/other.xml", "xl/worksheets/sheet3.xml"} {
		s, ok := parts[name]
		if !ok {
			continue
		}
		w, err := zw.Create(name)
		if err != nil {
			t.Fatal(err)
		}
		w.Write([]byte(s))
	}
	zw.Close()
	return buf.Bytes()
}

const xlsxNS = `xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"`

func TestXLSXSynthetic(t *testing.T) {
	parts := map[string]string{
		"xl/workbook.xml": `<workbook ` + xlsxNS + `><workbookPr date1904="1"/><sheets>` +
			`<sheet name="一览" sheetId="1" r:id="rId1"/><sheet name="Other" sheetId="2" r:id="rId2"/><sheet name="Missing" sheetId="3" r:id="rId9"/></sheets></workbook>`,
		"xl/_rels/workbook.xml.rels": `<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">` +
			`<Relationship Id="rId1" Target="worksheets/sheet1.xml"/><Relationship Id="rId2" Target="/xl/worksheets/other.xml"/></Relationships>`,
		"xl/styles.xml": `<styleSheet ` + xlsxNS + `><numFmts><numFmt numFmtId="180" formatCode="yyyy&quot;年&quot;m&quot;月&quot;d&quot;日&quot;"/></numFmts>` +
			`<cellStyleXfs><xf numFmtId="14"/></cellStyleXfs><cellXfs><xf numFmtId="0"/><xf numFmtId="180"/><xf numFmtId="22"/></cellXfs></styleSheet>`,
		"xl/sharedStrings.xml": `<sst ` + xlsxNS + `><si><t>申报截止</t></si>` +
			`<si><r><t>网上</t></r><r><rPr><b/></rPr><t xml:space="preserve">申报 </t></r><rPh><t>ワン</t></rPh></si></sst>`,
		"xl/worksheets/sheet1.xml": `<worksheet ` + xlsxNS + `><sheetData>` +
			`<row r="2"><c r="B2" t="s"><v>0</v></c><c r="C2" s="1"><v>43920</v></c><c r="D2" s="2"><v>43920.5</v></c></row>` +
			`<row r="3"><c r="B3" t="inlineStr"><is><t>内联</t></is></c><c t="s"><v>1</v></c><c t="b"><v>0</v></c><c t="e"><v>#N/A</v></c></row>` +
			`<row><c t="d"><v>2024-03-31T00:00:00</v></c><c t="str"><f>A1</f><v>公式</v></c><c><v>3.0</v></c><c t="s"><v>7</v></c></row>` +
			`</sheetData></worksheet>`,
		"xl/worksheets/other.xml": `<worksheet ` + xlsxNS + `><sheetData><row r="1"><c r="A1" t="inlineStr"><is><t>第二个</t></is></c></row></sheetData></worksheet>`,
	}
	text, err := XLSXText(buildXLSX(t, parts))
	want := "工作表：一览\n" +
		"\t申报截止\t2024年3月31日\t2024年3月31日 12:00\n" + // 1904 system
		"\t内联\t网上申报\tFALSE\t#N/A\n" +
		"2024年3月31日\t公式\t3\n" +
		"工作表：Other\n第二个"
	if err != nil || text != want {
		t.Errorf("got %v\n%q\nwant\n%q", err, text, want)
	}

	// A zip bomb: a sheet that inflates past the bound is an error.
	defer func(n int64) { maxXLSXXML = n }(maxXLSXXML)
	maxXLSXXML = 1 << 20
	bomb := map[string]string{}
	for k, v := range parts {
		bomb[k] = v
	}
	bomb["xl/worksheets/sheet1.xml"] = `<worksheet ` + xlsxNS + `><sheetData>` + strings.Repeat(`<row><c t="inlineStr"><is><t>申报</t></is></c></row>`, int(maxXLSXXML)/40) + `</sheetData></worksheet>`
	b := buildXLSX(t, bomb)
	if len(b) > 64<<10 {
		t.Fatalf("bomb is %d bytes", len(b))
	}
	if _, err := XLSXText(b); err == nil || !strings.Contains(err.Error(), "too much XML") {
		t.Errorf("zip bomb: %v", err)
	}

	// A far-away cell does not make a row of millions of tabs.
	far := map[string]string{}
	for k, v := range parts {
		far[k] = v
	}
	far["xl/worksheets/sheet1.xml"] = `<worksheet ` + xlsxNS + `><sheetData><row r="1"><c r="A1" t="inlineStr"><is><t>a</t></is></c><c r="XFD1" t="inlineStr"><is><t>b</t></is></c><c r="ZZZZ1"><v>1</v></c></row></sheetData></worksheet>`
	text, err = XLSXText(buildXLSX(t, far))
	if err != nil || strings.Count(text, "\t") != 16383 {
		t.Errorf("far cell: %v, %d tabs", err, strings.Count(text, "\t"))
	}

	// No workbook part, bad XML: errors.
	for name, p := range map[string]map[string]string{
		"no workbook": {"xl/worksheets/sheet1.xml": parts["xl/worksheets/sheet1.xml"]},
		"bad sheet XML": {"xl/workbook.xml": parts["xl/workbook.xml"], "xl/_rels/workbook.xml.rels": parts["xl/_rels/workbook.xml.rels"],
			"xl/worksheets/sheet1.xml": `<worksheet><sheetData><row><c><v>1</v></row>`},
	} {
		if _, err := XLSXText(buildXLSX(t, p)); err == nil {
			t.Errorf("%s: no error", name)
		}
	}
}

// --- malformed files ---------------------------------------------------

var malformed = []string{
	"notice-truncated.doc", "notice-garbage.doc", "notice-nofib.wps",
	"schedule-truncated.xls", "schedule-garbage.xls", "schedule-truncated.xlsx",
}

// TestWriteMalformedTestdata writes the malformed files from the good ones.
func TestWriteMalformedTestdata(t *testing.T) {
	if os.Getenv("PAGETEXT_WRITE_TESTDATA") == "" {
		t.Skip("set PAGETEXT_WRITE_TESTDATA=1 to write testdata/office/*-{truncated,garbage}.*")
	}
	doc, xls, xlsx := readTestdata(t, "notice.doc"), readTestdata(t, "schedule.xls"), readTestdata(t, "schedule.xlsx")
	garbage := make([]byte, 6000)
	x := uint32(2463534242)
	for i := range garbage { // xorshift: the same bytes every run
		x ^= x << 13
		x ^= x >> 17
		x ^= x << 5
		garbage[i] = byte(x)
	}
	// A WordDocument stream with a FIB ident, sane flags (not encrypted,
	// table in 1Table) and nothing sane after them.
	// The FIB's counts are right and its piece table is 600 garbage bytes.
	nofib := append([]byte{0xEC, 0xA5, 0xC1, 0x00}, garbage[:1200]...)
	nofib[0x0A], nofib[0x0B] = 0x04, 0x02
	binary.LittleEndian.PutUint16(nofib[32:], 14)
	binary.LittleEndian.PutUint16(nofib[62:], 22)
	binary.LittleEndian.PutUint16(nofib[152:], 93)
	binary.LittleEndian.PutUint32(nofib[154+33*8:], 0)
	binary.LittleEndian.PutUint32(nofib[154+33*8+4:], 600)
	files := map[string][]byte{
		"notice-truncated.doc":    doc[:len(doc)/2],
		"notice-garbage.doc":      buildOLE([]string{"WordDocument", "0Table"}, [][]byte{garbage, garbage[:512]}),
		"notice-nofib.wps":        buildOLE([]string{"WordDocument", "1Table"}, [][]byte{nofib, garbage[1000:1600]}),
		"schedule-truncated.xls":  xls[:len(xls)*2/3],
		"schedule-garbage.xls":    buildOLE([]string{"Workbook"}, [][]byte{append(rec(recBOF, u16(0x0600, 5)), garbage...)}),
		"schedule-truncated.xlsx": xlsx[:len(xlsx)/2],
	}
	for name, b := range files {
		if err := os.WriteFile(filepath.Join("testdata", "office", name), b, 0o644); err != nil {
			t.Fatal(err)
		}
	}
}

func TestMalformedOffice(t *testing.T) {
	for _, name := range malformed {
		b := readTestdata(t, name)
		if !IsDocument(b) {
			t.Errorf("%s: not sniffed as a document", name)
		}
		text, err := officeText(b)
		if err == nil {
			t.Errorf("%s: read without error: %q", name, text)
		}
		// DocumentText says why too, whatever converters are installed.
		if _, _, err := DocumentText(context.Background(), b, ""); err == nil {
			t.Errorf("%s: DocumentText without error", name)
		}
	}
	// Cut every test file at many lengths, and flip bytes: never a panic.
	for _, name := range []string{"notice.doc", "notice.wps", "schedule.xls", "schedule.xlsx"} {
		good := readTestdata(t, name)
		for n := 0; n < len(good); n += 509 {
			officeText(good[:n])
		}
		for i := 512; i < len(good); i += 97 {
			b := append([]byte{}, good...)
			b[i] ^= 0xFF
			if s, err := officeText(b); err == nil && !utf8.ValidString(s) {
				t.Fatalf("%s with byte %d flipped: invalid UTF-8", name, i)
			}
		}
	}
}

// officeText reads the formats this package reads natively, with no
// external converter: what FuzzOffice drives.
func officeText(b []byte) (string, error) {
	switch {
	case IsXLSX(b):
		return XLSXText(b)
	case IsDOCX(b):
		return DOCXText(b)
	case IsXLS(b):
		return XLSText(b)
	case IsOLE(b):
		return nativeDOCText(b)
	}
	return "", errors.New("not an office document")
}

func TestDOCTextErrors(t *testing.T) {
	// An XLS given to DOCText, and an OLE file with no Word stream.
	_, err := nativeDOCText(readTestdata(t, "schedule.xls"))
	if err == nil || !strings.Contains(err.Error(), "Excel") {
		t.Errorf("XLS as DOC: %v", err)
	}
	_, err = nativeDOCText(buildOLE([]string{"Contents"}, [][]byte{[]byte("x")}))
	if err == nil || !strings.Contains(err.Error(), "no WordDocument stream") {
		t.Errorf("no Word stream: %v", err)
	}
}
