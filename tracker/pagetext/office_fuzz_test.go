package pagetext

import (
	"fmt"
	"sync/atomic"
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
	var calls, maxLen atomic.Int64
	var maxDur atomic.Int64
	go func() {
		for {
			time.Sleep(time.Second)
			os.WriteFile(fmt.Sprintf("/tmp/fuzzprog-%d.txt", os.Getpid()), []byte(fmt.Sprintf("%v calls=%d maxlen=%d maxdur=%v\n", time.Now().Format("15:04:05"), calls.Load(), maxLen.Load(), time.Duration(maxDur.Load()))), 0o644)
		}
	}()
	f.Fuzz(func(t *testing.T, b []byte) {
		st := time.Now()
		calls.Add(1)
		if int64(len(b)) > maxLen.Load() {
			maxLen.Store(int64(len(b)))
		}
		defer func() {
			if d := int64(time.Since(st)); d > maxDur.Load() {
				maxDur.Store(d)
			}
		}()
		IsDOC(b)
		IsXLS(b)
		IsXLSX(b)
		IsDocument(b)
		text, err := officeText(b)
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
