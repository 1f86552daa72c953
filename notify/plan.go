package notify

import (
	"context"
	"fmt"
	"slices"
	"sort"
	"strings"
	"time"

	"github.com/grantwatch/grantwatch/leadtime"
	"github.com/grantwatch/grantwatch/store"
)

// Config is what the notifier needs to know (from config [notify], [smtp],
// [http] and admin_email).
type Config struct {
	Hour            int // local hour reminders are due
	LeadOpen        []time.Duration
	LeadClose       []time.Duration
	Location        *time.Location
	BaseURL         string // links in mails: feed, unsubscribe, preferences
	From            string
	FromName        string
	AdminEmail      string
	RetryBackoff    time.Duration
	RetryBackoffMax time.Duration
	DigestWeekday   time.Weekday
	DigestDays      int
	// ClaimTTL is how long (wall time) a claimed delivery stays this
	// sender's without renewal before another may take it over (0: 5
	// minutes). Renewed every third of it while sending.
	ClaimTTL time.Duration
}

// reminder is one planned reminder of a window for a subscriber.
type reminder struct {
	kind      string // open or close
	lead      time.Duration
	eventDate string    // YYYY-MM-DD the reminder is about
	eventKey  string    // eventDate, with the time of day when there is one
	due       time.Time // when it should go out
	happened  time.Time // after this, what it announces is past
}

func (c Config) localDay(date string) (time.Time, bool) {
	t, err := time.ParseInLocation("2006-01-02", date, c.Location)
	return t, err == nil
}

// closeInstant is when a window closes: its day and time of day, or the
// end of its day. "24:00" is the end of that day, too.
func (c Config) closeInstant(w store.Window) (time.Time, bool) {
	day, ok := c.localDay(w.Closes)
	if !ok {
		return time.Time{}, false
	}
	if w.ClosesTime != "" && w.ClosesTime != "24:00" {
		if t, err := time.Parse("15:04", w.ClosesTime); err == nil {
			return day.Add(time.Duration(t.Hour())*time.Hour + time.Duration(t.Minute())*time.Minute), true
		}
	}
	return day.AddDate(0, 0, 1), true
}

// dueAt is when a reminder with this lead goes out: whole-day leads at the
// configured hour of the day that many days before the event's day; other
// leads that long before the event's instant.
func (c Config) dueAt(eventDay, eventInstant time.Time, lead time.Duration) time.Time {
	if lead%(24*time.Hour) == 0 {
		days := int(lead / (24 * time.Hour))
		d := eventDay.AddDate(0, 0, -days)
		return time.Date(d.Year(), d.Month(), d.Day(), c.Hour, 0, 0, 0, c.Location)
	}
	return eventInstant.Add(-lead)
}

// reminders lists the reminders a window should have for a subscriber
// with these leads (nil: the configured defaults).
func (c Config) reminders(w store.Window, leadOpen, leadClose []time.Duration) []reminder {
	if leadOpen == nil {
		leadOpen = c.LeadOpen
	}
	if leadClose == nil {
		leadClose = c.LeadClose
	}
	var out []reminder
	if day, ok := c.localDay(w.Opens); ok {
		for _, l := range leadOpen {
			out = append(out, reminder{kind: "open", lead: l, eventDate: w.Opens, eventKey: w.Opens,
				due: c.dueAt(day, day, l), happened: day.AddDate(0, 0, 1)})
		}
	}
	if inst, ok := c.closeInstant(w); ok {
		day, _ := c.localDay(w.Closes)
		key := w.Closes
		if w.ClosesTime != "" {
			key += "T" + w.ClosesTime
		}
		for _, l := range leadClose {
			out = append(out, reminder{kind: "close", lead: l, eventDate: w.Closes, eventKey: key,
				due: c.dueAt(day, inst, l), happened: inst})
		}
	}
	return out
}

func reminderKey(subID, winID int64, r reminder) string {
	return fmt.Sprintf("r/s%d/w%d/%s/%s/%s", subID, winID, r.kind, FormatLead(r.lead), r.eventKey)
}

