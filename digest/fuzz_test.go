package digest

import (
	"strings"
	"testing"
)

// FuzzPlan: any text parses and plans without panicking; every item has a
// title, and every planned notice an http(s) URL.
func FuzzPlan(f *testing.F) {
	f.Add("[申报通知]\n关于组织申报的通知\n请于2019年9月20日前报送。\n相关链接：\nhttp://a.gov.cn/1.ht\nml\n")
	f.Add("相关链接：\n\n\n")
	f.Add("[x]\n[y]\n相关链接：http://\n")
	f.Add("关于\n\n申报网址：http://1.2.3.4:5/x 相关链接：https://a.gov.cn/\n更多")
	f.Fuzz(func(t *testing.T, text string) {
		plans, res, err := Plan(text)
		if err != nil {
			return
		}
		if len(plans) > len(res.Items) {
			t.Fatalf("%d plans for %d items", len(plans), len(res.Items))
		}
		for _, p := range plans {
			if p.Item.Title == "" {
				t.Fatal("item without title")
			}
			if !strings.HasPrefix(p.Notice.URL, "http://") && !strings.HasPrefix(p.Notice.URL, "https://") {
				t.Fatalf("notice URL %q", p.Notice.URL)
			}
		}
	})
}
