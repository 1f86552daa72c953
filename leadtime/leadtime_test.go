package leadtime

import (
	"reflect"
	"testing"
	"time"
)

func TestParseList(t *testing.T) {
	got, err := ParseList("1d, 7d,3d,3d")
	if err != nil || !reflect.DeepEqual(got, []string{"7d", "3d", "1d"}) {
		t.Errorf("ParseLeads = %v, %v", got, err)
	}
	if got, err := ParseList("0d,12h"); err != nil || !reflect.DeepEqual(got, []string{"12h0m0s", "0d"}) {
		t.Errorf("ParseLeads hours = %v, %v", got, err)
	}
	for _, s := range []string{"", "-1d", "3 days", "1.5d", "400d", "-2h"} {
		if _, err := ParseList(s); err == nil {
			t.Errorf("%q accepted", s)
		}
	}
	if d, _ := Parse("3d"); d != 72*time.Hour {
		t.Errorf("3d = %v", d)
	}
}
