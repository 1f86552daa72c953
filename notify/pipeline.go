package notify

import (
	"bytes"
	"errors"
	"fmt"
	"strings"
	"sync"
	"time"

	"github.com/wneessen/go-mail"
	"github.com/wneessen/go-mail/smtp"
)

// errNotTaken marks a transaction that failed at its first command (no
// reply, or a refusal: a server that dropped an idle session answers 421
// before it closes): nothing of the message was taken, so a kept
// connection may be replaced and the message sent at once.
var errNotTaken = errors.New("MAIL FROM failed")

// sendPipelined sends msg in one SMTP transaction with its commands
// pipelined (RFC 2920): MAIL, RCPT and DATA go out in one write and their
// replies are read together, then the message and its final reply — two
// round trips where the client library's sequence (MAIL, RCPT, DATA, the
// message, RSET) waits five times. A reply that is not the one expected
// ends the transaction with that reply as the error; the caller closes the
// connection after any error, so no RSET is needed to resynchronise.
func sendPipelined(c *smtp.Client, msg *mail.Msg, timeout time.Duration, before func()) error {
	from, err := msg.GetSender(false)
	if err != nil {
		return fmt.Errorf("sender: %w", err)
	}
	rcpts, err := msg.GetRecipients()
	if err != nil {
		return fmt.Errorf("recipients: %w", err)
	}
	for _, a := range append([]string{from}, rcpts...) {
		// The addresses come from the store; a line break in one would
		// smuggle a command in.
		if strings.ContainsAny(a, "\r\n") {
			return fmt.Errorf("address %q holds a line break", a)
		}
	}
	if timeout > 0 {
		if err := c.UpdateDeadline(timeout); err != nil {
			return fmt.Errorf("%w: %w", errNotTaken, err)
		}
	}
	mailCmd := "MAIL FROM:" + from
	if ok, _ := c.Extension("SMTPUTF8"); ok && !isASCII(from+strings.Join(rcpts, "")) {
		mailCmd += " SMTPUTF8"
	}
	t := c.Text
	t.W.WriteString(mailCmd + "\r\n")
	for _, r := range rcpts {
		t.W.WriteString("RCPT TO:" + r + "\r\n")
	}
	t.W.WriteString("DATA\r\n")
	if err := t.W.Flush(); err != nil {
		return fmt.Errorf("%w: %w", errNotTaken, err)
	}
	// The message goes out in one write: drawn into a buffer, its lines
	// ended with CRLF and dot-stuffed in one pass, the end-of-data line
	// added. (textproto's DotWriter does the same a byte at a time, and a
	// 4 KB buffer flushed in the middle costs a second write.) It is
	// drawn while the server reads the commands.
	raw := bufPool.Get().(*bytes.Buffer)
	out := bufPool.Get().(*bytes.Buffer)
	defer bufPool.Put(raw)
	defer bufPool.Put(out)
	raw.Reset()
	out.Reset()
	_, drawErr := msg.WriteTo(raw)
	if drawErr == nil {
		dotStuff(out, raw.Bytes())
	}
	if _, _, err := t.ReadResponse(250); err != nil {
		return fmt.Errorf("%w: %w", errNotTaken, err)
	}
	for _, r := range rcpts {
		if _, _, err := t.ReadResponse(25); err != nil {
			return fmt.Errorf("RCPT TO %s: %w", r, err)
		}
	}
	if _, _, err := t.ReadResponse(354); err != nil {
		return fmt.Errorf("DATA: %w", err)
	}
	if drawErr != nil {
		// The server waits for data: the session is dropped, not reused.
		return fmt.Errorf("message: %w", drawErr)
	}
	before()
	if timeout > 0 {
		// before may have waited (for a commit): the message gets its
		// whole time still.
		if err := c.UpdateDeadline(timeout); err != nil {
			return fmt.Errorf("message: %w", err)
		}
	}
	if _, err := t.W.Write(out.Bytes()); err != nil {
		return fmt.Errorf("message: %w", err)
	}
	if err := t.W.Flush(); err != nil {
		return fmt.Errorf("message end: %w", err)
	}
	if _, _, err := t.ReadResponse(250); err != nil {
		return fmt.Errorf("message: %w", err)
	}
	return nil
}

var bufPool = sync.Pool{New: func() any { return new(bytes.Buffer) }}

// dotStuff writes msg as SMTP DATA content (RFC 5321 4.5.2) exactly as
// textproto's DotWriter does (TestDotStuffAsDotWriter): a line that starts
// with a dot gets a second one, an LF without its CR gets one, and the
// end-of-data line follows. DotWriter's CR rule: in a run of CRs, every
// other one (the first, third …) waits for an LF, so an LF after an odd
// run ends the line as it is, after an even run (or none) it gets a CR.
func dotStuff(out *bytes.Buffer, msg []byte) {
	out.Grow(len(msg) + len(msg)/64 + 5)
	if len(msg) == 0 {
		out.WriteString("\r\n.\r\n")
		return
	}
	for len(msg) > 0 {
		if msg[0] == '.' {
			out.WriteByte('.')
		}
		i := bytes.IndexByte(msg, '\n')
		if i < 0 {
			out.Write(msg)
			if crRun(msg)%2 == 1 {
				out.WriteString("\n") // DotWriter ends a line left at a CR
			} else {
				out.WriteString("\r\n")
			}
			break
		}
		line := msg[:i]
		out.Write(line)
		if crRun(line)%2 == 0 {
			out.WriteByte('\r')
		}
		out.WriteByte('\n')
		msg = msg[i+1:]
	}
	out.WriteString(".\r\n")
}

// crRun is how many CRs end b.
func crRun(b []byte) int {
	n := 0
	for n < len(b) && b[len(b)-1-n] == '\r' {
		n++
	}
	return n
}

func isASCII(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] >= 0x80 {
			return false
		}
	}
	return true
}
