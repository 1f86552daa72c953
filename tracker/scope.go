package tracker

import (
	"net"
	"net/url"
	"strings"
)

// Scope is where a source's fetches may go: its own host and port, and the
// hosts it allows besides. A port is part of it: `allow_private =
// ["127.0.0.1"]` lets a source on 127.0.0.1:8080 be fetched, not every
// service on 127.0.0.1 that a link or a redirect names.
//
// On the default ports, http and https of one host count as one site
// (government sites move between them, and links mix them); a source on
// another port keeps its own scheme and port.
type Scope struct {
	origins map[string]bool // scheme://host:port, lower case
}

func defaultPort(scheme string) string {
	if scheme == "https" {
		return "443"
	}
	return "80"
}

func originKey(scheme, host, port string) string {
	return scheme + "://" + net.JoinHostPort(strings.ToLower(host), port)
}

// NewScope is the scope of a source at base allowing allowHosts besides
// ("host" for its default ports, "host:port" for one port).
func NewScope(base string, allowHosts []string) Scope {
	s := Scope{origins: map[string]bool{}}
	if u, err := url.Parse(base); err == nil && u.Hostname() != "" {
		s.add(u.Scheme, u.Hostname(), u.Port())
	}
	for _, h := range allowHosts {
		h = strings.TrimSpace(h)
		if host, port, err := net.SplitHostPort(h); err == nil {
			s.add("http", host, port)
			s.add("https", host, port)
		} else if h != "" {
			s.add("http", h, "")
		}
	}
	return s
}

func (s Scope) add(scheme, host, port string) {
	if port == "" || port == defaultPort(scheme) {
		s.origins[originKey("http", host, "80")] = true
		s.origins[originKey("https", host, "443")] = true
		return
	}
	s.origins[originKey(scheme, host, port)] = true
}

// Contains reports whether u is within the scope.
func (s Scope) Contains(u *url.URL) bool {
	if u == nil || (u.Scheme != "http" && u.Scheme != "https") || u.Hostname() == "" {
		return false
	}
	port := u.Port()
	if port == "" {
		port = defaultPort(u.Scheme)
	}
	return s.origins[originKey(u.Scheme, u.Hostname(), port)]
}
