package notify

import (
	"bytes"
	"context"
	"crypto/sha256"
	"embed"
	"encoding/hex"
	"fmt"
	htmltemplate "html/template"
	"net/url"
	"strings"
	texttemplate "text/template"
	"time"
	"unicode/utf8"

	"github.com/wneessen/go-mail"

	"github.com/grantwatch/grantwatch/store"
)

//go:embed templates/*.tmpl
var templateFS embed.FS

var (
	htmlTmpl = htmltemplate.Must(htmltemplate.ParseFS(templateFS, "templates/*.html.tmpl"))
	textTmpl = texttemplate.Must(texttemplate.ParseFS(templateFS, "templates/*.txt.tmpl"))
)

// oneLine makes a value safe for a header: no line breaks (which would
// start a new header), no control characters.
func oneLine(s string) string {
	return strings.Join(strings.FieldsFunc(s, func(r rune) bool { return r < 0x20 || r == 0x7F || r == '\u2028' || r == '\u2029' }), " ")
}

var weekdayCN = [...]string{"星期日", "星期一", "星期二", "星期三", "星期四", "星期五", "星期六"}

// dayText writes a date the way notices do: 2019年9月20日（星期五）.
func (c Config) dayText(date string) string {
	t, ok := c.localDay(date)
	if !ok {
		return date
	}
	return fmt.Sprintf("%d年%d月%d日（%s）", t.Year(), int(t.Month()), t.Day(), weekdayCN[t.Weekday()])
}

// daysLeft says how far a day is from now, in whole local days.
func (c Config) daysLeft(date string, now time.Time) int {
	t, ok := c.localDay(date)
	if !ok {
		return 0
	}
	n := now.In(c.Location)
	today := time.Date(n.Year(), n.Month(), n.Day(), 0, 0, 0, 0, c.Location)
	return int(t.Sub(today).Hours() / 24)
}

func daysLeftText(n int) string {
	switch {
	case n < 0:
		return "已截止"
	case n == 0:
		return "今天截止"
	case n == 1:
		return "明天截止"
	}
	return fmt.Sprintf("还剩%d天", n)
}

func (c Config) links(s store.Subscriber) (feed, prefs, unsub string) {
	base := strings.TrimRight(c.BaseURL, "/")
	return base + "/feed/" + s.FeedToken + ".ics", base + "/preferences/" + s.UnsubscribeToken, base + "/unsubscribe/" + s.UnsubscribeToken
}

// reminderView is what the reminder and correction templates show.
type reminderView struct {
	Greeting, Headline, Color                string
	Title, What, Opens, Closes, DaysLeft     string
	Evidence, NoticeURL                      string
	Changes                                  []string
	FeedURL, PrefsURL, UnsubscribeURL, Label string
}

func greeting(s store.Subscriber) string {
	if s.Name != "" {
		return s.Name + "，您好："
	}
	return "您好："
}

// message is a rendered mail.
type message struct {
	To, ToName   string
	Subject      string
	Text, HTML   string
	MessageID    string
	Unsubscribe  string // one-click URL; "" for mail that is not to a subscriber
	UnsubMailto  string
	DeliveryID   int64
	DeliveryKind string
}

// messageID is stable for a delivery: a resend of the same delivery (the
// one gap SMTP leaves) carries the same Message-ID, which lets mail
// clients fold the copies.
func (c Config) messageID(d store.Delivery) string {
	h := sha256.Sum256([]byte(d.DedupKey))
	domain := "grantwatch.invalid"
	if _, dom, ok := strings.Cut(c.From, "@"); ok && dom != "" {
		domain = dom
	}
	return fmt.Sprintf("gw.%d.%s@%s", d.ID, hex.EncodeToString(h[:8]), domain)
}

func (c Config) whenLine(w store.Window) (opens, closes string) {
	if w.Opens != "" {
		opens = c.dayText(w.Opens)
	}
	if w.Closes != "" {
		closes = c.dayText(w.Closes)
		if w.ClosesTime != "" {
			closes += " " + w.ClosesTime
		}
	}
	return opens, closes
}

func shortTitle(t string, n int) string {
	if utf8.RuneCountInString(t) <= n {
		return t
	}
	return string([]rune(t)[:n]) + "…"
}

