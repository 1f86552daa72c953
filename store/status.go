package store

import (
	"context"
	"fmt"
	"os"
)

// Status is a summary of what the database holds.
type Status struct {
	Path            string         `json:"db"`
	SizeBytes       int64          `json:"size_bytes"`
	SchemaVersion   int            `json:"schema_version"`
	Sources         int            `json:"sources"`
	SourcesPaused   int            `json:"sources_paused"`
	SourcesFailing  int            `json:"sources_failing"`
	SourcesFlagged  int            `json:"sources_flagged"`
	Notices         int            `json:"notices"`
	Windows         int            `json:"windows"`
	WindowsUpcoming int            `json:"windows_upcoming"`
	Subscribers     map[string]int `json:"subscribers"`
	Deliveries      map[string]int `json:"deliveries"`
	// FailingNotices are notice pages that failed at least twice in a row
	// (each is tried again at every check of its source).
	FailingNotices []FetchFailure `json:"failing_notices"`
}

// Status counts what is stored; today (YYYY-MM-DD) decides what is upcoming.
func (db *DB) Status(ctx context.Context, today string) (Status, error) {
	st := Status{Path: Shown(db.path), Subscribers: map[string]int{}, Deliveries: map[string]int{}}
	if db.pg {
		if err := db.r.QueryRowContext(ctx, `SELECT pg_database_size(current_database())`).Scan(&st.SizeBytes); err != nil {
			return Status{}, fmt.Errorf("status: %w", err)
		}
	} else if fi, err := os.Stat(db.path); err == nil {
		st.SizeBytes = fi.Size()
	}
	var err error
	if st.SchemaVersion, err = db.SchemaVersion(ctx); err != nil {
		return Status{}, fmt.Errorf("status: %w", err)
	}
	if st.FailingNotices, err = db.FetchFailures(ctx, 2); err != nil {
		return Status{}, fmt.Errorf("status: %w", err)
	}
	if st.FailingNotices == nil {
		st.FailingNotices = []FetchFailure{}
	}
	counts := []struct {
		dst  *int
		q    string
		args []any
	}{
		{&st.Sources, `SELECT COUNT(*) FROM sources`, nil},
		{&st.SourcesPaused, `SELECT COUNT(*) FROM sources WHERE paused != 0`, nil},
		{&st.SourcesFailing, `SELECT COUNT(*) FROM sources WHERE consecutive_failures > 0`, nil},
		{&st.SourcesFlagged, `SELECT COUNT(*) FROM sources WHERE flag != ''`, nil},
		{&st.Notices, `SELECT COUNT(*) FROM notices`, nil},
		{&st.Windows, `SELECT COUNT(*) FROM windows WHERE status = 'active'`, nil},
		{&st.WindowsUpcoming, `SELECT COUNT(*) FROM windows WHERE status = 'active' AND (closes >= ? OR (closes IS NULL AND opens >= ?))`, []any{today, today}},
	}
	for _, c := range counts {
		if err := db.r.QueryRowContext(ctx, c.q, c.args...).Scan(c.dst); err != nil {
			return Status{}, fmt.Errorf("status: %w", err)
		}
	}
	for table, m := range map[string]map[string]int{"subscribers": st.Subscribers, "deliveries": st.Deliveries} {
		rows, err := db.r.QueryContext(ctx, `SELECT status, COUNT(*) FROM `+table+` GROUP BY status`)
		if err != nil {
			return Status{}, fmt.Errorf("status: %w", err)
		}
		for rows.Next() {
			var k string
			var n int
			if err := rows.Scan(&k, &n); err != nil {
				rows.Close()
				return Status{}, fmt.Errorf("status: %w", err)
			}
			m[k] = n
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return Status{}, fmt.Errorf("status: %w", err)
		}
	}
	return st, nil
}
