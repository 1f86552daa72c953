package tracker

import (
	"context"

	"errors"
	"fmt"
	"hash/fnv"
	"log/slog"
	"net/url"
	"os"
	"sort"
	"strings"
	"sync"
	"sync/atomic"
	"time"
	"unicode/utf8"

	"github.com/grantwatch/grantwatch/store"
	"github.com/grantwatch/grantwatch/tracker/extract"
	"github.com/grantwatch/grantwatch/tracker/pagetext"
	"github.com/grantwatch/grantwatch/tracker/render"
)

// FetchPage fetches a source's own page (its list, its next pages): in the
// browser for a source marked render, else plainly.
func (c *Crawler) FetchPage(ctx context.Context, s store.Source, req Request) (*Response, error) {
	if !s.Render {
		return c.Fetcher.Fetch(ctx, req)
	}
	if c.Renderer == nil {
		return nil, fmt.Errorf("render %s: %w", req.URL, render.ErrNoBrowser)
	}
	html, err := c.Renderer.Render(ctx, req.URL, func(ctx context.Context, method, target string, body []byte, ctype string) (int, string, []byte, error) {
		r := Request{URL: target, Source: req.Source, AllowHosts: req.AllowHosts}
		switch method {
		case "GET", "HEAD":
		case "POST":
			r.Body, r.BodyType = append([]byte{}, body...), ctype
		default:
			return 0, "", nil, fmt.Errorf("render: %s %s refused", method, target)
		}
		res, err := c.Fetcher.Fetch(ctx, r)
		if err != nil {
			return 0, "", nil, err
		}
		return res.Status, res.ContentType, res.Body, nil
	})
	if err != nil {
		return nil, err
	}
	return &Response{URL: req.URL, Status: 200, ContentType: "text/html; charset=utf-8", Body: []byte(html)}, nil
}

// CrawlConfig is what a crawl does (config [crawl] and [fetch].workers).
type CrawlConfig struct {
	Schedule         string // default cron spec
	Jitter           time.Duration
	MaxPages         int
	MaxNoticesPerRun int
	FailureAlert     int
	RetryBackoff     time.Duration
	RetryBackoffMax  time.Duration
	MaxAttachments   int
	// RecheckPerRun bounds the known notices a source's check fetches
	// again (0: 25); the rest wait for the next runs.
	RecheckPerRun int
}

// Crawler checks sources and keeps notices and windows current.
type Crawler struct {
	DB       *store.DB
	Fetcher  *Fetcher
	Logger   *slog.Logger
	Now      func() time.Time
	Location *time.Location
	Config   CrawlConfig
	// Renderer loads the pages of sources marked render in headless
	// Chromium; nil when none is configured (those sources then fail
	// with render.ErrNoBrowser).
	Renderer *render.Renderer
	// Owner names this process in the claims it takes on sources, so that
	// several daemons sharing a store check each source once (empty: made
	// from the host name and PID).
	Owner string
	// ClaimTTL is how long (wall time) a claimed source stays this
	// process's without renewal (0: 2 minutes). Renewed every third of it
	// while the crawl runs; a process that died has its claims taken over
	// when they run out.
	ClaimTTL time.Duration

	checks, failures atomic.Int64
	ownerOnce        sync.Once
}

func (c *Crawler) owner() string {
	c.ownerOnce.Do(func() {
		if c.Owner == "" {
			h, _ := os.Hostname()
			c.Owner = fmt.Sprintf("%s/%d/%d", h, os.Getpid(), time.Now().UnixNano())
		}
	})
	return c.Owner
}

func (c *Crawler) claimTTL() time.Duration {
	if c.ClaimTTL > 0 {
		return c.ClaimTTL
	}
	return 2 * time.Minute
}

// Counts says how many source checks ran, and failed, since start.
func (c *Crawler) Counts() (checks, failures int64) { return c.checks.Load(), c.failures.Load() }

// SourceReport is what one source's check found.
type SourceReport struct {
	Source         store.Source
	Kind           string // list or notice, as read this time
	Why            string // why the page was taken for that kind
	Feed           bool   // the source is an RSS, Atom or JSON feed
	Links          int
	Pages          int // column pages read (1: the source page alone)
	NoticesNew     int
	NoticesChanged int
	NoticesGone    int
	NoticesFailed  int // notice pages that could not be fetched this time
	WindowsAdded   int
	WindowsChanged int
	Extended       int // windows of earlier notices moved by a 延期 notice
	NotModified    bool
	Interrupted    bool // a shutdown cut the check short; it is due again
	Warnings       []string
	Err            error

	tried  map[string]bool // notice pages fetched in this check
	failed map[string]bool // notice pages with a failure on record (read at the start of the check)
}

