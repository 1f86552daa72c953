// Package config reads grantwatch's TOML configuration. Every key has a
// default (Default) and is documented in config.example.toml at the
// repository root; a test keeps the two in step. Domain packages never read
// the configuration themselves: the command line hands them the values.
package config

import (
	"errors"
	"fmt"
	"net"
	"net/netip"
	"net/url"
	"os"
	"strings"
	"time"

	"github.com/BurntSushi/toml"

	"github.com/grantwatch/grantwatch/leadtime"
	"github.com/grantwatch/grantwatch/tracker"
)

// Config is the whole configuration file.
type Config struct {
	// DB is the SQLite file, or a postgres:// URL; --db overrides it.
	DB string `toml:"db"`
	// TimeZone is where deadlines live. Chinese notices are Asia/Shanghai.
	TimeZone string `toml:"time_zone"`
	// AdminEmail receives alerts about failing sources.
	AdminEmail string `toml:"admin_email"`

	Log     Log     `toml:"log"`
	Fetch   Fetch   `toml:"fetch"`
	Crawl   Crawl   `toml:"crawl"`
	Extract Extract `toml:"extract"`
	Render  Render  `toml:"render"`
	Notify  Notify  `toml:"notify"`
	SMTP    SMTP    `toml:"smtp"`
	HTTP    HTTP    `toml:"http"`
	Cluster Cluster `toml:"cluster"`
}

// Cluster configures daemons sharing one PostgreSQL store.
type Cluster struct {
	// Lease is how long a daemon's claim on a source or a delivery holds
	// without renewal (it renews every third of it while working): a
	// daemon that dies has its work taken over this long after.
	Lease time.Duration `toml:"lease"`
}

// Notify configures reminders, digests and alerts.
type Notify struct {
	Hour            int           `toml:"hour"`
	LeadOpen        []string      `toml:"lead_open"`
	LeadClose       []string      `toml:"lead_close"`
	Rate            float64       `toml:"rate"`
	RetryBackoff    time.Duration `toml:"retry_backoff"`
	RetryBackoffMax time.Duration `toml:"retry_backoff_max"`
	DigestWeekday   string        `toml:"digest_weekday"`
	DigestDays      int           `toml:"digest_days"`
}

// Log configures log/slog output on stderr.
type Log struct {
	Format string `toml:"format"` // text or json
	Level  string `toml:"level"`  // debug, info, warn, error
}

// Fetch configures the one HTTP client every fetch goes through.
type Fetch struct {
	UserAgent          string        `toml:"user_agent"`
	Timeout            time.Duration `toml:"timeout"`
	DialTimeout        time.Duration `toml:"dial_timeout"`
	HeaderTimeout      time.Duration `toml:"header_timeout"`
	PerHostDelay       time.Duration `toml:"per_host_delay"`
	PerHostConcurrency int           `toml:"per_host_concurrency"`
	Workers            int           `toml:"workers"`
	MaxBodyBytes       int64         `toml:"max_body_bytes"`
	MaxRedirects       int           `toml:"max_redirects"`
	AllowPrivate       []string      `toml:"allow_private"`
	RespectRobots      bool          `toml:"respect_robots"`
	Retries            int           `toml:"retries"`
	RetryWait          time.Duration `toml:"retry_wait"`
	MaxRetryAfter      time.Duration `toml:"max_retry_after"`
}

// Crawl configures what the tracker does on each scheduled run.
type Crawl struct {
	Schedule         string        `toml:"schedule"`
	Jitter           time.Duration `toml:"jitter"`
	MaxPages         int           `toml:"max_pages"`
	MaxNoticesPerRun int           `toml:"max_notices_per_run"`
	FailureAlert     int           `toml:"failure_alert"`
	RetryBackoff     time.Duration `toml:"retry_backoff"`
	RetryBackoffMax  time.Duration `toml:"retry_backoff_max"`
}

// Extract bounds the files that extract and import read from disk or
// standard input.
type Extract struct {
	// MaxInputBytes is the largest file read; a larger one is refused
	// before it is decoded, which takes ten to twelve times its size in memory.
	MaxInputBytes int64 `toml:"max_input_bytes"`
	// PDFEngine reads PDFs: "builtin" (PDFium in WebAssembly, nothing to
	// install) or "pdftotext" (poppler-utils).
	PDFEngine string `toml:"pdf_engine"`
	// PDFCacheDir keeps the compiled PDFium ("" : $CACHE_DIRECTORY or the
	// user's cache directory).
	PDFCacheDir string `toml:"pdf_cache_dir"`
}

