package tracker

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"github.com/grantwatch/grantwatch/store"
)

// Word 97 (.doc), WPS, Excel 97 (.xls) and .xlsx attachments are read
// for windows like the notice's own text (the files are pagetext's test
// files), each recorded as read.
func TestOfficeAttachments(t *testing.T) {
	s := newSite(t)
	c := testCrawler(t, testFetchConfig(), &clock{t: t0})
	for i, tc := range []struct{ file, want string }{
		{"notice.doc", "2024-03-01→2024-03-31 | →2024-04-05"},
		{"notice.wps", "2024-05-06→2024-06-30 | →2024-07-05"},
		{"schedule.xls", "2024-03-01→2024-03-31 | →2024-03-31 | →2024-04-05"},
		{"schedule.xlsx", "2024-03-01→2024-03-31 | →2024-03-31 | →2024-04-05"},
	} {
		t.Run(tc.file, func(t *testing.T) {
			b, err := os.ReadFile(filepath.Join("pagetext", "testdata", "office", tc.file))
			if err != nil {
				t.Fatal(err)
			}
			s.page("/files/"+tc.file, "application/octet-stream", b)
			page := fmt.Sprintf("/tzgg/%d.html", i+1)
			s.page(page, "text/html", noticePage(fmt.Sprintf("关于做好2024年度第%d批项目申报工作的通知", i+1),
				`<p>各有关单位：</p><p>具体安排详见附件。</p>`, [2]string{"/files/" + tc.file, "附件：" + tc.file}))
			src := addSource(t, c, store.Source{URL: s.url(page), Kind: "notice"})
			if r := c.CrawlNow(context.Background(), []store.Source{src}, nil).Sources[0]; r.Err != nil {
				t.Fatal(r.Err)
			}
			n := mustNotice(t, c, s.url(page))
			ws, _ := c.DB.NoticeWindows(context.Background(), n.ID)
			var got []string
			for _, w := range ws {
				got = append(got, w.Opens+"→"+w.Closes)
			}
			sort.Strings(got)
			if strings.Join(got, " | ") != tc.want {
				t.Errorf("windows %q, want %q", strings.Join(got, " | "), tc.want)
			}
			st, _ := c.DB.NoticeFetchStateOf(context.Background(), n.ID)
			if len(st.Attachments) != 1 || st.Attachments[0].Status != "read" {
				t.Errorf("attachments %+v", st.Attachments)
			}
		})
	}
}
