package notify

import (
	"bytes"
	"context"
	"fmt"
	"sort"
	"time"

	"github.com/grantwatch/grantwatch/store"
)

type digestWindow struct {
	Title, Short, What, NoticeURL string
	Opens, Closes                 string
	Before, Span, After           int // percent of the timeline
	Color                         string
}

type digestNotice struct {
	Title, URL, Published string
}

type tick struct {
	Label string
	Width int
}

type digestView struct {
	Greeting, Headline, PeriodName    string
	Days                              int
	Windows                           []digestWindow
	Notices                           []digestNotice
	Ticks                             []tick
	FeedURL, PrefsURL, UnsubscribeURL string
}

// Digest colours: open now, opening soon, closing soon.
const (
	colorOpen    = "#2da44e"
	colorSoon    = "#54aeff"
	colorClosing = "#cf222e"
)

// buildDigest gathers a subscriber's digest at now: windows opening or
// closing in the next DigestDays days and notices first seen since the
// last digest (or within the period).
func (n *Notifier) buildDigest(ctx context.Context, s store.Subscriber, since, now time.Time) (digestView, error) {
	c := n.Config
	v := digestView{Greeting: greeting(s), Days: c.DigestDays, PeriodName: "日报"}
	if s.Digest == "weekly" {
		v.PeriodName = "周报"
	}
	v.FeedURL, v.PrefsURL, v.UnsubscribeURL = c.links(s)
	local := now.In(c.Location)
	today := time.Date(local.Year(), local.Month(), local.Day(), 0, 0, 0, 0, c.Location)
	end := today.AddDate(0, 0, c.DigestDays)
	ws, err := n.DB.Windows(ctx, store.WindowFilter{UpcomingFrom: today.Format("2006-01-02")})
	if err != nil {
		return v, err
	}
	texts, err := n.DB.NoticeTexts(ctx, store.NoticeIDs(ws))
	if err != nil {
		return v, err
	}
	span := float64(end.Sub(today))
	pct := func(t time.Time) int {
		if t.Before(today) {
			return 0
		}
		if t.After(end) {
			return 100
		}
		return int(float64(t.Sub(today)) / span * 100)
	}
	for _, w := range ws {
		if !Matches(s, w, texts[w.NoticeID]) {
			continue
		}
		op, okO := c.localDay(w.Opens)
		cl, okC := c.localDay(w.Closes)
		inRange := okO && !op.Before(today) && op.Before(end) || okC && !cl.Before(today) && cl.Before(end)
		if !inRange {
			continue
		}
		dw := digestWindow{Title: w.Title, Short: shortTitle(w.Title, 24), What: w.Label, NoticeURL: w.NoticeURL}
		dw.Opens, dw.Closes = c.whenLine(w.Window)
		start, stop := today, end
		if okO {
			start = op
		}
		if okC {
			stop = cl.AddDate(0, 0, 1)
		}
		b, a := pct(start), pct(stop)
		if a <= b {
			a = min(100, b+2)
		}
		dw.Before, dw.Span, dw.After = b, a-b, 100-a
		switch {
		case okO && op.After(today):
			dw.Color = colorSoon
		case okC && cl.Sub(today) <= 3*24*time.Hour:
			dw.Color = colorClosing
		default:
			dw.Color = colorOpen
		}
		v.Windows = append(v.Windows, dw)
	}
	sort.SliceStable(v.Windows, func(i, j int) bool { return v.Windows[i].Before < v.Windows[j].Before })
	for d := 0; d < c.DigestDays; d += max(1, c.DigestDays/7) {
		t := today.AddDate(0, 0, d)
		v.Ticks = append(v.Ticks, tick{Label: fmt.Sprintf("%d/%d", int(t.Month()), t.Day()), Width: 100 * max(1, c.DigestDays/7) / c.DigestDays})
	}
	ns, err := n.DB.NoticesSince(ctx, since)
	if err != nil {
		return v, err
	}
	for _, nt := range ns {
		w := store.WindowView{Title: nt.Title, Issuer: nt.Issuer, Region: nt.Region}
		if Matches(s, w, nt.Text) {
			v.Notices = append(v.Notices, digestNotice{Title: nt.Title, URL: nt.URL, Published: nt.Published})
		}
	}
	v.Headline = fmt.Sprintf("%d个新通知，%d个申报窗口即将开始或截止", len(v.Notices), len(v.Windows))
	return v, nil
}

// renderDigest renders a digest delivery; empty reports nothing to say.
func (n *Notifier) renderDigest(ctx context.Context, d store.Delivery, s store.Subscriber, now time.Time) (message, bool, error) {
	since := s.LastDigestAt
	if since.IsZero() {
		since = now.AddDate(0, 0, -1)
		if s.Digest == "weekly" {
			since = now.AddDate(0, 0, -7)
		}
	}
	v, err := n.buildDigest(ctx, s, since, now)
	if err != nil {
		return message{}, false, err
	}
	if len(v.Windows) == 0 && len(v.Notices) == 0 {
		return message{}, true, nil
	}
	m, err := n.Config.renderDigestView(d, s, v)
	return m, false, err
}

func (c Config) renderDigestView(d store.Delivery, s store.Subscriber, v digestView) (message, error) {
	var html, text bytes.Buffer
	if err := htmlTmpl.ExecuteTemplate(&html, "digest.html.tmpl", v); err != nil {
		return message{}, fmt.Errorf("render digest: %w", err)
	}
	if err := textTmpl.ExecuteTemplate(&text, "digest.txt.tmpl", v); err != nil {
		return message{}, fmt.Errorf("render digest: %w", err)
	}
	subject := fmt.Sprintf("【申报%s】%s", v.PeriodName, v.Headline)
	return c.subscriberMessage(d, s, subject, text.String(), html.String(), v.UnsubscribeURL), nil
}

// PreviewDigest renders the HTML digest a subscriber would get at now,
// sending and writing nothing.
func (n *Notifier) PreviewDigest(ctx context.Context, s store.Subscriber, now time.Time) (string, error) {
	since := s.LastDigestAt
	if since.IsZero() {
		since = now.AddDate(0, 0, -7)
	}
	v, err := n.buildDigest(ctx, s, since, now)
	if err != nil {
		return "", err
	}
	var html bytes.Buffer
	if err := htmlTmpl.ExecuteTemplate(&html, "digest.html.tmpl", v); err != nil {
		return "", fmt.Errorf("render digest: %w", err)
	}
	return html.String(), nil
}
