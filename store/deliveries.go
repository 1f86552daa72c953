package store

import (
	"context"
	"database/sql"
	"fmt"
	"math"
	"strings"
	"time"
	"unicode/utf8"
)

// Delivery is one mail to send: a reminder, a correction, a digest or an
// admin alert.
type Delivery struct {
	ID            int64
	DedupKey      string
	SubscriberID  int64
	WindowID      int64
	SourceID      int64
	Kind          string // open, close, correction, digest, admin
	Lead          string // "3d"
	Revision      int
	EventDate     string // the day announced
	Period        string
	Recipient     string // admin alerts
	DueAt         time.Time
	Status        string // pending, sending, sent, failed, skipped, cancelled
	Attempts      int
	NextAttemptAt time.Time
	LastError     string
	MessageID     string
	SentAt        time.Time
	CreatedAt     time.Time
}

const deliveryCols = `id, dedup_key, subscriber_id, window_id, source_id, kind, lead, revision, event_date, period, recipient,
	due_at, status, attempts, next_attempt_at, last_error, message_id, sent_at, created_at`

func scanDelivery(row scanner) (Delivery, error) {
	var d Delivery
	var sub, win, src sql.NullInt64
	var due, next, sent, created sql.NullString
	if err := row.Scan(&d.ID, &d.DedupKey, &sub, &win, &src, &d.Kind, &d.Lead, &d.Revision, &d.EventDate, &d.Period,
		&d.Recipient, &due, &d.Status, &d.Attempts, &next, &d.LastError, &d.MessageID, &sent, &created); err != nil {
		return Delivery{}, err
	}
	d.SubscriberID, d.WindowID, d.SourceID = sub.Int64, win.Int64, src.Int64
	d.DueAt, d.NextAttemptAt, d.SentAt, d.CreatedAt = parseTime(due), parseTime(next), parseTime(sent), parseTime(created)
	return d, nil
}

// PlanDeliveries inserts deliveries whose keys are new; a key already
// planned (in any state) is left as it is: each reminder is planned once.
// It returns how many were inserted.
func (db *DB) PlanDeliveries(ctx context.Context, ds []Delivery) (int, error) {
	if len(ds) == 0 {
		return 0, nil
	}
	n := 0
	now := fmtTime(db.now())
	err := db.tx(ctx, func(tx *sqlTx) error {
		// Many rows to a statement: a reminder a row made planning a day's
		// 10,000 reminders a tenth of the notifier's run. Three statement
		// texts (64, 8 and 1 rows) serve every count.
		for len(ds) > 0 {
			size := 1
			for _, k := range []int{64, 8} {
				if len(ds) >= k {
					size = k
					break
				}
			}
			args := make([]any, 0, size*planCols)
			for _, d := range ds[:size] {
				status := d.Status
				if status == "" {
					status = "pending"
				}
				args = append(args, d.DedupKey, nullID(d.SubscriberID), nullID(d.WindowID), nullID(d.SourceID), d.Kind, d.Lead,
					d.Revision, d.EventDate, d.Period, d.Recipient, fmtTime(d.DueAt), status, d.LastError, now)
			}
			r, err := tx.ExecContext(ctx, planInserts[size], args...)
			if err != nil {
				if size == 1 {
					return fmt.Errorf("plan %s: %w", ds[0].DedupKey, err)
				}
				return fmt.Errorf("plan %s and %d more: %w", ds[0].DedupKey, size-1, err)
			}
			k, _ := r.RowsAffected()
			n += int(k)
			ds = ds[size:]
		}
		return nil
	})
	if err != nil {
		return 0, fmt.Errorf("plan deliveries: %w", err)
	}
	return n, nil
}

const planCols = 14

var planInserts = map[int]string{1: planInsert(1), 8: planInsert(8), 64: planInsert(64)}

