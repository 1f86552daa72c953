package tracker

import (
	"testing"
	"time"
)

func TestParseSchedule(t *testing.T) {
	from := time.Date(2019, 8, 27, 0, 30, 0, 0, time.UTC)
	tests := []struct {
		spec string
		next time.Time // zero: must be rejected
	}{
		{"0 */6 * * *", time.Date(2019, 8, 27, 6, 0, 0, 0, time.UTC)},
		{"@every 2h", from.Add(2 * time.Hour)},
		{"@daily", time.Date(2019, 8, 28, 0, 0, 0, 0, time.UTC)},
		{"CRON_TZ=Asia/Shanghai 0 9 * * *", time.Date(2019, 8, 27, 1, 0, 0, 0, time.UTC)},
		{"CRON_TZ=Asia/Shanghai", time.Time{}},
		{"TZ=Asia/Shanghai ", time.Time{}},
		{"", time.Time{}},
		{"* * *", time.Time{}},
		{"61 * * * *", time.Time{}},
		{"@fortnightly", time.Time{}},
	}
	for _, tt := range tests {
		s, err := ParseSchedule(tt.spec)
		if tt.next.IsZero() {
			if err == nil {
				t.Errorf("%q accepted", tt.spec)
			}
			continue
		}
		if err != nil {
			t.Errorf("%q: %v", tt.spec, err)
			continue
		}
		if got := s.Next(from); !got.Equal(tt.next) {
			t.Errorf("%q: next = %v, want %v", tt.spec, got, tt.next)
		}
	}
}
