package tracker

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptrace"
	"net/netip"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"time"
)

// FetchConfig is how the one shared client behaves (config [fetch]).
type FetchConfig struct {
	UserAgent          string
	Timeout            time.Duration // whole request, body included
	DialTimeout        time.Duration
	HeaderTimeout      time.Duration
	PerHostDelay       time.Duration // least time between two requests to one host
	PerHostConcurrency int
	MaxBodyBytes       int64
	MaxRedirects       int
	AllowPrivate       []string // hosts, IPs or CIDRs that may be loopback/private/link-local
	RespectRobots      bool
	// Retries is how many times a fetch that failed for a reason that may
	// pass (a 5xx, 429, timeout, reset) is tried again within the run,
	// RetryWait the first wait (each next one four times longer), and
	// MaxRetryAfter the longest Retry-After waited for in place: a server
	// that asks for more is left for a later run.
	Retries       int
	RetryWait     time.Duration
	MaxRetryAfter time.Duration
	// MaxInFlight bounds requests in flight across all hosts (crawl's
	// workers; 0: no bound). A request takes its slot only once its host's
	// pace lets it start, so waiting on one host's delay holds no slot
	// another host could use.
	MaxInFlight int
	// Resolver looks up host names (nil: the system's). Tests use it to
	// make DNS fail without asking any real server.
	Resolver *net.Resolver
	// Pacer, when set, keeps each host's turns where every process sharing
	// the store sees them (several daemons on one PostgreSQL), on top of
	// this fetcher's own pace. nil: the pace is this process's alone.
	Pacer HostPacer
}

// HostPacer reserves a host's turns across processes (store.DB does).
type HostPacer interface {
	// ReserveHostTurn takes the host's next turn no sooner than earliest
	// and returns when it starts; the next one is no sooner than delay after.
	ReserveHostTurn(ctx context.Context, host string, earliest time.Time, delay time.Duration) (time.Time, error)
	// PushHostTurn moves the host's next turn to no sooner than next.
	PushHostTurn(ctx context.Context, host string, next time.Time) error
}

// DefaultFetchConfig is the fetcher a user gets with no configuration
// (config.Default builds on it; config.example.toml states the same).
func DefaultFetchConfig() FetchConfig {
	return FetchConfig{
		UserAgent:          "grantwatch/0.1 (+https://github.com/grantwatch/grantwatch; grant deadline tracker)",
		Timeout:            30 * time.Second,
		DialTimeout:        10 * time.Second,
		HeaderTimeout:      15 * time.Second,
		PerHostDelay:       2 * time.Second,
		PerHostConcurrency: 1,
		MaxInFlight:        32,
		MaxBodyBytes:       10 << 20,
		MaxRedirects:       5,
		RespectRobots:      true,
		Retries:            2,
		RetryWait:          time.Second,
		MaxRetryAfter:      30 * time.Second,
	}
}

// Fetcher fetches pages politely: robots.txt, a per-host pace and
// concurrency, conditional GET, a body cap, redirects kept on the host, and
// no connection to loopback, private or link-local addresses unless
// allowed. It is safe for concurrent use.
type Fetcher struct {
	cfg     FetchConfig
	client  *http.Client
	allowIP []netip.Prefix
	allowHN map[string]bool

	mu     sync.Mutex
	hosts  map[string]*hostState
	robots map[string]*robotsEntry
	flight chan struct{} // MaxInFlight slots; nil: unbounded
}

type hostState struct {
	sem  chan struct{}
	mu   sync.Mutex
	next time.Time // earliest start of the next request
	// delay is the pace: the configured one, or robots.txt's Crawl-delay
	// when longer.
	delay time.Duration
	// holdUntil is set by a Retry-After: until then, requests to the host
	// fail at once (and their sources are rescheduled) rather than wait.
	holdUntil time.Time
}

// FetchError says why a fetch failed and whether trying again later may help.
type FetchError struct {
	URL        string
	Kind       string // network, timeout, status, robots, blocked, redirect, antibot, held
	Status     int
	RetryAfter time.Duration // from a 429/503 Retry-After header
	Err        error
}

