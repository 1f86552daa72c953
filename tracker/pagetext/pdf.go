package pagetext

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"time"

	"github.com/klippa-app/go-pdfium"
	"github.com/klippa-app/go-pdfium/requests"
	"github.com/klippa-app/go-pdfium/webassembly"
	"github.com/tetratelabs/wazero"
	"github.com/tetratelabs/wazero/api"
	"github.com/tetratelabs/wazero/experimental"
)

// ErrNoConverter means the program that reads a format is not installed;
// the caller records the document as skipped with this reason.
var ErrNoConverter = errors.New("converter not installed")

// IsPDF sniffs a PDF by its magic bytes.
func IsPDF(b []byte) bool { return bytes.HasPrefix(bytes.TrimLeft(b, "\x00\t\r\n "), []byte("%PDF-")) }

// PDF engines. The built-in one is PDFium compiled to WebAssembly and run
// by wazero: no cgo, nothing to install, and the parser of hostile files
// runs in a sandbox with no file system. pdftotext (poppler-utils) is about
// three times faster per page and needs no memory in the daemon, for the
// machines that have it and want that (BENCHMARKS.md compares the two).
const (
	PDFBuiltin   = "builtin"
	PDFPdftotext = "pdftotext"
)

// pdfTimeout bounds one document, maxPDFPages the pages read of it.
const (
	pdfTimeout  = 60 * time.Second
	maxPDFPages = 300
	pdfIdle     = 2 * time.Minute // the engine is unloaded after this long unused
)

var pdfSettings = struct {
	mu       sync.Mutex
	engine   string
	cacheDir string
}{engine: PDFBuiltin}

// SetPDFEngine chooses how PDFs are read (PDFBuiltin or PDFPdftotext) and
// where the built-in engine keeps its compiled code ("" for the user's
// cache directory). The compiled PDFium takes about 7 s and 300 MB to build
// once; from the cache it loads in about 0.2 s.
func SetPDFEngine(engine, cacheDir string) error {
	switch engine {
	case "", PDFBuiltin:
		engine = PDFBuiltin
	case PDFPdftotext:
	default:
		return fmt.Errorf("PDF engine %q: want %s or %s", engine, PDFBuiltin, PDFPdftotext)
	}
	pdfSettings.mu.Lock()
	pdfSettings.engine, pdfSettings.cacheDir = engine, cacheDir
	pdfSettings.mu.Unlock()
	return nil
}

// PDFText reads the text of a PDF with the chosen engine. The reading is
// bounded in time and pages, and a broken PDF is an error, not a crash.
func PDFText(ctx context.Context, pdf []byte) (string, error) {
	pdfSettings.mu.Lock()
	engine, cacheDir := pdfSettings.engine, pdfSettings.cacheDir
	pdfSettings.mu.Unlock()
	ctx, cancel := context.WithTimeout(ctx, pdfTimeout)
	defer cancel()
	if engine == PDFPdftotext {
		return pdftotextText(ctx, pdf)
	}
	return builtin.text(ctx, pdf, cacheDir)
}

// pdftotextText converts a PDF with pdftotext (poppler-utils).
func pdftotextText(ctx context.Context, pdf []byte) (string, error) {
	bin, err := exec.LookPath("pdftotext")
	if err != nil {
		return "", fmt.Errorf("read PDF: pdftotext (poppler-utils): %w", ErrNoConverter)
	}
	cmd := exec.CommandContext(ctx, bin, "-enc", "UTF-8", "-q", "-", "-")
	cmd.Stdin = bytes.NewReader(pdf)
	var out, errb bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errb
	if err := cmd.Run(); err != nil {
		msg := errb.String()
		if len(msg) > 200 {
			msg = msg[:200]
		}
		return "", fmt.Errorf("read PDF: pdftotext: %w %s", err, msg)
	}
	return toValid(out.Bytes()), nil
}

// pdfiumEngine is the built-in reader: one PDFium instance, loaded on the
// first PDF, used by one document at a time, and unloaded when idle (it
// holds some 45 MB).
type pdfiumEngine struct {
	mu    sync.Mutex
	pool  pdfium.Pool
	inst  pdfium.Pdfium
	used  time.Time
	timer *time.Timer
}

var builtin = &pdfiumEngine{}

// cacheDirFor is where compiled PDFium is kept: the directory given, or
// systemd's CACHE_DIRECTORY, or the user's cache directory; "" when none
// can be used (then it is compiled at each load).
func cacheDirFor(dir string) string {
	if dir == "" {
		dir = os.Getenv("CACHE_DIRECTORY")
	}
	if dir == "" {
		if d, err := os.UserCacheDir(); err == nil {
			dir = filepath.Join(d, "grantwatch")
		}
	}
	if dir == "" {
		return ""
	}
	dir = filepath.Join(dir, "pdfium-wasm")
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return ""
	}
	return dir
}

