package web

import (
	"container/list"
	"context"
	"slices"
	"sync"

	"github.com/grantwatch/grantwatch/store"
)

// feedCacheBytes bounds the rendered feeds kept in memory. A feed of 5,000
// windows is about 3 MB; most subscribers' feeds are far smaller.
const feedCacheBytes = 64 << 20

// feedCache keeps rendered feeds by ETag, least recently used dropped
// first, and the listing every feed is cut from, by listing version and
// day. Both are keyed by what the database says now, so a stale entry is
// never served: it is simply no longer asked for.
type feedCache struct {
	mu    sync.Mutex
	order *list.List // of *feedEntry, most recently used at the front
	byTag map[string]*list.Element
	size  int

	listVersion int64
	listSince   string
	list        []store.WindowView
}

type feedEntry struct {
	etag string
	body []byte
}

func (c *feedCache) get(etag string) ([]byte, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if e, ok := c.byTag[etag]; ok {
		c.order.MoveToFront(e)
		return e.Value.(*feedEntry).body, true
	}
	return nil, false
}

func (c *feedCache) put(etag string, body []byte) {
	if len(body) > feedCacheBytes/4 {
		return
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.byTag == nil {
		c.byTag, c.order = map[string]*list.Element{}, list.New()
	}
	if _, ok := c.byTag[etag]; ok {
		return
	}
	c.byTag[etag] = c.order.PushFront(&feedEntry{etag, body})
	c.size += len(body)
	for c.size > feedCacheBytes {
		last := c.order.Back()
		e := last.Value.(*feedEntry)
		c.order.Remove(last)
		delete(c.byTag, e.etag)
		c.size -= len(e.body)
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
		var err error
		if v, ws, err = db.Listing(ctx, since); err != nil {
			return nil, err
		}
	}
	c.mu.Lock()
	if c.list == nil || since > c.listSince || since == c.listSince && v > c.listVersion {
		c.list, c.listVersion, c.listSince = ws, v, since
	}
	c.mu.Unlock()
	return ws, nil
}
