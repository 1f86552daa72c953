package notify

import (
	"context"
	"fmt"
	"syscall"
	"testing"
	"time"

	"github.com/wneessen/go-mail"

	"github.com/grantwatch/grantwatch/internal/testsmtp"
	"github.com/grantwatch/grantwatch/store"
)

// BenchmarkSend10000 sends 10,000 reminders (one window, 10,000
// subscribers, one reminder each due) into a loopback SMTP server with no
// rate limit, over 4 SMTP connections (smtp.connections, which the
// benchmark sets) and over 1 (the default), and reports mails per second
// and the process's CPU per mail (the server's share included). Planning and claiming are part of the measure; setting up the
// database is not. Two yardsticks: BenchmarkPlainSMTP10000, a plain
// go-mail client sending 10,000 small ready-made text messages over one
// connection into the same kind of server, and
// BenchmarkPlainSMTPSameMail10000, the same client sending, ready-made,
// the very messages the notifier sends (4.5 KB, text and HTML): what
// moving the notifier's mail costs without planning, claiming, rendering
// or recording it.
func BenchmarkSend10000(b *testing.B) {
	for _, conns := range []int{4, 1} {
		b.Run(fmt.Sprintf("connections=%d", conns), func(b *testing.B) { send10000(b, conns) })
	}
}

func send10000(b *testing.B, conns int) {
	for i := 0; i < b.N; i++ {
		b.StopTimer()
		f := sendFixture(b, conns)
		b.StartTimer()
		start, cpu0 := time.Now(), processCPU()
		res, err := f.n.RunOnce(context.Background(), at("2019-09-19 09:00"))
		elapsed, cpu := time.Since(start), processCPU()-cpu0
		b.StopTimer()
		if err != nil || res.Sent != 10000 || len(f.smtp.Messages()) != 10000 {
			b.Fatalf("sent %d (%d received): %v", res.Sent, len(f.smtp.Messages()), err)
		}
		b.ReportMetric(float64(res.Sent)/elapsed.Seconds(), "mails/s")
		b.ReportMetric(float64(cpu.Microseconds())/float64(res.Sent), "cpu-µs/mail")
		f.n.Mailer.Close()
		f.smtp.Stop()
		f.db.Close()
	}
}

// sendFixture is BenchmarkSend10000's world: one window closing tomorrow,
// 10,000 active subscribers, a notifier with conns SMTP connections.
func sendFixture(b *testing.B, conns int) *fixture {
	t := &testing.T{}
	f := newFixture(t)
	host, port := f.smtp.HostPort()
	f.n.Mailer = NewMailer(SMTPConfig{Host: host, Port: port, TLS: "none", Timeout: 5 * time.Second, Connections: conns})
	f.window("https://a.gov.cn/1.html", "关于组织申报2019年度重点研发计划的通知", "", store.Window{Label: "网络申报", Closes: "2019-09-20"})
	f.n.Config.LeadClose = []time.Duration{24 * time.Hour}
	for j := 0; j < 10000; j++ {
		if _, err := f.db.AddSubscriber(context.Background(), store.Subscriber{Email: fmt.Sprintf("s%d@example.cn", j), Status: "active"}); err != nil {
			b.Fatal(err)
		}
	}
	return f
}

func BenchmarkPlainSMTPSameMail10000(b *testing.B) {
	ctx := context.Background()
	for i := 0; i < b.N; i++ {
		b.StopTimer()
		f := sendFixture(b, 1)
		now := at("2019-09-19 09:00")
		if _, err := f.n.Plan(ctx, now); err != nil {
			b.Fatal(err)
		}
		batch, err := f.db.ClaimDue(ctx, now, "yardstick", time.Hour, 20000)
		if err != nil || len(batch) != 10000 {
			b.Fatalf("claimed %d: %v", len(batch), err)
		}
		data := f.n.readBatch(ctx, batch)
		var msgs []*mail.Msg
		for _, d := range batch {
			m, end, _, err := f.n.render(ctx, data, d, now)
			if err != nil || end != "" {
				b.Fatalf("render %d: %q %v", d.ID, end, err)
			}
			msg, err := f.n.Config.build(m, now)
			if err != nil {
				b.Fatal(err)
			}
			msgs = append(msgs, msg)
		}
		f.n.Mailer.Close()
		plainSend(b, msgs)
		f.smtp.Stop()
		f.db.Close()
	}
}

func BenchmarkPlainSMTP10000(b *testing.B) {
	for i := 0; i < b.N; i++ {
		b.StopTimer()
		var msgs []*mail.Msg
		for j := 0; j < 10000; j++ {
			m := mail.NewMsg()
			m.From("grantwatch@example.cn")
			m.To(fmt.Sprintf("s%d@example.cn", j))
			m.Subject("【申报截止提醒】明天截止：关于组织申报2019年度重点研发计划的通知（网络申报）")
			m.SetBodyString(mail.TypeTextPlain, "您好：\n\n明天截止：网络申报\n")
			msgs = append(msgs, m)
		}
		plainSend(b, msgs)
	}
}

// plainSend is the yardstick: a go-mail client with its defaults sends
// msgs over one connection into a fresh server; the sending is timed.
func plainSend(b *testing.B, msgs []*mail.Msg) {
	srv := testsmtp.Start(&testing.T{})
	defer srv.Stop()
	host, port := srv.HostPort()
	c, err := mail.NewClient(host, mail.WithPort(port), mail.WithTLSPolicy(mail.NoTLS), mail.WithTimeout(5*time.Second))
	if err != nil {
		b.Fatal(err)
	}
	if err := c.DialWithContext(context.Background()); err != nil {
		b.Fatal(err)
	}
	b.StartTimer()
	start, cpu0 := time.Now(), processCPU()
	for _, m := range msgs {
		if err := c.Send(m); err != nil {
			b.Fatal(err)
		}
	}
	elapsed, cpu := time.Since(start), processCPU()-cpu0
	b.StopTimer()
	c.Close()
	if n := len(srv.Messages()); n != len(msgs) {
		b.Fatalf("%d of %d received", n, len(msgs))
	}
	b.ReportMetric(float64(len(msgs))/elapsed.Seconds(), "mails/s")
	b.ReportMetric(float64(cpu.Microseconds())/float64(len(msgs)), "cpu-µs/mail")
}

// processCPU is the CPU time this process has used (user and system, all
// threads: the SMTP server's share too). Mails per second depend on what
// else the machine runs; CPU per mail much less.
func processCPU() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}
