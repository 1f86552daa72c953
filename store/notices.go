package store

import (
	"cmp"
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"sort"
	"strings"
	"time"
	"unicode/utf8"
)

// Notice is one 申报通知 (or any page that was read for windows).
type Notice struct {
	ID              int64     `json:"id"`
	URL             string    `json:"url"`
	SourceID        int64     `json:"source_id,omitempty"`
	Title           string    `json:"title"`
	Issuer          string    `json:"issuer"`
	DocNumber       string    `json:"doc_number"`
	Region          string    `json:"region"`
	Category        string    `json:"category,omitempty"`
	Published       string    `json:"published"` // YYYY-MM-DD, or "" when unknown
	Text            string    `json:"-"`
	ContentHash     string    `json:"content_hash,omitempty"`
	ApplicationURL  string    `json:"application_url,omitempty"`
	ExtendsNoticeID int64     `json:"extends_notice_id,omitempty"`
	ImportID        int64     `json:"import_id,omitempty"` // the digest it was imported from
	Status          string    `json:"status"`              // active, gone
	FirstSeenAt     time.Time `json:"first_seen_at"`
	LastSeenAt      time.Time `json:"last_seen_at"`
}

// Window is one application period of a notice.
type Window struct {
	ID            int64     `json:"id"`
	NoticeID      int64     `json:"notice_id"`
	Key           string    `json:"key"`
	Label         string    `json:"what"`
	Opens         string    `json:"opens"`       // YYYY-MM-DD or ""
	Closes        string    `json:"closes"`      // YYYY-MM-DD or ""
	ClosesTime    string    `json:"closes_time"` // HH:MM or ""
	Evidence      string    `json:"evidence"`
	EvidenceStart int       `json:"evidence_start"`
	EvidenceEnd   int       `json:"evidence_end"`
	Status        string    `json:"status"` // active, withdrawn, gone
	Revision      int       `json:"revision"`
	CreatedAt     time.Time `json:"created_at"`
	UpdatedAt     time.Time `json:"updated_at"`
}

// SaveResult says what SaveNotice changed.
type SaveResult struct {
	NoticeID         int64
	NewNotice        bool
	NoticeChanged    bool // title, text or metadata differ from what was stored
	WindowsAdded     int
	WindowsChanged   int // dates moved; a window_changes row records old → new
	WindowsWithdrawn int // present before, absent now
}

const noticeCols = `id, url, source_id, title, issuer, doc_number, region, category, published, text,
	content_hash, application_url, extends_notice_id, status, first_seen_at, last_seen_at, import_id`

func scanNotice(row scanner) (Notice, error) {
	var n Notice
	var src, ext, imp sql.NullInt64
	var pub, first, last sql.NullString
	if err := row.Scan(&n.ID, &n.URL, &src, &n.Title, &n.Issuer, &n.DocNumber, &n.Region, &n.Category, &pub,
		&n.Text, &n.ContentHash, &n.ApplicationURL, &ext, &n.Status, &first, &last, &imp); err != nil {
		return Notice{}, err
	}
	n.SourceID, n.ExtendsNoticeID, n.ImportID, n.Published = src.Int64, ext.Int64, imp.Int64, pub.String
	n.FirstSeenAt, n.LastSeenAt = parseTime(first), parseTime(last)
	return n, nil
}

func nullID(id int64) any {
	if id == 0 {
		return nil
	}
	return id
}

// SaveNotice stores a notice (matched by URL) and its windows (matched by
// key) in one transaction. A stored window whose dates differ gets the new
// dates, a higher revision and a window_changes row saying why; a stored
// active window missing from windows is marked withdrawn, never deleted, so
// that reminders already sent stay explainable.
func (db *DB) SaveNotice(ctx context.Context, n Notice, windows []Window, reason string) (SaveResult, error) {
	return db.SaveFetchedNotice(ctx, n, windows, reason, nil)
}

// SaveFetchedNotice is SaveNotice for a page just fetched: its validators
// and attachments (st, when not nil) are stored in the same transaction,
// one commit for the page instead of two.
func (db *DB) SaveFetchedNotice(ctx context.Context, n Notice, windows []Window, reason string, st *NoticeFetchState) (SaveResult, error) {
	var res SaveResult
	now := fmtTime(db.now())
	if n.Status == "" {
		n.Status = "active"
	}
	err := db.groupTx(ctx, func(tx *sqlTx) error {
		// A group that failed as a whole runs this again, from n as given.
		var err error
		res, err = db.saveNoticeTx(ctx, tx, n, windows, reason, st, now)
		return err
	})
	if err != nil {
		return SaveResult{}, fmt.Errorf("save notice %s: %w", n.URL, err)
	}
	return res, nil
}

