package notify

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"net/textproto"
	"sync"
	"time"

	"github.com/wneessen/go-mail"
	"github.com/wneessen/go-mail/smtp"
)

// SMTPConfig is the outgoing server.
type SMTPConfig struct {
	Host     string
	Port     int
	Username string
	Password string
	TLS      string // none, starttls, tls
	Timeout  time.Duration
	Rate     float64 // mails per second at most; 0: no limit
	// IdleTimeout: a connection unused for this long is closed and a new
	// one opened before the next mail. Servers drop idle sessions (Postfix
	// after 300 s, others sooner); 0 means 30 s.
	IdleTimeout time.Duration
	// Connections is how many SMTP connections send at once (0: 1).
	Connections int
}

const defaultIdleTimeout = 30 * time.Second

// Mailer sends mail over a few SMTP connections (Connections, default 1),
// each reused across messages and opened again after an error, so that a
// server's round trips for one message overlap another's. Rate, when set,
// holds for all of them together.
type Mailer struct {
	cfg  SMTPConfig
	slot chan struct{} // one per connection

	mu   sync.Mutex
	idle []*session // sessions not sending, the most recently used last
	last time.Time  // the last send's turn (for Rate)
	// Now is the wall clock (nil: time.Now); idleness is real time, not
	// the instant a run plans for.
	Now func() time.Time
}

// session is one SMTP connection.
type session struct {
	client     *mail.Client // its settings (TLS, auth), and the unpipelined way to send
	conn       *smtp.Client
	open       bool
	pipelining bool      // the server announced PIPELINING
	used       time.Time // the connection was last used (for IdleTimeout)
}

// NewMailer prepares a mailer; it connects on the first Send.
func NewMailer(cfg SMTPConfig) *Mailer {
	n := max(1, cfg.Connections)
	m := &Mailer{cfg: cfg, slot: make(chan struct{}, n)}
	for i := 0; i < n; i++ {
		m.idle = append(m.idle, &session{})
	}
	return m
}

// Connections is how many messages the mailer sends at once.
func (m *Mailer) Connections() int { return cap(m.slot) }

// SendError is a failed send and whether trying again later may help.
type SendError struct {
	Temporary bool
	Err       error
}

func (e *SendError) Error() string { return e.Err.Error() }
func (e *SendError) Unwrap() error { return e.Err }

func (m *Mailer) newClient() (*mail.Client, error) {
	// No NOOP before each message: a round trip per mail. A kept
	// connection the server dropped fails at MAIL FROM instead, before
	// anything of the message is sent, and Send then opens a new one.
	opts := []mail.Option{mail.WithPort(m.cfg.Port), mail.WithTimeout(m.cfg.Timeout), mail.WithHELO("grantwatch"), mail.WithoutNoop()}
	switch m.cfg.TLS {
	case "tls":
		opts = append(opts, mail.WithSSL(), mail.WithTLSConfig(&tls.Config{ServerName: m.cfg.Host, MinVersion: tls.VersionTLS12}))
	case "starttls":
		opts = append(opts, mail.WithTLSPolicy(mail.TLSMandatory), mail.WithTLSConfig(&tls.Config{ServerName: m.cfg.Host, MinVersion: tls.VersionTLS12}))
	default:
		opts = append(opts, mail.WithTLSPolicy(mail.NoTLS))
	}
	if m.cfg.Username != "" {
		opts = append(opts, mail.WithSMTPAuth(mail.SMTPAuthAutoDiscover), mail.WithUsername(m.cfg.Username), mail.WithPassword(m.cfg.Password))
	}
	return mail.NewClient(m.cfg.Host, opts...)
}

// pace waits for this message's turn under Rate: turns are handed out one
// gap apart, whichever connection sends.
func (m *Mailer) pace(ctx context.Context) error {
	if m.cfg.Rate <= 0 {
		return nil
	}
	gap := time.Duration(float64(time.Second) / m.cfg.Rate)
	m.mu.Lock()
	turn := m.last.Add(gap)
	if now := m.now(); turn.Before(now) {
		turn = now
	}
	m.last = turn
	m.mu.Unlock()
	if wait := turn.Sub(m.now()); wait > 0 {
		t := time.NewTimer(wait)
		select {
		case <-t.C:
		case <-ctx.Done():
			t.Stop()
			return &SendError{Temporary: true, Err: ctx.Err()}
		}
	}
	return nil
}

// take waits for a free connection; the one used last is preferred, so
// that the others may idle out rather than all of them going stale.
func (m *Mailer) take(ctx context.Context) (*session, error) {
	select {
	case m.slot <- struct{}{}:
	case <-ctx.Done():
		return nil, &SendError{Temporary: true, Err: ctx.Err()}
	}
	m.mu.Lock()
	s := m.idle[len(m.idle)-1]
	m.idle = m.idle[:len(m.idle)-1]
	m.mu.Unlock()
	return s, nil
}

func (m *Mailer) give(s *session) {
	m.mu.Lock()
	m.idle = append(m.idle, s)
	m.mu.Unlock()
	<-m.slot
}

