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
		summary: "read notices (text, HTML in any charset, PDF, DOCX) and print their windows",
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

// maxNoticeBytes bounds what extract reads from one file.
const maxNoticeBytes = 64 << 20

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
		var failed []string
		for _, name := range args {
			raw, err := readLimited(name, a.stdin)
			if err != nil {
				fmt.Fprintf(a.stderr, "grantwatch: extract %s: %v\n", name, err)
				failed = append(failed, name)
				continue
			}
			text, title, err := noticeText(ctx, raw)
			if err != nil {
				fmt.Fprintf(a.stderr, "grantwatch: extract %s: %v\n", name, err)
				failed = append(failed, name)
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
				if err := writeJSONLines(a.stdout, []extractJSON{out}); err != nil {
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
		if len(failed) > 0 {
			return usageError{fmt.Sprintf("extract: could not read %s", strings.Join(failed, ", "))}
		}
		return nil
	}
}

func readLimited(name string, stdin io.Reader) ([]byte, error) {
	var r io.Reader
	if name == "-" {
		r = stdin
	} else {
		f, err := os.Open(name)
		if err != nil {
			return nil, err
		}
		defer f.Close()
		if st, err := f.Stat(); err == nil && st.IsDir() {
			return nil, errors.New("is a directory")
		}
		r = f
	}
	b, err := io.ReadAll(io.LimitReader(r, maxNoticeBytes+1))
	if err != nil {
		return nil, err
	}
	if len(b) > maxNoticeBytes {
		return nil, fmt.Errorf("larger than %d MiB", maxNoticeBytes>>20)
	}
	return b, nil
}
