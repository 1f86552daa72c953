package main

import (
	"context"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/grantwatch/grantwatch/store"
)

// catalog lists the known columns (the fields of CONTRACT.md), source add
// --catalog adds a tag's columns once, and a column a crawl has read with
// links shows as verified in catalog and status.
func TestCatalogCommands(t *testing.T) {
	db := filepath.Join(t.TempDir(), "gw.db")
	cols := jsonLines(t, mustGW(t, "--db", db, "catalog", "--json"))
	if len(cols) < 131 {
		t.Fatalf("%d columns", len(cols))
	}
	for _, k := range []string{"name", "url", "region", "issuer", "tags", "render", "verified"} {
		if _, ok := cols[0][k]; !ok {
			t.Errorf("catalog --json: no %q in %v", k, cols[0])
		}
	}
	out := mustGW(t, "--db", db, "catalog", "--tag", "科技厅")
	if !strings.Contains(out, "31 columns") || !strings.Contains(out, "0 verified") {
		t.Errorf("catalog --tag 科技厅:\n%s", out[max(0, len(out)-300):])
	}
	out = mustGW(t, "--db", db, "source", "add", "--catalog", "科技厅")
	if !strings.Contains(out, "31 added, 0 already watched") {
		t.Errorf("source add --catalog:\n%s", out)
	}
	if out := mustGW(t, "--db", db, "source", "add", "--catalog", "科技厅"); !strings.Contains(out, "0 added, 31 already watched") {
		t.Errorf("second add:\n%s", out)
	}
	srcs := jsonLines(t, mustGW(t, "--db", db, "source", "list", "--json"))
	if len(srcs) != 31 || srcs[0]["catalog"] == "" || srcs[0]["region"] == "" {
		t.Errorf("sources %d: %v", len(srcs), srcs[0])
	}
	for _, bad := range [][]string{{"source", "add", "--catalog", "没有这个标签"}, {"source", "add", "--catalog", "科技厅", "http://x.cn/"}, {"catalog", "--tag", "没有"}} {
		if r := gw(t, append([]string{"--db", db}, bad...)...); r.code != 2 {
			t.Errorf("%v: exit %d", bad, r.code)
		}
	}

	// A crawl reads one of them with links: it is verified.
	st, err := store.Open(context.Background(), db)
	if err != nil {
		t.Fatal(err)
	}
	first, _ := st.Source(context.Background(), "1")
	if _, err := st.RecordCrawl(context.Background(), first.ID, store.CrawlResult{OK: true, LinksFound: 20, NextCheckAt: time.Now().Add(time.Hour)}); err != nil {
		t.Fatal(err)
	}
	st.Close()
	var verified []string
	for _, c := range jsonLines(t, mustGW(t, "--db", db, "catalog", "--json")) {
		if c["verified"] == true {
			verified = append(verified, c["url"].(string))
		}
	}
	if len(verified) != 1 || verified[0] != first.Catalog {
		t.Errorf("verified %v, want %s", verified, first.Catalog)
	}
	if out := mustGW(t, "--db", db, "status"); !strings.Contains(out, "catalogue   31 columns watched: 1 verified") {
		t.Errorf("status:\n%s", out)
	}
}
