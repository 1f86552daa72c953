package notify

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"net"
	"strings"
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
}

// Mailer sends mail over one SMTP connection, reused across messages and
// opened again after an error.
type Mailer struct {
	cfg    SMTPConfig
	mu     sync.Mutex
	client *mail.Client
	open   bool
	last   time.Time
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

// Send delivers one message. Connection problems and 4xx answers are
// temporary; 5xx answers are permanent.
func (m *Mailer) Send(ctx context.Context, msg *mail.Msg) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.cfg.Rate > 0 {
		gap := time.Duration(float64(time.Second) / m.cfg.Rate)
		if wait := time.Until(m.last.Add(gap)); wait > 0 {
			t := time.NewTimer(wait)
			select {
			case <-t.C:
			case <-ctx.Done():
				t.Stop()
				return &SendError{Temporary: true, Err: ctx.Err()}
			}
		}
	}
	m.last = time.Now()
	if !m.open {
		c, err := m.newClient()
		if err != nil {
			return &SendError{Temporary: false, Err: fmt.Errorf("smtp client: %w", err)}
		}
		if err := c.DialWithContext(ctx); err != nil {
			return &SendError{Temporary: true, Err: fmt.Errorf("connect to %s:%d: %w", m.cfg.Host, m.cfg.Port, err)}
		}
		m.client, m.open = c, true
	}
	if err := m.client.Send(msg); err != nil {
		// Whatever happened, start the next message on a fresh connection.
		m.client.Close()
		m.open = false
		return classifySend(err)
	}
	return nil
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

func classifySend(err error) error {
	var se *mail.SendError
	if errors.As(err, &se) {
		code := se.ErrorCode()
		switch {
		case code >= 500:
			return &SendError{Temporary: false, Err: err}
		case code >= 400:
			return &SendError{Temporary: true, Err: err}
		}
		return &SendError{Temporary: se.IsTemp() || isNetErr(err), Err: err}
	}
	return &SendError{Temporary: isNetErr(err) || strings.Contains(err.Error(), "connection"), Err: err}
}

func isNetErr(err error) bool {
	var ne net.Error
	var oe *net.OpError
	return errors.As(err, &ne) || errors.As(err, &oe) || errors.Is(err, context.DeadlineExceeded)
}
