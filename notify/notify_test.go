package notify

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/grantwatch/grantwatch/internal/storetest"
	"github.com/grantwatch/grantwatch/internal/testsmtp"
	"github.com/grantwatch/grantwatch/store"
)

var shanghai, _ = time.LoadLocation("Asia/Shanghai")

func at(s string) time.Time {
	t, err := time.ParseInLocation("2006-01-02 15:04", s, shanghai)
	if err != nil {
		panic(err)
	}
	return t
}

type fixture struct {
	t    *testing.T
	db   *store.DB
	smtp *testsmtp.Server
	n    *Notifier
	now  time.Time
}

func newFixture(t *testing.T) *fixture {
	t.Helper()
	f := &fixture{t: t, now: at("2019-09-01 00:00")}
	db, err := store.Open(context.Background(), storetest.DSN(t), store.WithClock(func() time.Time { return f.now }))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	f.db = db
	f.smtp = testsmtp.Start(t)
	host, port := f.smtp.HostPort()
	mailer := NewMailer(SMTPConfig{Host: host, Port: port, TLS: "none", Timeout: 5 * time.Second})
	t.Cleanup(func() { mailer.Close() })
	f.n = &Notifier{DB: db, Logger: slog.New(slog.NewTextHandler(io.Discard, nil)), Mailer: mailer, Config: Config{
		Hour: 9, LeadOpen: []time.Duration{72 * time.Hour, 0}, LeadClose: []time.Duration{7 * 24 * time.Hour, 72 * time.Hour, 24 * time.Hour},
		Location: shanghai, BaseURL: "https://grants.example.cn", From: "grantwatch@example.cn", FromName: "申报提醒",
		AdminEmail: "admin@example.cn", RetryBackoff: time.Minute, RetryBackoffMax: time.Hour, DigestWeekday: time.Monday, DigestDays: 14,
	}}
	return f
}

func (f *fixture) window(url, title, region string, w store.Window) store.WindowView {
	f.t.Helper()
	if w.Key == "" {
		w.Key = w.Label
	}
	if _, err := f.db.SaveNotice(context.Background(), store.Notice{URL: url, Title: title, Region: region, Text: title + w.Evidence}, []store.Window{w}, ""); err != nil {
		f.t.Fatal(err)
	}
	n, _ := f.db.NoticeByURL(context.Background(), url)
	ws, _ := f.db.NoticeWindows(context.Background(), n.ID)
	v, err := f.db.WindowByID(context.Background(), ws[0].ID)
	if err != nil {
		f.t.Fatal(err)
	}
	return v
}

func (f *fixture) subscriber(email string, s store.Subscriber) store.Subscriber {
	f.t.Helper()
	s.Email, s.Status = email, "active"
	added, err := f.db.AddSubscriber(context.Background(), s)
	if err != nil {
		f.t.Fatal(err)
	}
	return added
}

func (f *fixture) run(t time.Time) RunResult {
	f.t.Helper()
	f.now = t
	res, err := f.n.RunOnce(context.Background(), t)
	if err != nil {
		f.t.Fatalf("run at %v: %v", t, err)
	}
	return res
}

