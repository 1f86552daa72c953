package tracker

import (
	"archive/zip"
	"bytes"
	"context"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"
	"unicode/utf16"

	"golang.org/x/text/encoding/simplifiedchinese"

	"github.com/grantwatch/grantwatch/store"
)

// site is a government site for tests: pages by path, each answered by a
// handler that may change between crawls.
type site struct {
	t    *testing.T
	srv  *httptest.Server
	mu   sync.Mutex
	h    map[string]http.HandlerFunc
	hits map[string]int
	reqs []*http.Request
	when []time.Time // when each of reqs arrived
}

// newSite starts a site on 127.0.0.1, or on another loopback address.
func newSite(t *testing.T, addr ...string) *site {
	t.Helper()
	s := &site{t: t, h: map[string]http.HandlerFunc{}, hits: map[string]int{}}
	srv := httptest.NewUnstartedServer(http.HandlerFunc(s.serve))
	if len(addr) > 0 {
		ln, err := net.Listen("tcp", addr[0]+":0")
		if err != nil {
			t.Fatal(err)
		}
		srv.Listener.Close()
		srv.Listener = ln
	}
	srv.Start()
	t.Cleanup(srv.Close)
	s.srv = srv
	return s
}

func (s *site) serve(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	s.hits[r.URL.Path]++
	s.reqs = append(s.reqs, r)
	s.when = append(s.when, time.Now())
	h := s.h[r.URL.Path]
	s.mu.Unlock()
	if h == nil {
		http.NotFound(w, r)
		return
	}
	h(w, r)
}

func (s *site) handle(path string, h http.HandlerFunc) {
	s.mu.Lock()
	s.h[path] = h
	s.mu.Unlock()
}

// page serves body with a content type (no charset unless given).
func (s *site) page(path, contentType string, body []byte) {
	s.handle(path, func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", contentType)
		w.Write(body)
	})
}

func (s *site) url(path string) string { return s.srv.URL + path }

func (s *site) hitCount(path string) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.hits[path]
}

