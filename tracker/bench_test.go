package tracker

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/grantwatch/grantwatch/store"
)

// BenchmarkCrawlPoliteness crawls 20 loopback hosts (127.0.0.1-20) × 50
// notices, and 200 hosts × 5 notices, one 通知公告 column per host, with the
// default configuration (32 workers, per-host concurrency 1, robots.txt
// obeyed) except per_host_delay, set to 100 ms, and loopback allowed. The
// politeness bound is the busiest host's requests (robots.txt, list,
// notices) less one, times the delay: no crawl that keeps the pace can be
// faster. x_bound says how close the crawl comes.
//
// GRANTWATCH_BENCH_LATENCY (say 100ms) holds every answer that long, as a
// distant server's: the pace counts from an answer, so then the floor is
// the busiest host's requests times the latency plus its gaps times the
// delay (s_floor, x_floor), and workers, not the pace, may be what a crawl
// of many hosts waits for.
func BenchmarkCrawlPoliteness(b *testing.B) {
	politenessShapes(b, nil)
}

// BenchmarkFetchPoliteness makes the very requests of
// BenchmarkCrawlPoliteness, on the same hosts at the same pace, through
// the same Fetcher, but reads and stores nothing: each host's robots.txt,
// list and notices fetched one after another and dropped. It is the floor
// of a crawl on this machine: what the fetches alone (connects, the pace's
// timers, the test servers) take beside the bound.
func BenchmarkFetchPoliteness(b *testing.B) {
	politenessShapes(b, fetchOnly)
}

// BenchmarkPlainClientPoliteness makes the same requests again with none
// of the Fetcher: net/http's client, a goroutine per host sleeping out the
// delay after each answer's headers, robots.txt fetched but not parsed, no
// address check, no slot to wait for. What it takes over the bound is the
// machine's (two cores running 200 servers and their clients), not the
// crawler's.
func BenchmarkPlainClientPoliteness(b *testing.B) {
	politenessShapes(b, plainFetch)
}

// politenessShapes runs crawlPoliteness on 20 hosts × 50 notices and on
// 200 hosts × 5.
func politenessShapes(b *testing.B, pass fetchPass) {
	for _, shape := range []struct{ hosts, perHost int }{{20, 50}, {200, 5}} {
		b.Run(fmt.Sprintf("%dx%d", shape.hosts, shape.perHost), func(b *testing.B) {
			crawlPoliteness(b, shape.hosts, shape.perHost, pass)
		})
	}
}

// A fetch pass of the floor benchmarks: the requests of a crawl of srcs,
// made with nothing read or stored; it returns the notices fetched.
type fetchPass func(ctx context.Context, f *Fetcher, srcs []store.Source, perHost int, delay time.Duration) (int, error)

// plainFetch is fetchOnly with net/http alone (f is not used).
func plainFetch(ctx context.Context, f *Fetcher, srcs []store.Source, perHost int, delay time.Duration) (int, error) {
	client := &http.Client{Transport: &http.Transport{MaxIdleConns: 1000, MaxIdleConnsPerHost: 2}}
	defer client.CloseIdleConnections()
	return visitHosts(srcs, perHost, true, func(store.Source) func(string) error {
		var next time.Time
		return func(u string) error {
			time.Sleep(time.Until(next))
			req, _ := http.NewRequestWithContext(ctx, "GET", u, nil)
			resp, err := client.Do(req)
			// The pace counts from here, as the Fetcher's does: the answer
			// has begun to arrive.
			next = time.Now().Add(delay)
			if err != nil {
				return err
			}
			io.Copy(io.Discard, resp.Body)
			return resp.Body.Close()
		}
	})
}

// fetchOnly fetches each source's list and then its perHost notices, every
// host at once, reading nothing; it returns the notices fetched.
func fetchOnly(ctx context.Context, f *Fetcher, srcs []store.Source, perHost int, _ time.Duration) (int, error) {
	return visitHosts(srcs, perHost, false, func(s store.Source) func(string) error {
		return func(u string) error {
			_, err := f.Fetch(ctx, Request{URL: u, Source: s.URL})
			return err
		}
	})
}

// visitHosts gets each source's pages one after another (its robots.txt
// first when robots is set, then its list, then its perHost notices) with
// the getter newGetter makes for it, every host at once. It returns the
// notices got and the first error.
func visitHosts(srcs []store.Source, perHost int, robots bool, newGetter func(store.Source) func(url string) error) (int, error) {
	var mu sync.Mutex
	var firstErr error
	n := 0
	var wg sync.WaitGroup
	for _, s := range srcs {
		wg.Add(1)
		go func() {
			defer wg.Done()
			base := strings.TrimSuffix(s.URL, "/list/")
			var urls []string
			if robots {
				urls = append(urls, base+"/robots.txt")
			}
			lists := len(urls) + 1 // the pages before the notices
			urls = append(urls, s.URL)
			for i := 0; i < perHost; i++ {
				urls = append(urls, fmt.Sprintf("%s/n/%d.html", base, i))
			}
			get := newGetter(s)
			for k, u := range urls {
				err := get(u)
				mu.Lock()
				if err != nil && firstErr == nil {
					firstErr = err
				}
				if err == nil && k >= lists {
					n++
				}
				mu.Unlock()
			}
		}()
	}
	wg.Wait()
	return n, firstErr
}

