// Package notify tells subscribers about windows: it plans reminders,
// renders and sends mail, digests and corrections, and writes iCal feeds.
package notify

import (
	"fmt"
	"net/mail"
	"strings"

	"github.com/grantwatch/grantwatch/leadtime"
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

// ParseLead, ParseLeads and FormatLead are leadtime's, kept here for the
// callers that think of them as notification settings.
var (
	ParseLead  = leadtime.Parse
	ParseLeads = leadtime.ParseList
	FormatLead = leadtime.Format
)