// Render configures headless Chromium for sources whose lists are built
// by script (source add --render).
type Render struct {
	Browser     string        `toml:"browser"`      // "" : chromium, chromium-browser or google-chrome on PATH
	PageTimeout time.Duration `toml:"page_timeout"` // one page, its scripts and requests
	MaxPages    int           `toml:"max_pages"`    // pages rendered at once
}

// SMTP is the outgoing mail server.
type SMTP struct {
	Host     string        `toml:"host"`
	Port     int           `toml:"port"`
	Username string        `toml:"username"`
	Password string        `toml:"password"`
	TLS      string        `toml:"tls"` // none, starttls, tls
	From     string        `toml:"from"`
	FromName string        `toml:"from_name"`
	Timeout  time.Duration `toml:"timeout"`
	// Connections is how many SMTP connections send at once.
	Connections int `toml:"connections"`
}

// HTTP is the daemon's web server.
type HTTP struct {
	Listen           string `toml:"listen"`
	BaseURL          string `toml:"base_url"`
	PublicFeed       bool   `toml:"public_feed"`
	SubscribePerHour int    `toml:"subscribe_per_hour"`
}

// Default returns the configuration used when no file is given. It must agree
// with config.example.toml (TestExampleMatchesDefault).
func Default() Config {
	fd := tracker.DefaultFetchConfig()
	return Config{
		DB:       "grantwatch.db",
		TimeZone: "Asia/Shanghai",
		Log:      Log{Format: "text", Level: "info"},
		// The fetcher's defaults live with it (tracker.DefaultFetchConfig),
		// so that its benchmarks run what a user gets.
		Fetch: Fetch{
			UserAgent:          fd.UserAgent,
			Timeout:            fd.Timeout,
			DialTimeout:        fd.DialTimeout,
			HeaderTimeout:      fd.HeaderTimeout,
			PerHostDelay:       fd.PerHostDelay,
			PerHostConcurrency: fd.PerHostConcurrency,
			Workers:            fd.MaxInFlight,
			MaxBodyBytes:       fd.MaxBodyBytes,
			MaxRedirects:       fd.MaxRedirects,
			AllowPrivate:       []string{},
			RespectRobots:      fd.RespectRobots,
			Retries:            fd.Retries,
			RetryWait:          fd.RetryWait,
			MaxRetryAfter:      fd.MaxRetryAfter,
		},
		Crawl: Crawl{
			Schedule:         "0 */6 * * *",
			Jitter:           10 * time.Minute,
			MaxPages:         3,
			MaxNoticesPerRun: 200,
			FailureAlert:     3,
			RetryBackoff:     30 * time.Minute,
			RetryBackoffMax:  24 * time.Hour,
		},
		Extract: Extract{MaxInputBytes: 20 << 20, PDFEngine: "builtin"},
		Render:  Render{PageTimeout: 30 * time.Second, MaxPages: 2},
		Cluster: Cluster{Lease: 2 * time.Minute},
		Notify: Notify{
			Hour:            9,
			LeadOpen:        []string{"3d", "0d"},
			LeadClose:       []string{"7d", "3d", "1d"},
			Rate:            20,
			RetryBackoff:    time.Minute,
			RetryBackoffMax: 6 * time.Hour,
			DigestWeekday:   "monday",
			DigestDays:      14,
		},
		SMTP: SMTP{
			Host:        "127.0.0.1",
			Port:        25,
			TLS:         "none",
			From:        "grantwatch@localhost",
			FromName:    "grantwatch",
			Timeout:     30 * time.Second,
			Connections: 1,
		},
		HTTP: HTTP{
			Listen:           "127.0.0.1:8080",
			BaseURL:          "http://127.0.0.1:8080",
			PublicFeed:       false,
			SubscribePerHour: 5,
		},
	}
}

// Load reads a TOML file over the defaults. A key the program does not know is
// an error naming the key, so a typo never silently falls back to a default.
func Load(path string) (Config, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return Config{}, fmt.Errorf("read config: %w", err)
	}
	c, err := Parse(b)
	if err != nil {
		return Config{}, fmt.Errorf("config %s: %w", path, err)
	}
	return c, nil
}

// Parse decodes TOML text over the defaults and validates the result.
func Parse(b []byte) (Config, error) {
	c := Default()
	md, err := toml.Decode(string(b), &c)
	if err != nil {
		var perr toml.ParseError
		if errors.As(err, &perr) {
			return Config{}, fmt.Errorf("line %d: %s", perr.Position.Line, perr.Message)
		}
		return Config{}, err
	}
	if und := md.Undecoded(); len(und) > 0 {
		keys := make([]string, len(und))
		for i, k := range und {
			keys[i] = k.String()
		}
		return Config{}, fmt.Errorf("unknown key %s", strings.Join(keys, ", "))
	}
	if err := c.Validate(); err != nil {
		return Config{}, err
	}
	return c, nil
}

