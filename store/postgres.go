package store

import (
	"context"
	"database/sql"
	"fmt"
	"net/url"

	_ "github.com/jackc/pgx/v5/stdlib" // the database/sql driver "pgx"
)

// migrationLock is the advisory lock key under which one process at a
// time brings a PostgreSQL schema up to date ("grantwatch" in ASCII).
const migrationLock = 0x6772616e74776174

// openPostgres opens a PostgreSQL store. Every daemon that shares it opens
// it the same way; the first to start applies the migrations, the others
// wait on an advisory lock and find nothing left to do.
func openPostgres(ctx context.Context, dsn string, o options) (*DB, error) {
	shown := redactURL(dsn)
	open := func(conns int) (*sql.DB, error) {
		d, err := sql.Open("pgx", dsn)
		if err != nil {
			return nil, fmt.Errorf("open database %s: %w", shown, err)
		}
		d.SetMaxOpenConns(conns)
		// database/sql keeps two idle by default: the rest would be
		// closed after each burst and dialled again at the next.
		d.SetMaxIdleConns(conns)
		if err := d.PingContext(ctx); err != nil {
			d.Close()
			return nil, fmt.Errorf("open database %s: %w", shown, err)
		}
		return d, nil
	}
	// Several writing connections: PostgreSQL takes writers side by side
	// (the store's transactions already meet other daemons' at once, kept
	// apart by row locks, unique keys and claims), and a crawl's many
	// small writes (claims, paces, records) would queue on one.
	w, err := open(8)
	if err != nil {
		return nil, err
	}
	r, err := open(4)
	if err != nil {
		w.Close()
		return nil, err
	}
	db := &DB{path: dsn, pg: true, w: newSQLConn(w), r: newSQLConn(r), now: o.now, wall: o.wall}
	db.w.pg, db.r.pg = true, true
	if err := db.migrateLocked(ctx, o.migrateTo); err != nil {
		db.Close()
		return nil, fmt.Errorf("migrate %s: %w", shown, err)
	}
	return db, nil
}

// migrateLocked migrates under a session advisory lock held on a
// connection of the read pool (the writer's one connection runs the
// migrations themselves).
func (db *DB) migrateLocked(ctx context.Context, upTo int) error {
	conn, err := db.r.DB.Conn(ctx)
	if err != nil {
		return err
	}
	defer conn.Close()
	if _, err := conn.ExecContext(ctx, `SELECT pg_advisory_lock($1)`, int64(migrationLock)); err != nil {
		return fmt.Errorf("take the migration lock: %w", err)
	}
	defer conn.ExecContext(context.WithoutCancel(ctx), `SELECT pg_advisory_unlock($1)`, int64(migrationLock))
	return db.migrate(ctx, upTo)
}

// Shown is how a --db value appears in messages and logs: a PostgreSQL
// URL without its password, a file path as it is.
func Shown(dsn string) string {
	if IsPostgres(dsn) {
		return redactURL(dsn)
	}
	return dsn
}

// redactURL hides a password in a database URL shown in messages.
func redactURL(dsn string) string {
	u, err := url.Parse(dsn)
	if err != nil {
		return "postgres://…"
	}
	return u.Redacted()
}