func (r *SourceReport) markFailed(u string) {
	if r.failed == nil {
		r.failed = map[string]bool{}
	}
	r.failed[u] = true
}

// Report is a crawl run.
type Report struct {
	Sources []SourceReport
}

// Failed lists the reports of sources that failed.
func (r Report) Failed() []SourceReport {
	var out []SourceReport
	for _, s := range r.Sources {
		if s.Err != nil {
			out = append(out, s)
		}
	}
	return out
}

// CrawlNow checks the given sources now and reports each as it finishes.
// Work is scheduled by host: each host's sources are checked one after
// another (per_host_concurrency at a time), every host at once, so that a
// host's pace, not a worker pool, sets how long a crawl takes; the
// fetcher's MaxInFlight (crawl workers) bounds requests in flight across
// hosts, and waiting on one host's delay holds nothing another host could
// use. Sources on one host share that host's pace.
func (c *Crawler) CrawlNow(ctx context.Context, sources []store.Source, progress func(done, total int, r SourceReport)) Report {
	return c.crawl(ctx, sources, false, progress)
}

// crawl is CrawlNow; with claim, each source is claimed before its check
// and skipped when another process has it or it is no longer due.
func (c *Crawler) crawl(ctx context.Context, sources []store.Source, claim bool, progress func(done, total int, r SourceReport)) Report {
	var mu sync.Mutex
	var rep Report
	byHost := map[string][]store.Source{}
	var hosts []string
	for _, s := range sources {
		h := s.URL
		if u, err := url.Parse(s.URL); err == nil {
			h = hostKey(u)
		}
		if _, ok := byHost[h]; !ok {
			hosts = append(hosts, h)
		}
		byHost[h] = append(byHost[h], s)
	}
	perHost := max(1, c.Fetcher.cfg.PerHostConcurrency)
	// Sources in progress at once: one list page each in memory.
	active := make(chan struct{}, maxActiveSources)
	var wg sync.WaitGroup
	for _, h := range hosts {
		queue := make(chan store.Source, len(byHost[h]))
		for _, s := range byHost[h] {
			queue <- s
		}
		close(queue)
		// With claims, the host is claimed first: one process at a time
		// checks a host's sources; another's due ones wait for its turn.
		var hostWG sync.WaitGroup
		if claim {
			ok, err := c.DB.ClaimHost(ctx, h, c.owner(), c.claimTTL())
			if err != nil {
				c.Logger.Warn("host not claimed", "host", h, "err", err)
			}
			if !ok {
				continue
			}
		}
		for w := 0; w < min(perHost, len(byHost[h])); w++ {
			wg.Add(1)
			hostWG.Add(1)
			go func() {
				defer wg.Done()
				defer hostWG.Done()
				for s := range queue {
					if claim {
						got, ok, err := c.DB.ClaimSource(ctx, []int64{s.ID}, c.Now(), c.owner(), c.claimTTL())
						if err != nil {
							c.Logger.Warn("source not claimed", "source_id", s.ID, "err", err)
							continue
						}
						if !ok {
							continue // another daemon checks it, or has just checked it
						}
						s = got
					}
					select {
					case active <- struct{}{}:
					case <-ctx.Done():
						return
					}
					r := c.CrawlSource(ctx, s)
					<-active
					mu.Lock()
					rep.Sources = append(rep.Sources, r)
					if progress != nil {
						progress(len(rep.Sources), len(sources), r)
					}
					mu.Unlock()
					if ctx.Err() != nil {
						return
					}
				}
			}()
		}
		if claim {
			wg.Add(1)
			go func() {
				defer wg.Done()
				hostWG.Wait()
				bctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 5*time.Second)
				defer cancel()
				if err := c.DB.ReleaseHost(bctx, h, c.owner()); err != nil {
					c.Logger.Warn("host not released; the claim runs out by itself", "host", h, "err", err)
				}
			}()
		}
	}
	wg.Wait()
	sort.Slice(rep.Sources, func(i, j int) bool { return rep.Sources[i].Source.ID < rep.Sources[j].Source.ID })
	return rep
}

// maxActiveSources bounds the sources checked at once, whatever the number
// of hosts: each holds its list in memory while its notices are fetched.
const maxActiveSources = 1024