// Validate checks values that TOML types alone cannot.
func (c Config) Validate() error {
	if c.DB == "" {
		return errors.New("db: must not be empty")
	}
	if _, err := time.LoadLocation(c.TimeZone); err != nil {
		return fmt.Errorf("time_zone: %w", err)
	}
	switch c.Log.Format {
	case "text", "json":
	default:
		return fmt.Errorf("log.format: %q is not text or json", c.Log.Format)
	}
	switch c.Log.Level {
	case "debug", "info", "warn", "error":
	default:
		return fmt.Errorf("log.level: %q is not debug, info, warn or error", c.Log.Level)
	}
	for _, d := range []struct {
		name string
		v    time.Duration
	}{
		{"fetch.timeout", c.Fetch.Timeout},
		{"fetch.dial_timeout", c.Fetch.DialTimeout},
		{"fetch.header_timeout", c.Fetch.HeaderTimeout},
		{"smtp.timeout", c.SMTP.Timeout},
	} {
		if d.v <= 0 {
			return fmt.Errorf("%s: must be positive, got %s", d.name, d.v)
		}
	}
	if c.Fetch.PerHostDelay < 0 {
		return fmt.Errorf("fetch.per_host_delay: must not be negative, got %s", c.Fetch.PerHostDelay)
	}
	if c.Fetch.Workers < 1 {
		return fmt.Errorf("fetch.workers: must be at least 1, got %d", c.Fetch.Workers)
	}
	if c.Fetch.Retries < 0 || c.Fetch.Retries > 10 {
		return fmt.Errorf("fetch.retries: must be 0 to 10, got %d", c.Fetch.Retries)
	}
	if c.Fetch.RetryWait < 0 || c.Fetch.MaxRetryAfter < 0 {
		return fmt.Errorf("fetch.retry_wait and fetch.max_retry_after: must not be negative")
	}
	if c.Fetch.PerHostConcurrency < 1 {
		return fmt.Errorf("fetch.per_host_concurrency: must be at least 1, got %d", c.Fetch.PerHostConcurrency)
	}
	if c.Fetch.MaxBodyBytes < 1024 {
		return fmt.Errorf("fetch.max_body_bytes: must be at least 1024, got %d", c.Fetch.MaxBodyBytes)
	}
	if c.Fetch.MaxRedirects < 0 {
		return fmt.Errorf("fetch.max_redirects: must not be negative, got %d", c.Fetch.MaxRedirects)
	}
	for _, a := range c.Fetch.AllowPrivate {
		if _, err := ParseAllow(a); err != nil {
			return fmt.Errorf("fetch.allow_private: %w", err)
		}
	}
	// The same check as source add --schedule, so that a spec the crawler
	// could not use stops the program at start-up instead of being replaced
	// by a fallback schedule in silence.
	if _, err := tracker.ParseSchedule(c.Crawl.Schedule); err != nil {
		return fmt.Errorf("crawl.schedule: %w", err)
	}
	if c.Crawl.MaxPages < 1 {
		return fmt.Errorf("crawl.max_pages: must be at least 1, got %d", c.Crawl.MaxPages)
	}
	if c.Crawl.Jitter < 0 || c.Crawl.RetryBackoff < 0 || c.Crawl.RetryBackoffMax < c.Crawl.RetryBackoff {
		return errors.New("crawl: jitter and retry_backoff must not be negative, and retry_backoff_max must be at least retry_backoff")
	}
	if c.Extract.PDFEngine != "builtin" && c.Extract.PDFEngine != "pdftotext" {
		return fmt.Errorf("extract.pdf_engine: want builtin or pdftotext, got %q", c.Extract.PDFEngine)
	}
	if c.SMTP.Connections < 1 || c.SMTP.Connections > 32 {
		return fmt.Errorf("smtp.connections: must be 1 to 32, got %d", c.SMTP.Connections)
	}
	if c.Cluster.Lease < time.Second {
		return fmt.Errorf("cluster.lease: must be at least 1s, got %s", c.Cluster.Lease)
	}
	if c.Render.PageTimeout < time.Second {
		return fmt.Errorf("render.page_timeout: must be at least 1s, got %s", c.Render.PageTimeout)
	}
	if c.Render.MaxPages < 1 || c.Render.MaxPages > 16 {
		return fmt.Errorf("render.max_pages: must be 1 to 16, got %d", c.Render.MaxPages)
	}
	if c.Extract.MaxInputBytes < 1024 {
		return fmt.Errorf("extract.max_input_bytes: must be at least 1024, got %d", c.Extract.MaxInputBytes)
	}
	if c.Notify.Hour < 0 || c.Notify.Hour > 23 {
		return fmt.Errorf("notify.hour: %d is not an hour of the day (0-23)", c.Notify.Hour)
	}
	for _, l := range append(append([]string{}, c.Notify.LeadOpen...), c.Notify.LeadClose...) {
		if _, err := leadtime.Parse(l); err != nil {
			return fmt.Errorf("notify.lead_open/lead_close: %w", err)
		}
	}
	if c.Notify.Rate < 0 {
		return fmt.Errorf("notify.rate: must not be negative, got %g", c.Notify.Rate)
	}
	if c.Notify.RetryBackoff <= 0 || c.Notify.RetryBackoffMax < c.Notify.RetryBackoff {
		return errors.New("notify: retry_backoff must be positive and retry_backoff_max at least retry_backoff")
	}
	if _, ok := weekdays[strings.ToLower(c.Notify.DigestWeekday)]; !ok {
		return fmt.Errorf("notify.digest_weekday: %q is not a day of the week", c.Notify.DigestWeekday)
	}
	if c.Notify.DigestDays < 1 || c.Notify.DigestDays > 90 {
		return fmt.Errorf("notify.digest_days: %d is not between 1 and 90", c.Notify.DigestDays)
	}
	switch c.SMTP.TLS {
	case "none", "starttls", "tls":
	default:
		return fmt.Errorf("smtp.tls: %q is not none, starttls or tls", c.SMTP.TLS)
	}
	if c.SMTP.Port < 1 || c.SMTP.Port > 65535 {
		return fmt.Errorf("smtp.port: %d is out of range", c.SMTP.Port)
	}
	if strings.ContainsAny(c.SMTP.From+c.SMTP.FromName, "\r\n") {
		return errors.New("smtp.from: must not contain line breaks")
	}
	if c.HTTP.SubscribePerHour < 1 {
		return fmt.Errorf("http.subscribe_per_hour: must be at least 1, got %d", c.HTTP.SubscribePerHour)
	}
	if _, _, err := net.SplitHostPort(c.HTTP.Listen); err != nil {
		return fmt.Errorf("http.listen: %w", err)
	}
	u, err := url.Parse(c.HTTP.BaseURL)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return fmt.Errorf("http.base_url: %q is not an http(s) URL", c.HTTP.BaseURL)
	}
	return nil
}

