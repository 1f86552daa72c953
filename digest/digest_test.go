package digest

import (
	"context"
	"os"
	"path/filepath"
	"reflect"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/grantwatch/grantwatch/internal/storetest"
	"github.com/grantwatch/grantwatch/store"
)

func readFixture(t *testing.T) string {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", "digest.txt"))
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

func TestParseFixture(t *testing.T) {
	res, err := Parse(readFixture(t))
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Items) != 3 {
		t.Fatalf("%d items, want 3: %+v", len(res.Items), res.Items)
	}
	want := []struct{ category, title, link, apply string }{
		{"政策文件", "某某部关于印发《促进示范企业高质量发展若干措施》的通知", "http://www.example-ministry.gov.cn/zcfb/tz/202105/t20210520_100123.html", ""},
		{"申报通知", "关于组织申报2021年度某某省智能制造示范项目的通知", "http://gxt.example.gov.cn/art/2021/6/1/art_1_2.html", "http://198.51.100.7:8080/sbxt"},
		{"申报通知", "关于开展2021年某某市科技型中小企业评价工作的通知", "http://kjj.example.gov.cn/tzgg/2021/0602.html", ""},
	}
	for i, w := range want {
		it := res.Items[i]
		if it.Category != w.category || it.Title != w.title || it.Link != w.link || it.ApplyURL != w.apply {
			t.Errorf("item %d = %+v\nwant %+v", i, it, w)
		}
	}
	if len(res.Ignored) != 2 || !strings.Contains(res.Ignored[0], "digest-publisher") || !strings.Contains(res.Ignored[1], "trailing text") {
		t.Errorf("ignored = %q", res.Ignored)
	}
	// The double spacing of the PDF conversion is gone from the text.
	if strings.Contains(res.Items[1].Text, "\n\n") {
		t.Errorf("item text keeps blank lines:\n%s", res.Items[1].Text)
	}
}

func TestParseOddInput(t *testing.T) {
	for _, in := range []string{"", "相关链接：", "[申报通知]\n相关链接：http://a.gov.cn/x.html", "no items at all\n", "\xff\xfe bad", "相关链接：\n\n\n\n\n"} {
		res, err := Parse(in)
		if err != nil {
			continue // refused, not crashed
		}
		for _, it := range res.Items {
			if it.Title == "" {
				t.Errorf("%q: item without title %+v", in, it)
			}
		}
	}
}

func windowsOf(plans []Planned) []string {
	var out []string
	for _, p := range plans {
		for _, w := range p.Windows {
			out = append(out, p.Notice.URL+" "+w.Opens+"→"+w.Closes+" "+w.ClosesTime)
		}
	}
	sort.Strings(out)
	return out
}

func TestPlanFixture(t *testing.T) {
	plans, _, err := Plan(readFixture(t))
	if err != nil {
		t.Fatal(err)
	}
	want := []string{
		"http://gxt.example.gov.cn/art/2021/6/1/art_1_2.html 2021-06-10→2021-06-30 17:00",
		"http://gxt.example.gov.cn/art/2021/6/1/art_1_2.html →2021-07-05 ",
		"http://kjj.example.gov.cn/tzgg/2021/0602.html →2021-06-25 ",
	}
	sort.Strings(want)
	if got := windowsOf(plans); !reflect.DeepEqual(got, want) {
		t.Errorf("windows\n got %q\nwant %q", got, want)
	}
	p := plans[1]
	if p.Notice.Published != "2021-06-01" || p.Notice.Issuer != "某某省工业和信息化厅" || p.Notice.DocNumber != "某工信发〔2021〕88号" ||
		p.Notice.ApplicationURL != "http://198.51.100.7:8080/sbxt" || p.Notice.Category != "申报通知" {
		t.Errorf("notice = %+v", p.Notice)
	}
	// The application system is kept on the notice, never watched.
	for _, p := range plans {
		if p.Source == nil || strings.Contains(p.Source.URL, "198.51.100.7") {
			t.Errorf("source %+v", p.Source)
		}
	}
}

func openDB(t *testing.T) *store.DB {
	t.Helper()
	db, err := store.Open(context.Background(), storetest.DSN(t),
		store.WithClock(func() time.Time { return time.Date(2021, 6, 3, 1, 0, 0, 0, time.UTC) }))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	return db
}

