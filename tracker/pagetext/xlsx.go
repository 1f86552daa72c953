package pagetext

import (
	"archive/zip"
	"bytes"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"path"
	"strconv"
	"strings"
)

// XLSX is read with archive/zip and encoding/xml rather than
// github.com/xuri/excelize: we need cell values only, and excelize would
// add a dozen packages (and a few MB to the binary) for writing, styles,
// charts and formula evaluation we never use. Four parts are read:
// xl/workbook.xml (sheet names and order, date1904), its relationships
// (which part each sheet is), xl/sharedStrings.xml and xl/styles.xml
// (numFmts and cellXfs, to tell dates from numbers), then each sheet.

// maxXLSXXML bounds the XML read out of one workbook, all parts together:
// a zip bomb, or a workbook listing one sheet many times, stops here. (A
// variable so that tests can bomb a smaller bound.)
var maxXLSXXML int64 = 32 << 20

// maxXLSXSheets bounds the sheets read.
const maxXLSXSheets = 256

// IsXLSX sniffs an XLSX workbook: a zip holding xl/workbook.xml.
func IsXLSX(b []byte) bool {
	if !bytes.HasPrefix(b, []byte("PK\x03\x04")) {
		return false
	}
	zr, err := zip.NewReader(bytes.NewReader(b), int64(len(b)))
	if err != nil {
		return bytes.Contains(b, []byte("xl/workbook.xml"))
	}
	for _, f := range zr.File {
		if f.Name == "xl/workbook.xml" {
			return true
		}
	}
	return false
}

// XLSXText reads an XLSX workbook as text: a "工作表：NAME" line before
// each sheet, then one line a row, cells joined by tabs.
func XLSXText(b []byte) (string, error) {
	text, err := xlsxText(b)
	if err != nil {
		return "", fmt.Errorf("read XLSX: %w", err)
	}
	return text, nil
}

type xlsxBook struct {
	files    map[string]*zip.File
	budget   int64 // XML bytes left to read
	date1904 bool
	sst      []string
	xfFormat []numFormat
}

func xlsxText(b []byte) (string, error) {
	zr, err := zip.NewReader(bytes.NewReader(b), int64(len(b)))
	if err != nil {
		return "", err
	}
	bk := &xlsxBook{files: map[string]*zip.File{}, budget: maxXLSXXML}
	for _, f := range zr.File {
		bk.files[strings.TrimPrefix(f.Name, "/")] = f
	}
	type sheetRef struct{ name, rid string }
	var sheets []sheetRef
	err = bk.parse("xl/workbook.xml", true, func(d *xml.Decoder, se xml.StartElement) error {
		switch se.Name.Local {
		case "workbookPr":
			v := attr(se, "date1904")
			bk.date1904 = v == "1" || v == "true"
		case "sheet":
			if len(sheets) < maxXLSXSheets {
				sheets = append(sheets, sheetRef{attr(se, "name"), attrNS(se, "id")})
			}
		}
		return nil
	})
	if err != nil {
		return "", err
	}
	rels := map[string]string{}
	err = bk.parse("xl/_rels/workbook.xml.rels", false, func(d *xml.Decoder, se xml.StartElement) error {
		if se.Name.Local == "Relationship" {
			t := attr(se, "Target")
			if strings.HasPrefix(t, "/") {
				t = strings.TrimPrefix(t, "/")
			} else {
				t = path.Join("xl", t)
			}
			rels[attr(se, "Id")] = t
		}
		return nil
	})
	if err != nil {
		return "", err
	}
	if err := bk.readSST(); err != nil {
		return "", err
	}
	if err := bk.readStyles(); err != nil {
		return "", err
	}
	var w sheetWriter
	for i, s := range sheets {
		if w.full {
			break
		}
		part := rels[s.rid]
		if part == "" {
			part = "xl/worksheets/sheet" + strconv.Itoa(i+1) + ".xml"
		}
		if _, ok := bk.files[part]; !ok {
			continue // a chart sheet, or a sheet not there
		}
		cells, err := bk.readSheet(part)
		if err != nil {
			return "", fmt.Errorf("%s: %w", s.name, err)
		}
		w.sheet(s.name, cells)
	}
	if w.text() == "" {
		return "", errors.New("no worksheet")
	}
	return w.text(), nil
}

