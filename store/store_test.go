package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"math/rand"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"syscall"
	"testing"
	"time"
)

func fixedClock(t time.Time) func() time.Time { return func() time.Time { return t } }

var t0 = time.Date(2019, 8, 27, 1, 0, 0, 0, time.UTC)

// openSQLiteTest opens a fresh SQLite store, whatever the backend under
// test: for what only a file has (its mode, backups, links).
func openSQLiteTest(t *testing.T, opts ...Option) (*DB, string) {
	t.Helper()
	path := filepath.Join(t.TempDir(), "gw.db")
	db, err := Open(context.Background(), path, append([]Option{WithClock(fixedClock(t0))}, opts...)...)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	return db, path
}

func TestOpenCreatesPrivateFile(t *testing.T) {
	_, path := openSQLiteTest(t)
	fi, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	if perm := fi.Mode().Perm(); perm != 0o600 {
		t.Errorf("mode = %o, want 600", perm)
	}
}

func TestOpenTightensLooseMode(t *testing.T) {
	path := filepath.Join(t.TempDir(), "gw.db")
	if err := os.WriteFile(path, nil, 0o644); err != nil {
		t.Fatal(err)
	}
	db, err := Open(context.Background(), path)
	if err != nil {
		t.Fatal(err)
	}
	db.Close()
	fi, _ := os.Stat(path)
	if perm := fi.Mode().Perm(); perm != 0o600 {
		t.Errorf("mode = %o, want 600", perm)
	}
}

// A symbolic link, a device, a directory or a FIFO is refused with
// ErrNotRegular and left exactly as it was: nothing is created through a
// link and no mode changes.
func TestOpenRefusesNonRegular(t *testing.T) {
	dir := t.TempDir()
	target := filepath.Join(dir, "target")
	if err := os.WriteFile(target, []byte("keep"), 0o644); err != nil {
		t.Fatal(err)
	}
	linkToFile := filepath.Join(dir, "file-link.db")
	linkToMissing := filepath.Join(dir, "missing-link.db")
	missing := filepath.Join(dir, "created-through-link")
	fifo := filepath.Join(dir, "fifo.db")
	sub := filepath.Join(dir, "sub.db")
	for _, err := range []error{os.Symlink(target, linkToFile), os.Symlink(missing, linkToMissing),
		syscall.Mkfifo(fifo, 0o644), os.Mkdir(sub, 0o755)} {
		if err != nil {
			t.Fatal(err)
		}
	}
	devNull, _ := os.Stat(os.DevNull)
	for _, path := range []string{linkToFile, linkToMissing, fifo, sub, os.DevNull} {
		before, _ := os.Lstat(path)
		db, err := Open(context.Background(), path)
		if err == nil {
			db.Close()
			t.Errorf("%s: opened", path)
			continue
		}
		if !errors.Is(err, ErrNotRegular) || !strings.Contains(err.Error(), path) {
			t.Errorf("%s: err = %v, want ErrNotRegular naming the path", path, err)
		}
		if after, _ := os.Lstat(path); after.Mode() != before.Mode() {
			t.Errorf("%s: mode changed from %v to %v", path, before.Mode(), after.Mode())
		}
	}
	if st, _ := os.Stat(target); st.Mode().Perm() != 0o644 {
		t.Errorf("link target's mode changed to %v", st.Mode())
	}
	if _, err := os.Lstat(missing); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("a file was created through a dangling link: %v", err)
	}
	if st, _ := os.Stat(os.DevNull); st.Mode() != devNull.Mode() {
		t.Errorf("%s mode changed to %v", os.DevNull, st.Mode())
	}
	// A link planted where SQLite will put its write-ahead log is refused too.
	db := filepath.Join(dir, "gw.db")
	if err := os.Symlink(target, db+"-wal"); err != nil {
		t.Fatal(err)
	}
	if _, err := Open(context.Background(), db); !errors.Is(err, ErrNotRegular) || !strings.Contains(err.Error(), "gw.db-wal") {
		t.Errorf("planted -wal link: %v", err)
	}
}

func TestBackupRefusesLink(t *testing.T) {
	db, _ := openSQLiteTest(t)
	dir := t.TempDir()
	target := filepath.Join(dir, "elsewhere")
	link := filepath.Join(dir, "backup.db")
	if err := os.Symlink(target, link); err != nil {
		t.Fatal(err)
	}
	if err := db.Backup(context.Background(), link); !errors.Is(err, ErrNotRegular) {
		t.Errorf("backup through a dangling link: %v", err)
	}
	if _, err := os.Lstat(target); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("backup created the link's target: %v", err)
	}
}

