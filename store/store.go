// Package store keeps everything grantwatch knows in one SQLite file
// (modernc.org/sqlite, no cgo). The schema lives in migrations/*.sql,
// embedded and applied in order at Open, each in its own transaction and
// recorded in schema_migrations, so reopening a file never loses data.
//
// Writes go through one connection (SQLite allows one writer; queueing in Go
// is kinder than SQLITE_BUSY), reads through a small read-only pool that WAL
// lets run beside the writer.
package store

import (
	"context"
	"crypto/rand"
	"database/sql"
	"embed"
	"encoding/base64"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"sort"
	"strconv"
	"strings"
	"syscall"
	"time"

	_ "modernc.org/sqlite" // the database/sql driver "sqlite"
)

//go:embed migrations/*.sql migrations_pg/*.sql
var migrationFS embed.FS

// ErrNotFound is returned when a looked-up row does not exist.
var ErrNotFound = errors.New("not found")

// ErrExists is returned when an insert would duplicate a unique value.
var ErrExists = errors.New("already exists")

// DB is an open grantwatch database.
type DB struct {
	wall func() time.Time // real time, for leases shared between processes
	path string
	pg   bool     // PostgreSQL (path is its URL); else SQLite
	w    *sqlConn // the one writer
	r    *sqlConn // readers
	now  func() time.Time

	group           txGroup // groupTx's queue: notice saves and send records
	stopCheckpoints func()  // SQLite: the background WAL checkpoints
}

// Option changes how Open behaves.
type Option func(*options)

type options struct {
	now        func() time.Time
	wall       func() time.Time
	migrateTo  int // 0: all migrations
	busyTimout time.Duration
}

// WithClock sets the clock used for created/seen timestamps.
func WithClock(now func() time.Time) Option { return func(o *options) { o.now = now } }

// WithWallClock sets the real-time clock that claims' leases are measured
// by (default time.Now): leases are shared between processes, whatever
// clock each plans by.
func WithWallClock(wall func() time.Time) Option { return func(o *options) { o.wall = wall } }

// WithBusyTimeout sets how long a statement waits for a lock held by another
// process before failing with "database is locked".
func WithBusyTimeout(d time.Duration) Option { return func(o *options) { o.busyTimout = d } }

// withMigrateTo stops migrating after the given version (tests of upgrades).
func withMigrateTo(v int) Option { return func(o *options) { o.migrateTo = v } }

// Open opens (creating if needed, mode 0600) the database at path and brings
// its schema up to date.
func Open(ctx context.Context, path string, opts ...Option) (*DB, error) {
	o := options{now: time.Now, wall: time.Now, busyTimout: 5 * time.Second}
	for _, f := range opts {
		f(&o)
	}
	if path == "" {
		return nil, errors.New("open database: empty path")
	}
	if IsPostgres(path) {
		return openPostgres(ctx, path, o)
	}
	if err := createPrivate(path); err != nil {
		return nil, err
	}
	dsn := func(extra string) string {
		return path + "?_pragma=busy_timeout(" + strconv.FormatInt(o.busyTimout.Milliseconds(), 10) + ")" +
			"&_pragma=foreign_keys(1)&_pragma=journal_mode(WAL)&_pragma=synchronous(NORMAL)" + extra
	}
	// The writer checkpoints the WAL itself only as a last resort (past
	// 10,000 pages): a checkpoint run inside a commit made that commit, and
	// every sender waiting for its record, wait for the copy (a fifth of the
	// notifier's rate). A connection of its own checkpoints in the
	// background instead (checkpoints below).
	w, err := sql.Open("sqlite", dsn("&_txlock=immediate&_pragma=wal_autocheckpoint(10000)"))
	if err != nil {
		return nil, fmt.Errorf("open database %s: %w", path, err)
	}
	w.SetMaxOpenConns(1)
	w.SetConnMaxIdleTime(0)
	db := &DB{path: path, w: newSQLConn(w), now: o.now, wall: o.wall}
	if err := w.PingContext(ctx); err != nil {
		w.Close()
		return nil, fmt.Errorf("open database %s: %w", path, err)
	}
	if err := db.migrate(ctx, o.migrateTo); err != nil {
		w.Close()
		return nil, fmt.Errorf("migrate %s: %w", path, err)
	}
	r, err := sql.Open("sqlite", dsn("&_pragma=query_only(1)"))
	if err != nil {
		w.Close()
		return nil, fmt.Errorf("open database %s: %w", path, err)
	}
	r.SetMaxOpenConns(4)
	// All four kept open: database/sql keeps two idle by default, and a
	// reader closed and opened again pays its pragmas and prepares every
	// kept statement anew (a crawl over 200 hosts spent 8 % of its CPU so).
	r.SetMaxIdleConns(4)
	db.r = newSQLConn(r)
	ck, err := sql.Open("sqlite", dsn(""))
	if err != nil {
		db.Close()
		return nil, fmt.Errorf("open database %s: %w", path, err)
	}
	ck.SetMaxOpenConns(1)
	db.stopCheckpoints = checkpoints(ck, checkpointEvery)
	return db, nil
}

