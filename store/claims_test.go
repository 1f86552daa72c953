package store

import (
	"context"
	"sync"
	"testing"
	"time"
)

// Two daemons never hold one source; a claim that runs out (its holder
// died) is taken over; a recorded check ends the claim and the source is
// no longer due.
func TestClaimSource(t *testing.T) {
	ctx := context.Background()
	wall := time.Date(2026, 12, 1, 8, 0, 0, 0, time.UTC)
	db, _ := openTest(t, WithWallClock(func() time.Time { return wall }))
	s, err := db.AddSource(ctx, Source{URL: "https://kjt.example.gov.cn/tzgg/"})
	if err != nil {
		t.Fatal(err)
	}
	now := t0
	got, ok, err := db.ClaimSource(ctx, []int64{s.ID}, now, "a", time.Minute)
	if err != nil || !ok || got.ID != s.ID {
		t.Fatalf("first claim: %v %v %+v", ok, err, got)
	}
	if _, ok, _ := db.ClaimSource(ctx, []int64{s.ID}, now, "b", time.Minute); ok {
		t.Fatal("b claimed a source a holds")
	}
	if due, _ := db.DueSources(ctx, now, 10); len(due) != 0 {
		t.Errorf("a claimed source is listed as due: %d", len(due))
	}
	// a renews; 50 s later b still cannot take it.
	wall = wall.Add(50 * time.Second)
	if err := db.RenewClaims(ctx, "a", time.Minute); err != nil {
		t.Fatal(err)
	}
	wall = wall.Add(50 * time.Second)
	if _, ok, _ := db.ClaimSource(ctx, []int64{s.ID}, now, "b", time.Minute); ok {
		t.Fatal("b took over a renewed claim")
	}
	// a dies: after the lease, b takes it.
	wall = wall.Add(61 * time.Second)
	if _, ok, _ := db.ClaimSource(ctx, []int64{s.ID}, now, "b", time.Minute); !ok {
		t.Fatal("b could not take over a claim that ran out")
	}
	if _, err := db.RecordCrawl(ctx, s.ID, CrawlResult{OK: true, LinksFound: 3, NextCheckAt: now.Add(6 * time.Hour)}); err != nil {
		t.Fatal(err)
	}
	after, _ := db.Source(ctx, s.URL)
	if after.NextCheckAt.IsZero() {
		t.Fatal("no next check recorded")
	}
	if _, ok, _ := db.ClaimSource(ctx, []int64{s.ID}, now, "c", time.Minute); ok {
		t.Error("a source just checked was claimed again in the same slot")
	}
	if _, ok, _ := db.ClaimSource(ctx, []int64{s.ID}, now.Add(7*time.Hour), "c", time.Minute); !ok {
		t.Error("the next slot's check could not claim it")
	}
	if err := db.ReleaseSourceClaims(ctx, "c"); err != nil {
		t.Fatal(err)
	}
	if due, _ := db.DueSources(ctx, now.Add(7*time.Hour), 10); len(due) != 1 {
		t.Errorf("a released source is not due: %d", len(due))
	}
}

// Many claimers at once, as several daemons: every source is claimed by
// exactly one of them.
func TestClaimSourceConcurrent(t *testing.T) {
	ctx := context.Background()
	db, _ := openTest(t)
	var ids []int64
	for i := 0; i < 40; i++ {
		s, err := db.AddSource(ctx, Source{URL: "https://kjt.example.gov.cn/col" + string(rune('A'+i)) + "/"})
		if err != nil {
			t.Fatal(err)
		}
		ids = append(ids, s.ID)
	}
	// Three "daemons": three stores on the same database.
	dbs := []*DB{db}
	for i := 0; i < 2; i++ {
		other, err := Open(ctx, db.path)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { other.Close() })
		dbs = append(dbs, other)
	}
	var mu sync.Mutex
	holder := map[int64]string{}
	var wg sync.WaitGroup
	for i, d := range dbs {
		owner := string(rune('a' + i))
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				s, ok, err := d.ClaimSource(ctx, ids, t0, owner, time.Minute)
				if err != nil {
					t.Error(err)
					return
				}
				if !ok {
					return
				}
				mu.Lock()
				if prev, dup := holder[s.ID]; dup {
					t.Errorf("source %d claimed by %s and %s", s.ID, prev, owner)
				}
				holder[s.ID] = owner
				mu.Unlock()
			}
		}()
	}
	wg.Wait()
	if len(holder) != len(ids) {
		t.Errorf("%d of %d sources claimed", len(holder), len(ids))
	}
}

// A host's turns, reserved by several processes, are delay apart.
func TestReserveHostTurn(t *testing.T) {
	ctx := context.Background()
	db, _ := openTest(t)
	start := time.Date(2026, 12, 1, 8, 0, 0, 0, time.UTC)
	delay := 100 * time.Millisecond
	var turns []time.Time
	for i := 0; i < 3; i++ {
		at, err := db.ReserveHostTurn(ctx, "kjt.example.gov.cn", start, delay)
		if err != nil {
			t.Fatal(err)
		}
		turns = append(turns, at)
	}
	for i, at := range turns {
		if want := start.Add(time.Duration(i) * delay); !at.Equal(want) {
			t.Errorf("turn %d at %s, want %s", i, at.Format("15:04:05.000"), want.Format("15:04:05.000"))
		}
	}
	// A request that ended late pushes the next turn.
	late := start.Add(time.Second)
	if err := db.PushHostTurn(ctx, "kjt.example.gov.cn", late); err != nil {
		t.Fatal(err)
	}
	if at, _ := db.ReserveHostTurn(ctx, "kjt.example.gov.cn", start, delay); !at.Equal(late) {
		t.Errorf("after a push, turn at %s, want %s", at.Format("15:04:05.000"), late.Format("15:04:05.000"))
	}
	// Another host is not held back.
	if at, _ := db.ReserveHostTurn(ctx, "gxt.example.gov.cn", start, delay); !at.Equal(start) {
		t.Errorf("another host's first turn at %s", at)
	}
}
