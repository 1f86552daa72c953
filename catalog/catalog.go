// Package catalog is the built-in list of known 通知公告 columns: the
// provincial 科技厅, 工信厅, 发改委 and 商务厅 of all 31 provinces, the
// national ministries that fund projects, and some others, each with its
// region, issuer, tags and whether its list is built by script. The list
// was compiled from public sources (the departments' sites as RSSHub's
// routes and public crawler code document them, the URLs of their
// notices); SOURCES.md says how. No machine that built it could reach the
// sites, so every entry is unverified until a crawl confirms it.
package catalog

import (
	_ "embed"
	"encoding/json"
	"fmt"
	"net/url"
	"slices"
	"sort"
)

//go:embed columns.json
var columnsJSON []byte

// Column is one known 通知公告 column.
type Column struct {
	Name       string   `json:"name"`
	URL        string   `json:"url"`
	Region     string   `json:"region"`
	Issuer     string   `json:"issuer"`
	Tags       []string `json:"tags"`
	Render     bool     `json:"render"`
	Source     string   `json:"source"`     // where the URL was learned
	Confidence string   `json:"confidence"` // column URL seen, derived from notice URL, site only
}

// Columns returns the catalogue, sorted by region, then issuer.
func Columns() ([]Column, error) {
	var cs []Column
	if err := json.Unmarshal(columnsJSON, &cs); err != nil {
		return nil, fmt.Errorf("catalog: %w", err)
	}
	for i, c := range cs {
		u, err := url.Parse(c.URL)
		if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
			return nil, fmt.Errorf("catalog entry %d (%s): bad URL %q", i, c.Name, c.URL)
		}
	}
	sort.SliceStable(cs, func(i, j int) bool {
		if cs[i].Region != cs[j].Region {
			return cs[i].Region < cs[j].Region
		}
		return cs[i].Issuer < cs[j].Issuer
	})
	return cs, nil
}

// Tagged returns the columns carrying tag (科技厅, 浙江, 国家级 …).
func Tagged(cs []Column, tag string) []Column {
	var out []Column
	for _, c := range cs {
		if slices.Contains(c.Tags, tag) || c.Region == tag {
			out = append(out, c)
		}
	}
	return out
}

// TagCounts counts the columns of each tag.
func TagCounts(cs []Column) map[string]int {
	m := map[string]int{}
	for _, c := range cs {
		for _, t := range c.Tags {
			m[t]++
		}
	}
	return m
}
