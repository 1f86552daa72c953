package daemon

import (
	"context"
	"errors"
	"sync"

	"github.com/robfig/cron/v3"

	"github.com/grantwatch/grantwatch/store"
)

// scheduler runs the daemon's periodic work with robfig/cron. Each
// source's next check is kept in the database (so a restart does not
// re-crawl everything); the cron job only asks, every minute, which
// sources are due.
type scheduler struct {
	cron   *cron.Cron
	cancel context.CancelFunc
	wg     sync.WaitGroup
}

func (m *Main) startScheduler(ctx context.Context) *scheduler {
	ctx, cancel := context.WithCancel(ctx)
	s := &scheduler{cancel: cancel}
	logger := cron.VerbosePrintfLogger(slogPrintf{m})
	s.cron = cron.New(cron.WithLocation(m.Config.Location()),
		cron.WithChain(cron.Recover(logger), cron.SkipIfStillRunning(logger)))
	crawl := func() {
		rep, err := m.Crawler.CrawlDue(ctx)
		if err != nil && ctx.Err() != nil {
			return // shutting down before the crawl began
		}
		if err != nil {
			m.Logger.Error("crawl failed", "err", err)
			return
		}
		if len(rep.Sources) > 0 {
			m.Logger.Info("crawl done", "sources", len(rep.Sources), "failed", len(rep.Failed()))
		}
	}
	every := "@every 1m"
	if m.Tick > 0 {
		every = "@every " + m.Tick.String()
	}
	s.cron.AddFunc(every, crawl)
	s.cron.AddFunc(every, func() {
		res, err := m.Notifier.RunOnce(ctx, m.Now())
		if errors.Is(err, store.ErrLeaseHeld) {
			m.Logger.Info("another process is sending mail; trying again next minute", "err", err)
			return
		}
		if err != nil && ctx.Err() == nil {
			m.Logger.Error("notify failed", "err", err)
			return
		}
		if res.Sent+res.Failed+res.Retried > 0 {
			m.Logger.Info("notify done", "sent", res.Sent, "retry", res.Retried, "failed", res.Failed, "skipped", res.Skipped)
		}
	})
	s.cron.Start()
	// Sources due now (new ones, or overdue after downtime) need not wait
	// for the first tick.
	s.wg.Add(1)
	go func() {
		defer s.wg.Done()
		crawl()
	}()
	return s
}

// stop cancels work in progress and waits for it to return.
func (s *scheduler) stop() {
	s.cancel()
	<-s.cron.Stop().Done()
	s.wg.Wait()
}

// slogPrintf adapts cron's Printf logger to slog.
type slogPrintf struct{ m *Main }

func (l slogPrintf) Printf(format string, args ...any) {
	l.m.Logger.Debug("cron", "msg", format, "args", args)
}
