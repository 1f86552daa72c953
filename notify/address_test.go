package notify

import (
	"strings"
	"testing"
)

func TestCheckAddress(t *testing.T) {
	// RFC 5321 limits: 64 octets before @, 254 in all.
	local64 := strings.Repeat("a", 64)
	domain := strings.Repeat("d", 63) + "." + strings.Repeat("e", 63) + "." + strings.Repeat("f", 58) + ".cn" // 189: the address is 254
	ok := []string{"li@example.cn", " wang.wei+grants@mail.sxkjt.gov.cn ", local64 + "@example.cn", local64 + "@" + domain}
	bad := []string{"", "li", "li@", "@example.cn", "li@localhost", "Li <li@example.cn>", "li@example.cn\r\nBcc: x@y.cn",
		"li@example.cn,wang@example.cn", "li@@example.cn", "li@example.", "li wei@example.cn",
		local64 + "a@example.cn", strings.Repeat("a", 5000) + "@example.cn", local64 + "@" + domain + "x"}
	for _, s := range ok {
		if _, err := CheckAddress(s); err != nil {
			t.Errorf("%q refused: %v", s, err)
		}
	}
	for _, s := range bad {
		if got, err := CheckAddress(s); err == nil {
			t.Errorf("%q accepted as %q", s, got)
		}
	}
}
