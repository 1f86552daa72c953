// Package web is grantwatch's HTTP face: subscribers' calendar feeds, the
// pages to subscribe, confirm, change preferences and unsubscribe, the
// upcoming-windows timeline, health and metrics. Nothing here changes what
// the admin CLI manages (sources, notices): the web writes only a
// subscriber's own settings, and only with that subscriber's token.
package web

import (
	"bytes"
	"compress/gzip"
	"context"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"embed"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"html/template"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/url"
	"slices"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"
	"unicode/utf8"

	"github.com/grantwatch/grantwatch/notify"
	"github.com/grantwatch/grantwatch/store"
)

//go:embed templates/*.html
var templateFS embed.FS

var pages = func() map[string]*template.Template {
	m := map[string]*template.Template{}
	for _, p := range []string{"subscribe", "message", "confirm", "preferences", "unsubscribe", "upcoming"} {
		m[p] = template.Must(template.ParseFS(templateFS, "templates/layout.html", "templates/"+p+".html"))
	}
	return m
}()

// Config is what the web server needs from the configuration.
type Config struct {
	BaseURL          string
	PublicFeed       bool // /feed/public.ics with filters in the query
	SubscribePerHour int  // subscribe requests per client address per hour
	Location         *time.Location
}

// Stats are counters the daemon keeps, shown on /metrics.
type Stats struct {
	Crawls, FetchErrors int64
}

// Server serves grantwatch's pages.
type Server struct {
	DB       *store.DB
	Logger   *slog.Logger
	Now      func() time.Time
	Config   Config
	Notifier *notify.Notifier // its Mailer sends confirmations
	Stats    func() Stats

	limitMu sync.Mutex
	limits  map[string][]time.Time
	keyMu   sync.Mutex
	key     []byte // CSRF key, loaded from the database once
	feeds   feedCache

	// The counts /metrics shows, read at most once every metricsMaxAge:
	// counting deliveries, notices and windows reads every row (millions
	// of deliveries in a few years), and a scraper asks every 15 s.
	statusMu  sync.Mutex
	status    store.Status
	statusAt  time.Time
	statusDay string
}

// metricsMaxAge is how old the stored counts on /metrics may be.
const metricsMaxAge = time.Minute

// Handler returns the routes.
func (s *Server) Handler() http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("GET /healthz", s.healthz)
	mux.HandleFunc("GET /metrics", s.metrics)
	mux.HandleFunc("GET /feed/{file}", s.feed)
	mux.HandleFunc("GET /upcoming", s.upcoming)
	mux.HandleFunc("GET /{$}", func(w http.ResponseWriter, r *http.Request) { http.Redirect(w, r, "/upcoming", http.StatusFound) })
	mux.HandleFunc("GET /subscribe", s.subscribeForm)
	mux.HandleFunc("POST /subscribe", s.subscribe)
	mux.HandleFunc("GET /confirm/{token}", s.confirmForm)
	mux.HandleFunc("POST /confirm/{token}", s.confirm)
	mux.HandleFunc("GET /preferences/{token}", s.preferencesForm)
	mux.HandleFunc("POST /preferences/{token}", s.preferences)
	mux.HandleFunc("GET /unsubscribe/{token}", s.unsubscribeForm)
	mux.HandleFunc("POST /unsubscribe/{token}", s.unsubscribe)
	return securityHeaders(mux)
}

func securityHeaders(h http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("X-Content-Type-Options", "nosniff")
		w.Header().Set("X-Frame-Options", "DENY")
		w.Header().Set("Referrer-Policy", "no-referrer")
		w.Header().Set("Content-Security-Policy", "default-src 'none'; style-src 'unsafe-inline'; form-action 'self'; frame-ancestors 'none'")
		h.ServeHTTP(w, r)
	})
}

func (s *Server) healthz(w http.ResponseWriter, r *http.Request) {
	ctx, cancel := context.WithTimeout(r.Context(), 2*time.Second)
	defer cancel()
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	if _, err := s.DB.SchemaVersion(ctx); err != nil {
		s.Logger.Error("health check failed", "err", err)
		http.Error(w, "database unavailable", http.StatusServiceUnavailable)
		return
	}
	w.Write([]byte("ok\n"))
}

func (s *Server) today() string {
	return s.Now().In(s.Config.Location).Format("2006-01-02")
}

