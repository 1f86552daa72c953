// Package render loads pages whose lists are built by script (an empty
// container filled from an XHR or a script datastore) in one headless
// Chromium, and returns the resulting DOM for the same discovery and text
// path as a plain fetch.
//
// The browser reaches nothing by itself: every request a page makes is
// paused (the DevTools Fetch domain) and either fetched by the crawler's own
// fetcher, with its host scope, robots.txt, per-host pace, address guard and
// size cap, or refused. Images, fonts, media and style sheets are refused
// outright; a dead proxy and a resolver that finds nothing back that up.
package render

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"os"
	"os/exec"
	"strings"
	"sync"
	"time"

	"github.com/chromedp/cdproto/fetch"
	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/chromedp"
)

// ErrNoBrowser: no Chromium or Chrome is installed where it was looked for.
var ErrNoBrowser = errors.New("no Chromium or Chrome found: install chromium (Debian: apt-get install chromium), or set render.browser")

// Config bounds the renderer.
type Config struct {
	Browser     string        // the browser's path; "" looks for chromium, chromium-browser, google-chrome
	PageTimeout time.Duration // one page, scripts and requests included (0: 30 s)
	MaxPages    int           // pages rendered at once (0: 2)
	// Settle is how long the page must stay unchanged (links and text)
	// after loading before it is read (0: 600 ms).
	Settle time.Duration
}

// Fetch fetches one request a page makes, under the crawler's rules. It
// returns the status, the content type and the body, or an error (a
// refusal, a failure) that makes the request fail in the page.
type Fetch func(ctx context.Context, method, target string, body []byte, contentType string) (status int, ctype string, respBody []byte, err error)

// Renderer is one browser process shared by every rendered page, started
// on first use and stopped by Close.
type Renderer struct {
	cfg Config
	sem chan struct{}

	mu      sync.Mutex
	browser context.Context // a chromedp context whose browser runs
	stop    func()
}

// New returns a renderer; the browser starts with the first page.
func New(cfg Config) *Renderer {
	if cfg.PageTimeout <= 0 {
		cfg.PageTimeout = 30 * time.Second
	}
	if cfg.MaxPages <= 0 {
		cfg.MaxPages = 2
	}
	if cfg.Settle <= 0 {
		cfg.Settle = 600 * time.Millisecond
	}
	return &Renderer{cfg: cfg, sem: make(chan struct{}, cfg.MaxPages)}
}

// FindBrowser returns the browser to run: the configured path, or the
// first of chromium, chromium-browser, google-chrome on PATH.
func FindBrowser(configured string) (string, error) {
	if configured != "" {
		if p, err := exec.LookPath(configured); err == nil {
			return p, nil
		}
		return "", fmt.Errorf("render.browser %q: %w", configured, ErrNoBrowser)
	}
	for _, name := range []string{"chromium", "chromium-browser", "google-chrome", "google-chrome-stable"} {
		if p, err := exec.LookPath(name); err == nil {
			return p, nil
		}
	}
	return "", ErrNoBrowser
}

// Available says whether a browser can be started (nil) or why not.
func (r *Renderer) Available() error {
	_, err := FindBrowser(r.cfg.Browser)
	return err
}

func (r *Renderer) start() (context.Context, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.browser != nil {
		return r.browser, nil
	}
	path, err := FindBrowser(r.cfg.Browser)
	if err != nil {
		return nil, err
	}
	dir, err := os.MkdirTemp("", "grantwatch-chromium-")
	if err != nil {
		return nil, fmt.Errorf("render: %w", err)
	}
	opts := append(chromedp.DefaultExecAllocatorOptions[:],
		chromedp.ExecPath(path), chromedp.UserDataDir(dir), chromedp.DisableGPU, chromedp.NoFirstRun,
		chromedp.Flag("headless", true),
		chromedp.Flag("disable-background-networking", true), chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true), chromedp.Flag("disable-quic", true),
		chromedp.Flag("blink-settings", "imagesEnabled=false"),
		// Every request is served by the crawler through the Fetch
		// domain; anything that slipped past would meet a dead proxy and
		// a resolver that resolves nothing.
		chromedp.ProxyServer("http://127.0.0.1:9"),
		chromedp.Flag("host-resolver-rules", "MAP * ~NOTFOUND"),
	)
	if os.Geteuid() == 0 {
		opts = append(opts, chromedp.NoSandbox) // Chromium refuses its sandbox as root
	}
	actx, acancel := chromedp.NewExecAllocator(context.Background(), opts...)
	bctx, bcancel := chromedp.NewContext(actx)
	// The first Run starts the browser; its context must not time out.
	if err := chromedp.Do(bctx); err != nil {
		bcancel()
		acancel()
		os.RemoveAll(dir)
		return nil, fmt.Errorf("render: start %s: %w", path, err)
	}
	r.browser = bctx
	r.stop = func() {
		bcancel()
		acancel()
		os.RemoveAll(dir)
	}
	return bctx, nil
}

// Close stops the browser.
func (r *Renderer) Close() {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.stop != nil {
		r.stop()
	}
	r.browser, r.stop = nil, nil
}

