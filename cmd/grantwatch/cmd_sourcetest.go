package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"strings"

	"github.com/grantwatch/grantwatch/store"
	"github.com/grantwatch/grantwatch/tracker"
	"github.com/grantwatch/grantwatch/tracker/extract"
	"github.com/grantwatch/grantwatch/tracker/pagetext"
)

func init() {
	register(command{name: "source test", args: "URL [--render] [--links-selector CSS] [--json]",
		summary: "fetch a page now and show its notice links or windows; writes nothing",
		flags:   sourceTest})
}

func sourceTest(a *app, fs *flag.FlagSet) func(context.Context, []string) error {
	selector := fs.String("links-selector", "", "CSS selector of the notice links")
	asJSON := fs.Bool("json", false, "print the result as JSON")
	rendered := fs.Bool("render", false, "load the page in headless Chromium first (a list built by script)")
	var allow listFlag
	fs.Var(&allow, "allow-host", "another host notices may live on (repeatable)")
	return func(ctx context.Context, args []string) error {
		if len(args) != 1 {
			return usagef("source test: want one URL, got %d arguments", len(args))
		}
		u, err := checkSourceURL(args[0])
		if err != nil {
			return err
		}
		c := a.newCrawler(nil)
		defer c.Renderer.Close()
		src := store.Source{URL: u, AllowHosts: allow, Render: *rendered}
		res, err := c.FetchPage(ctx, src, tracker.Request{URL: u, Source: u, AllowHosts: allow})
		if err != nil {
			return err
		}
		if tracker.IsFeed(res.Body, res.ContentType) {
			links, err := tracker.FeedLinks(res.Body, res.ContentType, res.URL, a.cfg.Location())
			if err != nil {
				return fmt.Errorf("feed %s: %w", res.URL, err)
			}
			return printSourceTest(a, *asJSON, sourceTestOut{URL: res.URL, Kind: "list", Why: fmt.Sprintf("a feed of %d items", len(links)), Charset: "utf-8", Links: links}, len(res.Body))
		}
		page, charset := pagetext.Decode(res.Body, res.ContentType)
		list := tracker.Discover(res.URL, page, *selector, allow)
		kind, why := tracker.DetectKind(list)
		hint := ""
		if !*rendered {
			if ok, reason := tracker.ScriptBuilt(page, list); ok {
				hint = fmt.Sprintf("looks script-built (%s): try source test --render, and source add --render", reason)
			}
		}
		out := sourceTestOut{URL: res.URL, Kind: kind, Why: why, Hint: hint, Charset: charset}
		if kind == "list" {
			out.Links, out.Next = list.Links, list.Next
			if target, form, ok := list.Proxy.Request(); ok {
				out.Next = append(out.Next, "POST "+target+" ("+form.Encode()+")")
			}
		} else {
			art := tracker.ReadArticle(res.URL, page)
			ex := extract.Extract(art.Title+"\n"+art.Text, extract.Options{Title: art.Title})
			out.Title, out.Windows = ex.Title, ex.Windows
			if out.Title == "" {
				out.Title = art.Title
			}
		}
		return printSourceTest(a, *asJSON, out, len(res.Body))
	}
}

type sourceTestOut struct {
	URL     string           `json:"url"`
	Kind    string           `json:"kind"`
	Why     string           `json:"why"`
	Hint    string           `json:"hint,omitempty"`
	Charset string           `json:"charset"`
	Links   []tracker.Link   `json:"links,omitempty"`
	Next    []string         `json:"next_pages,omitempty"`
	Title   string           `json:"title,omitempty"`
	Windows []extract.Window `json:"windows,omitempty"`
}

func printSourceTest(a *app, asJSON bool, out sourceTestOut, size int) error {
	if asJSON {
		enc := json.NewEncoder(a.rawOut)
		enc.SetEscapeHTML(false)
		return enc.Encode(out)
	}
	fmt.Fprintf(a.stdout, "%s: a %s page (%s, %d bytes)\n  %s: %s\n", out.URL, out.Kind, out.Charset, size, out.Kind, out.Why)
	if out.Hint != "" {
		fmt.Fprintf(a.stdout, "  hint: %s\n", out.Hint)
	}
	for _, l := range out.Links {
		fmt.Fprintf(a.stdout, "  %-10s %s\n             %s\n", orDash(l.Published), l.Title, l.URL)
	}
	if len(out.Next) > 0 {
		fmt.Fprintf(a.stdout, "  next page: %s\n", strings.Join(out.Next, " "))
	}
	if out.Kind == "notice" {
		fmt.Fprintf(a.stdout, "  title: %s\n", out.Title)
		if len(out.Windows) == 0 {
			fmt.Fprintln(a.stdout, "  no application window")
		}
		for _, w := range out.Windows {
			fmt.Fprintf(a.stdout, "  %s → %s %s  %s\n      %s\n", orDash(w.Opens), orDash(w.Closes), w.ClosesTime, w.What, w.Evidence)
		}
	}
	return nil
}
