package extract

import (
	"testing"
	"unicode/utf8"
)

func TestStageName(t *testing.T) {
	for _, tc := range []struct{ raw, want string }{
		// Short names the text gives are kept.
		{"纸质材料受理", "纸质材料受理"},
		{"企业网上申报", "企业网上申报"},
		{"集中受理", "集中受理"},
		{"申报", "申报"},
		{"区县汇总材料上报", "区县汇总材料上报"},
		// Clauses become names.
		{"本批计划网络申报受理", "网络申报"},
		{"登录某某省科技管理信息系统", "网上申报"},
		{"建议书电子版发送至电子邮箱kjc@example.gov.cn", "电子版报送"},
		{"组织申报企业在开展两化融合评估基础上", "项目申报"},
		{"上报省工信厅", "材料报送"},
		{"报送市科协业务工作部", "材料报送"},
		{"申报书与相关作证材料发宣传部邮箱", "电子版报送"},
		{"《规划书》纸质及电子版报送至医院科研部", "纸质材料报送"},
		{"各县区科技主管部门完成初审并报送市科技局", "审核推荐"},
		{"地市科技部门完成网上推荐", "网上推荐"},
		{"请各高校将推荐名单报送我厅", "推荐名单报送"},
		{"项目申报单位通过系统完成预申报", "预申报"},
		{"第二批 企业在省阳光政务平台提交", "第二批 网上申报"},
		{"于", "申报"},
		{"", "申报"},
	} {
		got := stageName(tc.raw)
		if got != tc.want {
			t.Errorf("stageName(%q) = %q, want %q", tc.raw, got, tc.want)
		}
		if n := utf8.RuneCountInString(got); n > 14 {
			t.Errorf("stageName(%q) = %q: %d characters", tc.raw, got, n)
		}
	}
}