// storedCounts returns the store's counts, read again when older than
// metricsMaxAge or of another day; scrapes meanwhile wait for one read.
func (s *Server) storedCounts(ctx context.Context) (store.Status, time.Duration, error) {
	s.statusMu.Lock()
	defer s.statusMu.Unlock()
	now := s.Now()
	today := now.In(s.Config.Location).Format("2006-01-02")
	if s.statusAt.IsZero() || s.statusDay != today || now.Sub(s.statusAt) >= metricsMaxAge || now.Before(s.statusAt) {
		st, err := s.DB.Status(ctx, today)
		if err != nil {
			return store.Status{}, 0, err
		}
		s.status, s.statusAt, s.statusDay = st, now, today
	}
	return s.status, now.Sub(s.statusAt), nil
}

// metrics writes Prometheus text format.
func (s *Server) metrics(w http.ResponseWriter, r *http.Request) {
	st, age, err := s.storedCounts(r.Context())
	if err != nil {
		s.Logger.Error("metrics: count what is stored", "err", err)
		http.Error(w, "database unavailable", http.StatusServiceUnavailable)
		return
	}
	var stats Stats
	if s.Stats != nil {
		stats = s.Stats()
	}
	var b strings.Builder
	metric := func(name, help, typ string, samples ...string) {
		fmt.Fprintf(&b, "# HELP %s %s\n# TYPE %s %s\n", name, help, name, typ)
		for _, smp := range samples {
			fmt.Fprintf(&b, "%s%s\n", name, smp)
		}
	}
	metric("grantwatch_crawls_total", "Source checks since the daemon started.", "counter", fmt.Sprintf(" %d", stats.Crawls))
	metric("grantwatch_fetch_errors_total", "Source checks that failed since the daemon started.", "counter", fmt.Sprintf(" %d", stats.FetchErrors))
	metric("grantwatch_sources", "Watched sources by state.", "gauge",
		fmt.Sprintf(`{state="all"} %d`, st.Sources), fmt.Sprintf(`{state="paused"} %d`, st.SourcesPaused),
		fmt.Sprintf(`{state="failing"} %d`, st.SourcesFailing), fmt.Sprintf(`{state="flagged"} %d`, st.SourcesFlagged))
	metric("grantwatch_notices", "Notices stored.", "gauge", fmt.Sprintf(" %d", st.Notices))
	metric("grantwatch_windows", "Application windows.", "gauge",
		fmt.Sprintf(`{state="active"} %d`, st.Windows), fmt.Sprintf(`{state="upcoming"} %d`, st.WindowsUpcoming))
	var dl []string
	for _, k := range []string{"pending", "sending", "sent", "failed", "skipped", "cancelled"} {
		dl = append(dl, fmt.Sprintf(`{status=%q} %d`, k, st.Deliveries[k]))
	}
	metric("grantwatch_deliveries", "Mails by status.", "gauge", dl...)
	var sl []string
	for _, k := range []string{"pending", "active", "unsubscribed"} {
		sl = append(sl, fmt.Sprintf(`{status=%q} %d`, k, st.Subscribers[k]))
	}
	metric("grantwatch_subscribers", "Subscribers by status.", "gauge", sl...)
	metric("grantwatch_counts_age_seconds", "How old the stored counts above are (read at most once a minute).", "gauge",
		fmt.Sprintf(" %g", age.Seconds()))
	w.Header().Set("Content-Type", "text/plain; version=0.0.4; charset=utf-8")
	w.Write([]byte(b.String()))
}

