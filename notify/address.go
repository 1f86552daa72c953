// Package notify tells subscribers about windows: it plans reminders,
// renders and sends mail, digests and corrections, and writes iCal feeds.
package notify

import (
	"fmt"
	"net/mail"
	"strings"

	"github.com/grantwatch/grantwatch/leadtime"
)

const (
	maxAddress = 254
	maxLocal   = 64
)

// CheckAddress accepts a bare address (li@example.cn) and returns it
// trimmed. Display names, line breaks and addresses without a dotted domain
// are refused: they are typos or header injection, never a subscriber.
func CheckAddress(s string) (string, error) {
	s = strings.TrimSpace(s)
	if s == "" {
		return "", fmt.Errorf("email address is empty")
	}
	// RFC 5321 §4.5.3.1: a path is at most 256 octets with its brackets
	// (254 for the address), a local part at most 64.
	if len(s) > maxAddress {
		return "", fmt.Errorf("email address %.40q…: longer than %d characters", s, maxAddress)
	}
	if local, _, _ := strings.Cut(s, "@"); len(local) > maxLocal {
		return "", fmt.Errorf("email address %.40q…: the part before @ is longer than %d characters", s, maxLocal)
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

// ParseLead, ParseLeads and FormatLead are leadtime's, kept here for the
// callers that think of them as notification settings.
var (
	ParseLead  = leadtime.Parse
	ParseLeads = leadtime.ParseList
	FormatLead = leadtime.Format
)