// Send delivers one message. Only an SMTP 5xx answer to this message is
// permanent; everything else (4xx, no connection, a connection the server
// dropped, a timeout) is temporary and retried later. Safe for concurrent
// use: up to Connections messages go out at once.
func (m *Mailer) Send(ctx context.Context, msg *mail.Msg) error {
	return m.SendAfter(ctx, msg, nil)
}

// SendAfter is Send that calls before (once, unless the message fails
// first) at the last moment before the server can accept the message:
// just before its end-of-data line is written when the server pipelines,
// before anything is sent otherwise. The notifier waits there for the
// previous mail's record, so that its commit overlaps this mail's
// commands and drawing while no mail is accepted before the one ahead of
// it is recorded.
func (m *Mailer) SendAfter(ctx context.Context, msg *mail.Msg, before func()) error {
	if before != nil {
		once := before
		before = func() {
			if once != nil {
				once()
				once = nil
			}
		}
	} else {
		before = func() {}
	}
	if err := m.pace(ctx); err != nil {
		return err
	}
	s, err := m.take(ctx)
	if err != nil {
		return err
	}
	defer m.give(s)
	idle := m.cfg.IdleTimeout
	if idle <= 0 {
		idle = defaultIdleTimeout
	}
	if s.open && m.now().Sub(s.used) >= idle {
		// The server has probably dropped it; a new session is cheaper than
		// a failed one.
		s.close()
	}
	reused := s.open
	if err := m.connect(ctx, s); err != nil {
		return err
	}
	err = m.transact(s, msg, before)
	if err != nil && reused && connCheckFailed(err) {
		// The kept connection was dead before anything of this message was
		// sent (it failed at its first command): open a new one and send now.
		s.drop()
		if err := m.connect(ctx, s); err != nil {
			return err
		}
		err = m.transact(s, msg, before)
	}
	if err != nil {
		// Whatever happened, start the next message on a fresh connection.
		s.drop()
		return classifySend(err)
	}
	s.used = m.now()
	return nil
}

func (m *Mailer) now() time.Time {
	if m.Now != nil {
		return m.Now()
	}
	return time.Now()
}

// transact sends one message on an open session: pipelined when the
// server allows it, else the client library's command at a time.
func (m *Mailer) transact(s *session, msg *mail.Msg, before func()) error {
	if s.pipelining {
		return sendPipelined(s.conn, msg, m.cfg.Timeout, before)
	}
	before()
	return s.client.SendWithSMTPClient(s.conn, msg)
}

// connect opens a session unless it is open.
func (m *Mailer) connect(ctx context.Context, s *session) error {
	if s.open {
		return nil
	}
	c, err := m.newClient()
	if err != nil {
		// A setting the client does not take: retried, so that the mail
		// goes out once the configuration is mended.
		return &SendError{Temporary: true, Err: fmt.Errorf("smtp client: %w", err)}
	}
	conn, err := c.DialToSMTPClientWithContext(ctx)
	if err != nil {
		return &SendError{Temporary: true, Err: fmt.Errorf("connect to %s:%d: %w", m.cfg.Host, m.cfg.Port, err)}
	}
	s.pipelining, _ = conn.Extension("PIPELINING")
	s.client, s.conn, s.open, s.used = c, conn, true, m.now()
	return nil
}

// close ends a session that is in good order: QUIT, then the connection.
func (s *session) close() error {
	if !s.open {
		return nil
	}
	s.open = false
	err := s.conn.Quit()
	if err != nil {
		s.conn.Close()
	}
	return err
}

// drop closes a session after a failure without a word to the server: it
// may be mid-message, where a QUIT would be taken as text and wait out the
// timeout.
func (s *session) drop() {
	if s.open {
		s.conn.Close()
	}
	s.open = false
}

// connCheckFailed: the first command of a transaction failed (go-mail's
// NOOP or MAIL FROM, or the pipelined MAIL FROM), so no byte of the
// message reached the server.
func connCheckFailed(err error) bool {
	var se *mail.SendError
	return errors.Is(err, errNotTaken) || errors.As(err, &se) && (se.Reason == mail.ErrConnCheck || se.Reason == mail.ErrSMTPMailFrom)
}

// Close ends the SMTP sessions, once the messages being sent are.
func (m *Mailer) Close() error {
	var errs []error
	for i := 0; i < cap(m.slot); i++ {
		m.slot <- struct{}{}
	}
	m.mu.Lock()
	for _, s := range m.idle {
		errs = append(errs, s.close())
	}
	m.mu.Unlock()
	for i := 0; i < cap(m.slot); i++ {
		<-m.slot
	}
	return errors.Join(errs...)
}

// classifySend: a 5xx reply refuses this message for good; any other
// failure (4xx, a dropped or refused connection, a timeout, a reply that
// never came) says nothing about the message and is retried.
func classifySend(err error) error {
	var se *mail.SendError
	if errors.As(err, &se) && se.ErrorCode() >= 500 {
		return &SendError{Temporary: false, Err: err}
	}
	var te *textproto.Error
	if errors.As(err, &te) && te.Code >= 500 {
		return &SendError{Temporary: false, Err: err}
	}
	return &SendError{Temporary: true, Err: err}
}