// checkpointEvery is how often the WAL is copied back into the database
// file: often enough that it stays a few MB under steady writing.
const checkpointEvery = 200 * time.Millisecond

// checkpoints copies the WAL back into the database every interval on a
// connection of its own, PASSIVE: it waits for no reader or writer, so
// commits never wait for it. It returns a function that stops it (after
// one last pass) and closes the connection.
func checkpoints(ck *sql.DB, every time.Duration) (stop func()) {
	done, stopped := make(chan struct{}), make(chan struct{})
	go func() {
		defer close(stopped)
		t := time.NewTicker(every)
		defer t.Stop()
		for {
			select {
			case <-t.C:
			case <-done:
				ck.Exec(`PRAGMA wal_checkpoint(PASSIVE)`)
				return
			}
			// A failed pass (the database busy in a way PASSIVE does not
			// wait for) is tried again at the next tick; the writer's own
			// checkpoint past 10,000 pages bounds the WAL meanwhile.
			ck.Exec(`PRAGMA wal_checkpoint(PASSIVE)`)
		}
	}()
	return func() {
		close(done)
		<-stopped
		ck.Close()
	}
}

// ErrNotRegular is returned when a database or backup path names something
// other than a regular file: a symbolic link, a device, a directory, a
// FIFO. grantwatch never follows a link there nor opens a device, since it
// changes the mode of what it opens and SQLite writes through it; the
// operator must name the file itself.
var ErrNotRegular = errors.New("not a regular file")

// fileKind names what an Lstat found, for ErrNotRegular messages.
func fileKind(m fs.FileMode) string {
	switch {
	case m&fs.ModeSymlink != 0:
		return "a symbolic link"
	case m.IsDir():
		return "a directory"
	case m&fs.ModeCharDevice != 0:
		return "a character device"
	case m&fs.ModeDevice != 0:
		return "a block device"
	case m&fs.ModeNamedPipe != 0:
		return "a named pipe"
	case m&fs.ModeSocket != 0:
		return "a socket"
	}
	return "not a regular file"
}

// notRegular is the error for a path that is not a plain file.
func notRegular(what, path string, m fs.FileMode) error {
	return fmt.Errorf("%s %s: %s, %w (links are not followed: name the file itself)", what, path, fileKind(m), ErrNotRegular)
}

// createPrivate makes sure the file exists with mode 0600 before SQLite
// opens it: SQLite would create it with the umask's mode, and its -wal and
// -shm files copy the main file's mode. It neither follows a symbolic link
// nor touches anything but a regular file: "--db /dev/null" once made
// /dev/null 0600, and a link made its target 0600 or created a file
// through it.
func createPrivate(path string) error {
	// -wal and -shm are opened by SQLite itself, following links: check
	// them as well, so that a planted link cannot redirect its writes.
	for _, side := range []string{path + "-wal", path + "-shm"} {
		if st, err := os.Lstat(side); err == nil && !st.Mode().IsRegular() {
			return notRegular("open database", side, st.Mode())
		}
	}
	// Two rounds: a file that appears between Lstat and the exclusive
	// create is then opened as an existing one.
	for range 2 {
		st, err := os.Lstat(path)
		if errors.Is(err, fs.ErrNotExist) {
			// O_EXCL fails on any existing name, a dangling link included;
			// O_NOFOLLOW says the same for systems that would follow.
			f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE|os.O_EXCL|syscall.O_NOFOLLOW, 0o600)
			if errors.Is(err, fs.ErrExist) {
				continue
			}
			if err != nil {
				return fmt.Errorf("open database %s: %w", path, err)
			}
			return f.Close()
		}
		if err != nil {
			return fmt.Errorf("open database %s: %w", path, err)
		}
		if !st.Mode().IsRegular() {
			return notRegular("open database", path, st.Mode())
		}
		return tightenExisting(path, st)
	}
	return fmt.Errorf("open database %s: it keeps appearing and disappearing", path)
}

