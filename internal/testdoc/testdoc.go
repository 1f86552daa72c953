// Package testdoc builds the documents tests feed grantwatch: DOCX and PDF
// files with Chinese text, made in memory so that tests need no fixtures
// from elsewhere.
package testdoc

import (
	"archive/zip"
	"bytes"
	"fmt"
	"io"
	"os"
	"os/exec"
	"strings"
	"testing"
	"unicode/utf16"
)

// DOCX builds a DOCX whose paragraphs are split into several runs, the way
// Word stores them.
func DOCX(paragraphs ...string) []byte {
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
			panic(err) // writing to memory does not fail
		}
		io.WriteString(f, content)
	}
	zw.Close()
	return buf.Bytes()
}

// PDF builds a PDF whose text is Chinese: a Type0 font with Identity-H
// codes equal to the Unicode code points and a ToUnicode map saying so,
// which is all a text extractor needs (no glyphs are embedded).
func PDF(lines ...string) []byte {
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

// RequireTool makes a test depend on an external program. Without it the
// test is skipped with a message saying how to get it, unless
// GRANTWATCH_REQUIRE_TOOLS is set (as .ci/run does), where its absence
// fails the test: CI never passes by skipping.
func RequireTool(t testing.TB, name, install string) {
	t.Helper()
	if _, err := exec.LookPath(name); err == nil {
		return
	}
	if os.Getenv("GRANTWATCH_REQUIRE_TOOLS") != "" {
		t.Fatalf("%s is required (GRANTWATCH_REQUIRE_TOOLS is set) but not installed: %s", name, install)
	}
	t.Skipf("%s not installed, skipping (install with: %s; .ci/run does)", name, install)
}
