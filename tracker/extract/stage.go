package extract

import "strings"

// Stage names. A window's `what` is read in every reminder subject,
// calendar event and timeline row, so it is a short name a reader expects
// (网上申报, 纸质材料报送, 推荐材料报送 …), not the clause the date stood in
// ("登录某某省科技管理信息系统", "建议书电子版发送至电子邮箱kjc@…").
//
// The name is taken from the text when the clause names the stage in a
// short phrase of its own; otherwise the clause's words are mapped to one
// of a small set of names. A 第X批 batch stays in front.

// maxStage is the longest name kept from the text as it is, in runes.
const maxStage = 10

// stagePhrases are phrases that name a stage, most specific first, and the
// name each gives. A phrase found in the clause wins over the words below.
var stagePhrases = []struct{ phrase, name string }{
	{"网上预申报", "网上预申报"}, {"预申报", "预申报"}, {"正式申报", "正式申报"},
	{"网上申报", "网上申报"}, {"网络申报", "网络申报"}, {"在线申报", "在线申报"}, {"线上申报", "线上申报"},
	{"网上填报", "网上填报"}, {"网络填报", "网络填报"}, {"在线填报", "在线填报"},
	{"网上报名", "网上报名"}, {"网络报名", "网络报名"}, {"在线报名", "在线报名"},
	{"网上推荐", "网上推荐"}, {"网络推荐", "网络推荐"}, {"在线推荐", "在线推荐"},
	{"网上审核", "网上审核"}, {"网上初审", "网上初审"},
	{"集中受理", "集中受理"}, {"集中申报", "集中申报"},
	{"纸质材料", "纸质材料报送"}, {"书面材料", "书面材料报送"}, {"纸质版", "纸质材料报送"}, {"纸质申报", "纸质材料报送"},
	{"纸质", "纸质材料报送"}, {"电子版", "电子版报送"}, {"电子文档", "电子版报送"},
	{"推荐材料", "推荐材料报送"}, {"推荐文件", "推荐材料报送"}, {"推荐名单", "推荐名单报送"}, {"推荐表", "推荐材料报送"},
	{"邮箱", "电子版报送"}, {"电子邮件", "电子版报送"}, {"邮件", "电子版报送"},
}

// stageWords map the clause's words to a name when no phrase names it.
var stageWords = []struct {
	words []string
	name  string
}{
	{[]string{"报名"}, "报名"},
	{[]string{"备案"}, "备案"},
	{[]string{"网上", "网络", "在线", "线上", "系统", "平台", "登录", "登陆"}, "网上申报"},
	{[]string{"初审", "审核", "审查"}, "审核推荐"},
	{[]string{"推荐"}, "推荐材料报送"},
	{[]string{"提名"}, "提名"},
	{[]string{"申报", "申请", "填报"}, "项目申报"},
	{[]string{"注册"}, "注册"},
	{[]string{"征集"}, "项目征集"},
	{[]string{"受理"}, "申报受理"},
	{[]string{"报送", "提交", "上报", "递交", "寄送", "报至", "送至", "交至", "送达", "汇总", "材料", "报"}, "材料报送"},
}

// stageEntries are the phrases, then the words, in priority order; the
// first-rune table lets one pass over a clause find them all.
type stageEntry struct{ w, name string }

var stageEntries, stageFirst, stageEntryGroups = func() ([]stageEntry, *[0x10000]uint8, [][]uint8) {
	var es []stageEntry
	for _, p := range stagePhrases {
		es = append(es, stageEntry{p.phrase, p.name})
	}
	for _, g := range stageWords {
		for _, w := range g.words {
			es = append(es, stageEntry{w, g.name})
		}
	}
	// As for cue words: a 64 KiB table from a first rune to 1 + its group.
	first := new([0x10000]uint8)
	var groups [][]uint8
	for k, e := range es {
		r, _ := decodeRune(e.w)
		if first[r] == 0 {
			groups = append(groups, nil)
			first[r] = uint8(len(groups))
		}
		groups[first[r]-1] = append(groups[first[r]-1], uint8(k))
	}
	return es, first, groups
}()

// bestStageEntry finds, in one pass, the highest-priority entry that t
// holds, or -1.
func bestStageEntry(t string) int {
	best := -1
	for i := 0; i+2 < len(t); {
		c := t[i]
		if c < 0xE0 || c >= 0xF0 {
			i++
			continue
		}
		r := rune(c&0x0F)<<12 | rune(t[i+1]&0x3F)<<6 | rune(t[i+2]&0x3F)
		g := stageFirst[r]
		if g == 0 {
			i += 3
			continue
		}
		for _, k := range stageEntryGroups[g-1] {
			if (best < 0 || int(k) < best) && strings.HasPrefix(t[i:], stageEntries[k].w) {
				best = int(k)
			}
		}
		i += 3
	}
	return best
}

