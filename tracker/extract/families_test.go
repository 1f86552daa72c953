package extract

import (
	"strings"
	"testing"
)

// Families of wording that real notices use and the extractor once missed
// (issue 12). Each sentence is written here, in the style of the family,
// not copied from a labelled notice.

// A date whose 月 (or 年 and 月) was lost when the page was converted:
// read when only one reading makes a date and a deadline word follows.
func TestLostMonthCharacter(t *testing.T) {
	runCases(t, []extractCase{
		{"two digits", "关于申报的通知\n请于58日前将申报材料报送市科技局。\n", "2021-04-20", []string{"-→2021-05-08"}},
		{"three digits", "关于申报的通知\n各单位务必于615日前报送推荐材料。\n", "2021-05-20", []string{"-→2021-06-15"}},
		{"four digits", "关于申报的通知\n请于1020日下午5点前提交申请书。\n", "2021-09-20", []string{"-→2021-10-20 17:00"}},
		{"a morning", "关于申报的通知\n请于73日上午将申报书报送科研处。\n", "2021-06-28", []string{"-→2021-07-03"}},
		{"year kept", "关于申报的通知\n请将纸质材料于2019617日前报送。\n", "", []string{"-→2019-06-17"}},
		{"no 日 at all", "关于申报的通知\n请于2020925之前将材料报送至区科技局。\n", "", []string{"-→2020-09-25"}},
		{"ambiguous 111", "关于申报的通知\n请于111日前报送申报材料。\n", "2021-01-05", nil},
		{"a count of days", "关于申报的通知\n申报材料须在45日内报送。\n", "2021-01-05", nil},
		{"a 文号 without its 〕", "关于申报的通知\n根据《通知》(粤科函〔20181111号)要求报送材料。\n", "2018-10-01", nil},
	})
}

// With no publication date, a date without its year takes the year of the
// notice's own windows, not of an eligibility cut-off or a cited 文号.
func TestYearFromTheWindows(t *testing.T) {
	runCases(t, []extractCase{
		{"window years win over a cut-off", "关于申报2020年度项目的通知\n" +
			"申报企业须于2016年12月31日前注册成立。\n网上填报时间为2019年4月10日至4月30日。\n请各镇街于5月10日前报送汇总表。\n",
			"", []string{"2019-04-10→2019-04-30", "-→2019-05-10"}},
		{"December then January", "关于申报的通知\n网上申报时间为2020年12月1日至12月20日。\n纸质材料请于1月8日前报送。\n",
			"", []string{"2020-12-01→2020-12-20", "-→2021-01-08"}},
		{"no full date: the 文号's year", "关于申报的通知\n粤科函〔2018〕41号\n请于12月10日前提交提名书。\n",
			"", []string{"-→2018-12-10"}},
	})
}

// A repost's page date (发布时间: years later) dates the notice but does
// not make its windows history; a 落款 or a given publication date does.
func TestRepostPageDate(t *testing.T) {
	runCases(t, []extractCase{
		{"page date of a repost", "关于申报的通知\n发布时间:2017-11-17\n请于2017年3月20日前报送申报材料。\n", "", []string{"-→2017-03-20"}},
		{"given publication", "关于申报的通知\n请于2017年3月20日前报送申报材料。\n", "2017-11-17", nil},
	})
}

// Ranges: a doubled dash, 止 and 结束 closing a range, a deadline named as
// such, and a cut-off that is a reckoning, not a deadline.
func TestRangeAndDeadlineWords(t *testing.T) {
	runCases(t, []extractCase{
		{"doubled dash", "关于申报的通知\n网上推荐时间自2012年7月1日——8月25日止。\n", "2012-06-20", []string{"2012-07-01→2012-08-25"}},
		{"起至 … 结束", "关于申报的通知\n申报工作从2016年10月17日起至10月21日结束。\n", "2016-10-10", []string{"2016-10-17→2016-10-21"}},
		{"截止日期 alone", "关于申报的通知\n四、截止日期与联系方式\n(一)截止日期:2016年5月11日\n", "2016-04-22", []string{"-→2016-05-11"}},
		{"系统开放时间", "关于申报的通知\n系统开放时间:2022年3月5日至5月10日。\n", "2022-03-01", []string{"2022-03-05→2022-05-10"}},
		{"a reckoning's cut-off", "关于申报的通知\n上云时间的计算截止日期为2021年8月31日。\n", "2021-09-01", nil},
		{"a list stated twice", "关于申报的通知\n企业提交材料截止时间:第一批为5月22日、第二批为7月20日。\n" +
			"具体如下,第一批截止时间为5月22日,第二批截止时间为7月20日。\n", "2020-04-20", []string{"-→2020-05-22", "-→2020-07-20"}},
	})
}