// planPair plans a subscriber's reminders of one window at now:
//   - reminders still to come are planned for their time;
//   - of those whose time has passed while what they announce has not,
//     the latest is planned for now (a window found two days before it
//     closes gets a reminder now, not nothing) and the others are recorded
//     as skipped;
//   - those about something already past are recorded as skipped.
//
// It returns the deliveries and the keys that are valid for the window's
// current dates.
func (c Config) planPair(s store.Subscriber, w store.WindowView, now time.Time, wantKeep bool) ([]store.Delivery, map[string]bool) {
	leadOpen, _ := leadtime.Durations(s.LeadOpen)
	leadClose, _ := leadtime.Durations(s.LeadClose)
	rs := c.reminders(w.Window, leadOpen, leadClose)
	var keep map[string]bool // the keys planned now, when asked for: only a pair with deliveries needs them
	if wantKeep {
		keep = map[string]bool{}
	}
	var out []store.Delivery
	for _, kind := range []string{"open", "close"} {
		var catchUp *reminder
		for i := range rs {
			r := rs[i]
			if r.kind != kind {
				continue
			}
			key := reminderKey(s.ID, w.ID, r)
			if keep != nil {
				keep[key] = true
			}
			d := store.Delivery{DedupKey: key, SubscriberID: s.ID, WindowID: w.ID, Kind: kind, Lead: FormatLead(r.lead),
				Revision: w.Revision, EventDate: r.eventKey, DueAt: r.due}
			switch {
			case !now.Before(r.happened):
				d.Status, d.LastError = "skipped", "what it announces had already happened when it was planned"
			case r.due.After(now):
				// to come
			default:
				if catchUp == nil || r.due.After(catchUp.due) {
					catchUp = &rs[i]
				}
				continue
			}
			out = append(out, d)
		}
		for i := range rs {
			r := rs[i]
			if r.kind != kind || r.due.After(now) || !now.Before(r.happened) {
				continue
			}
			d := store.Delivery{DedupKey: reminderKey(s.ID, w.ID, r), SubscriberID: s.ID, WindowID: w.ID, Kind: kind,
				Lead: FormatLead(r.lead), Revision: w.Revision, EventDate: r.eventKey, DueAt: r.due}
			if catchUp != nil && r.due.Equal(catchUp.due) && r.lead == catchUp.lead {
				d.DueAt = now
			} else {
				d.Status, d.LastError = "skipped", "superseded: a later reminder of the same window was due"
			}
			out = append(out, d)
		}
	}
	return out, keep
}

// Matches reports whether a window's notice is one a subscriber asked
// for: each filter that is set must match (regions against the notice's
// region, issuer or title; issuers against its issuer; keywords against
// its title and text).
func Matches(s store.Subscriber, w store.WindowView, text string) bool {
	region := func(r string) bool {
		return r == w.Region || strings.Contains(w.Issuer, r) || strings.Contains(w.Title, r) || r == "全国" && w.Region == ""
	}
	issuer := func(i string) bool { return strings.Contains(w.Issuer, i) }
	keyword := func(k string) bool { return strings.Contains(w.Title, k) || strings.Contains(text, k) }
	// An empty filter lets everything through.
	return (len(s.Regions) == 0 || slices.ContainsFunc(s.Regions, region)) &&
		(len(s.Issuers) == 0 || slices.ContainsFunc(s.Issuers, issuer)) &&
		(len(s.Keywords) == 0 || slices.ContainsFunc(s.Keywords, keyword))
}

// PlanResult counts what planning did.
type PlanResult struct {
	Planned     int // reminder, correction, digest and alert rows inserted
	Cancelled   int // pending reminders whose dates no longer hold
	Corrections int
	Withdrawals int // notes that a window reminded of was withdrawn
}

