package store

import (
	"context"
	"fmt"
	"testing"
	"time"
)

// BenchmarkUpcoming reads what /upcoming reads at every view (the windows
// from a day with a 60-day horizon, at most 501) over 1,200 current windows
// and a history of past windows that only open (no closing day: about one
// window in fifty in ../shared/corpus), 1,000 or 10,000 of them, on the
// default SQLite store. The read walks its indexes from the day on, so the
// history should not show in the time.
func BenchmarkUpcoming(b *testing.B) {
	ctx := context.Background()
	day := func(d int) string {
		return time.Date(2026, 6, 1, 0, 0, 0, 0, time.UTC).AddDate(0, 0, d).Format("2006-01-02")
	}
	for _, past := range []int{1000, 10000} {
		db, err := Open(ctx, b.TempDir()+"/gw.db", WithClock(fixedClock(t0)))
		if err != nil {
			b.Fatal(err)
		}
		defer db.Close()
		save := func(i int, w Window) {
			if _, err := db.SaveNotice(ctx, Notice{URL: fmt.Sprintf("https://kjt.example.cn/%d.html", i), Title: "关于组织申报重点研发计划项目的通知",
				Region: "山西", Text: "请按要求报送。"}, []Window{w}, ""); err != nil {
				b.Fatal(err)
			}
		}
		for i := 0; i < past; i++ {
			save(i, Window{Key: "k", Label: "受理", Opens: day(-1 - i%2000), Evidence: "自即日起受理"})
		}
		for i := 0; i < 1200; i++ {
			w := Window{Key: "k", Label: "申报", Closes: day(i % 60), Evidence: "请于前报送"}
			if i%50 == 0 {
				w = Window{Key: "k", Label: "受理", Opens: day(i % 60), Evidence: "起受理"}
			}
			save(past+i, w)
		}
		f := WindowFilter{UpcomingFrom: day(0), StartsBy: day(60), Limit: 501}
		b.Run(fmt.Sprintf("history=%d", past), func(b *testing.B) {
			b.ReportAllocs()
			for i := 0; i < b.N; i++ {
				ws, err := db.Windows(ctx, f)
				if err != nil {
					b.Fatal(err)
				}
				if len(ws) != 501 {
					b.Fatalf("%d windows, want 501", len(ws))
				}
			}
		})
	}
}