// Precision: what looks like a deadline and is not one.
func TestNotDeadlines(t *testing.T) {
	runCases(t, []extractCase{
		{"a contact person sent back", "关于申报的通知\n为做好专精特新企业申报工作,请各区于3月26日前将负责此项工作的联系人及联系电话反馈我局。\n请于5月7日前报送推荐材料。\n",
			"2021-03-20", []string{"-→2021-05-07"}},
		{"a forecast in the news", "县农业局开展水稻项目申报\n预计5月底前完成申报工作。\n", "2015-05-21", nil},
		{"who has not applied yet", "关于年报的通知\n截至7月31日尚有部分企业未完成报送工作。\n", "2015-08-02", nil},
		{"a signature run into the text", "关于申报的通知\n请于2021年5月14日前报送推荐文件。工业和信息化部办公厅2021年4月19日 附件:推荐汇总表\n", "", []string{"-→2021-05-14"}},
		{"a page's time field", "关于申报的通知时间:2022-04-20 各区工信局:请于7月1日前报送。\n", "2022-04-20", []string{"-→2022-07-01"}},
	})
}

// A deadline that the notice moves (延期) is replaced: the new one is the
// window, the old one a distractor; another stage's deadline stays.
func TestReplacedDeadlines(t *testing.T) {
	runCases(t, []extractCase{
		{"moved once", "关于延长申报时间的通知\n原申报截止日期为9月10日。\n因系统故障,企业申报时限延至9月20日,市县初审时限延至9月30日。\n",
			"2024-09-09", []string{"-→2024-09-20", "-→2024-09-30"}},
		{"顺延 as a range", "关于延期的通知\n原定截止4月2日申报期止。\n现将申报时间顺延5个工作日(4月7日-4月13日)。\n",
			"2022-04-07", []string{"2022-04-07→2022-04-13"}},
		{"a later stage is not replaced", "关于延期的通知\n网上申报截止时间延长至5月20日。\n纸质材料请于5月30日前报送。\n",
			"2022-05-01", []string{"-→2022-05-20", "-→2022-05-30"}},
	})
}

// A schedule written one date per line with the task on the next line: a
// task applicants do is a window (a bare date: that day); revising a
// draft or an office's own step is not.
func TestScheduleRows(t *testing.T) {
	runCases(t, []extractCase{
		{"date line, task line", "关于申报国家自然科学基金的时间安排\n各学院:\n具体安排如下:\n" +
			"2018年1月1-14日\n\n申请人修改、完善《申请书》\n\n" +
			"2018年1月15日\n\n以学院为单位向科技处提交纸质申请书一式5份\n\n" +
			"2018年1月16-20日\n\n科技处组织专家评审\n\n" +
			"2018年3月8日-9日\n\n申请人向科技处提交《申请书》一份进行形式审查\n",
			"2018-01-10", []string{"2018-01-15→2018-01-15", "2018-03-08→2018-03-09"}},
		{"a title after a page date is no task", "2021-05-06\n关于组织申报2021年度项目的通知\n各单位:请于5月20日前报送。\n",
			"", []string{"-→2021-05-20"}},
	})
}

