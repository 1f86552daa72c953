package store

import (
	"context"
	"errors"
	"fmt"
	"os"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/grantwatch/grantwatch/internal/storetest"
)

// A group's transaction undoes only the work that failed: the others in
// the group are committed, and each caller hears of its own outcome.
func TestGroupTxUndoesOnlyTheFailed(t *testing.T) {
	db, _ := openTest(t)
	ctx := context.Background()
	save := func(url string, fail bool) func(*sqlTx) error {
		return func(tx *sqlTx) error {
			if _, err := tx.ExecContext(ctx, `INSERT INTO notices (url, title, text, status, first_seen_at, last_seen_at)
				VALUES (?, 't', 'x', 'active', '2019-01-01T00:00:00Z', '2019-01-01T00:00:00Z')`, url); err != nil {
				return err
			}
			if fail {
				return errors.New("refused after writing")
			}
			return nil
		}
	}
	batch := []*groupReq{
		{ctx: ctx, f: save("https://a.gov.cn/1.html", false), done: make(chan error, 1)},
		{ctx: ctx, f: save("https://a.gov.cn/2.html", true), done: make(chan error, 1)},
		{ctx: ctx, f: save("https://a.gov.cn/3.html", false), done: make(chan error, 1)},
		// A constraint the database enforces: the same URL twice.
		{ctx: ctx, f: save("https://a.gov.cn/1.html", false), done: make(chan error, 1)},
	}
	db.commitGroup(batch)
	wantErr := []bool{false, true, false, true}
	for i, r := range batch {
		if err := <-r.done; (err != nil) != wantErr[i] {
			t.Errorf("caller %d: %v, want error %v", i, err, wantErr[i])
		}
	}
	for url, want := range map[string]bool{"https://a.gov.cn/1.html": true, "https://a.gov.cn/2.html": false, "https://a.gov.cn/3.html": true} {
		_, err := db.NoticeByURL(ctx, url)
		if got := err == nil; got != want {
			t.Errorf("%s stored %v, want %v (%v)", url, got, want, err)
		}
	}
}

// Notices saved from many goroutines at once, some refused (a window key
// repeated), all come out as if each had been saved alone.
func TestConcurrentSavesGrouped(t *testing.T) {
	db, _ := openTest(t)
	ctx := context.Background()
	var wg sync.WaitGroup
	errs := make([]error, 40)
	for i := range errs {
		wg.Add(1)
		go func() {
			defer wg.Done()
			ws := []Window{{Key: "a", Label: "申报", Closes: "2019-09-20"}}
			if i%5 == 0 {
				ws = append(ws, Window{Key: "a", Label: "again", Closes: "2019-09-21"})
			}
			_, errs[i] = db.SaveNotice(ctx, Notice{URL: fmt.Sprintf("https://a.gov.cn/%d.html", i), Title: "通知", Text: "申报"}, ws, "")
		}()
	}
	wg.Wait()
	for i, err := range errs {
		n, rerr := db.NoticeByURL(ctx, fmt.Sprintf("https://a.gov.cn/%d.html", i))
		if i%5 == 0 {
			if err == nil || rerr == nil {
				t.Errorf("notice %d: save error %v, stored %v: want refused and not stored", i, err, rerr == nil)
			}
			continue
		}
		if err != nil || rerr != nil {
			t.Errorf("notice %d: %v / %v", i, err, rerr)
			continue
		}
		if ws, _ := db.NoticeWindows(ctx, n.ID); len(ws) != 1 || ws[0].Closes != "2019-09-20" {
			t.Errorf("notice %d: windows %+v", i, ws)
		}
	}
}

// The WAL is copied back into the database file in the background, not by
// the writer inside a commit: well short of the writer's own threshold
// (10,000 pages), the data reaches the main file within moments.
func TestBackgroundCheckpoints(t *testing.T) {
	if storetest.Postgres() {
		t.Skip("SQLite's WAL")
	}
	db, path := openSQLiteTest(t)
	ctx := context.Background()
	fi, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	before := fi.Size()
	text := strings.Repeat("各有关单位：请于2019年9月30日前报送申报材料。", 40)
	for i := 0; i < 200; i++ {
		if _, err := db.SaveNotice(ctx, Notice{URL: fmt.Sprintf("https://a.gov.cn/%d.html", i), Title: "通知", Text: text}, nil, ""); err != nil {
			t.Fatal(err)
		}
	}
	for deadline := time.Now().Add(5 * time.Second); time.Now().Before(deadline); time.Sleep(50 * time.Millisecond) {
		if fi, err := os.Stat(path); err == nil && fi.Size() > before+500_000 {
			return
		}
	}
	fi, _ = os.Stat(path)
	t.Errorf("database file %d bytes after writing about 1 MB (%d before): the WAL was not checkpointed", fi.Size(), before)
}

// TestSearchIndexOfGroupedSaves: new notices are indexed for search at the
// end of their transaction (migration 0016): what a group stores, saves
// done again alone after their group failed, and a notice stored and then
// changed within one group are all found by their text, old texts are not,
// and the index stays whole.
func TestSearchIndexOfGroupedSaves(t *testing.T) {
	db, _ := openTest(t)
	ctx := context.Background()
	now := fmtTime(t0)
	save := func(url, text string, ws ...Window) *groupReq {
		return &groupReq{ctx: ctx, done: make(chan error, 1), f: func(tx *sqlTx) error {
			_, err := db.saveNoticeTx(ctx, tx, Notice{URL: url, Title: "通知", Text: text, Status: "active"}, ws, "", nil, now)
			return err
		}}
	}
	ok := []Window{{Key: "a", Label: "申报", Closes: "2019-09-20"}}
	refused := append(ok, Window{Key: "a", Label: "again", Closes: "2019-09-21"}) // one key twice: the group fails
	// A group that commits: a notice stored, then changed, then a third.
	db.commitGroup([]*groupReq{
		save("https://a.gov.cn/1.html", "初稿的文字甲乙丙", ok...),
		save("https://a.gov.cn/1.html", "改定的文字丁戊己", ok...),
		save("https://a.gov.cn/2.html", "科技型中小企业评价", ok...),
	})
	// A group that fails as a whole; the others are stored alone.
	db.commitGroup([]*groupReq{
		save("https://a.gov.cn/3.html", "首台套保险补偿申报", ok...),
		save("https://a.gov.cn/4.html", "不该找到的文字", refused...),
		save("https://a.gov.cn/5.html", "工业互联网创新发展", ok...),
	})
	for q, want := range map[string]string{
		"改定的文字": "https://a.gov.cn/1.html", "初稿的文字": "", "科技型中小": "https://a.gov.cn/2.html",
		"首台套保险": "https://a.gov.cn/3.html", "不该找到": "", "工业互联网": "https://a.gov.cn/5.html",
	} {
		found, err := db.Notices(ctx, q, 0)
		if err != nil {
			t.Fatal(err)
		}
		switch {
		case want == "" && len(found) != 0:
			t.Errorf("%s: found %s", q, found[0].URL)
		case want != "" && (len(found) != 1 || found[0].URL != want):
			t.Errorf("%s: found %d, want %s", q, len(found), want)
		}
	}
	if !db.pg {
		if _, err := db.w.ExecContext(ctx, `INSERT INTO notices_fts (notices_fts, rank) VALUES ('integrity-check', 1)`); err != nil {
			t.Errorf("search index: %v", err)
		}
	}
}
