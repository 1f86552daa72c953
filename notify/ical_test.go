package notify

import (
	"bufio"
	"bytes"
	"context"
	"fmt"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/emersion/go-ical"

	"github.com/grantwatch/grantwatch/store"
)

func TestICalFeed(t *testing.T) {
	f := newFixture(t)
	long := "关于组织申报2019年度山西省重点研发计划（农业领域、社会发展领域、高新技术领域）项目的通知；附件：申报指南,申报书模板\\说明"
	f.window("https://kjt.example.gov.cn/1.html", long, "山西",
		store.Window{Label: "网络申报", Opens: "2019-08-30", Closes: "2019-09-30", ClosesTime: "17:00", Evidence: "网络申报时间：8月30日至9月30日17:00"})
	f.window("https://gxt.example.gov.cn/2.html", "关于申报的通知", "河北", store.Window{Label: "报送", Closes: "2019-09-20"})
	ws, _ := f.db.Windows(context.Background(), store.WindowFilter{})
	var buf bytes.Buffer
	feed := Feed{Name: "grantwatch 申报窗口", Windows: ws, Now: at("2019-09-01 09:00"), Location: shanghai}
	if err := feed.WriteICal(&buf); err != nil {
		t.Fatal(err)
	}
	raw := buf.String()
	if !strings.HasSuffix(raw, "\r\n") || strings.Contains(strings.ReplaceAll(raw, "\r\n", ""), "\n") {
		t.Fatal("lines are not all CRLF-terminated")
	}
	for _, l := range strings.Split(strings.TrimSuffix(raw, "\r\n"), "\r\n") {
		if len(l) > 75 {
			t.Errorf("line of %d octets: %q", len(l), l)
		}
		if !utf8.ValidString(l) {
			t.Errorf("a fold split a character: %q", l)
		}
	}
	for _, want := range []string{"VERSION:2.0", "METHOD:PUBLISH", "REFRESH-INTERVAL;VALUE=DURATION:PT6H", "X-PUBLISHED-TTL:PT6H",
		"DTSTART;VALUE=DATE:20190920", "DTEND;VALUE=DATE:20190921", "DTEND:20190930T090000Z", "DTSTART;VALUE=DATE:20190830"} {
		if !strings.Contains(raw, want+"\r\n") {
			t.Errorf("feed lacks %q", want)
		}
	}
	// A real parser reads it back, unfolding and unescaping.
	cal, err := ical.NewDecoder(strings.NewReader(raw)).Decode()
	if err != nil {
		t.Fatalf("parse back: %v", err)
	}
	events := cal.Events()
	if len(events) != 3 {
		t.Fatalf("%d events, want 3", len(events))
	}
	byUID := map[string]ical.Event{}
	for _, e := range events {
		u, _ := e.Props.Text(ical.PropUID)
		byUID[u] = e
	}
	var closeEv ical.Event
	for _, e := range events {
		s, _ := e.Props.Text(ical.PropSummary)
		if strings.HasPrefix(s, "截止："+long) {
			closeEv = e
		}
	}
	summary, err := closeEv.Props.Text(ical.PropSummary)
	if err != nil || summary != "截止："+long+" (网络申报)" {
		t.Errorf("summary read back %q (%v)", summary, err)
	}
	end, err := closeEv.DateTimeEnd(time.UTC)
	if err != nil || !end.Equal(at("2019-09-30 17:00")) {
		t.Errorf("deadline %v (%v)", end, err)
	}
	desc, _ := closeEv.Props.Text(ical.PropDescription)
	if !strings.Contains(desc, "原文：「网络申报时间：8月30日至9月30日17:00」") || !strings.Contains(desc, "https://kjt.example.gov.cn/1.html") {
		t.Errorf("description %q", desc)
	}
	u1, _ := closeEv.Props.Text(ical.PropUID)

	// The deadline moves: same UID, higher SEQUENCE.
	f.now = at("2019-09-10 10:00")
	w := ws[len(ws)-1]
	for _, x := range ws {
		if x.NoticeURL == "https://kjt.example.gov.cn/1.html" {
			w = x
		}
	}
	if _, err := f.db.SaveNotice(context.Background(), store.Notice{URL: w.NoticeURL}, []store.Window{{Key: w.Key, Label: w.Label,
		Opens: w.Opens, Closes: "2019-10-15", ClosesTime: "17:00", Evidence: w.Evidence}}, "延期"); err != nil {
		t.Fatal(err)
	}
	ws, _ = f.db.Windows(context.Background(), store.WindowFilter{})
	buf.Reset()
	Feed{Name: "x", Windows: ws, Now: f.now, Location: shanghai}.WriteICal(&buf)
	cal, err = ical.NewDecoder(&buf).Decode()
	if err != nil {
		t.Fatal(err)
	}
	found := false
	for _, e := range cal.Events() {
		u, _ := e.Props.Text(ical.PropUID)
		if u != u1 {
			continue
		}
		found = true
		seq, _ := e.Props.Get(ical.PropSequence).Int()
		end, _ := e.DateTimeEnd(time.UTC)
		if seq != 1 || !end.Equal(at("2019-10-15 17:00")) {
			t.Errorf("moved event: sequence %d, end %v", seq, end)
		}
		if lm := e.Props.Get("LAST-MODIFIED"); lm == nil || lm.Value != "20190910T020000Z" {
			t.Errorf("LAST-MODIFIED %v", lm)
		}
	}
	if !found {
		t.Error("the moved window's event has a new UID")
	}
}

