package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"

	"github.com/grantwatch/grantwatch/digest"
	"github.com/grantwatch/grantwatch/tracker/pagetext"
)

func init() {
	register(command{name: "import", args: "[--no-sources] [--dry-run] FILE",
		summary: "import a policy digest (text or PDF): its items become notices, windows and sources",
		flags:   importCmd})
}

// isTerminal reports whether w is a terminal, where progress is drawn.
func isTerminal(w io.Writer) bool {
	f, ok := w.(*os.File)
	if !ok {
		return false
	}
	st, err := f.Stat()
	return err == nil && st.Mode()&os.ModeCharDevice != 0
}

// progressBar draws "[#####     ] 5/9" on a terminal, rewriting its line.
func progressBar(w io.Writer, label string) func(done, total int) {
	return func(done, total int) {
		const width = 30
		filled := width * done / max(1, total)
		fmt.Fprintf(w, "\r%s [%s%s] %d/%d", label, strings.Repeat("#", filled), strings.Repeat(" ", width-filled), done, total)
		if done == total {
			fmt.Fprintln(w)
		}
	}
}

// readDocument reads a digest file as text: PDF through pdftotext, text in
// any charset.
func readDocument(ctx context.Context, name string, stdin io.Reader) (string, error) {
	raw, err := readLimited(name, stdin)
	if err != nil {
		return "", usageError{fmt.Sprintf("import %s: %v", name, err)}
	}
	if pagetext.IsPDF(raw) {
		return pagetext.PDFText(ctx, raw)
	}
	text, _ := pagetext.Decode(raw, "")
	return text, nil
}

func importCmd(a *app, fs *flag.FlagSet) func(context.Context, []string) error {
	noSources := fs.Bool("no-sources", false, "do not watch the items' 相关链接 as sources")
	dryRun := fs.Bool("dry-run", false, "print what would be stored, and store nothing")
	asJSON := fs.Bool("json", false, "print the summary (or, with --dry-run, each item) as JSON")
	return func(ctx context.Context, args []string) error {
		if len(args) != 1 {
			return usagef("import: want one file, got %d arguments", len(args))
		}
		name := args[0]
		text, err := readDocument(ctx, name, a.stdin)
		if err != nil {
			return err
		}
		if *dryRun {
			plans, res, err := digest.Plan(text)
			if err != nil {
				return usagef("import %s: %v", name, err)
			}
			return printPlan(a, plans, res, *noSources, *asJSON)
		}
		db, err := a.openDB(ctx)
		if err != nil {
			return err
		}
		defer db.Close()
		path := name
		if abs, err := filepath.Abs(name); err == nil && name != "-" {
			path = abs
		}
		opts := digest.Options{NoSources: *noSources}
		if isTerminal(a.stderr) {
			opts.Progress = progressBar(a.stderr, "importing")
		}
		sum, err := digest.Import(ctx, db, path, text, opts)
		if err != nil {
			return fmt.Errorf("import %s: %w", name, err)
		}
		if *asJSON {
			enc := json.NewEncoder(a.stdout)
			enc.SetEscapeHTML(false)
			return enc.Encode(sum)
		}
		again := ""
		if sum.AlreadyImported {
			again = " (imported before)"
		}
		fmt.Fprintf(a.stdout, "imported %s%s: %d items; notices %d new, %d updated, %d unchanged; windows %d (%d new, %d changed); sources %d added, %d already watched\n",
			filepath.Base(name), again, sum.Items, sum.NoticesNew, sum.NoticesUpdated, sum.NoticesUnchanged,
			sum.Windows, sum.WindowsAdded, sum.WindowsChanged, sum.SourcesAdded, sum.SourcesKnown)
		for _, ig := range sum.Ignored {
			fmt.Fprintf(a.stdout, "  ignored %s\n", ig)
		}
		return nil
	}
}

type planJSON struct {
	Category  string              `json:"category"`
	Title     string              `json:"title"`
	URL       string              `json:"url"`
	Published *string             `json:"published"`
	Issuer    string              `json:"issuer"`
	DocNumber string              `json:"doc_number"`
	Region    string              `json:"region"`
	ApplyURL  string              `json:"application_url,omitempty"`
	Windows   []extractWindowJSON `json:"windows"`
	Source    bool                `json:"watch_source"`
}

func printPlan(a *app, plans []digest.Planned, res digest.Result, noSources, asJSON bool) error {
	for _, p := range plans {
		if asJSON {
			out := planJSON{Category: p.Item.Category, Title: p.Notice.Title, URL: p.Notice.URL, Published: orNull(p.Notice.Published),
				Issuer: p.Notice.Issuer, DocNumber: p.Notice.DocNumber, Region: p.Notice.Region, ApplyURL: p.Notice.ApplicationURL,
				Windows: []extractWindowJSON{}, Source: !noSources && p.Source != nil}
			for _, w := range p.Windows {
				out.Windows = append(out.Windows, extractWindowJSON{What: w.Label, Opens: orNull(w.Opens), Closes: orNull(w.Closes),
					ClosesTime: orNull(w.ClosesTime), Evidence: w.Evidence, Start: w.EvidenceStart, End: w.EvidenceEnd})
			}
			if err := writeJSONLines(a.stdout, []planJSON{out}); err != nil {
				return err
			}
			continue
		}
		fmt.Fprintf(a.stdout, "[%s] %s\n  %s  published %s  %s %s\n", p.Item.Category, p.Notice.Title, p.Notice.URL,
			orDash(p.Notice.Published), orDash(p.Notice.Issuer), p.Notice.DocNumber)
		if p.Notice.ApplicationURL != "" {
			fmt.Fprintf(a.stdout, "  application system: %s\n", p.Notice.ApplicationURL)
		}
		for _, w := range p.Windows {
			when := orDash(w.Opens) + " → " + orDash(w.Closes)
			if w.ClosesTime != "" {
				when += " " + w.ClosesTime
			}
			fmt.Fprintf(a.stdout, "  window %-28s %s\n", when, w.Label)
		}
	}
	if !asJSON {
		watch := len(plans)
		if noSources {
			watch = 0
		}
		fmt.Fprintf(a.stdout, "dry run: %d items would be stored, %d links watched (those not watched yet); nothing was written\n", len(plans), watch)
		for _, ig := range res.Ignored {
			fmt.Fprintf(a.stdout, "  ignored %s\n", ig)
		}
	}
	return nil
}