// saveNoticeTx is SaveFetchedNotice's work in the transaction tx.
func (db *DB) saveNoticeTx(ctx context.Context, tx *sqlTx, n Notice, windows []Window, reason string, st *NoticeFetchState, now string) (SaveResult, error) {
	var res SaveResult
	err := func() error {
		old, err := scanNotice(tx.QueryRowContext(ctx, `SELECT `+noticeCols+` FROM notices WHERE url = ?`, n.URL))
		switch {
		case errors.Is(err, sql.ErrNoRows):
			// A new notice's fetch state goes in with it: set by an update
			// after, the row (its text and all) was written twice.
			var etag, lastMod, att, checked any
			if st != nil {
				etag, lastMod, att, checked = st.ETag, st.LastModified, attachmentsJSON(st), now
			}
			if err := tx.QueryRowContext(ctx, `INSERT INTO notices
				(url, source_id, title, issuer, doc_number, region, category, published, text, content_hash,
				 application_url, extends_notice_id, status, first_seen_at, last_seen_at, import_id,
				 etag, last_modified, attachments, checked_at)
				VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, COALESCE(?, ''), COALESCE(?, ''), COALESCE(?, '[]'), ?) RETURNING id`,
				n.URL, nullID(n.SourceID), n.Title, n.Issuer, n.DocNumber, n.Region, n.Category, nullString(n.Published),
				n.Text, n.ContentHash, n.ApplicationURL, nullID(n.ExtendsNoticeID), n.Status, now, now, nullID(n.ImportID),
				etag, lastMod, att, checked).Scan(&res.NoticeID); err != nil {
				return fmt.Errorf("insert notice: %w", err)
			}
			if !db.pg {
				tx.indexAtEnd(res.NoticeID, n.Title, n.Text)
			}
			res.NewNotice, res.NoticeChanged = true, true
		case err != nil:
			return fmt.Errorf("read notice: %w", err)
		default:
			res.NoticeID = old.ID
			// Keep what an earlier pass knew when this one does not know it.
			keep := func(newV, oldV string) string {
				if newV == "" {
					return oldV
				}
				return newV
			}
			n.Title, n.Issuer, n.DocNumber = keep(n.Title, old.Title), keep(n.Issuer, old.Issuer), keep(n.DocNumber, old.DocNumber)
			n.Region, n.Category, n.Published = keep(n.Region, old.Region), keep(n.Category, old.Category), keep(n.Published, old.Published)
			n.Text, n.ContentHash, n.ApplicationURL = keep(n.Text, old.Text), keep(n.ContentHash, old.ContentHash), keep(n.ApplicationURL, old.ApplicationURL)
			if n.SourceID == 0 {
				n.SourceID = old.SourceID
			}
			if n.ExtendsNoticeID == 0 {
				n.ExtendsNoticeID = old.ExtendsNoticeID
			}
			if n.ImportID == 0 {
				n.ImportID = old.ImportID
			}
			res.NoticeChanged = n.Title != old.Title || n.Issuer != old.Issuer || n.DocNumber != old.DocNumber ||
				n.Region != old.Region || n.Category != old.Category || n.Published != old.Published ||
				n.ContentHash != old.ContentHash || n.Text != old.Text || n.ApplicationURL != old.ApplicationURL ||
				n.Status != old.Status || n.SourceID != old.SourceID || n.ExtendsNoticeID != old.ExtendsNoticeID ||
				n.ImportID != old.ImportID
			if !res.NoticeChanged {
				// Nothing differs: leave the row alone (a second import of
				// the same file changes nothing). The tracker notes that a
				// page was seen with MarkSeen.
				break
			}
			// The update trigger takes the old text out of the index: a
			// notice stored earlier in this transaction must be in it.
			if err := tx.flushFTS(ctx); err != nil {
				return err
			}
			if _, err := tx.ExecContext(ctx, `UPDATE notices SET source_id = ?, title = ?, issuer = ?, doc_number = ?,
				region = ?, category = ?, published = ?, text = ?, content_hash = ?, application_url = ?,
				extends_notice_id = ?, status = ?, last_seen_at = ?, import_id = ? WHERE id = ?`,
				nullID(n.SourceID), n.Title, n.Issuer, n.DocNumber, n.Region, n.Category, nullString(n.Published),
				n.Text, n.ContentHash, n.ApplicationURL, nullID(n.ExtendsNoticeID), n.Status, now, nullID(n.ImportID), old.ID); err != nil {
				return fmt.Errorf("update notice: %w", err)
			}
		}
		if err := saveWindows(ctx, tx, res.NoticeID, windows, reason, now, res.NewNotice, &res); err != nil {
			return err
		}
		if st != nil && !res.NewNotice {
			if _, err := tx.ExecContext(ctx, `UPDATE notices SET etag = ?, last_modified = ?, attachments = ?, checked_at = ? WHERE id = ?`,
				st.ETag, st.LastModified, attachmentsJSON(st), now, res.NoticeID); err != nil {
				return fmt.Errorf("notice fetch state: %w", err)
			}
		}
		return nil
	}()
	return res, err
}

