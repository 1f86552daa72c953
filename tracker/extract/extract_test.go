package extract

import (
	"fmt"
	"sort"
	"strings"
	"testing"
	"unicode/utf8"
)

// w is a window as the tests write it: "opens→closes time", with "-" for
// an absent date: "2019-08-27→2019-09-25", "-→2019-09-20 17:00".
func wins(res Result) []string {
	var out []string
	for _, w := range res.Windows {
		o, c := w.Opens, w.Closes
		if o == "" {
			o = "-"
		}
		if c == "" {
			c = "-"
		}
		s := o + "→" + c
		if w.ClosesTime != "" {
			s += " " + w.ClosesTime
		}
		out = append(out, s)
	}
	sort.Strings(out)
	return out
}

type extractCase struct {
	name      string
	text      string
	published string
	want      []string
}

func runCases(t *testing.T, cases []extractCase) {
	t.Helper()
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			var opts Options
			if tc.published != "" {
				d, err := ParseDate(tc.published)
				if err != nil {
					t.Fatal(err)
				}
				opts.Published = d
			}
			res := Extract(tc.text, opts)
			got := wins(res)
			want := append([]string(nil), tc.want...)
			sort.Strings(want)
			if strings.Join(got, " | ") != strings.Join(want, " | ") {
				t.Errorf("windows\n got %v\nwant %v", got, want)
				for _, w := range res.Windows {
					t.Logf("  %+v", w)
				}
			}
			for _, w := range res.Windows {
				if w.What == "" || !utf8.ValidString(w.What) || !utf8.ValidString(w.Evidence) {
					t.Errorf("window %+v has no label, or a broken one", w)
				}
				if w.Start < 0 || w.End > len(tc.text) || w.Start > w.End || tc.text[w.Start:w.End] != w.Evidence {
					t.Errorf("evidence span [%d,%d) does not hold %q", w.Start, w.End, w.Evidence)
				}
			}
		})
	}
}

func TestFullDateForms(t *testing.T) {
	runCases(t, []extractCase{
		{"plain", "申报时间：2019年8月27日至2019年9月25日。", "", []string{"2019-08-27→2019-09-25"}},
		{"spaces from PDF", "网上申报时间：2019 年 8 月 27 日至 2019 年 9 月 25 日。", "", []string{"2019-08-27→2019-09-25"}},
		{"one part per line", "请各单位于\n2017\n年\n10\n月\n31\n日前将申报材料报送我部。", "", []string{"-→2017-10-31"}},
		{"ISO dashes", "申报日期：2019-08-27至2019-09-25", "", []string{"2019-08-27→2019-09-25"}},
		{"dots", "受理时间为2019.8.27-2019.9.25。", "", []string{"2019-08-27→2019-09-25"}},
		{"slashes", "申报日期 : 2020/1/22-2020/3/31", "", []string{"2020-01-22→2020-03-31"}},
		{"ISO slash range", "申报日期 : 2020-01-22/2020-03-31", "", []string{"2020-01-22→2020-03-31"}},
		{"full-width digits", "请于２０１９年９月２０日前报送申报材料。", "", []string{"-→2019-09-20"}},
		{"Chinese numerals", "申报截止日期为二〇一九年九月二十日。", "", []string{"-→2019-09-20"}},
		{"circle zero", "请于二○一九年十月十日前提交。", "", []string{"-→2019-10-10"}},
		{"letter O zero", "请于二OO六年四月三十日前报送科技处。", "", []string{"-→2006-04-30"}},
		{"号 for 日", "请于2019年9月20号前报送。", "", []string{"-→2019-09-20"}},
		{"traditional", "申報時間：2019年8月27日至9月25日。", "", []string{"2019-08-27→2019-09-25"}},
		{"traditional 於", "請於2019年9月20日前將材料報送至我局。", "", []string{"-→2019-09-20"}},
		{"pinyin debris", "網(wǎng)上申報(bào)截止時(shí)間為:2023年5月19日。", "", []string{"-→2023-05-19"}},
		{"mangled year month", "本次申报截止日期为2017630日。", "", []string{"-→2017-06-30"}},
		{"zero-padded", "申报时间：2019年08月07日至2019年09月05日", "", []string{"2019-08-07→2019-09-05"}},
	})
}

