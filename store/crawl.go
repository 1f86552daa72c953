package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"
)

// CrawlResult is the outcome of one check of a source, for its health.
type CrawlResult struct {
	OK           bool
	Error        string
	ETag         string // of the source page, for the next conditional GET
	LastModified string
	LinksFound   int // -1: not a list page, or not read this time
	Warning      string
	NextCheckAt  time.Time
	// FailureAlert is how many failures in a row flag the source.
	FailureAlert int
	// EmptyIsSuspect flags a list page that yields no links when it
	// yielded some before.
	EmptyIsSuspect bool
}

// RecordCrawl updates a source's health after a check, and raises or clears
// its flag: failing FailureAlert times in a row, or a list page that went
// empty. It returns the source as stored.
func (db *DB) RecordCrawl(ctx context.Context, id int64, r CrawlResult) (Source, error) {
	now := fmtTime(db.now())
	// On SQLite, grouped with the other writes waiting for the one writer
	// (a pass over many hosts ends with every source recording its check
	// at once). Not on PostgreSQL, whose writers work side by side:
	// grouped there, three daemons on one database
	// (TestThreeDaemonsShareOnePostgres) checked sources twice in a slot
	// and a host faster than its pace, every run.
	write := db.groupTx
	if db.pg {
		write = db.tx
	}
	err := write(ctx, func(tx *sqlTx) error {
		s, err := scanSource(tx.QueryRowContext(ctx, `SELECT `+sourceCols+` FROM sources WHERE id = ?`, id))
		if err != nil {
			return err
		}
		flag := ""
		fails := 0
		if r.OK {
			if r.LinksFound == 0 && r.EmptyIsSuspect && s.LinksFound > 0 {
				flag = fmt.Sprintf("list page yielded no links (it had %d)", s.LinksFound)
			} else if r.LinksFound == 0 && r.EmptyIsSuspect && strings.HasPrefix(s.Flag, "list page yielded no links") {
				flag = s.Flag // still empty: the same incident
			}
		} else {
			fails = s.ConsecutiveFailures + 1
			if r.FailureAlert > 0 && fails >= r.FailureAlert {
				flag = fmt.Sprintf("failing: %d checks in a row", fails)
				if strings.HasPrefix(s.Flag, "failing") {
					flag = s.Flag // the same incident goes on
				}
			}
		}
		flaggedAt := any(nil)
		switch {
		case flag == "":
		case flag == s.Flag && !s.flaggedAt.IsZero():
			flaggedAt = fmtTime(s.flaggedAt)
		default:
			flaggedAt = now
		}
		links := s.LinksFound
		if r.LinksFound >= 0 {
			links = r.LinksFound
		}
		etag, lm := s.ETag, s.LastModified
		if r.OK && (r.ETag != "" || r.LastModified != "") {
			etag, lm = r.ETag, r.LastModified
		}
		if r.OK {
			_, err = tx.ExecContext(ctx, `UPDATE sources SET last_checked_at = ?, last_success_at = ?, last_error = '',
				consecutive_failures = 0, links_found = ?, flag = ?, flagged_at = ?, warning = ?, next_check_at = ?,
				etag = ?, last_modified = ?, claimed_by = '', claim_until = 0 WHERE id = ?`,
				now, now, links, flag, flaggedAt, r.Warning, nullTime(r.NextCheckAt), etag, lm, id)
		} else {
			_, err = tx.ExecContext(ctx, `UPDATE sources SET last_checked_at = ?, last_error = ?, last_error_at = ?,
				consecutive_failures = ?, flag = ?, flagged_at = ?, next_check_at = ?, claimed_by = '', claim_until = 0 WHERE id = ?`,
				now, r.Error, now, fails, flag, flaggedAt, nullTime(r.NextCheckAt), id)
		}
		return err
	})
	if err != nil {
		return Source{}, fmt.Errorf("record crawl of source %d: %w", id, err)
	}
	return db.Source(ctx, fmt.Sprint(id))
}

// DueSources lists active sources whose next check is due (or was never
// planned) and that no daemon is checking, oldest due first.
func (db *DB) DueSources(ctx context.Context, now time.Time, limit int) ([]Source, error) {
	return queryAll(ctx, db.r, "due sources", scanSource, `SELECT `+sourceCols+` FROM sources
		WHERE `+dueSource+` ORDER BY COALESCE(next_check_at, ''), id LIMIT ?`, fmtTime(now), db.wallMillis(), limit)
}