// renderReminder renders an opening or closing reminder, a correction, or
// the note that a window reminded of was withdrawn.
func (c Config) renderReminder(d store.Delivery, s store.Subscriber, w store.WindowView, changes []store.WindowChange, now time.Time, drawn *bodies) (message, error) {
	v := reminderView{Greeting: greeting(s), Title: w.Title, What: w.Label, Evidence: w.Evidence, NoticeURL: w.NoticeURL, Color: "#cf222e"}
	v.FeedURL, v.PrefsURL, v.UnsubscribeURL = c.links(s)
	v.Opens, v.Closes = c.whenLine(w.Window)
	if w.Closes != "" {
		v.DaysLeft = daysLeftText(c.daysLeft(w.Closes, now))
	}
	title := shortTitle(oneLine(w.Title), 40)
	var subject string
	switch d.Kind {
	case "open":
		n := c.daysLeft(w.Opens, now)
		v.Color = "#1a7f37"
		if n <= 0 {
			v.Headline = "今天开始申报：" + w.Label
			subject = fmt.Sprintf("【今日开始申报】%s（%s）", title, w.Label)
		} else {
			v.Headline = fmt.Sprintf("%d天后开始申报：%s", n, w.Label)
			subject = fmt.Sprintf("【即将开始申报】%d天后：%s（%s）", n, title, w.Label)
		}
	case "close":
		v.Headline = fmt.Sprintf("%s：%s", v.DaysLeft, w.Label)
		subject = fmt.Sprintf("【申报截止提醒】%s：%s（%s）", v.DaysLeft, title, w.Label)
	case "correction":
		v.Color = "#9a6700"
		for _, ch := range changes {
			v.Changes = append(v.Changes, fmt.Sprintf("%s：截止 %s → %s", ch.ChangedAt.In(c.Location).Format("2006-01-02"),
				orNone(ch.OldCloses), orNone(ch.NewCloses)))
		}
		v.Headline = "截止时间调整为" + v.Closes
		subject = fmt.Sprintf("【截止时间调整】%s（%s）：截止时间调整为%s", title, w.Label, v.Closes)
	case "withdrawn":
		// Told once to whoever was reminded: the date they were given no
		// longer stands, so they do not prepare for it unawares.
		v.Color, v.DaysLeft = "#57606a", ""
		if w.NoticeStatus != "active" && w.NoticeStatus != "" {
			v.Headline = "通知页面已无法访问（可能已撤下），此前提醒的申报时间请向发布部门核实"
			subject = fmt.Sprintf("【申报通知变更】%s（%s）：通知页面已撤下", title, w.Label)
		} else {
			v.Headline = "发布部门修改了通知，此前提醒的申报时间已不在通知中，请以最新通知为准"
			subject = fmt.Sprintf("【申报通知变更】%s（%s）：原定截止时间%s已不在通知中", title, w.Label, orNone(v.Closes))
		}
	default:
		return message{}, fmt.Errorf("render delivery %d: kind %q is no reminder", d.ID, d.Kind)
	}
	html, text, err := drawn.draw(v, drawReminder)
	if err != nil {
		return message{}, fmt.Errorf("render delivery %d: %w", d.ID, err)
	}
	return c.subscriberMessage(d, s, subject, text, html, v.UnsubscribeURL), nil
}

// drawReminder executes the reminder's templates.
func drawReminder(v reminderView) (html, text string, err error) {
	var h, t bytes.Buffer
	if err := htmlTmpl.ExecuteTemplate(&h, "reminder.html.tmpl", v); err != nil {
		return "", "", err
	}
	if err := textTmpl.ExecuteTemplate(&t, "reminder.txt.tmpl", v); err != nil {
		return "", "", err
	}
	return h.String(), t.String(), nil
}

func orNone(s string) string {
	if s == "" {
		return "（无）"
	}
	return s
}

func (c Config) subscriberMessage(d store.Delivery, s store.Subscriber, subject, text, html, unsub string) message {
	return message{To: s.Email, ToName: s.Name, Subject: subject, Text: text, HTML: html, MessageID: c.messageID(d),
		Unsubscribe: unsub, UnsubMailto: "mailto:" + c.From + "?subject=" + url.QueryEscape("unsubscribe "+s.UnsubscribeToken),
		DeliveryID: d.ID, DeliveryKind: d.Kind}
}