// The month of September 2019, hour by hour: every reminder arrives once,
// at its hour, none early; re-running an instant sends nothing.
func TestSimulatedMonth(t *testing.T) {
	f := newFixture(t)
	f.window("https://kjt.example.gov.cn/1.html", "关于组织申报2019年度山西省重点研发计划的通知", "山西",
		store.Window{Label: "网络申报", Opens: "2019-09-10", Closes: "2019-09-30", ClosesTime: "17:00", Evidence: "网络申报时间：9月10日至9月30日17:00"})
	f.window("https://gxt.example.gov.cn/2.html", "关于申报河北省工业互联网重点项目的通知", "河北",
		store.Window{Label: "报送", Closes: "2019-09-20", Evidence: "请于9月20日前报送"})
	li := f.subscriber("li@example.cn", store.Subscriber{Name: "李老师", Regions: []string{"山西"}})
	all := f.subscriber("all@example.cn", store.Subscriber{})

	type want struct {
		to  string
		due time.Time
	}
	expected := []want{
		{"li@example.cn", at("2019-09-07 09:00")}, {"li@example.cn", at("2019-09-10 09:00")},
		{"li@example.cn", at("2019-09-23 09:00")}, {"li@example.cn", at("2019-09-27 09:00")}, {"li@example.cn", at("2019-09-29 09:00")},
		{"all@example.cn", at("2019-09-07 09:00")}, {"all@example.cn", at("2019-09-10 09:00")},
		{"all@example.cn", at("2019-09-23 09:00")}, {"all@example.cn", at("2019-09-27 09:00")}, {"all@example.cn", at("2019-09-29 09:00")},
		{"all@example.cn", at("2019-09-13 09:00")}, {"all@example.cn", at("2019-09-17 09:00")}, {"all@example.cn", at("2019-09-19 09:00")},
	}
	for now := at("2019-09-01 00:00"); now.Before(at("2019-10-03 00:00")); now = now.Add(time.Hour) {
		f.run(now)
		got := f.smtp.Messages()
		dueSoFar := 0
		for _, e := range expected {
			if !e.due.After(now) {
				dueSoFar++
			}
		}
		if len(got) != dueSoFar {
			t.Fatalf("at %s: %d mails, want %d", now.Format("01-02 15:04"), len(got), dueSoFar)
		}
		if now.Equal(at("2019-09-23 09:00")) {
			// The same instant again: nothing more.
			if r := f.run(now); r.Sent != 0 || len(f.smtp.Messages()) != dueSoFar {
				t.Fatalf("re-run at the same instant sent %d", r.Sent)
			}
		}
	}
	perTo := map[string]int{}
	for _, m := range f.smtp.Messages() {
		perTo[m.To[0]]++
	}
	if perTo["li@example.cn"] != 5 || perTo["all@example.cn"] != 8 {
		t.Errorf("mails per subscriber %v", perTo)
	}
	_ = li
	_ = all
}

func TestSubjectHeadersAndEscaping(t *testing.T) {
	f := newFixture(t)
	f.window("https://kjt.example.gov.cn/x.html", "关于<script>alert(1)</script>申报的通知\r\nBcc: victim@example.com", "山西",
		store.Window{Label: "网上申报", Closes: "2019-09-05", ClosesTime: "17:00", Evidence: "请于9月5日17:00前<b>报送</b>"})
	f.subscriber("li@example.cn", store.Subscriber{Name: "李\r\nX-Evil: 1"})
	f.run(at("2019-09-04 09:00"))
	msgs := f.smtp.Messages()
	if len(msgs) != 1 {
		t.Fatalf("%d mails", len(msgs))
	}
	m := msgs[0]
	if len(m.To) != 1 || m.To[0] != "li@example.cn" {
		t.Errorf("envelope recipients %v: a header injection added one", m.To)
	}
	p, err := m.Parsed()
	if err != nil {
		t.Fatal(err)
	}
	for _, h := range []string{"Bcc", "X-Evil"} {
		if v := p.Header.Get(h); v != "" {
			t.Errorf("injected header %s: %q", h, v)
		}
	}
	subj := f.smtp.Subjects()[0]
	if want := "【申报截止提醒】明天截止：关于<script>alert(1)</script>申报的通知 Bcc: vi…（网上申报）"; subj != want {
		t.Errorf("subject\n got %q\nwant %q", subj, want)
	}
	if !strings.HasPrefix(p.Header.Get("Subject"), "=?UTF-8?") {
		t.Errorf("subject not RFC 2047 encoded: %q", p.Header.Get("Subject"))
	}
	if lu := p.Header.Get("List-Unsubscribe"); !strings.HasPrefix(lu, "<https://grants.example.cn/unsubscribe/") || !strings.Contains(lu, "mailto:") {
		t.Errorf("List-Unsubscribe %q", lu)
	}
	if p.Header.Get("List-Unsubscribe-Post") != "List-Unsubscribe=One-Click" {
		t.Errorf("List-Unsubscribe-Post %q", p.Header.Get("List-Unsubscribe-Post"))
	}
	if d := p.Header.Get("Date"); !strings.HasSuffix(d, "+0800") {
		t.Errorf("Date %q not in +0800", d)
	}
	if id := p.Header.Get("Message-Id"); !strings.HasPrefix(id, "<gw.") || !strings.HasSuffix(id, "@example.cn>") {
		t.Errorf("Message-ID %q", id)
	}
	html, err := m.Parts()
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(html["text/html"], "&lt;script&gt;alert(1)&lt;/script&gt;") || strings.Contains(html["text/html"], "<script>") {
		t.Errorf("title not escaped in HTML:\n%s", html["text/html"])
	}
	if !strings.Contains(html["text/html"], "&lt;b&gt;报送&lt;/b&gt;") {
		t.Errorf("evidence not escaped in HTML")
	}
	if !strings.Contains(html["text/plain"], "截止：2019年9月5日（星期四） 17:00（明天截止）") {
		t.Errorf("plain text:\n%s", html["text/plain"])
	}
}

