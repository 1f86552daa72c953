package extract

import (
	"sort"
	"strings"
)

// A cue is a word that says what a date is about.
type cueKind uint8

const (
	cuePos     cueKind = iota + 1 // applicants hand something in: 申报, 报送, 提交 …
	cueNeg                        // not an application: 公示, 竣工, 会议, 发布 …
	cueReview                     // someone reviews: a window only for a lower body (区县, 镇街)
	cuePostNeg                    // after a date only: 期间 (eligibility), 以来
)

type cueWord struct {
	w    string
	kind cueKind
}

// The vocabulary, simplified characters only (normalize folds traditional).
var cueWords = []cueWord{
	// Applicant actions.
	{"申报", cuePos}, {"受理", cuePos}, {"报送", cuePos}, {"提交", cuePos}, {"上报", cuePos},
	{"报名", cuePos}, {"填报", cuePos}, {"推荐", cuePos}, {"递交", cuePos}, {"报至", cuePos},
	{"送达", cuePos}, {"送至", cuePos}, {"送交", cuePos}, {"寄送", cuePos}, {"寄达", cuePos}, {"寄至", cuePos},
	{"交至", cuePos}, {"申请", cuePos}, {"备案", cuePos}, {"征集", cuePos}, {"汇总", cuePos},
	{"网上", cuePos}, {"网络", cuePos}, {"在线", cuePos}, {"纸质", cuePos}, {"书面材料", cuePos},
	{"材料", cuePos}, {"登录", cuePos}, {"登陆", cuePos}, {"报市", cuePos}, {"报省", cuePos},
	{"报区", cuePos}, {"报县", cuePos}, {"报我", cuePos}, {"报上级", cuePos}, {"报所在", cuePos},
	{"报主管", cuePos}, {"报各", cuePos}, {"申领", cuePos}, {"补录", cuePos}, {"报给", cuePos},
	{"申请书", cuePos}, {"报名表", cuePos}, {"投递", cuePos}, {"报备", cuePos}, {"提出申请", cuePos},
	// Registering in a system is something applicants do; "注册" alone is
	// an eligibility condition (2018年前注册的企业).
	// A deadline named as such; a cut-off of statistics or of a reckoning
	// is not one (统计截止日期, 计算截止日期 are read whole, as negatives).
	{"截止日期", cuePos}, {"截止时间", cuePos}, {"系统开放", cuePos}, {"上传", cuePos},
	// 入库储备时间截止2025年11月5日: a time that closes is a deadline, but
	// not a reckoning's (统计时间截止, read whole as a negative).
	{"时间截止", cuePos}, {"统计时间", cueNeg}, {"计算时间", cueNeg},
	// Reviewing and passing on is a lower body's stage (县区审核推荐); a
	// review done before the material is handed in describes it.
	{"审核推荐", cuePos}, {"审核提交", cuePos}, {"审核上报", cuePos}, {"审核报送", cuePos}, {"初审推荐", cuePos},
	{"统计截止", cueNeg}, {"计算截止", cueNeg}, {"数据截止", cueNeg},
	{"完成注册", cuePos}, {"进行注册", cuePos}, {"注册账号", cuePos}, {"账号注册", cuePos}, {"用户注册", cuePos},
	// Not applications.
	{"公示", cueNeg}, {"异议", cueNeg}, {"竣工", cueNeg}, {"完工", cueNeg}, {"建成", cueNeg},
	{"投产", cueNeg}, {"投入使用", cueNeg}, {"实施", cueNeg}, {"施行", cueNeg}, {"执行", cueNeg},
	{"建设期", cueNeg}, {"有效期", cueNeg}, {"期满", cueNeg}, {"成立", cueNeg}, {"注册", cueNeg},
	{"出生", cueNeg}, {"统计", cueNeg}, {"发布", cueNeg}, {"印发", cueNeg}, {"公布", cueNeg},
	{"制发", cueNeg}, {"成文", cueNeg}, {"会议", cueNeg}, {"培训", cueNeg}, {"召开", cueNeg},
	{"举办", cueNeg}, {"举行", cueNeg}, {"办公时间", cueNeg}, {"工作时间", cueNeg}, {"咨询时间", cueNeg},
	{"评审", cueNeg}, {"答辩", cueNeg}, {"考察", cueNeg}, {"验收", cueNeg}, {"结束", cueNeg},
	{"开工", cueNeg}, {"签订", cueNeg}, {"立项", cueNeg}, {"发生", cueNeg}, {"购置", cueNeg},
	{"授权", cueNeg}, {"报到", cueNeg}, {"面试", cueNeg}, {"考试", cueNeg}, {"笔试", cueNeg},
	{"放假", cueNeg}, {"生效", cueNeg}, {"数据", cueNeg}, {"累计", cueNeg}, {"营业收入", cueNeg},
	{"销售收入", cueNeg}, {"开班", cueNeg}, {"讲座", cueNeg}, {"直播", cueNeg}, {"来源", cueNeg},
	{"浏览", cueNeg}, {"阅读", cueNeg}, {"更新", cueNeg}, {"认定的", cueNeg}, {"获得", cueNeg},
	{"取得", cueNeg}, {"以前年度", cueNeg},
	// Sending back a contact person is no application; a forecast in the
	// news and a count of who has not yet applied are no deadlines.
	{"联系人", cueNeg}, {"预计", cueNeg}, {"尚有", cueNeg}, {"尚未", cueNeg},
	// When a project must be finished is no application date.
	{"完成时间", cueNeg}, {"完成日期", cueNeg}, {"完成期限", cueNeg}, {"领取", cueNeg},
	// Reviews.
	{"审核", cueReview}, {"审查", cueReview}, {"初审", cueReview}, {"复审", cueReview}, {"核查", cueReview},
	// Eligibility periods after a date.
	{"期间", cuePostNeg}, {"以来", cuePostNeg}, {"之间", cuePostNeg},
}

