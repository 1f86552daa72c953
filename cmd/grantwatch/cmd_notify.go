package main

import (
	"context"
	"flag"
	"fmt"
	"net"
	"strconv"
	"time"

	"github.com/grantwatch/grantwatch/daemon"
	"github.com/grantwatch/grantwatch/notify"
	"github.com/grantwatch/grantwatch/store"
)

func init() {
	register(command{name: "notify", args: "--once --now RFC3339 [--smtp HOST:PORT] [--dry-run]",
		summary: "send every reminder due at that instant, once; a second run sends nothing",
		flags:   notifyCmd})
	register(command{name: "digest", args: "--once --now T | --preview EMAIL --now T",
		summary: "send the digests due now, or print one subscriber's digest as HTML",
		flags:   digestCmd})
}

// smtpFlag points the notifier at another server (--smtp HOST:PORT).
func (a *app) applySMTP(hostport string) error {
	if hostport == "" {
		return nil
	}
	h, p, err := net.SplitHostPort(hostport)
	port, perr := strconv.Atoi(p)
	if err != nil || perr != nil || h == "" || port < 1 || port > 65535 {
		return usagef("--smtp %q: want HOST:PORT", hostport)
	}
	a.cfg.SMTP.Host, a.cfg.SMTP.Port = h, port
	return nil
}

func (a *app) notifier(db *store.DB) (*notify.Notifier, error) {
	n, err := daemon.NewNotifier(a.cfg, db, a.logger)
	if err != nil {
		return nil, usageError{err.Error()}
	}
	return n, nil
}

// openNotifier does what notify and digest both need: the instant, the
// SMTP override, the database and the notifier. close releases them.
func (a *app) openNotifier(ctx context.Context, nowFlag, smtp string) (n *notify.Notifier, now time.Time, close func(), err error) {
	if now, err = a.parseNow(nowFlag); err != nil {
		return nil, now, nil, err
	}
	if err = a.applySMTP(smtp); err != nil {
		return nil, now, nil, err
	}
	db, err := a.openDB(ctx)
	if err != nil {
		return nil, now, nil, err
	}
	if n, err = a.notifier(db); err != nil {
		db.Close()
		return nil, now, nil, err
	}
	return n, now, func() { n.Mailer.Close(); db.Close() }, nil
}

func notifyCmd(a *app, fs *flag.FlagSet) func(context.Context, []string) error {
	once := fs.Bool("once", false, "run once and return (the daemon notifies on its own)")
	nowFlag := fs.String("now", "", "the instant to act at (RFC 3339; default: now)")
	smtp := fs.String("smtp", "", "SMTP server HOST:PORT (default: [smtp] from the config)")
	dry := fs.Bool("dry-run", false, "list what would be sent; send and write nothing")
	return func(ctx context.Context, args []string) error {
		if len(args) != 0 {
			return usagef("notify: unexpected argument %q", args[0])
		}
		if !*once {
			return usagef("notify: give --once (the daemon, grantwatch serve, notifies on its own)")
		}
		n, now, closeAll, err := a.openNotifier(ctx, *nowFlag, *smtp)
		if err != nil {
			return err
		}
		defer closeAll()
		if *dry {
			due, err := n.DueNow(ctx, now)
			if err != nil {
				return err
			}
			for _, d := range due {
				fmt.Fprintln(a.stdout, d)
			}
			fmt.Fprintf(a.stdout, "dry run: %d reminders due at %s; nothing sent or written\n", len(due), now.Format("2006-01-02T15:04:05Z07:00"))
			return nil
		}
		res, err := n.RunOnce(ctx, now)
		if err != nil {
			return err
		}
		for _, s := range res.Subjects {
			fmt.Fprintf(a.stdout, "sent: %s\n", s)
		}
		fmt.Fprintf(a.stdout, "notify at %s: %d sent, %d to retry, %d failed, %d skipped, %d cancelled; %d planned (%d corrections)\n",
			now.Format("2006-01-02T15:04:05Z07:00"), res.Sent, res.Retried, res.Failed, res.Skipped, res.Cancelled+res.PlanResult.Cancelled,
			res.Planned, res.Corrections)
		return nil
	}
}

func digestCmd(a *app, fs *flag.FlagSet) func(context.Context, []string) error {
	once := fs.Bool("once", false, "send the digests due now")
	preview := fs.String("preview", "", "print this subscriber's digest as HTML instead (sends nothing)")
	nowFlag := fs.String("now", "", "the instant to act at (RFC 3339; default: now)")
	smtp := fs.String("smtp", "", "SMTP server HOST:PORT (default: [smtp] from the config)")
	return func(ctx context.Context, args []string) error {
		if len(args) != 0 {
			return usagef("digest: unexpected argument %q", args[0])
		}
		if *once == (*preview != "") {
			return usagef("digest: give either --once or --preview EMAIL")
		}
		n, now, closeAll, err := a.openNotifier(ctx, *nowFlag, *smtp)
		if err != nil {
			return err
		}
		defer closeAll()
		if *preview != "" {
			s, err := n.DB.Subscriber(ctx, *preview)
			if err != nil {
				return notFoundAsUsage(err)
			}
			html, err := n.PreviewDigest(ctx, s, now)
			if err != nil {
				return err
			}
			_, err = fmt.Fprint(a.rawOut, html)
			return err
		}
		res, err := n.RunOnce(ctx, now, "digest")
		if err != nil {
			return err
		}
		for _, s := range res.Subjects {
			fmt.Fprintf(a.stdout, "sent: %s\n", s)
		}
		fmt.Fprintf(a.stdout, "digest at %s: %d sent, %d to retry, %d failed, %d skipped\n",
			now.Format("2006-01-02T15:04:05Z07:00"), res.Sent, res.Retried, res.Failed, res.Skipped)
		return nil
	}
}