// planInsert is the INSERT of rows planned deliveries; one already planned
// (its dedup key taken) is left as it is.
func planInsert(rows int) string {
	var b strings.Builder
	b.WriteString(`INSERT INTO deliveries (dedup_key, subscriber_id, window_id, source_id, kind, lead,
		revision, event_date, period, recipient, due_at, status, last_error, created_at) VALUES `)
	for i := 0; i < rows; i++ {
		if i > 0 {
			b.WriteString(", ")
		}
		b.WriteString("(?" + strings.Repeat(", ?", planCols-1) + ")")
	}
	b.WriteString(" ON CONFLICT (dedup_key) DO NOTHING")
	return b.String()
}

// PairDeliveries lists the deliveries planned for a subscriber and window.
func (db *DB) PairDeliveries(ctx context.Context, subscriberID, windowID int64) ([]Delivery, error) {
	return db.deliveries(ctx, `WHERE subscriber_id = ? AND window_id = ? ORDER BY id`, subscriberID, windowID)
}

// Deliveries lists deliveries, newest first, optionally of one status.
func (db *DB) Deliveries(ctx context.Context, status string, limit int) ([]Delivery, error) {
	if limit <= 0 {
		limit = math.MaxInt32
	}
	if status == "" {
		return db.deliveries(ctx, `ORDER BY id DESC LIMIT ?`, limit)
	}
	return db.deliveries(ctx, `WHERE status = ? ORDER BY id DESC LIMIT ?`, status, limit)
}

func (db *DB) deliveries(ctx context.Context, where string, args ...any) ([]Delivery, error) {
	return queryAll(ctx, db.r, "list deliveries", scanDelivery, `SELECT `+deliveryCols+` FROM deliveries `+where, args...)
}

// CancelPendingOf cancels those of ds (one pair's deliveries, as read) that
// are pending reminders whose keys are not in keep.
func (db *DB) CancelPendingOf(ctx context.Context, ds []Delivery, keep map[string]bool, reason string) (int, error) {
	n := 0
	for _, d := range ds {
		if d.Status != "pending" || keep[d.DedupKey] || d.Kind == "correction" {
			continue
		}
		if _, err := db.w.ExecContext(ctx, `UPDATE deliveries SET status = 'cancelled', last_error = ? WHERE id = ? AND status = 'pending'`,
			reason, d.ID); err != nil {
			return n, fmt.Errorf("cancel delivery %d: %w", d.ID, err)
		}
		n++
	}
	return n, nil
}

// CancelInactive cancels, in one statement, the pending reminders of
// subscribers and windows that are no longer active, and of notices taken
// down from their site.
func (db *DB) CancelInactive(ctx context.Context, reason string) (int, error) {
	res, err := db.w.ExecContext(ctx, `UPDATE deliveries SET status = 'cancelled', last_error = ?
		WHERE status = 'pending' AND kind IN ('open', 'close') AND (
			EXISTS (SELECT 1 FROM subscribers s WHERE s.id = deliveries.subscriber_id AND s.status != 'active') OR
			EXISTS (SELECT 1 FROM windows w JOIN notices n ON n.id = w.notice_id
				WHERE w.id = deliveries.window_id AND (w.status != 'active' OR n.status != 'active')))`, reason)
	if err != nil {
		return 0, fmt.Errorf("cancel reminders of inactive subscribers and windows: %w", err)
	}
	n, _ := res.RowsAffected()
	return int(n), nil
}

// WithdrawnReminded lists, as one delivery each, the subscriber and window
// pairs that want a withdrawal note: a reminder or correction was sent, the
// window has since left its notice (or the notice's page is gone) while its
// date was still ahead on today, the subscriber is active, and no note was
// planned yet.
func (db *DB) WithdrawnReminded(ctx context.Context, today string) ([]Delivery, error) {
	return queryAll(ctx, db.r, "withdrawn windows reminded of", func(r scanner) (Delivery, error) {
		var d Delivery
		err := r.Scan(&d.SubscriberID, &d.WindowID)
		return d, err
	}, `SELECT DISTINCT d.subscriber_id, d.window_id FROM windows w JOIN notices n ON n.id = w.notice_id
		JOIN deliveries d ON d.window_id = w.id JOIN subscribers s ON s.id = d.subscriber_id
		WHERE (w.closes >= ? OR (w.closes IS NULL AND w.opens >= ?)) AND (w.status != 'active' OR n.status != 'active')
			AND d.status = 'sent' AND d.kind IN ('open', 'close', 'correction') AND s.status = 'active'
			AND NOT EXISTS (SELECT 1 FROM deliveries x WHERE x.window_id = d.window_id AND x.subscriber_id = d.subscriber_id AND x.kind = 'withdrawn')
		ORDER BY d.subscriber_id, d.window_id`, today, today)
}