// cueGroup maps the first rune of cue words to 1 + the index of their
// group in cueGroups (0: no cue starts with it), so the scan skips every
// other rune with one table read and no map.
var cueGroup, cueGroups = buildCueIndex()

func buildCueIndex() (*[0x10000]uint8, [][]cueWord) {
	var first [0x10000]uint8
	var groups [][]cueWord
	for _, c := range cueWords {
		r := []rune(c.w)[0]
		if first[r] == 0 {
			groups = append(groups, nil)
			first[r] = uint8(len(groups))
		}
		g := int(first[r]) - 1
		groups[g] = append(groups[g], c)
	}
	// Longer words first, so 书面材料 is read before 书面.
	for _, l := range groups {
		sort.SliceStable(l, func(i, j int) bool { return len(l[i].w) > len(l[j].w) })
	}
	return &first, groups
}

type cueHit struct {
	start, end int
	kind       cueKind
	w          string
}

// cuesIn appends the cue words in s[from:to], in order, not overlapping, to
// dst. Callers pass a small array's slice so that classify, which runs for
// every date in a notice, does not allocate.
func cuesIn(dst []cueHit, s string, from, to int) []cueHit {
	for i := from; i < to; {
		h, next, ok := nextCue(s, i, to)
		if !ok {
			break
		}
		dst = append(dst, h)
		i = next
	}
	return dst
}

// eachCue calls f for each cue word in s[from:to] until f returns false.
func eachCue(s string, from, to int, f func(cueHit) bool) {
	for i := from; i < to; {
		h, next, ok := nextCue(s, i, to)
		if !ok || !f(h) {
			return
		}
		i = next
	}
}

// nextCue finds the first cue word in s[i:to] and where to look next.
// Every cue word is Chinese, so only three-byte runes are looked at.
func nextCue(s string, i, to int) (cueHit, int, bool) {
	groups := cueGroup
	for i < to {
		c := s[i]
		if c < 0xE0 || c >= 0xF0 || i+2 >= to {
			i++
			continue
		}
		r := rune(c&0x0F)<<12 | rune(s[i+1]&0x3F)<<6 | rune(s[i+2]&0x3F)
		if g := groups[r]; g != 0 {
			for _, cw := range cueGroups[g-1] {
				if i+len(cw.w) <= to && s[i:i+len(cw.w)] == cw.w {
					return cueHit{i, i + len(cw.w), cw.kind, cw.w}, i + len(cw.w), true
				}
			}
		}
		i += 3
	}
	return cueHit{}, to, false
}

// reviewAndPass are the review cues that pass the material on: a stage of
// whoever reviews, unless that is the issuing office itself.
var reviewAndPass = []string{"审核推荐", "审核提交", "审核上报", "审核报送", "初审推荐"}

// describes reports a review or negative word used as a modifier of what
// follows (评审后的申报材料, 审核通过的项目): it says nothing of the date.
func describes(s string, h cueHit) bool {
	for _, w := range []string{"后的", "通过的", "合格的", "过的"} {
		if hasAt(s, h.end, w) {
			return true
		}
	}
	// A step's name before a form's (评审申报表, 验收材料): a document to
	// hand in, named after the step it serves (领取材料 is an action).
	if h.kind == cueReview || h.w == "评审" || h.w == "验收" || h.w == "答辩" {
		for _, w := range []string{"申报表", "申请表", "材料", "表"} {
			if hasAt(s, h.end, w) {
				return true
			}
		}
	}
	return false
}

// describesBefore is describes for a word before the date, which may also
// qualify a noun (2020年4月底前完工项目最迟于……前提交: 完工 says which
// projects, not what the date is).
func describesBefore(s string, h cueHit) bool {
	if describes(s, h) {
		return true
	}
	for _, w := range []string{"的", "项目", "企业", "单位"} {
		if hasAt(s, h.end, w) {
			return true
		}
	}
	return false
}

// reviewActor classifies who reviews in "县区科技主管部门审核": true when the
// reviewer is a lower body that forwards applications (a stage with its own
// deadline), false when it is the issuer itself (市科技局, 我局, 省厅) or
// nobody is named.
func reviewByLowerBody(actor string) bool {
	for _, w := range []string{"县", "区", "镇", "街", "园区", "学院", "院系", "各", "市州", "地市", "单位", "地方", "学校", "高校"} {
		if strings.Contains(actor, w) {
			return true
		}
	}
	return false
}