// CrawlDue checks the sources whose next check has come.
func (c *Crawler) CrawlDue(ctx context.Context) (Report, error) {
	due, err := c.DB.DueSources(ctx, c.Now(), 10000)
	if err != nil {
		return Report{}, err
	}
	if len(due) == 0 {
		return Report{}, nil
	}
	if !c.DB.Shared() {
		// One daemon on a file: nobody to share the work with, and claims
		// a killed process left would only hold its sources back.
		return c.crawl(ctx, due, false, nil), nil
	}
	// Several daemons on one store: each source, and each host, is claimed
	// before it is checked. Claims are renewed while the crawl goes on,
	// and those of checks a shutdown cut short are given back at the end
	// (they are due again).
	owner, ttl := c.owner(), c.claimTTL()
	stop := c.DB.KeepClaims(ctx, owner, ttl, func(err error) { c.Logger.Warn("claims not renewed", "err", err) })
	rep := c.crawl(ctx, due, true, nil)
	stop()
	bctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 5*time.Second)
	defer cancel()
	if err := c.DB.ReleaseSourceClaims(bctx, owner); err != nil {
		c.Logger.Warn("claims not given back; they run out by themselves", "err", err)
	}
	return rep, nil
}

// nextCheck plans a source's next check: its schedule's next time plus a
// jitter fixed per source (so restarts do not reshuffle), or a backoff
// after failures, or what the server asked for.
func (c *Crawler) nextCheck(s store.Source, failures int, retryAfter time.Duration) time.Time {
	now := c.Now()
	if failures > 0 {
		d := c.Config.RetryBackoff
		for i := 1; i < failures && d < c.Config.RetryBackoffMax; i++ {
			d *= 2
		}
		d = min(d, c.Config.RetryBackoffMax)
		if retryAfter > d {
			d = retryAfter
		}
		return now.Add(d)
	}
	spec := s.Schedule
	if spec == "" {
		spec = c.Config.Schedule
	}
	sched, err := ParseSchedule(spec)
	if err != nil {
		sched, _ = ParseSchedule("0 */6 * * *")
	}
	next := sched.Next(now.In(c.Location))
	if c.Config.Jitter > 0 {
		h := fnv.New64a()
		h.Write([]byte(s.URL))
		next = next.Add(time.Duration(h.Sum64() % uint64(c.Config.Jitter)))
	}
	return next
}

// CrawlSource checks one source and records its health.
func (c *Crawler) CrawlSource(ctx context.Context, s store.Source) SourceReport {
	rep := SourceReport{Source: s}
	log := c.Logger.With("source_id", s.ID, "url", s.URL)
	c.checks.Add(1)
	res, err := c.FetchPage(ctx, s, Request{URL: s.URL, ETag: s.ETag, LastModified: s.LastModified, Source: s.URL, AllowHosts: s.AllowHosts})
	if err != nil && ctx.Err() != nil {
		// A shutdown, not the source's failure: it stays due and is
		// checked at the next start.
		rep.Err = err
		log.Info("source check interrupted by shutdown; checked again at the next start")
		return rep
	}
	if err != nil {
		c.failures.Add(1)
		rep.Err = err
		var fe *FetchError
		var ra time.Duration
		if errors.As(err, &fe) {
			ra = fe.RetryAfter
			if fe.Kind == "antibot" {
				// Back off for long: hammering a WAF gets the address banned.
				ra = max(ra, c.Config.RetryBackoffMax)
			}
		}
		log.Warn("source check failed", "err", err)
		if _, err := c.DB.RecordCrawl(ctx, s.ID, store.CrawlResult{Error: err.Error(), LinksFound: -1,
			NextCheckAt: c.nextCheck(s, s.ConsecutiveFailures+1, ra), FailureAlert: c.Config.FailureAlert}); err != nil {
			log.Error("record crawl failed", "err", err)
		}
		return rep
	}
	kind := s.Kind
	var page string
	var list ListPage
	if res.NotModified {
		rep.NotModified = true
		if kind == "auto" {
			kind = "list" // a notice source that did not change needs nothing more
			if s.LinksFound <= 0 {
				kind = "notice"
			}
		}
	} else {
		if res.Truncated {
			rep.Warnings = append(rep.Warnings, fmt.Sprintf("page cut at %d bytes", len(res.Body)))
		}
		if !s.Render && (kind == "auto" || kind == "list") && IsFeed(res.Body, res.ContentType) {
			links, err := FeedLinks(res.Body, res.ContentType, res.URL, c.Location)
			if err != nil {
				rep.Warnings = append(rep.Warnings, fmt.Sprintf("feed: %v", err))
			}
			list = ListPage{Links: links}
			kind, rep.Why = "list", fmt.Sprintf("a feed of %d items", len(links))
			rep.Feed = true
		} else {
			page, _ = pagetext.Decode(res.Body, res.ContentType)
			list = Discover(res.URL, page, s.LinksSelector, s.AllowHosts)
			if kind == "auto" {
				var why string
				kind, why = DetectKind(list)
				rep.Why = why
			}
		}
	}
	rep.Kind = kind
	links := -1
	switch kind {
	case "notice":
		if !res.NotModified {
			c.processNotice(ctx, s, Link{URL: s.URL, Title: s.Name}, res, &rep)
		}
	default:
		// The notices that failed before: cleared when they answer, and
		// tried again below if the list does not bring them up.
		failed, err := c.DB.FetchFailuresOf(ctx, s.ID, c.Config.MaxNoticesPerRun)
		if err != nil {
			rep.Warnings = append(rep.Warnings, err.Error())
		}
		for _, f := range failed {
			rep.markFailed(f.URL)
		}
		if !res.NotModified {
			rep.Pages = 1
			if !rep.Feed {
				c.followPages(ctx, s, &list, &rep)
			}
			links = len(list.Links)
			rep.Links = links
			c.newNotices(ctx, s, list.Links, &rep)
		}
		c.retryFailed(ctx, s, failed, &rep)
		c.recheck(ctx, s, list.Links, &rep)
	}
	result := store.CrawlResult{OK: true, ETag: res.ETag, LastModified: res.LastModified,
		LinksFound: links, Warning: strings.Join(rep.Warnings, "; "), NextCheckAt: c.nextCheck(s, 0, 0),
		FailureAlert: c.Config.FailureAlert, EmptyIsSuspect: kind == "list" && links >= 0}
	bctx := ctx
	if ctx.Err() != nil {
		// Interrupted by a shutdown part way: record what was done, with a
		// short context of its own, and leave the source due with no
		// validators, so that the next start reads the whole list again.
		var cancel context.CancelFunc
		bctx, cancel = context.WithTimeout(context.WithoutCancel(ctx), 5*time.Second)
		defer cancel()
		result.ETag, result.LastModified, result.NextCheckAt, result.EmptyIsSuspect = "", "", c.Now(), false
		rep.Interrupted = true
		log.Info("source check interrupted by shutdown; recorded, checked again at the next start")
	}
	if _, err := c.DB.RecordCrawl(bctx, s.ID, result); err != nil {
		log.Error("record crawl failed", "err", err)
	}
	log.Info("source checked", "kind", kind, "links", rep.Links, "new", rep.NoticesNew, "changed", rep.NoticesChanged,
		"gone", rep.NoticesGone, "windows_added", rep.WindowsAdded, "not_modified", rep.NotModified)
	return rep
}

