package store

import (
	"context"
	"errors"
	"fmt"
	"testing"
	"time"
)

// A copy carries every row, ids and links between notices kept, proves it
// by checksums, and refuses a target that holds data. The target is the
// backend under test (PostgreSQL in CI's second run), the source SQLite.
func TestCopyTo(t *testing.T) {
	ctx := context.Background()
	src, _ := openSQLiteTest(t)
	s, err := src.AddSource(ctx, Source{URL: "https://kjt.example.gov.cn/tzgg/", Name: "通知公告", Region: "山西", Paused: true, Render: true})
	if err != nil {
		t.Fatal(err)
	}
	var first int64
	for i := 0; i < 30; i++ {
		n := Notice{URL: fmt.Sprintf("https://kjt.example.gov.cn/tzgg/%d.html", i), SourceID: s.ID, Title: fmt.Sprintf("关于申报第%d批项目的通知", i),
			Region: "山西", Text: "请于2019年9月30日前报送。'引号' \"双引号\" ? 问号", Published: "2019-08-01"}
		if i == 29 {
			n.ExtendsNoticeID = first // a later notice extends the first…
		}
		r, err := src.SaveNotice(ctx, n, []Window{{Key: "k", Label: "报送", Closes: "2019-09-30", ClosesTime: "17:00"}}, "")
		if err != nil {
			t.Fatal(err)
		}
		if i == 0 {
			first = r.NoticeID
		}
	}
	// …and an earlier one extends a later one, which a plain ordered copy
	// could not insert.
	if _, err := src.w.ExecContext(ctx, `UPDATE notices SET extends_notice_id = (SELECT MAX(id) FROM notices) WHERE id = ?`, first); err != nil {
		t.Fatal(err)
	}
	sub, err := src.AddSubscriber(ctx, Subscriber{Email: "Li@Example.cn", Status: "active", Regions: []string{"山西"}, Keywords: []string{"项目"}})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := src.Secret(ctx, "csrf", 32); err != nil {
		t.Fatal(err)
	}
	ws, _ := src.Windows(ctx, WindowFilter{})
	if _, err := src.PlanDeliveries(ctx, []Delivery{{DedupKey: "close/1/7d", SubscriberID: sub.ID, WindowID: ws[0].ID, Kind: "close", Lead: "7d",
		DueAt: time.Date(2019, 9, 23, 1, 0, 0, 0, time.UTC)}}); err != nil {
		t.Fatal(err)
	}
	if err := src.RecordFetchFailure(ctx, FetchFailure{URL: "https://kjt.example.gov.cn/tzgg/x.html", SourceID: s.ID, LastError: "500"}); err != nil {
		t.Fatal(err)
	}

	dst, _ := openTest(t)
	report, err := src.CopyTo(ctx, dst)
	if err != nil {
		t.Fatal(err)
	}
	rows := map[string]int64{}
	for _, r := range report {
		if !r.Match {
			t.Errorf("%s does not match", r.Table)
		}
		rows[r.Table] = r.Rows
	}
	want := map[string]int64{"sources": 1, "notices": 30, "windows": 30, "subscribers": 1, "secrets": 1, "deliveries": 1, "fetch_failures": 1}
	for k, v := range want {
		if rows[k] != v {
			t.Errorf("%s: %d rows copied, want %d", k, rows[k], v)
		}
	}
	got, err := dst.SubscriberByToken(ctx, "feed", sub.FeedToken)
	if err != nil || got.ID != sub.ID || got.Email != "Li@Example.cn" {
		t.Errorf("subscriber after the copy: %+v %v", got, err)
	}
	// New rows get ids after the copied ones.
	s2, err := dst.AddSource(ctx, Source{URL: "https://gxt.example.gov.cn/tzgg/"})
	if err != nil || s2.ID <= s.ID {
		t.Errorf("a source added after the copy: id %d (copied %d), %v", s2.ID, s.ID, err)
	}
	// The listing version moved on: ETags given before do not match.
	vs, _ := src.ListingVersion(ctx)
	vd, _ := dst.ListingVersion(ctx)
	if vd <= vs {
		t.Errorf("listing version %d after the copy, %d before", vd, vs)
	}
	// A second copy finds data there and leaves it alone.
	if _, err := src.CopyTo(ctx, dst); !errors.Is(err, ErrTargetNotEmpty) {
		t.Errorf("copy into a store with data: %v", err)
	}
}
