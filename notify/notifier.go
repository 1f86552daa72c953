package notify

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"

	"github.com/grantwatch/grantwatch/leadtime"
	"github.com/grantwatch/grantwatch/store"
)

// Notifier plans and sends: reminders before windows open and close,
// corrections, digests and admin alerts, each exactly once as far as SMTP
// allows.
//
// The pipeline, per delivery: claim it (pending → sending, in a
// transaction), check it still makes sense, render, send, and only then
// mark it sent. A temporary failure (4xx, no connection) puts it back with
// a backoff; a permanent one (5xx) is recorded and not retried.
//
// The one gap SMTP leaves: if the process dies after the server accepted a
// message and before it is marked sent, the next run sends that one mail
// again (with the same Message-ID). Nothing else is ever sent twice.
type Notifier struct {
	DB     *store.DB
	Config Config
	Logger *slog.Logger
	Mailer *Mailer
	// Wall is the real clock, for the sender lease (whether a process is
	// still alive is a matter of real time, not of the instant planned
	// for). nil: time.Now.
	Wall func() time.Time
}

// leaseTTL: a sender that has not renewed its lease for this long (wall
// time) is taken to be stuck, even if its process still exists.
const leaseTTL = 5 * time.Minute

func (n *Notifier) claimTTL() time.Duration {
	if n.Config.ClaimTTL > 0 {
		return n.Config.ClaimTTL
	}
	return leaseTTL
}

func (n *Notifier) wall() time.Time {
	if n.Wall != nil {
		return n.Wall()
	}
	return time.Now()
}

// processAlive reports whether a process with this PID exists.
func processAlive(pid int) bool {
	if pid <= 0 {
		return false
	}
	err := syscall.Kill(pid, 0)
	return err == nil || errors.Is(err, syscall.EPERM)
}

// RunResult counts what a run did.
type RunResult struct {
	PlanResult
	Sent, Retried, Failed, Skipped, Cancelled int
	Subjects                                  []string // of the mails sent, in order
}

// RunOnce plans, then sends everything due at now (of the given kinds
// only, when some are given: `digest --once` sends digests).
func (n *Notifier) RunOnce(ctx context.Context, now time.Time, kinds ...string) (RunResult, error) {
	var res RunResult
	owner := fmt.Sprintf("%d-%d", os.Getpid(), n.wall().UnixNano())
	if !n.DB.Shared() {
		// One sender at a time on a file; a sender that died leaves its
		// claims to us at once. On a shared store every daemon sends, each
		// delivery claimed with a lease that a dead sender's lets run out.
		recovered, err := n.DB.AcquireSenderLease(ctx, owner, os.Getpid(), n.wall(), leaseTTL, processAlive)
		if err != nil {
			return res, err
		}
		defer n.DB.ReleaseSenderLease(context.WithoutCancel(ctx), owner)
		if recovered > 0 {
			n.Logger.Warn("deliveries left by a sender that stopped are sent again", "count", recovered)
		}
	}
	// Claims are renewed while this run goes on, however long a batch takes.
	ttl := n.claimTTL()
	defer n.DB.KeepClaims(ctx, owner, ttl, func(err error) { n.Logger.Warn("claims not renewed", "err", err) })()
	pr, err := n.Plan(ctx, now)
	if err != nil {
		return res, fmt.Errorf("plan: %w", err)
	}
	res.PlanResult = pr
	skipped, err := n.DB.SkipSuperseded(ctx, now)
	if err != nil {
		return res, err
	}
	res.Skipped += skipped
	// As many deliveries at once as the mailer has connections, each
	// recorded only after its own send. The workers run for the whole
	// run and are fed from a queue one batch deep, so that the next batch
	// is claimed and read while this one is sent, not after it.
	type job struct {
		d    store.Delivery
		data *batchData
	}
	const batchSize = 200
	work := make(chan job, batchSize)
	var mu sync.Mutex
	var wg sync.WaitGroup
	for w := 0; w < n.Mailer.Connections(); w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			var r RunResult
			var rec recording
			for j := range work {
				n.deliver(ctx, owner, j.data, j.d, now, &r, &rec)
			}
			rec.settle()
			mu.Lock()
			res.add(r)
			mu.Unlock()
		}()
	}
	var claimErr error