func TestOpenRejectsNonDatabase(t *testing.T) {
	path := filepath.Join(t.TempDir(), "not.db")
	content := []byte("this is a text file, not SQLite, and it must survive\n")
	if err := os.WriteFile(path, content, 0o600); err != nil {
		t.Fatal(err)
	}
	if _, err := Open(context.Background(), path); err == nil {
		t.Fatal("opened a text file as a database")
	}
	got, _ := os.ReadFile(path)
	if string(got) != string(content) {
		t.Errorf("file was changed: %q", got)
	}
}

func TestPragmas(t *testing.T) {
	db, _ := openSQLiteTest(t)
	ctx := context.Background()
	var mode string
	var fk int
	if err := db.w.QueryRowContext(ctx, `PRAGMA journal_mode`).Scan(&mode); err != nil {
		t.Fatal(err)
	}
	if err := db.r.QueryRowContext(ctx, `PRAGMA foreign_keys`).Scan(&fk); err != nil {
		t.Fatal(err)
	}
	if mode != "wal" || fk != 1 {
		t.Errorf("journal_mode=%s foreign_keys=%d, want wal and 1", mode, fk)
	}
	// The read pool must not be able to write.
	if _, err := db.r.ExecContext(ctx, `INSERT INTO sources (url, created_at) VALUES ('http://x', 'now')`); err == nil {
		t.Error("read pool accepted a write")
	}
}

// A database made by the first migration, holding data, is upgraded by Open
// without losing anything, and the upgrade indexes the old rows.
func TestMigrationUpgradesFirstVersion(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "old.db")
	old, err := Open(ctx, path, WithClock(fixedClock(t0)), withMigrateTo(1))
	if err != nil {
		t.Fatal(err)
	}
	if v, _ := old.SchemaVersion(ctx); v != 1 {
		t.Fatalf("schema version %d, want 1", v)
	}
	// Fill it the way version 1 of the program did: with version 1's SQL,
	// not today's queries, which may name later columns.
	for _, q := range []string{
		`INSERT INTO sources (id, url, name, created_at) VALUES (1, 'https://kjt.shanxi.gov.cn/tzgg/', '山西科技厅', '2019-08-27T01:00:00Z')`,
		`INSERT INTO notices (id, url, source_id, title, text, first_seen_at, last_seen_at) VALUES (1, 'https://kjt.shanxi.gov.cn/tzgg/1.html', 1,
			'关于组织申报2019年度山西省重点研发计划的通知', '网络申报受理时间：2019年8月30日至9月30日', '2019-08-27T01:00:00Z', '2019-08-27T01:00:00Z')`,
		`INSERT INTO windows (notice_id, key, label, opens, closes, created_at, updated_at) VALUES (1, 'a', '网络申报', '2019-08-30', '2019-09-30',
			'2019-08-27T01:00:00Z', '2019-08-27T01:00:00Z')`,
	} {
		if _, err := old.w.ExecContext(ctx, q); err != nil {
			t.Fatal(err)
		}
	}
	old.Close()

	db, err := Open(ctx, path, WithClock(fixedClock(t0)))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	ms, _ := migrations("migrations")
	if v, _ := db.SchemaVersion(ctx); v != ms[len(ms)-1].version || v < 2 {
		t.Fatalf("schema version %d after upgrade, want %d", v, ms[len(ms)-1].version)
	}
	srcs, err := db.Sources(ctx)
	if err != nil || len(srcs) != 1 || srcs[0].Name != "山西科技厅" {
		t.Fatalf("sources after upgrade = %+v, %v", srcs, err)
	}
	found, err := db.Notices(ctx, "重点研发计划", 0)
	if err != nil || len(found) != 1 {
		t.Fatalf("search of a pre-upgrade notice = %d results, %v", len(found), err)
	}
	ws, err := db.Windows(ctx, WindowFilter{})
	if err != nil || len(ws) != 1 || ws[0].Closes != "2019-09-30" {
		t.Fatalf("windows after upgrade = %+v, %v", ws, err)
	}
	// Opening again applies nothing twice.
	db.Close()
	db2, err := Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	defer db2.Close()
	var n int
	db2.r.QueryRowContext(ctx, `SELECT COUNT(*) FROM schema_migrations`).Scan(&n)
	if n != len(ms) {
		t.Errorf("%d migrations recorded, want %d", n, len(ms))
	}
}