// feed serves a subscriber's calendar (/feed/TOKEN.ics), or the public
// one when it is on (/feed/public.ics?region=山西&q=首台套).
func (s *Server) feed(w http.ResponseWriter, r *http.Request) {
	file := r.PathValue("file")
	token, ok := strings.CutSuffix(file, ".ics")
	if !ok {
		http.NotFound(w, r)
		return
	}
	ctx := r.Context()
	var sub store.Subscriber
	name := "grantwatch 申报窗口"
	if token == "public" {
		if !s.Config.PublicFeed {
			http.NotFound(w, r)
			return
		}
		q := r.URL.Query()
		sub = store.Subscriber{Regions: splitList(q.Get("region")), Keywords: splitList(q.Get("q"))}
	} else {
		var err error
		sub, err = s.DB.SubscriberByToken(ctx, "feed", token)
		if err != nil || sub.Status == "unsubscribed" {
			http.NotFound(w, r)
			return
		}
		name += "（" + sub.Email + "）"
	}
	// The ETag is made from the listing version (which moves with any change
	// to windows or their notices), the day (which decides what has aged
	// out) and who is asking, so a calendar polling an unchanged feed is
	// answered with a 304 after two one-row queries, and a feed drawn once
	// is served again from memory until something changes.
	version, err := s.DB.ListingVersion(ctx)
	if err != nil {
		s.serverError(w, err)
		return
	}
	since := s.Now().In(s.Config.Location).AddDate(0, 0, -30).Format("2006-01-02")
	h := sha256.New()
	fmt.Fprintf(h, "%d\n%s\n%s\n%s\n%q\n%q\n%q\n", version, since, name, s.Config.Location, sub.Regions, sub.Issuers, sub.Keywords)
	tag := hex.EncodeToString(h.Sum(nil)[:16])
	// To clients that take it a feed goes gzipped: an iCal feed shrinks
	// about tenfold, so it crosses the network in a tenth of the bytes and
	// a large one fits the cache. The gzipped form has its own ETag (the
	// same with -gz), as a different representation must; either answers a
	// conditional request, the content being the same.
	gz := acceptsGzip(r.Header.Get("Accept-Encoding"))
	etag := `"` + tag + `"`
	if gz {
		etag = `"` + tag + `-gz"`
	}
	w.Header().Set("ETag", etag)
	w.Header().Set("Vary", "Accept-Encoding")
	w.Header().Set("Cache-Control", "private, max-age=3600")
	if match := r.Header.Get("If-None-Match"); match != "" && (etagMatch(match, `"`+tag+`"`) || etagMatch(match, `"`+tag+`-gz"`)) {
		w.WriteHeader(http.StatusNotModified)
		return
	}
	raw, packed := s.feeds.get(tag)
	if raw == nil && packed == nil {
		if raw, err = s.drawFeed(ctx, sub, name, version, since); err != nil {
			s.serverError(w, err)
			return
		}
		s.feeds.put(tag, raw, nil)
	}
	if gz && packed == nil {
		if packed, err = gzipped(raw); err != nil {
			s.serverError(w, err)
			return
		}
		s.feeds.put(tag, nil, packed)
	}
	w.Header().Set("Content-Type", "text/calendar; charset=utf-8")
	w.Header().Set("Content-Disposition", `inline; filename="grantwatch.ics"`)
	switch {
	case gz:
		w.Header().Set("Content-Encoding", "gzip")
		w.Header().Set("Content-Length", strconv.Itoa(len(packed)))
		w.Write(packed)
	case raw != nil:
		w.Header().Set("Content-Length", strconv.Itoa(len(raw)))
		w.Write(raw)
	default:
		// Kept gzipped only (too large to keep as drawn): unpacked for a
		// client that does not take gzip.
		zr, err := gzip.NewReader(bytes.NewReader(packed))
		if err != nil {
			s.serverError(w, err)
			return
		}
		io.Copy(w, zr)
	}
}