// followPages reads the column's further pages, up to MaxPages in all:
// 下一页 and numbered links, TRS script paging, and a Hanweb datastore's
// next groups through its dataproxy.jsp.
func (c *Crawler) followPages(ctx context.Context, s store.Source, list *ListPage, rep *SourceReport) {
	maxPages := s.MaxPages
	if maxPages <= 0 {
		maxPages = c.Config.MaxPages
	}
	seen := map[string]bool{s.URL: true}
	for _, l := range list.Links {
		seen[l.URL] = true
	}
	add := func(ls []Link) {
		for _, l := range ls {
			if !seen[l.URL] {
				seen[l.URL] = true
				list.Links = append(list.Links, l)
			}
		}
	}
	next, proxy := list.Next, list.Proxy
	for page := 2; page <= maxPages && ctx.Err() == nil; page++ {
		if proxy != nil {
			target, form, ok := proxy.Request()
			if !ok {
				break
			}
			res, err := c.Fetcher.Fetch(ctx, Request{URL: target, Form: form, Source: s.URL, AllowHosts: s.AllowHosts})
			if err != nil {
				rep.Warnings = append(rep.Warnings, fmt.Sprintf("page %d: %v", page, err))
				break
			}
			text, _ := pagetext.Decode(res.Body, res.ContentType)
			var more []Link
			more, proxy = ProxyPage(text, proxy, s.URL, s.AllowHosts)
			add(more)
			rep.Pages = page
			continue
		}
		if len(next) == 0 || seen[next[0]] {
			break
		}
		u := next[0]
		seen[u] = true
		res, err := c.FetchPage(ctx, s, Request{URL: u, Source: s.URL, AllowHosts: s.AllowHosts})
		if err != nil {
			rep.Warnings = append(rep.Warnings, fmt.Sprintf("page %d: %v", page, err))
			break
		}
		text, _ := pagetext.Decode(res.Body, res.ContentType)
		more := Discover(res.URL, text, s.LinksSelector, s.AllowHosts)
		add(more.Links)
		rep.Pages = page
		next = more.Next
	}
}