// One day with hours written once (上午9-12时): opens and closes that day.
func TestDayWithHours(t *testing.T) {
	runCases(t, []extractCase{
		{"morning", "关于申报的通知\n各部门请于2月22日上午9-12时,将项目申请书一式3份报送社科处。\n", "2017-02-10", []string{"2017-02-22→2017-02-22 12:00"}},
		{"afternoon", "关于申报的通知\n请于5月12日下午2-5点将纸质材料送至科研处。\n", "2021-05-01", []string{"2021-05-12→2021-05-12 17:00"}},
	})
}

// One date, two addressees: two stages; the same stage stated twice: one.
func TestTwoAddresseesOneDate(t *testing.T) {
	runCases(t, []extractCase{
		{"association and unit", "关于申报的通知\n有关行业协会于2021年6月15日前将推荐材料报送我部。\n部直属单位于2021年6月15日前直接向我部提交申请材料。\n",
			"2021-05-07", []string{"-→2021-06-15", "-→2021-06-15"}},
		{"stated twice", "关于申报的通知\n请于2021年6月15日前报送申报材料。\n五、申报单位请于2021年6月15日前报送申报材料,逾期不予受理。\n",
			"2021-05-07", []string{"-→2021-06-15"}},
	})
}

// Another form of the material handed in by the same date, in a clause
// with no date of its own (同时将电子版发送至, 电子版同步发送): part of the
// same window, as ../shared/corpus labels it (SCHEMA.md's "separate
// entries" is read there as stages each stated with their date).
func TestSameDateCopyIsOneWindow(t *testing.T) {
	runCases(t, []extractCase{
		{"paper, then e-mail", "关于申报的通知\n请于5月19日16点前将纸质版申请书报送社科处,同时将电子版材料发送至社科处邮箱。\n",
			"2021-05-01", []string{"-→2021-05-19 16:00"}},
		{"each with its date", "关于申报的通知\n网上申报截止时间为2021年5月19日。纸质材料请于2021年5月19日前报送。\n",
			"2021-05-01", []string{"-→2021-05-19", "-→2021-05-19"}},
	})
}

// Dates counted from the publication, times read in words, a range whose
// action follows in the next clause, a deadline replaced in its own
// sentence.
func TestRelativeAndReplacedInPlace(t *testing.T) {
	runCases(t, []extractCase{
		{"本月", "关于申报的通知\n请于本月25日前报送申报材料。\n", "2023-03-05", []string{"-→2023-03-25"}},
		{"下月 across a year", "关于申报的通知\n请于下月10日前报送申报材料。\n", "2023-12-05", []string{"-→2024-01-10"}},
		{"本月 with no publication date", "关于申报的通知\n请于本月25日前报送申报材料。\n", "", nil},
		{"no date at all", "关于申报的通知\n请于通知下达后一个月内报送申报材料。\n", "2023-03-05", nil},
		{"晚12时", "关于申报的通知\n请于3月9日晚12时前提交申报材料。\n", "2023-02-20", []string{"-→2023-03-09 24:00"}},
		{"期间, then the action", "关于申报的通知\n2023年3月1日至3月10日期间,申报单位登录系统在线申报。\n", "2023-02-20", []string{"2023-03-01→2023-03-10"}},
		{"期间 of eligibility", "关于申报的通知\n2020年1月1日至2022年12月31日期间,获得授权的发明专利可申请资助。\n", "2023-02-20", nil},
		{"原定 … 现调整为", "关于申报的通知\n原定3月10日的截止时间现调整为3月20日,请各单位按时报送。\n", "2023-03-05", []string{"-→2023-03-20"}},
		{"由 … 延长至", "关于申报的通知\n申报截止时间由3月10日延长至3月20日。\n", "2023-03-05", []string{"-→2023-03-20"}},
	})
}

