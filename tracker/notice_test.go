package tracker

import (
	"testing"

	"github.com/grantwatch/grantwatch/tracker/extract"
)

func TestStoreWindowsKeys(t *testing.T) {
	ws := StoreWindows([]extract.Window{
		{What: "网络申报", Opens: "2019-08-30", Closes: "2019-09-30"},
		{What: "纸质材料 受理", Opens: "2019-09-26", Closes: "2019-10-10"},
		{What: "网络申报", Closes: "2019-11-01"},
		{What: ""},
	})
	want := []string{"网络申报", "纸质材料受理", "网络申报#2", "申报"}
	for i, w := range ws {
		if w.Key != want[i] {
			t.Errorf("key %d = %q, want %q", i, w.Key, want[i])
		}
	}
	if ws[0].Opens != "2019-08-30" || ws[1].Label != "纸质材料 受理" {
		t.Errorf("fields not carried: %+v", ws)
	}
}

func TestCanonicalURL(t *testing.T) {
	tests := map[string]string{
		"http://KJT.Shanxi.gov.cn/nckjc/49049.jhtml#top": "http://kjt.shanxi.gov.cn/nckjc/49049.jhtml",
		"https://a.gov.cn:443":                           "https://a.gov.cn/",
		" http://a.gov.cn:8080/x?y=1 ":                   "http://a.gov.cn:8080/x?y=1",
	}
	for in, want := range tests {
		if got, ok := CanonicalURL(in); !ok || got != want {
			t.Errorf("CanonicalURL(%q) = %q, %v; want %q", in, got, ok, want)
		}
	}
	for _, bad := range []string{"ftp://a.gov.cn/", "javascript:alert(1)", "mailto:a@b.cn", "/relative", "http://"} {
		if got, ok := CanonicalURL(bad); ok {
			t.Errorf("CanonicalURL(%q) accepted as %q", bad, got)
		}
	}
}

func TestRegion(t *testing.T) {
	tests := []struct{ issuer, title, host, want string }{
		{"山西省科学技术厅", "", "", "山西"},
		{"", "关于发布2019年度山西省重点研发计划的通知", "kjt.shanxi.gov.cn", "山西"},
		{"中关村科技园区管理委员会", "关于开展中关村科技服务平台申报工作的通知", "zgcgw.beijing.gov.cn", "北京"},
		{"", "关于印发指导意见的通知", "www.most.gov.cn", "全国"},
		{"", "关于申报的通知", "kjj.shenzhen.gov.cn", "广东"},
		{"陕西省科学技术厅", "", "kjt.shaanxi.gov.cn", "陕西"},
		{"", "", "example.com", ""},
	}
	for _, tt := range tests {
		if got := Region(tt.issuer, tt.title, tt.host); got != tt.want {
			t.Errorf("Region(%q, %q, %q) = %q, want %q", tt.issuer, tt.title, tt.host, got, tt.want)
		}
	}
}
