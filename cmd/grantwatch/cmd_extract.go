package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/grantwatch/grantwatch/tracker/extract"
	"github.com/grantwatch/grantwatch/tracker/pagetext"
)

func init() {
	register(command{name: "extract", args: "[--published YYYY-MM-DD] [--json] FILE...|-",
		summary: "read notices (text, HTML in any charset, PDF, DOC, DOCX, WPS, XLS, XLSX) and print their windows",
		flags:   extractCmd})
}

// extractWindowJSON is the contract's window object: absent values are null.
type extractWindowJSON struct {
	What       string  `json:"what"`
	Opens      *string `json:"opens"`
	Closes     *string `json:"closes"`
	ClosesTime *string `json:"closes_time"`
	Evidence   string  `json:"evidence"`
	Start      int     `json:"start"`
	End        int     `json:"end"`
}

type extractJSON struct {
	File      string              `json:"file"`
	Title     string              `json:"title"`
	Published *string             `json:"published"`
	Issuer    string              `json:"issuer"`
	DocNumber string              `json:"doc_number"`
	Windows   []extractWindowJSON `json:"windows"`
}

// noticeText turns a file's bytes into notice text, and a title when the
// file is an HTML page. The evidence spans refer to this text.
func noticeText(ctx context.Context, raw []byte) (text, title string, err error) {
	return pagetext.DocumentText(ctx, raw, "")
}

func extractCmd(a *app, fs *flag.FlagSet) func(context.Context, []string) error {
	published := fs.String("published", "", "publication date of the notices (YYYY-MM-DD), when known")
	asJSON := fs.Bool("json", false, "one JSON object per file per line")
	return func(ctx context.Context, args []string) error {
		if len(args) == 0 {
			return usagef("extract: name one or more files, or - for standard input")
		}
		var opts extract.Options
		if *published != "" {
			d, err := extract.ParseDate(*published)
			if err != nil {
				return usagef("extract: --published: %v", err)
			}
			opts.Published = d
		}
		failed := false // a file could not be read; its line is printed
		for _, name := range args {
			raw, err := readInput(name, a.stdin, a.cfg.Extract.MaxInputBytes)
			if err != nil {
				fmt.Fprintf(a.stderr, "grantwatch: extract %s: %v\n", name, err)
				failed = true
				continue
			}
			text, title, err := noticeText(ctx, raw)
			if err != nil {
				fmt.Fprintf(a.stderr, "grantwatch: extract %s: %v\n", name, err)
				failed = true
				continue
			}
			o := opts
			o.Title = title
			res := extract.Extract(text, o)
			if *asJSON {
				out := extractJSON{File: name, Title: res.Title, Published: orNull(res.Published),
					Issuer: res.Issuer, DocNumber: res.DocNumber, Windows: []extractWindowJSON{}}
				for _, w := range res.Windows {
					out.Windows = append(out.Windows, extractWindowJSON{What: w.What, Opens: orNull(w.Opens),
						Closes: orNull(w.Closes), ClosesTime: orNull(w.ClosesTime), Evidence: w.Evidence, Start: w.Start, End: w.End})
				}
				if err := writeJSONLines(a.rawOut, []extractJSON{out}); err != nil {
					return err
				}
				continue
			}
			fmt.Fprintf(a.stdout, "%s\n  title:     %s\n  issuer:    %s\n  文号:      %s\n  published: %s\n",
				name, orDash(res.Title), orDash(res.Issuer), orDash(res.DocNumber), orDash(res.Published))
			if len(res.Windows) == 0 {
				fmt.Fprintln(a.stdout, "  no application window")
			}
			for _, w := range res.Windows {
				when := orDash(w.Opens) + " → " + orDash(w.Closes)
				if w.ClosesTime != "" {
					when += " " + w.ClosesTime
				}
				fmt.Fprintf(a.stdout, "  %-28s %s\n      %s\n", when, w.What, strings.ReplaceAll(w.Evidence, "\n", " "))
			}
		}
		if failed {
			// Each bad file has had its line, naming it and why.
			return errReported
		}
		return nil
	}
}

// readInput reads one file named to extract or import ("-": standard
// input). It refuses, before anything is decoded, a file larger than limit
// (extract.max_input_bytes: decoding and extraction take ten to twelve times a
// file's size in memory) and one that is neither a document grantwatch
// reads (PDF, Word, Excel) nor text: binary data would come out as garbage.
// It never holds more than limit+1 bytes.
func readInput(name string, stdin io.Reader, limit int64) ([]byte, error) {
	tooBig := fmt.Errorf("larger than the %s limit (extract.max_input_bytes)", byteSize(limit))
	var r io.Reader
	size := int64(-1)
	if name == "-" {
		r = stdin
	} else {
		f, err := os.Open(name)
		if err != nil {
			return nil, err
		}
		defer f.Close()
		if st, err := f.Stat(); err == nil {
			if st.IsDir() {
				return nil, errors.New("is a directory")
			}
			if st.Mode().IsRegular() {
				if st.Size() > limit {
					return nil, tooBig
				}
				size = st.Size()
			}
		}
		r = f
	}
	// A file whose size is known (and under the limit) is read into one
	// buffer of that size plus the byte that tells it grew meanwhile.
	b := make([]byte, 0, max(size+1, 512))
	lr := io.LimitReader(r, limit+1)
	for {
		n, err := lr.Read(b[len(b):cap(b)])
		b = b[:len(b)+n]
		if err == io.EOF {
			break
		}
		if err != nil {
			return nil, err
		}
		if len(b) == cap(b) {
			b = append(b, 0)[:len(b)]
		}
	}
	if int64(len(b)) > limit {
		return nil, tooBig
	}
	if !pagetext.IsDocument(b) && !pagetext.LooksLikeText(b) {
		return nil, errors.New("not text, HTML, PDF, Word (DOC, DOCX, WPS) or Excel (XLS, XLSX) (binary data)")
	}
	return b, nil
}

// byteSize writes a limit the way an operator sets it.
func byteSize(n int64) string {
	switch {
	case n >= 1<<20 && n%(1<<20) == 0:
		return fmt.Sprintf("%d MiB", n>>20)
	case n >= 1<<10 && n%(1<<10) == 0:
		return fmt.Sprintf("%d KiB", n>>10)
	}
	return fmt.Sprintf("%d-byte", n)
}
