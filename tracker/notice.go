package tracker

import (
	"crypto/sha256"
	"encoding/hex"
	"net/url"
	"strconv"
	"strings"

	"github.com/grantwatch/grantwatch/store"
	"github.com/grantwatch/grantwatch/tracker/extract"
)

// StoreWindows gives extracted windows the keys that identify them across
// re-extractions: the stage label, with an ordinal when a notice names the
// same stage twice. Dates are not part of the key, so a window whose dates
// move keeps its identity and its history.
func StoreWindows(ws []extract.Window) []store.Window {
	out := make([]store.Window, 0, len(ws))
	seen := map[string]int{}
	for _, w := range ws {
		key := strings.Join(strings.Fields(w.What), "")
		if key == "" {
			key = "申报"
		}
		seen[key]++
		if n := seen[key]; n > 1 {
			key += "#" + strconv.Itoa(n)
		}
		out = append(out, store.Window{Key: key, Label: w.What, Opens: w.Opens, Closes: w.Closes,
			ClosesTime: w.ClosesTime, Evidence: w.Evidence, EvidenceStart: w.Start, EvidenceEnd: w.End})
	}
	return out
}

// keepKeys gives re-read windows the keys of the stored windows they
// continue when an edit renamed their stage (纸质材料报送 → 纸质材料): a new
// window whose key is not stored takes the key of the one stored active
// window without a successor that has its stage kind, or, when one window
// is left on each side, of that one. Keys stay unique.
func keepKeys(stored []store.Window, ws []store.Window) {
	active := map[string]bool{}
	for _, o := range stored {
		if o.Status == "active" {
			active[o.Key] = true
		}
	}
	taken := map[string]bool{}
	var loose []int
	for i, w := range ws {
		if active[w.Key] {
			taken[w.Key] = true
		} else {
			loose = append(loose, i)
		}
	}
	var left []store.Window
	for _, o := range stored {
		if o.Status == "active" && !taken[o.Key] {
			left = append(left, o)
		}
	}
	if len(left) == 0 || len(loose) == 0 {
		return
	}
	used := make([]bool, len(left))
	var still []int
	for _, i := range loose {
		kind, match, count := extract.StageKind(ws[i].Label), -1, 0
		for j, o := range left {
			if !used[j] && extract.StageKind(o.Label) == kind {
				match, count = j, count+1
			}
		}
		if count == 1 {
			used[match] = true
			ws[i].Key = left[match].Key
		} else {
			still = append(still, i)
		}
	}
	var rest []int
	for j := range left {
		if !used[j] {
			rest = append(rest, j)
		}
	}
	if len(still) == 1 && len(rest) == 1 {
		ws[still[0]].Key = left[rest[0]].Key
	}
}

// ContentHash identifies a notice text; a changed hash means re-extraction.
func ContentHash(text string) string {
	h := sha256.Sum256([]byte(text))
	return hex.EncodeToString(h[:])
}

// CanonicalURL is the form a notice URL is stored in: absolute http(s),
// host lower-cased, no fragment, no default port. ok is false for anything
// that is not an http(s) URL with a host.
func CanonicalURL(raw string) (string, bool) {
	u, err := url.Parse(strings.TrimSpace(raw))
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Hostname() == "" {
		return "", false
	}
	u.Fragment, u.RawFragment = "", ""
	u.Host = strings.ToLower(u.Host)
	if (u.Scheme == "http" && u.Port() == "80") || (u.Scheme == "https" && u.Port() == "443") {
		u.Host = u.Hostname()
	}
	if u.Path == "" {
		u.Path = "/"
	}
	return u.String(), true
}