// attachmentsJSON is the fetch state's attachments as stored: a JSON list.
func attachmentsJSON(st *NoticeFetchState) string {
	if st.Attachments == nil {
		return "[]"
	}
	att, _ := json.Marshal(st.Attachments)
	return string(att)
}

// saveWindows brings a notice's windows in line with those just read. A
// notice inserted in this transaction (isNew) has none to read first.
func saveWindows(ctx context.Context, tx *sqlTx, noticeID int64, windows []Window, reason, now string, isNew bool, res *SaveResult) error {
	var stored []Window
	if !isNew {
		var err error
		if stored, err = windowsOf(ctx, tx, noticeID); err != nil {
			return err
		}
	}
	byKey := make(map[string]Window, len(stored))
	for _, w := range stored {
		byKey[w.Key] = w
	}
	seen := make(map[string]bool, len(windows))
	for _, w := range windows {
		if w.Key == "" || seen[w.Key] {
			return fmt.Errorf("window key %q is empty or repeated", w.Key)
		}
		seen[w.Key] = true
		old, ok := byKey[w.Key]
		if !ok {
			if _, err := tx.ExecContext(ctx, `INSERT INTO windows
				(notice_id, key, label, opens, closes, closes_time, evidence, evidence_start, evidence_end, status, created_at, updated_at)
				VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, 'active', ?, ?)`,
				noticeID, w.Key, w.Label, nullString(w.Opens), nullString(w.Closes), nullString(w.ClosesTime),
				w.Evidence, w.EvidenceStart, w.EvidenceEnd, now, now); err != nil {
				return fmt.Errorf("insert window %s: %w", w.Key, err)
			}
			res.WindowsAdded++
			continue
		}
		moved := old.Opens != w.Opens || old.Closes != w.Closes || old.ClosesTime != w.ClosesTime || old.Status != "active"
		if !moved && old.Label == w.Label && old.Evidence == w.Evidence {
			continue
		}
		rev := old.Revision
		if moved {
			rev++
			res.WindowsChanged++
			if _, err := tx.ExecContext(ctx, `INSERT INTO window_changes
				(window_id, changed_at, old_opens, old_closes, old_closes_time, new_opens, new_closes, new_closes_time, reason)
				VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`,
				old.ID, now, nullString(old.Opens), nullString(old.Closes), nullString(old.ClosesTime),
				nullString(w.Opens), nullString(w.Closes), nullString(w.ClosesTime), reason); err != nil {
				return fmt.Errorf("record window change %s: %w", w.Key, err)
			}
		}
		if _, err := tx.ExecContext(ctx, `UPDATE windows SET label = ?, opens = ?, closes = ?, closes_time = ?,
			evidence = ?, evidence_start = ?, evidence_end = ?, status = 'active', revision = ?, updated_at = ? WHERE id = ?`,
			w.Label, nullString(w.Opens), nullString(w.Closes), nullString(w.ClosesTime), w.Evidence,
			w.EvidenceStart, w.EvidenceEnd, rev, now, old.ID); err != nil {
			return fmt.Errorf("update window %s: %w", w.Key, err)
		}
	}
	for _, old := range stored {
		if seen[old.Key] || old.Status != "active" {
			continue
		}
		if _, err := tx.ExecContext(ctx, `UPDATE windows SET status = 'withdrawn', revision = revision + 1, updated_at = ? WHERE id = ?`,
			now, old.ID); err != nil {
			return fmt.Errorf("withdraw window %s: %w", old.Key, err)
		}
		res.WindowsWithdrawn++
	}
	return nil
}

const windowCols = `id, notice_id, key, label, opens, closes, closes_time, evidence, evidence_start, evidence_end,
	status, revision, created_at, updated_at`

