// Package leadtime reads and writes reminder lead times: whole days ("3d",
// "0d" = on the day) or Go durations ("12h").
package leadtime

import (
	"fmt"
	"strconv"
	"strings"
	"time"
)

const day = 24 * time.Hour

// Parse reads one lead time. Negative ones (after the event) are refused.
func Parse(s string) (time.Duration, error) {
	s = strings.TrimSpace(s)
	if d, ok := strings.CutSuffix(s, "d"); ok {
		n, err := strconv.Atoi(d)
		if err != nil || n < 0 || n > 366 {
			return 0, fmt.Errorf("lead time %q: want whole days from 0d to 366d", s)
		}
		return time.Duration(n) * day, nil
	}
	d, err := time.ParseDuration(s)
	if err != nil || d < 0 {
		return 0, fmt.Errorf("lead time %q: want days (3d) or a duration (12h)", s)
	}
	return d, nil
}

// Format spells a lead time the way Parse reads it.
func Format(d time.Duration) string {
	if d%day == 0 {
		return strconv.Itoa(int(d/day)) + "d"
	}
	return d.String()
}

// ParseList reads a comma-separated list and returns it in canonical
// spelling, longest first, without repeats.
func ParseList(s string) ([]string, error) {
	var ds []time.Duration
	for _, p := range strings.Split(s, ",") {
		if strings.TrimSpace(p) == "" {
			continue
		}
		d, err := Parse(p)
		if err != nil {
			return nil, err
		}
		ds = append(ds, d)
	}
	if len(ds) == 0 {
		return nil, fmt.Errorf("lead times %q: empty", s)
	}
	for i := 1; i < len(ds); i++ {
		for j := i; j > 0 && ds[j] > ds[j-1]; j-- {
			ds[j], ds[j-1] = ds[j-1], ds[j]
		}
	}
	var out []string
	for i, d := range ds {
		if i == 0 || d != ds[i-1] {
			out = append(out, Format(d))
		}
	}
	return out, nil
}

// Durations parses stored lead times; nil stays nil (the defaults apply).
func Durations(l []string) ([]time.Duration, error) {
	if l == nil {
		return nil, nil
	}
	out := make([]time.Duration, 0, len(l))
	for _, s := range l {
		d, err := Parse(s)
		if err != nil {
			return nil, err
		}
		out = append(out, d)
	}
	return out, nil
}