func TestNewerSchemaRefused(t *testing.T) {
	ctx := context.Background()
	db, path := openTest(t)
	if _, err := db.w.ExecContext(ctx, `INSERT INTO schema_migrations VALUES (999, '0999_future.sql', 'x')`); err != nil {
		t.Fatal(err)
	}
	db.Close()
	_, err := Open(ctx, path)
	if err == nil {
		t.Fatal("opened a database from the future")
	}
}

func TestSources(t *testing.T) {
	ctx := context.Background()
	db, _ := openTest(t)
	a, err := db.AddSource(ctx, Source{URL: "https://kjt.shanxi.gov.cn/tzgg/", Name: "山西科技厅", Region: "山西", AllowHosts: []string{"www.sxkjt.gov.cn"}})
	if err != nil {
		t.Fatal(err)
	}
	if a.ID == 0 || a.Kind != "auto" || a.CreatedAt != t0 || len(a.AllowHosts) != 1 {
		t.Errorf("added %+v", a)
	}
	if _, err := db.AddSource(ctx, Source{URL: a.URL}); !errors.Is(err, ErrExists) {
		t.Errorf("duplicate add: err = %v, want ErrExists", err)
	}
	b, err := db.AddSource(ctx, Source{URL: "https://gxt.hebei.gov.cn/tzgg/", Kind: "list"})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := db.SetSourcePaused(ctx, a.URL, true); err != nil {
		t.Fatal(err)
	}
	got, _ := db.Source(ctx, fmt.Sprint(a.ID))
	if !got.Paused {
		t.Error("pause by URL did not stick")
	}
	if _, err := db.RemoveSource(ctx, fmt.Sprint(b.ID)); err != nil {
		t.Fatal(err)
	}
	if _, err := db.Source(ctx, b.URL); !errors.Is(err, ErrNotFound) {
		t.Errorf("removed source still found: %v", err)
	}
	if _, err := db.RemoveSource(ctx, "https://nowhere.example/"); !errors.Is(err, ErrNotFound) {
		t.Errorf("remove unknown: err = %v", err)
	}
	all, _ := db.Sources(ctx)
	if len(all) != 1 || all[0].URL != a.URL {
		t.Errorf("sources = %+v", all)
	}
}

func TestSubscribers(t *testing.T) {
	ctx := context.Background()
	db, _ := openTest(t)
	s, err := db.AddSubscriber(ctx, Subscriber{Email: "li@example.cn", Regions: []string{"山西"}, Status: "active"})
	if err != nil {
		t.Fatal(err)
	}
	if len(s.FeedToken) != 22 || len(s.UnsubscribeToken) != 22 || s.FeedToken == s.UnsubscribeToken {
		t.Errorf("tokens %q %q", s.FeedToken, s.UnsubscribeToken)
	}
	if s.Digest != "off" || s.ConfirmedAt.IsZero() || s.Regions[0] != "山西" || s.Keywords == nil {
		t.Errorf("added %+v", s)
	}
	if _, err := db.AddSubscriber(ctx, Subscriber{Email: "LI@example.cn"}); !errors.Is(err, ErrExists) {
		t.Errorf("same address in other case: err = %v, want ErrExists", err)
	}
	p, err := db.AddSubscriber(ctx, Subscriber{Email: "wang@example.cn"})
	if err != nil {
		t.Fatal(err)
	}
	if p.Status != "pending" || !p.ConfirmedAt.IsZero() {
		t.Errorf("default status: %+v", p)
	}
	if _, err := db.RemoveSubscriber(ctx, "li@example.cn"); err != nil {
		t.Fatal(err)
	}
	all, _ := db.Subscribers(ctx)
	if len(all) != 1 || all[0].Email != "wang@example.cn" {
		t.Errorf("subscribers = %+v", all)
	}
}

func TestTokensAreDistinct(t *testing.T) {
	seen := map[string]bool{}
	for i := 0; i < 1000; i++ {
		tok, err := NewToken()
		if err != nil {
			t.Fatal(err)
		}
		if seen[tok] {
			t.Fatalf("token repeated after %d draws", i)
		}
		seen[tok] = true
	}
}