// newNotices fetches the notices the list shows that are not stored yet,
// at most MaxNoticesPerRun, the newest ones. They are read oldest first, so
// that a 延期 notice finds the notice it extends already stored.
func (c *Crawler) newNotices(ctx context.Context, s store.Source, links []Link, rep *SourceReport) {
	var todo []Link
	urls := make([]string, len(links))
	for i, l := range links {
		urls[i] = l.URL
	}
	stored, err := c.DB.StoredURLs(ctx, urls)
	if err != nil {
		// Nothing is fetched on a guess: the next check tries again.
		rep.Warnings = append(rep.Warnings, err.Error())
		return
	}
	for _, l := range links {
		if stored[l.URL] {
			continue
		}
		if len(todo) >= c.Config.MaxNoticesPerRun {
			rep.Warnings = append(rep.Warnings, fmt.Sprintf("more than %d new notices: the rest are read in the next runs", c.Config.MaxNoticesPerRun))
			break
		}
		todo = append(todo, l)
	}
	// Lists run newest first; a list without dates keeps its order reversed.
	sort.SliceStable(todo, func(i, j int) bool {
		if todo[i].Published != "" && todo[j].Published != "" && todo[i].Published != todo[j].Published {
			return todo[i].Published < todo[j].Published
		}
		return i > j
	})
	for _, l := range todo {
		if ctx.Err() != nil {
			return
		}
		scope := s.URL
		if rep.Feed {
			scope = l.URL // a feed names its items' hosts
		}
		c.fetchNotice(ctx, s, l, scope, rep)
	}
}

// fetchNotice fetches and reads one notice the source links to. A notice
// that cannot be fetched (after the fetcher's own retries) is noted, and
// tried again at every check of the source until it answers.
// scope is the URL whose host and port the fetch stays within.
func (c *Crawler) fetchNotice(ctx context.Context, s store.Source, l Link, scope string, rep *SourceReport) {
	if rep.tried == nil {
		rep.tried = map[string]bool{}
	}
	rep.tried[l.URL] = true
	res, err := c.Fetcher.Fetch(ctx, Request{URL: l.URL, Source: scope, AllowHosts: s.AllowHosts})
	if err != nil {
		if ctx.Err() != nil {
			return // a shutdown, not the page's fault
		}
		rep.Warnings = append(rep.Warnings, err.Error())
		rep.NoticesFailed++
		var fe *FetchError
		if errors.As(err, &fe) && fe.Gone() {
			// A link to nothing: no use trying it at every run.
			c.DB.ClearFetchFailure(context.WithoutCancel(ctx), l.URL)
			return
		}
		if err := c.DB.RecordFetchFailure(context.WithoutCancel(ctx), store.FetchFailure{URL: l.URL, SourceID: s.ID,
			Title: l.Title, Published: l.Published, LastError: err.Error()}); err != nil {
			rep.Warnings = append(rep.Warnings, err.Error())
		}
		rep.markFailed(l.URL)
		return
	}
	c.processNotice(ctx, s, l, res, rep)
	if ctx.Err() == nil && rep.failed[l.URL] {
		c.DB.ClearFetchFailure(context.WithoutCancel(ctx), l.URL)
	}
}

// retryFailed tries again the notices of this source that failed before,
// whether or not its list changed (a 304 list would otherwise hide them
// until the department posts something new).
func (c *Crawler) retryFailed(ctx context.Context, s store.Source, failed []store.FetchFailure, rep *SourceReport) {
	for _, f := range failed {
		if ctx.Err() != nil {
			return
		}
		if rep.tried[f.URL] {
			continue // failed a moment ago, retries included
		}
		if _, err := c.DB.NoticeByURL(ctx, f.URL); err == nil {
			c.DB.ClearFetchFailure(ctx, f.URL) // read meanwhile (another source links it too)
			continue
		}
		// It was in the source's scope (or named by its feed) when found:
		// its own host is its scope now.
		c.fetchNotice(ctx, s, Link{URL: f.URL, Title: f.Title, Published: f.Published}, f.URL, rep)
	}
}

