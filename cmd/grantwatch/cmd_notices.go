package main

import (
	"context"
	"flag"
)

func init() {
	register(command{name: "notices", args: "[--search TERM] [--json]",
		summary: "list notices, newest first; --search looks in titles and texts",
		flags:   noticesCmd})
}

func noticesCmd(a *app, fs *flag.FlagSet) func(context.Context, []string) error {
	search := fs.String("search", "", "words to find in title or text (any length; Chinese needs no spaces)")
	limit := fs.Int("limit", 0, "show at most this many (0: all)")
	asJSON := fs.Bool("json", false, "one JSON object per line")
	return func(ctx context.Context, args []string) error {
		if len(args) != 0 {
			return usagef("notices: unexpected argument %q", args[0])
		}
		if *limit < 0 {
			return usagef("notices: --limit %d: must not be negative", *limit)
		}
		db, err := a.openDB(ctx)
		if err != nil {
			return err
		}
		defer db.Close()
		ns, err := db.Notices(ctx, *search, *limit)
		if err != nil {
			return err
		}
		if *asJSON {
			return writeJSONLines(a.rawOut, ns)
		}
		t := newTable(a.rawOut, "ID", "PUBLISHED", "ISSUER", "TITLE", "URL")
		for _, n := range ns {
			t.row(n.ID, orDash(n.Published), orDash(n.Issuer), n.Title, n.URL)
		}
		return t.flush()
	}
}
