package catalog

import (
	"slices"
	"testing"
)

var provinces = []string{"北京", "天津", "河北", "山西", "内蒙古", "辽宁", "吉林", "黑龙江", "上海", "江苏", "浙江", "安徽", "福建",
	"江西", "山东", "河南", "湖北", "湖南", "广东", "广西", "海南", "重庆", "四川", "贵州", "云南", "西藏", "陕西", "甘肃",
	"青海", "宁夏", "新疆"}

// The catalogue holds the four provincial departments of every province
// and the national ministries that fund projects, each entry well formed.
func TestCatalogCoverage(t *testing.T) {
	cs, err := Columns()
	if err != nil {
		t.Fatal(err)
	}
	urls := map[string]bool{}
	for _, c := range cs {
		if urls[c.URL] {
			t.Errorf("duplicate URL %s", c.URL)
		}
		urls[c.URL] = true
		if c.Name == "" || c.Region == "" || c.Issuer == "" || len(c.Tags) == 0 || c.Source == "" {
			t.Errorf("incomplete entry %+v", c)
		}
		switch c.Confidence {
		case "column URL seen", "derived from notice URL", "site only":
		default:
			t.Errorf("%s: confidence %q", c.URL, c.Confidence)
		}
	}
	for _, p := range provinces {
		for _, dept := range []string{"科技厅", "工信厅", "发改委", "商务厅"} {
			n := 0
			for _, c := range Tagged(cs, dept) {
				if c.Region == p && slices.Contains(c.Tags, "省级") {
					n++
				}
			}
			if n != 1 {
				t.Errorf("%s %s: %d entries", p, dept, n)
			}
		}
	}
	for _, m := range []string{"科技部", "工信部", "发改委", "商务部", "教育部", "农业农村部", "自然科学基金委"} {
		n := 0
		for _, c := range Tagged(cs, m) {
			if c.Region == "全国" {
				n++
			}
		}
		if n == 0 {
			t.Errorf("no national %s column", m)
		}
	}
	if len(cs) < 131 {
		t.Errorf("%d columns", len(cs))
	}
}
