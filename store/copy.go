package store

import (
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"errors"
	"fmt"
	"sort"
	"strconv"
	"strings"
)

// copyTables are the tables a store copy carries, parents before children.
// Left out: schema_migrations (each store has its own), leases (who holds
// a lease is about running processes, not data) and SQLite's full-text
// index (PostgreSQL indexes the copied rows itself).
var copyTables = []struct {
	name string
	// selfRef is a column pointing into the same table: copied as NULL,
	// then set once every row is there.
	selfRef string
}{
	{name: "sources"}, {name: "imports"}, {name: "notices", selfRef: "extends_notice_id"}, {name: "windows"},
	{name: "window_changes"}, {name: "subscribers"}, {name: "secrets"}, {name: "fetch_failures"},
	{name: "deliveries"}, {name: "versions"},
}

// copySkip are bookkeeping columns a copy leaves to the target: a
// window's listed_v is the listing version of its last change, which the
// target's triggers set as the rows go in (its versions move on past the
// source's).
var copySkip = map[string]string{"windows": "listed_v"}

// TableCopy is what a copy found for one table.
type TableCopy struct {
	Table    string `json:"table"`
	Rows     int64  `json:"rows"`
	Checksum string `json:"checksum"` // of the rows as read back from the target
	Match    bool   `json:"match"`    // the same rows and checksum on both sides
}

// ErrTargetNotEmpty is returned when a copy's target already holds data.
var ErrTargetNotEmpty = errors.New("target store is not empty")

// CopyTo copies every row of db into to, an empty store with the same
// schema version, in one transaction, keeping ids; then reads both back
// and compares counts and checksums table by table. The copy is kept
// only when every table matches.
func (db *DB) CopyTo(ctx context.Context, to *DB) ([]TableCopy, error) {
	fv, err := db.SchemaVersion(ctx)
	if err != nil {
		return nil, fmt.Errorf("copy: read source schema: %w", err)
	}
	tv, err := to.SchemaVersion(ctx)
	if err != nil {
		return nil, fmt.Errorf("copy: read target schema: %w", err)
	}
	if fv != tv {
		return nil, fmt.Errorf("copy: the source's schema is version %d, the target's %d: open both with this grantwatch first", fv, tv)
	}
	for _, t := range []string{"sources", "notices", "subscribers", "deliveries"} {
		var n int64
		if err := to.r.QueryRowContext(ctx, `SELECT COUNT(*) FROM `+t).Scan(&n); err != nil {
			return nil, fmt.Errorf("copy: count target %s: %w", t, err)
		}
		if n > 0 {
			return nil, fmt.Errorf("copy to %s: %w (%d rows in %s)", Shown(to.path), ErrTargetNotEmpty, n, t)
		}
	}
	var report []TableCopy
	err = to.tx(ctx, func(tx *sqlTx) error {
		for _, t := range copyTables {
			if err := copyTable(ctx, db, tx, t.name, t.selfRef); err != nil {
				return fmt.Errorf("copy %s: %w", t.name, err)
			}
		}
		if !to.pg {
			// New notices are indexed by the store, not by a trigger
			// (migration 0016): the copied ones are indexed here.
			if _, err := tx.ExecContext(ctx, `INSERT INTO notices_fts (notices_fts) VALUES ('rebuild')`); err != nil {
				return fmt.Errorf("copy notices: index them for search: %w", err)
			}
		}
		if to.pg {
			// Identities go on after the highest id copied.
			for _, t := range copyTables {
				if t.name == "secrets" || t.name == "fetch_failures" || t.name == "versions" {
					continue
				}
				if _, err := tx.ExecContext(ctx, `SELECT setval(pg_get_serial_sequence('`+t.name+`', 'id'),
					COALESCE((SELECT MAX(id) FROM `+t.name+`), 0) + 1, false)`); err != nil {
					return fmt.Errorf("copy %s: move its identity on: %w", t.name, err)
				}
			}
		}
		for _, t := range copyTables {
			from, err := tableDigest(ctx, db.r, t.name)
			if err != nil {
				return fmt.Errorf("checksum %s in the source: %w", t.name, err)
			}
			got, err := tableDigest(ctx, tx, t.name)
			if err != nil {
				return fmt.Errorf("checksum %s in the target: %w", t.name, err)
			}
			report = append(report, TableCopy{Table: t.name, Rows: got.rows, Checksum: got.sum,
				Match: got.rows == from.rows && got.sum == from.sum})
		}
		for _, r := range report {
			if !r.Match {
				return fmt.Errorf("copy: %s differs after the copy: nothing was kept", r.Table)
			}
		}
		return nil
	})
	if err != nil {
		return report, err
	}
	return report, nil
}

type rowQuerier interface {
	QueryContext(ctx context.Context, q string, args ...any) (*sql.Rows, error)
}

type rowExecer interface {
	ExecContext(ctx context.Context, q string, args ...any) (sql.Result, error)
}

