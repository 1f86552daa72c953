package tracker

import (
	"bytes"
	"context"
	"fmt"
	"log/slog"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/grantwatch/grantwatch/store"
)

// syncBuffer is a log sink several goroutines may write.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// A shutdown (ctx cancelled) in the middle of a source's check: no ERROR,
// the notices read so far are stored, the check is recorded with a
// context of its own and leaves the source due with no validators, and
// the next check reads the rest. A shutdown during the list fetch is not
// counted as the source's failure.
func TestShutdownDuringCrawlFinishesBookkeeping(t *testing.T) {
	now := &clock{t: time.Date(2019, 8, 27, 9, 0, 0, 0, time.UTC)}
	c := testCrawler(t, testFetchConfig(), now)
	var logs syncBuffer
	c.Logger = slog.New(slog.NewTextHandler(&logs, nil))
	s := newSite(t)
	var items [][3]string
	for i := 1; i <= 6; i++ {
		items = append(items, [3]string{fmt.Sprintf("/tzgg/%d.html", i), fmt.Sprintf("关于组织申报2019年度第%d批重点研发计划项目的通知", i), "2019-08-27"})
		body := noticePage(items[i-1][1], fmt.Sprintf("<p>各有关单位：</p><p>请于2019年9月%d日前报送申报材料。</p>", 10+i))
		s.handle(items[i-1][0], func(w http.ResponseWriter, r *http.Request) {
			time.Sleep(80 * time.Millisecond)
			w.Header().Set("Content-Type", "text/html; charset=utf-8")
			w.Write(body)
		})
	}
	s.handle("/tzgg/", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		w.Header().Set("ETag", `"list-v1"`)
		w.Write(listPage(t, "", items...))
	})
	src := addSource(t, c, store.Source{URL: s.url("/tzgg/"), Name: "通知公告"})

	ctx, cancel := context.WithCancel(context.Background())
	time.AfterFunc(250*time.Millisecond, cancel)
	rep := c.CrawlNow(ctx, []store.Source{src}, nil)
	if r := rep.Sources[0]; !r.Interrupted || r.Err != nil {
		t.Fatalf("report %+v", r)
	}
	if strings.Contains(logs.String(), "level=ERROR") {
		t.Errorf("a shutdown logged an error:\n%s", logs.String())
	}
	got, _ := c.DB.Source(context.Background(), fmt.Sprint(src.ID))
	if got.LastCheckedAt.IsZero() || got.ConsecutiveFailures != 0 || got.ETag != "" || got.NextCheckAt.After(now.Now()) {
		t.Errorf("bookkeeping after the shutdown: checked %v, failures %d, etag %q, next %v",
			got.LastCheckedAt, got.ConsecutiveFailures, got.ETag, got.NextCheckAt)
	}
	stored := len(windowSet(t, c.DB))
	if stored == 0 || stored == 6 {
		t.Fatalf("%d notices stored before the shutdown; the test wants it part way", stored)
	}
	// The next start: the source is due, and the rest is read.
	rep, err := c.CrawlDue(context.Background())
	if err != nil || len(rep.Sources) != 1 || rep.Sources[0].NoticesNew != 6-stored {
		t.Fatalf("after restart: %+v %v", rep.Sources, err)
	}
	if n := len(windowSet(t, c.DB)); n != 6 {
		t.Errorf("%d windows after the next check, want 6", n)
	}

	// Cancelled while the list itself is being fetched: no failure counted.
	slow := newSite(t)
	slow.handle("/list/", func(w http.ResponseWriter, r *http.Request) {
		time.Sleep(time.Second)
		w.Write(listPage(t, "", items[0]))
	})
	src2 := addSource(t, c, store.Source{URL: slow.url("/list/"), Name: "慢"})
	ctx, cancel = context.WithCancel(context.Background())
	time.AfterFunc(100*time.Millisecond, cancel)
	c.CrawlNow(ctx, []store.Source{src2}, nil)
	got, _ = c.DB.Source(context.Background(), fmt.Sprint(src2.ID))
	if got.ConsecutiveFailures != 0 || got.LastError != "" {
		t.Errorf("a shutdown counted as the source's failure: %d, %q", got.ConsecutiveFailures, got.LastError)
	}
	if strings.Contains(logs.String(), "level=ERROR") {
		t.Errorf("logged an error:\n%s", logs.String())
	}
}