// gzipped compresses a drawn feed, at the fastest level: a feed is drawn
// once per change and a tenfold shrink is most of what any level gives.
func gzipped(b []byte) ([]byte, error) {
	var buf bytes.Buffer
	buf.Grow(len(b)/8 + 64)
	zw, err := gzip.NewWriterLevel(&buf, gzip.BestSpeed)
	if err != nil {
		return nil, err
	}
	if _, err := zw.Write(b); err != nil {
		return nil, err
	}
	if err := zw.Close(); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

// acceptsGzip: the Accept-Encoding header names gzip (or *) without q=0.
func acceptsGzip(header string) bool {
	for _, part := range strings.Split(header, ",") {
		coding, params, _ := strings.Cut(strings.TrimSpace(part), ";")
		coding = strings.ToLower(strings.TrimSpace(coding))
		if coding != "gzip" && coding != "x-gzip" && coding != "*" {
			continue
		}
		q := 1.0
		for _, p := range strings.Split(params, ";") {
			if k, v, ok := strings.Cut(strings.TrimSpace(p), "="); ok && strings.EqualFold(strings.TrimSpace(k), "q") {
				if f, err := strconv.ParseFloat(strings.TrimSpace(v), 64); err == nil {
					q = f
				}
			}
		}
		if q > 0 {
			return true
		}
	}
	return false
}

// Warm reads the feed listing before the first feed is asked for: it is
// the one read that grows with the database (1.5 s at 300,000 windows),
// and otherwise the first calendar to poll after a start would wait for
// it. Feeds asked for meanwhile read it themselves, as without Warm.
func (s *Server) Warm(ctx context.Context) error {
	version, err := s.DB.ListingVersion(ctx)
	if err != nil {
		return fmt.Errorf("warm feed listing: %w", err)
	}
	since := s.Now().In(s.Config.Location).AddDate(0, 0, -30).Format("2006-01-02")
	if _, err := s.feeds.windows(ctx, s.DB, version, since); err != nil {
		return fmt.Errorf("warm feed listing: %w", err)
	}
	return nil
}

// drawFeed renders a feed: the windows a feed can show (open, to come, or
// closed within the last 30 days), read once per listing version and day
// for all subscribers, filtered by the subscriber's regions and, for
// keywords, by the notices the full-text index finds: never every notice's
// text.
func (s *Server) drawFeed(ctx context.Context, sub store.Subscriber, name string, version int64, since string) ([]byte, error) {
	ws, err := s.feeds.windows(ctx, s.DB, version, since)
	if err != nil {
		return nil, err
	}
	var hits map[int64]bool
	if len(sub.Keywords) > 0 {
		if hits, err = s.DB.NoticesWithAny(ctx, sub.Keywords); err != nil {
			return nil, err
		}
	}
	chosen := notify.FeedWindowsIndexed(sub, ws, hits, since)
	// DTSTAMP is the newest change, so an unchanged feed is the same bytes.
	var newest time.Time
	for _, x := range chosen {
		if x.UpdatedAt.After(newest) {
			newest = x.UpdatedAt
		}
	}
	if newest.IsZero() {
		newest = time.Date(2000, 1, 1, 0, 0, 0, 0, time.UTC)
	}
	feed := notify.Feed{Name: name, Windows: chosen, Now: newest, Location: s.Config.Location}
	var buf bytes.Buffer
	buf.Grow(feed.SizeHint())
	if err := feed.WriteICal(&buf); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

func etagMatch(header, etag string) bool {
	for _, p := range strings.Split(header, ",") {
		p = strings.TrimSpace(strings.TrimPrefix(strings.TrimSpace(p), "W/"))
		if p == etag || p == "*" {
			return true
		}
	}
	return false
}

func splitList(s string) []string {
	var out []string
	for _, p := range strings.FieldsFunc(s, func(r rune) bool { return r == ',' || r == '，' || r == '、' || r == ' ' }) {
		if p = strings.TrimSpace(p); p != "" && utf8.RuneCountInString(p) <= 30 && len(out) < 20 {
			out = append(out, p)
		}
	}
	return out
}

func (s *Server) serverError(w http.ResponseWriter, err error) {
	s.Logger.Error("request failed", "err", err)
	http.Error(w, "服务暂时不可用，请稍后再试", http.StatusInternalServerError)
}

func (s *Server) render(w http.ResponseWriter, page string, status int, data map[string]any) {
	var buf bytes.Buffer
	if err := pages[page].ExecuteTemplate(&buf, "layout", data); err != nil {
		s.serverError(w, err)
		return
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	w.Write(buf.Bytes())
}

func (s *Server) message(w http.ResponseWriter, status int, title, msg string) {
	s.render(w, "message", status, map[string]any{"Title": title, "Message": msg})
}

// CSRF: a token in a SameSite=Strict cookie, echoed in each form; a POST
// whose field does not match the cookie is refused. The token is a random
// nonce and its HMAC under a key kept in the database, so only this
// server's tokens pass (a cookie/field pair an attacker made up does not).
const (
	csrfCookie = "gw_csrf"
	csrfNonce  = 16
	csrfMAC    = 16
	csrfLen    = 43 // base64 (no padding) of nonce and MAC
	// confirmGap: at most one confirmation mail per address in this time.
	confirmGap = time.Hour
)

func (s *Server) csrfKey(ctx context.Context) ([]byte, error) {
	s.keyMu.Lock()
	defer s.keyMu.Unlock()
	if s.key == nil {
		k, err := s.DB.Secret(ctx, "csrf", 32)
		if err != nil {
			return nil, err
		}
		s.key = k
	}
	return s.key, nil
}

func csrfSum(key, nonce []byte) []byte {
	m := hmac.New(sha256.New, key)
	m.Write([]byte("grantwatch csrf\x00"))
	m.Write(nonce)
	return m.Sum(nil)[:csrfMAC]
}

func (s *Server) csrfToken(w http.ResponseWriter, r *http.Request) string {
	if c, err := r.Cookie(csrfCookie); err == nil && s.csrfValid(r.Context(), c.Value) {
		return c.Value
	}
	key, err := s.csrfKey(r.Context())
	if err != nil {
		s.Logger.Error("csrf key", "err", err)
		return ""
	}
	b := make([]byte, csrfNonce, csrfNonce+csrfMAC)
	rand.Read(b)
	tok := base64.RawURLEncoding.EncodeToString(append(b, csrfSum(key, b)...))
	http.SetCookie(w, &http.Cookie{Name: csrfCookie, Value: tok, Path: "/", HttpOnly: true, SameSite: http.SameSiteStrictMode,
		Secure: strings.HasPrefix(s.Config.BaseURL, "https://")})
	return tok
}

// csrfValid: a token of the right length whose MAC this server made.
func (s *Server) csrfValid(ctx context.Context, tok string) bool {
	if len(tok) != csrfLen {
		return false
	}
	b, err := base64.RawURLEncoding.DecodeString(tok)
	if err != nil || len(b) != csrfNonce+csrfMAC {
		return false
	}
	key, err := s.csrfKey(ctx)
	if err != nil {
		return false
	}
	return hmac.Equal(b[csrfNonce:], csrfSum(key, b[:csrfNonce]))
}

func (s *Server) csrfOK(r *http.Request) bool {
	c, err := r.Cookie(csrfCookie)
	if err != nil || !s.csrfValid(r.Context(), c.Value) {
		return false
	}
	return subtle.ConstantTimeCompare([]byte(c.Value), []byte(r.PostFormValue("csrf"))) == 1
}

// allow counts a subscribe request from the client's address and says
// whether it is within the hourly limit.
func (s *Server) allow(r *http.Request) bool {
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		host = r.RemoteAddr
	}
	now := time.Now()
	s.limitMu.Lock()
	defer s.limitMu.Unlock()
	if s.limits == nil {
		s.limits = map[string][]time.Time{}
	}
	if len(s.limits) > 10000 {
		s.limits = map[string][]time.Time{} // a flood of addresses: start over rather than grow
	}
	var recent []time.Time
	for _, t := range s.limits[host] {
		if now.Sub(t) < time.Hour {
			recent = append(recent, t)
		}
	}
	limit := s.Config.SubscribePerHour
	if limit <= 0 {
		limit = 5
	}
	if len(recent) >= limit {
		s.limits[host] = recent
		return false
	}
	s.limits[host] = append(recent, now)
	return true
}

func (s *Server) subscribeForm(w http.ResponseWriter, r *http.Request) {
	s.render(w, "subscribe", http.StatusOK, map[string]any{"Title": "订阅", "CSRF": s.csrfToken(w, r)})
}

func (s *Server) subscribe(w http.ResponseWriter, r *http.Request) {
	r.Body = http.MaxBytesReader(w, r.Body, 16<<10)
	if err := r.ParseForm(); err != nil || !s.csrfOK(r) {
		s.message(w, http.StatusForbidden, "请求无效", "页面已过期，请返回订阅页重新提交。")
		return
	}
	data := map[string]any{"Title": "订阅", "CSRF": s.csrfToken(w, r), "Email": r.PostFormValue("email"),
		"Regions": r.PostFormValue("regions"), "Keywords": r.PostFormValue("keywords")}
	email, err := notify.CheckAddress(r.PostFormValue("email"))
	if err != nil {
		data["Error"] = "邮箱地址无效，请检查后重新填写。"
		s.render(w, "subscribe", http.StatusBadRequest, data)
		return
	}
	if !s.allow(r) {
		s.message(w, http.StatusTooManyRequests, "请稍后再试", "这个网络地址的订阅请求太多，请一小时后再试。")
		return
	}
	ctx := r.Context()
	now := s.Now()
	sub, err := s.DB.Subscriber(ctx, email)
	switch {
	case errors.Is(err, store.ErrNotFound):
		sub, err = s.DB.AddSubscriber(ctx, store.Subscriber{Email: email, Regions: splitList(r.PostFormValue("regions")),
			Keywords: splitList(r.PostFormValue("keywords")), Status: "pending"})
		if err != nil {
			s.serverError(w, err)
			return
		}
	case err != nil:
		s.serverError(w, err)
		return
	case sub.Status == "unsubscribed":
		sub.Regions, sub.Keywords = splitList(r.PostFormValue("regions")), splitList(r.PostFormValue("keywords"))
		if err := s.DB.UpdatePreferences(ctx, sub); err != nil {
			s.serverError(w, err)
			return
		}
		if err := s.DB.SetSubscriberStatus(ctx, sub.ID, "pending"); err != nil {
			s.serverError(w, err)
			return
		}
	}
	// One confirmation mail per address per hour, whoever asks.
	token, claimed, err := s.DB.ClaimConfirmationMail(ctx, sub.ID, now, confirmGap)
	if err != nil {
		s.serverError(w, err)
		return
	}
	if !claimed {
		s.Logger.Info("confirmation mail not sent: one went to this address less than an hour ago", "subscriber_id", sub.ID)
	} else if err := s.Notifier.SendConfirmation(ctx, sub, token, now); err != nil {
		s.Logger.Warn("confirmation mail not sent", "subscriber_id", sub.ID, "err", err)
		s.DB.ReleaseConfirmationMail(context.WithoutCancel(ctx), sub.ID)
		s.message(w, http.StatusServiceUnavailable, "暂时无法发送邮件", "确认邮件暂时无法发出，请稍后再试。")
		return
	}
	// The same answer whether or not the address was known: the page
	// tells nobody who is subscribed.
	s.message(w, http.StatusOK, "请查收邮件", "如果地址有效，我们已向它发送了一封邮件，请按邮件中的链接完成订阅。")
}

// bySubscriberToken loads the subscriber a manage link belongs to.
func (s *Server) bySubscriberToken(w http.ResponseWriter, r *http.Request) (store.Subscriber, bool) {
	sub, err := s.DB.SubscriberByToken(r.Context(), "manage", r.PathValue("token"))
	if err != nil {
		s.message(w, http.StatusNotFound, "链接无效", "这个链接无效或已过期。")
		return sub, false
	}
	return sub, true
}

// confirmSub loads the pending subscriber a confirmation link belongs to.
func (s *Server) confirmSub(w http.ResponseWriter, r *http.Request) (store.Subscriber, bool) {
	sub, err := s.DB.PendingByConfirmToken(r.Context(), r.PathValue("token"))
	if err != nil {
		s.message(w, http.StatusNotFound, "链接无效", "这个确认链接无效、已经用过或已过期。需要时请重新订阅。")
		return sub, false
	}
	return sub, true
}

func (s *Server) confirmForm(w http.ResponseWriter, r *http.Request) {
	sub, ok := s.confirmSub(w, r)
	if !ok {
		return
	}
	// A GET changes nothing: mail scanners open links.
	s.render(w, "confirm", http.StatusOK, map[string]any{"Title": "确认订阅", "Email": sub.Email, "Token": r.PathValue("token"),
		"CSRF": s.csrfToken(w, r)})
}

func (s *Server) confirm(w http.ResponseWriter, r *http.Request) {
	if _, ok := s.confirmSub(w, r); !ok {
		return
	}
	if err := r.ParseForm(); err != nil || !s.csrfOK(r) {
		s.message(w, http.StatusForbidden, "请求无效", "页面已过期，请重新打开邮件中的链接。")
		return
	}
	sub, err := s.DB.Confirm(r.Context(), r.PathValue("token"))
	if errors.Is(err, store.ErrNotFound) {
		s.message(w, http.StatusNotFound, "链接无效", "这个确认链接无效、已经用过或已过期。需要时请重新订阅。")
		return
	}
	if err != nil {
		s.serverError(w, err)
		return
	}
	http.Redirect(w, r, "/preferences/"+sub.UnsubscribeToken+"?confirmed=1", http.StatusSeeOther)
}

// feedURL is a subscriber's feed, and the same as a webcal:// link (which
// html/template would refuse as an unknown scheme: it is built only from
// the configured base URL and a random token, so it is marked safe).
func (s *Server) feedURL(sub store.Subscriber) (string, template.URL) {
	u := strings.TrimRight(s.Config.BaseURL, "/") + "/feed/" + sub.FeedToken + ".ics"
	return u, webcalOf(u)
}

func webcalOf(u string) template.URL {
	p, err := url.Parse(u)
	if err != nil || (p.Scheme != "http" && p.Scheme != "https") {
		return ""
	}
	p.Scheme = "webcal"
	return template.URL(p.String())
}

func (s *Server) preferencesData(w http.ResponseWriter, r *http.Request, sub store.Subscriber) map[string]any {
	feed, webcal := s.feedURL(sub)
	return map[string]any{"Title": "订阅设置", "Email": sub.Email, "Token": sub.UnsubscribeToken, "CSRF": s.csrfToken(w, r),
		"Name": sub.Name, "Regions": strings.Join(sub.Regions, ","), "Keywords": strings.Join(sub.Keywords, ","),
		"LeadClose": strings.Join(sub.LeadClose, ","), "Digest": sub.Digest, "FeedURL": feed, "Webcal": webcal}
}

func (s *Server) preferencesForm(w http.ResponseWriter, r *http.Request) {
	sub, ok := s.bySubscriberToken(w, r)
	if !ok {
		return
	}
	if sub.Status == "unsubscribed" {
		s.message(w, http.StatusOK, "已退订", "这个地址已经退订。需要时可以重新订阅。")
		return
	}
	data := s.preferencesData(w, r, sub)
	data["Saved"] = r.URL.Query().Get("saved") == "1"
	data["Confirmed"] = r.URL.Query().Get("confirmed") == "1"
	s.render(w, "preferences", http.StatusOK, data)
}

func (s *Server) preferences(w http.ResponseWriter, r *http.Request) {
	sub, ok := s.bySubscriberToken(w, r)
	if !ok {
		return
	}
	r.Body = http.MaxBytesReader(w, r.Body, 16<<10)
	if err := r.ParseForm(); err != nil || !s.csrfOK(r) {
		s.message(w, http.StatusForbidden, "请求无效", "页面已过期，请重新打开订阅设置。")
		return
	}
	sub.Name = strings.Join(strings.Fields(r.PostFormValue("name")), " ")
	if utf8.RuneCountInString(sub.Name) > 40 {
		sub.Name = string([]rune(sub.Name)[:40])
	}
	sub.Regions, sub.Keywords = splitList(r.PostFormValue("regions")), splitList(r.PostFormValue("keywords"))
	switch d := r.PostFormValue("digest"); d {
	case "off", "daily", "weekly":
		sub.Digest = d
	}
	sub.LeadClose = nil
	if lc := strings.TrimSpace(r.PostFormValue("lead_close")); lc != "" {
		leads, err := notify.ParseLeads(lc)
		if err != nil {
			data := s.preferencesData(w, r, sub)
			data["Error"] = "提醒时间的格式不对，例如：7d,3d,1d"
			s.render(w, "preferences", http.StatusBadRequest, data)
			return
		}
		sub.LeadClose = leads
	}
	if err := s.DB.UpdatePreferences(r.Context(), sub); err != nil {
		s.serverError(w, err)
		return
	}
	http.Redirect(w, r, "/preferences/"+sub.UnsubscribeToken+"?saved=1", http.StatusSeeOther)
}

func (s *Server) unsubscribeForm(w http.ResponseWriter, r *http.Request) {
	sub, ok := s.bySubscriberToken(w, r)
	if !ok {
		return
	}
	s.render(w, "unsubscribe", http.StatusOK, map[string]any{"Title": "退订", "Email": sub.Email, "Token": sub.UnsubscribeToken,
		"CSRF": s.csrfToken(w, r)})
}

// unsubscribe takes the RFC 8058 one-click POST from a mail client (no
// cookie, no CSRF field: the token in the URL is the authority) as well as
// the form on the page.
func (s *Server) unsubscribe(w http.ResponseWriter, r *http.Request) {
	sub, ok := s.bySubscriberToken(w, r)
	if !ok {
		return
	}
	if err := s.DB.SetSubscriberStatus(r.Context(), sub.ID, "unsubscribed"); err != nil {
		s.serverError(w, err)
		return
	}
	s.message(w, http.StatusOK, "已退订", "已退订，您不会再收到申报提醒。")
}

type upcomingRow struct {
	Title, What, When, URL, Class string
	Left, Width                   int
	// Style places the bar: made here from two integers, so the template
	// does not escape each number in a style attribute (a thousand rows).
	Style template.CSS
}

// upcomingLimit caps the timeline; a region narrows it.
const upcomingLimit = 500

// upcoming shows the next days as a timeline: a bar per window from its
// opening to its closing, today marked.
func (s *Server) upcoming(w http.ResponseWriter, r *http.Request) {
	const days, before = 60, 7
	loc := s.Config.Location
	now := s.Now().In(loc)
	today := time.Date(now.Year(), now.Month(), now.Day(), 0, 0, 0, 0, loc)
	start, end := today.AddDate(0, 0, -before), today.AddDate(0, 0, days)
	region := strings.TrimSpace(r.URL.Query().Get("region"))
	if utf8.RuneCountInString(region) > 20 {
		region = ""
	}
	// The page reads only the windows on its timeline, at most
	// upcomingLimit of them, so it costs the same however much history the
	// database holds.
	f := store.WindowFilter{UpcomingFrom: today.Format("2006-01-02"), StartsBy: end.Format("2006-01-02"), Region: region, Limit: upcomingLimit + 1}
	ws, err := s.DB.Windows(r.Context(), f)
	if err != nil {
		s.serverError(w, err)
		return
	}
	// The region choice: the regions watched, and those of the windows shown.
	regions, err := s.DB.SourceRegions(r.Context())
	if err != nil {
		s.serverError(w, err)
		return
	}
	for _, x := range ws {
		if x.Region != "" && !slices.Contains(regions, x.Region) {
			regions = append(regions, x.Region)
		}
	}
	sort.Strings(regions)
	more := len(ws) > upcomingLimit
	if more {
		ws = ws[:upcomingLimit]
	}
	span := float64(end.Sub(start))
	pct := func(t time.Time) int {
		switch {
		case t.Before(start):
			return 0
		case t.After(end):
			return 100
		}
		return int(float64(t.Sub(start)) / span * 100)
	}
	rows := make([]upcomingRow, 0, len(ws))
	for _, x := range ws {
		op, okO := time.ParseInLocation("2006-01-02", x.Opens, loc)
		cl, okC := time.ParseInLocation("2006-01-02", x.Closes, loc)
		from, to := start, end
		if okO == nil {
			from = op
		}
		if okC == nil {
			to = cl.AddDate(0, 0, 1)
		}
		row := upcomingRow{Title: x.Title, What: x.Label, URL: x.NoticeURL, Left: pct(from)}
		row.Width = max(1, pct(to)-row.Left)
		row.Style = template.CSS(fmt.Sprintf("left:%d%%;width:%d%%", row.Left, row.Width))
		switch {
		case okO == nil && op.After(today):
			row.Class = "soon"
		case okC == nil && cl.Sub(today) <= 7*24*time.Hour:
			row.Class = "closing"
		default:
			row.Class = "open"
		}
		var when []string
		if okO == nil {
			when = append(when, x.Opens+" 开始")
		}
		if okC == nil {
			c := x.Closes + " 截止"
			if x.ClosesTime != "" {
				c = x.Closes + " " + x.ClosesTime + " 截止"
			}
			when = append(when, c)
		}
		row.When = strings.Join(when, " · ")
		rows = append(rows, row)
	}
	var feedLink template.URL
	if s.Config.PublicFeed {
		u := strings.TrimRight(s.Config.BaseURL, "/") + "/feed/public.ics"
		if region != "" {
			u += "?" + url.Values{"region": {region}}.Encode()
		}
		feedLink = webcalOf(u)
	}
	s.render(w, "upcoming", http.StatusOK, map[string]any{"Title": "近期申报", "Days": days, "Region": region, "Regions": regions,
		"Windows": rows, "More": more, "Limit": upcomingLimit, "Today": today.Format("2006-01-02"), "TodayPct": pct(today), "TodayStyle": template.CSS(fmt.Sprintf("left:%d%%", pct(today))), "FeedLink": feedLink})
}