// parse runs f on every start element of a part, within the budget. A
// missing part is an error only when required.
func (bk *xlsxBook) parse(name string, required bool, f func(*xml.Decoder, xml.StartElement) error) error {
	zf, ok := bk.files[name]
	if !ok {
		if required {
			return fmt.Errorf("no %s", name)
		}
		return nil
	}
	if bk.budget <= 0 {
		return errors.New("too much XML (zip bomb?)")
	}
	rc, err := zf.Open()
	if err != nil {
		return fmt.Errorf("%s: %w", name, err)
	}
	defer rc.Close()
	lr := &io.LimitedReader{R: rc, N: bk.budget}
	d := xml.NewDecoder(lr)
	defer func() { bk.budget = lr.N }()
	for {
		tok, err := d.Token()
		if err == io.EOF {
			if lr.N <= 0 {
				return fmt.Errorf("%s: too much XML (zip bomb?)", name)
			}
			return nil
		}
		if err != nil {
			if lr.N <= 0 {
				return fmt.Errorf("%s: too much XML (zip bomb?)", name)
			}
			return fmt.Errorf("%s: %w", name, err)
		}
		if se, ok := tok.(xml.StartElement); ok {
			if err := f(d, se); err != nil {
				if lr.N <= 0 {
					return fmt.Errorf("%s: too much XML (zip bomb?)", name)
				}
				return fmt.Errorf("%s: %w", name, err)
			}
		}
	}
}

func attr(se xml.StartElement, local string) string {
	for _, a := range se.Attr {
		if a.Name.Local == local && a.Name.Space == "" {
			return a.Value
		}
	}
	return ""
}

// attrNS reads a namespaced attribute (r:id) by its local name.
func attrNS(se xml.StartElement, local string) string {
	for _, a := range se.Attr {
		if a.Name.Local == local && a.Name.Space != "" {
			return a.Value
		}
	}
	return attr(se, local)
}

// readSST reads the shared strings: each <si> is its <t> texts, the <t>
// of phonetic runs (<rPh>) left out.
func (bk *xlsxBook) readSST() error {
	name := "xl/sharedStrings.xml"
	if _, ok := bk.files[name]; !ok {
		name = "xl/sharedstrings.xml"
	}
	return bk.parse(name, false, func(d *xml.Decoder, se xml.StartElement) error {
		if se.Name.Local != "si" {
			return nil
		}
		s, err := richText(d, "si")
		if err != nil {
			return err
		}
		bk.sst = append(bk.sst, s)
		return nil
	})
}

// richText reads the text of an element (<si>, <is>) up to its end: the
// <t> elements, not those inside <rPh>.
func richText(d *xml.Decoder, end string) (string, error) {
	var b strings.Builder
	inT, inPh := false, 0
	for {
		tok, err := d.Token()
		if err != nil {
			return "", err
		}
		switch t := tok.(type) {
		case xml.StartElement:
			switch t.Name.Local {
			case "t":
				inT = true
			case "rPh":
				inPh++
			}
		case xml.EndElement:
			switch t.Name.Local {
			case "t":
				inT = false
			case "rPh":
				inPh--
			case end:
				return b.String(), nil
			}
		case xml.CharData:
			if inT && inPh <= 0 {
				b.Write(t)
			}
		}
	}
}

// readStyles reads the number format of each cell style (cellXfs).
func (bk *xlsxBook) readStyles() error {
	custom := map[int]numFormat{}
	inXfs := false
	var xfIDs []int
	err := bk.parse("xl/styles.xml", false, func(d *xml.Decoder, se xml.StartElement) error {
		switch se.Name.Local {
		case "numFmt":
			if id, err := strconv.Atoi(attr(se, "numFmtId")); err == nil {
				custom[id] = classifyNumFormat(attr(se, "formatCode"))
			}
		case "cellXfs":
			inXfs = true
		case "cellStyleXfs", "dxfs":
			inXfs = false
		case "xf":
			if inXfs {
				id, _ := strconv.Atoi(attr(se, "numFmtId"))
				xfIDs = append(xfIDs, id)
			}
		}
		return nil
	})
	if err != nil {
		return err
	}
	bk.xfFormat = make([]numFormat, len(xfIDs))
	for i, id := range xfIDs {
		if f, ok := custom[id]; ok {
			bk.xfFormat[i] = f
		} else {
			bk.xfFormat[i] = builtinNumFormat(id)
		}
	}
	return nil
}

