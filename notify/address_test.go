package notify

import (
	"reflect"
	"testing"
	"time"
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

func TestParseLeads(t *testing.T) {
	got, err := ParseLeads("1d, 7d,3d,3d")
	if err != nil || !reflect.DeepEqual(got, []string{"7d", "3d", "1d"}) {
		t.Errorf("ParseLeads = %v, %v", got, err)
	}
	if got, err := ParseLeads("0d,12h"); err != nil || !reflect.DeepEqual(got, []string{"12h0m0s", "0d"}) {
		t.Errorf("ParseLeads hours = %v, %v", got, err)
	}
	for _, s := range []string{"", "-1d", "3 days", "1.5d", "400d", "-2h"} {
		if _, err := ParseLeads(s); err == nil {
			t.Errorf("%q accepted", s)
		}
	}
	if d, _ := ParseLead("3d"); d != 72*time.Hour {
		t.Errorf("3d = %v", d)
	}
}
