package tracker

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/netip"
	"net/url"
	"strconv"
	"strings"
)

// ErrBlockedAddress is what CheckAddress wraps when the fetcher would
// refuse every address of a URL's host: the dial-time guard's own error.
var ErrBlockedAddress = errBlockedAddress

// blockedError says why a host is refused, in words an operator can act
// on; it unwraps to the guard's own error.
type blockedError struct {
	reason    string
	allowable bool // fetch.allow_private could let it through
}

func (e *blockedError) Error() string {
	if e.allowable {
		return e.reason + ", never fetched unless fetch.allow_private allows it"
	}
	return e.reason
}

func (e *blockedError) Unwrap() error { return errBlockedAddress }

// ErrUnresolved is what CheckAddress wraps when the host name does not
// resolve now. DNS can be down, so callers warn rather than refuse.
var ErrUnresolved = errors.New("host name does not resolve")

// CheckAddress tells, before a URL is stored as a source, whether this
// fetcher could ever connect to it. It makes the decision the dial-time
// guard makes (allow_private by host name first, then every resolved
// address through ipAllowed, with the fetcher's resolver), so that a source
// that would fail on every crawl is refused when it is added rather than
// found failing later. It also refuses an IPv4 address written as one
// number or in hex or octal parts (http://2130706433/): browsers and some
// resolvers read it as 127.0.0.1, Go's as a name that never resolves.
//
// It returns nil when the host can be fetched, an error wrapping
// ErrBlockedAddress when it never can, and one wrapping ErrUnresolved when
// the name does not resolve now. The lookup is bounded by the dial timeout.
func (f *Fetcher) CheckAddress(ctx context.Context, rawURL string) error {
	u, err := url.Parse(rawURL)
	if err != nil {
		return err
	}
	if u.Scheme != "http" && u.Scheme != "https" {
		return fmt.Errorf("%s: only http(s) URLs are fetched", u.Scheme)
	}
	host := strings.ToLower(u.Hostname())
	if host == "" {
		return errors.New("no host")
	}
	if f.allowHN[host] {
		return nil
	}
	if ip, err := netip.ParseAddr(host); err == nil {
		ip = ip.Unmap()
		if !f.ipAllowed(ip) {
			return &blockedError{fmt.Sprintf("%s is %s", ip, addrKind(ip)), true}
		}
		return nil
	}
	if ip, ok := numericIPv4(host); ok {
		// Refused even when public: Go's resolver would look it up as a
		// name and fail on every crawl.
		return &blockedError{fmt.Sprintf("host %s is the IPv4 address %s (%s) in a numeric form that is not fetched; write it as %s",
			host, ip, addrKind(ip), ip), false}
	}
	var addrs []netip.Addr
	if name := strings.TrimSuffix(host, "."); name == "localhost" || strings.HasSuffix(name, ".localhost") {
		// RFC 6761: these names are loopback whatever DNS says.
		addrs = []netip.Addr{netip.IPv6Loopback(), netip.AddrFrom4([4]byte{127, 0, 0, 1})}
	} else {
		r := f.cfg.Resolver
		if r == nil {
			r = net.DefaultResolver
		}
		if f.cfg.DialTimeout > 0 {
			var cancel context.CancelFunc
			ctx, cancel = context.WithTimeout(ctx, f.cfg.DialTimeout)
			defer cancel()
		}
		addrs, err = r.LookupNetIP(ctx, "ip", host)
		if err != nil || len(addrs) == 0 {
			return fmt.Errorf("look up %s: %w (%v)", host, ErrUnresolved, err)
		}
	}
	// The dialer tries every address and the guard refuses only the
	// blocked ones, so one allowed address is enough.
	var refused []string
	for _, a := range addrs {
		a = a.Unmap()
		if f.ipAllowed(a) {
			return nil
		}
		refused = append(refused, a.String()+" ("+addrKind(a)+")")
	}
	return &blockedError{fmt.Sprintf("host %s resolves only to %s", host, strings.Join(refused, ", ")), true}
}

// addrKind names the class of address the guard refuses, for messages.
func addrKind(ip netip.Addr) string {
	switch {
	case ip.IsLoopback():
		return "a loopback address"
	case ip.IsPrivate():
		return "a private address"
	case ip.IsLinkLocalUnicast(), ip.IsLinkLocalMulticast():
		return "a link-local address"
	case ip.IsUnspecified():
		return "the unspecified address"
	case ip.IsMulticast(), ip.IsInterfaceLocalMulticast():
		return "a multicast address"
	case isSharedOrReserved(ip):
		return "a shared or reserved address"
	}
	return "a public address"
}

// numericIPv4 reads a host the way inet_aton and the WHATWG URL parser do:
// one to four parts, each decimal, 0x-hex or 0-octal, the last filling the
// remaining bytes. It reports ok only for spellings other than the dotted
// decimal one that netip already reads.
func numericIPv4(host string) (netip.Addr, bool) {
	parts := strings.Split(strings.TrimSuffix(host, "."), ".")
	if len(parts) > 4 {
		return netip.Addr{}, false
	}
	nums := make([]uint64, len(parts))
	for i, p := range parts {
		base, digits := 10, p
		switch {
		case strings.HasPrefix(p, "0x") || strings.HasPrefix(p, "0X"):
			base, digits = 16, p[2:]
			if digits == "" {
				digits = "0"
			}
		case len(p) > 1 && p[0] == '0':
			base, digits = 8, p[1:]
		}
		n, err := strconv.ParseUint(digits, base, 32)
		if p == "" || err != nil {
			return netip.Addr{}, false
		}
		nums[i] = n
	}
	last := nums[len(nums)-1]
	if last >= 1<<(8*(5-len(nums))) {
		return netip.Addr{}, false
	}
	v := uint32(last)
	for i, n := range nums[:len(nums)-1] {
		if n > 255 {
			return netip.Addr{}, false
		}
		v |= uint32(n) << (8 * (3 - i))
	}
	return netip.AddrFrom4([4]byte{byte(v >> 24), byte(v >> 16), byte(v >> 8), byte(v)}), true
}
