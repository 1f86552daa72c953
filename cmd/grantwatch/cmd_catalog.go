package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io/fs"
	"os"
	"sort"
	"strings"

	"github.com/grantwatch/grantwatch/catalog"
	"github.com/grantwatch/grantwatch/store"
)

func init() {
	register(command{name: "catalog", args: "[--tag TAG] [--json]",
		summary: "known 通知公告 columns (provincial 科技厅, 工信厅, 发改委, 商务厅, national ministries …) to add with source add --catalog TAG",
		flags:   catalogCmd})
}

// catalogEntry is what catalog --json prints (../shared/CONTRACT.md).
type catalogEntry struct {
	Name       string   `json:"name"`
	URL        string   `json:"url"`
	Region     string   `json:"region"`
	Issuer     string   `json:"issuer"`
	Tags       []string `json:"tags"`
	Render     bool     `json:"render"`
	Verified   bool     `json:"verified"`
	Confidence string   `json:"confidence"`
	Source     string   `json:"source"`
}

func catalogCmd(a *app, flags *flag.FlagSet) func(context.Context, []string) error {
	tag := flags.String("tag", "", "only the columns with this tag (科技厅, 浙江, 国家级 …)")
	asJSON := flags.Bool("json", false, "one JSON object per column")
	return func(ctx context.Context, args []string) error {
		if len(args) != 0 {
			return usagef("catalog: unexpected argument %q", args[0])
		}
		cols, err := catalog.Columns()
		if err != nil {
			return err
		}
		if *tag != "" {
			if cols = catalog.Tagged(cols, *tag); len(cols) == 0 {
				return usagef("catalog --tag %q: no column has that tag", *tag)
			}
		}
		verified, err := verifiedColumns(ctx, a)
		if err != nil {
			return err
		}
		entries := make([]catalogEntry, len(cols))
		for i, c := range cols {
			entries[i] = catalogEntry{Name: c.Name, URL: c.URL, Region: c.Region, Issuer: c.Issuer, Tags: c.Tags,
				Render: c.Render, Verified: verified[c.URL], Confidence: c.Confidence, Source: c.Source}
		}
		if *asJSON {
			return writeJSONLines(a.rawOut, entries)
		}
		t := newTable(a.rawOut, "REGION", "ISSUER", "TAGS", "RENDER", "VERIFIED", "URL")
		nv, nr := 0, 0
		for _, e := range entries {
			r, v := "-", "unverified"
			if e.Render {
				r, nr = "yes", nr+1
			}
			if e.Verified {
				v, nv = "yes", nv+1
			}
			t.row(e.Region, e.Issuer, strings.Join(e.Tags, ","), r, v, e.URL)
		}
		if err := t.flush(); err != nil {
			return err
		}
		counts := catalog.TagCounts(cols)
		var kinds []string
		for k, n := range counts {
			if !isRegionOrLevel(k) {
				kinds = append(kinds, fmt.Sprintf("%s %d", k, n))
			}
		}
		sort.Strings(kinds)
		fmt.Fprintf(a.stdout, "%d columns; by tag: %s; levels: 国家级 %d, 省级 %d, 市级 %d; %d need --render; %d verified by a crawl\n",
			len(cols), strings.Join(kinds, ", "), counts["国家级"], counts["省级"], counts["市级"], nr, nv)
		return nil
	}
}

func isRegionOrLevel(tag string) bool {
	switch tag {
	case "国家级", "省级", "市级", "全国":
		return true
	}
	for _, p := range []string{"北京", "天津", "河北", "山西", "内蒙古", "辽宁", "吉林", "黑龙江", "上海", "江苏", "浙江", "安徽", "福建",
		"江西", "山东", "河南", "湖北", "湖南", "广东", "广西", "海南", "重庆", "四川", "贵州", "云南", "西藏", "陕西", "甘肃",
		"青海", "宁夏", "新疆"} {
		if tag == p {
			return true
		}
	}
	// City names (深圳, 广州 …) are places too: they carry no department word.
	for _, w := range []string{"厅", "部", "委", "局", "办", "院"} {
		if strings.HasSuffix(tag, w) {
			return false
		}
	}
	return true
}

// verifiedColumns are the catalogue URLs that a crawl has read as a list
// with links, from the database when there is one (catalog never creates
// it).
func verifiedColumns(ctx context.Context, a *app) (map[string]bool, error) {
	out := map[string]bool{}
	if _, err := os.Stat(a.cfg.DB); !store.IsPostgres(a.cfg.DB) && errors.Is(err, fs.ErrNotExist) {
		return out, nil
	}
	db, err := a.openDB(ctx)
	if err != nil {
		return nil, err
	}
	defer db.Close()
	srcs, err := db.Sources(ctx)
	if err != nil {
		return nil, err
	}
	for _, s := range srcs {
		if catalogVerified(s) {
			out[s.Catalog] = true
		}
	}
	return out, nil
}

// catalogVerified: a source added from the catalogue that a crawl read
// with notice links found.
func catalogVerified(s store.Source) bool {
	return s.Catalog != "" && !s.LastSuccessAt.IsZero() && s.LinksFound > 0
}
