package store

import (
	"context"
	"fmt"
)

// ftsRow is a new notice whose title and text go into the full-text index
// (SQLite's notices_fts) when its transaction ends.
type ftsRow struct {
	id          int64
	title, text string
}

// indexAtEnd notes a notice inserted in this transaction for the full-text
// index. FTS5 writes its pending terms to disk at every statement that
// follows in the same transaction: indexed from a trigger, each notice of
// a group stored together became a segment of its own, and merging them
// took most of a large crawl's writing (29 % of its CPU at 20,000
// notices). Indexed at the end, a group is one segment. (PostgreSQL
// searches otherwise and keeps nothing here.)
func (t *sqlTx) indexAtEnd(id int64, title, text string) {
	t.fts = append(t.fts, ftsRow{id, title, text})
}

// flushFTS indexes the notices noted so far. db.tx calls it before the
// commit; a statement that would fire the index's update or delete
// triggers on a notice of this transaction calls it first (their
// 'delete' must find what was indexed).
func (t *sqlTx) flushFTS(ctx context.Context) error {
	for _, r := range t.fts {
		if _, err := t.ExecContext(ctx, `INSERT INTO notices_fts (rowid, title, text) VALUES (?, ?, ?)`, r.id, r.title, r.text); err != nil {
			return fmt.Errorf("index notice %d for search: %w", r.id, err)
		}
	}
	t.fts = t.fts[:0]
	return nil
}