func TestPartialDates(t *testing.T) {
	runCases(t, []extractCase{
		{"year carried to range end", "网络申报 2019年8月30日至9月30日", "", []string{"2019-08-30→2019-09-30"}},
		{"year from publication", "请于9月20日前报送。", "2019-08-27", []string{"-→2019-09-20"}},
		{"next year when well before publication", "请于1月15日前将材料报送市科技局。", "2019-12-20", []string{"-→2020-01-15"}},
		{"year from 文号", "X科发〔2021〕12号\n各单位：请于6月30日前报送申报材料。", "", []string{"-→2021-06-30"}},
		{"year from 年度", "关于做好2002年度项目申报工作的通知\n项目截止申报时间为5月25日。", "", []string{"-→2002-05-25"}},
		{"month end", "请于9月底前将申报材料报送市工信局。", "2019-08-27", []string{"-→2019-09-30"}},
		{"month end with year", "申报截止时间为2020年2月底。", "", []string{"-→2020-02-29"}},
		{"every character spaced (PDF)", "申 报 时 间 ： 2024 年 12 月 20 日 至 \n2025 年 1 月 10 日", "2024-12-10", []string{"2024-12-20→2025-01-10"}},
		{"from publication, named", "申报时间：自通知发布之日起至2025年1月20日。", "2024-12-10", []string{"2024-12-10→2025-01-20"}},
		{"validity from publication", "本办法自发布之日起至2027年12月31日有效。", "2024-12-10", nil},
		{"started, then closes", "申报工作于2025年1月6日启动，1月20日截止。", "2024-12-10", []string{"2025-01-06→2025-01-20"}},
		{"project start is no window", "项目于2025年3月1日启动实施。", "2024-12-10", nil},
		{"period in two table cells", "申报起止时间\n2024年3月1日\n2024年3月31日", "2024-02-20", []string{"2024-03-01→2024-03-31"}},
		{"period in a pipe table", "| 申报起止日期 | 2024-03-01 | 2024-03-31 |", "", []string{"2024-03-01→2024-03-31"}},
		{"opens and closes in two clauses", "本次申报自2024年3月1日开始，至2024年3月31日17:00结束。", "", []string{"2024-03-01→2024-03-31 17:00"}},
		{"implementation in two clauses", "项目于2024年3月1日开始实施，至2025年12月31日结束。", "", nil},
		{"first ten days", "请各地于4月上旬前将汇总表报送我厅。", "2024-02-20", []string{"-→2024-04-10"}},
		{"middle ten days, numerals", "请于九月中旬之前报送申报材料。", "2024-02-20", []string{"-→2024-09-20"}},
		{"last ten days", "申报材料请于2024年2月下旬前报送。", "", []string{"-→2024-02-29"}},
		{"ten days without a deadline", "4月上旬开始申报，3月中旬召开申报培训会。", "2024-02-20", nil},
		{"day-only range end", "受理时间：8月27日至30日。", "2019-08-20", []string{"2019-08-27→2019-08-30"}},
		{"range over new year", "申报时间：2019年12月20日至1月10日。", "", []string{"2019-12-20→2020-01-10"}},
		{"end year only", "申报时间：12月20日至2020年1月10日。", "", []string{"2019-12-20→2020-01-10"}},
		{"signature gives the year", "各有关单位：\n请于10月24日前报送至我局技术进步科。\n某某市工业和信息化局\n2023年10月17日", "", []string{"-→2023-10-24"}},
	})
}

func TestRanges(t *testing.T) {
	runCases(t, []extractCase{
		{"到", "申报时间为2019年8月27日到9月25日。", "", []string{"2019-08-27→2019-09-25"}},
		{"em dash", "网上申报时间：2019年8月27日—9月25日", "", []string{"2019-08-27→2019-09-25"}},
		{"tilde", "受理时间：2019年8月27日～9月25日", "", []string{"2019-08-27→2019-09-25"}},
		{"自起至止", "自2019年8月1日起至2019年8月31日止，受理企业申报。", "", []string{"2019-08-01→2019-08-31"}},
		{"即日起至", "即日起至2019年9月30日，企业可登录系统申报。", "2019-08-27", []string{"2019-08-27→2019-09-30"}},
		{"opens only", "申报系统自2019年9月1日起开放申报。", "", []string{"2019-09-01→-"}},
		{"opening and closing in clauses", "申报人可于2011年7月1日后登录网络申报系统进行网络推荐，网络推荐的截止日期为2011年8月30日。", "", []string{"2011-07-01→2011-08-30"}},
		{"times on both ends", "企业网上申报时间：11月18日(星期四)8:00—11月27日(星期六)17:30。", "2021-11-09", []string{"2021-11-18→2021-11-27 17:30"}},
		{"office hours", "首次受理：7月3日至7月4日(9:00-17:30)", "2017-06-20", []string{"2017-07-03→2017-07-04 17:30"}},
		{"one day with office hours", "再次受理：7月10日(9:00-17:30)", "2017-06-20", []string{"2017-07-10→2017-07-10 17:30"}},
		{"range under a heading", "一、申报时间\n2021年9月9日-9月17日。\n二、申报要求", "", []string{"2021-09-09→2021-09-17"}},
		{"two stages", "网络申报 2019年8月30日至9月30日；纸质材料 9月26日至10月10日", "", []string{"2019-08-30→2019-09-30", "2019-09-26→2019-10-10"}},
	})
}