func (e *FetchError) Error() string {
	msg := e.Kind
	if e.Status != 0 {
		msg = fmt.Sprintf("%s %d", msg, e.Status)
	}
	if e.Err != nil {
		msg += ": " + e.Err.Error()
	}
	return fmt.Sprintf("fetch %s: %s", e.URL, msg)
}

func (e *FetchError) Unwrap() error { return e.Err }

// Gone reports a page that no longer exists (404, 410).
func (e *FetchError) Gone() bool { return e.Kind == "status" && (e.Status == 404 || e.Status == 410) }

// Response is a fetched page.
type Response struct {
	URL          string // after redirects
	Status       int
	ContentType  string
	Body         []byte
	Truncated    bool // the body was cut at MaxBodyBytes
	NotModified  bool // 304: Body is empty, the stored copy stands
	ETag         string
	LastModified string
}

// Request is one page to fetch.
type Request struct {
	URL          string
	ETag         string
	LastModified string
	// Source is the URL of the source the fetch is for: the request and
	// its redirects stay within NewScope(Source, AllowHosts). Empty: the
	// request URL's own host and port.
	Source string
	// AllowHosts are hosts ("host" or "host:port") besides the source's own.
	AllowHosts []string
	// Form, when set, makes the request a POST of these fields (a CMS's
	// paging proxy, such as Hanweb's dataproxy.jsp). Conditional headers
	// are not sent with it.
	Form url.Values
	// Body, when not nil, makes the request a POST of these bytes of type
	// BodyType (an XHR of a page rendered in the browser).
	Body     []byte
	BodyType string
}

var (
	errBlockedAddress = errors.New("address is loopback, private or link-local (see fetch.allow_private)")
	errOutsideScope   = errors.New("outside the source's host and port (see the source's allow_hosts)")
)

// NewFetcher builds a fetcher; cfg must be valid (config.Validate).
func NewFetcher(cfg FetchConfig) *Fetcher {
	f := &Fetcher{cfg: cfg, allowHN: map[string]bool{}, hosts: map[string]*hostState{}, robots: map[string]*robotsEntry{}}
	if cfg.MaxInFlight > 0 {
		f.flight = make(chan struct{}, cfg.MaxInFlight)
	}
	for _, a := range cfg.AllowPrivate {
		a = strings.TrimSpace(a)
		if p, err := netip.ParsePrefix(a); err == nil {
			f.allowIP = append(f.allowIP, p.Masked())
		} else if ip, err := netip.ParseAddr(a); err == nil {
			f.allowIP = append(f.allowIP, netip.PrefixFrom(ip, ip.BitLen()))
		} else if a != "" {
			f.allowHN[strings.ToLower(a)] = true
		}
	}
	dialer := &net.Dialer{Timeout: cfg.DialTimeout, KeepAlive: 30 * time.Second, Resolver: cfg.Resolver}
	transport := &http.Transport{
		Proxy:                 nil, // a proxy would hide the address the SSRF guard checks
		DialContext:           f.dialContext(dialer),
		TLSHandshakeTimeout:   cfg.DialTimeout,
		ResponseHeaderTimeout: cfg.HeaderTimeout,
		// A crawl pass goes round hundreds of hosts at once, each visited
		// again a delay later: with net/http's 100 idle connections in all,
		// most were closed between two visits and dialled again (a connect
		// is dear). Per host the limit below still holds, and idle ones
		// close after IdleConnTimeout.
		MaxIdleConns:          1000,
		MaxIdleConnsPerHost:   max(2, cfg.PerHostConcurrency),
		IdleConnTimeout:       30 * time.Second,
		ExpectContinueTimeout: time.Second,
		ForceAttemptHTTP2:     true,
	}
	f.client = &http.Client{Transport: transport, Timeout: cfg.Timeout}
	return f
}

