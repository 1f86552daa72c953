// Package testsmtp is a real SMTP server for tests (emersion/go-smtp over
// TCP on loopback) that keeps what it receives and can be told to refuse.
package testsmtp

import (
	"bytes"
	"encoding/base64"
	"errors"
	"io"
	"mime"
	"mime/multipart"
	"mime/quotedprintable"
	"net"
	"net/mail"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/emersion/go-smtp"
)

// Message is one received mail.
type Message struct {
	From string
	To   []string
	Raw  []byte
	At   time.Time // when the server took it (wall clock)
}

// Parsed reads the message's headers and body.
func (m Message) Parsed() (*mail.Message, error) { return mail.ReadMessage(bytes.NewReader(m.Raw)) }

// Server is a running test SMTP server.
type Server struct {
	Addr string // host:port
	mu   sync.Mutex
	srv  *smtp.Server
	ln   net.Listener
	msgs []Message
	// Refuse, when set, decides the answer to each RCPT TO: nil accepts.
	Refuse func(to string) error
	// Delay slows each DATA (a slow server).
	Delay time.Duration
	// idle: the server ends a session that sends no command for this long
	// (421, then closes), as real servers do.
	idle time.Duration
}

// Start runs a server on 127.0.0.1 until the test ends.
func Start(t testing.TB) *Server { return StartIdle(t, 10*time.Second) }

// StartIdle runs a server that drops a session idle for longer than idle.
func StartIdle(t testing.TB, idle time.Duration) *Server {
	t.Helper()
	s := &Server{idle: idle}
	if err := s.listen("127.0.0.1:0"); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(s.Stop)
	return s
}

func (s *Server) listen(addr string) error {
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return err
	}
	srv := smtp.NewServer(backend{s})
	srv.Domain = "localhost"
	srv.AllowInsecureAuth = true
	srv.ReadTimeout = s.idle
	srv.WriteTimeout = 10 * time.Second
	s.mu.Lock()
	s.srv, s.ln, s.Addr = srv, ln, ln.Addr().String()
	s.mu.Unlock()
	go srv.Serve(ln)
	return nil
}

// Stop shuts the server down (SMTP is "down" until Restart).
func (s *Server) Stop() {
	s.mu.Lock()
	srv := s.srv
	s.srv = nil
	s.mu.Unlock()
	if srv != nil {
		srv.Close()
	}
}

// Restart brings a stopped server back on the same address.
func (s *Server) Restart() error {
	var err error
	for i := 0; i < 50; i++ {
		if err = s.listen(s.Addr); err == nil {
			return nil
		}
		time.Sleep(20 * time.Millisecond)
	}
	return err
}

// Messages returns what was received so far.
func (s *Server) Messages() []Message {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]Message(nil), s.msgs...)
}

// Host and Port split Addr.
func (s *Server) HostPort() (string, int) {
	h, p, _ := net.SplitHostPort(s.Addr)
	n := 0
	for _, c := range p {
		n = n*10 + int(c-'0')
	}
	return h, n
}

// TempFail is a 4xx answer; PermFail a 5xx one.
var (
	TempFail = &smtp.SMTPError{Code: 451, EnhancedCode: smtp.EnhancedCode{4, 3, 0}, Message: "try again later"}
	PermFail = &smtp.SMTPError{Code: 550, EnhancedCode: smtp.EnhancedCode{5, 1, 1}, Message: "no such mailbox"}
)

type backend struct{ s *Server }

func (b backend) NewSession(*smtp.Conn) (smtp.Session, error) { return &session{s: b.s}, nil }

type session struct {
	s    *Server
	from string
	to   []string
}

func (x *session) Reset()        { x.from, x.to = "", nil }
func (x *session) Logout() error { return nil }
func (x *session) Mail(from string, _ *smtp.MailOptions) error {
	x.from = from
	return nil
}

func (x *session) Rcpt(to string, _ *smtp.RcptOptions) error {
	x.s.mu.Lock()
	refuse := x.s.Refuse
	x.s.mu.Unlock()
	if refuse != nil {
		if err := refuse(to); err != nil {
			return err
		}
	}
	x.to = append(x.to, to)
	return nil
}

func (x *session) Data(r io.Reader) error {
	b, err := io.ReadAll(r)
	if err != nil {
		return err
	}
	if len(x.to) == 0 {
		return errors.New("no recipients")
	}
	x.s.mu.Lock()
	delay := x.s.Delay
	x.s.msgs = append(x.s.msgs, Message{From: x.from, To: append([]string(nil), x.to...), Raw: b, At: time.Now()})
	x.s.mu.Unlock()
	if delay > 0 {
		time.Sleep(delay)
	}
	return nil
}

// SetRefuse changes the RCPT answer function.
func (s *Server) SetRefuse(f func(to string) error) {
	s.mu.Lock()
	s.Refuse = f
	s.mu.Unlock()
}

// Subjects decodes the Subject of every message received.
func (s *Server) Subjects() []string {
	var out []string
	dec := new(mimeDecoder)
	for _, m := range s.Messages() {
		p, err := m.Parsed()
		if err != nil {
			out = append(out, "!"+err.Error())
			continue
		}
		out = append(out, dec.decode(p.Header.Get("Subject")))
	}
	return out
}

type mimeDecoder struct{}

func (mimeDecoder) decode(s string) string {
	d, err := (&mimeWordDecoder).DecodeHeader(s)
	if err != nil {
		return s
	}
	return strings.TrimSpace(d)
}

var mimeWordDecoder = mime.WordDecoder{}

// Parts decodes the message's body into its parts by media type
// ("text/plain", "text/html"), undoing base64 and quoted-printable.
func (m Message) Parts() (map[string]string, error) {
	p, err := m.Parsed()
	if err != nil {
		return nil, err
	}
	body, err := io.ReadAll(p.Body)
	if err != nil {
		return nil, err
	}
	out := map[string]string{}
	mt, params, err := mime.ParseMediaType(p.Header.Get("Content-Type"))
	if err != nil {
		return nil, err
	}
	if !strings.HasPrefix(mt, "multipart/") {
		out[mt] = string(decodeTransfer(p.Header.Get("Content-Transfer-Encoding"), body))
		return out, nil
	}
	r := multipart.NewReader(bytes.NewReader(body), params["boundary"])
	for {
		part, err := r.NextPart()
		if err == io.EOF {
			return out, nil
		}
		if err != nil {
			return nil, err
		}
		raw, _ := io.ReadAll(part)
		pt, _, _ := mime.ParseMediaType(part.Header.Get("Content-Type"))
		out[pt] = string(decodeTransfer(part.Header.Get("Content-Transfer-Encoding"), raw))
	}
}

func decodeTransfer(enc string, raw []byte) []byte {
	switch strings.ToLower(enc) {
	case "base64":
		dec, err := base64.StdEncoding.DecodeString(strings.Join(strings.Fields(string(raw)), ""))
		if err == nil {
			return dec
		}
	case "quoted-printable":
		if dec, err := io.ReadAll(quotedprintable.NewReader(bytes.NewReader(raw))); err == nil {
			return dec
		}
	}
	return raw
}