// recheck fetches known notices again (conditional GET): an edited notice
// is read again, a vanished one marked gone.
func (c *Crawler) recheck(ctx context.Context, s store.Source, listed []Link, rep *SourceReport) {
	now := c.Now()
	today := now.In(c.Location).Format("2006-01-02")
	perRun := c.Config.RecheckPerRun
	if perRun <= 0 {
		perRun = 25
	}
	// Each known notice still worth watching is fetched again at most once
	// a day (a conditional GET: an unchanged page costs a 304).
	ns, err := c.DB.NoticesToRecheck(ctx, s.ID, today, now.Add(-60*24*time.Hour), now.Add(-24*time.Hour), perRun)
	if err != nil {
		rep.Warnings = append(rep.Warnings, err.Error())
		return
	}
	justRead := map[string]bool{}
	oldest := ""
	for _, l := range listed {
		justRead[l.URL] = true
		if l.Published != "" && (oldest == "" || l.Published < oldest) {
			oldest = l.Published
		}
	}
	if len(listed) > 0 && oldest != "" {
		// A notice that should be on the list just read (dated within
		// it) but is not was taken down or moved: it is checked now,
		// whenever it was last.
		recent, err := c.DB.NoticesToRecheck(ctx, s.ID, today, now.Add(-60*24*time.Hour), now.Add(-time.Minute), 4*perRun)
		if err != nil {
			rep.Warnings = append(rep.Warnings, err.Error())
		}
		have := map[int64]bool{}
		for _, n := range ns {
			have[n.ID] = true
		}
		var dropped []store.Notice
		for _, n := range recent {
			if !have[n.ID] && !justRead[n.URL] && n.Published != "" && n.Published >= oldest && n.URL != s.URL {
				dropped = append(dropped, n)
			}
		}
		ns = append(dropped, ns...)
	}
	for _, n := range ns {
		if ctx.Err() != nil {
			return
		}
		if n.URL == s.URL && rep.Kind == "notice" {
			continue // the source page itself was just read
		}
		if !n.LastSeenAt.IsZero() && c.Now().Sub(n.LastSeenAt) < time.Minute && justRead[n.URL] {
			continue // read a moment ago in this run
		}
		st, _ := c.DB.NoticeFetchStateOf(ctx, n.ID)
		// The notice was in the source's scope (or named by its feed) when
		// it was found: its own host is its scope now.
		res, err := c.Fetcher.Fetch(ctx, Request{URL: n.URL, ETag: st.ETag, LastModified: st.LastModified, Source: n.URL, AllowHosts: s.AllowHosts})
		var fe *FetchError
		switch {
		case errors.As(err, &fe) && fe.Gone():
			if n.Status != "gone" {
				if err := c.DB.SetNoticeStatus(context.WithoutCancel(ctx), n.ID, "gone"); err == nil {
					rep.NoticesGone++
				}
			}
		case err != nil:
			if ctx.Err() != nil {
				return
			}
			rep.Warnings = append(rep.Warnings, err.Error())
			c.DB.MarkChecked(context.WithoutCancel(ctx), n.ID)
		case res.NotModified:
			c.DB.MarkChecked(context.WithoutCancel(ctx), n.ID)
		default:
			c.processNotice(ctx, s, Link{URL: n.URL, Title: n.Title, Published: n.Published}, res, rep)
		}
	}
}

// noticeText reads a fetched notice: the article of an HTML page (with its
// attachments), or a document linked directly.
func (c *Crawler) noticeText(ctx context.Context, s store.Source, l Link, res *Response) (title, text string, atts []store.Attachment, cited []string) {
	if pagetext.IsDocument(res.Body) {
		t, _, err := pagetext.DocumentText(ctx, res.Body, res.ContentType)
		if err != nil {
			atts = append(atts, store.Attachment{URL: res.URL, Title: l.Title, Status: "skipped: " + err.Error()})
		}
		return l.Title, t, atts, nil
	}
	page, _ := pagetext.Decode(res.Body, res.ContentType)
	art := ReadArticle(res.URL, page)
	title, cited = art.Title, art.Cited
	if l.Title != "" && (title == "" || utf8.RuneCountInString(l.Title) > utf8.RuneCountInString(title) && strings.Contains(l.Title, "通知")) {
		title = l.Title
	}
	var b strings.Builder
	b.WriteString(title)
	b.WriteString("\n")
	b.WriteString(art.Text)
	maxAtt := c.Config.MaxAttachments
	if maxAtt <= 0 {
		maxAtt = 5
	}
	for i, a := range art.Attachments {
		if i >= maxAtt {
			atts = append(atts, store.Attachment{URL: a.URL, Title: a.Title, Status: "skipped: more attachments than fetch allows"})
			continue
		}
		ares, err := c.Fetcher.Fetch(ctx, Request{URL: a.URL, Source: s.URL, AllowHosts: s.AllowHosts})
		if err != nil {
			atts = append(atts, store.Attachment{URL: a.URL, Title: a.Title, Status: "skipped: " + err.Error()})
			continue
		}
		if !pagetext.IsDocument(ares.Body) {
			atts = append(atts, store.Attachment{URL: a.URL, Title: a.Title, Status: "skipped: not a PDF, Word (DOC, DOCX, WPS) or Excel (XLS, XLSX) document"})
			continue
		}
		t, _, err := pagetext.DocumentText(ctx, ares.Body, ares.ContentType)
		if err != nil {
			atts = append(atts, store.Attachment{URL: a.URL, Title: a.Title, Status: "skipped: " + err.Error()})
			continue
		}
		atts = append(atts, store.Attachment{URL: a.URL, Title: a.Title, Status: "read"})
		b.WriteString("\n\n附件：")
		b.WriteString(a.Title)
		b.WriteString("\n")
		b.WriteString(t)
	}
	return title, b.String(), atts, cited
}