// CloseIdleConnections closes the connections kept open for the hosts'
// next requests (they close by themselves after IdleConnTimeout): for a
// fetcher that is done with, so that its connections, and the servers'
// goroutines behind them, do not linger.
func (f *Fetcher) CloseIdleConnections() { f.client.CloseIdleConnections() }

// dialContext refuses blocked addresses at dial time, after DNS: a name
// that resolves to 127.0.0.1 or 169.254.169.254 is caught however it was
// spelt, and a redirect cannot get around it.
func (f *Fetcher) dialContext(d *net.Dialer) func(ctx context.Context, network, addr string) (net.Conn, error) {
	return func(ctx context.Context, network, addr string) (net.Conn, error) {
		host, _, err := net.SplitHostPort(addr)
		if err != nil {
			return nil, err
		}
		byName := f.allowHN[strings.ToLower(host)]
		dd := *d
		dd.Control = func(network, address string, _ syscall.RawConn) error {
			if byName {
				return nil
			}
			h, _, err := net.SplitHostPort(address)
			if err != nil {
				return err
			}
			ip, err := netip.ParseAddr(h)
			if err != nil {
				return fmt.Errorf("dial %s: %w", address, err)
			}
			if !f.ipAllowed(ip.Unmap()) {
				return fmt.Errorf("dial %s: %w", address, errBlockedAddress)
			}
			return nil
		}
		return dd.DialContext(ctx, network, addr)
	}
}

func (f *Fetcher) ipAllowed(ip netip.Addr) bool {
	if !(ip.IsLoopback() || ip.IsPrivate() || ip.IsLinkLocalUnicast() || ip.IsLinkLocalMulticast() ||
		ip.IsUnspecified() || ip.IsMulticast() || ip.IsInterfaceLocalMulticast() || isSharedOrReserved(ip)) {
		return true
	}
	for _, p := range f.allowIP {
		if p.Contains(ip) {
			return true
		}
	}
	return false
}

// isSharedOrReserved covers ranges that are neither private nor public:
// carrier-grade NAT (100.64/10) and 0/8.
func isSharedOrReserved(ip netip.Addr) bool {
	return netip.MustParsePrefix("100.64.0.0/10").Contains(ip) || netip.MustParsePrefix("0.0.0.0/8").Contains(ip)
}

func (f *Fetcher) host(h string) *hostState {
	f.mu.Lock()
	defer f.mu.Unlock()
	hs, ok := f.hosts[h]
	if !ok {
		hs = &hostState{sem: make(chan struct{}, max(1, f.cfg.PerHostConcurrency)), delay: f.cfg.PerHostDelay}
		f.hosts[h] = hs
	}
	return hs
}

// acquire waits for a request slot on host h: its concurrency, then its
// pace. release must be called when the request is done, with the time its
// answer began to arrive (zero when none came).
func (f *Fetcher) acquire(ctx context.Context, h string) (release func(answered time.Time), err error) {
	hs := f.host(h)
	hs.mu.Lock()
	if wait := time.Until(hs.holdUntil); wait > 0 {
		hs.mu.Unlock()
		return nil, &heldError{wait: wait}
	}
	hs.mu.Unlock()
	select {
	case hs.sem <- struct{}{}:
	case <-ctx.Done():
		return nil, ctx.Err()
	}
	hs.mu.Lock()
	now := time.Now()
	start := hs.next
	if start.Before(now) {
		start = now
	}
	hs.next = start.Add(hs.delay)
	hs.mu.Unlock()
	if f.cfg.Pacer != nil {
		// The turn other processes left: a failure to ask keeps this
		// process's own pace, which still holds for its requests.
		if shared, err := f.cfg.Pacer.ReserveHostTurn(ctx, h, start, hs.delay); err == nil && shared.After(start) {
			start = shared
			hs.mu.Lock()
			if n := start.Add(hs.delay); n.After(hs.next) {
				hs.next = n
			}
			hs.mu.Unlock()
		}
	}
	if wait := time.Until(start); wait > 0 {
		t := time.NewTimer(wait)
		select {
		case <-t.C:
		case <-ctx.Done():
			t.Stop()
			<-hs.sem
			return nil, ctx.Err()
		}
	}
	if f.flight != nil {
		select {
		case f.flight <- struct{}{}:
		case <-ctx.Done():
			<-hs.sem
			return nil, ctx.Err()
		}
		return func(answered time.Time) { f.paceFrom(ctx, h, hs, answered); <-f.flight; <-hs.sem }, nil
	}
	return func(answered time.Time) { f.paceFrom(ctx, h, hs, answered); <-hs.sem }, nil
}

