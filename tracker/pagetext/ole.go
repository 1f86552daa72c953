package pagetext

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"sort"
	"strings"

	"github.com/richardlehane/mscfb"
)

// OLE compound files (Word 97-2003 .doc, Kingsoft WPS .wps, Excel 97-2003
// .xls) are read with github.com/richardlehane/mscfb: small, no
// dependencies beyond its sibling msoleps, fuzzed upstream, and it guards
// its own sector chains against cycles. What it does not bound, this file
// does: a stream is only read when its declared size fits in the file
// (a compound file cannot hold a stream larger than itself), so no header
// makes us allocate more than the input's size.

var oleMagic = []byte{0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1}

// IsOLE sniffs an OLE2 compound file (DOC, WPS, XLS, PPT, MSG, ...).
func IsOLE(b []byte) bool { return bytes.HasPrefix(b, oleMagic) }

// oleFile is an opened compound file: its streams by name (the first of
// each name, wherever it sits in the storage tree).
type oleFile struct {
	r       *mscfb.Reader
	streams map[string]*mscfb.File
	size    int64
}

// maxOLEEntries bounds the directory walked: a real DOC or XLS has a few
// dozen entries.
const maxOLEEntries = 1 << 16

func openOLE(b []byte) (f *oleFile, err error) {
	if !IsOLE(b) {
		return nil, errors.New("not an OLE compound file")
	}
	defer func() {
		// mscfb is fuzzed upstream; this only keeps a bug of a third-party
		// reader from taking the daemon down with a hostile attachment.
		if p := recover(); p != nil {
			f, err = nil, fmt.Errorf("OLE compound file: malformed (%v)", p)
		}
	}()
	r, err := mscfb.New(bytes.NewReader(b))
	if err != nil {
		return nil, fmt.Errorf("OLE compound file: %w", err)
	}
	f = &oleFile{r: r, streams: map[string]*mscfb.File{}, size: int64(len(b))}
	for i, e := range r.File {
		if i >= maxOLEEntries {
			break
		}
		if e == nil || e.FileInfo().IsDir() {
			continue
		}
		if _, ok := f.streams[e.Name]; !ok {
			f.streams[e.Name] = e
		}
	}
	return f, nil
}

// has reports whether the file holds a stream of that name.
func (f *oleFile) has(name string) bool {
	_, ok := f.streams[name]
	return ok
}

// stream reads a whole stream. A missing stream is (nil, nil) unless
// required.
func (f *oleFile) stream(name string, required bool) (b []byte, err error) {
	e, ok := f.streams[name]
	if !ok {
		if required {
			return nil, fmt.Errorf("no %s stream", name)
		}
		return nil, nil
	}
	if e.Size < 0 || e.Size > f.size {
		return nil, fmt.Errorf("%s stream: size %d past the end of the file", name, e.Size)
	}
	defer func() {
		if p := recover(); p != nil {
			b, err = nil, fmt.Errorf("%s stream: malformed (%v)", name, p)
		}
	}()
	buf := make([]byte, e.Size)
	n, err := io.ReadFull(io.NewSectionReader(e, 0, e.Size), buf)
	if err != nil && n < len(buf) {
		return nil, fmt.Errorf("%s stream: %w", name, err)
	}
	return buf, nil
}

// names lists the streams, for error messages.
func (f *oleFile) names() string {
	var s []string
	for n := range f.streams {
		s = append(s, n)
	}
	sort.Strings(s)
	if len(s) > 8 {
		s = append(s[:8], "...")
	}
	return strings.Join(s, ", ")
}

// isWorkbook reports an Excel (or Kingsoft ET) workbook: a Workbook
// (BIFF8) or Book (BIFF5) stream.
func (f *oleFile) isWorkbook() bool {
	return f.has("Workbook") || f.has("Book") || f.has("WORKBOOK") || f.has("BOOK")
}

// isWord reports a Word-binary document: Word 97-2003 and Kingsoft WPS
// Writer both keep the text in a WordDocument stream.
func (f *oleFile) isWord() bool { return f.has("WordDocument") }
