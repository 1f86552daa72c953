package pagetext

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os/exec"
	"time"
)

// ErrNoConverter means the program that reads a format is not installed;
// the caller records the document as skipped with this reason.
var ErrNoConverter = errors.New("converter not installed")

// IsPDF sniffs a PDF by its magic bytes.
func IsPDF(b []byte) bool { return bytes.HasPrefix(bytes.TrimLeft(b, "\x00\t\r\n "), []byte("%PDF-")) }

// PDFText converts a PDF to text with pdftotext (poppler-utils), which
// keeps reading order far better than any Go library for Chinese PDFs.
// The conversion is bounded in time, and a broken PDF is an error, not a
// crash.
func PDFText(ctx context.Context, pdf []byte) (string, error) {
	bin, err := exec.LookPath("pdftotext")
	if err != nil {
		return "", fmt.Errorf("read PDF: pdftotext (poppler-utils): %w", ErrNoConverter)
	}
	ctx, cancel := context.WithTimeout(ctx, 60*time.Second)
	defer cancel()
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