// Reviewing and passing on is the stage of whoever reviews (a lower body,
// a school, an expert committee), not of the issuing office; a review
// that describes the material is no cue; uploading is handing in.
func TestReviewAndPassOn(t *testing.T) {
	runCases(t, []extractCase{
		{"地方审核推荐", "关于申报的通知\n地方审核推荐提交 截止时间:2017 年 11 月 7 日 17:00\n", "2017-09-15", []string{"-→2017-11-07 17:00"}},
		{"在线审核提交", "关于申报的通知\n在线审核提交工作应于11月6日(星期一)前完成。\n", "2023-09-10", []string{"-→2023-11-06"}},
		{"an expert committee", "关于申报的通知\n学术专家委员会网上审核推荐截止时间为2023年5月17日17:00。\n", "2023-04-10", []string{"-→2023-05-17 17:00"}},
		{"the issuer's own", "关于申报的通知\n市科技局审核提交时间:11月28日至11月30日。\n", "2021-11-09", nil},
		{"评审后的 material", "关于申报的通知\n各镇街于3月28日前将评审后的申报材料上报市农业农村局。\n", "2022-03-21", []string{"-→2022-03-28"}},
		{"审核通过的 as a condition", "关于申报的通知\n金额以2018年3月31日前审核通过的执行金额为准。\n", "2018-01-08", nil},
		{"上传", "关于申报的通知\n所有项目5月26日12点前上传完毕。\n", "2021-05-10", []string{"-→2021-05-26 12:00"}},
	})
}

// A negative word that only qualifies a noun (完工项目, 评审申报表) says
// nothing about the date next to it.
func TestQualifyingWords(t *testing.T) {
	runCases(t, []extractCase{
		{"完工项目 before the date", "关于申报的通知\n2020年4月底前完工项目最迟于2021年5月12日前将完整评价资料提交至区工科局。\n", "2021-05-06", []string{"-→2021-05-12"}},
		{"评审申报表 after the date", "关于申报的通知\n报送时间:2017年9月6日前以部门为单位统一将《成果评审申报表》报送科研处。\n", "2017-08-20", []string{"-→2017-09-06"}},
		{"a completion date stays out", "关于申报的通知\n项目应于2021年12月31日前完工。\n", "2021-05-06", nil},
	})
}

// The day a news report speaks of is no window; a project's completion
// date stays out even when the projects are called 申报项目.
func TestNewsDaysAndCompletion(t *testing.T) {
	runCases(t, []extractCase{
		{"上周五(…)", "中关村开展政策支持资金申报\n上周五(5月15日),管委会发布了申报指南,企业申报时间为2020年5月18日-6月17日。\n",
			"2020-05-19", []string{"2020-05-18→2020-06-17"}},
		{"今日(…)起", "中关村开展政策支持资金申报\n管委会于今日(5月18日)起开展申报工作,线上申报时间为2020年5月18日-6月17日。\n",
			"2020-05-18", []string{"2020-05-18→2020-06-17"}},
		{"申报项目 … 完成", "关于申报的通知\n申报截止日期为2017年10月23日。所有申报项目应于2017年12月20日前完成。\n", "2017-09-26", []string{"-→2017-10-23"}},
		{"申报企业 … 报送", "关于申报的通知\n申报企业应于2017年10月23日前报送材料。\n", "2017-09-26", []string{"-→2017-10-23"}},
	})
}

// A note that the system closes repeats the deadline (one window, its time
// added); a project's completion time is no window.
func TestSystemClosingAndCompletion(t *testing.T) {
	runCases(t, []extractCase{
		{"系统关闭", "关于申报的通知\n网上申报截止时间为3月20日。3月20日17:00后系统关闭,逾期不予受理。\n", "2023-03-05", []string{"-→2023-03-20 17:00"}},
		{"完成时间", "关于申报的通知\n项目完成时间为2024年12月31日前,请于3月20日前申报。\n", "2023-03-05", []string{"-→2023-03-20"}},
	})
}

