package web

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"sort"
	"sync/atomic"
	"testing"
	"time"

	"github.com/grantwatch/grantwatch/store"
)

// BenchmarkFeedHTTP5000 serves a subscriber's feed of 5,000 windows (5,000
// notices of 2 KB text each, among 10,000 stored) over loopback HTTP:
// cold (the first request: the listing read and the feed drawn), warm
// (again: from memory), a conditional request that the ETag answers with
// 304, the first request of other subscribers (the listing in memory, their
// feed drawn), a keyword subscriber's feed, first and again, and a
// feed's first request after a notice was stored; each the median of 5
// but for the firsts. Default configuration. Twice: as Go's HTTP client
// asks (gzip, unpacked by the client, its time counted) and asking for
// the plain body ("identity"). The second round's "cold" finds the
// listing in memory, drawn feeds are kept gzipped in both.
func BenchmarkFeedHTTP5000(b *testing.B) {
	t := &testing.T{}
	e := newEnv(t, false)
	ctx := context.Background()
	text := ""
	for len(text) < 2000 {
		text += "各有关单位：根据工作安排，现将有关事项通知如下。请于2019年9月30日前报送申报材料。"
	}
	for i := 0; i < 10000; i++ {
		closes := "2019-09-30"
		if i%2 == 1 {
			closes = "2019-06-30" // long past: not in any feed
		}
		if _, err := e.db.SaveNotice(ctx, store.Notice{URL: fmt.Sprintf("https://kjt.example.gov.cn/tzgg/%d.html", i),
			Title: fmt.Sprintf("关于组织申报2019年度第%d批重点研发计划项目的通知", i), Region: "山西", Text: text},
			[]store.Window{{Key: "k", Label: "网络申报", Opens: "2019-08-30", Closes: closes, ClosesTime: "17:00", Evidence: "请于2019年9月30日前报送申报材料"}}, ""); err != nil {
			b.Fatal(err)
		}
	}
	all, _ := e.db.AddSubscriber(ctx, store.Subscriber{Email: "all@example.cn", Status: "active"})
	kw, _ := e.db.AddSubscriber(ctx, store.Subscriber{Email: "kw@example.cn", Status: "active", Keywords: []string{"第1批", "重点研发计划项目"}})
	// Subscribers whose first request comes after the listing is in memory:
	// their feed is drawn (filtered and rendered) but not read again.
	var others []store.Subscriber
	for j := 0; j < 5; j++ {
		o, _ := e.db.AddSubscriber(ctx, store.Subscriber{Email: fmt.Sprintf("sx%d@example.cn", j), Status: "active", Regions: []string{"山西"}})
		others = append(others, o)
	}
	var enc string // the request's Accept-Encoding; "": Go's client asks for gzip and unpacks
	get := func(token, etag string) (time.Duration, int, string) {
		req, _ := http.NewRequest("GET", e.srv.URL+"/feed/"+token+".ics", nil)
		if enc != "" {
			// Set by hand, the client leaves the body as it comes.
			req.Header.Set("Accept-Encoding", enc)
		}
		if etag != "" {
			req.Header.Set("If-None-Match", etag)
		}
		start := time.Now()
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			b.Fatal(err)
		}
		n, _ := io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
		d := time.Since(start)
		_ = n
		return d, resp.StatusCode, resp.Header.Get("ETag")
	}
	median := func(f func() time.Duration) time.Duration {
		var ds []time.Duration
		for i := 0; i < 5; i++ {
			ds = append(ds, f())
		}
		sort.Slice(ds, func(i, j int) bool { return ds[i] < ds[j] })
		return ds[2]
	}
	for _, enc = range []string{"", "identity"} {
		name := "gzip"
		if enc != "" {
			name = enc
		}
		b.Run(name, func(b *testing.B) { feedHTTPRound(b, name, e, all, kw, others, text, get, median) })
	}
}

// benchChanges numbers the notices stored to change the listing, so that
// every one is new whatever -count says.
var benchChanges atomic.Int64

func feedHTTPRound(b *testing.B, round string, e *env, all, kw store.Subscriber, others []store.Subscriber, text string,
	get func(token, etag string) (time.Duration, int, string), median func(func() time.Duration) time.Duration) {
	ctx := context.Background()
	for i := 0; i < b.N; i++ {
		cold, status, etag := get(all.FeedToken, "")
		if status != 200 {
			b.Fatalf("status %d", status)
		}
		warm := median(func() time.Duration { d, _, _ := get(all.FeedToken, ""); return d })
		notModified := median(func() time.Duration {
			d, st, _ := get(all.FeedToken, etag)
			if st != http.StatusNotModified {
				b.Fatalf("conditional: %d", st)
			}
			return d
		})
		next := 0
		firstOfSub := median(func() time.Duration { d, _, _ := get(others[next].FeedToken, ""); next++; return d })
		keywordFirst, _, _ := get(kw.FeedToken, "")
		keyword := median(func() time.Duration { d, _, _ := get(kw.FeedToken, ""); return d })
		// One notice stored with a new window, then a subscriber's feed: the
		// listing is brought up to date from the change, not read again.
		changes := 0
		afterChange := median(func() time.Duration {
			changes++
			if _, err := e.db.SaveNotice(ctx, store.Notice{URL: fmt.Sprintf("https://kjt.example.gov.cn/tzgg/new-%s-%d-%d.html", round, benchChanges.Add(1), changes),
				Title: "关于组织申报新增项目的通知", Region: "山西", Text: text},
				[]store.Window{{Key: "k", Label: "网络申报", Closes: "2019-09-28"}}, ""); err != nil {
				b.Fatal(err)
			}
			d, st, _ := get(others[0].FeedToken, "")
			if st != 200 {
				b.Fatalf("after a change: %d", st)
			}
			return d
		})
		b.ReportMetric(float64(cold.Microseconds())/1000, "ms_cold")
		b.ReportMetric(float64(warm.Microseconds())/1000, "ms_warm")
		b.ReportMetric(float64(notModified.Microseconds())/1000, "ms_304")
		b.ReportMetric(float64(firstOfSub.Microseconds())/1000, "ms_first_of_sub")
		b.ReportMetric(float64(keywordFirst.Microseconds())/1000, "ms_keyword_first")
		b.ReportMetric(float64(keyword.Microseconds())/1000, "ms_keyword")
		b.ReportMetric(float64(afterChange.Microseconds())/1000, "ms_after_change")
	}
}