func (e *pdfiumEngine) load(cacheDir string) error {
	if e.inst != nil {
		return nil
	}
	// No file system is mounted: documents are passed as bytes, and a
	// hostile one finds nothing to read. (WithCloseOnContextDone would let
	// a timeout stop a call inside the module, but it makes every page ten
	// times slower; a document past its time has its instance abandoned
	// instead, see text.)
	rc := wazero.NewRuntimeConfigCompiler().
		WithCoreFeatures(api.CoreFeaturesV2 | experimental.CoreFeaturesExceptionHandling)
	if dir := cacheDirFor(cacheDir); dir != "" {
		if cache, err := wazero.NewCompilationCacheWithDir(dir); err == nil {
			rc = rc.WithCompilationCache(cache)
		}
	}
	cfg := webassembly.Config{MinIdle: 1, MaxIdle: 1, MaxTotal: 1,
		FSConfig: wazero.NewFSConfig(), RuntimeConfig: rc, Stdout: discard{}, Stderr: discard{}}
	pool, err := webassembly.Init(cfg)
	if err != nil {
		// Where memory may not be made executable (systemd's
		// MemoryDenyWriteExecute), the interpreter still works, some
		// fifty times slower.
		cfg.RuntimeConfig = wazero.NewRuntimeConfigInterpreter().
			WithCoreFeatures(api.CoreFeaturesV2 | experimental.CoreFeaturesExceptionHandling)
		var err2 error
		if pool, err2 = webassembly.Init(cfg); err2 != nil {
			return fmt.Errorf("load PDFium: %w", err)
		}
	}
	inst, err := pool.GetInstance(30 * time.Second)
	if err != nil {
		pool.Close()
		return fmt.Errorf("load PDFium: %w", err)
	}
	e.pool, e.inst = pool, inst
	return nil
}

// unload frees the engine (after idle, or after a document it had to kill).
func (e *pdfiumEngine) unload() {
	if e.inst != nil {
		e.inst.Kill()
	}
	if e.pool != nil {
		e.pool.Close()
	}
	e.pool, e.inst = nil, nil
}

func (e *pdfiumEngine) text(ctx context.Context, pdf []byte, cacheDir string) (string, error) {
	e.mu.Lock()
	defer e.mu.Unlock()
	if err := e.load(cacheDir); err != nil {
		return "", fmt.Errorf("read PDF: %w", err)
	}
	e.used = time.Now()
	if e.timer == nil {
		e.timer = time.AfterFunc(pdfIdle, e.idle)
	} else {
		e.timer.Reset(pdfIdle)
	}
	type result struct {
		text string
		err  error
	}
	done := make(chan result, 1)
	inst := e.inst
	go func() {
		t, err := readPDFium(inst, pdf)
		done <- result{t, err}
	}()
	select {
	case r := <-done:
		if r.err != nil {
			return "", fmt.Errorf("read PDF: %w", r.err)
		}
		return r.text, nil
	case <-ctx.Done():
		// A document that does not finish in time: its instance is set
		// aside, freed when the call running in it ends, and a fresh one
		// is loaded for the next document.
		pool, inst := e.pool, e.inst
		e.pool, e.inst = nil, nil
		go func() {
			<-done
			inst.Kill()
			pool.Close()
		}()
		return "", fmt.Errorf("read PDF: %w", ctx.Err())
	}
}

func (e *pdfiumEngine) idle() {
	e.mu.Lock()
	defer e.mu.Unlock()
	if time.Since(e.used) >= pdfIdle {
		e.unload()
	}
}

// readPDFium reads a document's pages, one line per text line, pages
// separated by a form feed as pdftotext does.
func readPDFium(inst pdfium.Pdfium, pdf []byte) (text string, err error) {
	defer func() {
		// A fault inside the module surfaces as a panic of the runtime.
		if r := recover(); r != nil {
			err = fmt.Errorf("pdfium: %v", r)
		}
	}()
	doc, err := inst.OpenDocument(&requests.OpenDocument{File: &pdf})
	if err != nil {
		return "", err
	}
	defer inst.FPDF_CloseDocument(&requests.FPDF_CloseDocument{Document: doc.Document})
	pc, err := inst.FPDF_GetPageCount(&requests.FPDF_GetPageCount{Document: doc.Document})
	if err != nil {
		return "", err
	}
	var b strings.Builder
	for i := 0; i < min(pc.PageCount, maxPDFPages); i++ {
		t, err := inst.GetPageText(&requests.GetPageText{Page: requests.Page{ByIndex: &requests.PageByIndex{Document: doc.Document, Index: i}}})
		if err != nil {
			return "", fmt.Errorf("page %d: %w", i+1, err)
		}
		if i > 0 {
			b.WriteString("\f")
		}
		b.WriteString(strings.ReplaceAll(strings.ReplaceAll(t.Text, "\r\n", "\n"), "\r", "\n"))
		b.WriteString("\n")
	}
	return toValid([]byte(b.String())), nil
}

type discard struct{}

func (discard) Write(p []byte) (int, error) { return len(p), nil }