// Column and row numbers past these are Excel's limits.
const (
	xlsxMaxCol = 1 << 14
	xlsxMaxRow = 1 << 20
)

// readSheet reads the cells of a worksheet part.
func (bk *xlsxBook) readSheet(name string) ([]sheetCell, error) {
	var cells []sheetCell
	row, col := uint32(0), uint32(0)
	rows := 0
	err := bk.parse(name, true, func(d *xml.Decoder, se xml.StartElement) error {
		switch se.Name.Local {
		case "row":
			if r, err := strconv.ParseUint(attr(se, "r"), 10, 32); err == nil && r >= 1 && r <= xlsxMaxRow {
				row = uint32(r - 1)
			} else if rows > 0 {
				row++ // rows without numbers follow one another
			}
			rows++
			col = 0
		case "c":
			ref := attr(se, "r")
			r, c, ok := cellRef(ref)
			if ok {
				row, col = r, c
			}
			text, err := bk.cell(d, se)
			if err != nil {
				return err
			}
			if text != "" && (ok || ref == "") { // a cell past Excel's bounds is dropped
				cells = append(cells, sheetCell{row: row, col: col, text: text})
			}
			col++
		}
		return nil
	})
	return cells, err
}

// cell reads a <c> element up to its end.
func (bk *xlsxBook) cell(d *xml.Decoder, se xml.StartElement) (string, error) {
	typ := attr(se, "t")
	style, _ := strconv.Atoi(attr(se, "s"))
	var v strings.Builder
	inline := ""
	inV := false
	for {
		tok, err := d.Token()
		if err != nil {
			return "", err
		}
		switch t := tok.(type) {
		case xml.StartElement:
			switch t.Name.Local {
			case "v":
				inV = true
			case "is":
				s, err := richText(d, "is")
				if err != nil {
					return "", err
				}
				inline += s
			}
		case xml.EndElement:
			switch t.Name.Local {
			case "v":
				inV = false
			case "c":
				return bk.value(typ, style, v.String(), inline), nil
			}
		case xml.CharData:
			if inV {
				v.Write(t)
			}
		}
	}
}

func (bk *xlsxBook) value(typ string, style int, v, inline string) string {
	switch typ {
	case "s":
		i, err := strconv.Atoi(strings.TrimSpace(v))
		if err != nil || i < 0 || i >= len(bk.sst) {
			return ""
		}
		return bk.sst[i]
	case "inlineStr":
		return inline
	case "str", "e":
		return v
	case "b":
		if strings.TrimSpace(v) == "1" || strings.EqualFold(strings.TrimSpace(v), "true") {
			return "TRUE"
		}
		if v == "" {
			return ""
		}
		return "FALSE"
	case "d": // ISO 8601 date
		v = strings.TrimSpace(v)
		if len(v) >= 10 {
			y, e1 := strconv.Atoi(v[0:4])
			m, e2 := strconv.Atoi(v[5:7])
			dd, e3 := strconv.Atoi(v[8:10])
			if e1 == nil && e2 == nil && e3 == nil {
				return strconv.Itoa(y) + "年" + strconv.Itoa(m) + "月" + strconv.Itoa(dd) + "日"
			}
		}
		return v
	}
	if inline != "" && v == "" {
		return inline
	}
	f, err := strconv.ParseFloat(strings.TrimSpace(v), 64)
	if err != nil {
		return strings.TrimSpace(v)
	}
	nf := fmtNumber
	if style >= 0 && style < len(bk.xfFormat) {
		nf = bk.xfFormat[style]
	}
	return formatNumber(f, nf, bk.date1904)
}

// cellRef reads "B12" as row 11, column 1.
func cellRef(ref string) (row, col uint32, ok bool) {
	i := 0
	c := uint32(0)
	for i < len(ref) && i < 3 {
		ch := ref[i] | 0x20
		if ch < 'a' || ch > 'z' {
			break
		}
		c = c*26 + uint32(ch-'a'+1)
		i++
	}
	if i == 0 || c > xlsxMaxCol {
		return 0, 0, false
	}
	r, err := strconv.ParseUint(strings.TrimPrefix(ref[i:], "$"), 10, 32)
	if err != nil || r < 1 || r > xlsxMaxRow {
		return 0, 0, false
	}
	return uint32(r - 1), c - 1, true
}
