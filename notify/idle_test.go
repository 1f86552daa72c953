package notify

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/wneessen/go-mail"

	"github.com/grantwatch/grantwatch/internal/testsmtp"
	"github.com/grantwatch/grantwatch/store"
)

// A server that ends idle sessions (here after 300 ms, Postfix after
// 300 s): the notifier sends, the connection idles past the server's
// limit, more reminders fall due, and every one of them is delivered,
// none marked failed. Once with the mailer's own idle limit longer than
// the server's (the dead connection is found by the NOOP check and
// replaced), once shorter (the mailer replaces it before trying).
func TestIdleConnectionDroppedByServer(t *testing.T) {
	for _, tc := range []struct {
		name       string
		mailerIdle time.Duration
	}{
		{"server drops first", time.Hour},
		{"mailer closes first", 100 * time.Millisecond},
	} {
		t.Run(tc.name, func(t *testing.T) {
			f := newFixture(t)
			f.smtp = testsmtp.StartIdle(t, 300*time.Millisecond)
			host, port := f.smtp.HostPort()
			f.n.Mailer = NewMailer(SMTPConfig{Host: host, Port: port, TLS: "none", Timeout: 5 * time.Second, IdleTimeout: tc.mailerIdle})
			t.Cleanup(func() { f.n.Mailer.Close() })
			for i := 0; i < 5; i++ {
				f.subscriber(fmt.Sprintf("s%d@example.cn", i), store.Subscriber{})
			}
			f.window("https://a.gov.cn/1.html", "关于申报甲项目的通知", "", store.Window{Label: "报送", Closes: "2019-09-20"})
			if r := f.run(at("2019-09-13 09:00")); r.Sent != 5 || r.Failed != 0 {
				t.Fatalf("first batch: %+v", r)
			}
			time.Sleep(time.Second) // the server has dropped the session by now
			f.window("https://a.gov.cn/2.html", "关于申报乙项目的通知", "", store.Window{Label: "报送", Closes: "2019-09-21"})
			r := f.run(at("2019-09-14 09:00"))
			if r.Sent != 5 || r.Failed != 0 || r.Retried != 0 {
				t.Errorf("after idling: %+v", r)
			}
			if got := len(f.smtp.Messages()); got != 10 {
				t.Errorf("%d mails received, want 10", got)
			}
			failed, _ := f.db.Deliveries(context.Background(), "failed", 0)
			if len(failed) != 0 {
				t.Errorf("%d deliveries failed for good: %v", len(failed), failed[0].LastError)
			}
		})
	}
}

// Only a 5xx reply to the message is permanent (TestSendErrorsClassified
// has a real 550); every other failure a send can meet is temporary.
func TestClassifySend(t *testing.T) {
	for _, tc := range []struct {
		name      string
		err       error
		temporary bool
	}{
		{"RCPT failed without a reply code", &mail.SendError{Reason: mail.ErrSMTPRcptTo}, true},
		{"dead kept connection", &mail.SendError{Reason: mail.ErrConnCheck}, true},
		{"plain error", errors.New("checking SMTP connection: not connected to SMTP server"), true},
		{"EOF", fmt.Errorf("read: %w", errors.New("EOF")), true},
		{"deadline", context.DeadlineExceeded, true},
	} {
		var se *SendError
		if err := classifySend(tc.err); !errors.As(err, &se) || se.Temporary != tc.temporary {
			t.Errorf("%s: %v temporary=%v, want %v", tc.name, err, se != nil && se.Temporary, tc.temporary)
		}
	}
}

// mailerTo starts an SMTP server, offering PIPELINING or (through a relay)
// not, and a mailer and config to send to it.
func mailerTo(t *testing.T, pipelined bool) (*testsmtp.Server, *Mailer, Config) {
	srv := testsmtp.Start(t)
	host, port := srv.HostPort()
	if !pipelined {
		host, port = srv.WithoutPipelining(t)
	}
	m := NewMailer(SMTPConfig{Host: host, Port: port, TLS: "none", Timeout: 5 * time.Second})
	t.Cleanup(func() { m.Close() })
	return srv, m, Config{From: "grantwatch@example.cn", Location: shanghai}
}