func TestCatchUpForLateWindow(t *testing.T) {
	f := newFixture(t)
	// Found on 9-18, two days before it closes: the 7d and 3d reminders are
	// past; one reminder goes now, the 1d one on its day.
	f.now = at("2019-09-18 14:00")
	f.window("https://a.gov.cn/1.html", "关于申报的通知", "", store.Window{Label: "报送", Closes: "2019-09-20"})
	f.subscriber("li@example.cn", store.Subscriber{})
	r := f.run(at("2019-09-18 14:00"))
	if r.Sent != 1 || f.smtp.Subjects()[0] != "【申报截止提醒】还剩2天：关于申报的通知（报送）" {
		t.Fatalf("catch-up: %+v %q", r, f.smtp.Subjects())
	}
	f.run(at("2019-09-19 09:00"))
	f.run(at("2019-09-20 09:00"))
	f.run(at("2019-09-21 09:00"))
	if subj := f.smtp.Subjects(); len(subj) != 2 || subj[1] != "【申报截止提醒】明天截止：关于申报的通知（报送）" {
		t.Errorf("after catch-up: %q", subj)
	}
	ds, _ := f.db.Deliveries(context.Background(), "skipped", 0)
	if len(ds) != 1 || ds[0].Lead != "7d" {
		t.Errorf("skipped %+v", ds)
	}
}

func TestDowntimeSendsOnlyTheLatestAndSkipsThePast(t *testing.T) {
	f := newFixture(t)
	f.window("https://a.gov.cn/1.html", "关于申报的通知", "", store.Window{Label: "报送", Opens: "2019-09-05", Closes: "2019-09-20"})
	f.subscriber("li@example.cn", store.Subscriber{})
	f.run(at("2019-09-01 10:00")) // plans everything ahead
	// Down from 9-01 to 9-18 10:00: open 3d, open 0d (opening passed), close 7d and 3d fell due.
	r := f.run(at("2019-09-18 10:00"))
	subj := f.smtp.Subjects()
	if r.Sent != 1 || len(subj) != 1 || subj[0] != "【申报截止提醒】还剩2天：关于申报的通知（报送）" {
		t.Errorf("after downtime: %+v %q", r, subj)
	}
}

func TestSMTPDownThenUpAnd550(t *testing.T) {
	f := newFixture(t)
	f.window("https://a.gov.cn/1.html", "关于申报的通知", "", store.Window{Label: "报送", Closes: "2019-09-20"})
	f.subscriber("li@example.cn", store.Subscriber{})
	f.subscriber("gone@example.cn", store.Subscriber{})
	f.smtp.SetRefuse(func(to string) error {
		if to == "gone@example.cn" {
			return testsmtp.PermFail
		}
		return nil
	})
	f.run(at("2019-09-01 10:00"))
	f.smtp.Stop()
	r := f.run(at("2019-09-13 09:00"))
	if r.Sent != 0 || r.Retried != 2 {
		t.Fatalf("SMTP down: %+v", r)
	}
	// Still down at the first retry.
	if r := f.run(at("2019-09-13 09:01")); r.Sent != 0 || r.Retried != 2 {
		t.Fatalf("SMTP still down: %+v", r)
	}
	// Backoff: nothing is tried before it ends.
	if r := f.run(at("2019-09-13 09:02")); r.Retried != 0 {
		t.Errorf("retried within the backoff: %+v", r)
	}
	if err := f.smtp.Restart(); err != nil {
		t.Fatal(err)
	}
	r = f.run(at("2019-09-13 10:00"))
	if r.Sent != 1 || r.Failed != 1 {
		t.Fatalf("SMTP up: %+v", r)
	}
	failed, _ := f.db.Deliveries(context.Background(), "failed", 0)
	if len(failed) != 1 || !strings.Contains(failed[0].LastError, "550") {
		t.Fatalf("550 not recorded: %+v", failed)
	}
	attempts := failed[0].Attempts
	f.run(at("2019-09-13 12:00"))
	failed, _ = f.db.Deliveries(context.Background(), "failed", 0)
	if failed[0].Attempts != attempts {
		t.Errorf("a 550 was retried: %d attempts, then %d", attempts, failed[0].Attempts)
	}
	if len(f.smtp.Messages()) != 1 {
		t.Errorf("%d mails", len(f.smtp.Messages()))
	}
}