func scanWindow(row scanner, extra ...any) (Window, error) {
	var w Window
	var opens, closes, ct, created, updated sql.NullString
	dest := append([]any{&w.ID, &w.NoticeID, &w.Key, &w.Label, &opens, &closes, &ct, &w.Evidence,
		&w.EvidenceStart, &w.EvidenceEnd, &w.Status, &w.Revision, &created, &updated}, extra...)
	if err := row.Scan(dest...); err != nil {
		return Window{}, err
	}
	w.Opens, w.Closes, w.ClosesTime = opens.String, closes.String, ct.String
	w.CreatedAt, w.UpdatedAt = parseTime(created), parseTime(updated)
	return w, nil
}

type querier interface {
	QueryContext(ctx context.Context, q string, args ...any) (*sql.Rows, error)
}

func windowsOf(ctx context.Context, q querier, noticeID int64) ([]Window, error) {
	return queryAll(ctx, q, "read windows", func(r scanner) (Window, error) { return scanWindow(r) },
		`SELECT `+windowCols+` FROM windows WHERE notice_id = ? ORDER BY id`, noticeID)
}

// NoticeByURL finds a notice by its canonical URL.
func (db *DB) NoticeByURL(ctx context.Context, url string) (Notice, error) {
	n, err := scanNotice(db.r.QueryRowContext(ctx, `SELECT `+noticeCols+` FROM notices WHERE url = ?`, url))
	if errors.Is(err, sql.ErrNoRows) {
		return Notice{}, fmt.Errorf("notice %s: %w", url, ErrNotFound)
	}
	if err != nil {
		return Notice{}, fmt.Errorf("read notice %s: %w", url, err)
	}
	return n, nil
}

// StoredURLs tells which of urls are notices already stored: one query per
// few hundred links, where a list page's links were once looked up one by
// one.
func (db *DB) StoredURLs(ctx context.Context, urls []string) (map[string]bool, error) {
	have := map[string]bool{}
	for len(urls) > 0 {
		// Three statement texts serve every list (8, 32 or 128 places, the
		// last URL repeated to fill them): a text per length would crowd
		// out the kept statements.
		size := 128
		for _, n := range []int{8, 32} {
			if len(urls) <= n {
				size = n
				break
			}
		}
		part := urls[:min(size, len(urls))]
		urls = urls[len(part):]
		args := make([]any, size)
		for i := range args {
			args[i] = part[min(i, len(part)-1)]
		}
		q := `SELECT url FROM notices WHERE url IN (?` + strings.Repeat(", ?", size-1) + `)`
		rows, err := db.r.QueryContext(ctx, q, args...)
		if err != nil {
			return nil, fmt.Errorf("look up %d notice URLs: %w", len(part), err)
		}
		for rows.Next() {
			var u string
			if err := rows.Scan(&u); err != nil {
				rows.Close()
				return nil, fmt.Errorf("look up %d notice URLs: %w", len(part), err)
			}
			have[u] = true
		}
		err = rows.Err()
		rows.Close()
		if err != nil {
			return nil, fmt.Errorf("look up %d notice URLs: %w", len(part), err)
		}
	}
	return have, nil
}

// NoticeWindows lists a notice's windows, withdrawn ones included.
func (db *DB) NoticeWindows(ctx context.Context, noticeID int64) ([]Window, error) {
	return windowsOf(ctx, db.r, noticeID)
}

// Notices lists notices, newest first. A non-empty search matches title and
// text: three or more characters go through the trigram index, shorter ones
// (a two-character place name such as 山西) through LIKE, which the trigram
// tokenizer cannot serve.
func (db *DB) Notices(ctx context.Context, search string, limit int) ([]Notice, error) {
	if limit <= 0 {
		limit = math.MaxInt32
	}
	search = strings.TrimSpace(search)
	var query string
	var args []any
	switch {
	case search == "":
		query, args = `SELECT `+noticeCols+` FROM notices ORDER BY COALESCE(published, '') DESC, id DESC LIMIT ?`, []any{limit}
	case utf8.RuneCountInString(search) < 3 || db.pg: // PostgreSQL: trigram indexes serve LIKE
		like := "%" + escapeLike(search) + "%"
		query, args = `SELECT `+noticeCols+` FROM notices
			WHERE title LIKE ? ESCAPE '\' OR text LIKE ? ESCAPE '\'
			ORDER BY COALESCE(published, '') DESC, id DESC LIMIT ?`, []any{like, like, limit}
	default:
		// A quoted FTS5 string is matched as one phrase; quotes inside are doubled.
		phrase := `"` + strings.ReplaceAll(search, `"`, `""`) + `"`
		query, args = `SELECT `+prefixCols("n.", noticeCols)+` FROM notices_fts f
			JOIN notices n ON n.id = f.rowid WHERE notices_fts MATCH ?
			ORDER BY COALESCE(n.published, '') DESC, n.id DESC LIMIT ?`, []any{phrase, limit}
	}
	return queryAll(ctx, db.r, "list notices", scanNotice, query, args...)
}

