package notify

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"sync"
	"time"

	"github.com/wneessen/go-mail"
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
}

const defaultIdleTimeout = 30 * time.Second

// Mailer sends mail over one SMTP connection, reused across messages and
// opened again after an error.
type Mailer struct {
	cfg    SMTPConfig
	mu     sync.Mutex
	client *mail.Client
	open   bool
	last   time.Time // the last send started (for Rate)
	used   time.Time // the connection was last used (for IdleTimeout)
	// Now is the wall clock (nil: time.Now); idleness is real time, not
	// the instant a run plans for.
	Now func() time.Time
}

// NewMailer prepares a mailer; it connects on the first Send.
func NewMailer(cfg SMTPConfig) *Mailer { return &Mailer{cfg: cfg} }

// SendError is a failed send and whether trying again later may help.
type SendError struct {
	Temporary bool
	Err       error
}

func (e *SendError) Error() string { return e.Err.Error() }
func (e *SendError) Unwrap() error { return e.Err }

func (m *Mailer) newClient() (*mail.Client, error) {
	opts := []mail.Option{mail.WithPort(m.cfg.Port), mail.WithTimeout(m.cfg.Timeout), mail.WithHELO("grantwatch")}
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

// Send delivers one message. Only an SMTP 5xx answer to this message is
// permanent; everything else (4xx, no connection, a connection the server
// dropped, a timeout) is temporary and retried later.
func (m *Mailer) Send(ctx context.Context, msg *mail.Msg) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.cfg.Rate > 0 {
		gap := time.Duration(float64(time.Second) / m.cfg.Rate)
		if wait := m.last.Add(gap).Sub(m.now()); wait > 0 {
			t := time.NewTimer(wait)
			select {
			case <-t.C:
			case <-ctx.Done():
				t.Stop()
				return &SendError{Temporary: true, Err: ctx.Err()}
			}
		}
	}
	m.last = m.now()
	idle := m.cfg.IdleTimeout
	if idle <= 0 {
		idle = defaultIdleTimeout
	}
	if m.open && m.now().Sub(m.used) >= idle {
		// The server has probably dropped it; a new session is cheaper than
		// a failed one.
		m.closeConn()
	}
	reused := m.open
	if err := m.connect(ctx); err != nil {
		return err
	}
	err := m.client.Send(msg)
	if err != nil && reused && connCheckFailed(err) {
		// The kept connection was dead before anything of this message was
		// sent (the NOOP check failed): open a new one and send now.
		m.closeConn()
		if err := m.connect(ctx); err != nil {
			return err
		}
		err = m.client.Send(msg)
	}
	if err != nil {
		// Whatever happened, start the next message on a fresh connection.
		m.closeConn()
		return classifySend(err)
	}
	m.used = m.now()
	return nil
}

func (m *Mailer) now() time.Time {
	if m.Now != nil {
		return m.Now()
	}
	return time.Now()
}

// connect opens a session unless one is open.
func (m *Mailer) connect(ctx context.Context) error {
	if m.open {
		return nil
	}
	c, err := m.newClient()
	if err != nil {
		// A setting the client does not take: retried, so that the mail
		// goes out once the configuration is mended.
		return &SendError{Temporary: true, Err: fmt.Errorf("smtp client: %w", err)}
	}
	if err := c.DialWithContext(ctx); err != nil {
		return &SendError{Temporary: true, Err: fmt.Errorf("connect to %s:%d: %w", m.cfg.Host, m.cfg.Port, err)}
	}
	m.client, m.open, m.used = c, true, m.now()
	return nil
}

func (m *Mailer) closeConn() {
	if m.open {
		m.client.Close()
	}
	m.open = false
}

// connCheckFailed: go-mail checks a kept connection (NOOP) before MAIL
// FROM; this failure means no byte of the message reached the server.
func connCheckFailed(err error) bool {
	var se *mail.SendError
	return errors.As(err, &se) && se.Reason == mail.ErrConnCheck
}

// Close ends the SMTP session.
func (m *Mailer) Close() error {
	m.mu.Lock()
	defer m.mu.Unlock()
	if !m.open {
		return nil
	}
	m.open = false
	return m.client.Close()
}

// classifySend: a 5xx reply refuses this message for good; any other
// failure (4xx, a dropped or refused connection, a timeout, a reply that
// never came) says nothing about the message and is retried.
func classifySend(err error) error {
	var se *mail.SendError
	if errors.As(err, &se) && se.ErrorCode() >= 500 {
		return &SendError{Temporary: false, Err: err}
	}
	return &SendError{Temporary: true, Err: err}
}