claim:
	for ctx.Err() == nil {
		batch, err := n.DB.ClaimDue(ctx, now, owner, ttl, batchSize, kinds...)
		if err != nil {
			claimErr = err
			break
		}
		if len(batch) == 0 {
			break
		}
		n.DB.RenewSenderLease(ctx, owner, n.wall())
		latest := latestOfEach(batch)
		data := n.readBatch(ctx, batch)
		for i, d := range batch {
			if ctx.Err() != nil {
				// Shutting down: what this run claimed and did not try goes
				// back at once, not after the lease runs out. (What is in
				// the queue the workers give back.)
				bctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 5*time.Second)
				for _, rest := range batch[i:] {
					if err := n.DB.Unclaim(bctx, rest.ID); err != nil {
						n.Logger.Warn("claimed delivery not given back; the next sender takes it over", "delivery_id", rest.ID, "err", err)
					}
				}
				cancel()
				break claim
			}
			if (d.Kind == "open" || d.Kind == "close") && latest[pairEvent(d)] != d.ID {
				var r RunResult
				n.done(ctx, d, "skipped", "superseded: a later reminder of the same window was due", &r)
				mu.Lock()
				res.add(r)
				mu.Unlock()
				continue
			}
			work <- job{d, data}
		}
	}
	close(work)
	wg.Wait()
	if claimErr != nil {
		return res, claimErr
	}
	return res, ctx.Err()
}

// add counts another worker's deliveries.
func (r *RunResult) add(o RunResult) {
	r.Sent += o.Sent
	r.Retried += o.Retried
	r.Failed += o.Failed
	r.Skipped += o.Skipped
	r.Cancelled += o.Cancelled
	r.Subjects = append(r.Subjects, o.Subjects...)
}

func pairEvent(d store.Delivery) string {
	return fmt.Sprintf("%d/%d/%s/%s", d.SubscriberID, d.WindowID, d.Kind, d.EventDate)
}

// latestOfEach picks, for each subscriber, window and event, the reminder
// that was due last: after downtime, one mail, not three.
func latestOfEach(batch []store.Delivery) map[string]int64 {
	best := map[string]store.Delivery{}
	for _, d := range batch {
		k := pairEvent(d)
		if b, ok := best[k]; !ok || d.DueAt.After(b.DueAt) || d.DueAt.Equal(b.DueAt) && d.ID > b.ID {
			best[k] = d
		}
	}
	out := map[string]int64{}
	for k, d := range best {
		out[k] = d.ID
	}
	return out
}

func (n *Notifier) done(ctx context.Context, d store.Delivery, status, reason string, res *RunResult) {
	if err := n.DB.MarkDone(ctx, d.ID, status, reason); err != nil {
		n.Logger.Error("mark delivery failed", "delivery_id", d.ID, "err", err)
		return
	}
	switch status {
	case "skipped":
		res.Skipped++
	case "cancelled":
		res.Cancelled++
	case "failed":
		res.Failed++
	}
	n.Logger.Info("delivery not sent", "delivery_id", d.ID, "kind", d.Kind, "status", status, "reason", reason)
}

// render checks that a delivery still makes sense and renders it. A
// delivery that no longer makes sense is ended with the status returned.
// batchData is what a batch of deliveries needs from the store, read
// with one query per kind instead of one per delivery. A delivery whose
// subscriber or window is not in it is read on its own.
type batchData struct {
	subs    map[int64]store.Subscriber
	windows map[int64]store.WindowView
	changes map[int64][]store.WindowChange
	drawn   bodies // the batch's reminders drawn once for all their recipients
}

func (b *batchData) bodies() *bodies {
	if b == nil {
		return nil
	}
	return &b.drawn
}

func (n *Notifier) readBatch(ctx context.Context, batch []store.Delivery) *batchData {
	var subIDs, winIDs []int64
	for _, d := range batch {
		if d.SubscriberID != 0 {
			subIDs = append(subIDs, d.SubscriberID)
		}
		if d.WindowID != 0 {
			winIDs = append(winIDs, d.WindowID)
		}
	}
	b := &batchData{}
	var err error
	if b.subs, err = n.DB.SubscribersByID(ctx, subIDs); err != nil {
		return nil
	}
	if b.windows, err = n.DB.WindowsByID(ctx, winIDs); err != nil {
		return nil
	}
	if b.changes, err = n.DB.WindowChangesOf(ctx, winIDs); err != nil {
		return nil
	}
	return b
}

func (n *Notifier) subscriber(ctx context.Context, b *batchData, id int64) (store.Subscriber, error) {
	if b != nil {
		if s, ok := b.subs[id]; ok {
			return s, nil
		}
	}
	return n.DB.Subscriber(ctx, strconv.FormatInt(id, 10))
}

func (n *Notifier) window(ctx context.Context, b *batchData, id int64) (store.WindowView, error) {
	if b != nil {
		if w, ok := b.windows[id]; ok {
			return w, nil
		}
	}
	return n.DB.WindowByID(ctx, id)
}