// LiveDeliveries lists, in one query, the deliveries of the windows that
// are live at today (active, closing today or later, or with no close and
// opening today or later): what planning compares its plans with. Only
// ID, key, pair, kind, status, event and revision are read; in no order
// (an ORDER BY on the ID would have SQLite walk every delivery ever made).
func (db *DB) LiveDeliveries(ctx context.Context, today string) ([]Delivery, error) {
	// Driven from the live windows (the index on closes), each joined to its
	// deliveries by the index on window_id: what planning reads follows the
	// windows in play, not every delivery ever made.
	// Only the columns planning compares (ID, key, pair, kind, status,
	// event, revision): a live window has a delivery per subscriber and
	// lead, and reading every column of each was most of a planning run.
	return queryAll(ctx, db.r, "list deliveries", func(r scanner) (Delivery, error) {
		var d Delivery
		var sub, win sql.NullInt64
		err := r.Scan(&d.ID, &d.DedupKey, &sub, &win, &d.Kind, &d.Status, &d.EventDate, &d.Revision)
		d.SubscriberID, d.WindowID = sub.Int64, win.Int64
		return d, err
	}, `SELECT d.id, d.dedup_key, d.subscriber_id, d.window_id, d.kind, d.status, d.event_date, d.revision
		FROM windows w JOIN notices n ON n.id = w.notice_id JOIN deliveries d ON d.window_id = w.id
		WHERE w.status = 'active' AND `+db.dialect().notIndexed("n.status")+` = 'active' AND (w.closes >= ? OR (w.closes IS NULL AND w.opens >= ?))`, today, today)
}