// paceFrom starts the host's next turn no sooner than the delay after this
// request's answer began to arrive (or after it ended, when no answer
// came). The server had the request before it answered, so a request that
// waited for a slot, or took its time to reach the server, never brings
// the next one closer than the delay as the server sees them; and the time
// the body took to come, or this process to read it, is not added to
// every gap.
func (f *Fetcher) paceFrom(ctx context.Context, h string, hs *hostState, answered time.Time) {
	from := time.Now()
	if !answered.IsZero() && answered.Before(from) {
		from = answered
	}
	hs.mu.Lock()
	next := from.Add(hs.delay)
	if next.After(hs.next) {
		hs.next = next
	}
	hs.mu.Unlock()
	if f.cfg.Pacer != nil {
		f.cfg.Pacer.PushHostTurn(context.WithoutCancel(ctx), h, next)
	}
}

// holdOff keeps host h quiet for d (a Retry-After the server asked for).
func (f *Fetcher) holdOff(h string, d time.Duration) {
	hs := f.host(h)
	hs.mu.Lock()
	if until := time.Now().Add(d); until.After(hs.holdUntil) {
		hs.holdUntil = until
	}
	hs.mu.Unlock()
}

// heldError: the host asked for quiet (Retry-After) and it is not over.
type heldError struct{ wait time.Duration }

func (e *heldError) Error() string {
	return fmt.Sprintf("host asked to wait %s more (Retry-After)", e.wait.Round(time.Second))
}

// setDelay raises a host's pace to a robots.txt Crawl-delay.
func (f *Fetcher) setDelay(h string, d time.Duration) {
	hs := f.host(h)
	hs.mu.Lock()
	if d > hs.delay {
		hs.delay = d
	}
	hs.mu.Unlock()
}

// hostKey is what politeness is counted by: scheme-less host and port.
func hostKey(u *url.URL) string { return strings.ToLower(u.Host) }

// Fetch gets one page.
func (f *Fetcher) Fetch(ctx context.Context, req Request) (*Response, error) {
	u, err := url.Parse(req.URL)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Hostname() == "" {
		return nil, &FetchError{URL: req.URL, Kind: "blocked", Err: errors.New("only http(s) URLs are fetched")}
	}
	base := req.Source
	if base == "" {
		base = req.URL
	}
	scope := NewScope(base, req.AllowHosts)
	if !scope.Contains(u) {
		return nil, &FetchError{URL: req.URL, Kind: "blocked", Err: errOutsideScope}
	}
	if f.cfg.RespectRobots {
		if err := f.checkRobots(ctx, u); err != nil {
			return nil, err
		}
	}
	// A failure that may pass is tried again a few times within the run,
	// each attempt waiting its turn on the host like any request.
	wait := f.cfg.RetryWait
	for attempt := 0; ; attempt++ {
		res, err := f.get(ctx, u, req, scope)
		if err == nil || attempt >= f.cfg.Retries || ctx.Err() != nil {
			return res, err
		}
		d, ok := f.retryDelay(err, wait)
		if !ok {
			return res, err
		}
		wait *= 4
		t := time.NewTimer(d)
		select {
		case <-t.C:
		case <-ctx.Done():
			t.Stop()
			return nil, err
		}
	}
}

