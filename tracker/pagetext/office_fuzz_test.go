package pagetext

import (
	"fmt"
	"time"
	"os"
	"path/filepath"
	"testing"
	"unicode/utf8"
)

// FuzzOffice: any bytes read as DOC/WPS, XLS, XLSX or DOCX, natively:
// never a panic, never invalid UTF-8, never more text than the bounds
// allow. Seeded with every file in testdata/office (good and malformed)
// and the hand-made Word and BIFF streams of the tests.
func FuzzOffice(f *testing.F) {
	files, _ := filepath.Glob(filepath.Join("testdata", "office", "*"))
	for _, name := range files {
		b, err := os.ReadFile(name)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b)
	}
	wd, tbl := buildWordStreams([]wordPiece{{"Deadline\r", true}, {"申报\x13 PAGE \x14一\x15\x07截止\x07\x07", false}}, [3]uint32{20, 0, 0})
	f.Add(buildOLE([]string{"WordDocument", "1Table"}, [][]byte{wd, tbl}))
	f.Add(buildOLE([]string{"Workbook"}, [][]byte{buildBIFF(false)}))
	f.Fuzz(func(t *testing.T, b []byte) {
		IsDOC(b)
		IsXLS(b)
		IsXLSX(b)
		IsDocument(b)
		done := make(chan struct{})
		go func() {
			select {
			case <-done:
			case <-time.After(2 * time.Second):
				os.WriteFile(fmt.Sprintf("/tmp/hang-%d.bin", time.Now().UnixNano()), b, 0o644)
			}
		}()
		text, err := officeText(b)
		close(done)
		if err != nil {
			return
		}
		if !utf8.ValidString(text) {
			t.Fatal("invalid UTF-8")
		}
		if len(text) > maxSheetText+4*len(b)+1<<20 {
			t.Fatalf("%d bytes of text from %d bytes", len(text), len(b))
		}
	})
}
