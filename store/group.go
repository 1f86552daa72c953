package store

import (
	"context"
	"fmt"
	"sync"
)

// groupTx runs f in a write transaction shared with the other callers
// that wait for the writer at the same time (group commit), and returns
// once that transaction is committed. Each f runs inside a savepoint of
// its own, so one that fails is undone alone and its caller alone hears of
// it. On SQLite a commit costs a write of every page the transaction
// touched (a notice's full-text index pages most of all); crawl workers
// that store notices together share those writes instead of queueing for
// one commit each.
func (db *DB) groupTx(ctx context.Context, f func(*sqlTx) error) error {
	req := &groupReq{ctx: ctx, f: f, done: make(chan error, 1)}
	db.group.mu.Lock()
	db.group.queue = append(db.group.queue, req)
	if !db.group.busy {
		db.group.busy = true
		go db.commitGroups()
	}
	db.group.mu.Unlock()
	return <-req.done
}

// maxGroup bounds a group: a caller waits for at most this many others.
const maxGroup = 64

type txGroup struct {
	mu    sync.Mutex
	queue []*groupReq
	busy  bool // commitGroups runs
}

type groupReq struct {
	ctx  context.Context
	f    func(*sqlTx) error
	done chan error
}

// commitGroups commits what is queued, group by group, until the queue
// is empty.
func (db *DB) commitGroups() {
	db.group.mu.Lock()
	for len(db.group.queue) > 0 {
		n := min(len(db.group.queue), maxGroup)
		batch := db.group.queue[:n:n]
		db.group.queue = db.group.queue[n:]
		db.group.mu.Unlock()
		db.commitGroup(batch)
		db.group.mu.Lock()
	}
	db.group.queue = nil
	db.group.busy = false
	db.group.mu.Unlock()
}

func (db *DB) commitGroup(batch []*groupReq) {
	if len(batch) == 1 {
		r := batch[0]
		r.done <- db.tx(r.ctx, r.f)
		return
	}
	// The transaction is the group's: no one caller's cancellation ends it
	// (each f still runs with its caller's context).
	ctx := context.WithoutCancel(batch[0].ctx)
	errs := make([]error, len(batch))
	err := db.tx(ctx, func(tx *sqlTx) error {
		for i, r := range batch {
			if _, err := tx.ExecContext(ctx, `SAVEPOINT grouped`); err != nil {
				return fmt.Errorf("savepoint: %w", err)
			}
			if errs[i] = r.f(tx); errs[i] != nil {
				if _, err := tx.ExecContext(ctx, `ROLLBACK TO SAVEPOINT grouped`); err != nil {
					return fmt.Errorf("roll back to savepoint: %w", err)
				}
			}
			if _, err := tx.ExecContext(ctx, `RELEASE SAVEPOINT grouped`); err != nil {
				return fmt.Errorf("release savepoint: %w", err)
			}
		}
		return nil
	})
	if err != nil {
		// The group failed as a whole (its commit, a savepoint): each
		// caller's work is tried again on its own.
		for _, r := range batch {
			r.done <- db.tx(r.ctx, r.f)
		}
		return
	}
	for i, r := range batch {
		r.done <- errs[i]
	}
}