// Plan brings the deliveries table up to date at now: reminders for every
// active subscriber and matching window, corrections for windows that
// moved after a reminder went out, notes for windows withdrawn after a
// reminder went out, cancellations for reminders whose dates
// no longer hold, digests that are due, and admin alerts for flagged
// sources. Running it twice at the same instant changes nothing.
func (n *Notifier) Plan(ctx context.Context, now time.Time) (PlanResult, error) {
	var res PlanResult
	subs, err := n.DB.Subscribers(ctx)
	if err != nil {
		return res, err
	}
	today := now.In(n.Config.Location).AddDate(0, 0, -1).Format("2006-01-02")
	// Live windows only: active, of notices still up, not closed.
	ws, err := n.DB.Windows(ctx, store.WindowFilter{UpcomingFrom: today})
	if err != nil {
		return res, err
	}
	texts, err := n.DB.NoticeTexts(ctx, store.NoticeIDs(ws))
	if err != nil {
		return res, err
	}
	k, err := n.DB.CancelInactive(ctx, "subscriber or window no longer active")
	if err != nil {
		return res, err
	}
	res.Cancelled += k
	var plans []store.Delivery
	// Whoever was reminded of a window that has since been withdrawn gets
	// one note saying so.
	gone, err := n.DB.WithdrawnReminded(ctx, today)
	if err != nil {
		return res, err
	}
	for _, g := range gone {
		plans = append(plans, store.Delivery{DedupKey: fmt.Sprintf("x/s%d/w%d", g.SubscriberID, g.WindowID),
			SubscriberID: g.SubscriberID, WindowID: g.WindowID, Kind: "withdrawn", DueAt: now})
		res.Withdrawals++
	}
	// What is already planned for the live windows, read once: planning
	// compares against it in memory instead of asking per pair.
	live, err := n.DB.LiveDeliveries(ctx, today)
	if err != nil {
		return res, err
	}
	type pair struct{ s, w int64 }
	existing := map[pair][]store.Delivery{}
	planned := make(map[string]bool, len(live))
	for _, d := range live {
		existing[pair{d.SubscriberID, d.WindowID}] = append(existing[pair{d.SubscriberID, d.WindowID}], d)
		planned[d.DedupKey] = true
	}
	// Reminders are planned when they are due within planHorizon: a run
	// writes what is new, not every reminder of every window again.
	horizon := now.Add(planHorizon)
	flush := func() error {
		sort.SliceStable(plans, func(i, j int) bool { return plans[i].DueAt.Before(plans[j].DueAt) })
		k, err := n.DB.PlanDeliveries(ctx, plans)
		if err != nil {
			return err
		}
		res.Planned += k
		for _, p := range plans {
			if p.Kind == "correction" {
				res.Corrections++
			}
		}
		plans = plans[:0]
		return nil
	}
	idx := indexWindows(subs, ws, texts)
	for _, s := range subs {
		if err := ctx.Err(); err != nil {
			return res, err
		}
		if s.Status != "active" {
			continue
		}
		for _, i := range idx.candidates(s) {
			w := ws[i]
			if !Matches(s, w, texts[w.NoticeID]) {
				continue
			}
			have := existing[pair{s.ID, w.ID}]
			ds, keep := n.Config.planPair(s, w, now, len(have) > 0)
			if len(have) > 0 {
				k, err := n.DB.CancelPendingOf(ctx, have, keep, "the window's dates changed")
				if err != nil {
					return res, err
				}
				res.Cancelled += k
			}
			for _, d := range ds {
				if !planned[d.DedupKey] && !d.DueAt.After(horizon) {
					plans = append(plans, d)
				}
			}
			if c, ok := correction(s, w, have, now); ok && !planned[c.DedupKey] {
				plans = append(plans, c)
			}
		}
		if d, ok := n.Config.digestDue(s, now); ok {
			plans = append(plans, d)
		}
		// Written as they come, a few thousand at a time: memory follows
		// one chunk, not the whole morning's mail.
		if len(plans) >= planChunk {
			if err := flush(); err != nil {
				return res, err
			}
		}
	}
	alerts, err := n.alertsDue(ctx, now)
	if err != nil {
		return res, err
	}
	plans = append(plans, alerts...)
	if err := flush(); err != nil {
		return res, err
	}
	return res, nil
}

// planChunk is how many planned deliveries are written per transaction.
const planChunk = 5000

// planHorizon is how far ahead reminders are written to the store. Each
// run plans what falls due within it; later ones are planned by later runs
// (the daemon plans every tick), so a run's writes follow the mail to come,
// not the number of windows and subscribers.
const planHorizon = 48 * time.Hour

// windowIndex narrows the live windows worth matching against each
// subscriber: those a region matches (found once per region any
// subscriber names) and those whose notice holds a keyword (once per
// keyword), so planning costs what subscribers match, not every
// subscriber times every window. Matches still decides.
type windowIndex struct {
	all       []int
	byRegion  map[string][]int
	byKeyword map[string][]int
}

func indexWindows(subs []store.Subscriber, ws []store.WindowView, texts map[int64]string) *windowIndex {
	x := &windowIndex{all: make([]int, len(ws)), byRegion: map[string][]int{}, byKeyword: map[string][]int{}}
	for i := range ws {
		x.all[i] = i
	}
	for _, s := range subs {
		if s.Status != "active" {
			continue
		}
		for _, r := range s.Regions {
			if _, ok := x.byRegion[r]; ok {
				continue
			}
			only := store.Subscriber{Regions: []string{r}}
			x.byRegion[r] = []int{}
			for i, w := range ws {
				if Matches(only, w, "") {
					x.byRegion[r] = append(x.byRegion[r], i)
				}
			}
		}
		for _, k := range s.Keywords {
			if _, ok := x.byKeyword[k]; ok {
				continue
			}
			only := store.Subscriber{Keywords: []string{k}}
			x.byKeyword[k] = []int{}
			for i, w := range ws {
				if Matches(only, w, texts[w.NoticeID]) {
					x.byKeyword[k] = append(x.byKeyword[k], i)
				}
			}
		}
	}
	return x
}