// tightenExisting opens an existing regular file without following links,
// checks that it is still the file Lstat saw, and restricts it to 0600
// through the open descriptor (a chmod by name would follow a link swapped
// in meanwhile).
func tightenExisting(path string, seen fs.FileInfo) error {
	f, err := os.OpenFile(path, os.O_RDWR|syscall.O_NOFOLLOW|syscall.O_NONBLOCK, 0)
	if err != nil {
		if errors.Is(err, syscall.ELOOP) {
			return notRegular("open database", path, fs.ModeSymlink)
		}
		return fmt.Errorf("open database %s: %w", path, err)
	}
	defer f.Close()
	st, err := f.Stat()
	if err != nil {
		return fmt.Errorf("open database %s: %w", path, err)
	}
	if !st.Mode().IsRegular() || !os.SameFile(st, seen) {
		return notRegular("open database", path, st.Mode())
	}
	if st.Mode().Perm()&0o077 != 0 {
		if err := f.Chmod(0o600); err != nil {
			return fmt.Errorf("restrict database %s to 0600: %w", path, err)
		}
	}
	return nil
}

// Close closes the database.
func (db *DB) Close() error {
	if db.stopCheckpoints != nil {
		db.stopCheckpoints()
		db.stopCheckpoints = nil
	}
	var errs []error
	if db.r != nil {
		errs = append(errs, db.r.Close())
	}
	errs = append(errs, db.w.Close())
	return errors.Join(errs...)
}

// Path is the file the database lives in.
func (db *DB) Path() string { return db.path }

type migration struct {
	version int
	name    string
	sql     string
}

func migrations(dir string) ([]migration, error) {
	entries, err := fs.ReadDir(migrationFS, dir)
	if err != nil {
		return nil, err
	}
	var ms []migration
	for _, e := range entries {
		name := e.Name()
		num, _, ok := strings.Cut(name, "_")
		v, err := strconv.Atoi(num)
		if !ok || err != nil || !strings.HasSuffix(name, ".sql") {
			return nil, fmt.Errorf("migration %s: name must be NNNN_what.sql", name)
		}
		b, err := migrationFS.ReadFile(dir + "/" + name)
		if err != nil {
			return nil, err
		}
		ms = append(ms, migration{version: v, name: name, sql: string(b)})
	}
	sort.Slice(ms, func(i, j int) bool { return ms[i].version < ms[j].version })
	return ms, nil
}

func (db *DB) migrate(ctx context.Context, upTo int) error {
	if _, err := db.w.ExecContext(ctx, `CREATE TABLE IF NOT EXISTS schema_migrations (
		version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at TEXT NOT NULL)`); err != nil {
		return fmt.Errorf("create schema_migrations: %w", err)
	}
	dir := "migrations"
	if db.pg {
		dir = "migrations_pg"
	}
	ms, err := migrations(dir)
	if err != nil {
		return err
	}
	var current int
	if err := db.w.QueryRowContext(ctx, `SELECT COALESCE(MAX(version), 0) FROM schema_migrations`).Scan(&current); err != nil {
		return fmt.Errorf("read schema version: %w", err)
	}
	if len(ms) > 0 && current > ms[len(ms)-1].version {
		return fmt.Errorf("database schema version %d is newer than this program knows (%d): upgrade grantwatch", current, ms[len(ms)-1].version)
	}
	for _, m := range ms {
		if m.version <= current || (upTo > 0 && m.version > upTo) {
			continue
		}
		if err := db.tx(ctx, func(tx *sqlTx) error {
			if _, err := tx.ExecContext(ctx, m.sql); err != nil {
				return err
			}
			_, err := tx.ExecContext(ctx, `INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, ?, ?)`,
				m.version, m.name, fmtTime(db.now()))
			return err
		}); err != nil {
			return fmt.Errorf("apply %s: %w", m.name, err)
		}
	}
	return nil
}

