package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
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
	err := db.tx(ctx, func(tx *sqlTx) error {
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
				etag = ?, last_modified = ? WHERE id = ?`,
				now, now, links, flag, flaggedAt, r.Warning, nullTime(r.NextCheckAt), etag, lm, id)
		} else {
			_, err = tx.ExecContext(ctx, `UPDATE sources SET last_checked_at = ?, last_error = ?, last_error_at = ?,
				consecutive_failures = ?, flag = ?, flagged_at = ?, next_check_at = ? WHERE id = ?`,
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
// planned), oldest due first.
func (db *DB) DueSources(ctx context.Context, now time.Time, limit int) ([]Source, error) {
	return queryAll(ctx, db.r, "due sources", scanSource, `SELECT `+sourceCols+` FROM sources
		WHERE paused = 0 AND kind != 'digest' AND (next_check_at IS NULL OR next_check_at <= ?)
		ORDER BY COALESCE(next_check_at, ''), id LIMIT ?`, fmtTime(now), limit)
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
func (db *DB) NoticesToRecheck(ctx context.Context, sourceID int64, today string, recentSince, checkedBefore time.Time, limit int) ([]Notice, error) {
	return queryAll(ctx, db.r, "notices to recheck", scanNotice, `SELECT `+noticeCols+` FROM notices n
		WHERE source_id = ? AND status = 'active' AND (checked_at IS NULL OR checked_at < ?) AND (
			EXISTS (SELECT 1 FROM windows w WHERE w.notice_id = n.id AND w.status = 'active' AND (w.closes >= ? OR w.closes IS NULL))
			OR COALESCE(published, '') >= ? OR first_seen_at >= ?)
		ORDER BY COALESCE(checked_at, ''), id LIMIT ?`, sourceID, fmtTime(checkedBefore), today,
		recentSince.Format("2006-01-02"), fmtTime(recentSince), limit)
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
