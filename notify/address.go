// Package notify tells subscribers about windows: it plans reminders,
// renders and sends mail, digests and corrections, and writes iCal feeds.
package notify

import (
	"fmt"
	"net/mail"
	"strconv"
	"strings"
	"time"
)

// CheckAddress accepts a bare address (li@example.cn) and returns it
// trimmed. Display names, line breaks and addresses without a dotted domain
// are refused: they are typos or header injection, never a subscriber.
func CheckAddress(s string) (string, error) {
	s = strings.TrimSpace(s)
	if s == "" {
		return "", fmt.Errorf("email address is empty")
	}
	if strings.ContainsAny(s, "\r\n\t <>,;\"") {
		return "", fmt.Errorf("email address %q: must be a bare address such as li@example.cn", s)
	}
	a, err := mail.ParseAddress(s)
	if err != nil || a.Name != "" || a.Address != s {
		return "", fmt.Errorf("email address %q: not a valid address", s)
	}
	local, domain, _ := strings.Cut(s, "@")
	if local == "" || !strings.Contains(domain, ".") || strings.HasPrefix(domain, ".") || strings.HasSuffix(domain, ".") {
		return "", fmt.Errorf("email address %q: the domain must be a full name such as example.cn", s)
	}
	return s, nil
}

// ParseLead reads a lead time: whole days ("3d", "0d") or a Go duration
// ("12h"). Negative leads (after the event) are refused.
func ParseLead(s string) (time.Duration, error) {
	s = strings.TrimSpace(s)
	if d, ok := strings.CutSuffix(s, "d"); ok {
		n, err := strconv.Atoi(d)
		if err != nil || n < 0 || n > 366 {
			return 0, fmt.Errorf("lead time %q: want whole days from 0d to 366d", s)
		}
		return time.Duration(n) * 24 * time.Hour, nil
	}
	d, err := time.ParseDuration(s)
	if err != nil || d < 0 {
		return 0, fmt.Errorf("lead time %q: want days (3d) or a duration (12h)", s)
	}
	return d, nil
}

// ParseLeads reads a comma-separated list of lead times and returns them in
// their canonical spelling, longest first.
func ParseLeads(s string) ([]string, error) {
	var out []string
	var ds []time.Duration
	for _, p := range strings.Split(s, ",") {
		if strings.TrimSpace(p) == "" {
			continue
		}
		d, err := ParseLead(p)
		if err != nil {
			return nil, err
		}
		ds = append(ds, d)
	}
	if len(ds) == 0 {
		return nil, fmt.Errorf("lead times %q: empty", s)
	}
	// Sort longest first, dropping repeats.
	for i := 1; i < len(ds); i++ {
		for j := i; j > 0 && ds[j] > ds[j-1]; j-- {
			ds[j], ds[j-1] = ds[j-1], ds[j]
		}
	}
	for i, d := range ds {
		if i > 0 && d == ds[i-1] {
			continue
		}
		out = append(out, FormatLead(d))
	}
	return out, nil
}

// FormatLead spells a lead time the way ParseLead reads it.
func FormatLead(d time.Duration) string {
	if d%(24*time.Hour) == 0 {
		return strconv.Itoa(int(d/(24*time.Hour))) + "d"
	}
	return d.String()
}