func (n *Notifier) windowChanges(ctx context.Context, b *batchData, id int64) ([]store.WindowChange, error) {
	if b != nil {
		if _, ok := b.windows[id]; ok {
			return b.changes[id], nil // read with the window: none is none
		}
	}
	return n.DB.WindowChanges(ctx, id)
}

func (n *Notifier) render(ctx context.Context, b *batchData, d store.Delivery, now time.Time) (message, string, string, error) {
	if d.Kind == "admin" {
		src, err := n.DB.Source(ctx, strconv.FormatInt(d.SourceID, 10))
		if err != nil {
			return message{}, "cancelled", "the source was removed", nil
		}
		m, err := n.Config.renderAdmin(d, src)
		return m, "", "", err
	}
	s, err := n.subscriber(ctx, b, d.SubscriberID)
	if errors.Is(err, store.ErrNotFound) || err == nil && s.Status != "active" {
		return message{}, "cancelled", "the subscriber is no longer active", nil
	}
	if err != nil {
		return message{}, "", "", err
	}
	if d.Kind == "digest" {
		m, empty, err := n.renderDigest(ctx, d, s, now)
		if err == nil && empty {
			return message{}, "skipped", "nothing to report this period", nil
		}
		return m, "", "", err
	}
	w, err := n.window(ctx, b, d.WindowID)
	if err != nil {
		return message{}, "cancelled", "the window was removed", nil
	}
	if d.Kind == "withdrawn" {
		if w.Status == "active" && w.NoticeStatus == "active" {
			return message{}, "cancelled", "the window is back in its notice", nil
		}
		m, err := n.Config.renderReminder(d, s, w, nil, now, b.bodies())
		return m, "", "", err
	}
	if w.Status != "active" {
		return message{}, "cancelled", "the window was withdrawn", nil
	}
	open, close := eventKeys(w.Window)
	switch d.Kind {
	case "open", "close":
		if d.Kind == "open" && d.EventDate != open || d.Kind == "close" && d.EventDate != close {
			return message{}, "cancelled", "the window's dates changed", nil
		}
		var happened time.Time
		if d.Kind == "open" {
			day, _ := n.Config.localDay(w.Opens)
			happened = day.AddDate(0, 0, 1)
		} else {
			happened, _ = n.Config.closeInstant(w.Window)
		}
		if !now.Before(happened) {
			return message{}, "skipped", "what it announces has already happened", nil
		}
		// A later reminder of the same event that went out, or is due too,
		// says it better: the store skipped those before this run claimed
		// (SkipSuperseded), whichever sender holds which.
	case "correction":
		if d.Revision != w.Revision {
			return message{}, "cancelled", "superseded by a later correction", nil
		}
	}
	changes, err := n.windowChanges(ctx, b, w.ID)
	if err != nil {
		return message{}, "", "", err
	}
	m, err := n.Config.renderReminder(d, s, w, changes, now, b.bodies())
	return m, "", "", err
}

// recording is a connection's last sent mail whose record may not be
// committed yet: deliver waits for it before the server can accept the
// next one (just before that one's end of data), so a crash leaves at most
// one mail per connection sent and unrecorded, while the record's commit
// overlaps the next mail's rendering, commands and drawing and groups with
// the other connections' records.
type recording struct{ wait func() }

func (r *recording) settle() {
	if r.wait != nil {
		r.wait()
		r.wait = nil
	}
}