// retryDelay says whether a failed fetch may succeed if tried again soon,
// and after how long: a 5xx or 429 (after its Retry-After, if the server
// gave one no longer than MaxRetryAfter), a timeout, a reset or refused
// connection. Refusals by policy (robots, blocked addresses, anti-bot
// pages) and 4xx answers are final for this run.
func (f *Fetcher) retryDelay(err error, wait time.Duration) (time.Duration, bool) {
	var fe *FetchError
	if !errors.As(err, &fe) {
		return 0, false
	}
	switch {
	case fe.Kind == "network" && isNotFound(fe.Err):
		return 0, false // a name that does not resolve will not soon
	case fe.Kind == "timeout", fe.Kind == "network":
	case fe.Kind == "status" && (fe.Status >= 500 && fe.Status != 501 || fe.Status == 429):
	case fe.Kind == "held":
	default:
		return 0, false
	}
	if fe.RetryAfter > 0 {
		if fe.RetryAfter > f.cfg.MaxRetryAfter {
			return 0, false
		}
		wait = max(wait, fe.RetryAfter)
	}
	return wait, true
}

func (f *Fetcher) get(ctx context.Context, u *url.URL, req Request, scope Scope) (*Response, error) {
	key := hostKey(u)
	release, err := f.acquire(ctx, key)
	if err != nil {
		var held *heldError
		if errors.As(err, &held) {
			return nil, &FetchError{URL: u.String(), Kind: "held", RetryAfter: held.wait, Err: err}
		}
		return nil, &FetchError{URL: u.String(), Kind: "network", Err: err}
	}
	// When the (last) answer's first byte came: the pace counts from there.
	var answered atomic.Pointer[time.Time]
	defer func() {
		var at time.Time
		if p := answered.Load(); p != nil {
			at = *p
		}
		release(at)
	}()
	ctx = httptrace.WithClientTrace(ctx, &httptrace.ClientTrace{GotFirstResponseByte: func() {
		now := time.Now()
		answered.Store(&now)
	}})

	method, reqBody := http.MethodGet, io.Reader(nil)
	switch {
	case req.Form != nil:
		method, reqBody = http.MethodPost, strings.NewReader(req.Form.Encode())
	case req.Body != nil:
		method, reqBody = http.MethodPost, bytes.NewReader(req.Body)
	}
	hr, err := http.NewRequestWithContext(ctx, method, u.String(), reqBody)
	if err != nil {
		return nil, &FetchError{URL: u.String(), Kind: "blocked", Err: err}
	}
	switch {
	case req.Form != nil:
		hr.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		req.ETag, req.LastModified = "", ""
	case req.Body != nil:
		if req.BodyType != "" {
			hr.Header.Set("Content-Type", stripCRLF(req.BodyType))
		}
		req.ETag, req.LastModified = "", ""
	}
	hr.Header.Set("User-Agent", f.cfg.UserAgent)
	hr.Header.Set("Accept", "text/html,application/xhtml+xml,application/pdf,application/vnd.openxmlformats-officedocument.wordprocessingml.document,*/*;q=0.8")
	hr.Header.Set("Accept-Language", "zh-CN,zh;q=0.9")
	if req.ETag != "" {
		hr.Header.Set("If-None-Match", req.ETag)
	}
	if req.LastModified != "" {
		hr.Header.Set("If-Modified-Since", req.LastModified)
	}
	client := *f.client
	client.CheckRedirect = func(next *http.Request, via []*http.Request) error {
		if len(via) > f.cfg.MaxRedirects {
			return fmt.Errorf("more than %d redirects", f.cfg.MaxRedirects)
		}
		if next.URL.Scheme != "http" && next.URL.Scheme != "https" {
			return fmt.Errorf("redirect to %s: not http(s)", next.URL.Redacted())
		}
		if !scope.Contains(next.URL) {
			return fmt.Errorf("redirect to %s leaves the source's host and port", next.URL.Redacted())
		}
		return nil
	}
	resp, err := client.Do(hr)
	if err != nil {
		return nil, classifyError(u.String(), err)
	}
	defer func() {
		// A body closed before its end closes the connection with it: a
		// 404 robots.txt (most sites have none) or an error page made the
		// next request to the host dial again. The rest of a small one is
		// read first (within the fetch's timeout, like any page), so that
		// the connection is kept; past drainBytes it is closed.
		io.Copy(io.Discard, io.LimitReader(resp.Body, drainBytes))
		resp.Body.Close()
	}()
	out := &Response{URL: resp.Request.URL.String(), Status: resp.StatusCode, ContentType: resp.Header.Get("Content-Type"),
		ETag: resp.Header.Get("ETag"), LastModified: resp.Header.Get("Last-Modified")}
	switch {
	case resp.StatusCode == http.StatusNotModified:
		out.NotModified = true
		return out, nil
	case resp.StatusCode == http.StatusTooManyRequests || resp.StatusCode == http.StatusServiceUnavailable:
		ra := retryAfter(resp.Header.Get("Retry-After"), time.Now())
		if ra > 0 {
			f.holdOff(key, ra)
		}
		return nil, &FetchError{URL: u.String(), Kind: "status", Status: resp.StatusCode, RetryAfter: ra}
	case resp.StatusCode == 412 || resp.StatusCode == 403 && looksLikeChallenge(resp):
		// Chinese government WAFs answer 412 with a JavaScript challenge;
		// retrying hard only gets the address banned.
		return nil, &FetchError{URL: u.String(), Kind: "antibot", Status: resp.StatusCode, Err: errors.New("blocked by anti-bot protection")}
	case resp.StatusCode >= 400:
		return nil, &FetchError{URL: u.String(), Kind: "status", Status: resp.StatusCode}
	case resp.StatusCode >= 300:
		return nil, &FetchError{URL: u.String(), Kind: "redirect", Status: resp.StatusCode, Err: errors.New("redirect without a usable Location")}
	}
	body, err := io.ReadAll(io.LimitReader(resp.Body, f.cfg.MaxBodyBytes+1))
	if err != nil {
		return nil, classifyError(u.String(), err)
	}
	if int64(len(body)) > f.cfg.MaxBodyBytes {
		body, out.Truncated = body[:f.cfg.MaxBodyBytes], true
	}
	out.Body = body
	return out, nil
}

