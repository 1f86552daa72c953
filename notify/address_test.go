package notify

import (
	"testing"
)

func TestCheckAddress(t *testing.T) {
	ok := []string{"li@example.cn", " wang.wei+grants@mail.sxkjt.gov.cn "}
	bad := []string{"", "li", "li@", "@example.cn", "li@localhost", "Li <li@example.cn>", "li@example.cn\r\nBcc: x@y.cn",
		"li@example.cn,wang@example.cn", "li@@example.cn", "li@example.", "li wei@example.cn"}
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