// processNotice reads a fetched notice and stores it with its windows.
func (c *Crawler) processNotice(ctx context.Context, s store.Source, l Link, res *Response, rep *SourceReport) {
	title, text, atts, cited := c.noticeText(ctx, s, l, res)
	if ctx.Err() != nil {
		// Shutting down while its attachments were read: store nothing of a
		// half-read notice (its ETag would hide the rest next time); it is
		// read whole on the next check.
		return
	}
	// From here the notice is read; storing it is bookkeeping that a
	// shutdown must not cut in half.
	ctx = context.WithoutCancel(ctx)
	if res.Truncated {
		rep.Warnings = append(rep.Warnings, fmt.Sprintf("%s cut at %d bytes", l.URL, len(res.Body)))
	}
	noticeURL := l.URL
	if canon, ok := CanonicalURL(noticeURL); ok {
		noticeURL = canon
	}
	old, err := c.DB.NoticeByURL(ctx, noticeURL)
	exists := err == nil
	hash := ContentHash(text)
	if exists && old.ContentHash == hash && old.Status == "active" {
		c.DB.MarkSeen(ctx, old.ID)
		c.DB.SetNoticeFetchState(ctx, old.ID, store.NoticeFetchState{ETag: res.ETag, LastModified: res.LastModified, Attachments: atts})
		return
	}
	ex := readNotice(text, title, l.Published)
	host, hostPort := "", ""
	if u, err := url.Parse(noticeURL); err == nil {
		host, hostPort = u.Hostname(), u.Host
	}
	issuer := ex.Issuer
	if issuer == "" {
		issuer = s.Issuer
	}
	region := s.Region
	if region == "" {
		region = Region(issuer, title, host)
	}
	n := store.Notice{URL: noticeURL, SourceID: s.ID, Title: title, Issuer: issuer, DocNumber: ex.DocNumber, Region: region,
		Published: ex.Published, Text: text, ContentHash: hash, Status: "active"}
	windows := StoreWindows(ex.Windows)
	if exists {
		// An edit may rename a stage as it moves its date: the window keeps
		// its identity (and its reminders turn into a correction).
		if stored, err := c.DB.NoticeWindows(ctx, old.ID); err == nil {
			keepKeys(stored, windows)
		}
	}

	// A notice that extends an earlier one moves that notice's window.
	if target, ok := c.extensionTarget(ctx, noticeURL, hostPort, title, text, cited); ok && len(ex.Windows) > 0 {
		n.ExtendsNoticeID = target.ID
		moved := c.applyExtension(ctx, target, ex.Windows, noticeURL)
		rep.Extended += moved
		if moved > 0 {
			windows = nil // the deadline lives on the original window
		}
	}
	r, err := c.DB.SaveFetchedNotice(ctx, n, windows, "crawl", &store.NoticeFetchState{ETag: res.ETag, LastModified: res.LastModified, Attachments: atts})
	if err != nil {
		rep.Warnings = append(rep.Warnings, err.Error())
		return
	}
	if r.NewNotice {
		rep.NoticesNew++
	} else if r.NoticeChanged {
		rep.NoticesChanged++
	}
	rep.WindowsAdded += r.WindowsAdded
	rep.WindowsChanged += r.WindowsChanged
}

// readNotice extracts a notice; the date beside its link on the list page
// is the reference only when the page itself carries no date.
func readNotice(text, title, listDate string) extract.Result {
	ex := extract.Extract(text, extract.Options{Title: title})
	if ex.Published == "" && listDate != "" {
		if d, err := extract.ParseDate(listDate); err == nil {
			ex = extract.Extract(text, extract.Options{Title: title, Published: d})
		}
	}
	return ex
}

var extensionWords = []string{"延期", "延长", "推迟", "顺延", "调整"}

// isExtension reports a notice that moves an earlier notice's deadline:
// its title (or its opening) speaks of 延期 and of 申报 or a deadline.
func isExtension(title, text string) bool {
	head := title
	if rs := []rune(text); len(rs) > 300 {
		head += string(rs[:300])
	} else {
		head += text
	}
	hasWord := false
	for _, w := range extensionWords {
		if strings.Contains(title, w) || strings.Contains(head, w+"申报") || strings.Contains(head, w+"至") {
			hasWord = true
		}
	}
	return hasWord && (strings.Contains(head, "申报") || strings.Contains(head, "截止") || strings.Contains(head, "受理"))
}