// crawlPoliteness crawls hosts × perHost notices, or, when pass is set,
// makes the crawl's requests with it instead.
func crawlPoliteness(b *testing.B, hosts, perHost int, pass fetchPass) {
	// GRANTWATCH_BENCH_DELAY sets another per-host delay (say 400ms): the
	// time over the bound stays about the same whatever the delay, which
	// tells a cost per notice (CPU) from a cost per wait (pacing).
	delay := benchDuration(b, "GRANTWATCH_BENCH_DELAY", 100*time.Millisecond)
	latency := benchDuration(b, "GRANTWATCH_BENCH_LATENCY", 0)
	if delay <= 0 {
		b.Fatal("GRANTWATCH_BENCH_DELAY: want a positive duration such as 400ms")
	}
	t := &testing.T{}
	var sites []*site
	for h := 1; h <= hosts; h++ {
		s := newSite(t, fmt.Sprintf("127.0.%d.%d", h/250, 1+h%250))
		s.latency = latency
		var items []string
		for i := 0; i < perHost; i++ {
			items = append(items, fmt.Sprintf(`<li><a href="/n/%d.html">关于组织申报第%d批重点研发计划项目的通知</a><span>2019-08-27</span></li>`, i, i))
		}
		s.page("/list/", "text/html; charset=utf-8", []byte("<html><body><ul>"+strings.Join(items, "\n")+"</ul></body></html>"))
		for i := 0; i < perHost; i++ {
			s.page(fmt.Sprintf("/n/%d.html", i), "text/html; charset=utf-8", noticePage(
				fmt.Sprintf("关于组织申报第%d批重点研发计划项目的通知", i), fmt.Sprintf("<p>请于2019年9月%d日前报送申报材料。</p>", 1+i%28)))
		}
		sites = append(sites, s)
	}
	defer func() {
		for _, s := range sites {
			s.srv.Close()
		}
	}()
	fc := DefaultFetchConfig() // what a user gets, but:
	fc.PerHostDelay = delay
	fc.AllowPrivate = []string{"127.0.0.0/8"}
	for i := 0; i < b.N; i++ {
		b.StopTimer()
		for _, s := range sites {
			s.mu.Lock()
			s.hits, s.reqs, s.when = map[string]int{}, nil, nil
			s.mu.Unlock()
		}
		now := &clock{t: t0}
		db, err := store.Open(context.Background(), filepath.Join(b.TempDir(), "gw.db"), store.WithClock(now.Now))
		if err != nil {
			b.Fatal(err)
		}
		c := &Crawler{DB: db, Fetcher: NewFetcher(fc), Logger: discardLogger(), Now: now.Now, Location: time.UTC,
			Config: CrawlConfig{Schedule: "@every 6h", MaxPages: 3, MaxNoticesPerRun: 200,
				FailureAlert: 3, RetryBackoff: time.Minute, RetryBackoffMax: time.Hour}}
		var srcs []store.Source
		for _, s := range sites {
			src, err := db.AddSource(context.Background(), store.Source{URL: s.url("/list/"), Kind: "list"})
			if err != nil {
				b.Fatal(err)
			}
			srcs = append(srcs, src)
		}
		b.StartTimer()
		start, cpu0 := time.Now(), processCPU()
		news := 0
		if pass != nil {
			news, err = pass(context.Background(), c.Fetcher, srcs, perHost, delay)
			if err != nil {
				b.Fatalf("fetch: %v", err)
			}
		} else {
			rep := c.CrawlNow(context.Background(), srcs, nil)
			for _, r := range rep.Sources {
				if r.Err != nil {
					b.Fatalf("source failed: %v", r.Err)
				}
				news += r.NoticesNew
			}
		}
		elapsed, cpu := time.Since(start), processCPU()-cpu0
		b.StopTimer()
		if news != hosts*perHost {
			b.Fatalf("%d notices, want %d", news, hosts*perHost)
		}
		busiest := 0
		var gaps time.Duration
		var nGaps int
		var first, last time.Time
		minGap := time.Hour
		for _, s := range sites {
			s.mu.Lock()
			if len(s.when) > 0 && s.when[0].After(first) {
				first = s.when[0]
			}
			busiest = max(busiest, len(s.reqs))
			if n := len(s.when); n > 1 {
				gaps += s.when[n-1].Sub(s.when[0])
				nGaps += n - 1
				if s.when[n-1].After(last) {
					last = s.when[n-1]
				}
			}
			// The pace held: no two requests to a host closer than the delay.
			for k := 1; k < len(s.when); k++ {
				gap := s.when[k].Sub(s.when[k-1])
				minGap = min(minGap, gap)
				if gap < delay-5*time.Millisecond {
					b.Errorf("host %s: two requests %v apart", s.srv.URL, gap)
				}
			}
			s.mu.Unlock()
		}
		bound := time.Duration(busiest-1) * delay
		b.ReportMetric(elapsed.Seconds(), "s_crawl")
		b.ReportMetric(bound.Seconds(), "s_bound")
		b.ReportMetric(elapsed.Seconds()/bound.Seconds(), "x_bound")
		if latency > 0 {
			floor := bound + time.Duration(busiest)*latency
			b.ReportMetric(floor.Seconds(), "s_floor")
			b.ReportMetric(elapsed.Seconds()/floor.Seconds(), "x_floor")
		}
		b.ReportMetric(float64((elapsed-bound).Microseconds())/1000, "ms_over")
		b.ReportMetric(float64(minGap.Microseconds())/1000, "ms_min_gap")
		// Where the time over the bound goes: the last host's first request
		// (every host starts at once, workers bound requests in flight),
		// hosts' requests further apart than the delay, and what is left
		// after the last request.
		b.ReportMetric(float64(first.Sub(start).Microseconds())/1000, "ms_start")
		b.ReportMetric(float64(gaps.Microseconds())/1000/float64(nGaps), "ms_gap")
		b.ReportMetric(float64(start.Add(elapsed).Sub(last).Microseconds())/1000, "ms_tail")
		// The process's CPU (crawler and servers) a notice: two cores
		// give 2 s of it a second.
		b.ReportMetric(float64(cpu.Microseconds())/float64(hosts*perHost), "cpu-µs/notice")
		// The next run starts as this one did: its connections, and the 200
		// servers' goroutines serving them, are not left for the garbage
		// collector to scan during the next.
		c.Fetcher.CloseIdleConnections()
		db.Close()
		b.StartTimer()
	}
}

