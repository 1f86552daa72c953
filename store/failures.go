package store

import (
	"context"
	"database/sql"
	"fmt"
	"time"
)

// FetchFailure is a notice page a source links to that could not be
// fetched yet.
type FetchFailure struct {
	URL           string    `json:"url"`
	SourceID      int64     `json:"source_id"`
	Title         string    `json:"title"`
	Published     string    `json:"published,omitempty"`
	Failures      int       `json:"failures"`
	FirstFailedAt time.Time `json:"first_failed_at"`
	LastFailedAt  time.Time `json:"last_failed_at"`
	LastError     string    `json:"last_error"`
}

const failureCols = `url, source_id, title, published, failures, first_failed_at, last_failed_at, last_error`

func scanFailure(r scanner) (FetchFailure, error) {
	var f FetchFailure
	var first, last sql.NullString
	if err := r.Scan(&f.URL, &f.SourceID, &f.Title, &f.Published, &f.Failures, &first, &last, &f.LastError); err != nil {
		return f, err
	}
	f.FirstFailedAt, f.LastFailedAt = parseTime(first), parseTime(last)
	return f, nil
}

// RecordFetchFailure notes that a notice page failed once more.
func (db *DB) RecordFetchFailure(ctx context.Context, f FetchFailure) error {
	now := fmtTime(db.now())
	_, err := db.w.ExecContext(ctx, `INSERT INTO fetch_failures (`+failureCols+`) VALUES (?, ?, ?, ?, 1, ?, ?, ?)
		ON CONFLICT (url) DO UPDATE SET source_id = excluded.source_id, failures = fetch_failures.failures + 1,
			last_failed_at = excluded.last_failed_at, last_error = excluded.last_error`,
		f.URL, f.SourceID, f.Title, f.Published, now, now, f.LastError)
	if err != nil {
		return fmt.Errorf("record fetch failure of %s: %w", f.URL, err)
	}
	return nil
}

// ClearFetchFailure forgets a page's failures: it was fetched.
func (db *DB) ClearFetchFailure(ctx context.Context, url string) error {
	if _, err := db.w.ExecContext(ctx, `DELETE FROM fetch_failures WHERE url = ?`, url); err != nil {
		return fmt.Errorf("clear fetch failure of %s: %w", url, err)
	}
	return nil
}

// FetchFailuresOf lists a source's pages to try again, oldest failure first.
func (db *DB) FetchFailuresOf(ctx context.Context, sourceID int64, limit int) ([]FetchFailure, error) {
	return queryAll(ctx, db.r, "fetch failures", scanFailure, `SELECT `+failureCols+` FROM fetch_failures
		WHERE source_id = ? ORDER BY last_failed_at, url LIMIT ?`, sourceID, limit)
}

// FetchFailures lists the pages that failed at least minFailures times in
// a row, most failures first.
func (db *DB) FetchFailures(ctx context.Context, minFailures int) ([]FetchFailure, error) {
	return queryAll(ctx, db.r, "fetch failures", scanFailure, `SELECT `+failureCols+` FROM fetch_failures
		WHERE failures >= ? ORDER BY failures DESC, url`, minFailures)
}
