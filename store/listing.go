package store

import (
	"cmp"
	"context"
	"database/sql"
	"fmt"
	"slices"
)

// The feeds' listing: every window a feed can show from a day on (active,
// of an active notice, closing — or, without a close, opening — that day
// or later), with its notice, in listing order, and the listing version it
// is of. Feeds keep it in memory and, when the version moves, bring it up
// to date from ListingChanges instead of reading it all again
// (migration 0015 marks each window with the version of its last change).

// Listing reads the listing from since on and its version, in one snapshot.
func (db *DB) Listing(ctx context.Context, since string) (int64, []WindowView, error) {
	var version int64
	var ws []WindowView
	err := db.readSnapshot(ctx, func(tx *sql.Tx) error {
		if err := tx.QueryRowContext(ctx, db.w.bind(`SELECT n FROM versions WHERE name = 'listing'`)).Scan(&version); err != nil {
			return fmt.Errorf("read listing version: %w", err)
		}
		where, args := WindowFilter{UpcomingFrom: since}.where(db.dialect())
		var err error
		ws, err = queryAll(ctx, txQuerier{tx, db.w}, "read listing", scanWindowView, listingCols+where+
			` ORDER BY COALESCE(w.closes, w.opens, '9999'), w.id`, args...)
		return err
	})
	return version, ws, err
}

// ListingChanges reads, in one snapshot, the listing version and what
// changed after version after: the windows changed (whatever their status
// now, with their notices) and the ids of windows removed.
func (db *DB) ListingChanges(ctx context.Context, after int64) (version int64, changed []WindowView, removed []int64, err error) {
	err = db.readSnapshot(ctx, func(tx *sql.Tx) error {
		if err := tx.QueryRowContext(ctx, db.w.bind(`SELECT n FROM versions WHERE name = 'listing'`)).Scan(&version); err != nil {
			return fmt.Errorf("read listing version: %w", err)
		}
		if version == after {
			return nil
		}
		q := txQuerier{tx, db.w}
		var err error
		if changed, err = queryAll(ctx, q, "read listing changes", scanWindowView, listingCols+` WHERE w.listed_v > ?`, after); err != nil {
			return err
		}
		removed, err = queryAll(ctx, q, "read listing removals", scanID, `SELECT window_id FROM listing_removed WHERE v > ?`, after)
		return err
	})
	return version, changed, removed, err
}

var listingCols = `SELECT ` + windowColsW + `, n.url, n.title, n.issuer, n.region, n.status
	FROM windows w JOIN notices n ON n.id = w.notice_id`

var windowColsW = prefixCols("w.", windowCols)

// Listed tells whether a window belongs in the listing from since on: the
// listing query's condition (WindowFilter.where), for windows read on
// their own.
func Listed(w WindowView, since string) bool {
	return w.Status == "active" && w.NoticeStatus == "active" &&
		(w.Closes != "" && w.Closes >= since || w.Closes == "" && w.Opens != "" && w.Opens >= since)
}

// listingKey orders the listing as its query does.
func listingKey(w WindowView) string { return cmp.Or(w.Closes, w.Opens, "9999") }

// MergeListing brings a listing up to date with what ListingChanges read:
// the changed windows and the removed ones leave it, the changed ones
// that still belong come back in their places. The listing given is not
// modified.
func MergeListing(list, changed []WindowView, removed []int64, since string) []WindowView {
	gone := make(map[int64]bool, len(changed)+len(removed))
	for _, id := range removed {
		gone[id] = true
	}
	var add []WindowView
	for _, w := range changed {
		gone[w.ID] = true
		if Listed(w, since) {
			add = append(add, w)
		}
	}
	slices.SortFunc(add, compareListed)
	out := make([]WindowView, 0, len(list)+len(add))
	for _, w := range list {
		if gone[w.ID] {
			continue
		}
		for len(add) > 0 && compareListed(add[0], w) < 0 {
			out = append(out, add[0])
			add = add[1:]
		}
		out = append(out, w)
	}
	return append(out, add...)
}

func compareListed(a, b WindowView) int {
	return cmp.Or(cmp.Compare(listingKey(a), listingKey(b)), cmp.Compare(a.ID, b.ID))
}

// readSnapshot runs f in a read transaction that sees one state of the
// database throughout.
func (db *DB) readSnapshot(ctx context.Context, f func(*sql.Tx) error) error {
	var opts *sql.TxOptions
	if db.pg {
		opts = &sql.TxOptions{Isolation: sql.LevelRepeatableRead, ReadOnly: true}
	}
	tx, err := db.r.DB.BeginTx(ctx, opts)
	if err != nil {
		return fmt.Errorf("begin read: %w", err)
	}
	defer tx.Rollback()
	return f(tx)
}

// txQuerier runs queryAll's statements in a read transaction, in the
// database's placeholder style.
type txQuerier struct {
	tx *sql.Tx
	c  *sqlConn
}

func (q txQuerier) QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error) {
	return q.tx.QueryContext(ctx, q.c.bind(query), args...)
}
