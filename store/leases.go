package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"
)

// ErrLeaseHeld is returned when a live process holds the lease.
var ErrLeaseHeld = errors.New("held by another process")

// Shared says whether several daemons may share this store (PostgreSQL):
// they then send side by side, each delivery claimed with a lease, instead
// of one sender holding the sender lease.
func (db *DB) Shared() bool { return db != nil && db.pg }

// AcquireSenderLease makes this process the only one sending mail. The
// lease is free when nobody holds it, when its holder's process is gone
// (alive reports on a PID), or when its heartbeat (wall time) is older than
// ttl. Taking it over from a holder that died moves the deliveries that
// holder had claimed ("sending") back to pending: it returns how many.
func (db *DB) AcquireSenderLease(ctx context.Context, owner string, pid int, wall time.Time, ttl time.Duration, alive func(int) bool) (int64, error) {
	var recovered int64
	err := db.tx(ctx, func(tx *sqlTx) error {
		var holder string
		var holderPID int
		var beat sql.NullString
		err := tx.QueryRowContext(ctx, `SELECT owner, pid, heartbeat FROM leases WHERE name = 'sender'`).Scan(&holder, &holderPID, &beat)
		switch {
		case errors.Is(err, sql.ErrNoRows):
		case err != nil:
			return err
		case holder != owner && alive(holderPID) && wall.Sub(parseTime(beat)) < ttl:
			return fmt.Errorf("sender lease: %w (pid %d)", ErrLeaseHeld, holderPID)
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO leases (name, owner, pid, heartbeat) VALUES ('sender', ?, ?, ?)
			ON CONFLICT (name) DO UPDATE SET owner = excluded.owner, pid = excluded.pid, heartbeat = excluded.heartbeat`,
			owner, pid, fmtTime(wall)); err != nil {
			return err
		}
		// Whoever claimed these is gone (or is us, after a crash): send them again.
		r, err := tx.ExecContext(ctx, `UPDATE deliveries SET status = 'pending', claimed_by = '', claim_until = 0 WHERE status = 'sending'`)
		if err != nil {
			return err
		}
		recovered, _ = r.RowsAffected()
		return nil
	})
	if err != nil {
		return 0, err
	}
	return recovered, nil
}

// RenewSenderLease refreshes the heartbeat while sending goes on.
func (db *DB) RenewSenderLease(ctx context.Context, owner string, wall time.Time) error {
	_, err := db.w.ExecContext(ctx, `UPDATE leases SET heartbeat = ? WHERE name = 'sender' AND owner = ?`, fmtTime(wall), owner)
	return err
}

// ReleaseSenderLease gives the lease up.
func (db *DB) ReleaseSenderLease(ctx context.Context, owner string) error {
	_, err := db.w.ExecContext(ctx, `DELETE FROM leases WHERE name = 'sender' AND owner = ?`, owner)
	return err
}
