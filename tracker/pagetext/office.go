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

// IsDOC sniffs a Word 97-2003 file (an OLE2 compound document).
func IsDOC(b []byte) bool {
	return bytes.HasPrefix(b, []byte{0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1})
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

// DOCText reads a Word 97-2003 file with antiword, or catdoc when that is
// what is installed.
func DOCText(ctx context.Context, b []byte) (string, error) {
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
			return "", fmt.Errorf("read DOC: %s: %w", tool[0], err)
		}
		return toValid(out.Bytes()), nil
	}
	return "", fmt.Errorf("read DOC: antiword or catdoc: %w", ErrNoConverter)
}

// DocumentText reads any document grantwatch understands, sniffed from its
// bytes: PDF, DOCX, DOC, HTML, or text in any charset. title is set for
// HTML pages.
func DocumentText(ctx context.Context, b []byte, contentType string) (text, title string, err error) {
	switch {
	case IsPDF(b):
		text, err = PDFText(ctx, b)
		return text, "", err
	case IsDOCX(b):
		text, err = DOCXText(b)
		return text, "", err
	case IsDOC(b):
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