func TestSaveNoticeTracksWindowChanges(t *testing.T) {
	ctx := context.Background()
	db, _ := openTest(t)
	n := Notice{URL: "https://gxt.example.gov.cn/a.html", Title: "关于申报的通知", Region: "河北", Text: "请于9月20日前报送", ContentHash: "h1"}
	w := []Window{
		{Key: "报送", Label: "报送", Closes: "2019-09-20", Evidence: "请于9月20日前报送"},
		{Key: "纸质", Label: "纸质材料", Opens: "2019-09-26", Closes: "2019-10-10"},
	}
	res, err := db.SaveNotice(ctx, n, w, "")
	if err != nil {
		t.Fatal(err)
	}
	if !res.NewNotice || res.WindowsAdded != 2 {
		t.Fatalf("first save: %+v", res)
	}
	// Same again: nothing changes.
	res, err = db.SaveNotice(ctx, n, w, "")
	if err != nil {
		t.Fatal(err)
	}
	if res.NewNotice || res.NoticeChanged || res.WindowsAdded+res.WindowsChanged+res.WindowsWithdrawn != 0 {
		t.Fatalf("identical save changed something: %+v", res)
	}
	// The deadline moves and the paper window disappears.
	n.ContentHash, n.Text = "h2", "请于9月30日前报送"
	res, err = db.SaveNotice(ctx, n, []Window{{Key: "报送", Label: "报送", Closes: "2019-09-30"}}, "延期")
	if err != nil {
		t.Fatal(err)
	}
	if !res.NoticeChanged || res.WindowsChanged != 1 || res.WindowsWithdrawn != 1 {
		t.Fatalf("edit: %+v", res)
	}
	all, _ := db.Windows(ctx, WindowFilter{All: true})
	if len(all) != 2 {
		t.Fatalf("windows = %+v", all)
	}
	moved := all[0]
	if moved.Key != "报送" || moved.Closes != "2019-09-30" || moved.Revision != 2 || moved.Title != n.Title {
		t.Errorf("moved window = %+v", moved)
	}
	if all[1].Status != "withdrawn" {
		t.Errorf("dropped window status = %s", all[1].Status)
	}
	ch, err := db.WindowChanges(ctx, moved.ID)
	if err != nil || len(ch) != 1 || ch[0].OldCloses != "2019-09-20" || ch[0].NewCloses != "2019-09-30" || ch[0].Reason != "延期" {
		t.Errorf("changes = %+v, %v", ch, err)
	}
	active, _ := db.Windows(ctx, WindowFilter{})
	if len(active) != 1 {
		t.Errorf("active windows = %d, want 1", len(active))
	}
	if _, err := db.SaveNotice(ctx, n, []Window{{Key: "x"}, {Key: "x"}}, ""); err == nil {
		t.Error("repeated window key accepted")
	}
	// The failed save rolled back: still one active window.
	active, _ = db.Windows(ctx, WindowFilter{})
	if len(active) != 1 {
		t.Errorf("after failed save: %d active windows", len(active))
	}
}

func TestWindowFilters(t *testing.T) {
	ctx := context.Background()
	db, _ := openTest(t)
	save := func(url, title, region string, ws ...Window) {
		t.Helper()
		if _, err := db.SaveNotice(ctx, Notice{URL: url, Title: title, Region: region}, ws, ""); err != nil {
			t.Fatal(err)
		}
	}
	save("https://a/1", "山西省科学技术厅关于重点研发计划的通知", "", Window{Key: "1", Opens: "2019-08-30", Closes: "2019-09-30"})
	save("https://a/2", "河北省工业互联网", "河北", Window{Key: "1", Closes: "2019-09-20"})
	save("https://a/3", "过期的通知", "河北", Window{Key: "1", Closes: "2019-08-01"})
	save("https://a/4", "只知开始", "", Window{Key: "1", Opens: "2019-10-01"})
	up, _ := db.Windows(ctx, WindowFilter{UpcomingFrom: "2019-08-27"})
	if len(up) != 3 || up[0].NoticeURL != "https://a/2" || up[2].NoticeURL != "https://a/4" {
		t.Errorf("upcoming = %+v", up)
	}
	sx, _ := db.Windows(ctx, WindowFilter{Region: "山西"})
	if len(sx) != 1 || sx[0].NoticeURL != "https://a/1" {
		t.Errorf("region 山西 = %+v", sx)
	}
	hb, _ := db.Windows(ctx, WindowFilter{Region: "河北", UpcomingFrom: "2019-08-27"})
	if len(hb) != 1 {
		t.Errorf("region 河北 upcoming = %+v", hb)
	}
}

