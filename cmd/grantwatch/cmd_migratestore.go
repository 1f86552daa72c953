package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io/fs"
	"os"

	"github.com/grantwatch/grantwatch/store"
)

func init() {
	register(command{name: "migrate-store", args: "--from FILE.db --to postgres://USER@HOST:PORT/DB [--json]",
		summary: "copy a SQLite store into an empty PostgreSQL one, verified by counts and checksums (stop the daemon first)",
		flags:   migrateStoreCmd})
}

func migrateStoreCmd(a *app, flags *flag.FlagSet) func(context.Context, []string) error {
	from := flags.String("from", "", "the SQLite file to copy (it must exist)")
	to := flags.String("to", "", "the store to copy into: a postgres:// URL (or a new SQLite file); it must hold no data")
	asJSON := flags.Bool("json", false, "one JSON object per table")
	return func(ctx context.Context, args []string) error {
		if len(args) != 0 {
			return usagef("migrate-store: unexpected argument %q", args[0])
		}
		if *from == "" || *to == "" {
			return usagef("migrate-store: want --from FILE.db and --to postgres://…")
		}
		if store.IsPostgres(*from) {
			return usagef("migrate-store: --from %s: copy from a SQLite file (to move between PostgreSQL servers, use pg_dump)", store.Shown(*from))
		}
		// Opening a missing file would create an empty store: refuse instead.
		if st, err := os.Stat(*from); err != nil || !st.Mode().IsRegular() {
			return usagef("migrate-store: --from %s: not an existing SQLite file", *from)
		}
		src, err := store.Open(ctx, *from, store.WithClock(a.now))
		if err != nil {
			if errors.Is(err, store.ErrNotRegular) || errors.Is(err, fs.ErrPermission) {
				return usageError{err.Error()}
			}
			return fmt.Errorf("migrate-store: %w", err)
		}
		defer src.Close()
		dst, err := store.Open(ctx, *to, store.WithClock(a.now))
		if err != nil {
			if errors.Is(err, store.ErrNotRegular) || errors.Is(err, fs.ErrPermission) {
				return usageError{err.Error()}
			}
			return fmt.Errorf("migrate-store: %w", err)
		}
		defer dst.Close()
		report, err := src.CopyTo(ctx, dst)
		if errors.Is(err, store.ErrTargetNotEmpty) {
			return usageError{"migrate-store: " + err.Error()}
		}
		if *asJSON && report != nil {
			if werr := writeJSONLines(a.rawOut, report); werr != nil {
				return werr
			}
		} else if report != nil {
			t := newTable(a.rawOut, "TABLE", "ROWS", "CHECKSUM", "MATCH")
			for _, r := range report {
				t.row(r.Table, fmt.Sprint(r.Rows), r.Checksum, fmt.Sprint(r.Match))
			}
			t.flush()
		}
		if err != nil {
			return fmt.Errorf("migrate-store: %w", err)
		}
		if !*asJSON {
			fmt.Fprintf(a.stdout, "copied %s to %s: every table's rows and checksum match\n", *from, store.Shown(*to))
		}
		return nil
	}
}
