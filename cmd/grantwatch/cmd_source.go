package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"net/url"
	"strings"

	"github.com/andybalholm/cascadia"

	"github.com/grantwatch/grantwatch/catalog"
	"github.com/grantwatch/grantwatch/store"
	"github.com/grantwatch/grantwatch/tracker"
	"github.com/grantwatch/grantwatch/tracker/render"
)

func init() {
	register(command{name: "source add", args: "URL [flags] | --catalog TAG",
		summary: "watch a 通知公告 list page or a single notice page",
		flags:   sourceAdd})
	register(command{name: "source list", args: "[--json]",
		summary: "list watched sources with their health",
		flags:   sourceList})
	register(command{name: "source rm", args: "ID|URL",
		summary: "stop watching a source (its notices and windows stay)",
		flags:   sourceSet("rm")})
	register(command{name: "source pause", args: "ID|URL",
		summary: "stop checking a source until it is resumed",
		flags:   sourceSet("pause")})
	register(command{name: "source resume", args: "ID|URL",
		summary: "check a paused source again",
		flags:   sourceSet("resume")})
}

// checkSourceURL accepts only absolute http(s) URLs and returns them
// without a fragment, which never changes what a server sends.
func checkSourceURL(raw string) (string, error) {
	raw = strings.TrimSpace(raw)
	if strings.ContainsAny(raw, " \t\r\n") {
		return "", usagef("URL %q: contains white space", raw)
	}
	u, err := url.Parse(raw)
	if err != nil {
		return "", usagef("URL %q: %v", raw, err)
	}
	if u.Scheme != "http" && u.Scheme != "https" {
		return "", usagef("URL %q: only http and https sources can be watched", raw)
	}
	if u.Hostname() == "" {
		return "", usagef("URL %q: no host", raw)
	}
	u.Fragment, u.RawFragment = "", ""
	u.Host = strings.ToLower(u.Host)
	if u.Path == "" {
		u.Path = "/"
	}
	return u.String(), nil
}

// fetcher is the one the crawler would use, built from the configuration:
// what it refuses to reach, source add refuses to store.
func (a *app) fetcher() *tracker.Fetcher { return a.newCrawler(nil).Fetcher }

// checkReachable refuses (bad input) a source URL that the fetcher could
// never connect to under fetch.allow_private: loopback, private,
// link-local, numeric-IP tricks. A host name that does not resolve now is
// accepted, since DNS may be down; the returned warning says so.
func checkReachable(ctx context.Context, f *tracker.Fetcher, u string) (warning string, err error) {
	err = f.CheckAddress(ctx, u)
	switch {
	case err == nil:
		return "", nil
	case errors.Is(err, tracker.ErrUnresolved):
		return fmt.Sprintf("URL %q: %v; added anyway, as DNS may be down", u, err), nil
	}
	// tracker.ErrBlockedAddress, or a URL the fetcher cannot parse: the
	// message says which address and why.
	return "", usagef("URL %q: %v", u, err)
}

func sourceAdd(a *app, fs *flag.FlagSet) func(context.Context, []string) error {
	var s store.Source
	var allow listFlag
	fs.StringVar(&s.Name, "name", "", "a name to show instead of the URL")
	fs.StringVar(&s.Region, "region", "", "region of the issuer (山西, 全国 …), used by subscriber filters")
	fs.StringVar(&s.Issuer, "issuer", "", "issuing department (山西省科学技术厅 …)")
	fs.StringVar(&s.Schedule, "schedule", "", "cron spec for this source (default: crawl.schedule from the config)")
	fs.StringVar(&s.Kind, "kind", "auto", "auto, list (a column of notice links) or notice (one notice)")
	fs.StringVar(&s.LinksSelector, "links-selector", "", "CSS selector of the notice links on a list page")
	fs.IntVar(&s.MaxPages, "max-pages", 0, "list pages to follow (default: crawl.max_pages from the config)")
	fs.Var(&allow, "allow-host", "another host that notices may live on (repeatable)")
	fs.BoolVar(&s.Render, "render", false, "load the page in headless Chromium (a list built by script)")
	fromCatalog := fs.String("catalog", "", "add every catalogue column with this tag (科技厅, 浙江, 国家级 …; see grantwatch catalog) instead of a URL")
	return func(ctx context.Context, args []string) error {
		if *fromCatalog != "" {
			if len(args) != 0 {
				return usagef("source add --catalog %s: takes no URL, got %q", *fromCatalog, args[0])
			}
			return addFromCatalog(ctx, a, *fromCatalog)
		}
		if len(args) != 1 {
			return usagef("source add: want one URL, got %d arguments", len(args))
		}
		u, err := checkSourceURL(args[0])
		if err != nil {
			return err
		}
		s.URL = u
		switch s.Kind {
		case "auto", "list", "notice":
		default:
			return usagef("source add: --kind %q: want auto, list or notice", s.Kind)
		}
		if s.Schedule != "" {
			if _, err := tracker.ParseSchedule(s.Schedule); err != nil {
				return usagef("source add: --schedule: %v", err)
			}
		}
		if s.LinksSelector != "" {
			if _, err := cascadia.Compile(s.LinksSelector); err != nil {
				return usagef("source add: --links-selector %q: %v", s.LinksSelector, err)
			}
		}
		if s.MaxPages < 0 {
			return usagef("source add: --max-pages %d: must not be negative", s.MaxPages)
		}
		for _, h := range allow {
			if strings.ContainsAny(h, "/:@ ") {
				return usagef("source add: --allow-host %q: want a host name", h)
			}
		}
		s.AllowHosts = allow
		warning, err := checkReachable(ctx, a.fetcher(), s.URL)
		if err != nil {
			return err
		}
		db, err := a.openDB(ctx)
		if err != nil {
			return err
		}
		defer db.Close()
		added, err := db.AddSource(ctx, s)
		if err != nil {
			return notFoundAsUsage(err)
		}
		fmt.Fprintf(a.stdout, "added source %d: %s\n", added.ID, added.URL)
		if s.Render {
			if _, err := render.FindBrowser(a.cfg.Render.Browser); err != nil {
				fmt.Fprintf(a.stderr, "grantwatch: warning: source %d is rendered, but %v; it fails until one is\n", added.ID, err)
			}
		}
		if warning != "" {
			// After the add, so that a failure is still one line.
			fmt.Fprintf(a.stderr, "grantwatch: warning: %s\n", warning)
		}
		return nil
	}
}

