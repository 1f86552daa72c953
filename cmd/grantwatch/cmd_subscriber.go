package main

import (
	"context"
	"flag"
	"fmt"
	"strings"

	"github.com/grantwatch/grantwatch/notify"
	"github.com/grantwatch/grantwatch/store"
)

func init() {
	register(command{name: "subscriber add", args: "EMAIL [flags]",
		summary: "add an active subscriber (admin-added: no opt-in mail)",
		flags:   subscriberAdd})
	register(command{name: "subscriber list", args: "[--json]",
		summary: "list subscribers with their feed URLs",
		flags:   subscriberList})
	register(command{name: "subscriber rm", args: "ID|EMAIL",
		summary: "remove a subscriber and their pending reminders",
		flags:   subscriberRm})
}

// subscriberView is a subscriber as the CLI shows it: with the feed URL
// that goes into their calendar.
type subscriberView struct {
	store.Subscriber
	FeedURL string `json:"feed_url"`
}

func (a *app) feedURL(token string) string {
	return strings.TrimRight(a.cfg.HTTP.BaseURL, "/") + "/feed/" + token + ".ics"
}

func subscriberAdd(a *app, fs *flag.FlagSet) func(context.Context, []string) error {
	var s store.Subscriber
	var regions, issuers, keywords listFlag
	var leadOpen, leadClose string
	fs.StringVar(&s.Name, "name", "", "the subscriber's name, used in greetings")
	fs.Var(&regions, "region", "only windows of this region (repeatable; none: all)")
	fs.Var(&issuers, "issuer", "only windows of this issuer (repeatable; none: all)")
	fs.Var(&keywords, "keyword", "only notices whose title or text holds this word (repeatable; none: all)")
	fs.StringVar(&leadOpen, "lead-open", "", "reminders before a window opens, e.g. 3d,0d (default from the config)")
	fs.StringVar(&leadClose, "lead-close", "", "reminders before a window closes, e.g. 7d,3d,1d (default from the config)")
	fs.StringVar(&s.Digest, "digest", "off", "digest mail: off, daily or weekly")
	return func(ctx context.Context, args []string) error {
		if len(args) != 1 {
			return usagef("subscriber add: want one email address, got %d arguments", len(args))
		}
		email, err := notify.CheckAddress(args[0])
		if err != nil {
			return usagef("subscriber add: %v", err)
		}
		s.Email = email
		if strings.ContainsAny(s.Name, "\r\n") {
			return usagef("subscriber add: --name must not contain line breaks")
		}
		switch s.Digest {
		case "off", "daily", "weekly":
		default:
			return usagef("subscriber add: --digest %q: want off, daily or weekly", s.Digest)
		}
		if leadOpen != "" {
			if s.LeadOpen, err = notify.ParseLeads(leadOpen); err != nil {
				return usagef("subscriber add: --lead-open: %v", err)
			}
		}
		if leadClose != "" {
			if s.LeadClose, err = notify.ParseLeads(leadClose); err != nil {
				return usagef("subscriber add: --lead-close: %v", err)
			}
		}
		s.Regions, s.Issuers, s.Keywords = regions, issuers, keywords
		s.Status = "active"
		db, err := a.openDB(ctx)
		if err != nil {
			return err
		}
		defer db.Close()
		added, err := db.AddSubscriber(ctx, s)
		if err != nil {
			return notFoundAsUsage(err)
		}
		fmt.Fprintf(a.stdout, "added subscriber %d: %s\nfeed: %s\n", added.ID, added.Email, a.feedURL(added.FeedToken))
		return nil
	}
}

func subscriberList(a *app, fs *flag.FlagSet) func(context.Context, []string) error {
	asJSON := fs.Bool("json", false, "one JSON object per line")
	return func(ctx context.Context, args []string) error {
		if len(args) != 0 {
			return usagef("subscriber list: unexpected argument %q", args[0])
		}
		db, err := a.openDB(ctx)
		if err != nil {
			return err
		}
		defer db.Close()
		subs, err := db.Subscribers(ctx)
		if err != nil {
			return err
		}
		views := make([]subscriberView, len(subs))
		for i, s := range subs {
			views[i] = subscriberView{Subscriber: s, FeedURL: a.feedURL(s.FeedToken)}
		}
		if *asJSON {
			return writeJSONLines(a.rawOut, views)
		}
		t := newTable(a.rawOut, "ID", "EMAIL", "STATUS", "DIGEST", "REGIONS", "KEYWORDS", "FEED")
		for _, v := range views {
			t.row(v.ID, v.Email, v.Status, v.Digest, orAll(v.Regions), orAll(v.Keywords), v.FeedURL)
		}
		return t.flush()
	}
}

func orAll(l []string) string {
	if len(l) == 0 {
		return "(all)"
	}
	return strings.Join(l, ",")
}

func subscriberRm(a *app, fs *flag.FlagSet) func(context.Context, []string) error {
	return func(ctx context.Context, args []string) error {
		if len(args) != 1 {
			return usagef("subscriber rm: want one ID or email address, got %d arguments", len(args))
		}
		db, err := a.openDB(ctx)
		if err != nil {
			return err
		}
		defer db.Close()
		s, err := db.RemoveSubscriber(ctx, args[0])
		if err != nil {
			return notFoundAsUsage(err)
		}
		fmt.Fprintf(a.stdout, "removed subscriber %d: %s\n", s.ID, s.Email)
		return nil
	}
}