func TestNoticeSearch(t *testing.T) {
	ctx := context.Background()
	db, _ := openTest(t)
	for i, n := range []Notice{
		{URL: "https://a/1", Title: "关于组织申报2019年度山西省重点研发计划的通知", Text: "网络申报受理时间", Published: "2019-08-27"},
		{URL: "https://a/2", Title: "山东省首台（套）技术装备保险补偿", Text: "100%_done", Published: "2019-08-20"},
		{URL: "https://a/3", Title: "河北省工业互联网创新发展", Text: "请于9月20日前报送", Published: "2019-08-28"},
	} {
		if _, err := db.SaveNotice(ctx, n, nil, ""); err != nil {
			t.Fatal(i, err)
		}
	}
	tests := []struct {
		q    string
		want []string
	}{
		{"", []string{"https://a/3", "https://a/1", "https://a/2"}},
		{"重点研发", []string{"https://a/1"}},   // trigram index
		{"山西", []string{"https://a/1"}},     // two characters: LIKE
		{"网络申报受理", []string{"https://a/1"}}, // in the text
		{"9月20日前", []string{"https://a/3"}}, // digits and Chinese mixed
		{"首台", []string{"https://a/2"}},     // LIKE again
		{"%_", []string{"https://a/2"}},     // LIKE wildcards are literal
		{`"申报`, nil},                        // a stray quote is not FTS syntax
		{"不存在的词语", nil},
	}
	for _, tt := range tests {
		got, err := db.Notices(ctx, tt.q, 0)
		if err != nil {
			t.Errorf("search %q: %v", tt.q, err)
			continue
		}
		var urls []string
		for _, n := range got {
			urls = append(urls, n.URL)
		}
		if len(urls) != len(tt.want) {
			t.Errorf("search %q = %v, want %v", tt.q, urls, tt.want)
			continue
		}
		for i := range urls {
			if urls[i] != tt.want[i] {
				t.Errorf("search %q = %v, want %v", tt.q, urls, tt.want)
				break
			}
		}
	}
	// Editing a notice re-indexes it.
	if _, err := db.SaveNotice(ctx, Notice{URL: "https://a/3", Title: "河北省工业互联网创新发展", Text: "截止时间调整为9月30日"}, nil, ""); err != nil {
		t.Fatal(err)
	}
	if got, _ := db.Notices(ctx, "调整为9月", 0); len(got) != 1 {
		t.Errorf("edited text not indexed: %d results", len(got))
	}
	if got, _ := db.Notices(ctx, "9月20日前", 0); len(got) != 0 {
		t.Errorf("old text still indexed: %d results", len(got))
	}
}

func TestStatus(t *testing.T) {
	ctx := context.Background()
	db, path := openTest(t)
	db.AddSource(ctx, Source{URL: "https://a/"})
	db.AddSubscriber(ctx, Subscriber{Email: "a@b.cn", Status: "active"})
	db.SaveNotice(ctx, Notice{URL: "https://a/1"}, []Window{{Key: "k", Closes: "2019-09-01"}}, "")
	st, err := db.Status(ctx, "2019-08-27")
	if err != nil {
		t.Fatal(err)
	}
	if st.Path != path || st.Sources != 1 || st.Notices != 1 || st.Windows != 1 || st.WindowsUpcoming != 1 || st.Subscribers["active"] != 1 || st.SchemaVersion < 2 {
		t.Errorf("status = %+v", st)
	}
	if st2, _ := db.Status(ctx, "2019-09-02"); st2.WindowsUpcoming != 0 {
		t.Errorf("upcoming after the deadline = %d", st2.WindowsUpcoming)
	}
	if ok, err := db.IntegrityCheck(ctx); err != nil || ok != "ok" {
		t.Errorf("integrity = %q, %v", ok, err)
	}
}

