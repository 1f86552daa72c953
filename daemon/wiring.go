package daemon

import (
	"log/slog"
	"time"

	"github.com/grantwatch/grantwatch/config"
	"github.com/grantwatch/grantwatch/store"
	"github.com/grantwatch/grantwatch/tracker"
	"github.com/grantwatch/grantwatch/tracker/render"
)

// NewCrawler builds the tracker from the configuration; `crawl --once`
// and the daemon use the same one.
func NewCrawler(cfg config.Config, db *store.DB, logger *slog.Logger, now func() time.Time) *tracker.Crawler {
	f := cfg.Fetch
	var pacer tracker.HostPacer
	if db.Shared() {
		pacer = db // several daemons: each host's pace lives in the store
	}
	return &tracker.Crawler{
		ClaimTTL: cfg.Cluster.Lease,
		DB:       db, Logger: logger, Now: now, Location: cfg.Location(),
		Fetcher: tracker.NewFetcher(tracker.FetchConfig{UserAgent: f.UserAgent, Timeout: f.Timeout, DialTimeout: f.DialTimeout,
			HeaderTimeout: f.HeaderTimeout, PerHostDelay: f.PerHostDelay, PerHostConcurrency: f.PerHostConcurrency,
			MaxBodyBytes: f.MaxBodyBytes, MaxRedirects: f.MaxRedirects, AllowPrivate: f.AllowPrivate, RespectRobots: f.RespectRobots,
			Retries: f.Retries, RetryWait: f.RetryWait, MaxRetryAfter: f.MaxRetryAfter, MaxInFlight: f.Workers, Pacer: pacer}),
		Config: tracker.CrawlConfig{Schedule: cfg.Crawl.Schedule, Jitter: cfg.Crawl.Jitter, MaxPages: cfg.Crawl.MaxPages,
			MaxNoticesPerRun: cfg.Crawl.MaxNoticesPerRun, FailureAlert: cfg.Crawl.FailureAlert,
			RetryBackoff: cfg.Crawl.RetryBackoff, RetryBackoffMax: cfg.Crawl.RetryBackoffMax},
		// The browser starts only when a source marked render is checked.
		Renderer: render.New(render.Config{Browser: cfg.Render.Browser, PageTimeout: cfg.Render.PageTimeout, MaxPages: cfg.Render.MaxPages}),
	}
}