// coreTitle strips a title down to what names the programme.
func coreTitle(t string) string {
	for _, w := range []string{"关于", "的通知", "通知", "的公告", "公告", "延期", "延长", "推迟", "顺延", "调整", "申报截止时间",
		"截止时间", "申报时间", "的有关事项", "有关事项", "组织", "开展", "做好", "《", "》", "〈", "〉"} {
		t = strings.ReplaceAll(t, w, "")
	}
	return t
}

// commonRun is the length in runes of the longest run a and b share.
func commonRun(a, b string) int {
	ra, rb := []rune(a), []rune(b)
	if len(ra) > 200 {
		ra = ra[:200]
	}
	if len(rb) > 200 {
		rb = rb[:200]
	}
	best := 0
	prev := make([]int, len(rb)+1)
	cur := make([]int, len(rb)+1)
	for i := 1; i <= len(ra); i++ {
		for j := 1; j <= len(rb); j++ {
			if ra[i-1] == rb[j-1] {
				cur[j] = prev[j-1] + 1
				best = max(best, cur[j])
			} else {
				cur[j] = 0
			}
		}
		prev, cur = cur, prev
	}
	return best
}

// extensionTarget finds the earlier notice a 延期 notice extends, on the
// same site: the one it links to, or whose 文号 or full title (《…》) it
// cites, or else the one whose programme its title or text names.
func (c *Crawler) extensionTarget(ctx context.Context, noticeURL, host, title, text string, cited []string) (store.Notice, bool) {
	if !isExtension(title, text) {
		return store.Notice{}, false
	}
	cands, err := c.DB.NoticesOnHost(ctx, host, 500)
	if err != nil {
		return store.Notice{}, false
	}
	links := map[string]bool{}
	for _, u := range cited {
		links[u] = true
	}
	core := coreTitle(title)
	var best store.Notice
	bestScore := 0
	for _, n := range cands {
		if n.URL == noticeURL || isExtension(n.Title, "") {
			continue
		}
		score := commonRun(coreTitle(n.Title), core)
		if strings.Contains(text, coreTitle(n.Title)) && utf8.RuneCountInString(coreTitle(n.Title)) >= 6 {
			score = max(score, utf8.RuneCountInString(coreTitle(n.Title)))
		}
		// Named outright: a link, the 文号, the title in 《》.
		if links[n.URL] || n.DocNumber != "" && strings.Contains(text, n.DocNumber) ||
			utf8.RuneCountInString(n.Title) >= 8 && strings.Contains(text, "《"+n.Title+"》") {
			score = 1000
		}
		if score > bestScore {
			best, bestScore = n, score
		}
	}
	return best, bestScore >= 6
}

// applyExtension moves the earlier notice's windows to the new dates the
// 延期 notice gives: each new deadline moves the open window of the same
// stage kind (网上, 纸质, 推荐 …), or the only open window when the kinds
// do not tell, or, for a notice that gives one deadline, the window that
// closes last before it. It returns how many windows moved.
func (c *Crawler) applyExtension(ctx context.Context, target store.Notice, ws []extract.Window, noticeURL string) int {
	stored, err := c.DB.NoticeWindows(ctx, target.ID)
	if err != nil {
		return 0
	}
	var open []store.Window
	for _, w := range stored {
		if w.Status == "active" && w.Closes != "" {
			open = append(open, w)
		}
	}
	var news []extract.Window
	for _, w := range ws {
		if w.Closes != "" {
			news = append(news, w)
		}
	}
	used := map[int64]bool{}
	moved := 0
	for _, w := range news {
		pick := pickExtended(open, used, w, len(news))
		if pick == nil {
			continue
		}
		used[pick.ID] = true
		if err := c.DB.ExtendWindow(ctx, pick.ID, w.Closes, w.ClosesTime, "延期: "+noticeURL); err != nil {
			c.Logger.Error("extend window failed", "window_id", pick.ID, "err", err)
			continue
		}
		moved++
	}
	return moved
}

// pickExtended chooses the stored window a new deadline replaces.
func pickExtended(open []store.Window, used map[int64]bool, w extract.Window, nNew int) *store.Window {
	kind := extract.StageKind(w.What)
	var same, free []*store.Window
	for i := range open {
		o := &open[i]
		if used[o.ID] {
			continue
		}
		free = append(free, o)
		if extract.StageKind(o.Label) == kind {
			same = append(same, o)
		}
	}
	latestBefore := func(ws []*store.Window) *store.Window {
		var pick *store.Window
		for _, o := range ws {
			if o.Closes <= w.Closes && (pick == nil || o.Closes > pick.Closes) {
				pick = o
			}
		}
		return pick
	}
	switch {
	case len(same) == 1:
		return same[0]
	case len(same) > 1:
		return latestBefore(same)
	case len(free) == 1:
		return free[0]
	case nNew == 1:
		return latestBefore(free)
	}
	return nil
}
