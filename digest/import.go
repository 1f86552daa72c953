package digest

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"net/url"
	"unicode/utf8"

	"github.com/grantwatch/grantwatch/store"
	"github.com/grantwatch/grantwatch/tracker"
	"github.com/grantwatch/grantwatch/tracker/extract"
)

// Planned is what importing one item stores: a notice and its windows,
// and the notice page as a source to watch.
type Planned struct {
	Item    Item
	Notice  store.Notice
	Windows []store.Window
	Source  *store.Source // nil when the link is not a page that can be watched
}

// Plan parses a digest and reads each item's windows, using the item's own
// date (its 落款) as the reference for dates written without a year. It
// touches nothing outside its arguments.
func Plan(text string) ([]Planned, Result, error) {
	res, err := Parse(text)
	if err != nil {
		return nil, Result{}, err
	}
	var out []Planned
	for _, it := range res.Items {
		link, ok := tracker.CanonicalURL(it.Link)
		if !ok {
			res.Ignored = append(res.Ignored, fmt.Sprintf("line %d: item %q: 相关链接 %q is not an http(s) URL", it.Line, it.Title, it.Link))
			continue
		}
		ex := extract.Extract(it.Text, extract.Options{Title: it.Title})
		host := ""
		if u, err := url.Parse(link); err == nil {
			host = u.Hostname()
		}
		n := store.Notice{
			URL: link, Title: it.Title, Issuer: ex.Issuer, DocNumber: ex.DocNumber,
			Region: tracker.Region(ex.Issuer, it.Title, host), Category: it.Category,
			Published: ex.Published, Text: it.Text, ContentHash: tracker.ContentHash(it.Text),
		}
		if apply, ok := tracker.CanonicalURL(it.ApplyURL); ok {
			n.ApplicationURL = apply
		}
		p := Planned{Item: it, Notice: n, Windows: tracker.StoreWindows(ex.Windows)}
		p.Source = &store.Source{URL: link, Kind: "notice", Name: shorten(it.Title, 60), Region: n.Region, Issuer: n.Issuer}
		out = append(out, p)
	}
	return out, res, nil
}

func shorten(s string, n int) string {
	if utf8.RuneCountInString(s) <= n {
		return s
	}
	return string([]rune(s)[:n]) + "…"
}

// Options change what Import does.
type Options struct {
	NoSources bool // do not watch the items' links
	// Progress, when set, is told after each item.
	Progress func(done, total int)
}

// Summary counts what an import did.
type Summary struct {
	Items            int
	NoticesNew       int
	NoticesUpdated   int
	NoticesUnchanged int
	Windows          int // windows read from the file
	WindowsAdded     int
	WindowsChanged   int
	SourcesAdded     int
	SourcesKnown     int
	AlreadyImported  bool
	Ignored          []string
}

// Import stores a digest: one notice per item (its URL is the item's
// 相关链接), the item's windows, and each link as a watched source unless
// opts.NoSources. Importing the same file again changes nothing. Each item
// is stored in its own transaction; a failure stops the import and keeps
// what was stored, which a second run completes.
func Import(ctx context.Context, db *store.DB, path, text string, opts Options) (Summary, error) {
	plans, res, err := Plan(text)
	if err != nil {
		return Summary{}, err
	}
	sum := Summary{Items: len(plans), Ignored: res.Ignored}
	h := sha256.Sum256([]byte(text))
	importID, existed, err := db.RecordImport(ctx, path, hex.EncodeToString(h[:]), len(plans))
	if err != nil {
		return sum, err
	}
	sum.AlreadyImported = existed
	for i, p := range plans {
		if err := ctx.Err(); err != nil {
			return sum, err
		}
		p.Notice.ImportID = importID
		r, err := db.SaveNotice(ctx, p.Notice, p.Windows, "import "+path)
		if err != nil {
			return sum, err
		}
		sum.Windows += len(p.Windows)
		sum.WindowsAdded += r.WindowsAdded
		sum.WindowsChanged += r.WindowsChanged
		switch {
		case r.NewNotice:
			sum.NoticesNew++
		case r.NoticeChanged || r.WindowsAdded+r.WindowsChanged+r.WindowsWithdrawn > 0:
			sum.NoticesUpdated++
		default:
			sum.NoticesUnchanged++
		}
		if !opts.NoSources && p.Source != nil {
			added, err := db.AddSourceIfMissing(ctx, *p.Source)
			if err != nil {
				return sum, err
			}
			if added {
				sum.SourcesAdded++
			} else {
				sum.SourcesKnown++
			}
		}
		if opts.Progress != nil {
			opts.Progress(i+1, len(plans))
		}
	}
	return sum, nil
}