// A table whose cells come one to a line: a window per row and per column
// that names a hand-in; a column of the office's own review is left out.
func TestFlattenedTable(t *testing.T) {
	text := "关于分批申报的通知\n各有关单位:\n申报按批次进行,安排如下:\n\n批次\n\n网上申报截止\n\n纸质材料报送\n\n专家评审\n\n" +
		"第一批\n\n4月10日\n\n4月15日\n\n4月25日\n\n第二批\n\n6月10日\n\n6月15日\n\n6月25日\n\n某某市科学技术局\n2023年3月20日\n"
	res := Extract(text, Options{})
	got := wins(res)
	want := []string{"-→2023-04-10", "-→2023-04-15", "-→2023-06-10", "-→2023-06-15"}
	if len(got) != len(want) {
		t.Fatalf("windows %v, want %v", got, want)
	}
	for i := range want {
		if got[i] != want[i] {
			t.Errorf("windows %v, want %v", got, want)
			break
		}
	}
	for _, w := range res.Windows {
		if !strings.HasPrefix(w.What, "第") {
			t.Errorf("stage %q does not name its batch", w.What)
		}
	}
}

// Dates that lost both 月 and 日 (1023前), or were written as YYYYMMDD
// after a deadline's label; and the issuing office's own step (我委可于…).
func TestCompactDatesAndOwnStep(t *testing.T) {
	runCases(t, []extractCase{
		{"1023前", "关于申报的通知\n申请人需在1023前将项目申请书上传至系统。\n", "2018-10-08", []string{"-→2018-10-23"}},
		{"YYYYMMDD", "关于申报的通知\n材料提交截止时间:20181011\n", "2018-10-08", []string{"-→2018-10-11"}},
		{"a phone number is no date", "关于申报的通知\n请于10月20日前报送,联系电话:84561023。\n", "2018-10-08", []string{"-→2018-10-20"}},
		{"我委可于", "关于申报的通知\n请各市于4月5日前报送推荐材料,我委可于4月11日前向工信部推荐不超过3个项目。\n", "2016-03-30", []string{"-→2016-04-05"}},
	})
}

// An opening stated on its own and the range that starts that day are one
// window.
func TestOpeningRepeatedByItsRange(t *testing.T) {
	runCases(t, []extractCase{
		{"opening, then the range", "关于申报的通知\n2006年度项目申报工作将于2006年5月20日开始。\n我省项目申报时间为2006年5月20日——6月19日。\n",
			"2006-05-16", []string{"2006-05-20→2006-06-19"}},
		{"another stage's opening stays", "关于申报的通知\n网上申报系统将于2023年3月1日开放。纸质材料请于2023年3月20日前报送。\n",
			"2023-02-20", []string{"2023-03-01→-", "-→2023-03-20"}},
	})
}

// The issuing office's own step, whether the notice names its issuer or
// only where applications go; a PDF's spaced day; collecting material.
func TestOwnStepsAndSpacedDays(t *testing.T) {
	runCases(t, []extractCase{
		{"named issuer", "关于组织申报的通知\n请各单位于5月10日前将申报材料报送我局。\n苏州市科学技术局于5月20日前集中受理各区科技局报送的材料。\n苏州市科学技术局\n2021年4月20日\n",
			"", []string{"-→2021-05-10"}},
		{"where applications go", "关于申报的通知\n请于2014年10月22日下午6时前将申报材料报送到市科技局有关科室。\n2.市科技局各业务科于10月23日下午6时前将初审后的材料汇总至发展计划科。\n",
			"2014-10-10", []string{"-→2014-10-22 18:00"}},
		{"spaced digits", "关于申报的通知\n申报单位在线提交申请材料截止至5月1 2 日18:00。\n", "2025-04-15", []string{"-→2025-05-12 18:00"}},
		{"collecting material", "关于申报的通知\n请于1月20日前报送申请书。1月26日各学院到科技处领取材料。\n", "2010-01-10", []string{"-→2010-01-20"}},
	})
}

// With no publication date and no full date, the year comes from the
// title (关于开展2020年市级……) before a cited 文号's, or from any year
// written; a programme year (2023年度) is not taken from the title.
func TestYearFromTitleOrText(t *testing.T) {
	runCases(t, []extractCase{
		{"title year over a cited 文号", "关于组织开展2020年市级工业设计中心认定工作的通知\n根据《办法》(皖经信产业〔2018〕19号),请各单位于7月16日前将申报材料报送。\n",
			"", []string{"-→2020-07-16"}},
		{"any year written", "关于组织申报的通知\n为做好2013年专项工作,请于3月6日前将申报材料报送。\n", "", []string{"-→2013-03-06"}},
		{"no year at all", "关于组织申报的通知\n请于3月6日前将申报材料报送。\n", "", nil},
	})
}

