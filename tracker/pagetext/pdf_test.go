package pagetext

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/grantwatch/grantwatch/internal/testdoc"
	"github.com/grantwatch/grantwatch/tracker/extract"
)

// The PDFs of testdata/pdf were printed from notice.html beside them:
// notice-cid-identity-h.pdf by Chromium (embedded subset fonts, CID
// TrueType, Identity-H, ToUnicode), notice-truetype.pdf by LibreOffice
// (embedded subset TrueType, WinAnsi, ToUnicode). Both hold a table and a
// line of letter-spaced text.
var pdfFiles = []string{"notice-cid-identity-h.pdf", "notice-truetype.pdf"}

func pdfEngines(t testing.TB) []string {
	engines := []string{PDFBuiltin}
	if _, err := exec.LookPath("pdftotext"); err == nil || os.Getenv("GRANTWATCH_REQUIRE_TOOLS") != "" {
		engines = append(engines, PDFPdftotext)
	} else {
		t.Logf("pdftotext not installed: only the built-in engine is tested")
	}
	return engines
}

func useEngine(t testing.TB, engine string) {
	t.Helper()
	if err := SetPDFEngine(engine, ""); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { SetPDFEngine(PDFBuiltin, "") })
}

func squeeze(s string) string { return strings.Join(strings.Fields(s), "") }

// Both engines read the Chinese text, and the windows come out the same;
// the built-in one needs nothing installed.
func TestPDFEngines(t *testing.T) {
	for _, engine := range pdfEngines(t) {
		t.Run(engine, func(t *testing.T) {
			useEngine(t, engine)
			for _, f := range pdfFiles {
				b, err := os.ReadFile(filepath.Join("testdata", "pdf", f))
				if err != nil {
					t.Fatal(err)
				}
				text, err := PDFText(context.Background(), b)
				if err != nil {
					t.Fatalf("%s: %v", f, err)
				}
				for _, want := range []string{"关于组织申报2024年度省重点研发计划项目的通知", "苏科计〔2024〕15号",
					"网上申报时间为2024年3月1日至3月31日17:00", "纸质材料请于2024年4月5日前报送至省科技厅政务服务中心", "推荐审核"} {
					if !strings.Contains(squeeze(text), want) {
						t.Errorf("%s: %q missing", f, want)
					}
				}
				var got []string
				for _, w := range extract.Extract(text, extract.Options{}).Windows {
					got = append(got, w.Opens+"→"+w.Closes+" "+w.ClosesTime)
				}
				want := "2024-03-01→2024-03-31 17:00 | →2024-04-05  | 2024-05-06→2024-05-20 "
				if strings.Join(got, " | ") != want {
					t.Errorf("%s windows %q, want %q", f, strings.Join(got, " | "), want)
				}
			}
			// The PDFs the tests build (a non-embedded CID font).
			text, err := PDFText(context.Background(), testdoc.PDF("关于征集的通知", "项目申报书请于2019年9月30日前提交至科技处。"))
			if err != nil || !strings.Contains(squeeze(text), "项目申报书请于2019年9月30日前提交至科技处") {
				t.Errorf("testdoc PDF: %q %v", text, err)
			}
		})
	}
}

// A broken PDF is an error, not a crash, with either engine.
func TestPDFBroken(t *testing.T) {
	good, err := os.ReadFile(filepath.Join("testdata", "pdf", pdfFiles[0]))
	if err != nil {
		t.Fatal(err)
	}
	for _, engine := range pdfEngines(t) {
		useEngine(t, engine)
		for name, b := range map[string][]byte{
			"header only": []byte("%PDF-1.7\n"),
			"truncated":   good[:len(good)/3],
			"garbage":     append([]byte("%PDF-1.4\n"), []byte(strings.Repeat("\x00\xff obj << /Length 99999 >> stream", 200))...),
		} {
			if text, err := PDFText(context.Background(), b); err == nil && strings.Contains(text, "重点研发") && name != "truncated" {
				t.Errorf("%s %s: read %q", engine, name, text)
			}
		}
	}
	// The built-in engine still works after broken input.
	useEngine(t, PDFBuiltin)
	if text, err := PDFText(context.Background(), good); err != nil || !strings.Contains(squeeze(text), "纸质材料请于2024年4月5日前") {
		t.Errorf("after broken PDFs: %v", err)
	}
}

func BenchmarkPDFPage(b *testing.B) {
	data, err := os.ReadFile(filepath.Join("testdata", "pdf", pdfFiles[0]))
	if err != nil {
		b.Fatal(err)
	}
	const pages = 3
	for _, engine := range pdfEngines(b) {
		b.Run(engine, func(b *testing.B) {
			useEngine(b, engine)
			if _, err := PDFText(context.Background(), data); err != nil { // load the engine first
				b.Fatal(err)
			}
			b.ResetTimer()
			for b.Loop() {
				if _, err := PDFText(context.Background(), data); err != nil {
					b.Fatal(err)
				}
			}
			b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*pages)/1e6, "ms/page")
		})
	}
}

// BenchmarkPDFiumStart measures loading the built-in engine: cold (the
// WebAssembly compiled into an empty cache directory) and warm (from it).
// Run with -benchtime 1x.
func BenchmarkPDFiumStart(b *testing.B) {
	data, err := os.ReadFile(filepath.Join("testdata", "pdf", pdfFiles[0]))
	if err != nil {
		b.Fatal(err)
	}
	dir := b.TempDir()
	for _, phase := range []string{"cold", "warm"} {
		b.Run(phase, func(b *testing.B) {
			for b.Loop() {
				builtin.mu.Lock()
				builtin.unload()
				builtin.mu.Unlock()
				SetPDFEngine(PDFBuiltin, dir)
				start := time.Now()
				if _, err := PDFText(context.Background(), data); err != nil {
					b.Fatal(err)
				}
				b.ReportMetric(float64(time.Since(start).Milliseconds()), "ms-first-document")
			}
		})
	}
	SetPDFEngine(PDFBuiltin, "")
}