// addFromCatalog watches every catalogue column carrying tag; columns
// already watched are left as they are.
func addFromCatalog(ctx context.Context, a *app, tag string) error {
	all, err := catalog.Columns()
	if err != nil {
		return err
	}
	cols := catalog.Tagged(all, tag)
	if len(cols) == 0 {
		return usagef("source add --catalog %q: no catalogue column has that tag (see grantwatch catalog)", tag)
	}
	db, err := a.openDB(ctx)
	if err != nil {
		return err
	}
	defer db.Close()
	added, had, rendered := 0, 0, 0
	for _, c := range cols {
		u, err := checkSourceURL(c.URL)
		if err != nil {
			return err
		}
		s, err := db.AddSource(ctx, store.Source{URL: u, Name: c.Name, Region: c.Region, Issuer: c.Issuer, Render: c.Render, Catalog: c.URL})
		switch {
		case errors.Is(err, store.ErrExists):
			had++
			continue
		case err != nil:
			return err
		}
		added++
		if s.Render {
			rendered++
		}
		fmt.Fprintf(a.stdout, "added source %d: %s  %s\n", s.ID, c.Name, s.URL)
	}
	fmt.Fprintf(a.stdout, "catalogue %s: %d columns, %d added, %d already watched; %d rendered in a browser; all unverified until a crawl reads them (grantwatch status)\n",
		tag, len(cols), added, had, rendered)
	if rendered > 0 {
		if _, err := render.FindBrowser(a.cfg.Render.Browser); err != nil {
			fmt.Fprintf(a.stderr, "grantwatch: warning: %d of them are rendered, but %v\n", rendered, err)
		}
	}
	return nil
}

func sourceList(a *app, fs *flag.FlagSet) func(context.Context, []string) error {
	asJSON := fs.Bool("json", false, "one JSON object per line")
	return func(ctx context.Context, args []string) error {
		if len(args) != 0 {
			return usagef("source list: unexpected argument %q", args[0])
		}
		db, err := a.openDB(ctx)
		if err != nil {
			return err
		}
		defer db.Close()
		srcs, err := db.Sources(ctx)
		if err != nil {
			return err
		}
		if *asJSON {
			return writeJSONLines(a.rawOut, srcs)
		}
		t := newTable(a.rawOut, "ID", "KIND", "STATE", "LAST OK", "FAILS", "NAME", "URL")
		for _, s := range srcs {
			state := "active"
			switch {
			case s.Paused:
				state = "paused"
			case s.Flag != "":
				state = "flagged"
			}
			last := "-"
			if !s.LastSuccessAt.IsZero() {
				last = s.LastSuccessAt.In(a.cfg.Location()).Format("2006-01-02 15:04")
			}
			t.row(s.ID, s.Kind, state, last, s.ConsecutiveFailures, s.Name, s.URL)
		}
		return t.flush()
	}
}

func sourceSet(action string) func(a *app, fs *flag.FlagSet) func(context.Context, []string) error {
	return func(a *app, fs *flag.FlagSet) func(context.Context, []string) error {
		return func(ctx context.Context, args []string) error {
			if len(args) != 1 {
				return usagef("source %s: want one source ID or URL, got %d arguments", action, len(args))
			}
			db, err := a.openDB(ctx)
			if err != nil {
				return err
			}
			defer db.Close()
			var s store.Source
			switch action {
			case "rm":
				s, err = db.RemoveSource(ctx, args[0])
			default:
				s, err = db.SetSourcePaused(ctx, args[0], action == "pause")
			}
			if err != nil {
				return notFoundAsUsage(err)
			}
			verb := map[string]string{"rm": "removed", "pause": "paused", "resume": "resumed"}[action]
			fmt.Fprintf(a.stdout, "%s source %d: %s\n", verb, s.ID, s.URL)
			return nil
		}
	}
}
