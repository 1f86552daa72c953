package store

import (
	"context"
	"fmt"
	"strings"
	"testing"
)

// BenchmarkSaveFetchedNotice stores new notices as a crawl does: a page of
// about 2 KB of text with two windows and its fetch state, one save (and
// commit) at a time, on the default SQLite store.
func BenchmarkSaveFetchedNotice(b *testing.B) {
	db, err := Open(context.Background(), b.TempDir()+"/gw.db", WithClock(fixedClock(t0)))
	if err != nil {
		b.Fatal(err)
	}
	defer db.Close()
	ctx := context.Background()
	src, err := db.AddSource(ctx, Source{URL: "http://kjt.example/tzgg/", Kind: "list"})
	if err != nil {
		b.Fatal(err)
	}
	text := strings.Repeat("各有关单位：根据工作安排，现将有关事项通知如下。", 30) + "网络申报时间为2019年8月30日至9月30日，纸质材料请于10月10日前报送。"
	st := &NoticeFetchState{ETag: `"5d64"`, LastModified: "Tue, 27 Aug 2019 01:00:00 GMT", Attachments: []Attachment{}}
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		_, err := db.SaveFetchedNotice(ctx, Notice{SourceID: src.ID, URL: fmt.Sprintf("http://kjt.example/tzgg/%d.html", i),
			Title: "关于组织申报2019年度重点研发计划项目的通知", Text: text, Status: "active"},
			[]Window{{Key: "online", Label: "网络申报", Opens: "2019-08-30", Closes: "2019-09-30", Evidence: "网络申报时间为2019年8月30日至9月30日"},
				{Key: "paper", Label: "纸质材料", Closes: "2019-10-10", Evidence: "纸质材料请于10月10日前报送"}}, "crawl", st)
		if err != nil {
			b.Fatal(err)
		}
	}
}
