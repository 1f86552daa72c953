package main

import (
	"context"
	"flag"
	"time"

	"github.com/grantwatch/grantwatch/notify"
	"github.com/grantwatch/grantwatch/store"
)

func init() {
	register(command{name: "ical", args: "[--subscriber EMAIL]",
		summary: "write a calendar feed (all windows, or one subscriber's) to standard output",
		flags:   icalCmd})
}

func icalCmd(a *app, fs *flag.FlagSet) func(context.Context, []string) error {
	email := fs.String("subscriber", "", "the feed of this subscriber (their filters)")
	return func(ctx context.Context, args []string) error {
		if len(args) != 0 {
			return usagef("ical: unexpected argument %q", args[0])
		}
		db, err := a.openDB(ctx)
		if err != nil {
			return err
		}
		defer db.Close()
		sub := store.Subscriber{}
		name := "grantwatch 申报窗口"
		if *email != "" {
			if sub, err = db.Subscriber(ctx, *email); err != nil {
				return notFoundAsUsage(err)
			}
			name += "（" + sub.Email + "）"
		}
		ws, err := db.Windows(ctx, store.WindowFilter{})
		if err != nil {
			return err
		}
		texts, err := db.NoticeTexts(ctx, store.NoticeIDs(ws))
		if err != nil {
			return err
		}
		chosen := notify.FeedWindows(sub, ws, texts, "0000-00-00")
		stamp := time.Date(2000, 1, 1, 0, 0, 0, 0, time.UTC)
		for _, w := range chosen {
			if w.UpdatedAt.After(stamp) {
				stamp = w.UpdatedAt
			}
		}
		return notify.Feed{Name: name, Windows: chosen, Now: stamp, Location: a.cfg.Location()}.WriteICal(a.rawOut)
	}
}