// copyTable reads a table of db and inserts its rows into tx, a few
// hundred rows per statement.
func copyTable(ctx context.Context, db *DB, tx rowExecer, table, selfRef string) error {
	rows, err := db.r.QueryContext(ctx, `SELECT * FROM `+table)
	if err != nil {
		return err
	}
	defer rows.Close()
	cols, err := rows.Columns()
	if err != nil {
		return err
	}
	self, skip := -1, -1
	for i, c := range cols {
		if c == selfRef {
			self = i
		}
		if c == copySkip[table] {
			skip = i
		}
	}
	names := cols
	if skip >= 0 {
		names = append(append([]string(nil), cols[:skip]...), cols[skip+1:]...)
	}
	if table == "versions" {
		// The target's triggers counted the copy's writes; the count goes on
		// from the larger of the two, so every ETag given before changes.
		for rows.Next() {
			var name string
			var n int64
			if err := rows.Scan(&name, &n); err != nil {
				return err
			}
			if _, err := tx.ExecContext(ctx, `UPDATE versions SET n = n + ? WHERE name = ?`, n+1, name); err != nil {
				return err
			}
		}
		return rows.Err()
	}
	perStmt := max(1, 500/len(names))
	var batch []any
	var selfLinks [][2]any
	flush := func() error {
		if len(batch) == 0 {
			return nil
		}
		n := len(batch) / len(names)
		one := "(" + strings.TrimSuffix(strings.Repeat("?, ", len(names)), ", ") + ")"
		q := `INSERT INTO ` + table + ` (` + strings.Join(names, ", ") + `) VALUES ` +
			strings.TrimSuffix(strings.Repeat(one+", ", n), ", ")
		_, err := tx.ExecContext(ctx, q, batch...)
		batch = batch[:0]
		return err
	}
	for rows.Next() {
		vals := make([]any, len(cols))
		ptrs := make([]any, len(cols))
		for i := range vals {
			ptrs[i] = &vals[i]
		}
		if err := rows.Scan(ptrs...); err != nil {
			return err
		}
		if self >= 0 && vals[self] != nil {
			selfLinks = append(selfLinks, [2]any{vals[0], vals[self]})
			vals[self] = nil
		}
		if skip >= 0 {
			vals = append(vals[:skip], vals[skip+1:]...)
		}
		batch = append(batch, vals...)
		if len(batch)/len(names) >= perStmt {
			if err := flush(); err != nil {
				return err
			}
		}
	}
	if err := rows.Err(); err != nil {
		return err
	}
	if err := flush(); err != nil {
		return err
	}
	for _, l := range selfLinks {
		if _, err := tx.ExecContext(ctx, `UPDATE `+table+` SET `+selfRef+` = ? WHERE id = ?`, l[1], l[0]); err != nil {
			return err
		}
	}
	return nil
}

type digest struct {
	rows int64
	sum  string
}

// tableDigest hashes every row of a table, values in a form both backends
// give alike, and the row hashes in sorted order (the two sort text
// differently, so no ORDER BY is trusted).
func tableDigest(ctx context.Context, q rowQuerier, table string) (digest, error) {
	cols := "*"
	if table == "versions" {
		cols = "name" // the counter moves on in the target, by design
	}
	rows, err := q.QueryContext(ctx, `SELECT `+cols+` FROM `+table)
	if err != nil {
		return digest{}, err
	}
	defer rows.Close()
	names, err := rows.Columns()
	if err != nil {
		return digest{}, err
	}
	var sums []string
	for rows.Next() {
		vals := make([]any, len(names))
		ptrs := make([]any, len(names))
		for i := range vals {
			ptrs[i] = &vals[i]
		}
		if err := rows.Scan(ptrs...); err != nil {
			return digest{}, err
		}
		h := sha256.New()
		for i, v := range vals {
			if names[i] == copySkip[table] {
				continue
			}
			h.Write([]byte(names[i]))
			h.Write([]byte{0})
			h.Write([]byte(canonical(v)))
			h.Write([]byte{0})
		}
		sums = append(sums, hex.EncodeToString(h.Sum(nil)))
	}
	if err := rows.Err(); err != nil {
		return digest{}, err
	}
	sort.Strings(sums)
	h := sha256.New()
	for _, s := range sums {
		h.Write([]byte(s))
	}
	return digest{rows: int64(len(sums)), sum: hex.EncodeToString(h.Sum(nil))[:16]}, nil
}

// canonical writes a value the same way whichever backend read it.
func canonical(v any) string {
	switch x := v.(type) {
	case nil:
		return "\x01null"
	case int64:
		return strconv.FormatInt(x, 10)
	case int32:
		return strconv.FormatInt(int64(x), 10)
	case float64:
		return strconv.FormatFloat(x, 'g', -1, 64)
	case bool:
		if x {
			return "1"
		}
		return "0"
	case []byte:
		return "\x02" + hex.EncodeToString(x)
	case string:
		return x
	}
	return fmt.Sprint(v)
}
