// Package tracker watches sources: it schedules checks, fetches pages
// politely, discovers notices on list pages and reads their windows.
package tracker

import (
	"errors"
	"fmt"
	"strings"

	"github.com/robfig/cron/v3"
)

// cronParser accepts the five standard fields and descriptors such as
// "@daily" and "@every 6h", with an optional CRON_TZ= prefix.
var cronParser = cron.NewParser(cron.Minute | cron.Hour | cron.Dom | cron.Month | cron.Dow | cron.Descriptor)

// ParseSchedule validates a cron spec. robfig/cron panics on a spec that is
// only a time-zone prefix ("CRON_TZ=Asia/Shanghai"), so that case is caught
// here, and any other panic is turned into an error too.
func ParseSchedule(spec string) (sched cron.Schedule, err error) {
	s := strings.TrimSpace(spec)
	if s == "" {
		return nil, errors.New("empty schedule")
	}
	if strings.HasPrefix(s, "TZ=") || strings.HasPrefix(s, "CRON_TZ=") {
		if _, rest, ok := strings.Cut(s, " "); !ok || strings.TrimSpace(rest) == "" {
			return nil, fmt.Errorf("schedule %q: a time zone with no schedule after it", spec)
		}
	}
	defer func() {
		if r := recover(); r != nil {
			sched, err = nil, fmt.Errorf("schedule %q: %v", spec, r)
		}
	}()
	sched, err = cronParser.Parse(s)
	if err != nil {
		return nil, fmt.Errorf("schedule %q: %w", spec, err)
	}
	return sched, nil
}
