package main

import (
	"context"
	"flag"
	"fmt"
	"strings"
	"time"

	"github.com/grantwatch/grantwatch/daemon"
	"github.com/grantwatch/grantwatch/store"
	"github.com/grantwatch/grantwatch/tracker"
)

func init() {
	register(command{name: "crawl", args: "--once [--source ID|URL] [--now RFC3339]",
		summary: "check every source now (or one), and report; failures are listed, not fatal",
		flags:   crawlCmd})
}

// newCrawler builds the tracker from the configuration.
func (a *app) newCrawler(db *store.DB) *tracker.Crawler {
	return daemon.NewCrawler(a.cfg, db, a.logger, a.now)
}

func crawlCmd(a *app, fs *flag.FlagSet) func(context.Context, []string) error {
	once := fs.Bool("once", false, "crawl now and return (the daemon crawls on its schedule)")
	only := fs.String("source", "", "crawl only this source (ID or URL)")
	nowFlag := fs.String("now", "", "the time the crawl plans from (RFC 3339; default: now): what is due again, the next checks")
	return func(ctx context.Context, args []string) error {
		if len(args) != 0 {
			return usagef("crawl: unexpected argument %q", args[0])
		}
		if !*once {
			return usagef("crawl: give --once (the daemon, grantwatch serve, crawls on its schedule)")
		}
		if *nowFlag != "" {
			t, err := a.parseNow(*nowFlag)
			if err != nil {
				return err
			}
			a.now = func() time.Time { return t }
		}
		db, err := a.openDB(ctx)
		if err != nil {
			return err
		}
		defer db.Close()
		var srcs []store.Source
		if *only != "" {
			s, err := db.Source(ctx, *only)
			if err != nil {
				return notFoundAsUsage(err)
			}
			srcs = []store.Source{s}
		} else {
			all, err := db.Sources(ctx)
			if err != nil {
				return err
			}
			for _, s := range all {
				if !s.Paused && s.Kind != "digest" {
					srcs = append(srcs, s)
				}
			}
		}
		c := a.newCrawler(db)
		defer c.Renderer.Close()
		var progress func(done, total int, r tracker.SourceReport)
		if isTerminal(a.rawErr) {
			bar := progressBar(a.rawErr, "crawling")
			progress = func(done, total int, _ tracker.SourceReport) { bar(done, total) }
		}
		rep := c.CrawlNow(ctx, srcs, progress)
		var news, changed, gone, added, moved, failed int
		for _, r := range rep.Sources {
			news += r.NoticesNew
			changed += r.NoticesChanged
			gone += r.NoticesGone
			added += r.WindowsAdded
			moved += r.WindowsChanged + r.Extended
			if r.Err != nil {
				failed++
			}
		}
		fmt.Fprintf(a.stdout, "crawled %d sources: %d ok, %d failed; notices %d new, %d changed, %d gone; windows %d new, %d moved\n",
			len(rep.Sources), len(rep.Sources)-failed, failed, news, changed, gone, added, moved)
		for _, r := range rep.Sources {
			switch {
			case r.Err != nil:
				fmt.Fprintf(a.stdout, "  FAILED source %d %s: %v\n", r.Source.ID, r.Source.URL, r.Err)
			case len(r.Warnings) > 0:
				fmt.Fprintf(a.stdout, "  source %d %s: %s\n", r.Source.ID, r.Source.URL, strings.Join(r.Warnings, "; "))
			}
		}
		return ctx.Err()
	}
}
