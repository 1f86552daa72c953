package web

import (
	"bytes"
	"container/list"
	"context"
	"slices"
	"sync"

	"github.com/grantwatch/grantwatch/store"
)

// feedCacheBytes bounds the feeds kept in memory. A feed of 5,000 windows
// is 3–6 MB drawn (one or two events a window) and a tenth of that
// gzipped; most subscribers' feeds are far smaller.
const feedCacheBytes = 64 << 20

// feedCache keeps drawn feeds by their ETag's tag, least recently used
// dropped first, and the listing every feed is cut from, by listing
// version and day. Both are keyed by what the database says now, so a
// stale entry is never served: it is simply no longer asked for.
type feedCache struct {
	mu    sync.Mutex
	order *list.List // of *feedEntry, most recently used at the front
	byTag map[string]*list.Element
	size  int

	listVersion int64
	listSince   string
	list        []store.WindowView
	// reading is the whole listing being read (at start, or for an
	// earlier day): those who need it then wait for that read instead of
	// starting their own beside it.
	reading *fullRead
}

type fullRead struct {
	since string
	done  chan struct{}
}

// feedEntry is a feed as drawn and gzipped, each kept once asked for. A
// feed too large to keep as drawn (a quarter of the cache) is kept
// gzipped only, and unpacked for the rare client that does not take gzip.
type feedEntry struct {
	tag     string
	raw, gz []byte
}

func (e *feedEntry) size() int { return len(e.raw) + len(e.gz) }

// get returns what is kept of a feed (either form may be nil).
func (c *feedCache) get(tag string) (raw, gz []byte) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if el, ok := c.byTag[tag]; ok {
		c.order.MoveToFront(el)
		e := el.Value.(*feedEntry)
		return e.raw, e.gz
	}
	return nil, nil
}

// put keeps a form of a feed (the other may be nil, or already kept).
func (c *feedCache) put(tag string, raw, gz []byte) {
	if len(raw) > feedCacheBytes/4 {
		raw = nil
	}
	if len(gz) > feedCacheBytes/4 {
		gz = nil
	}
	if raw == nil && gz == nil {
		return
	}
	// A kept form holds its whole array: room it does not use would stay
	// allocated behind it, uncounted by size.
	raw, gz = trimmed(raw), trimmed(gz)
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.byTag == nil {
		c.byTag, c.order = map[string]*list.Element{}, list.New()
	}
	if el, ok := c.byTag[tag]; ok {
		e := el.Value.(*feedEntry)
		c.size -= e.size()
		if e.raw == nil {
			e.raw = raw
		}
		if e.gz == nil {
			e.gz = gz
		}
		c.size += e.size()
		c.order.MoveToFront(el)
	} else {
		e := &feedEntry{tag: tag, raw: raw, gz: gz}
		c.byTag[tag] = c.order.PushFront(e)
		c.size += e.size()
	}
	for c.size > feedCacheBytes {
		last := c.order.Back()
		e := last.Value.(*feedEntry)
		c.order.Remove(last)
		delete(c.byTag, e.tag)
		c.size -= e.size()
	}
}

// windows returns the listing from since on, at version or later. The
// listing kept is brought up to date from what changed after its version
// (and a later day's listing is the earlier one with what aged out left
// out), so after a change a feed reads the change, not every window
// again; only the first read after a start, or a day earlier than the one
// kept, reads it all. The slice is shared: callers only read it.
func (c *feedCache) windows(ctx context.Context, db *store.DB, version int64, since string) ([]store.WindowView, error) {
	c.mu.Lock()
	list, lv, ls := c.list, c.listVersion, c.listSince
	c.mu.Unlock()
	if list != nil && ls == since && lv >= version {
		return list, nil
	}
	var v int64
	var ws []store.WindowView
	if list != nil && since >= ls {
		if since != ls {
			list = slices.DeleteFunc(slices.Clone(list), func(w store.WindowView) bool { return !store.Listed(w, since) })
		}
		var changed []store.WindowView
		var removed []int64
		var err error
		if v, changed, removed, err = db.ListingChanges(ctx, lv); err != nil {
			return nil, err
		}
		ws = store.MergeListing(list, changed, removed, since)
	} else {
		c.mu.Lock()
		if r := c.reading; r != nil && r.since == since {
			// Someone reads it now (serve's read at start): wait, then
			// take it as kept, brought up to date if need be.
			c.mu.Unlock()
			select {
			case <-r.done:
			case <-ctx.Done():
				return nil, ctx.Err()
			}
			return c.windows(ctx, db, version, since)
		}
		r := &fullRead{since: since, done: make(chan struct{})}
		c.reading = r
		c.mu.Unlock()
		var err error
		v, ws, err = db.Listing(ctx, since)
		c.mu.Lock()
		if c.reading == r {
			c.reading = nil
		}
		if err == nil && (c.list == nil || since > c.listSince || since == c.listSince && v > c.listVersion) {
			c.list, c.listVersion, c.listSince = ws, v, since
		}
		c.mu.Unlock()
		close(r.done)
		if err != nil {
			return nil, err
		}
		return ws, nil
	}
	c.mu.Lock()
	if c.list == nil || since > c.listSince || since == c.listSince && v > c.listVersion {
		c.list, c.listVersion, c.listSince = ws, v, since
	}
	c.mu.Unlock()
	return ws, nil
}

// trimmed is b in an array of its length when b's has more than a quarter
// to spare.
func trimmed(b []byte) []byte {
	if cap(b) > len(b)+len(b)/4 {
		return bytes.Clone(b)
	}
	return b
}