// drainBytes is the most of an unwanted body read to keep its connection:
// an error page is a few KB; past this, closing is cheaper than reading.
const drainBytes = 64 << 10

// stripCRLF keeps a header value from a page on one line.
func stripCRLF(v string) string { return strings.NewReplacer("\r", "", "\n", "").Replace(v) }

func isNotFound(err error) bool {
	var de *net.DNSError
	return errors.As(err, &de) && de.IsNotFound
}

func looksLikeChallenge(resp *http.Response) bool {
	return strings.Contains(strings.ToLower(resp.Header.Get("Server")), "waf") || resp.Header.Get("Set-Cookie") != ""
}

// retryAfter reads a Retry-After header: seconds or an HTTP date. It is
// capped at a day: a server cannot park a source forever.
func retryAfter(v string, now time.Time) time.Duration {
	v = strings.TrimSpace(v)
	if v == "" {
		return 0
	}
	var d time.Duration
	if n, err := strconv.Atoi(v); err == nil && n >= 0 {
		d = time.Duration(n) * time.Second
	} else if t, err := http.ParseTime(v); err == nil {
		d = t.Sub(now)
	}
	return min(max(d, 0), 24*time.Hour)
}

func classifyError(u string, err error) error {
	fe := &FetchError{URL: u, Kind: "network", Err: err}
	var ne net.Error
	switch {
	case errors.Is(err, errBlockedAddress):
		fe.Kind = "blocked"
	case strings.Contains(err.Error(), "redirect"):
		fe.Kind = "redirect"
	case errors.As(err, &ne) && ne.Timeout(), errors.Is(err, context.DeadlineExceeded):
		fe.Kind = "timeout"
	}
	return fe
}