func (n *Notifier) deliver(ctx context.Context, owner string, b *batchData, d store.Delivery, now time.Time, res *RunResult, rec *recording) {
	log := n.Logger.With("delivery_id", d.ID, "kind", d.Kind)
	m, endStatus, reason, err := n.render(ctx, b, d, now)
	if err != nil && ctx.Err() != nil {
		n.DB.Unclaim(context.WithoutCancel(ctx), d.ID) // a shutdown, not a fault
		return
	}
	if err != nil {
		log.Error("render failed", "err", err)
		n.retry(ctx, d, now, err.Error(), res)
		return
	}
	if endStatus != "" {
		n.done(ctx, d, endStatus, reason, res)
		return
	}
	msg, err := n.Config.build(m, now)
	if err != nil {
		n.done(ctx, d, "failed", err.Error(), res)
		return
	}
	// On a shared store the claim is confirmed, and extended, just before
	// the send: a sender that fell behind its lease (another took the
	// delivery over) leaves it to that one instead of sending it too. On a
	// file the sender lease already keeps every other sender away.
	if n.DB.Shared() {
		ok, err := n.DB.ConfirmClaim(ctx, d.ID, owner, n.claimTTL())
		if err != nil && ctx.Err() != nil {
			n.DB.Unclaim(context.WithoutCancel(ctx), d.ID) // a shutdown, not a fault
			return
		}
		if err != nil || !ok {
			if err != nil {
				log.Warn("claim not confirmed; the delivery is left to whoever holds it", "err", err)
			}
			return
		}
	}
	if ctx.Err() != nil {
		n.DB.Unclaim(context.WithoutCancel(ctx), d.ID) // a shutdown came before the send began
		return
	}
	// The previous mail's record is waited for at the last moment before
	// this one can be accepted (see SendAfter).
	err = n.Mailer.SendAfter(ctx, msg, rec.settle)
	if err != nil && ctx.Err() != nil && errors.Is(err, ctx.Err()) {
		// The shutdown stopped it while it waited for its turn or a
		// connection: nothing was sent.
		n.DB.Unclaim(context.WithoutCancel(ctx), d.ID)
		return
	}
	// Whatever happens to ctx now (a shutdown), what was sent is recorded:
	// the bookkeeping after a send cannot be cancelled.
	ctx = context.WithoutCancel(ctx)
	var se *SendError
	switch {
	case err == nil:
		rec.settle() // already, unless the session took no before
		done := n.DB.MarkSentAsync(ctx, d.ID, m.MessageID, now)
		rec.wait = func() {
			if err := <-done; err != nil {
				log.Error("mark sent failed (the mail went out)", "err", err)
				return
			}
			if d.Kind == "digest" {
				n.DB.SetLastDigest(ctx, d.SubscriberID, now)
			}
			res.Sent++
			res.Subjects = append(res.Subjects, m.Subject)
			log.Info("mail sent", "to_id", d.SubscriberID, "message_id", m.MessageID)
		}
	case errors.As(err, &se) && !se.Temporary:
		log.Warn("mail refused for good", "err", err)
		n.done(ctx, d, "failed", err.Error(), res)
	default:
		log.Warn("mail not sent, will retry", "err", err)
		n.retry(ctx, d, now, err.Error(), res)
	}
}

func (n *Notifier) retry(ctx context.Context, d store.Delivery, now time.Time, reason string, res *RunResult) {
	wait := n.Config.RetryBackoff
	for i := 1; i < d.Attempts && wait < n.Config.RetryBackoffMax; i++ {
		wait *= 2
	}
	wait = min(wait, n.Config.RetryBackoffMax)
	if err := n.DB.MarkRetry(ctx, d.ID, reason, now.Add(wait)); err != nil {
		n.Logger.Error("mark retry failed", "delivery_id", d.ID, "err", err)
		return
	}
	res.Retried++
}

// DueNow lists what a run at now would send, writing nothing: the
// reminders planning would add, and those already waiting. It reads what
// Plan reads (live windows, their deliveries) and narrows the same way.
func (n *Notifier) DueNow(ctx context.Context, now time.Time) ([]string, error) {
	subs, err := n.DB.Subscribers(ctx)
	if err != nil {
		return nil, err
	}
	today := now.In(n.Config.Location).AddDate(0, 0, -1).Format("2006-01-02")
	ws, err := n.DB.Windows(ctx, store.WindowFilter{UpcomingFrom: today})
	if err != nil {
		return nil, err
	}
	texts, err := n.DB.NoticeTexts(ctx, store.NoticeIDs(ws))
	if err != nil {
		return nil, err
	}
	live, err := n.DB.LiveDeliveries(ctx, today)
	if err != nil {
		return nil, err
	}
	have := make(map[string]string, len(live))
	for _, e := range live {
		have[e.DedupKey] = e.Status
	}
	idx := indexWindows(subs, ws, texts)
	var out []string
	seen := map[string]bool{}
	for _, s := range subs {
		if s.Status != "active" {
			continue
		}
		for _, i := range idx.candidates(s) {
			w := ws[i]
			if !Matches(s, w, texts[w.NoticeID]) {
				continue
			}
			ds, _ := n.Config.planPair(s, w, now, false)
			for _, d := range ds {
				st, ok := have[d.DedupKey]
				if ok && st != "pending" || !ok && d.Status != "" || d.DueAt.After(now) || seen[d.DedupKey] {
					continue
				}
				seen[d.DedupKey] = true
				out = append(out, fmt.Sprintf("%s %s %s before %s: %s (%s)", s.Email, d.Kind, d.Lead, d.EventDate, w.Title, w.Label))
			}
		}
	}
	return out, nil
}

// Lead times as the config writes them.
func ParseLeadConfig(l []string) ([]time.Duration, error) {
	out, err := leadtime.Durations(l)
	if err != nil {
		return nil, fmt.Errorf("lead times %s: %w", strings.Join(l, ","), err)
	}
	return out, nil
}