// benchDuration reads a duration from the environment variable name (def
// when unset); one that does not parse, or is negative, stops the benchmark.
func benchDuration(b *testing.B, name string, def time.Duration) time.Duration {
	v := os.Getenv(name)
	if v == "" {
		return def
	}
	d, err := time.ParseDuration(v)
	if err != nil || d < 0 {
		b.Fatalf("%s=%q: want a duration such as 100ms", name, v)
	}
	return d
}

// BenchmarkTenThousandSources loads 10,000 sources and checks them all
// (against one loopback site answering 304), then reports the process's
// peak resident memory.
func BenchmarkTenThousandSources(b *testing.B) {
	t := &testing.T{}
	s := newSite(t)
	defer s.srv.Close()
	s.handle("/robots.txt", func(w http.ResponseWriter, r *http.Request) { http.NotFound(w, r) })
	for i := 0; i < 10; i++ {
		s.handle(fmt.Sprintf("/n%d/", i), func(w http.ResponseWriter, r *http.Request) { w.WriteHeader(http.StatusNotModified) })
	}
	fc := testFetchConfig()
	fc.PerHostConcurrency = 8
	for i := 0; i < b.N; i++ {
		now := &clock{t: t0}
		db, err := store.Open(context.Background(), filepath.Join(b.TempDir(), "gw.db"), store.WithClock(now.Now))
		if err != nil {
			b.Fatal(err)
		}
		for j := 0; j < 10000; j++ {
			if _, err := db.AddSource(context.Background(), store.Source{URL: s.url(fmt.Sprintf("/n%d/?page=%d", j%10, j)), Kind: "list",
				ETag: "x"}); err != nil {
				b.Fatal(err)
			}
		}
		c := &Crawler{DB: db, Fetcher: NewFetcher(fc), Logger: discardLogger(), Now: now.Now, Location: time.UTC,
			Config: CrawlConfig{Schedule: "@every 6h", MaxPages: 1, MaxNoticesPerRun: 10, FailureAlert: 3,
				RetryBackoff: time.Minute, RetryBackoffMax: time.Hour}}
		rep, err := c.CrawlDue(context.Background())
		if err != nil || len(rep.Sources) != 10000 || len(rep.Failed()) != 0 {
			b.Fatalf("crawl of 10,000: %v, %d sources, %d failed", err, len(rep.Sources), len(rep.Failed()))
		}
		b.ReportMetric(float64(peakRSS())/(1<<20), "MB_peak_rss")
		db.Close()
	}
}

// peakRSS reads the process's peak resident set (VmHWM) in bytes.
func peakRSS() int64 {
	f, err := os.Open("/proc/self/status")
	if err != nil {
		return 0
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		if v, ok := strings.CutPrefix(sc.Text(), "VmHWM:"); ok {
			kb, _ := strconv.ParseInt(strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(v), "kB")), 10, 64)
			return kb << 10
		}
	}
	return 0
}

// processCPU is the CPU time this process has used, user and system.
func processCPU() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}