// Location returns the configured time zone (validated by Parse).
func (c Config) Location() *time.Location {
	loc, err := time.LoadLocation(c.TimeZone)
	if err != nil {
		// Validate rejects such a value; fall back to the one zone the
		// program is about rather than UTC, which would move every deadline.
		loc, _ = time.LoadLocation("Asia/Shanghai")
	}
	return loc
}

// ParseAllow reads one fetch.allow_private entry: an IP, a CIDR, or a host
// name (matched against the URL's host before it is resolved).
func ParseAllow(s string) (netip.Prefix, error) {
	s = strings.TrimSpace(s)
	if s == "" {
		return netip.Prefix{}, errors.New("empty entry")
	}
	if p, err := netip.ParsePrefix(s); err == nil {
		return p.Masked(), nil
	}
	if a, err := netip.ParseAddr(s); err == nil {
		return netip.PrefixFrom(a, a.BitLen()), nil
	}
	if strings.ContainsAny(s, "/ ") {
		return netip.Prefix{}, fmt.Errorf("%q is not an IP, CIDR or host name", s)
	}
	// A host name: no prefix, the caller matches it by name.
	return netip.Prefix{}, nil
}

// decodeStrict decodes without defaults (used by tests to see which keys a
// file spells out).
func decodeStrict(b []byte, c *Config) error {
	_, err := toml.Decode(string(b), c)
	return err
}

var weekdays = map[string]time.Weekday{"sunday": time.Sunday, "monday": time.Monday, "tuesday": time.Tuesday,
	"wednesday": time.Wednesday, "thursday": time.Thursday, "friday": time.Friday, "saturday": time.Saturday}

// Weekday returns the configured digest day (validated by Parse).
func (n Notify) Weekday() time.Weekday { return weekdays[strings.ToLower(n.DigestWeekday)] }