// Round 6 (the third fresh batch studied): a publication phrase without
// its 自, pinyin glosses without tone marks, a month over the next
// heading, small-form 文号 brackets, the day an application field names
// (a deadline, as ../shared/corpus reads a hand-in on a day without 前), a
// review that names a stage, and the receiving office's review after a
// date that heads its clause.
func TestRoundSixFamilies(t *testing.T) {
	runCases(t, []extractCase{
		{"发布之日起至 without 自", "关于申报的通知\n三、受理时间:本通知发布之日起至2020年9月30日。\n", "2020-09-17", []string{"2020-09-17→2020-09-30"}},
		{"印发之日起至 after 为", "关于申报的通知\n申报时间为本公告印发之日起至2020年9月30日。\n", "2020-09-17", []string{"2020-09-17→2020-09-30"}},
		{"toneless gloss", "关于申报的通知\n请各县市区分两批次分别于2021年(nian)11月15日、2022年(nian)2月10日前报送。\n", "",
			[]string{"-→2021-11-15", "-→2022-02-10"}},
		{"an aside is no gloss", "关于申报的通知\n请将电子版(pdf)于2021年11月15日前报送。\n", "2021-11-01", []string{"-→2021-11-15"}},
		{"a month over the next heading", "关于申报的通知\n二、研究期限\n起止时间:2023年7月-2023年12月\n三、受理时间\n项目申报截止时间为2023年7月20日。\n",
			"2023-07-11", []string{"-→2023-07-20"}},
		{"small-form 文号 brackets", "关于申报的通知\n各乡镇于11月28日前将申报材料报送县农业农村局。\n根据凉农函﹝2022﹞234号文件要求。\n", "",
			[]string{"-→2022-11-28"}},
		{"the day an application field names", "关于申报的通知\n(二)申报时间:2014年1月3日,过期不予受理。\n", "2013-12-17", []string{"-→2014-01-03"}},
		{"a hand-in field's day", "关于申报的通知\n纸质材料一式两套,提交时间为5月9日。\n", "2014-03-20", []string{"-→2014-05-09"}},
		{"a page's date field stays out", "关于申报的通知\n发布时间:2014年1月3日\n请于2014年1月20日前报送。\n", "", []string{"-→2014-01-20"}},
		{"a closing in the field", "关于申报的通知\n项目截止申报时间为2014年1月3日。\n", "2013-12-17", []string{"-→2014-01-03"}},
		{"a review names the stage", "关于申报的通知\n2.校内评审:2022年6月1日前提交一份纸质版申报书,由各学院统一报送。\n", "2022-04-29", []string{"-→2022-06-01"}},
		{"a review's own date", "关于申报的通知\n2.校内评审:2022年6月1日前完成。\n", "2022-04-29", nil},
		{"the receiver reviews", "关于申报的通知\n请于3月1日前将申请书提交科技处(社科处);3月16日-3月18日,科技处(社科处)在线审核申报材料。\n",
			"2022-01-31", []string{"-→2022-03-01"}},
		{"a hand-in before the receiver's review", "关于申报的通知\n请于3月1日前将申请书提交科技处,科技处组织专家评审。\n", "2022-01-31", []string{"-→2022-03-01"}},
	})
}

// Round 7 (the fourth fresh batch studied): a time that closes, named so
// (入库储备时间截止……), is a deadline; a reckoning's is not.
func TestTimeThatCloses(t *testing.T) {
	runCases(t, []extractCase{
		{"时间截止", "关于征集项目的通知\n市级科普专项项目实行常态化入库储备,本次集中入库储备时间截止2025年11月5日。\n", "2025-10-20", []string{"-→2025-11-05"}},
		{"a reckoning's 统计时间截止", "关于征集项目的通知\n企业营业收入统计时间截止2025年6月30日。\n", "2025-06-20", nil},
	})
}