func escapeLike(s string) string {
	return strings.NewReplacer(`\`, `\\`, `%`, `\%`, `_`, `\_`).Replace(s)
}

func prefixCols(prefix, cols string) string {
	parts := strings.Split(cols, ",")
	for i, p := range parts {
		parts[i] = prefix + strings.TrimSpace(p)
	}
	return strings.Join(parts, ", ")
}

// WindowView is a window with what a listing needs of its notice.
type WindowView struct {
	Window
	NoticeURL string `json:"notice_url"`
	Title     string `json:"title"`
	Issuer    string `json:"issuer"`
	Region    string `json:"region"`
	// NoticeStatus is the notice's: active, or gone (its page answers 404).
	NoticeStatus string `json:"-"`
}

// WindowFilter selects windows for a listing.
type WindowFilter struct {
	// UpcomingFrom, a date (YYYY-MM-DD), keeps windows still open or yet to
	// open on that day.
	UpcomingFrom string
	// StartsBy, a date, keeps windows that open or close on or before it
	// (those that show on a timeline ending that day).
	StartsBy string
	// Limit, when positive, keeps only the first windows in listing order.
	Limit int
	// Region keeps windows whose notice is of that region, or names it in its
	// issuer or title (a notice of 山西省科学技术厅 is a 山西 notice).
	Region string
	// All includes withdrawn windows and those of notices that are gone.
	All bool
}

// where returns the filter's conditions on windows w joined with notices n.
func (f WindowFilter) where(d dialect) (string, []any) {
	var where []string
	var args []any
	if !f.All {
		// The unary + keeps the planner from reading every active notice
		// through the index on status and sorting: listings are driven
		// from the windows (by the index on closes), each joined to its
		// notice by key, so they cost what they return, not the history.
		where = append(where, `w.status = 'active' AND `+d.notIndexed("n.status")+` = 'active'`)
	}
	if f.UpcomingFrom != "" {
		// Windows without a closing day are found by windows_opens_only
		// (migration 0017) from the day on, not among every such window.
		where = append(where, `(w.closes >= ? OR (`+d.notIndexed("w.closes")+` IS NULL AND w.opens >= ?))`)
		args = append(args, f.UpcomingFrom, f.UpcomingFrom)
	}
	if f.StartsBy != "" {
		where = append(where, `(w.opens <= ? OR w.closes <= ?)`)
		args = append(args, f.StartsBy, f.StartsBy)
	}
	if f.Region != "" {
		like := "%" + escapeLike(f.Region) + "%"
		where = append(where, `(n.region = ? OR n.issuer LIKE ? ESCAPE '\' OR n.title LIKE ? ESCAPE '\')`)
		args = append(args, f.Region, like, like)
	}
	if len(where) == 0 {
		return "", nil
	}
	return ` WHERE ` + strings.Join(where, ` AND `), args
}

// Windows lists windows with their notices, soonest closing first.
func (db *DB) Windows(ctx context.Context, f WindowFilter) ([]WindowView, error) {
	q, args, bounded := f.query(db.dialect())
	ws, err := queryAll(ctx, db.r, "list windows", scanWindowView, q, args...)
	if err != nil || !bounded {
		return ws, err
	}
	sort.SliceStable(ws, func(i, j int) bool {
		a, b := cmp.Or(ws[i].Closes, ws[i].Opens), cmp.Or(ws[j].Closes, ws[j].Opens)
		if a != b {
			return a < b
		}
		return ws[i].ID < ws[j].ID
	})
	return ws[:min(len(ws), f.Limit)], nil
}

// query is the SQL Windows runs. A bounded listing from a day (bounded)
// is two reads of at most Limit rows each, to be merged and cut: the
// windows closing from that day, walking the index on closes, and those
// that only open, walking windows_opens_only; each stops at the limit, so
// its cost does not grow with the history stored.
func (f WindowFilter) query(d dialect) (q string, args []any, bounded bool) {
	cols := `SELECT ` + prefixCols("w.", windowCols) + `, n.url, n.title, n.issuer, n.region, n.status
		FROM windows w JOIN notices n ON n.id = w.notice_id`
	if f.Limit > 0 && f.UpcomingFrom != "" {
		g := f
		g.UpcomingFrom = ""
		where, wargs := g.where(d)
		and := " AND "
		if where == "" {
			where, and = " WHERE ", ""
		}
		q = `SELECT * FROM (` + cols + where + and + `w.closes >= ? ORDER BY w.closes, w.id LIMIT ?) AS closing
			UNION ALL SELECT * FROM (` + cols + where + and + d.notIndexed("w.closes") + ` IS NULL AND w.opens >= ? ORDER BY w.opens, w.id LIMIT ?) AS opening`
		args = append(append(append(args, wargs...), f.UpcomingFrom, f.Limit), append(wargs, f.UpcomingFrom, f.Limit)...)
		return q, args, true
	}
	where, args := f.where(d)
	q = cols + where + ` ORDER BY COALESCE(w.closes, w.opens, '9999') , w.id`
	if f.Limit > 0 {
		q += ` LIMIT ?`
		args = append(args, f.Limit)
	}
	return q, args, false
}

func scanWindowView(r scanner) (WindowView, error) {
	var v WindowView
	w, err := scanWindow(r, &v.NoticeURL, &v.Title, &v.Issuer, &v.Region, &v.NoticeStatus)
	v.Window = w
	return v, err
}

// SourceRegions lists the regions of the sources watched, for a page's
// region choice.
func (db *DB) SourceRegions(ctx context.Context) ([]string, error) {
	return queryAll(ctx, db.r, "list source regions", scanString, sourceRegionsSQL)
}

// sourceRegionsSQL reads the distinct regions in order by skipping through
// the index on region, one step per region (a DISTINCT read every source,
// and a page's region choice is asked at every view).
const sourceRegionsSQL = `WITH RECURSIVE r(region) AS (
	SELECT MIN(region) FROM sources WHERE region > ''
	UNION ALL
	SELECT (SELECT MIN(s.region) FROM sources s WHERE s.region > r.region) FROM r WHERE r.region IS NOT NULL)
SELECT region FROM r WHERE region IS NOT NULL`

// WindowChange is one recorded move of a window's dates.
type WindowChange struct {
	WindowID                           int64
	ChangedAt                          time.Time
	OldOpens, OldCloses, OldClosesTime string
	NewOpens, NewCloses, NewClosesTime string
	Reason                             string
}

// WindowChanges lists the recorded date changes of one window, oldest first.
func (db *DB) WindowChanges(ctx context.Context, windowID int64) ([]WindowChange, error) {
	return queryAll(ctx, db.r, "list window changes", scanWindowChange, `SELECT window_id, changed_at, old_opens, old_closes, old_closes_time,
		new_opens, new_closes, new_closes_time, reason FROM window_changes WHERE window_id = ? ORDER BY id`, windowID)
}

func scanWindowChange(r scanner) (WindowChange, error) {
	var c WindowChange
	var at, oo, oc, oct, no, nc, nct sql.NullString
	err := r.Scan(&c.WindowID, &at, &oo, &oc, &oct, &no, &nc, &nct, &c.Reason)
	c.ChangedAt = parseTime(at)
	c.OldOpens, c.OldCloses, c.OldClosesTime = oo.String, oc.String, oct.String
	c.NewOpens, c.NewCloses, c.NewClosesTime = no.String, nc.String, nct.String
	return c, err
}

// MarkSeen records that a notice was found again, unchanged.
func (db *DB) MarkSeen(ctx context.Context, noticeID int64) error {
	if _, err := db.w.ExecContext(ctx, `UPDATE notices SET last_seen_at = ? WHERE id = ?`, fmtTime(db.now()), noticeID); err != nil {
		return fmt.Errorf("mark notice %d seen: %w", noticeID, err)
	}
	return nil
}

// ListingVersion is a number that moves whenever anything a feed or a
// listing shows changes (a window, or the notice fields it is listed with).
// Equal numbers mean equal listings, so it can stand in an ETag.
func (db *DB) ListingVersion(ctx context.Context) (int64, error) {
	var n int64
	if err := db.r.QueryRowContext(ctx, `SELECT n FROM versions WHERE name = 'listing'`).Scan(&n); err != nil {
		return 0, fmt.Errorf("read listing version: %w", err)
	}
	return n, nil
}
