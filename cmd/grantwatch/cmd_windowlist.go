package main

import (
	"context"
	"flag"

	"github.com/grantwatch/grantwatch/store"
)

func init() {
	register(command{name: "windows", args: "[--upcoming] [--region R] [--json]",
		summary: "list application windows, soonest deadline first",
		flags:   windowsCmd})
}

// windowJSON is the contract's window line: absent dates are null.
type windowJSON struct {
	ID         int64   `json:"id"`
	NoticeURL  string  `json:"notice_url"`
	Title      string  `json:"title"`
	What       string  `json:"what"`
	Opens      *string `json:"opens"`
	Closes     *string `json:"closes"`
	ClosesTime *string `json:"closes_time"`
	Evidence   string  `json:"evidence"`
	Issuer     string  `json:"issuer"`
	Region     string  `json:"region"`
	Status     string  `json:"status"`
	Revision   int     `json:"revision"`
}

func orNull(s string) *string {
	if s == "" {
		return nil
	}
	return &s
}

func orDash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}

func windowsCmd(a *app, fs *flag.FlagSet) func(context.Context, []string) error {
	upcoming := fs.Bool("upcoming", false, "only windows still open or yet to open")
	region := fs.String("region", "", "only windows of this region (matched on region, issuer and title)")
	all := fs.Bool("all", false, "include withdrawn windows")
	asJSON := fs.Bool("json", false, "one JSON object per line")
	now := fs.String("now", "", "the instant that --upcoming counts from (RFC 3339; default: now)")
	return func(ctx context.Context, args []string) error {
		if len(args) != 0 {
			return usagef("windows: unexpected argument %q", args[0])
		}
		t, err := a.parseNow(*now)
		if err != nil {
			return err
		}
		f := store.WindowFilter{Region: *region, All: *all}
		if *upcoming {
			f.UpcomingFrom = t.In(a.cfg.Location()).Format("2006-01-02")
		}
		db, err := a.openDB(ctx)
		if err != nil {
			return err
		}
		defer db.Close()
		ws, err := db.Windows(ctx, f)
		if err != nil {
			return err
		}
		if *asJSON {
			out := make([]windowJSON, len(ws))
			for i, w := range ws {
				out[i] = windowJSON{ID: w.ID, NoticeURL: w.NoticeURL, Title: w.Title, What: w.Label,
					Opens: orNull(w.Opens), Closes: orNull(w.Closes), ClosesTime: orNull(w.ClosesTime),
					Evidence: w.Evidence, Issuer: w.Issuer, Region: w.Region, Status: w.Status, Revision: w.Revision}
			}
			return writeJSONLines(a.rawOut, out)
		}
		tab := newTable(a.rawOut, "OPENS", "CLOSES", "TIME", "WHAT", "TITLE")
		for _, w := range ws {
			tab.row(orDash(w.Opens), orDash(w.Closes), orDash(w.ClosesTime), w.Label, w.Title)
		}
		return tab.flush()
	}
}