// A server that does not announce PIPELINING gets the client library's
// command-at-a-time transaction: mails arrive, a 550 is still permanent and
// a 451 temporary, and the connection is reused between mails.
func TestSendWithoutPipelining(t *testing.T) {
	for _, pipelined := range []bool{true, false} {
		srv, m, c := mailerTo(t, pipelined)
		send := func(to string) error {
			msg, err := c.build(message{To: to, Subject: "申报提醒", Text: "正文\n.以点开头的一行\n", HTML: "<p>正文</p>"}, at("2019-09-01 09:00"))
			if err != nil {
				t.Fatal(err)
			}
			return m.Send(context.Background(), msg)
		}
		for i := 0; i < 3; i++ {
			if err := send(fmt.Sprintf("s%d@example.cn", i)); err != nil {
				t.Fatalf("pipelined=%v: send %d: %v", pipelined, i, err)
			}
		}
		if s := m.idle[len(m.idle)-1]; s.pipelining != pipelined || !s.open {
			t.Errorf("pipelined=%v: session pipelining=%v open=%v", pipelined, s.pipelining, s.open)
		}
		srv.SetRefuse(func(to string) error {
			if to == "gone@example.cn" {
				return testsmtp.PermFail
			}
			return testsmtp.TempFail
		})
		var se *SendError
		if err := send("gone@example.cn"); !errors.As(err, &se) || se.Temporary {
			t.Errorf("pipelined=%v: 550: %v", pipelined, err)
		}
		if err := send("busy@example.cn"); !errors.As(err, &se) || !se.Temporary {
			t.Errorf("pipelined=%v: 451: %v", pipelined, err)
		}
		srv.SetRefuse(nil)
		if err := send("after@example.cn"); err != nil {
			t.Errorf("pipelined=%v: after refusals: %v", pipelined, err)
		}
		msgs := srv.Messages()
		if len(msgs) != 4 {
			t.Fatalf("pipelined=%v: %d mails received, want 4", pipelined, len(msgs))
		}
		for _, msg := range msgs {
			parts, err := msg.Parts()
			if err != nil || !strings.Contains(parts["text/plain"], "\n.以点开头的一行") {
				t.Errorf("pipelined=%v: text part %q (%v): the line starting with a dot was not kept", pipelined, parts["text/plain"], err)
			}
		}
	}
}

// TestSendAfterBeforeAcceptance: SendAfter calls before once, before the
// server has the message (so a mail is never accepted ahead of the record
// of the one before it), on both paths.
func TestSendAfterBeforeAcceptance(t *testing.T) {
	for _, pipelined := range []bool{true, false} {
		srv, m, c := mailerTo(t, pipelined)
		for i := 0; i < 3; i++ {
			msg, err := c.build(message{To: fmt.Sprintf("s%d@example.cn", i), Subject: "申报提醒", Text: "正文", HTML: "<p>正文</p>"}, at("2019-09-01 09:00"))
			if err != nil {
				t.Fatal(err)
			}
			calls, had := 0, -1
			err = m.SendAfter(context.Background(), msg, func() {
				calls++
				had = len(srv.Messages())
				time.Sleep(20 * time.Millisecond) // a slow commit
			})
			if err != nil {
				t.Fatalf("pipelined=%v: send %d: %v", pipelined, i, err)
			}
			if calls != 1 || had != i {
				t.Errorf("pipelined=%v: send %d: before called %d times, with %d messages at the server (want once, with %d)", pipelined, i, calls, had, i)
			}
			if got := len(srv.Messages()); got != i+1 {
				t.Errorf("pipelined=%v: %d messages after send %d", pipelined, got, i)
			}
		}
		if s := m.idle[len(m.idle)-1]; s.pipelining != pipelined {
			t.Errorf("pipelined=%v: session pipelining=%v", pipelined, s.pipelining)
		}
	}
}