func TestCorrectionWhenDeadlineMoves(t *testing.T) {
	f := newFixture(t)
	w := f.window("https://a.gov.cn/1.html", "关于申报的通知", "", store.Window{Label: "报送", Closes: "2019-09-20"})
	f.subscriber("li@example.cn", store.Subscriber{})
	f.run(at("2019-09-13 09:00")) // the 7d reminder
	// The deadline moves to 9-30.
	f.now = at("2019-09-14 08:00")
	if _, err := f.db.SaveNotice(context.Background(), store.Notice{URL: w.NoticeURL}, []store.Window{{Key: w.Key, Label: "报送", Closes: "2019-09-30"}}, "延期"); err != nil {
		t.Fatal(err)
	}
	r := f.run(at("2019-09-14 09:00"))
	subj := f.smtp.Subjects()
	if r.Sent != 1 || len(subj) != 2 || !strings.HasPrefix(subj[1], "【截止时间调整】关于申报的通知（报送）：截止时间调整为2019年9月30日") {
		t.Fatalf("correction: %+v %q", r, subj)
	}
	// The old 3d and 1d reminders are cancelled; the new ones come on time.
	for _, day := range []string{"2019-09-17 09:00", "2019-09-19 09:00"} {
		if r := f.run(at(day)); r.Sent != 0 {
			t.Errorf("a reminder for the old deadline went out at %s", day)
		}
	}
	f.run(at("2019-09-23 09:00"))
	f.run(at("2019-09-27 09:00"))
	f.run(at("2019-09-29 09:00"))
	subj = f.smtp.Subjects()
	if len(subj) != 5 || subj[2] != "【申报截止提醒】还剩7天：关于申报的通知（报送）" || subj[4] != "【申报截止提醒】明天截止：关于申报的通知（报送）" {
		t.Errorf("after the move: %q", subj)
	}
	// Withdrawn: pending reminders are cancelled, and whoever was reminded
	// gets one note saying so.
	f.now = at("2019-09-28 08:00")
	f.db.SaveNotice(context.Background(), store.Notice{URL: w.NoticeURL}, nil, "withdrawn")
	f.run(at("2019-09-28 09:00"))
	f.run(at("2019-09-29 09:00"))
	subj = f.smtp.Subjects()
	if len(subj) != 6 || subj[5] != "【申报通知变更】关于申报的通知（报送）：原定截止时间2019年9月30日（星期一）已不在通知中" {
		t.Errorf("after the withdrawal: %q", subj)
	}
}

func TestDigestAndAdminAlert(t *testing.T) {
	f := newFixture(t)
	f.now = at("2019-09-05 10:00") // found in the week before the digest
	f.window("https://a.gov.cn/1.html", "关于组织申报2019年度山西省重点研发计划的通知", "山西", store.Window{Label: "网络申报", Opens: "2019-09-10", Closes: "2019-09-20"})
	f.window("https://a.gov.cn/2.html", "关于申报河北省项目的通知", "河北", store.Window{Label: "报送", Closes: "2019-10-30"})
	f.subscriber("weekly@example.cn", store.Subscriber{Digest: "weekly", Regions: []string{"山西"}, LeadOpen: []string{}, LeadClose: []string{}})
	src, _ := f.db.AddSource(context.Background(), store.Source{URL: "https://broken.example.gov.cn/", Name: "坏掉的网站"})
	for i := 0; i < 3; i++ {
		f.db.RecordCrawl(context.Background(), src.ID, store.CrawlResult{Error: "status 500", LinksFound: -1, FailureAlert: 3})
	}
	r := f.run(at("2019-09-09 09:00")) // a Monday
	subj := f.smtp.Subjects()
	sort.Strings(subj)
	if r.Sent != 2 || len(subj) != 2 {
		t.Fatalf("run: %+v %q", r, subj)
	}
	if subj[0] != "[grantwatch] 数据源异常：坏掉的网站" || subj[1] != "【申报周报】1个新通知，1个申报窗口即将开始或截止" {
		t.Errorf("subjects %q", subj)
	}
	var digest testsmtp.Message
	for _, m := range f.smtp.Messages() {
		if m.To[0] == "weekly@example.cn" {
			digest = m
		}
	}
	parts, err := digest.Parts()
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(parts["text/html"], "关于组织申报2019年度山西省重点研发计划的通知") || strings.Contains(parts["text/html"], "<img") ||
		!strings.Contains(parts["text/html"], "background:"+colorSoon) || !strings.Contains(parts["text/plain"], "未来14天") {
		t.Errorf("digest parts:\n%s\n%s", parts["text/plain"], parts["text/html"])
	}
	// Same week, same incident: nothing more.
	if r := f.run(at("2019-09-10 09:00")); r.Sent != 0 {
		t.Errorf("second run sent %d (%q)", r.Sent, f.smtp.Subjects())
	}
	// A new incident after recovery alerts again.
	f.db.RecordCrawl(context.Background(), src.ID, store.CrawlResult{OK: true, LinksFound: -1})
	for i := 0; i < 3; i++ {
		f.now = at("2019-09-11 08:00").Add(time.Duration(i) * time.Minute)
		f.db.RecordCrawl(context.Background(), src.ID, store.CrawlResult{Error: "status 503", LinksFound: -1, FailureAlert: 3})
	}
	if r := f.run(at("2019-09-11 09:00")); r.Sent != 1 {
		t.Errorf("new incident: %+v", r)
	}
}

