package testsmtp

import (
	"bufio"
	"io"
	"net"
	"strings"
	"testing"
)

// WithoutPipelining starts a relay in front of the server that hides the
// PIPELINING extension from its EHLO reply, as servers without it answer,
// and returns the relay's address. Everything else passes unchanged, so
// clients meet the same real server, only without pipelining.
func (s *Server) WithoutPipelining(t testing.TB) (host string, port int) {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { ln.Close() })
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			go relayWithoutPipelining(c, s.Addr)
		}
	}()
	h, p, _ := net.SplitHostPort(ln.Addr().String())
	n := 0
	for _, c := range p {
		n = n*10 + int(c-'0')
	}
	return h, n
}

func relayWithoutPipelining(client net.Conn, addr string) {
	defer client.Close()
	server, err := net.Dial("tcp", addr)
	if err != nil {
		return
	}
	defer server.Close()
	go func() {
		io.Copy(server, client)
		server.Close()
	}()
	r := bufio.NewReader(server)
	for {
		line, err := r.ReadString('\n')
		if len(line) > 4 && strings.EqualFold(strings.TrimSpace(line[4:]), "PIPELINING") {
			if line[3] == ' ' {
				// The last line of the reply: it cannot be dropped, so it
				// says something harmless instead.
				line = line[:4] + "HELP\r\n"
			} else {
				line = ""
			}
		}
		if line != "" {
			if _, werr := io.WriteString(client, line); werr != nil {
				return
			}
		}
		if err != nil {
			return
		}
	}
}