// SchemaVersion is the highest migration applied.
func (db *DB) SchemaVersion(ctx context.Context) (int, error) {
	var v int
	err := db.w.QueryRowContext(ctx, `SELECT COALESCE(MAX(version), 0) FROM schema_migrations`).Scan(&v)
	return v, err
}

// tx runs f in a write transaction, committing when f returns nil.
func (db *DB) tx(ctx context.Context, f func(*sqlTx) error) error {
	tx, err := db.w.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	if err := f(tx); err != nil {
		tx.Rollback()
		return err
	}
	if err := tx.flushFTS(ctx); err != nil {
		tx.Rollback()
		return err
	}
	if err := tx.Commit(); err != nil {
		return err
	}
	db.w.prepareAll(ctx, tx.want)
	return nil
}

// IntegrityCheck runs PRAGMA integrity_check and returns its verdict ("ok").
func (db *DB) IntegrityCheck(ctx context.Context) (string, error) {
	if db.pg {
		// PostgreSQL checks its own pages; a query that answers is the check.
		var s string
		err := db.r.QueryRowContext(ctx, `SELECT 'ok'`).Scan(&s)
		return s, err
	}
	var s string
	err := db.r.QueryRowContext(ctx, `PRAGMA integrity_check`).Scan(&s)
	return s, err
}

const timeLayout = "2006-01-02T15:04:05Z"

func (db *DB) wallMillis() int64 { return db.wall().UnixMilli() }

func fmtTime(t time.Time) string { return t.UTC().Format(timeLayout) }

func nullTime(t time.Time) any {
	if t.IsZero() {
		return nil
	}
	return fmtTime(t)
}

func parseTime(s sql.NullString) time.Time {
	if !s.Valid || s.String == "" {
		return time.Time{}
	}
	t, err := time.Parse(timeLayout, s.String)
	if err != nil {
		return time.Time{}
	}
	return t
}

func nullString(s string) any {
	if s == "" {
		return nil
	}
	return s
}

// NewToken returns 128 random bits, URL-safe (22 characters).
func NewToken() (string, error) {
	var b [16]byte
	if _, err := rand.Read(b[:]); err != nil {
		return "", fmt.Errorf("random token: %w", err)
	}
	return base64.RawURLEncoding.EncodeToString(b[:]), nil
}

func isUnique(err error) bool {
	return err != nil && (strings.Contains(err.Error(), "UNIQUE constraint failed") || // SQLite
		strings.Contains(err.Error(), "SQLSTATE 23505")) // PostgreSQL's unique_violation
}

// Backup writes a consistent copy of the database to path while it stays
// in use (VACUUM INTO reads one snapshot). path must not exist; the copy
// is created with mode 0600, as the database is.
func (db *DB) Backup(ctx context.Context, path string) error {
	if db.pg {
		return fmt.Errorf("backup %s: the store is PostgreSQL: back it up with pg_dump", path)
	}
	// Lstat, not Stat: a dangling link must not read as a free name.
	if st, err := os.Lstat(path); err == nil {
		if !st.Mode().IsRegular() {
			return notRegular("backup", path, st.Mode())
		}
		return fmt.Errorf("backup %s: %w", path, os.ErrExist)
	}
	// Create it first with the right mode: VACUUM INTO would use the umask.
	// O_EXCL|O_NOFOLLOW: never create or truncate a file through a link.
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL|syscall.O_NOFOLLOW, 0o600)
	if err != nil {
		return fmt.Errorf("backup %s: %w", path, err)
	}
	f.Close()
	// The read pool is query-only, which VACUUM INTO refuses; the writer
	// connection reads one snapshot, and writers queue behind it briefly.
	if _, err := db.w.ExecContext(ctx, `VACUUM INTO ?`, path); err != nil {
		os.Remove(path)
		return fmt.Errorf("backup %s: %w", path, err)
	}
	return nil
}

// scanner is a *sql.Row or *sql.Rows.
type scanner interface{ Scan(...any) error }

// queryAll runs a query and scans every row with scan; what names the list
// in errors ("list sources").
func queryAll[T any](ctx context.Context, q querier, what string, scan func(scanner) (T, error), query string, args ...any) ([]T, error) {
	rows, err := q.QueryContext(ctx, query, args...)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", what, err)
	}
	defer rows.Close()
	var out []T
	for rows.Next() {
		v, err := scan(rows)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", what, err)
		}
		out = append(out, v)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("%s: %w", what, err)
	}
	return out, nil
}