// candidates are the windows that may match s: the smaller of its
// regions' and its keywords' unions, or all.
func (x *windowIndex) candidates(s store.Subscriber) []int {
	union := func(keys []string, m map[string][]int) []int {
		if len(keys) == 1 {
			return m[keys[0]]
		}
		seen := map[int]bool{}
		var out []int
		for _, k := range keys {
			for _, i := range m[k] {
				if !seen[i] {
					seen[i] = true
					out = append(out, i)
				}
			}
		}
		sort.Ints(out)
		return out
	}
	best := x.all
	if len(s.Regions) > 0 {
		best = union(s.Regions, x.byRegion)
	}
	if len(s.Keywords) > 0 {
		if k := union(s.Keywords, x.byKeyword); len(k) < len(best) {
			best = k
		}
	}
	return best
}

// eventKeys are what a window's reminders announce now: its opening day,
// and its closing day with the time of day.
func eventKeys(w store.Window) (open, close string) {
	close = w.Closes
	if w.ClosesTime != "" && close != "" {
		close += "T" + w.ClosesTime
	}
	return w.Opens, close
}

// correction plans a 截止时间调整 mail when a reminder that was sent to this
// subscriber (ds: the pair's deliveries) announced a date the window no
// longer has.
func correction(s store.Subscriber, w store.WindowView, ds []store.Delivery, now time.Time) (store.Delivery, bool) {
	open, close := eventKeys(w.Window)
	stale := false
	for _, d := range ds {
		if d.Status != "sent" {
			continue
		}
		if d.Kind == "close" && d.EventDate != close || d.Kind == "open" && d.EventDate != open {
			stale = true
		}
	}
	if !stale {
		return store.Delivery{}, false
	}
	return store.Delivery{DedupKey: fmt.Sprintf("c/s%d/w%d/r%d", s.ID, w.ID, w.Revision), SubscriberID: s.ID, WindowID: w.ID,
		Kind: "correction", Revision: w.Revision, EventDate: close, DueAt: now}, true
}

// digestPeriod names the digest period holding now, and when its digest
// is due: every day at the hour, or on the digest weekday.
func (c Config) digestPeriod(freq string, now time.Time) (string, time.Time, bool) {
	local := now.In(c.Location)
	day := time.Date(local.Year(), local.Month(), local.Day(), c.Hour, 0, 0, 0, c.Location)
	switch freq {
	case "daily":
		return day.Format("2006-01-02"), day, true
	case "weekly":
		back := (int(day.Weekday()) - int(c.DigestWeekday) + 7) % 7
		start := day.AddDate(0, 0, -back)
		y, wk := start.ISOWeek()
		return fmt.Sprintf("%d-W%02d", y, wk), start, true
	}
	return "", time.Time{}, false
}

func (c Config) digestDue(s store.Subscriber, now time.Time) (store.Delivery, bool) {
	if s.Status != "active" {
		return store.Delivery{}, false
	}
	period, due, ok := c.digestPeriod(s.Digest, now)
	if !ok || due.After(now) {
		return store.Delivery{}, false
	}
	return store.Delivery{DedupKey: fmt.Sprintf("d/s%d/%s", s.ID, period), SubscriberID: s.ID, Kind: "digest",
		Period: period, DueAt: due}, true
}

// alertsDue plans one admin mail per flagged source and incident.
func (n *Notifier) alertsDue(ctx context.Context, now time.Time) ([]store.Delivery, error) {
	if n.Config.AdminEmail == "" {
		return nil, nil
	}
	srcs, err := n.DB.Sources(ctx)
	if err != nil {
		return nil, err
	}
	var out []store.Delivery
	for _, s := range srcs {
		if s.Flag == "" || s.FlaggedAt().IsZero() {
			continue
		}
		out = append(out, store.Delivery{DedupKey: fmt.Sprintf("a/src%d/%s", s.ID, s.FlaggedAt().UTC().Format(time.RFC3339)),
			SourceID: s.ID, Kind: "admin", Recipient: n.Config.AdminEmail, DueAt: now})
	}
	return out, nil
}