// dueSource is the condition on a source that may be checked now: its two
// arguments are the check's time and the wall clock in milliseconds.
const dueSource = `paused = 0 AND kind != 'digest' AND (next_check_at IS NULL OR next_check_at <= ?) AND claim_until < ?`

// ClaimSource claims one source to check: the first of ids, in the order
// they are due, that is still due at now and not claimed by another daemon
// (whose lease has not run out). The claim lasts ttl of wall time unless
// renewed (RenewClaims); recording the check (RecordCrawl) ends it. ok is
// false when none of ids can be claimed.
func (db *DB) ClaimSource(ctx context.Context, ids []int64, now time.Time, owner string, ttl time.Duration) (s Source, ok bool, err error) {
	if len(ids) == 0 {
		return Source{}, false, nil
	}
	args := []any{owner, db.wallMillis() + ttl.Milliseconds()}
	for _, id := range ids {
		args = append(args, id)
	}
	args = append(args, fmtTime(now), db.wallMillis())
	lock := ""
	if db.pg {
		// Daemons claiming at once pass over each other's rows instead of
		// queueing behind them.
		lock = " FOR UPDATE SKIP LOCKED"
	}
	var id int64
	err = db.w.QueryRowContext(ctx, `UPDATE sources SET claimed_by = ?, claim_until = ?
		WHERE id = (SELECT id FROM sources WHERE id IN (?`+strings.Repeat(", ?", len(ids)-1)+`) AND `+dueSource+`
			ORDER BY COALESCE(next_check_at, ''), id LIMIT 1`+lock+`) RETURNING id`, args...).Scan(&id)
	if errors.Is(err, sql.ErrNoRows) {
		return Source{}, false, nil
	}
	if err != nil {
		return Source{}, false, fmt.Errorf("claim a source: %w", err)
	}
	s, err = db.Source(ctx, fmt.Sprint(id))
	return s, err == nil, err
}

// RenewClaims extends every claim owner holds, sources and deliveries, to
// ttl from now (wall time).
func (db *DB) RenewClaims(ctx context.Context, owner string, ttl time.Duration) error {
	until := db.wallMillis() + ttl.Milliseconds()
	if _, err := db.w.ExecContext(ctx, `UPDATE sources SET claim_until = ? WHERE claimed_by = ? AND claim_until > 0`, until, owner); err != nil {
		return fmt.Errorf("renew claims of %s: %w", owner, err)
	}
	if _, err := db.w.ExecContext(ctx, `UPDATE deliveries SET claim_until = ? WHERE claimed_by = ? AND status = 'sending'`, until, owner); err != nil {
		return fmt.Errorf("renew claims of %s: %w", owner, err)
	}
	if _, err := db.w.ExecContext(ctx, `UPDATE host_pace SET claim_until = ? WHERE claimed_by = ?`, until, owner); err != nil {
		return fmt.Errorf("renew claims of %s: %w", owner, err)
	}
	return nil
}

// KeepClaims renews owner's claims every third of ttl, in the background,
// until the returned stop is called (stop waits for the renewing to end).
// A renewal that fails is reported to onErr and tried again at the next.
func (db *DB) KeepClaims(ctx context.Context, owner string, ttl time.Duration, onErr func(error)) (stop func()) {
	ctx, cancel := context.WithCancel(ctx)
	done := make(chan struct{})
	go func() {
		defer close(done)
		t := time.NewTicker(ttl / 3)
		defer t.Stop()
		for {
			select {
			case <-ctx.Done():
				return
			case <-t.C:
				if err := db.RenewClaims(ctx, owner, ttl); err != nil && ctx.Err() == nil {
					onErr(err)
				}
			}
		}
	}()
	return func() { cancel(); <-done }
}

// ClaimHost makes owner the one process checking host's sources, for ttl
// of wall time unless renewed: false when another holds it. The crawler
// claims a host before its sources, so that one process paces each host
// from the ends of its own requests; the pace it leaves stays in the
// store for the next holder.
func (db *DB) ClaimHost(ctx context.Context, host, owner string, ttl time.Duration) (bool, error) {
	wall := db.wallMillis()
	var got string
	err := db.w.QueryRowContext(ctx, `INSERT INTO host_pace (host, claimed_by, claim_until) VALUES (?, ?, ?)
		ON CONFLICT (host) DO UPDATE SET claimed_by = excluded.claimed_by, claim_until = excluded.claim_until
		WHERE host_pace.claim_until < ? OR host_pace.claimed_by = excluded.claimed_by
		RETURNING host`, host, owner, wall+ttl.Milliseconds(), wall).Scan(&got)
	if errors.Is(err, sql.ErrNoRows) {
		return false, nil
	}
	if err != nil {
		return false, fmt.Errorf("claim host %s: %w", host, err)
	}
	return true, nil
}