func TestDueNowWritesNothing(t *testing.T) {
	f := newFixture(t)
	f.window("https://a.gov.cn/1.html", "关于申报的通知", "", store.Window{Label: "报送", Closes: "2019-09-20"})
	f.subscriber("li@example.cn", store.Subscriber{})
	due, err := f.n.DueNow(context.Background(), at("2019-09-13 09:00"))
	if err != nil || len(due) != 1 || !strings.Contains(due[0], "li@example.cn close 7d before 2019-09-20") {
		t.Fatalf("due %q %v", due, err)
	}
	ds, _ := f.db.Deliveries(context.Background(), "", 0)
	if len(ds) != 0 || len(f.smtp.Messages()) != 0 {
		t.Errorf("dry run wrote %d deliveries, sent %d", len(ds), len(f.smtp.Messages()))
	}
}

func TestSendErrorsClassified(t *testing.T) {
	f := newFixture(t)
	f.smtp.SetRefuse(func(string) error { return testsmtp.TempFail })
	msg, _ := f.n.Config.build(message{To: "a@example.cn", Subject: "x", Text: "y", MessageID: "a@b"}, at("2019-09-01 09:00"))
	err := f.n.Mailer.Send(context.Background(), msg)
	var se *SendError
	if !errors.As(err, &se) || !se.Temporary {
		t.Errorf("451: %v", err)
	}
	f.smtp.SetRefuse(func(string) error { return testsmtp.PermFail })
	msg, _ = f.n.Config.build(message{To: "a@example.cn", Subject: "x", Text: "y", MessageID: "a@c"}, at("2019-09-01 09:00"))
	if err := f.n.Mailer.Send(context.Background(), msg); !errors.As(err, &se) || se.Temporary {
		t.Errorf("550: %v", err)
	}
	// Connection refused.
	host, port := f.smtp.HostPort()
	f.smtp.Stop()
	m2 := NewMailer(SMTPConfig{Host: host, Port: port, TLS: "none", Timeout: time.Second})
	if err := m2.Send(context.Background(), msg); !errors.As(err, &se) || !se.Temporary {
		t.Errorf("refused: %v", err)
	}
	_ = fmt.Sprint()
}

// SMTP down for a simulated hour, the notifier running every five minutes:
// attempts follow the backoff (1, 2, 4, 8, 16 min …), nothing is lost, and
// everything goes out once the server is back.
func TestSMTPOutageHour(t *testing.T) {
	f := newFixture(t)
	f.window("https://a.gov.cn/1.html", "关于申报的通知", "", store.Window{Label: "报送", Closes: "2019-09-20"})
	f.window("https://a.gov.cn/2.html", "关于另一个申报的通知", "", store.Window{Label: "报送", Closes: "2019-09-20"})
	for i := 0; i < 5; i++ {
		f.subscriber(fmt.Sprintf("s%d@example.cn", i), store.Subscriber{})
	}
	f.run(at("2019-09-01 10:00"))
	f.smtp.Stop()
	start := at("2019-09-13 09:00")
	for m := 0; m <= 60; m += 5 {
		f.run(start.Add(time.Duration(m) * time.Minute))
	}
	ds, _ := f.db.Deliveries(context.Background(), "pending", 0)
	maxAttempts := 0
	for _, d := range ds {
		if d.DueAt.Equal(start) {
			maxAttempts = max(maxAttempts, d.Attempts)
			if d.LastError == "" || d.NextAttemptAt.Before(start.Add(60*time.Minute)) {
				t.Errorf("delivery %d: error %q, next attempt %v", d.ID, d.LastError, d.NextAttemptAt)
			}
		}
	}
	// Tries at 0, 5 (after 1m), 10 (after 2m), 15 (4m), 25 (8m), 45 (16m): six in the hour.
	if maxAttempts < 5 || maxAttempts > 7 {
		t.Errorf("%d attempts in an hour of outage", maxAttempts)
	}
	if len(f.smtp.Messages()) != 0 {
		t.Fatal("mail while down")
	}
	if err := f.smtp.Restart(); err != nil {
		t.Fatal(err)
	}
	r := f.run(start.Add(3 * time.Hour))
	if r.Sent != 10 || len(f.smtp.Messages()) != 10 {
		t.Errorf("after the outage: %+v, %d received", r, len(f.smtp.Messages()))
	}
	if r := f.run(start.Add(3 * time.Hour)); r.Sent != 0 {
		t.Errorf("sent again: %+v", r)
	}
}