// A database locked by another process: a clear error after the busy
// timeout, nothing half-written, and all well once the lock goes.
func TestLockedDatabase(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "gw.db")
	db, err := Open(ctx, path, WithBusyTimeout(200*time.Millisecond))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	other, err := sql.Open("sqlite", path+"?_pragma=busy_timeout(100)")
	if err != nil {
		t.Fatal(err)
	}
	defer other.Close()
	conn, err := other.Conn(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := conn.ExecContext(ctx, `BEGIN EXCLUSIVE`); err != nil {
		t.Fatal(err)
	}
	_, err = db.AddSource(ctx, Source{URL: "https://a.gov.cn/"})
	if err == nil || !strings.Contains(err.Error(), "locked") || !strings.Contains(err.Error(), "https://a.gov.cn/") {
		t.Errorf("add while locked: %v", err)
	}
	conn.ExecContext(ctx, `ROLLBACK`)
	conn.Close()
	if _, err := db.AddSource(ctx, Source{URL: "https://a.gov.cn/"}); err != nil {
		t.Errorf("add after the lock: %v", err)
	}
	if ok, err := db.IntegrityCheck(ctx); ok != "ok" || err != nil {
		t.Errorf("integrity %q %v", ok, err)
	}
}

// The listing version moves with what feeds show, and only with that: a
// notice found again unchanged, or saved again with the same windows, keeps
// every feed's ETag.
func TestListingVersion(t *testing.T) {
	db, _ := openTest(t)
	ctx := context.Background()
	version := func() int64 {
		t.Helper()
		v, err := db.ListingVersion(ctx)
		if err != nil {
			t.Fatal(err)
		}
		return v
	}
	n := Notice{URL: "https://kjt.example.gov.cn/1.html", Title: "关于申报的通知", Region: "山西", Text: "请于2019年9月30日前报送。"}
	ws := []Window{{Key: "k", Label: "报送", Closes: "2019-09-30", Evidence: "请于2019年9月30日前报送"}}
	v0 := version()
	res, err := db.SaveNotice(ctx, n, ws, "")
	if err != nil {
		t.Fatal(err)
	}
	v1 := version()
	if v1 == v0 {
		t.Fatal("a new window did not move the version")
	}
	if _, err := db.SaveNotice(ctx, n, ws, ""); err != nil {
		t.Fatal(err)
	}
	if err := db.MarkSeen(ctx, res.NoticeID); err != nil {
		t.Fatal(err)
	}
	if v := version(); v != v1 {
		t.Errorf("an unchanged save or a sighting moved the version %d → %d", v1, v)
	}
	steps := []struct {
		name string
		do   func() error
	}{
		{"deadline moved", func() error {
			_, err := db.SaveNotice(ctx, n, []Window{{Key: "k", Label: "报送", Closes: "2019-10-08", Evidence: "请于2019年10月8日前报送"}}, "")
			return err
		}},
		{"title changed", func() error {
			n.Title = "关于申报的补充通知"
			_, err := db.SaveNotice(ctx, n, []Window{{Key: "k", Label: "报送", Closes: "2019-10-08", Evidence: "请于2019年10月8日前报送"}}, "")
			return err
		}},
		{"window withdrawn", func() error {
			_, err := db.SaveNotice(ctx, n, nil, "")
			return err
		}},
	}
	last := version()
	for _, s := range steps {
		if err := s.do(); err != nil {
			t.Fatal(err)
		}
		if v := version(); v == last {
			t.Errorf("%s: the version did not move", s.name)
		} else {
			last = v
		}
	}
}

// A bounded listing (walking the index on closes) gives exactly the first
// rows of the unbounded one, windows that only open included.
func TestWindowsBoundedMatchesUnbounded(t *testing.T) {
	db, _ := openTest(t)
	ctx := context.Background()
	rng := rand.New(rand.NewSource(7))
	day := func(d int) string {
		return time.Date(2019, 9, 1, 0, 0, 0, 0, time.UTC).AddDate(0, 0, d).Format("2006-01-02")
	}
	for i := 0; i < 300; i++ {
		w := Window{Key: "k", Label: "申报"}
		switch rng.Intn(4) {
		case 0:
			w.Opens = day(rng.Intn(120) - 60)
		case 1:
			w.Closes = day(rng.Intn(120) - 60)
		default:
			o := rng.Intn(120) - 60
			w.Opens, w.Closes = day(o), day(o+rng.Intn(40))
		}
		region := []string{"山西", "河北"}[i%2]
		if _, err := db.SaveNotice(ctx, Notice{URL: fmt.Sprintf("https://a.example.cn/%d.html", i), Title: "通知", Region: region}, []Window{w}, ""); err != nil {
			t.Fatal(err)
		}
	}
	for _, f := range []WindowFilter{
		{UpcomingFrom: day(0)},
		{UpcomingFrom: day(0), StartsBy: day(30)},
		{UpcomingFrom: day(10), StartsBy: day(20), Region: "河北"},
	} {
		all, err := db.Windows(ctx, f)
		if err != nil {
			t.Fatal(err)
		}
		for _, limit := range []int{1, 7, 40, len(all), len(all) + 5} {
			g := f
			g.Limit = limit
			some, err := db.Windows(ctx, g)
			if err != nil {
				t.Fatal(err)
			}
			want := all[:min(limit, len(all))]
			if len(some) != len(want) {
				t.Fatalf("%+v: %d windows, want %d", g, len(some), len(want))
			}
			for i := range want {
				if some[i].ID != want[i].ID {
					t.Fatalf("%+v: row %d is window %d, want %d", g, i, some[i].ID, want[i].ID)
				}
			}
		}
	}
}