// stageName turns the clause a date's label was read from into a stage
// name.
func stageName(raw string) string {
	batch := lastBatch(raw)
	t := trimSpace(raw)
	if batch != "" {
		t = trimSpace(strings.Replace(t, batch, "", 1))
	}
	// A column header or a label names the time, not the stage:
	// 网上截止时间 → 网上.
	for _, x := range []string{"截止时间", "截止日期", "时间", "日期", "截止"} {
		if strings.HasSuffix(t, x) && len(t) > len(x) {
			t = strings.TrimSuffix(t, x)
			break
		}
	}
	name := ""
	if len(t) <= 3*maxStage && keepAsIs(t) {
		name = t
	} else if k := bestStageEntry(t); k >= 0 {
		name = stageEntries[k].name
	}
	if name == "" {
		name = "申报"
	}
	if batch != "" {
		return batch + " " + name
	}
	return name
}

// notStageWords are words that no stage name holds (keepAsIs).
var notStageWords = newWordList("我", "本次", "这", "不予", "逾期", "必", "包括", "一式", "地址", "时间", "须", "应", "渠道", "报市", "报省", "报区", "报县")

// The words keepAsIs refuses a clause for starting or ending with,
// indexed by their first or last rune, so that a clause is held against
// the few that could match, not all of them.
var (
	notStageStarts = indexWords([]string{"于", "并", "並", "将", "按", "为", "至", "由", "在", "请", "时间", "向", "对", "经", "凡", "如", "各", "以", "从", "自", "本", "该", "此", "直接", "进行", "完成", "登录", "登陆"}, false)
	notStageEnds   = indexWords([]string{"的", "将", "于", "后", "前", "和", "及", "或", "与", "并", "等", "在", "至", "向", "由"}, true)
	whoEnds        = indexWords([]string{"者", "单位", "主体", "人", "委", "局", "厅", "处", "科", "办", "部", "联", "院", "校"}, true)
	sendWords      = newWordList("报送", "上报", "提交", "送至", "交至", "报至", "发送", "寄")
)

// keepAsIs: a clause that is itself a short stage name (纸质材料受理,
// 企业网上申报, 首次受理): a few Chinese characters, one of them an
// applicant's action, nothing that dangles.
func keepAsIs(t string) bool {
	if !moreRunes(t, 1) || moreRunes(t, maxStage) {
		return false
	}
	for i := 0; i < len(t); {
		// decodeRune, not range: range decodes each rune through a call.
		r, w := decodeRune(t[i:])
		if r < 0x3400 || r > 0x9FFF { // CJK ideographs (and extension A)
			return false
		}
		i += w
	}
	// t is Chinese characters only: a word can start or end it only when
	// it starts or ends with t's first or last rune.
	first, _ := decodeRune(t)
	for _, p := range notStageStarts.of(first) {
		if strings.HasPrefix(t, p) {
			return false
		}
	}
	last, _ := decodeLastRune(t)
	for _, e := range notStageEnds.of(last) {
		if strings.HasSuffix(t, e) {
			return false
		}
	}
	// A medium alone (网上, 纸质: what is left of 网上截止时间) is named by
	// the words below, which complete it.
	switch t {
	case "网上", "网络", "线上", "在线", "纸质", "书面", "电子版", "系统":
		return false
	}
	// Who applies (申报者, 有意申报的单位, 组织申报主体), the issuing office
	// speaking of itself or the notice (我省, 本次, 这两项), a condition
	// (逾期不予受理), a clause cut in the middle (…科研秘书必, …包括,
	// 一式三份) or one that ends at the office it goes to (报省农委,
	// 汇总至规划科) is no name either.
	if notStageWords.in(t) != 0 {
		return false
	}
	for _, e := range whoEnds.of(last) {
		if strings.HasSuffix(t, e) {
			return false
		}
	}
	// A clause that says where to send (报送市科协业务工作部) is no name:
	// one pass says which of the words it holds, and only those are
	// looked for.
	if found := sendWords.in(t); found != 0 {
		for k, v := range sendWords.words {
			if found&(1<<k) == 0 {
				continue
			}
			if k := strings.Index(t, v); k >= 0 && k+len(v) < len(t) {
				return false
			}
		}
	}
	// ……数据报 (报 as "to report to", its object cut off) dangles; 申报,
	// 填报, 上报 do not.
	if strings.HasSuffix(t, "报") && !hasSuffixAny(t, []string{"申报", "填报", "上报", "呈报", "预报", "年报"}) {
		return false
	}
	return hasPos(t)
}

// StageKind is what kind of stage a window's name says (网上, 纸质, 审核,
// 推荐, combinations, with its batch), or "" for a plain 申报: what tells
// one window of a notice from another when a later text renames it or a
// 延期 notice moves it.
func StageKind(what string) string { return lastBatch(what) + stageClass(what) }
