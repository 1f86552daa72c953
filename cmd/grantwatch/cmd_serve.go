package main

import (
	"context"
	"flag"
	"net"
	"time"

	"github.com/grantwatch/grantwatch/daemon"
)

func init() {
	register(command{name: "serve", args: "[--listen ADDR]",
		summary: "run the daemon until SIGINT or SIGTERM",
		flags:   serveCmd})
}

func serveCmd(a *app, fs *flag.FlagSet) func(context.Context, []string) error {
	listen := fs.String("listen", "", "address for the web server (default: http.listen from the config)")
	clockStart := fs.String("clock-start", "", "run on a simulated clock that starts at this instant (RFC 3339; for soak tests and demos)")
	clockSpeed := fs.Float64("clock-speed", 1, "with --clock-start: simulated seconds per real second")
	tick := fs.Duration("tick", time.Minute, "how often due crawls and mails are looked for (at least 1s)")
	return func(ctx context.Context, args []string) error {
		if len(args) != 0 {
			return usagef("serve: unexpected argument %q", args[0])
		}
		if *listen != "" {
			if _, _, err := net.SplitHostPort(*listen); err != nil {
				return usagef("serve: --listen %q: %v", *listen, err)
			}
			a.cfg.HTTP.Listen = *listen
		}
		if *tick < time.Second {
			return usagef("serve: --tick %s: at least 1s", *tick)
		}
		now := a.now
		if *clockStart != "" {
			start, err := time.Parse(time.RFC3339, *clockStart)
			if err != nil {
				return usagef("serve: --clock-start %q: want RFC 3339 (2021-03-01T00:00:00+08:00)", *clockStart)
			}
			if *clockSpeed <= 0 {
				return usagef("serve: --clock-speed %v: must be above 0", *clockSpeed)
			}
			now = acceleratedClock(start, *clockSpeed, a.now)
			a.logger.Warn("running on a simulated clock", "start", start, "speed", *clockSpeed)
		}
		m := &daemon.Main{Config: a.cfg, Logger: a.logger, Now: now, Tick: *tick}
		if err := m.Open(ctx); err != nil {
			return err
		}
		defer m.Close()
		return m.Run(ctx)
	}
}

// acceleratedClock runs from start at speed simulated seconds per second
// of wall, the real clock.
func acceleratedClock(start time.Time, speed float64, wall func() time.Time) func() time.Time {
	began := wall()
	return func() time.Time {
		return start.Add(time.Duration(float64(wall().Sub(began)) * speed))
	}
}
