package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"net/url"
	"os"
	"path/filepath"
	"strings"

	"github.com/grantwatch/grantwatch/digest"
	"github.com/grantwatch/grantwatch/tracker"
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

// readDocument reads a digest file as text: PDF through pdftotext, DOCX,
// HTML and text in any charset, as extract reads notices.
func readDocument(ctx context.Context, name string, stdin io.Reader, limit int64) (string, error) {
	raw, err := readInput(name, stdin, limit)
	if err != nil {
		return "", usageError{fmt.Sprintf("import %s: %v", name, err)}
	}
	text, _, err := pagetext.DocumentText(ctx, raw, "")
	if errors.Is(err, pagetext.ErrNoConverter) {
		return "", fmt.Errorf("import %s: %w", name, err) // this machine lacks a tool
	}
	if err != nil {
		return "", usageError{fmt.Sprintf("import %s: %v", name, err)} // a broken document
	}
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
		text, err := readDocument(ctx, name, a.stdin, a.cfg.Extract.MaxInputBytes)
		if err != nil {
			return err
		}
		if *dryRun {
			plans, res, err := digest.Plan(text)
			if err != nil {
				return usagef("import %s: %v", name, err)
			}
			return printPlan(ctx, a, plans, res, *noSources, *asJSON)
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
		// The items' links are watched here rather than by digest.Import,
		// so that each passes source add's reachability check: one that
		// could never be fetched is skipped and reported, not stored.
		opts := digest.Options{NoSources: true}
		if isTerminal(a.rawErr) {
			opts.Progress = progressBar(a.rawErr, "importing")
		}
		imp, err := digest.Import(ctx, db, path, text, opts)
		if err != nil {
			return fmt.Errorf("import %s: %w", name, err)
		}
		sum := importSummary{Summary: imp, SourcesSkipped: []string{}, SourcesUnresolved: []string{}}
		if !*noSources {
			plans, _, err := digest.Plan(text)
			if err != nil {
				return fmt.Errorf("import %s: %w", name, err)
			}
			screen := newSourceScreen(a.fetcher())
			for _, p := range plans {
				if p.Source == nil || !screen.admit(ctx, p.Source.URL) {
					continue
				}
				added, err := db.AddSourceIfMissing(ctx, *p.Source)
				if err != nil {
					return fmt.Errorf("import %s: %w", name, err)
				}
				if added {
					sum.SourcesAdded++
				} else {
					sum.SourcesKnown++
				}
			}
			sum.SourcesSkipped, sum.SourcesUnresolved = screen.skipped, screen.unresolved
		}
		if *asJSON {
			enc := json.NewEncoder(a.rawOut)
			enc.SetEscapeHTML(false)
			return enc.Encode(sum)
		}
		again := ""
		if sum.AlreadyImported {
			again = " (imported before)"
		}
		skipped := ""
		if n := len(sum.SourcesSkipped); n > 0 {
			skipped = fmt.Sprintf(", %d skipped", n)
		}
		fmt.Fprintf(a.stdout, "imported %s%s: %d items; notices %d new, %d updated, %d unchanged; windows %d (%d new, %d changed); sources %d added, %d already watched%s\n",
			filepath.Base(name), again, sum.Items, sum.NoticesNew, sum.NoticesUpdated, sum.NoticesUnchanged,
			sum.Windows, sum.WindowsAdded, sum.WindowsChanged, sum.SourcesAdded, sum.SourcesKnown, skipped)
		for _, ig := range sum.Ignored {
			fmt.Fprintf(a.stdout, "  ignored %s\n", ig)
		}
		for _, sk := range sum.SourcesSkipped {
			fmt.Fprintf(a.stdout, "  skipped source %s\n", sk)
		}
		if len(sum.SourcesUnresolved) > 0 {
			fmt.Fprintf(a.stdout, "  warning: %s did not resolve; their sources were added anyway, as DNS may be down\n",
				strings.Join(sum.SourcesUnresolved, ", "))
		}
		return nil
	}
}

// importSummary is digest.Import's count with what the reachability
// check of the items' links decided.
type importSummary struct {
	digest.Summary
	SourcesSkipped    []string // "URL: why it can never be fetched"
	SourcesUnresolved []string // hosts that did not resolve (sources added)
}

// sourceScreen runs source add's reachability check on many links,
// asking once per host.
type sourceScreen struct {
	f          *tracker.Fetcher
	byHost     map[string]error
	skipped    []string
	unresolved []string
}

func newSourceScreen(f *tracker.Fetcher) *sourceScreen {
	return &sourceScreen{f: f, byHost: map[string]error{}, skipped: []string{}, unresolved: []string{}}
}

// admit reports whether link may be watched; a refused one is recorded in
// skipped, a host that does not resolve in unresolved (and admitted).
func (s *sourceScreen) admit(ctx context.Context, link string) bool {
	host := link
	if u, err := url.Parse(link); err == nil {
		host = strings.ToLower(u.Hostname())
	}
	err, seen := s.byHost[host]
	if !seen {
		err = s.f.CheckAddress(ctx, link)
		s.byHost[host] = err
		if errors.Is(err, tracker.ErrUnresolved) {
			s.unresolved = append(s.unresolved, host)
		}
	}
	if err == nil || errors.Is(err, tracker.ErrUnresolved) {
		return true
	}
	s.skipped = append(s.skipped, link+": "+err.Error())
	return false
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
	// SourceSkipped says why the link would not be watched, when it could
	// never be fetched.
	SourceSkipped string `json:"source_skipped,omitempty"`
}

func printPlan(ctx context.Context, a *app, plans []digest.Planned, res digest.Result, noSources, asJSON bool) error {
	screen := newSourceScreen(a.fetcher())
	watch := 0
	for _, p := range plans {
		watched, why := false, ""
		if !noSources && p.Source != nil {
			n := len(screen.skipped)
			if watched = screen.admit(ctx, p.Source.URL); watched {
				watch++
			} else {
				why = screen.skipped[n]
			}
		}
		if asJSON {
			out := planJSON{Category: p.Item.Category, Title: p.Notice.Title, URL: p.Notice.URL, Published: orNull(p.Notice.Published),
				Issuer: p.Notice.Issuer, DocNumber: p.Notice.DocNumber, Region: p.Notice.Region, ApplyURL: p.Notice.ApplicationURL,
				Windows: []extractWindowJSON{}, Source: watched, SourceSkipped: why}
			for _, w := range p.Windows {
				out.Windows = append(out.Windows, extractWindowJSON{What: w.Label, Opens: orNull(w.Opens), Closes: orNull(w.Closes),
					ClosesTime: orNull(w.ClosesTime), Evidence: w.Evidence, Start: w.EvidenceStart, End: w.EvidenceEnd})
			}
			if err := writeJSONLines(a.rawOut, []planJSON{out}); err != nil {
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
		if why != "" {
			fmt.Fprintf(a.stdout, "  not watched: %s\n", why)
		}
	}
	if !asJSON {
		fmt.Fprintf(a.stdout, "dry run: %d items would be stored, %d links watched (those not watched yet); nothing was written\n", len(plans), watch)
		for _, ig := range res.Ignored {
			fmt.Fprintf(a.stdout, "  ignored %s\n", ig)
		}
		if len(screen.unresolved) > 0 {
			fmt.Fprintf(a.stdout, "  warning: %s did not resolve; their sources would be added anyway, as DNS may be down\n",
				strings.Join(screen.unresolved, ", "))
		}
	}
	return nil
}
