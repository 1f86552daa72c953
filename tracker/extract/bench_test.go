package extract

import (
	"strings"
	"testing"
)

// benchMix is a realistic mix: the corpus notices when ../shared is there,
// otherwise this package's own fixtures, each padded with the kind of body
// text notices carry between their dates.
func benchMix(b *testing.B) []string {
	var mix []string
	if _, texts := loadCorpusQuiet(); len(texts) > 0 {
		for _, t := range texts {
			mix = append(mix, t)
		}
		return mix
	}
	filler := strings.Repeat("各有关单位要高度重视，认真组织，按照要求做好项目的组织推荐工作，确保申报材料真实、完整、规范。", 10)
	for _, tc := range fixtureTexts() {
		mix = append(mix, filler+"\n"+tc+"\n"+filler)
	}
	return mix
}

func loadCorpusQuiet() ([]goldNotice, map[string]string) {
	var out map[string]string
	var gold []goldNotice
	func() {
		defer func() { recover() }()
		tb := &quietTB{}
		gold, out = loadCorpus(tb)
	}()
	return gold, out
}

// quietTB lets loadCorpus run outside a test; Skipf aborts via panic.
type quietTB struct{ testing.TB }

func (q *quietTB) Skipf(string, ...any)  { panic("skip") }
func (q *quietTB) Fatalf(string, ...any) { panic("fatal") }
func (q *quietTB) Fatal(...any)          { panic("fatal") }

func fixtureTexts() []string {
	return []string{
		"申报时间：2019年8月27日至2019年9月25日。请于9月20日前报送。",
		"网络申报 2019年8月30日至9月30日；纸质材料 9月26日至10月10日",
		"企业网上申报时间：11月18日(星期四)8:00—11月27日(星期六)17:30。市科技局审核提交时间：11月28日至11月30日。",
		"公示期为10个工作日，自2023年11月10日至2023年11月23日。\n某某省科学技术厅\n2023年11月10日",
		"請於2019年9月20日前將材料報送至我局。網(wǎng)上申報(bào)截止時(shí)間為:2023年5月19日。",
	}
}

func BenchmarkExtract(b *testing.B) {
	mix := benchMix(b)
	total := 0
	for _, t := range mix {
		total += len(t)
	}
	b.SetBytes(int64(total))
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		for _, t := range mix {
			Extract(t, Options{})
		}
	}
}
