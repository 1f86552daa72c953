package store

import (
	"context"
	"fmt"
	"math/rand/v2"
	"reflect"
	"testing"
)

// A listing kept up to date from ListingChanges is, after every kind of
// change the store makes, the listing read afresh: new windows, moved
// dates, windows withdrawn, extended, notices renamed, gone, back and
// deleted (their windows with them), and a later day.
func TestListingChangesKeepUp(t *testing.T) {
	db, _ := openTest(t)
	ctx := context.Background()
	rng := rand.New(rand.NewPCG(1, 2))
	day := func(d int) string { return fmt.Sprintf("2019-%02d-%02d", 9+d/28, 1+d%28) }
	save := func(i int) {
		var ws []Window
		for k := 0; k < rng.IntN(3); k++ {
			w := Window{Key: fmt.Sprintf("k%d", k), Label: "申报", Evidence: fmt.Sprintf("证据%d", rng.IntN(3))}
			switch rng.IntN(3) {
			case 0:
				w.Opens = day(rng.IntN(40))
			case 1:
				w.Closes = day(rng.IntN(40))
			default:
				w.Opens, w.Closes = day(rng.IntN(20)), day(20+rng.IntN(20))
			}
			ws = append(ws, w)
		}
		title := fmt.Sprintf("关于申报第%d批项目的通知", rng.IntN(2))
		if _, err := db.SaveNotice(ctx, Notice{URL: fmt.Sprintf("https://a.gov.cn/%d.html", i), Title: title, Text: title, Region: "山西"}, ws, "test"); err != nil {
			t.Fatal(err)
		}
	}
	for i := 0; i < 40; i++ {
		save(i)
	}
	since := day(10)
	version, list, err := db.Listing(ctx, since)
	if err != nil {
		t.Fatal(err)
	}
	if len(list) == 0 {
		t.Fatal("empty listing: the test has nothing to keep up")
	}
	next := 40
	for round := 0; round < 30; round++ {
		for k := 0; k < 1+rng.IntN(4); k++ {
			switch rng.IntN(6) {
			case 0:
				save(next)
				next++
			case 1, 2:
				save(rng.IntN(next)) // dates moved, windows added or withdrawn, title changed
			case 3:
				n, err := db.NoticeByURL(ctx, fmt.Sprintf("https://a.gov.cn/%d.html", rng.IntN(next)))
				if err == nil {
					status := []string{"active", "gone"}[rng.IntN(2)]
					if err := db.SetNoticeStatus(ctx, n.ID, status); err != nil {
						t.Fatal(err)
					}
				}
			case 4:
				if len(list) > 0 {
					w := list[rng.IntN(len(list))]
					if err := db.ExtendWindow(ctx, w.ID, day(30+rng.IntN(10)), "", "延期"); err != nil {
						t.Fatal(err)
					}
				}
			case 5:
				if _, err := db.w.ExecContext(ctx, `DELETE FROM notices WHERE url = ?`, fmt.Sprintf("https://a.gov.cn/%d.html", rng.IntN(next))); err != nil {
					t.Fatal(err)
				}
			}
		}
		if round == 20 {
			// A later day: what aged out leaves without a full read.
			since = day(15)
			list = filterListed(list, since)
		}
		v, changed, removed, err := db.ListingChanges(ctx, version)
		if err != nil {
			t.Fatal(err)
		}
		merged := MergeListing(list, changed, removed, since)
		fullV, full, err := db.Listing(ctx, since)
		if err != nil {
			t.Fatal(err)
		}
		if v != fullV {
			t.Fatalf("round %d: changes at version %d, listing at %d", round, v, fullV)
		}
		if !reflect.DeepEqual(ids(merged), ids(full)) {
			t.Fatalf("round %d: kept listing %v\nread listing %v", round, ids(merged), ids(full))
		}
		if !reflect.DeepEqual(merged, full) {
			t.Fatalf("round %d: same windows, different contents", round)
		}
		version, list = v, merged
	}
}

func filterListed(ws []WindowView, since string) []WindowView {
	var out []WindowView
	for _, w := range ws {
		if Listed(w, since) {
			out = append(out, w)
		}
	}
	return out
}

func ids(ws []WindowView) []int64 {
	out := make([]int64, len(ws))
	for i, w := range ws {
		out[i] = w.ID
	}
	return out
}
