package tracker

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"time"
)

// robots is a parsed robots.txt: the rules of the group that applies to us.
type robots struct {
	rules      []robotsRule
	crawlDelay time.Duration
}

type robotsRule struct {
	allow bool
	path  string
}

type robotsEntry struct {
	once    sync.Once
	rules   *robots
	err     error // set when robots.txt could not be read: the host is skipped this time
	fetched time.Time
}

// robotsTTL is how long a host's robots.txt is trusted.
const robotsTTL = 12 * time.Hour

// checkRobots fetches (once per host and TTL) and applies robots.txt.
func (f *Fetcher) checkRobots(ctx context.Context, u *url.URL) error {
	origin := u.Scheme + "://" + u.Host
	f.mu.Lock()
	e, ok := f.robots[origin]
	if ok && time.Since(e.fetched) > robotsTTL {
		ok = false
	}
	if !ok {
		e = &robotsEntry{}
		f.robots[origin] = e
	}
	f.mu.Unlock()
	e.once.Do(func() {
		e.fetched = time.Now()
		e.rules, e.err = f.fetchRobots(ctx, origin)
		if e.err != nil {
			// Forget the failure, so that the next run asks again.
			f.mu.Lock()
			if f.robots[origin] == e {
				delete(f.robots, origin)
			}
			f.mu.Unlock()
		}
	})
	if e.err != nil {
		return &FetchError{URL: u.String(), Kind: "robots", Err: e.err}
	}
	if e.rules.crawlDelay > 0 {
		f.setDelay(hostKey(u), e.rules.crawlDelay)
	}
	path := u.EscapedPath()
	if u.RawQuery != "" {
		path += "?" + u.RawQuery
	}
	if !e.rules.allowed(path) {
		return &FetchError{URL: u.String(), Kind: "robots", Err: errors.New("disallowed by robots.txt")}
	}
	return nil
}

func (f *Fetcher) fetchRobots(ctx context.Context, origin string) (*robots, error) {
	u, _ := url.Parse(origin + "/robots.txt")
	resp, err := f.get(ctx, u, Request{URL: u.String()}, NewScope(u.String(), nil))
	if err != nil {
		var fe *FetchError
		if errors.As(err, &fe) && fe.Kind == "status" && fe.Status >= 400 && fe.Status < 500 && fe.Status != 429 {
			return &robots{}, nil // no robots.txt: everything is allowed
		}
		return nil, fmt.Errorf("robots.txt unavailable, will try later: %w", err)
	}
	return parseRobots(string(resp.Body), "grantwatch"), nil
}

// parseRobots reads the group for agent (or *, when agent has none).
func parseRobots(txt, agent string) *robots {
	type group struct {
		agents []string
		r      robots
	}
	var groups []*group
	var cur *group
	inAgents := false
	// Lines of the text in hand: a Scanner's 64 KB buffer, made and cleared
	// for every host's robots.txt, was a tenth of a crawl's first pass.
	for line := range strings.Lines(txt) {
		line = strings.TrimRight(line, "\r\n")
		if i := strings.IndexByte(line, '#'); i >= 0 {
			line = line[:i]
		}
		k, v, ok := strings.Cut(line, ":")
		if !ok {
			continue
		}
		k, v = strings.ToLower(strings.TrimSpace(k)), strings.TrimSpace(v)
		switch k {
		case "user-agent":
			if !inAgents || cur == nil {
				cur = &group{}
				groups = append(groups, cur)
			}
			cur.agents = append(cur.agents, strings.ToLower(v))
			inAgents = true
			continue
		case "allow", "disallow":
			if cur != nil && (v != "" || k == "allow") {
				cur.r.rules = append(cur.r.rules, robotsRule{allow: k == "allow", path: v})
			}
		case "crawl-delay":
			if cur != nil {
				if s, err := strconv.ParseFloat(v, 64); err == nil && s > 0 {
					cur.r.crawlDelay = min(time.Duration(s*float64(time.Second)), 60*time.Second)
				}
			}
		}
		inAgents = false
	}
	var star *robots
	for _, g := range groups {
		for _, a := range g.agents {
			if a != "*" && strings.Contains(agent, a) || a != "*" && strings.Contains(a, agent) {
				return &g.r
			}
			if a == "*" && star == nil {
				star = &g.r
			}
		}
	}
	if star != nil {
		return star
	}
	return &robots{}
}

// allowed applies the longest matching rule; Allow wins a tie.
func (r *robots) allowed(path string) bool {
	best, allow := -1, true
	for _, rule := range r.rules {
		if rule.path == "" {
			continue
		}
		if n, ok := robotsMatch(rule.path, path); ok && (n > best || n == best && rule.allow) {
			best, allow = n, rule.allow
		}
	}
	return allow
}

// robotsMatch matches a robots path pattern (with * and a trailing $).
func robotsMatch(pattern, path string) (int, bool) {
	anchored := strings.HasSuffix(pattern, "$")
	p := strings.TrimSuffix(pattern, "$")
	parts := strings.Split(p, "*")
	if !strings.HasPrefix(path, parts[0]) {
		return 0, false
	}
	rest := path[len(parts[0]):]
	for _, part := range parts[1:] {
		i := strings.Index(rest, part)
		if i < 0 {
			return 0, false
		}
		rest = rest[i+len(part):]
	}
	if anchored && rest != "" && !strings.HasSuffix(p, "*") {
		return 0, false
	}
	return len(pattern), true
}