// A shutdown while a mail is being sent: that mail is finished and
// recorded, the rest wait for the next run, nothing goes twice.
func TestShutdownFinishesTheMailInFlight(t *testing.T) {
	f := newFixture(t)
	f.window("https://a.gov.cn/1.html", "关于申报的通知", "", store.Window{Label: "报送", Closes: "2019-09-20"})
	for i := 0; i < 20; i++ {
		f.subscriber(fmt.Sprintf("s%d@example.cn", i), store.Subscriber{})
	}
	f.smtp.Delay = 50 * time.Millisecond // each mail takes a while
	ctx, cancel := context.WithCancel(context.Background())
	go func() {
		// The shutdown comes once the first mail is in, the next in flight
		// (not after a fixed time: planning on a slow machine or on
		// PostgreSQL can take longer than a mail).
		for deadline := time.Now().Add(10 * time.Second); len(f.smtp.Messages()) == 0 && time.Now().Before(deadline); {
			time.Sleep(5 * time.Millisecond)
		}
		time.Sleep(20 * time.Millisecond)
		cancel()
	}()
	f.now = at("2019-09-13 09:00")
	res, _ := f.n.RunOnce(ctx, f.now)
	received := len(f.smtp.Messages())
	if res.Sent == 0 || res.Sent >= 20 || res.Sent != received {
		t.Fatalf("interrupted run: %d marked sent, %d received", res.Sent, received)
	}
	sent, _ := f.db.Deliveries(context.Background(), "sent", 0)
	if len(sent) != received {
		t.Errorf("%d received but %d recorded as sent", received, len(sent))
	}
	f.smtp.Delay = 0
	r := f.run(at("2019-09-13 09:00"))
	if r.Sent+received != 20 || len(f.smtp.Messages()) != 20 {
		t.Errorf("after the restart: %d more sent, %d received in all", r.Sent, len(f.smtp.Messages()))
	}
}

// TestMatches: each filter that is set must match; an empty one lets all
// through; within a filter, any entry will do.
func TestMatches(t *testing.T) {
	w := store.WindowView{Region: "山西", Issuer: "山西省科学技术厅", Title: "关于组织申报2019年度重点研发计划的通知"}
	for _, tc := range []struct {
		name string
		sub  store.Subscriber
		text string
		want bool
	}{
		{"no filters", store.Subscriber{}, "", true},
		{"region", store.Subscriber{Regions: []string{"河北", "山西"}}, "", true},
		{"other region", store.Subscriber{Regions: []string{"河北"}}, "", false},
		{"national only matches no region", store.Subscriber{Regions: []string{"全国"}}, "", false},
		{"issuer", store.Subscriber{Issuers: []string{"科学技术厅"}}, "", true},
		{"other issuer", store.Subscriber{Issuers: []string{"工业和信息化厅"}}, "", false},
		{"keyword in the text", store.Subscriber{Keywords: []string{"首台套"}}, "首台套重大技术装备", true},
		{"keyword nowhere", store.Subscriber{Keywords: []string{"首台套"}}, "", false},
		{"all set, one fails", store.Subscriber{Regions: []string{"山西"}, Issuers: []string{"科学技术厅"}, Keywords: []string{"首台套"}}, "", false},
		{"all set, all match", store.Subscriber{Regions: []string{"山西"}, Issuers: []string{"科学技术厅"}, Keywords: []string{"研发"}}, "", true},
	} {
		if got := Matches(tc.sub, w, tc.text); got != tc.want {
			t.Errorf("%s: Matches = %v, want %v", tc.name, got, tc.want)
		}
	}
}