// ReleaseHost gives up owner's claim on host.
func (db *DB) ReleaseHost(ctx context.Context, host, owner string) error {
	if _, err := db.w.ExecContext(ctx, `UPDATE host_pace SET claimed_by = '', claim_until = 0 WHERE host = ? AND claimed_by = ?`, host, owner); err != nil {
		return fmt.Errorf("release host %s: %w", host, err)
	}
	return nil
}

// ReleaseSourceClaims gives back the sources owner claimed and did not
// record (a shutdown came first): they are due again at once, for anyone.
func (db *DB) ReleaseSourceClaims(ctx context.Context, owner string) error {
	if _, err := db.w.ExecContext(ctx, `UPDATE sources SET claimed_by = '', claim_until = 0 WHERE claimed_by = ?`, owner); err != nil {
		return fmt.Errorf("release claims of %s: %w", owner, err)
	}
	if _, err := db.w.ExecContext(ctx, `UPDATE host_pace SET claimed_by = '', claim_until = 0 WHERE claimed_by = ?`, owner); err != nil {
		return fmt.Errorf("release claims of %s: %w", owner, err)
	}
	return nil
}

// ReserveHostTurn takes host's next turn, shared by every process using
// the store: the turn starts at earliest or when the last one taken allows,
// whichever is later, and the one after it no sooner than delay later.
func (db *DB) ReserveHostTurn(ctx context.Context, host string, earliest time.Time, delay time.Duration) (time.Time, error) {
	e := earliest.UnixNano()
	var next int64
	// One statement, so that two processes reserving at once queue on the
	// row and each gets its own turn.
	err := db.w.QueryRowContext(ctx, `INSERT INTO host_pace (host, next_at) VALUES (?, ?)
		ON CONFLICT (host) DO UPDATE SET next_at = CASE WHEN host_pace.next_at > ? THEN host_pace.next_at ELSE ? END + ?
		RETURNING next_at`, host, e+delay.Nanoseconds(), e, e, delay.Nanoseconds()).Scan(&next)
	if err != nil {
		return time.Time{}, fmt.Errorf("reserve a turn on %s: %w", host, err)
	}
	return time.Unix(0, next-delay.Nanoseconds()), nil
}

// PushHostTurn moves host's next turn to no sooner than next (a request
// that ended: the pace counts from its end).
func (db *DB) PushHostTurn(ctx context.Context, host string, next time.Time) error {
	_, err := db.w.ExecContext(ctx, `UPDATE host_pace SET next_at = ? WHERE host = ? AND next_at < ?`, next.UnixNano(), host, next.UnixNano())
	if err != nil {
		return fmt.Errorf("pace %s: %w", host, err)
	}
	return nil
}

// SetNextCheck plans a source's next check.
func (db *DB) SetNextCheck(ctx context.Context, id int64, at time.Time) error {
	_, err := db.w.ExecContext(ctx, `UPDATE sources SET next_check_at = ? WHERE id = ?`, fmtTime(at), id)
	return err
}

// Attachment is a document linked from a notice.
type Attachment struct {
	URL    string `json:"url"`
	Title  string `json:"title"`
	Status string `json:"status"` // "read", or why it was not
}

// NoticeFetchState is what the tracker keeps to re-check a notice page.
type NoticeFetchState struct {
	ETag, LastModified string
	Attachments        []Attachment
}

// SetNoticeFetchState stores a notice page's validators and attachments.
func (db *DB) SetNoticeFetchState(ctx context.Context, noticeID int64, st NoticeFetchState) error {
	att, _ := json.Marshal(st.Attachments)
	if st.Attachments == nil {
		att = []byte("[]")
	}
	_, err := db.w.ExecContext(ctx, `UPDATE notices SET etag = ?, last_modified = ?, attachments = ?, checked_at = ? WHERE id = ?`,
		st.ETag, st.LastModified, string(att), fmtTime(db.now()), noticeID)
	if err != nil {
		return fmt.Errorf("notice %d fetch state: %w", noticeID, err)
	}
	return nil
}

// NoticeFetchStateOf reads what SetNoticeFetchState stored.
func (db *DB) NoticeFetchStateOf(ctx context.Context, noticeID int64) (NoticeFetchState, error) {
	var st NoticeFetchState
	var att string
	err := db.r.QueryRowContext(ctx, `SELECT etag, last_modified, attachments FROM notices WHERE id = ?`, noticeID).Scan(&st.ETag, &st.LastModified, &att)
	if err != nil {
		return st, fmt.Errorf("notice %d fetch state: %w", noticeID, err)
	}
	json.Unmarshal([]byte(att), &st.Attachments)
	return st, nil
}