// renderAdmin renders an alert about a flagged source.
func (c Config) renderAdmin(d store.Delivery, src store.Source) (message, error) {
	var text bytes.Buffer
	lastOK := "从未"
	if !src.LastSuccessAt.IsZero() {
		lastOK = src.LastSuccessAt.In(c.Location).Format("2006-01-02 15:04")
	}
	if err := textTmpl.ExecuteTemplate(&text, "admin.txt.tmpl", struct {
		Source store.Source
		LastOK string
	}{src, lastOK}); err != nil {
		return message{}, fmt.Errorf("render alert %d: %w", d.ID, err)
	}
	name := src.Name
	if name == "" {
		name = src.URL
	}
	return message{To: d.Recipient, Subject: "[grantwatch] 数据源异常：" + shortTitle(name, 60), Text: text.String(),
		MessageID: c.messageID(d), DeliveryID: d.ID, DeliveryKind: d.Kind}, nil
}

// build turns a rendered message into a go-mail message. Every header
// value goes through oneLine: a notice title holding CR/LF cannot add a
// header. go-mail encodes Chinese subjects and names (RFC 2047) and folds
// long header lines.
func (c Config) build(m message, now time.Time) (*mail.Msg, error) {
	msg := mail.NewMsg(mail.WithCharset(mail.CharsetUTF8), mail.WithEncoding(mail.EncodingB64))
	if err := msg.FromFormat(oneLine(c.FromName), c.From); err != nil {
		return nil, fmt.Errorf("from %q: %w", c.From, err)
	}
	if m.ToName != "" {
		if err := msg.AddToFormat(oneLine(m.ToName), m.To); err != nil {
			return nil, fmt.Errorf("to %q: %w", m.To, err)
		}
	} else if err := msg.To(m.To); err != nil {
		return nil, fmt.Errorf("to %q: %w", m.To, err)
	}
	msg.Subject(oneLine(m.Subject))
	msg.SetMessageIDWithValue(m.MessageID)
	msg.SetDateWithValue(now.In(c.Location))
	msg.SetUserAgent("grantwatch")
	msg.SetGenHeader(mail.Header("Auto-Submitted"), "auto-generated")
	if m.Unsubscribe != "" {
		// RFC 8058 one-click: an HTTPS URL taking a POST, and a mailto.
		msg.SetGenHeaderPreformatted(mail.HeaderListUnsubscribe, fmt.Sprintf("<%s>, <%s>", oneLine(m.Unsubscribe), oneLine(m.UnsubMailto)))
		msg.SetGenHeaderPreformatted(mail.HeaderListUnsubscribePost, "List-Unsubscribe=One-Click")
	}
	msg.SetBodyString(mail.TypeTextPlain, m.Text)
	if m.HTML != "" {
		msg.AddAlternativeString(mail.TypeTextHTML, m.HTML)
	}
	return msg, nil
}

// SendConfirmation mails the double opt-in link (with the one-time
// confirmation token) at once, or, with no token, for an address already
// subscribed, a link to its preferences. It is an answer to a request on
// the subscribe page, so it does not wait for a schedule.
func (n *Notifier) SendConfirmation(ctx context.Context, s store.Subscriber, confirmToken string, now time.Time) error {
	_, prefs, _ := n.Config.links(s)
	already := confirmToken == ""
	v := struct {
		Already              bool
		ConfirmURL, PrefsURL string
	}{already, strings.TrimRight(n.Config.BaseURL, "/") + "/confirm/" + confirmToken, prefs}
	var html, text bytes.Buffer
	if err := htmlTmpl.ExecuteTemplate(&html, "confirm.html.tmpl", v); err != nil {
		return err
	}
	if err := textTmpl.ExecuteTemplate(&text, "confirm.txt.tmpl", v); err != nil {
		return err
	}
	subject := "请确认订阅 grantwatch 申报提醒"
	if already {
		subject = "您已订阅 grantwatch 申报提醒"
	}
	h := sha256.Sum256([]byte(fmt.Sprintf("confirm/%d/%d", s.ID, now.UnixNano())))
	m := message{To: s.Email, Subject: subject, Text: text.String(), HTML: html.String(),
		MessageID: "gw.confirm." + hex.EncodeToString(h[:8]) + "@" + n.Config.domain()}
	msg, err := n.Config.build(m, now)
	if err != nil {
		return err
	}
	return n.Mailer.Send(ctx, msg)
}

func (c Config) domain() string {
	if _, dom, ok := strings.Cut(c.From, "@"); ok && dom != "" {
		return dom
	}
	return "grantwatch.invalid"
}