// TestBoundedReadsWalkTheirIndexes: what a page or a feed reads at every
// request walks an index from where it starts and stops there. The plans
// are SQLite's; each read's results are checked elsewhere
// (TestWindowsBoundedMatchesUnbounded, TestSourceRegions).
func TestBoundedReadsWalkTheirIndexes(t *testing.T) {
	db, _ := openSQLiteTest(t)
	ctx := context.Background()
	plan := func(q string, args ...any) string {
		t.Helper()
		rows, err := db.r.QueryContext(ctx, "EXPLAIN QUERY PLAN "+q, args...)
		if err != nil {
			t.Fatal(err)
		}
		defer rows.Close()
		var lines []string
		for rows.Next() {
			var id, parent, unused int
			var detail string
			if err := rows.Scan(&id, &parent, &unused, &detail); err != nil {
				t.Fatal(err)
			}
			lines = append(lines, detail)
		}
		return strings.Join(lines, "\n")
	}
	upcoming, args, bounded := WindowFilter{UpcomingFrom: "2019-09-01", StartsBy: "2019-10-31", Limit: 501}.query(db.dialect())
	if !bounded {
		t.Fatal("a listing from a day with a limit is not read as bounded")
	}
	listWhere, listArgs := WindowFilter{UpcomingFrom: "2019-08-01"}.where(db.dialect())
	for _, c := range []struct {
		name, q string
		args    []any
		want    []string
		not     []string
	}{
		// Both halves walk an index in the order asked and stop at the
		// limit: no sort, no scan, and the windows that only open are not
		// looked for among windows_closes's NULLs (every such window).
		{"upcoming", upcoming, args, []string{"windows_closes (closes>?)", "windows_opens_only (opens>?)"},
			[]string{"SCAN w", "TEMP B-TREE", "(closes=?)"}},
		// The feeds' listing (read at a start or a new day) reads the
		// windows from the day on through the same two indexes.
		{"listing", listingCols + listWhere + ` ORDER BY COALESCE(w.closes, w.opens, '9999'), w.id`, listArgs,
			[]string{"windows_closes (closes>?)", "windows_opens_only (opens>?)"}, []string{"SCAN w", "(closes=?)"}},
		{"source regions", sourceRegionsSQL, nil, []string{"COVERING INDEX sources_region (region>?)"}, []string{"SCAN sources"}},
	} {
		p := plan(c.q, c.args...)
		for _, w := range c.want {
			if !strings.Contains(p, w) {
				t.Errorf("%s: plan does not use %s:\n%s", c.name, w, p)
			}
		}
		for _, n := range c.not {
			if strings.Contains(p, n) {
				t.Errorf("%s: plan has %s:\n%s", c.name, n, p)
			}
		}
	}
}

func TestSourceRegions(t *testing.T) {
	db, _ := openTest(t)
	ctx := context.Background()
	for i, r := range []string{"山西", "", "北京", "山西", "河北", "", "北京", "安徽"} {
		if _, err := db.AddSource(ctx, Source{URL: fmt.Sprintf("https://a.example.cn/%d/", i), Kind: "list", Region: r}); err != nil {
			t.Fatal(err)
		}
	}
	got, err := db.SourceRegions(ctx)
	if err != nil {
		t.Fatal(err)
	}
	want, err := queryAll(ctx, db.r, "distinct regions", scanString, `SELECT DISTINCT region FROM sources WHERE region != '' ORDER BY region`)
	if err != nil {
		t.Fatal(err)
	}
	if len(want) != 4 || !slices.Equal(got, want) {
		t.Errorf("source regions %q, want %q (the four distinct ones, in the database's order)", got, want)
	}
}

