package web

import (
	"container/list"
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

// windows returns the listing for a version and day, reading it with load
// when the cached one is of another. The slice is shared: callers only
// read it.
func (c *feedCache) windows(version int64, since string, load func() ([]store.WindowView, error)) ([]store.WindowView, error) {
	c.mu.Lock()
	if c.list != nil && c.listVersion == version && c.listSince == since {
		ws := c.list
		c.mu.Unlock()
		return ws, nil
	}
	c.mu.Unlock()
	ws, err := load()
	if err != nil {
		return nil, err
	}
	c.mu.Lock()
	if version >= c.listVersion {
		c.list, c.listVersion, c.listSince = ws, version, since
	}
	c.mu.Unlock()
	return ws, nil
}