func gbkBytes(t *testing.T, s string) []byte {
	t.Helper()
	b, err := simplifiedchinese.GBK.NewEncoder().Bytes([]byte(s))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// docx builds a DOCX whose paragraphs are split into several runs, the way
// Word stores them.
func docx(t *testing.T, paragraphs ...string) []byte {
	t.Helper()
	var body strings.Builder
	for _, p := range paragraphs {
		body.WriteString("<w:p>")
		rs := []rune(p)
		for i := 0; i < len(rs); i += 4 {
			end := min(i+4, len(rs))
			fmt.Fprintf(&body, `<w:r><w:rPr><w:b/></w:rPr><w:t xml:space="preserve">%s</w:t></w:r>`, string(rs[i:end]))
		}
		body.WriteString("</w:p>")
	}
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	for name, content := range map[string]string{
		"[Content_Types].xml": `<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"></Types>`,
		"word/document.xml": `<?xml version="1.0" encoding="UTF-8" standalone="yes"?>` +
			`<w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"><w:body>` + body.String() + `</w:body></w:document>`,
	} {
		f, err := zw.Create(name)
		if err != nil {
			t.Fatal(err)
		}
		io.WriteString(f, content)
	}
	zw.Close()
	return buf.Bytes()
}

// pdf builds a PDF whose text is Chinese: a Type0 font with Identity-H
// codes equal to the Unicode code points and a ToUnicode map saying so,
// which is all a text extractor needs (no glyphs are embedded).
func pdf(lines ...string) []byte {
	var content strings.Builder
	content.WriteString("BT /F1 12 Tf 50 780 Td 14 TL\n")
	for _, l := range lines {
		content.WriteString("<")
		for _, u := range utf16.Encode([]rune(l)) {
			fmt.Fprintf(&content, "%04X", u)
		}
		content.WriteString("> Tj T*\n")
	}
	content.WriteString("ET")
	cmap := "/CIDInit /ProcSet findresource begin 12 dict begin begincmap /CMapName /Adobe-Identity-UCS def /CMapType 2 def\n" +
		"1 begincodespacerange <0000> <FFFF> endcodespacerange\n1 beginbfrange <0000> <FFFF> <0000> endbfrange\n" +
		"endcmap CMapName currentdict /CMap defineresource pop end end"
	objs := []string{
		"<< /Type /Catalog /Pages 2 0 R >>",
		"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
		"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Resources << /Font << /F1 5 0 R >> >> /Contents 4 0 R >>",
		fmt.Sprintf("<< /Length %d >>\nstream\n%s\nendstream", content.Len(), content.String()),
		"<< /Type /Font /Subtype /Type0 /BaseFont /SimSun /Encoding /Identity-H /DescendantFonts [6 0 R] /ToUnicode 8 0 R >>",
		"<< /Type /Font /Subtype /CIDFontType2 /BaseFont /SimSun /CIDSystemInfo << /Registry (Adobe) /Ordering (Identity) /Supplement 0 >> /FontDescriptor 7 0 R /CIDToGIDMap /Identity /DW 1000 >>",
		"<< /Type /FontDescriptor /FontName /SimSun /Flags 4 /FontBBox [0 -200 1000 900] /ItalicAngle 0 /Ascent 880 /Descent -120 /CapHeight 700 /StemV 80 >>",
		fmt.Sprintf("<< /Length %d >>\nstream\n%s\nendstream", len(cmap), cmap),
	}
	var b bytes.Buffer
	b.WriteString("%PDF-1.4\n")
	offs := make([]int, len(objs))
	for i, o := range objs {
		offs[i] = b.Len()
		fmt.Fprintf(&b, "%d 0 obj\n%s\nendobj\n", i+1, o)
	}
	xref := b.Len()
	fmt.Fprintf(&b, "xref\n0 %d\n0000000000 65535 f \n", len(objs)+1)
	for _, o := range offs {
		fmt.Fprintf(&b, "%010d 00000 n \n", o)
	}
	fmt.Fprintf(&b, "trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n", len(objs)+1, xref)
	return b.Bytes()
}

// testFetchConfig allows loopback, as the tests' sites live there.
func testFetchConfig() FetchConfig {
	return FetchConfig{UserAgent: "grantwatch-test", Timeout: 5 * time.Second, DialTimeout: 2 * time.Second,
		HeaderTimeout: 3 * time.Second, PerHostDelay: 0, PerHostConcurrency: 1, MaxBodyBytes: 1 << 20,
		MaxRedirects: 5, AllowPrivate: []string{"127.0.0.0/8"}, RespectRobots: true}
}

// clock is a settable clock.
type clock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *clock) Set(t time.Time) {
	c.mu.Lock()
	c.t = t
	c.mu.Unlock()
}

func testCrawler(t *testing.T, fc FetchConfig, now *clock) *Crawler {
	t.Helper()
	db, err := store.Open(context.Background(), filepath.Join(t.TempDir(), "gw.db"), store.WithClock(now.Now))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	loc, _ := time.LoadLocation("Asia/Shanghai")
	return &Crawler{DB: db, Fetcher: NewFetcher(fc), Logger: slog.New(slog.NewTextHandler(io.Discard, nil)), Now: now.Now,
		Location: loc, Config: CrawlConfig{Schedule: "0 */6 * * *", MaxPages: 3, MaxNoticesPerRun: 50, FailureAlert: 3,
			RetryBackoff: 30 * time.Minute, RetryBackoffMax: 24 * time.Hour, Workers: 2}}
}

func addSource(t *testing.T, c *Crawler, s store.Source) store.Source {
	t.Helper()
	added, err := c.DB.AddSource(context.Background(), s)
	if err != nil {
		t.Fatal(err)
	}
	return added
}

func windowSet(t *testing.T, db *store.DB) []string {
	t.Helper()
	ws, err := db.Windows(context.Background(), store.WindowFilter{})
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, w := range ws {
		out = append(out, fmt.Sprintf("%s %s→%s %s", w.NoticeURL[strings.LastIndex(w.NoticeURL, "/")+1:], w.Opens, w.Closes, w.ClosesTime))
	}
	return out
}
