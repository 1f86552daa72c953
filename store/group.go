package store

import (
	"context"
	"sync"
)

// groupTx runs f in a write transaction shared with the other callers
// that wait for the writer at the same time (group commit), and returns
// once that transaction is committed. When an f fails, the group is undone
// and each f run again in a transaction of its own, so one that fails
// fails alone and its caller alone hears of it. On SQLite a commit costs a write of every page the transaction
// touched (a notice's full-text index pages most of all); crawl workers
// that store notices together share those writes instead of queueing for
// one commit each.
func (db *DB) groupTx(ctx context.Context, f func(*sqlTx) error) error {
	return <-db.groupTxAsync(ctx, f)
}

// groupTxAsync is groupTx without the wait: the channel tells when f's
// work is committed (nil) or failed.
func (db *DB) groupTxAsync(ctx context.Context, f func(*sqlTx) error) <-chan error {
	req := &groupReq{ctx: ctx, f: f, done: make(chan error, 1)}
	db.group.mu.Lock()
	db.group.queue = append(db.group.queue, req)
	if !db.group.busy {
		db.group.busy = true
		go db.commitGroups()
	}
	db.group.mu.Unlock()
	return req.done
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
	if len(batch) > 1 {
		// The transaction is the group's: no one caller's cancellation ends
		// it (each f still runs with its caller's context).
		err := db.tx(context.WithoutCancel(batch[0].ctx), func(tx *sqlTx) error {
			for _, r := range batch {
				if err := r.f(tx); err != nil {
					return err
				}
			}
			return nil
		})
		if err == nil {
			for _, r := range batch {
				r.done <- nil
			}
			return
		}
		// One f failed (or the commit): the group is undone and each
		// caller's work is done again on its own, so that the failure is
		// its caller's alone. Failures are rare (a refused save), so this
		// costs less than a savepoint around every f.
	}
	for _, r := range batch {
		r.done <- db.tx(r.ctx, r.f)
	}
}