// SetNoticeStatus marks a notice active or gone (its page answers 404 or
// 410). Its windows stay: the deadline is usually still real.
func (db *DB) SetNoticeStatus(ctx context.Context, noticeID int64, status string) error {
	_, err := db.w.ExecContext(ctx, `UPDATE notices SET status = ?, checked_at = ? WHERE id = ?`, status, fmtTime(db.now()), noticeID)
	if err != nil {
		return fmt.Errorf("notice %d status: %w", noticeID, err)
	}
	return nil
}

// NoticesToRecheck lists a source's notices worth fetching again, in case
// the department edited them in place: those with a window open or to
// come, and those published (or first seen) since recentSince, that were
// not checked since checkedBefore; at most limit, least recently checked
// first, so that a source with many spreads them over its runs.
//
// The limit is written into the statement, not bound: SQLite plans with a
// bound LIMIT's value and prepares the statement again whenever it changes,
// and a crawl asks with two limits in turn for every source (a prepare
// each time: 3 % of a crawl's CPU).
func (db *DB) NoticesToRecheck(ctx context.Context, sourceID int64, today string, recentSince, checkedBefore time.Time, limit int) ([]Notice, error) {
	return queryAll(ctx, db.r, "notices to recheck", scanNotice, `SELECT `+noticeCols+` FROM notices n
		WHERE source_id = ? AND status = 'active' AND (checked_at IS NULL OR checked_at < ?) AND (
			EXISTS (SELECT 1 FROM windows w WHERE w.notice_id = n.id AND w.status = 'active' AND (w.closes >= ? OR w.closes IS NULL))
			OR COALESCE(published, '') >= ? OR first_seen_at >= ?)
		ORDER BY COALESCE(checked_at, ''), id LIMIT `+strconv.Itoa(max(limit, 0)), sourceID, fmtTime(checkedBefore), today,
		recentSince.Format("2006-01-02"), fmtTime(recentSince))
}

// MarkChecked notes that a notice page was fetched again and had not
// changed (or could not be read this time).
func (db *DB) MarkChecked(ctx context.Context, noticeID int64) error {
	now := fmtTime(db.now())
	if _, err := db.w.ExecContext(ctx, `UPDATE notices SET checked_at = ?, last_seen_at = ? WHERE id = ?`, now, now, noticeID); err != nil {
		return fmt.Errorf("mark notice %d checked: %w", noticeID, err)
	}
	return nil
}

// NoticesOnHost lists the notices whose URL is on host, newest first: the
// candidates a 延期 notice may extend.
func (db *DB) NoticesOnHost(ctx context.Context, host string, limit int) ([]Notice, error) {
	like := "%://" + escapeLike(strings.ToLower(host)) + "/%"
	return queryAll(ctx, db.r, "notices on "+host, scanNotice, `SELECT `+noticeCols+` FROM notices WHERE url LIKE ? ESCAPE '\'
		ORDER BY id DESC LIMIT ?`, like, limit)
}

// ExtendWindow moves a window's closing date because another notice says
// so (延期), keeping the old dates in its history.
func (db *DB) ExtendWindow(ctx context.Context, windowID int64, closes, closesTime, reason string) error {
	now := fmtTime(db.now())
	return db.tx(ctx, func(tx *sqlTx) error {
		var oo, oc, oct sql.NullString
		if err := tx.QueryRowContext(ctx, `SELECT opens, closes, closes_time FROM windows WHERE id = ?`, windowID).Scan(&oo, &oc, &oct); err != nil {
			return fmt.Errorf("extend window %d: %w", windowID, err)
		}
		if oc.String == closes && oct.String == closesTime {
			return nil
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO window_changes (window_id, changed_at, old_opens, old_closes, old_closes_time,
			new_opens, new_closes, new_closes_time, reason) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`,
			windowID, now, oo, oc, oct, oo, closes, nullString(closesTime), reason); err != nil {
			return fmt.Errorf("extend window %d: %w", windowID, err)
		}
		_, err := tx.ExecContext(ctx, `UPDATE windows SET closes = ?, closes_time = ?, revision = revision + 1, updated_at = ?, status = 'active'
			WHERE id = ?`, closes, nullString(closesTime), now, windowID)
		return err
	})
}
