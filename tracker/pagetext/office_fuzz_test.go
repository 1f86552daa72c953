package pagetext

import (
	"encoding/binary"
	"os"
	"path/filepath"
	"testing"
	"unicode/utf8"
)

// FuzzOffice: any bytes read as DOC/WPS, XLS, XLSX or DOCX, natively,
// and (so that mutations reach the parsers past the OLE container) as a
// bare BIFF Workbook stream and as a bare WordDocument and table stream
// pair: never a panic, never invalid UTF-8, never more text than the
// bounds allow. Seeded with every file in testdata/office (good and
// malformed), their streams, and the hand-made Word and BIFF streams of
// the tests.
func FuzzOffice(f *testing.F) {
	files, _ := filepath.Glob(filepath.Join("testdata", "office", "*"))
	for _, name := range files {
		b, err := os.ReadFile(name)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b)
		o, err := openOLE(b)
		if err != nil {
			continue
		}
		if wb, _ := o.stream("Workbook", false); wb != nil {
			f.Add(wb)
		}
		if wd, _ := o.stream("WordDocument", false); wd != nil {
			tbl, _ := o.stream("1Table", false)
			if tbl == nil {
				tbl, _ = o.stream("0Table", false)
			}
			f.Add(wordPair(wd, tbl))
		}
	}
	wd, tbl := buildWordStreams([]wordPiece{{"Deadline\r", true}, {"申报\x13 PAGE \x14一\x15\x07截止\x07\x07", false}}, [3]uint32{20, 0, 0})
	f.Add(buildOLE([]string{"WordDocument", "1Table"}, [][]byte{wd, tbl}))
	f.Add(wordPair(wd, tbl))
	f.Add(buildOLE([]string{"Workbook"}, [][]byte{buildBIFF(false)}))
	f.Add(buildBIFF(false))
	f.Fuzz(func(t *testing.T, b []byte) {
		IsDOC(b)
		IsXLS(b)
		IsXLSX(b)
		IsDocument(b)
		limit := maxSheetText + 4*len(b) + 1<<20
		check := func(what, text string, err error) {
			if err != nil {
				return
			}
			if !utf8.ValidString(text) {
				t.Fatalf("%s: invalid UTF-8", what)
			}
			if len(text) > limit {
				t.Fatalf("%s: %d bytes of text from %d bytes", what, len(text), len(b))
			}
		}
		text, err := officeText(b)
		check("file", text, err)
		text, err = biffText(b)
		check("BIFF stream", text, err)
		if len(b) >= 4 {
			n := int(binary.LittleEndian.Uint32(b) % uint32(len(b)-3))
			wd, tbl := b[4:4+n], b[4+n:]
			text, err = wordDocText(wd, func(string) ([]byte, error) { return tbl, nil })
			check("Word streams", text, err)
		}
	})
}

// wordPair packs a WordDocument and a table stream into one fuzz input:
// the length of the first, then both.
func wordPair(wd, tbl []byte) []byte {
	return append(append(binary.LittleEndian.AppendUint32(nil, uint32(len(wd))), wd...), tbl...)
}