func TestStoredURLs(t *testing.T) {
	ctx := context.Background()
	db, _ := openTest(t)
	stored := map[string]bool{}
	for i := 0; i < 300; i += 7 {
		u := fmt.Sprintf("https://a/%d", i)
		if _, err := db.SaveNotice(ctx, Notice{URL: u, Title: "通知", Text: "请于9月20日前报送"}, nil, ""); err != nil {
			t.Fatal(err)
		}
		stored[u] = true
	}
	// Lengths on each side of the statement sizes (8, 32, 128) and past
	// several chunks.
	for _, n := range []int{0, 1, 7, 8, 9, 32, 33, 128, 129, 300} {
		var urls []string
		for i := 0; i < n; i++ {
			urls = append(urls, fmt.Sprintf("https://a/%d", i))
		}
		got, err := db.StoredURLs(ctx, urls)
		if err != nil {
			t.Fatal(n, err)
		}
		want := 0
		for _, u := range urls {
			if got[u] != stored[u] {
				t.Errorf("%d URLs: %s stored %v, said %v", n, u, stored[u], got[u])
			}
			if stored[u] {
				want++
			}
		}
		if len(got) != want {
			t.Errorf("%d URLs: %d said stored, want %d", n, len(got), want)
		}
	}
}

// TestPlanDeliveriesInChunks: planned deliveries go in several rows to a
// statement; every count from 0 to past two full chunks stores each row
// whole, in order, and counts only the new ones (a key already planned,
// before or within the same call, is left as it was).
func TestPlanDeliveriesInChunks(t *testing.T) {
	ctx := context.Background()
	db, _ := openTest(t)
	sub, err := db.AddSubscriber(ctx, Subscriber{Email: "li@example.cn", Status: "active"})
	if err != nil {
		t.Fatal(err)
	}
	r, err := db.SaveNotice(ctx, Notice{URL: "https://a/1", Title: "通知"}, []Window{{Key: "k", Label: "申报", Closes: "2019-09-30"}}, "")
	if err != nil {
		t.Fatal(err)
	}
	ws, err := db.NoticeWindows(ctx, r.NoticeID)
	if err != nil || len(ws) != 1 {
		t.Fatal(len(ws), err)
	}
	due := time.Date(2019, 9, 20, 1, 0, 0, 0, time.UTC)
	mk := func(key string, i int) Delivery {
		return Delivery{DedupKey: key, SubscriberID: sub.ID, WindowID: ws[0].ID, Kind: "close", Lead: fmt.Sprintf("%dd", i%9),
			Revision: i % 3, EventDate: "2019-09-30", Period: "p", DueAt: due.Add(time.Duration(i) * time.Minute)}
	}
	total := 0
	for _, n := range []int{0, 1, 7, 8, 9, 63, 64, 65, 73, 137} {
		var ds []Delivery
		for i := 0; i < n; i++ {
			ds = append(ds, mk(fmt.Sprintf("c%d/%d", n, i), i))
		}
		want := n
		if n > 0 {
			ds = append(ds, mk("c1/0", 99)) // planned by an earlier call
			ds = append(ds, ds[0])          // twice in this one
		}
		got, err := db.PlanDeliveries(ctx, ds)
		if err != nil {
			t.Fatal(n, err)
		}
		if n == 1 {
			want = 1 // the key planned "earlier" is this call's own
		}
		if got != want {
			t.Errorf("%d new: %d planned", n, got)
		}
		total += want
	}
	all, err := db.Deliveries(ctx, "", 0)
	if err != nil {
		t.Fatal(err)
	}
	if len(all) != total {
		t.Fatalf("%d stored, want %d", len(all), total)
	}
	for _, d := range all {
		var n, i int
		if _, err := fmt.Sscanf(d.DedupKey, "c%d/%d", &n, &i); err != nil {
			t.Fatal(d.DedupKey, err)
		}
		w := mk(d.DedupKey, i)
		if d.Status != "pending" || d.SubscriberID != w.SubscriberID || d.WindowID != w.WindowID || d.Kind != w.Kind ||
			d.Lead != w.Lead || d.Revision != w.Revision || d.EventDate != w.EventDate || d.Period != w.Period || !d.DueAt.Equal(w.DueAt) {
			t.Errorf("%s stored as %+v", d.DedupKey, d)
		}
	}
}
