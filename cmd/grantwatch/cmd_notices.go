package main

import (
	"context"
	"flag"
	"fmt"
	"text/tabwriter"
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
			return writeJSONLines(a.stdout, ns)
		}
		tw := tabwriter.NewWriter(a.stdout, 0, 4, 2, ' ', 0)
		fmt.Fprintln(tw, "ID\tPUBLISHED\tISSUER\tTITLE\tURL")
		for _, n := range ns {
			fmt.Fprintf(tw, "%d\t%s\t%s\t%s\t%s\n", n.ID, orDash(n.Published), orDash(n.Issuer), n.Title, n.URL)
		}
		return tw.Flush()
	}
}
