package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
)

// RecordImport notes that a digest file was imported and returns its id.
// A file already imported (same content) keeps its first record:
// existed is true and nothing is written.
func (db *DB) RecordImport(ctx context.Context, path, sha256 string, items int) (id int64, existed bool, err error) {
	err = db.w.QueryRowContext(ctx, `SELECT id FROM imports WHERE sha256 = ?`, sha256).Scan(&id)
	if err == nil {
		return id, true, nil
	}
	if !errors.Is(err, sql.ErrNoRows) {
		return 0, false, fmt.Errorf("read imports: %w", err)
	}
	if err := db.w.QueryRowContext(ctx, `INSERT INTO imports (path, sha256, items, imported_at) VALUES (?, ?, ?, ?) RETURNING id`,
		path, sha256, items, fmtTime(db.now())).Scan(&id); err != nil {
		return 0, false, fmt.Errorf("record import %s: %w", path, err)
	}
	return id, false, nil
}

// AddSourceIfMissing adds a source unless its URL is already watched.
func (db *DB) AddSourceIfMissing(ctx context.Context, s Source) (bool, error) {
	if s.Kind == "" {
		s.Kind = "auto"
	}
	res, err := db.w.ExecContext(ctx, `INSERT INTO sources (url, kind, name, region, issuer, schedule, links_selector,
		max_pages, allow_hosts, paused, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (url) DO NOTHING`,
		s.URL, s.Kind, s.Name, s.Region, s.Issuer, s.Schedule, s.LinksSelector, s.MaxPages, encodeList(s.AllowHosts),
		boolInt(s.Paused), fmtTime(db.now()))
	if err != nil {
		return false, fmt.Errorf("add source %s: %w", s.URL, err)
	}
	n, err := res.RowsAffected()
	return n == 1, err
}