func TestDeadlines(t *testing.T) {
	runCases(t, []extractCase{
		{"前", "请于2019年9月20日前报送。", "", []string{"-→2019-09-20"}},
		{"之前", "请各单位在2019年9月20日之前提交申报书。", "", []string{"-→2019-09-20"}},
		{"以前", "申报材料于2019年9月20日以前寄送至科技局。", "", []string{"-→2019-09-20"}},
		{"截止时间为", "网上申报截止时间为2019年9月20日。", "", []string{"-→2019-09-20"}},
		{"截止到 with time", "申报填报时间截止到5月27日17:00。", "2021-05-06", []string{"-→2021-05-27 17:00"}},
		{"为止", "受理申报至2019年9月20日为止。", "", []string{"-→2019-09-20"}},
		{"止", "申报受理截至2019年9月20日止。", "", []string{"-→2019-09-20"}},
		{"17时", "网络填报受理截止时间：2019年11月20日17时。", "", []string{"-→2019-11-20 17:00"}},
		{"17:00时", "网上填报截止时间为2019年4月30日17:00时；", "", []string{"-→2019-04-30 17:00"}},
		{"下午5点", "请于2019年9月20日下午5点前报送申报材料。", "", []string{"-→2019-09-20 17:00"}},
		{"下午五时三十分", "请于2019年9月20日下午五时三十分前提交。", "", []string{"-→2019-09-20 17:30"}},
		{"24时", "申报截止时间延期至2020年3月31日(星期二)24:00。", "", []string{"-→2020-03-31 24:00"}},
		{"weekday skipped", "于11月29日(星期一)前，将材料统一报送至市民中心窗口。", "2021-11-09", []string{"-→2021-11-29"}},
		{"周三 with time", "请于2025年5月7日(周三)17:00前报送。", "", []string{"-→2025-05-07 17:00"}},
		{"含 aside", "请于2019年9月20日(含)前报送申报材料。", "", []string{"-→2019-09-20"}},
		{"no 前 but a hand-in verb", "推荐项目书面材料请于2011年8月22日报送至科技处。", "", []string{"-→2011-08-22"}},
		{"time without 截止", "各学院汇总提交审查表电子版及纸质盖章表时间为:2023年5月19日16:00。", "", []string{"-→2023-05-19 16:00"}},
		{"list of batches", "企业提交材料截止时间:第一批为5月22日、第二批为7月20日、第三批9月14日。", "2020-05-01", []string{"-→2020-05-22", "-→2020-07-20", "-→2020-09-14"}},
		{"不得晚于", "纸质材料报送时间不得晚于2019年9月30日。", "", []string{"-→2019-09-30"}},
		{"after another sentence", "项目执行期为2020年1月1日至2021年12月31日。申报截止日期：2019年10月15日（以邮戳为准）。", "", []string{"-→2019-10-15"}},
		{"register, then apply", "申报单位应于2019年9月20日前在系统中完成注册，9月30日前完成网上申报。", "", []string{"-→2019-09-20", "-→2019-09-30"}},
	})
}

