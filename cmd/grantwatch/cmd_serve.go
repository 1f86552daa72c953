package main

import (
	"context"
	"flag"
	"net"

	"github.com/grantwatch/grantwatch/daemon"
)

func init() {
	register(command{name: "serve", args: "[--listen ADDR]",
		summary: "run the daemon until SIGINT or SIGTERM",
		flags:   serveCmd})
}

func serveCmd(a *app, fs *flag.FlagSet) func(context.Context, []string) error {
	listen := fs.String("listen", "", "address for the web server (default: http.listen from the config)")
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
		m := &daemon.Main{Config: a.cfg, Logger: a.logger, Now: a.now}
		if err := m.Open(ctx); err != nil {
			return err
		}
		defer m.Close()
		return m.Run(ctx)
	}
}
