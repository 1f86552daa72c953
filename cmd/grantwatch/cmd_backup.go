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
		fmt.Fprintf(a.stdout, "backed up %s to %s\n", a.cfg.DB, args[0])
		return nil
	}
}