// Render loads pageURL in a new tab, lets its scripts run, and returns the
// DOM as HTML once it has settled. Every request goes through fetch; an
// error fetching the page itself (a refusal, an anti-bot page, a 5xx) is
// returned as is.
func (r *Renderer) Render(ctx context.Context, pageURL string, fetchFn Fetch) (string, error) {
	bctx, err := r.start()
	if err != nil {
		return "", err
	}
	select {
	case r.sem <- struct{}{}:
	case <-ctx.Done():
		return "", ctx.Err()
	}
	defer func() { <-r.sem }()

	tab, closeTab := chromedp.NewContext(bctx)
	defer closeTab()
	// A shutdown or the page timeout closes the tab.
	tab, cancel := context.WithTimeout(tab, r.cfg.PageTimeout)
	defer cancel()
	stopWatch := context.AfterFunc(ctx, cancel)
	defer stopWatch()

	var mu sync.Mutex
	var docErr error
	var wg sync.WaitGroup
	if err := chromedp.Listen(tab, func(ev any) {
		e, ok := ev.(*fetch.EventRequestPaused)
		if !ok {
			return
		}
		// Answering runs commands: not on the reading goroutine.
		wg.Add(1)
		go func() {
			defer wg.Done()
			r.answer(tab, e, fetchFn, func(err error) {
				if e.ResourceType == network.ResourceTypeDocument && e.Request.URL == pageURL {
					mu.Lock()
					if docErr == nil {
						docErr = err
					}
					mu.Unlock()
				}
			})
		}()
	}); err != nil {
		return "", fmt.Errorf("render %s: %w", pageURL, err)
	}
	defer wg.Wait()
	if _, err := chromedp.Call(tab, fetch.Enable, fetch.EnableParams{Patterns: []*fetch.RequestPattern{{URLPattern: "*"}}}); err != nil {
		return "", fmt.Errorf("render %s: %w", pageURL, err)
	}
	navErr := chromedp.Do(tab, chromedp.Navigate(pageURL))
	mu.Lock()
	derr := docErr
	mu.Unlock()
	if derr != nil {
		return "", derr
	}
	if navErr != nil {
		return "", fmt.Errorf("render %s: %w", pageURL, navErr)
	}
	if err := r.settle(tab); err != nil {
		return "", fmt.Errorf("render %s: %w", pageURL, err)
	}
	html, err := chromedp.Run(tab, chromedp.Evaluate[string]("document.documentElement.outerHTML"))
	if err != nil {
		return "", fmt.Errorf("render %s: %w", pageURL, err)
	}
	return "<!DOCTYPE html>\n" + html, nil
}

// settle waits until the page's links and text stop changing (the XHR that
// fills the list has answered and the list is drawn), within the timeout.
func (r *Renderer) settle(tab context.Context) error {
	const probe = `document.readyState + ":" + document.getElementsByTagName("a").length + ":" + (document.body ? document.body.innerText.length : 0)`
	step := 150 * time.Millisecond
	last, stable := "", time.Duration(0)
	for {
		v, err := chromedp.Run(tab, chromedp.Evaluate[string](probe))
		if err != nil {
			return err
		}
		if v == last && strings.HasPrefix(v, "complete:") {
			stable += step
			if stable >= r.cfg.Settle {
				return nil
			}
		} else {
			last, stable = v, 0
		}
		select {
		case <-time.After(step):
		case <-tab.Done():
			return tab.Err()
		}
	}
}

// answer serves one paused request through the crawler's fetcher, or
// refuses it. A failed fetch's error goes to failed before the browser is
// told: the page's navigation ends as soon as the browser knows, and the
// caller must then find why (it was a race: the challenge page's antibot
// error sometimes came after, and the crawl saw only net::ERR_ACCESS_DENIED).
func (r *Renderer) answer(tab context.Context, e *fetch.EventRequestPaused, fetchFn Fetch, failed func(error)) {
	fail := func(reason network.ErrorReason) {
		chromedp.Call(tab, fetch.FailRequest, fetch.FailRequestParams{RequestID: e.RequestID, ErrorReason: reason})
	}
	switch e.ResourceType {
	case network.ResourceTypeDocument, network.ResourceTypeScript, network.ResourceTypeXHR, network.ResourceTypeFetch:
	default:
		fail(network.ErrorReasonBlockedByClient) // images, fonts, styles, media: not needed to read a list
		return
	}
	u, err := url.Parse(e.Request.URL)
	if err != nil || u.Scheme != "http" && u.Scheme != "https" {
		fail(network.ErrorReasonBlockedByClient)
		return
	}
	var body []byte
	for _, p := range e.Request.PostDataEntries {
		body = append(body, p.Bytes...)
	}
	ctype := ""
	for k, v := range e.Request.Headers {
		if strings.EqualFold(k, "Content-Type") {
			ctype = fmt.Sprint(v)
		}
	}
	status, rtype, resp, err := fetchFn(tab, e.Request.Method, e.Request.URL, body, ctype)
	if err != nil {
		failed(err)
		fail(network.ErrorReasonAccessDenied)
		return
	}
	headers := []*fetch.HeaderEntry{{Name: "Content-Type", Value: rtype}, {Name: "Cache-Control", Value: "no-store"}}
	// An error here is the tab closed meanwhile: nothing to answer.
	chromedp.Call(tab, fetch.FulfillRequest, fetch.FulfillRequestParams{RequestID: e.RequestID,
		ResponseCode: int64(status), ResponseHeaders: headers, Body: resp})
}
