// Package daemon wires grantwatch's parts into the long-running process that
// `grantwatch serve` starts: the store, the web server and (as they come)
// the crawler and notifier schedules. Tests start it on :0.
package daemon

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"time"

	"github.com/grantwatch/grantwatch/config"
	"github.com/grantwatch/grantwatch/notify"
	"github.com/grantwatch/grantwatch/store"
	"github.com/grantwatch/grantwatch/tracker"
	"github.com/grantwatch/grantwatch/web"
)

// Main is the daemon. Set its fields, then Open, Run and Close.
type Main struct {
	Config config.Config
	Logger *slog.Logger
	Now    func() time.Time
	// Tick is how often the scheduler asks which sources are due and which
	// mails (0: a minute). Soak tests run an accelerated clock with a
	// tick of a second.
	Tick time.Duration

	DB       *store.DB
	Crawler  *tracker.Crawler
	Notifier *notify.Notifier
	listener net.Listener
	server   *http.Server
	web      *web.Server
}

// Open opens the database and the listening socket, so that Addr is known
// before Run (tests listen on :0).
func (m *Main) Open(ctx context.Context) error {
	if m.Now == nil {
		m.Now = time.Now
	}
	if m.Logger == nil {
		m.Logger = slog.Default()
	}
	db, err := store.Open(ctx, m.Config.DB, store.WithClock(m.Now))
	if err != nil {
		return err
	}
	m.DB = db
	m.Crawler = NewCrawler(m.Config, db, m.Logger, m.Now)
	if m.Notifier, err = NewNotifier(m.Config, db, m.Logger); err != nil {
		db.Close()
		return err
	}
	ln, err := net.Listen("tcp", m.Config.HTTP.Listen)
	if err != nil {
		db.Close()
		return fmt.Errorf("listen on %s: %w", m.Config.HTTP.Listen, err)
	}
	m.listener = ln
	m.web = &web.Server{DB: db, Logger: m.Logger, Now: m.Now, Notifier: m.Notifier,
		Config: web.Config{BaseURL: m.Config.HTTP.BaseURL, PublicFeed: m.Config.HTTP.PublicFeed,
			SubscribePerHour: m.Config.HTTP.SubscribePerHour, Location: m.Config.Location()},
		Stats: func() web.Stats {
			c, f := m.Crawler.Counts()
			return web.Stats{Crawls: c, FetchErrors: f}
		}}
	m.server = &http.Server{
		Handler:           m.web.Handler(),
		ReadHeaderTimeout: 10 * time.Second,
		ReadTimeout:       30 * time.Second,
		WriteTimeout:      60 * time.Second,
		IdleTimeout:       120 * time.Second,
		ErrorLog:          slog.NewLogLogger(m.Logger.Handler(), slog.LevelWarn),
	}
	return nil
}

// Addr is the address the web server listens on.
func (m *Main) Addr() string { return m.listener.Addr().String() }

// Run serves until ctx is cancelled, then shuts down gracefully: requests
// in flight get up to ten seconds to finish.
func (m *Main) Run(ctx context.Context) error {
	errc := make(chan error, 1)
	go func() { errc <- m.server.Serve(m.listener) }()
	sched := m.startScheduler(ctx)
	defer sched.stop()
	go func() {
		start := time.Now()
		if err := m.web.Warm(ctx); err != nil {
			if ctx.Err() == nil {
				m.Logger.Warn("feed listing not read ahead; the first feed reads it", "err", err)
			}
			return
		}
		m.Logger.Info("feed listing read ahead", "took", time.Since(start))
	}()
	m.Logger.Info("grantwatch serving", "addr", m.Addr(), "db", store.Shown(m.Config.DB))
	select {
	case err := <-errc:
		return fmt.Errorf("http server: %w", err)
	case <-ctx.Done():
	}
	m.Logger.Info("grantwatch shutting down")
	sctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := m.server.Shutdown(sctx); err != nil && !errors.Is(err, http.ErrServerClosed) {
		return fmt.Errorf("http shutdown: %w", err)
	}
	return nil
}

// Close releases the mail connection and the database.
func (m *Main) Close() error {
	if m.Crawler != nil && m.Crawler.Renderer != nil {
		m.Crawler.Renderer.Close()
	}
	if m.Notifier != nil {
		m.Notifier.Mailer.Close()
	}
	if m.DB != nil {
		return m.DB.Close()
	}
	return nil
}