func TestNotWindows(t *testing.T) {
	runCases(t, []extractCase{
		{"sentence is no heading", "一、请于9月20日前报送。\n项目完成时间为2020年6月30日。", "2019-08-27", []string{"-→2019-09-20"}},
		{"publication date", "发布时间：2019-08-27 10:12 来源：科技厅", "", nil},
		{"signature", "某某省科学技术厅\n2019年8月27日", "", nil},
		{"signature in numerals", "某某省科学技术厅\n二〇一九年八月二十七日", "", nil},
		{"publicity period", "公示期为10个工作日，自2023年11月10日至2023年11月23日。", "", nil},
		{"publicity start", "并予公示，公示期自11月5日起15个工作日。", "2010-11-05", nil},
		{"completion", "项目应于2019年12月底前竣工。", "", nil},
		{"implementation period", "项目实施期为2020年1月1日至2021年12月31日。", "", nil},
		{"target year", "到2025年，培育100家示范企业。", "", nil},
		{"statistics cut-off", "截至2018年12月31日，累计认定企业500家。", "", nil},
		{"validity", "资格有效期为2019年1月1日至2021年12月31日。", "", nil},
		{"meeting", "定于2019年9月10日召开申报工作培训会议。", "", nil},
		{"eligibility founded before", "申报企业须在2018年12月31日前注册成立。", "", nil},
		{"eligibility period", "支持2023年1月1日至2023年12月31日期间的标准化项目。", "", nil},
		{"events held in a period", "九月份受理2019年1月1日至8月31日期间举办的活动。", "", nil},
		{"patents filed in a period", "2022年1月1日至2023年12月31日期间申请的发明专利可以参与评选。", "", nil},
		{"already over", "其中，进口贴息事项已于2019年7月25日完成受理。", "", nil},
		{"issuer's own review", "市科技局网上审查截止时间为2019年5月17日17:00时。", "", nil},
		{"review has ended", "网上申报审核结束时间为:2023年5月21日。", "", nil},
		{"date in a URL", "详见 http://kjt.example.gov.cn/art/2021/5/7/art_1.html 申报通知", "", nil},
		{"issued", "（2019年8月1日印发）", "", nil},
		{"completion after an enumerated sentence", "二、纸质材料请于9月25日前报送省科技厅。\n项目应于2020年12月底前完成。", "2019-08-27", []string{"-→2019-09-25"}},
		{"weekday is no date", "星期五 周五", "", nil},
		{"phone numbers", "咨询电话：0371-67174525，申报热线 010-68205584", "", nil},
		{"issue number", "工业和信息化部公告2017年第34号", "", nil},
	})
}

func TestStages(t *testing.T) {
	runCases(t, []extractCase{
		{"enterprise, district, city", "企业网上申报截止时间为2022年8月5日24:00。区县在线提交截止时间为2022年8月7日17:00。书面推荐函报送截止时间为2022年8月9日17:00。",
			"", []string{"-→2022-08-05 24:00", "-→2022-08-07 17:00", "-→2022-08-09 17:00"}},
		{"lower body reviews", "申报填报时间截止到5月27日17:00，县区科技主管部门审核时间截止到5月28日15:00。", "2021-05-06",
			[]string{"-→2021-05-27 17:00", "-→2021-05-28 15:00"}},
		{"same dates, online and paper", "网络填报受理时间：2019年10月23日-11月4日17时\n纸质材料受理时间：2019年10月23日-11月4日17时", "",
			[]string{"2019-10-23→2019-11-04 17:00", "2019-10-23→2019-11-04 17:00"}},
		{"same deadline restated", "请于2022年6月8日前将相关申报推荐材料报市工信局。另请有关企业填报工作总结表，一并于2022年6月8日前报市工信局。", "",
			[]string{"-→2022-06-08"}},
		{"extension restates a range", "申报日期 : 2020-01-22/2020-03-31\n申报截止时间延期至2020年3月31日(星期二)24:00。", "",
			[]string{"2020-01-22→2020-03-31 24:00"}},
		{"act during the period", "申请人应在2024年10月8日至10月20日期间登录系统报名。", "", []string{"2024-10-08→2024-10-20"}},
		{"eligibility period, then the deadline", "2022年1月1日至2023年12月31日期间成立的企业，请于2024年3月1日前申报。", "",
			[]string{"-→2024-03-01"}},
		{"publicity notice with a filing deadline", "现予以公示，公示期为10个工作日，如有异议请反映。同时，请未备案的单位于2022年11月22日前，登录政务服务平台进行备案。", "",
			[]string{"-→2022-11-22"}},
	})
}

func TestMeta(t *testing.T) {
	text := "某某省科学技术厅关于组织申报2019年度重点研发计划的通知\n某科发〔2019〕45号\n各有关单位：\n请于9月20日前报送。\n某某省科学技术厅\n2019年8月27日"
	res := Extract(text, Options{})
	if res.Title != "某某省科学技术厅关于组织申报2019年度重点研发计划的通知" {
		t.Errorf("title %q", res.Title)
	}
	if res.DocNumber != "某科发〔2019〕45号" {
		t.Errorf("文号 %q", res.DocNumber)
	}
	if res.Published != "2019-08-27" || res.Issuer != "某某省科学技术厅" {
		t.Errorf("published %q issuer %q", res.Published, res.Issuer)
	}
	if got := wins(res); len(got) != 1 || got[0] != "-→2019-09-20" {
		t.Errorf("windows %v", got)
	}
	// The caller's date wins over the text's.
	if res := Extract(text, Options{Published: Date{2019, 8, 28}}); res.Published != "2019-08-28" {
		t.Errorf("published with option = %q", res.Published)
	}
	// A page date is used when there is no signature.
	if res := Extract("发布时间：2020-02-14\n请于3月1日前提交申报材料。", Options{}); res.Published != "2020-02-14" || wins(res)[0] != "-→2020-03-01" {
		t.Errorf("page date: %q %v", res.Published, wins(res))
	}
}

