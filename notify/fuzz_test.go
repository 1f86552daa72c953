package notify

import (
	"bytes"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/emersion/go-ical"

	"github.com/grantwatch/grantwatch/store"
)

// FuzzICal: whatever a notice's title, label and evidence hold, the feed
// parses back, every physical line is at most 75 octets, and the summary
// reads back as written (valid UTF-8 without control characters).
func FuzzICal(f *testing.F) {
	f.Add("关于组织申报2019年度山西省重点研发计划的通知", "网络申报", "网络申报时间：8月30日至9月30日", "2019-09-30", "17:00")
	f.Add("a,b;c\\d\ne", "x", "", "2019-02-28", "")
	f.Add(strings.Repeat("申", 100), "", "\r\n", "2020-02-29", "24:00")
	f.Fuzz(func(t *testing.T, title, label, evidence, closes, closesTime string) {
		w := store.WindowView{Window: store.Window{Key: "k", Label: label, Closes: closes, ClosesTime: closesTime, Evidence: evidence,
			Revision: 1, UpdatedAt: time.Date(2019, 9, 1, 0, 0, 0, 0, time.UTC)}, NoticeURL: "https://a.gov.cn/1.html", Title: title}
		var buf bytes.Buffer
		if err := (Feed{Name: "f", Windows: []store.WindowView{w}, Now: w.UpdatedAt, Location: shanghai}).WriteICal(&buf); err != nil {
			t.Fatal(err)
		}
		for _, l := range strings.Split(strings.TrimSuffix(buf.String(), "\r\n"), "\r\n") {
			if len(l) > 75 {
				t.Fatalf("line of %d octets", len(l))
			}
		}
		cal, err := ical.NewDecoder(&buf).Decode()
		if err != nil {
			t.Fatalf("parse back: %v\n%s", err, buf.String())
		}
		events := cal.Events()
		if _, ok := parseDay(closes, shanghai); !ok {
			if len(events) != 0 {
				t.Fatalf("%d events for a bad date", len(events))
			}
			return
		}
		if len(events) != 1 {
			t.Fatalf("%d events", len(events))
		}
		got, err := events[0].Props.Text(ical.PropSummary)
		want := "截止：" + strings.TrimSpace(title) + " (" + label + ")"
		clean := utf8.ValidString(want) && !strings.ContainsFunc(want, func(r rune) bool { return r < 0x20 || r == 0x7F })
		if err != nil || clean && got != want {
			t.Fatalf("summary %q, want %q (%v)", got, want, err)
		}
	})
}
