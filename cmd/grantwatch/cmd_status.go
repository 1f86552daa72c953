package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"sort"
	"strings"

	"github.com/grantwatch/grantwatch/store"
	"github.com/grantwatch/grantwatch/tracker/render"
)

func init() {
	register(command{name: "status", args: "[--json]",
		summary: "what is stored, and the health of each source",
		flags:   statusCmd})
}

func statusCmd(a *app, fs *flag.FlagSet) func(context.Context, []string) error {
	asJSON := fs.Bool("json", false, "one JSON object")
	return func(ctx context.Context, args []string) error {
		if len(args) != 0 {
			return usagef("status: unexpected argument %q", args[0])
		}
		db, err := a.openDB(ctx)
		if err != nil {
			return err
		}
		defer db.Close()
		st, err := db.Status(ctx, a.today())
		if err != nil {
			return err
		}
		srcs, err := db.Sources(ctx)
		if err != nil {
			return err
		}
		// Catalogue columns watched: which a crawl has confirmed (read as a
		// list with links), which failed, which wait for their first check.
		type catalogState struct {
			URL   string `json:"url"`
			State string `json:"state"`
		}
		var cat []catalogState
		for _, s := range srcs {
			if s.Catalog == "" {
				continue
			}
			state := "unverified: not checked yet"
			switch {
			case catalogVerified(s):
				state = "verified"
			case s.ConsecutiveFailures > 0:
				state = "failing: " + s.LastError
			case !s.LastSuccessAt.IsZero():
				state = "read, but no notice links found"
			}
			cat = append(cat, catalogState{s.Catalog, state})
		}
		if *asJSON {
			enc := json.NewEncoder(a.rawOut)
			enc.SetEscapeHTML(false)
			return enc.Encode(struct {
				store.Status
				Catalog []catalogState `json:"catalog"`
			}{st, cat})
		}
		w := a.stdout
		fmt.Fprintf(w, "database    %s (%d bytes, schema %d)\n", st.Path, st.SizeBytes, st.SchemaVersion)
		fmt.Fprintf(w, "sources     %d (%d paused, %d failing, %d flagged)\n", st.Sources, st.SourcesPaused, st.SourcesFailing, st.SourcesFlagged)
		fmt.Fprintf(w, "notices     %d\n", st.Notices)
		fmt.Fprintf(w, "windows     %d active, %d upcoming\n", st.Windows, st.WindowsUpcoming)
		fmt.Fprintf(w, "subscribers %s\n", counts(st.Subscribers))
		fmt.Fprintf(w, "deliveries  %s\n", counts(st.Deliveries))
		if len(cat) > 0 {
			n := map[string]int{}
			for _, c := range cat {
				n[strings.SplitN(c.State, ":", 2)[0]]++
			}
			fmt.Fprintf(w, "catalogue   %d columns watched: %d verified, %d failing, %d read without links, %d not checked yet\n",
				len(cat), n["verified"], n["failing"], n["read, but no notice links found"], n["unverified"])
		}
		browserErr := render.ErrNoBrowser
		if _, err := render.FindBrowser(a.cfg.Render.Browser); err == nil {
			browserErr = nil
		}
		for _, s := range srcs {
			if s.Render && browserErr != nil && !s.Paused {
				fmt.Fprintf(w, "source %d %s: rendered in a browser, but %v\n", s.ID, s.URL, browserErr)
			}
			if s.ConsecutiveFailures == 0 && s.Flag == "" {
				continue
			}
			fmt.Fprintf(w, "source %d %s: %d failures in a row; last error: %s %s\n", s.ID, s.URL, s.ConsecutiveFailures, s.LastError, s.Flag)
		}
		for _, f := range st.FailingNotices {
			fmt.Fprintf(w, "notice %s (source %d): %d failed fetches since %s; tried again at each check; last error: %s\n",
				f.URL, f.SourceID, f.Failures, f.FirstFailedAt.In(a.cfg.Location()).Format("2006-01-02 15:04"), f.LastError)
		}
		return nil
	}
}

func counts(m map[string]int) string {
	if len(m) == 0 {
		return "0"
	}
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	parts := make([]string, len(keys))
	for i, k := range keys {
		parts[i] = fmt.Sprintf("%d %s", m[k], k)
	}
	return strings.Join(parts, ", ")
}
