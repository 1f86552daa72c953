package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io/fs"

	"github.com/grantwatch/grantwatch/store"
)

func init() {
	register(command{name: "backup", args: "FILE",
		summary: "write a consistent copy of the database while the daemon runs (restore: stop, copy back)",
		flags:   backupCmd})
}

func backupCmd(a *app, _ *flag.FlagSet) func(context.Context, []string) error {
	return func(ctx context.Context, args []string) error {
		if len(args) != 1 {
			return usagef("backup: want one file to write, got %d arguments", len(args))
		}
		if store.IsPostgres(a.cfg.DB) {
			return usagef("backup: the database is PostgreSQL (%s): back it up with pg_dump", store.Shown(a.cfg.DB))
		}
		db, err := a.openDB(ctx)
		if err != nil {
			return err
		}
		defer db.Close()
		if err := db.Backup(ctx, args[0]); err != nil {
			if errors.Is(err, fs.ErrExist) || errors.Is(err, fs.ErrNotExist) || errors.Is(err, fs.ErrPermission) ||
				errors.Is(err, store.ErrNotRegular) {
				return usageError{err.Error()}
			}
			return err
		}
		fmt.Fprintf(a.stdout, "backed up %s to %s\n", store.Shown(a.cfg.DB), args[0])
		return nil
	}
}