func TestICalEscapingAndFolding(t *testing.T) {
	if got := icalText("a,b;c\\d\ne\r\x01"); got != `a\,b\;c\\d\ne` {
		t.Errorf("escaping %q", got)
	}
	var buf bytes.Buffer
	bw := bufio.NewWriter(&buf)
	iw := &icalWriter{w: bw}
	iw.line("SUMMARY:", strings.Repeat("申", 60))
	bw.Flush()
	lines := strings.Split(strings.TrimSuffix(buf.String(), "\r\n"), "\r\n")
	for i, l := range lines {
		if len(l) > 75 || i > 0 && !strings.HasPrefix(l, " ") || !utf8.ValidString(l) {
			t.Errorf("line %d: %q", i, l)
		}
	}
	joined := lines[0]
	for _, l := range lines[1:] {
		joined += l[1:]
	}
	if joined != "SUMMARY:"+strings.Repeat("申", 60) {
		t.Error("unfolding does not give the line back")
	}
}

func BenchmarkFeed5000(b *testing.B) {
	ws := make([]store.WindowView, 5000)
	for i := range ws {
		ws[i] = store.WindowView{Window: store.Window{ID: int64(i), Key: fmt.Sprint(i), Label: "网络申报", Opens: "2019-09-01", Closes: "2019-09-30",
			ClosesTime: "17:00", Evidence: "网络申报时间：2019年9月1日至9月30日17:00", Revision: 2, UpdatedAt: at("2019-09-01 09:00")},
			NoticeURL: fmt.Sprintf("https://kjt.example.gov.cn/tzgg/%d.html", i), Title: "关于组织申报2019年度山西省重点研发计划（农业领域）项目的通知"}
	}
	b.ReportAllocs()
	for i := 0; i < b.N; i++ {
		var buf bytes.Buffer
		buf.Grow(8 << 20)
		if err := (Feed{Name: "bench", Windows: ws, Now: at("2019-09-01 09:00"), Location: shanghai}).WriteICal(&buf); err != nil {
			b.Fatal(err)
		}
		b.SetBytes(int64(buf.Len()))
	}
}

// SizeHint is what a drawn feed is grown to: never short of what
// WriteICal writes (the buffer would then double), and not much over it
// (the rest stays allocated behind a kept feed).
func TestFeedSizeHint(t *testing.T) {
	long := strings.Repeat("关于组织申报2019年度山西省重点研发计划（农业领域、社会发展领域）项目的通知", 2)
	evidence := "网络申报时间：2019年8月30日至9月30日17:00，纸质材料请于10月10日前报送至省科技厅综合受理窗口，逾期不予受理"
	url := "https://kjt.shanxi.gov.cn/tzgg/zxtz/201908/t20190827_123456.html"
	for _, tc := range []struct {
		name string
		w    store.WindowView
	}{
		{"range, timed, long texts", store.WindowView{Window: store.Window{Label: "网络申报", Opens: "2019-08-30", Closes: "2019-09-30", ClosesTime: "17:00", Evidence: evidence}, NoticeURL: url, Title: long}},
		{"bare deadline, short texts", store.WindowView{Window: store.Window{Label: "报送", Closes: "2019-09-20"}, NoticeURL: "https://a.cn/1", Title: "关于申报的通知"}},
		{"opening only", store.WindowView{Window: store.Window{Label: "受理", Opens: "2019-09-01", Evidence: "9月1日起受理"}, NoticeURL: url, Title: "关于开展2019年度高新技术企业认定工作的通知"}},
		{"deadline, evidence, revised", store.WindowView{Window: store.Window{Label: "纸质材料", Closes: "2019-10-10", Evidence: evidence, Revision: 12,
			UpdatedAt: time.Date(2019, 9, 2, 1, 0, 0, 0, time.UTC)}, NoticeURL: url, Title: long}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var ws []store.WindowView
			for i := 0; i < 300; i++ {
				w := tc.w
				w.Key = fmt.Sprintf("k%d", i)
				ws = append(ws, w)
			}
			feed := Feed{Name: "grantwatch 申报窗口（someone@example.cn）", Windows: ws, Now: at("2019-09-01 09:00"), Location: shanghai}
			var buf bytes.Buffer
			if err := feed.WriteICal(&buf); err != nil {
				t.Fatal(err)
			}
			hint := feed.SizeHint()
			if hint < buf.Len() || hint > buf.Len()*5/4 {
				t.Errorf("hint %d bytes for a feed of %d (%.2f×): want 1–1.25×", hint, buf.Len(), float64(hint)/float64(buf.Len()))
			}
		})
	}
}