func TestImportTwiceChangesNothing(t *testing.T) {
	ctx := context.Background()
	db := openDB(t)
	text := readFixture(t)
	var progress []int
	sum, err := Import(ctx, db, "/digests/fixture.txt", text, Options{Progress: func(done, total int) { progress = append(progress, done) }})
	if err != nil {
		t.Fatal(err)
	}
	if sum.Items != 3 || sum.NoticesNew != 3 || sum.WindowsAdded != 3 || sum.SourcesAdded != 3 || sum.AlreadyImported {
		t.Errorf("first import: %+v", sum)
	}
	if !reflect.DeepEqual(progress, []int{1, 2, 3}) {
		t.Errorf("progress = %v", progress)
	}
	before := snapshot(t, db)
	sum, err = Import(ctx, db, "/digests/fixture.txt", text, Options{})
	if err != nil {
		t.Fatal(err)
	}
	if !sum.AlreadyImported || sum.NoticesNew+sum.NoticesUpdated+sum.WindowsAdded+sum.WindowsChanged+sum.SourcesAdded != 0 || sum.NoticesUnchanged != 3 {
		t.Errorf("second import: %+v", sum)
	}
	if after := snapshot(t, db); after != before {
		t.Errorf("second import changed the data:\nbefore %s\nafter  %s", before, after)
	}
}

func TestImportNoSources(t *testing.T) {
	ctx := context.Background()
	db := openDB(t)
	// A source already watched is not added twice either way.
	if _, err := db.AddSource(ctx, store.Source{URL: "http://kjj.example.gov.cn/tzgg/2021/0602.html"}); err != nil {
		t.Fatal(err)
	}
	sum, err := Import(ctx, db, "x.txt", readFixture(t), Options{NoSources: true})
	if err != nil {
		t.Fatal(err)
	}
	srcs, _ := db.Sources(ctx)
	if sum.SourcesAdded != 0 || len(srcs) != 1 {
		t.Errorf("--no-sources added sources: %+v, %d watched", sum, len(srcs))
	}
	sum, err = Import(ctx, db, "x.txt", readFixture(t), Options{})
	if err != nil {
		t.Fatal(err)
	}
	srcs, _ = db.Sources(ctx)
	if sum.SourcesAdded != 2 || sum.SourcesKnown != 1 || len(srcs) != 3 {
		t.Errorf("second import with sources: %+v, %d watched", sum, len(srcs))
	}
}

// snapshot renders everything an import touches.
func snapshot(t *testing.T, db *store.DB) string {
	t.Helper()
	ctx := context.Background()
	var b strings.Builder
	ns, _ := db.Notices(ctx, "", 0)
	for _, n := range ns {
		b.WriteString(n.URL + n.Title + n.ContentHash + n.LastSeenAt.String() + "|")
	}
	ws, _ := db.Windows(ctx, store.WindowFilter{All: true})
	for _, w := range ws {
		b.WriteString(w.Key + w.Opens + w.Closes + w.UpdatedAt.String() + "|")
	}
	ss, _ := db.Sources(ctx)
	for _, s := range ss {
		b.WriteString(s.URL + "|")
	}
	return b.String()
}

// The seed digest in ../shared: the windows and links the issue names.
func TestSeedDigest(t *testing.T) {
	b, err := os.ReadFile(filepath.Join("..", "..", "shared", "seed", "policy-digest-2019-08.txt"))
	if err != nil {
		t.Skipf("seed digest not available (%v): skipping", err)
	}
	plans, _, err := Plan(string(b))
	if err != nil {
		t.Fatal(err)
	}
	want := []string{
		"http://gxt.hebei.gov.cn/hbgyhxxht/xwzx32/tzgg83/658586/index.html →2019-09-20 ",
		"http://gxt.shandong.gov.cn/art/2019/8/28/art_15201_7031881.html →2019-09-06 ",
		"http://kjt.shanxi.gov.cn/nckjc/49049.jhtml 2019-08-30→2019-09-30 ",
		"http://kjt.shanxi.gov.cn/nckjc/49049.jhtml 2019-09-26→2019-10-10 ",
		"http://zgcgw.beijing.gov.cn/zgc/zwgk/tzgg/195643/index.html 2019-08-27→2019-09-25 ",
	}
	if got := windowsOf(plans); !reflect.DeepEqual(got, want) {
		t.Errorf("seed windows\n got %q\nwant %q", got, want)
	}
	var links []string
	for _, p := range plans {
		links = append(links, p.Source.URL)
	}
	if len(links) != 9 {
		t.Errorf("%d links, want 9: %q", len(links), links)
	}
	for _, l := range []string{
		"http://www.most.gov.cn/mostinfo/xinxifenlei/fgzc/gfxwj/gfxwj2019/201908/t20190826_148424.htm",
		"http://www.miit.gov.cn/n1146295/n1652858/n1652930/n3757020/c7288758/content.html",
	} {
		found := false
		for _, got := range links {
			found = found || got == l
		}
		if !found {
			t.Errorf("wrapped link %s not rejoined; links: %q", l, links)
		}
	}
	for _, l := range links {
		if strings.Contains(l, "chinamomentum") {
			t.Errorf("publisher's link watched: %s", l)
		}
	}
}
