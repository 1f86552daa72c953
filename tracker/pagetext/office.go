package pagetext

import (
	"archive/zip"
	"bytes"
	"context"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"os/exec"
	"strings"
	"time"
)

// maxDocxXML bounds how much XML is read out of a DOCX: a zip bomb stops
// here.
const maxDocxXML = 32 << 20

// IsDOCX sniffs a DOCX: a zip holding word/document.xml.
func IsDOCX(b []byte) bool {
	if !bytes.HasPrefix(b, []byte("PK\x03\x04")) {
		return false
	}
	return bytes.Contains(b, []byte("word/"))
}

// IsDOC sniffs a Word 97-2003 file or a Kingsoft WPS Writer file: an OLE2
// compound document that is not an Excel workbook. An OLE file whose
// directory cannot be read still counts: DocumentText then reports why it
// cannot be read.
func IsDOC(b []byte) bool {
	if !IsOLE(b) {
		return false
	}
	f, err := openOLE(b)
	return err != nil || !f.isWorkbook()
}

// IsDocument sniffs every document DocumentText reads besides text and
// HTML: PDF, DOCX, DOC/WPS, XLS and XLSX.
func IsDocument(b []byte) bool {
	return IsPDF(b) || IsOLE(b) || IsDOCX(b) || IsXLSX(b)
}

// DOCXText reads the text of a DOCX: paragraphs as lines, runs joined
// (Word splits a sentence into runs wherever formatting or spell-check
// state changes, often inside a date), tabs and breaks kept.
func DOCXText(b []byte) (string, error) {
	zr, err := zip.NewReader(bytes.NewReader(b), int64(len(b)))
	if err != nil {
		return "", fmt.Errorf("read DOCX: %w", err)
	}
	var doc *zip.File
	for _, f := range zr.File {
		if f.Name == "word/document.xml" {
			doc = f
		}
	}
	if doc == nil {
		return "", errors.New("read DOCX: no word/document.xml")
	}
	rc, err := doc.Open()
	if err != nil {
		return "", fmt.Errorf("read DOCX: %w", err)
	}
	defer rc.Close()
	dec := xml.NewDecoder(io.LimitReader(rc, maxDocxXML))
	var out strings.Builder
	inText := false
	for {
		tok, err := dec.Token()
		if err == io.EOF {
			break
		}
		if err != nil {
			return "", fmt.Errorf("read DOCX: %w", err)
		}
		switch t := tok.(type) {
		case xml.StartElement:
			switch t.Name.Local {
			case "t":
				inText = true
			case "tab":
				out.WriteByte('\t')
			case "br", "cr":
				out.WriteByte('\n')
			}
		case xml.EndElement:
			switch t.Name.Local {
			case "t":
				inText = false
			case "p":
				out.WriteByte('\n')
			case "tc":
				out.WriteByte(' ')
			}
		case xml.CharData:
			if inText {
				out.Write(t)
			}
		}
	}
	return strings.TrimSpace(out.String()), nil
}

// DOCText reads a Word 97-2003 (.doc) or Kingsoft WPS Writer (.wps)
// file, natively. antiword or catdoc, where installed, are tried only when
// the native reader fails (they also read some Word 6/95 files); without
// them the error is the native reader's, marked ErrNoConverter.
func DOCText(ctx context.Context, b []byte) (string, error) {
	text, err := nativeDOCText(b)
	if err == nil {
		return text, nil
	}
	if errors.Is(err, ErrEncrypted) || errors.Is(err, errNotWord) {
		// Nothing antiword could read either.
		return "", fmt.Errorf("read DOC: %w", err)
	}
	text, xerr := externalDOCText(ctx, b)
	if xerr == nil {
		return text, nil
	}
	if errors.Is(xerr, ErrNoConverter) {
		return "", fmt.Errorf("read DOC: %v; no fallback, antiword or catdoc: %w", err, ErrNoConverter)
	}
	return "", fmt.Errorf("read DOC: %v; %w", err, xerr)
}

// errNotWord: a readable OLE file that holds no Word document (a
// workbook, a PowerPoint file, an Outlook message).
var errNotWord = errors.New("not a Word document")

// nativeDOCText reads a Word-binary file with no external program.
func nativeDOCText(b []byte) (string, error) {
	f, err := openOLE(b)
	if err != nil {
		return "", err
	}
	if !f.isWord() {
		if f.isWorkbook() {
			return "", fmt.Errorf("an Excel workbook: %w", errNotWord)
		}
		return "", fmt.Errorf("no WordDocument stream (streams: %s): %w", f.names(), errNotWord)
	}
	return docText(f)
}

// externalDOCText reads a Word file with antiword, or catdoc when that is
// what is installed.
func externalDOCText(ctx context.Context, b []byte) (string, error) {
	for _, tool := range [][]string{{"antiword", "-m", "UTF-8.txt", "-"}, {"catdoc", "-d", "utf-8", "-"}} {
		bin, err := exec.LookPath(tool[0])
		if err != nil {
			continue
		}
		ctx, cancel := context.WithTimeout(ctx, 60*time.Second)
		cmd := exec.CommandContext(ctx, bin, tool[1:]...)
		cmd.Stdin = bytes.NewReader(b)
		var out bytes.Buffer
		cmd.Stdout = &out
		err = cmd.Run()
		cancel()
		if err != nil {
			return "", fmt.Errorf("%s: %w", tool[0], err)
		}
		return toValid(out.Bytes()), nil
	}
	return "", fmt.Errorf("antiword or catdoc: %w", ErrNoConverter)
}

// DocumentText reads any document grantwatch understands, sniffed from its
// bytes: PDF, DOCX, DOC/WPS, XLS, XLSX, HTML, or text in any charset.
// title is set for HTML pages.
func DocumentText(ctx context.Context, b []byte, contentType string) (text, title string, err error) {
	switch {
	case IsPDF(b):
		text, err = PDFText(ctx, b)
		return text, "", err
	case IsXLSX(b):
		text, err = XLSXText(b)
		return text, "", err
	case IsDOCX(b):
		text, err = DOCXText(b)
		return text, "", err
	case IsOLE(b):
		if f, ferr := openOLE(b); ferr == nil && f.isWorkbook() {
			text, err = xlsText(f)
			if err != nil {
				err = fmt.Errorf("read XLS: %w", err)
			}
			return text, "", err
		}
		text, err = DOCText(ctx, b)
		return text, "", err
	case bytes.HasPrefix(b, []byte("PK\x03\x04")):
		return "", "", errors.New("a zip archive, not a document")
	}
	s, _ := Decode(b, contentType)
	if IsHTML([]byte(s)) {
		p := HTMLText(s)
		return p.Text, p.Title, nil
	}
	return s, "", nil
}