// ClaimDue takes up to limit deliveries that are due at now: pending ones,
// and ones left "sending" by a process whose claim ran out (it died, or
// stopped renewing). Each is moved to "sending" with one more attempt and
// claimed by owner for ttl of wall time (RenewClaims extends it), in one
// transaction, so two senders never take the same delivery; on
// PostgreSQL, senders claiming at once skip each other's rows.
// kinds, when given, limits the claim to those kinds of delivery.
func (db *DB) ClaimDue(ctx context.Context, now time.Time, owner string, ttl time.Duration, limit int, kinds ...string) ([]Delivery, error) {
	var out []Delivery
	n := fmtTime(now)
	kindFilter := ""
	wall := db.wallMillis()
	var kindArgs []any
	if len(kinds) > 0 {
		kindFilter = ` AND kind IN (?` + strings.Repeat(`, ?`, len(kinds)-1) + `)`
		for _, k := range kinds {
			kindArgs = append(kindArgs, k)
		}
	}
	lock := map[bool]string{true: ` FOR UPDATE SKIP LOCKED`}[db.pg]
	// Two queries, not one with OR: each walks the index on (status,
	// due_at) in order and stops at the limit, where an OR had SQLite sort
	// every due row for each batch (quadratic in a morning's mail). Claims
	// a stopped sender left behind come first: they are the oldest.
	queries := []struct {
		where string
		args  []any
	}{
		{`status = 'sending' AND claim_until < ?`, []any{wall}},
		{`status = 'pending' AND due_at <= ? AND (next_attempt_at IS NULL OR next_attempt_at <= ?)`, []any{n, n}},
	}
	err := db.tx(ctx, func(tx *sqlTx) error {
		for _, q := range queries {
			if len(out) >= limit {
				break
			}
			args := append(append(append([]any{}, q.args...), kindArgs...), limit-len(out))
			rows, err := tx.QueryContext(ctx, `SELECT `+deliveryCols+` FROM deliveries WHERE `+q.where+kindFilter+`
				ORDER BY due_at, id LIMIT ?`+lock, args...)
			if err != nil {
				return err
			}
			for rows.Next() {
				d, err := scanDelivery(rows)
				if err != nil {
					rows.Close()
					return err
				}
				out = append(out, d)
			}
			rows.Close()
			if err := rows.Err(); err != nil {
				return err
			}
		}
		for i := range out {
			out[i].Attempts++
			out[i].Status = "sending"
			if _, err := tx.ExecContext(ctx, `UPDATE deliveries SET status = 'sending', attempts = attempts + 1, next_attempt_at = ?,
				claimed_by = ?, claim_until = ? WHERE id = ?`, n, owner, wall+ttl.Milliseconds(), out[i].ID); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("claim due deliveries: %w", err)
	}
	return out, nil
}

// ConfirmClaim extends owner's claim on a delivery to ttl from now (wall
// time), if owner still holds it: false when another sender has taken it
// over since.
func (db *DB) ConfirmClaim(ctx context.Context, id int64, owner string, ttl time.Duration) (bool, error) {
	r, err := db.w.ExecContext(ctx, `UPDATE deliveries SET claim_until = ? WHERE id = ? AND claimed_by = ? AND status = 'sending'`,
		db.wallMillis()+ttl.Milliseconds(), id, owner)
	if err != nil {
		return false, fmt.Errorf("confirm the claim on delivery %d: %w", id, err)
	}
	n, err := r.RowsAffected()
	return n == 1, err
}

// SkipSuperseded skips the open and close reminders due at now that a
// later reminder of the same subscriber, window and event, also due, makes
// pointless: after downtime, one mail, not three. Done in the store, so it
// holds whichever sender claims which of them.
func (db *DB) SkipSuperseded(ctx context.Context, now time.Time) (int, error) {
	n := fmtTime(now)
	r, err := db.w.ExecContext(ctx, `UPDATE deliveries SET status = 'skipped',
			last_error = 'superseded: a later reminder of the same window was due'
		WHERE status = 'pending' AND kind IN ('open', 'close') AND due_at <= ? AND EXISTS (
			SELECT 1 FROM deliveries l WHERE l.subscriber_id = deliveries.subscriber_id AND l.window_id = deliveries.window_id
				AND l.kind = deliveries.kind AND l.event_date = deliveries.event_date
				AND l.status IN ('pending', 'sending', 'sent') AND l.due_at <= ?
				AND (l.due_at > deliveries.due_at OR (l.due_at = deliveries.due_at AND l.id > deliveries.id)))`, n, n)
	if err != nil {
		return 0, fmt.Errorf("skip superseded reminders: %w", err)
	}
	k, _ := r.RowsAffected()
	return int(k), nil
}

// MarkSent records a delivery the SMTP server accepted, and returns once
// the record is committed.
func (db *DB) MarkSent(ctx context.Context, id int64, messageID string, at time.Time) error {
	return <-db.MarkSentAsync(ctx, id, messageID, at)
}

// MarkSentAsync starts recording a sent delivery; the channel tells when
// the record is committed (nil) or failed. Records that senders on other
// connections ask for meanwhile are committed with it (groupTx): a commit
// per mail was most of what recording cost. A sender waits for its record
// before it sends its next mail, so no more mails are ever sent and
// unrecorded than there are connections.
func (db *DB) MarkSentAsync(ctx context.Context, id int64, messageID string, at time.Time) <-chan error {
	// The record of a mail that went out is not given up because the
	// caller's context ends.
	ctx = context.WithoutCancel(ctx)
	sentAt := fmtTime(at)
	return db.groupTxAsync(ctx, func(tx *sqlTx) error {
		if _, err := tx.ExecContext(ctx, `UPDATE deliveries SET status = 'sent', message_id = ?, sent_at = ?, last_error = '',
			claimed_by = '', claim_until = 0 WHERE id = ?`, messageID, sentAt, id); err != nil {
			return fmt.Errorf("mark delivery %d sent: %w", id, err)
		}
		return nil
	})
}

// MarkRetry puts a delivery back to pending, to try again at next.
func (db *DB) MarkRetry(ctx context.Context, id int64, lastErr string, next time.Time) error {
	_, err := db.w.ExecContext(ctx, `UPDATE deliveries SET status = 'pending', last_error = ?, next_attempt_at = ?,
		claimed_by = '', claim_until = 0 WHERE id = ?`,
		truncate(lastErr, 500), fmtTime(next), id)
	if err != nil {
		return fmt.Errorf("mark delivery %d for retry: %w", id, err)
	}
	return nil
}

// Unclaim gives back a claimed delivery that was not tried (a shutdown
// came first): pending again, due at once, the attempt not counted.
func (db *DB) Unclaim(ctx context.Context, id int64) error {
	_, err := db.w.ExecContext(ctx, `UPDATE deliveries SET status = 'pending', attempts = CASE WHEN attempts > 0 THEN attempts - 1 ELSE 0 END, next_attempt_at = NULL,
		claimed_by = '', claim_until = 0
		WHERE id = ? AND status = 'sending'`, id)
	if err != nil {
		return fmt.Errorf("give back delivery %d: %w", id, err)
	}
	return nil
}

// MarkDone ends a delivery without sending: failed (a permanent error),
// skipped (no longer makes sense) or cancelled.
func (db *DB) MarkDone(ctx context.Context, id int64, status, reason string) error {
	switch status {
	case "failed", "skipped", "cancelled":
	default:
		return fmt.Errorf("mark delivery %d: bad status %q", id, status)
	}
	_, err := db.w.ExecContext(ctx, `UPDATE deliveries SET status = ?, last_error = ?, claimed_by = '', claim_until = 0 WHERE id = ?`,
		status, truncate(reason, 500), id)
	if err != nil {
		return fmt.Errorf("mark delivery %d %s: %w", id, status, err)
	}
	return nil
}

// SetLastDigest records when a subscriber's last digest went out.
func (db *DB) SetLastDigest(ctx context.Context, subscriberID int64, at time.Time) error {
	_, err := db.w.ExecContext(ctx, `UPDATE subscribers SET last_digest_at = ? WHERE id = ?`, fmtTime(at), subscriberID)
	return err
}

func truncate(s string, n int) string {
	s = strings.ToValidUTF8(s, "?")
	if len(s) <= n {
		return s
	}
	return s[:n]
}

// WindowByID reads one window with its notice.
func (db *DB) WindowByID(ctx context.Context, id int64) (WindowView, error) {
	var v WindowView
	w, err := scanWindow(db.r.QueryRowContext(ctx, `SELECT `+prefixCols("w.", windowCols)+`, n.url, n.title, n.issuer, n.region, n.status
		FROM windows w JOIN notices n ON n.id = w.notice_id WHERE w.id = ?`, id), &v.NoticeURL, &v.Title, &v.Issuer, &v.Region, &v.NoticeStatus)
	if err != nil {
		return v, fmt.Errorf("window %d: %w", id, err)
	}
	v.Window = w
	return v, nil
}

// WindowsByID reads the windows with these IDs, with their notices (one
// query for a batch of deliveries; the missing are simply absent).
func (db *DB) WindowsByID(ctx context.Context, ids []int64) (map[int64]WindowView, error) {
	out := map[int64]WindowView{}
	if len(ids) == 0 {
		return out, nil
	}
	vs, err := queryAll(ctx, db.r, "read windows", scanWindowView, `SELECT `+prefixCols("w.", windowCols)+`, n.url, n.title, n.issuer, n.region, n.status
		FROM windows w JOIN notices n ON n.id = w.notice_id WHERE w.id IN (`+placeholders(len(ids))+`)`, int64Args(ids)...)
	for _, v := range vs {
		out[v.ID] = v
	}
	return out, err
}

// WindowChangesOf lists the recorded date changes of these windows, oldest
// first for each.
func (db *DB) WindowChangesOf(ctx context.Context, ids []int64) (map[int64][]WindowChange, error) {
	out := map[int64][]WindowChange{}
	if len(ids) == 0 {
		return out, nil
	}
	cs, err := queryAll(ctx, db.r, "list window changes", scanWindowChange, `SELECT window_id, changed_at, old_opens, old_closes, old_closes_time,
		new_opens, new_closes, new_closes_time, reason FROM window_changes WHERE window_id IN (`+placeholders(len(ids))+`) ORDER BY id`, int64Args(ids)...)
	for _, c := range cs {
		out[c.WindowID] = append(out[c.WindowID], c)
	}
	return out, err
}

func placeholders(n int) string { return strings.TrimSuffix(strings.Repeat("?, ", n), ", ") }

func int64Args(ids []int64) []any {
	out := make([]any, len(ids))
	for i, id := range ids {
		out[i] = id
	}
	return out
}

// NoticesWithAny returns the IDs of the notices whose title or text holds
// any of the keywords: through the trigram index for keywords of three
// characters or more, LIKE for shorter ones (which the index cannot
// serve). A feed asks this instead of reading every notice's text.
func (db *DB) NoticesWithAny(ctx context.Context, keywords []string) (map[int64]bool, error) {
	out := map[int64]bool{}
	var phrases []string
	for _, k := range keywords {
		k = strings.TrimSpace(k)
		if k == "" {
			continue
		}
		if utf8.RuneCountInString(k) >= 3 && !db.pg { // PostgreSQL: trigram indexes serve LIKE
			phrases = append(phrases, `"`+strings.ReplaceAll(k, `"`, `""`)+`"`)
			continue
		}
		like := "%" + escapeLike(k) + "%"
		ids, err := queryAll(ctx, db.r, "notices with a keyword", scanID,
			`SELECT id FROM notices WHERE title LIKE ? ESCAPE '\' OR text LIKE ? ESCAPE '\'`, like, like)
		if err != nil {
			return nil, err
		}
		for _, id := range ids {
			out[id] = true
		}
	}
	if len(phrases) > 0 {
		ids, err := queryAll(ctx, db.r, "notices with a keyword", scanID,
			`SELECT rowid FROM notices_fts WHERE notices_fts MATCH ?`, strings.Join(phrases, " OR "))
		if err != nil {
			return nil, err
		}
		for _, id := range ids {
			out[id] = true
		}
	}
	return out, nil
}

func scanID(r scanner) (int64, error) {
	var id int64
	err := r.Scan(&id)
	return id, err
}

func scanString(r scanner) (string, error) {
	var s string
	err := r.Scan(&s)
	return s, err
}

// NoticeTexts maps the given notices' IDs to title and text, for keyword
// filters: only those asked for (the notices of the windows in hand), never
// every notice ever stored.
func (db *DB) NoticeTexts(ctx context.Context, ids []int64) (map[int64]string, error) {
	out := make(map[int64]string, len(ids))
	const chunk = 500
	for start := 0; start < len(ids); start += chunk {
		part := ids[start:min(len(ids), start+chunk)]
		rows, err := db.r.QueryContext(ctx, `SELECT id, title || ? || text FROM notices WHERE id IN (`+placeholders(len(part))+`)`,
			append([]any{"\n"}, int64Args(part)...)...)
		if err != nil {
			return nil, fmt.Errorf("notice texts: %w", err)
		}
		for rows.Next() {
			var id int64
			var t string
			if err := rows.Scan(&id, &t); err != nil {
				rows.Close()
				return nil, fmt.Errorf("notice texts: %w", err)
			}
			out[id] = t
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return nil, fmt.Errorf("notice texts: %w", err)
		}
	}
	return out, nil
}

// NoticeIDs lists the distinct notices of some windows.
func NoticeIDs(ws []WindowView) []int64 {
	seen := make(map[int64]bool, len(ws))
	var out []int64
	for _, w := range ws {
		if !seen[w.NoticeID] {
			seen[w.NoticeID] = true
			out = append(out, w.NoticeID)
		}
	}
	return out
}

// NoticesSince lists notices first seen at or after t.
func (db *DB) NoticesSince(ctx context.Context, t time.Time) ([]Notice, error) {
	return queryAll(ctx, db.r, "notices since", scanNotice, `SELECT `+noticeCols+` FROM notices WHERE first_seen_at >= ? ORDER BY id`, fmtTime(t))
}
