package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"time"
)

// Source is a watched page: a 通知公告 list page, a single notice, or a
// digest file that notices were imported from.
type Source struct {
	ID                  int64     `json:"id"`
	URL                 string    `json:"url"`
	Kind                string    `json:"kind"` // auto, list, notice, digest
	Name                string    `json:"name"`
	Region              string    `json:"region"`
	Issuer              string    `json:"issuer"`
	Schedule            string    `json:"schedule"`
	LinksSelector       string    `json:"links_selector,omitempty"`
	MaxPages            int       `json:"max_pages,omitempty"`
	AllowHosts          []string  `json:"allow_hosts,omitempty"`
	Render              bool      `json:"render"`            // loaded in headless Chromium
	Catalog             string    `json:"catalog,omitempty"` // the catalogue entry it was added from
	Paused              bool      `json:"paused"`
	NextCheckAt         time.Time `json:"next_check_at,omitzero"`
	ETag                string    `json:"etag,omitempty"`
	LastModified        string    `json:"last_modified,omitempty"`
	LastCheckedAt       time.Time `json:"last_checked_at,omitzero"`
	LastSuccessAt       time.Time `json:"last_success_at,omitzero"`
	LastError           string    `json:"last_error,omitempty"`
	LastErrorAt         time.Time `json:"last_error_at,omitzero"`
	ConsecutiveFailures int       `json:"consecutive_failures"`
	LinksFound          int       `json:"links_found"`
	Flag                string    `json:"flag,omitempty"`
	Warning             string    `json:"warning,omitempty"`
	CreatedAt           time.Time `json:"created_at"`
	flaggedAt           time.Time
}

// FlaggedAt is when the current flag was raised (zero when not flagged).
func (s Source) FlaggedAt() time.Time { return s.flaggedAt }

const sourceCols = `id, url, kind, name, region, issuer, schedule, links_selector, max_pages, allow_hosts,
	paused, next_check_at, etag, last_modified, last_checked_at, last_success_at, last_error, last_error_at,
	consecutive_failures, links_found, flag, created_at, warning, flagged_at, render, catalog`

func scanSource(row scanner) (Source, error) {
	var s Source
	var allow string
	var next, checked, success, errAt, created, flagged sql.NullString
	err := row.Scan(&s.ID, &s.URL, &s.Kind, &s.Name, &s.Region, &s.Issuer, &s.Schedule, &s.LinksSelector,
		&s.MaxPages, &allow, &s.Paused, &next, &s.ETag, &s.LastModified, &checked, &success, &s.LastError,
		&errAt, &s.ConsecutiveFailures, &s.LinksFound, &s.Flag, &created, &s.Warning, &flagged, &s.Render, &s.Catalog)
	if err != nil {
		return Source{}, err
	}
	s.AllowHosts = decodeList(allow)
	s.NextCheckAt, s.LastCheckedAt, s.LastSuccessAt = parseTime(next), parseTime(checked), parseTime(success)
	s.LastErrorAt, s.CreatedAt, s.flaggedAt = parseTime(errAt), parseTime(created), parseTime(flagged)
	return s, nil
}

// AddSource inserts a source. A URL already present gives ErrExists.
func (db *DB) AddSource(ctx context.Context, s Source) (Source, error) {
	if s.Kind == "" {
		s.Kind = "auto"
	}
	now := db.now()
	var id int64
	err := db.w.QueryRowContext(ctx, `INSERT INTO sources
		(url, kind, name, region, issuer, schedule, links_selector, max_pages, allow_hosts, paused, next_check_at, created_at, render, catalog)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id`,
		s.URL, s.Kind, s.Name, s.Region, s.Issuer, s.Schedule, s.LinksSelector, s.MaxPages,
		encodeList(s.AllowHosts), boolInt(s.Paused), nullTime(s.NextCheckAt), fmtTime(now), boolInt(s.Render), s.Catalog).Scan(&id)
	if isUnique(err) {
		return Source{}, fmt.Errorf("source %s: %w", s.URL, ErrExists)
	}
	if err != nil {
		return Source{}, fmt.Errorf("add source %s: %w", s.URL, err)
	}
	return db.Source(ctx, strconv.FormatInt(id, 10))
}

// Source finds a source by its ID or its URL.
func (db *DB) Source(ctx context.Context, idOrURL string) (Source, error) {
	q := `SELECT ` + sourceCols + ` FROM sources WHERE url = ?`
	arg := any(idOrURL)
	if id, err := strconv.ParseInt(idOrURL, 10, 64); err == nil {
		q, arg = `SELECT `+sourceCols+` FROM sources WHERE id = ?`, id
	}
	s, err := scanSource(db.w.QueryRowContext(ctx, q, arg))
	if errors.Is(err, sql.ErrNoRows) {
		return Source{}, fmt.Errorf("source %s: %w", idOrURL, ErrNotFound)
	}
	if err != nil {
		return Source{}, fmt.Errorf("read source %s: %w", idOrURL, err)
	}
	return s, nil
}

// Sources lists all sources in the order they were added.
func (db *DB) Sources(ctx context.Context) ([]Source, error) {
	return queryAll(ctx, db.r, "list sources", scanSource, `SELECT `+sourceCols+` FROM sources ORDER BY id`)
}

// RemoveSource deletes a source. Its notices and their windows stay: they
// were found, and subscribers may already rely on them.
func (db *DB) RemoveSource(ctx context.Context, idOrURL string) (Source, error) {
	s, err := db.Source(ctx, idOrURL)
	if err != nil {
		return Source{}, err
	}
	if _, err := db.w.ExecContext(ctx, `DELETE FROM sources WHERE id = ?`, s.ID); err != nil {
		return Source{}, fmt.Errorf("remove source %s: %w", s.URL, err)
	}
	return s, nil
}

// SetSourcePaused pauses or resumes a source.
func (db *DB) SetSourcePaused(ctx context.Context, idOrURL string, paused bool) (Source, error) {
	s, err := db.Source(ctx, idOrURL)
	if err != nil {
		return Source{}, err
	}
	if _, err := db.w.ExecContext(ctx, `UPDATE sources SET paused = ? WHERE id = ?`, boolInt(paused), s.ID); err != nil {
		return Source{}, fmt.Errorf("update source %s: %w", s.URL, err)
	}
	s.Paused = paused
	return s, nil
}

func encodeList(l []string) string {
	if len(l) == 0 {
		return "[]"
	}
	b, _ := json.Marshal(l) // a []string always marshals
	return string(b)
}

func decodeList(s string) []string {
	var l []string
	if s == "" || json.Unmarshal([]byte(s), &l) != nil {
		return nil
	}
	return l
}