func TestEvidenceSpanInOriginal(t *testing.T) {
	text := "一、网上申報(bào)時間：２０１９年８月３０日至９月３０日；二、紙質材料"
	res := Extract(text, Options{})
	if len(res.Windows) != 1 {
		t.Fatalf("windows %+v", res.Windows)
	}
	w := res.Windows[0]
	if text[w.Start:w.End] != w.Evidence || !strings.Contains(w.Evidence, "２０１９年８月３０日至９月３０日") {
		t.Errorf("evidence %q at [%d,%d)", w.Evidence, w.Start, w.End)
	}
	if w.What != "网上申报" {
		t.Errorf("what %q", w.What)
	}
}

// TestWhat checks the stage names: filler around the date goes, words that
// end in a filler rune (申请) stay, and an actor (申请人) is not a stage.
func TestWhat(t *testing.T) {
	for _, tc := range []struct{ text, want string }{
		{"请申报单位在2024年6月30日之前通过系统提交申请。", "网上申报"}, // a clause naming a channel: its stage name
		{"项目申请请于2024年3月8日前提交。", "项目申请"},
		{"申报材料请于2024年3月8日前报送。", "申报材料"},
		{"申请人应在2024年10月8日至10月20日期间登录系统报名。", "报名"},
		{"申报系统将于2025年1月6日启动，请于1月20日前完成填报。", "申报系统"},
		{"申报时间：自通知发布之日起至2025年1月20日。", "申报"},
		{"| 申报时间 | 2024年3月1日-2024年3月31日 |", "申报"},
		{"申报起止时间\n2024年3月1日\n2024年3月31日", "申报"},
		{"请未备案的单位于2022年11月22日前登录平台进行备案。", "备案"},
		// A cited notice's title is not the stage; a form's title is what is sent.
		{"因系统升级，《关于组织申报2025年度工业互联网创新发展项目的通知》网上申报截止时间延长至2025年3月20日。", "网上申报"},
	} {
		res := Extract(tc.text, Options{})
		if len(res.Windows) != 1 || res.Windows[0].What != tc.want {
			t.Errorf("%s: windows %+v, want one named %q", tc.text, res.Windows, tc.want)
		}
	}
}

func TestNoPanicOnOddInput(t *testing.T) {
	inputs := []string{"", "年月日", "2019年", "2019年13月40日前报送", "9月", "至至至", "\xff\xfe\x00申报",
		"请于" + strings.Repeat("9", 10000) + "日前报送", strings.Repeat("2019年8月27日至", 500),
		strings.Repeat("(", 1000) + "申报", "于\n\n\n\n\n\n\n\n\n\n2019\n年", "二〇一九年十三月四十日", "24:61前", "廿卅十一月三十二日"}
	for i, in := range inputs {
		func() {
			defer func() {
				if r := recover(); r != nil {
					t.Errorf("input %d panicked: %v", i, r)
				}
			}()
			res := Extract(in, Options{})
			for _, w := range res.Windows {
				if w.Start > w.End || w.End > len(in) {
					t.Errorf("input %d: bad span %+v", i, w)
				}
			}
		}()
	}
}

func ExampleExtract() {
	res := Extract("网络申报受理时间：2019年8月30日至9月30日；纸质材料受理时间：9月26日至10月10日。", Options{})
	for _, w := range res.Windows {
		fmt.Println(w.What, w.Opens, w.Closes)
	}
	// Output:
	// 网络申报受理 2019-08-30 2019-09-30
	// 纸质材料受理 2019-09-26 2019-10-10
}

// TestSpacesKeptBetweenWords: only PDF-style spacing of every character is
// dropped; a breadcrumb's double space and a space between words stay, so
// the title is not glued to what precedes it.
func TestSpacesKeptBetweenWords(t *testing.T) {
	res := Extract("当前位置: 申报通知  市科技局关于组织申报2020年度科技计划项目的通知\n", Options{})
	if res.Title != "市科技局关于组织申报2020年度科技计划项目的通知" {
		t.Errorf("title %q", res.Title)
	}
}
