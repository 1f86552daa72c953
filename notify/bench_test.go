package notify

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/grantwatch/grantwatch/store"
)

// BenchmarkSend10000 sends 10,000 reminders (one window, 10,000
// subscribers, one reminder each due) into a loopback SMTP server over one
// connection, with no rate limit, and reports mails per second. Planning
// and claiming are part of the measure; setting up the database is not.
func BenchmarkSend10000(b *testing.B) {
	for i := 0; i < b.N; i++ {
		b.StopTimer()
		t := &testing.T{}
		f := newFixture(t)
		f.window("https://a.gov.cn/1.html", "关于组织申报2019年度重点研发计划的通知", "", store.Window{Label: "网络申报", Closes: "2019-09-20"})
		f.n.Config.LeadClose = []time.Duration{24 * time.Hour}
		for j := 0; j < 10000; j++ {
			if _, err := f.db.AddSubscriber(context.Background(), store.Subscriber{Email: fmt.Sprintf("s%d@example.cn", j), Status: "active"}); err != nil {
				b.Fatal(err)
			}
		}
		b.StartTimer()
		start := time.Now()
		res, err := f.n.RunOnce(context.Background(), at("2019-09-19 09:00"))
		elapsed := time.Since(start)
		b.StopTimer()
		if err != nil || res.Sent != 10000 || len(f.smtp.Messages()) != 10000 {
			b.Fatalf("sent %d (%d received): %v", res.Sent, len(f.smtp.Messages()), err)
		}
		b.ReportMetric(float64(res.Sent)/elapsed.Seconds(), "mails/s")
		f.n.Mailer.Close()
		f.smtp.Stop()
		f.db.Close()
	}
}
