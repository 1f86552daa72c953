package daemon

import (
	"context"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"
	"time"

	"github.com/grantwatch/grantwatch/config"
	"github.com/grantwatch/grantwatch/internal/storetest"
	"github.com/grantwatch/grantwatch/store"
)

func TestRunServesAndStops(t *testing.T) {
	cfg := config.Default()
	cfg.DB = storetest.DSN(t)
	cfg.HTTP.Listen = "127.0.0.1:0"
	m := &Main{Config: cfg, Logger: slog.New(slog.NewTextHandler(io.Discard, nil))}
	ctx, cancel := context.WithCancel(context.Background())
	if err := m.Open(ctx); err != nil {
		t.Fatal(err)
	}
	defer m.Close()
	done := make(chan error, 1)
	go func() { done <- m.Run(ctx) }()

	resp, err := http.Get("http://" + m.Addr() + "/healthz")
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK || string(body) != "ok\n" {
		t.Errorf("healthz = %d %q", resp.StatusCode, body)
	}
	if resp, err := http.Post("http://"+m.Addr()+"/healthz", "text/plain", nil); err == nil {
		if resp.StatusCode != http.StatusMethodNotAllowed {
			t.Errorf("POST /healthz = %d", resp.StatusCode)
		}
		resp.Body.Close()
	}
	cancel()
	select {
	case err := <-done:
		if err != nil {
			t.Errorf("Run returned %v", err)
		}
	case <-time.After(15 * time.Second):
		t.Fatal("Run did not return after cancel")
	}
	if _, err := http.Get("http://" + m.Addr() + "/healthz"); err == nil {
		t.Error("still serving after shutdown")
	}
}

func TestOpenFailsOnBusyPort(t *testing.T) {
	cfg := config.Default()
	cfg.DB = storetest.DSN(t)
	cfg.HTTP.Listen = "127.0.0.1:0"
	a := &Main{Config: cfg, Logger: slog.New(slog.NewTextHandler(io.Discard, nil))}
	if err := a.Open(context.Background()); err != nil {
		t.Fatal(err)
	}
	defer a.Close()
	cfg.DB = storetest.DSN(t)
	cfg.HTTP.Listen = a.Addr()
	b := &Main{Config: cfg, Logger: slog.New(slog.NewTextHandler(io.Discard, nil))}
	if err := b.Open(context.Background()); err == nil {
		b.Close()
		t.Fatal("second daemon opened on a busy port")
	}
}

func TestSchedulerCrawlsDueSourcesOnce(t *testing.T) {
	var mu sync.Mutex
	hits := 0
	site := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/robots.txt" {
			http.NotFound(w, r)
			return
		}
		mu.Lock()
		hits++
		mu.Unlock()
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		w.Write([]byte(`<html><body><h1>关于组织申报2019年度重点研发计划的通知</h1><div class="TRS_Editor"><p>各有关单位：请于2019年9月20日前将申报材料报送至我厅。</p><p>某某省科学技术厅</p><p>2019年8月27日</p></div></body></html>`))
	}))
	defer site.Close()
	cfg := config.Default()
	cfg.DB = storetest.DSN(t)
	cfg.HTTP.Listen = "127.0.0.1:0"
	cfg.Fetch.AllowPrivate = []string{"127.0.0.1"}
	cfg.Fetch.PerHostDelay = 0
	run := func(until func(*store.DB) bool) {
		m := &Main{Config: cfg, Logger: slog.New(slog.NewTextHandler(io.Discard, nil))}
		ctx, cancel := context.WithCancel(context.Background())
		if err := m.Open(ctx); err != nil {
			t.Fatal(err)
		}
		done := make(chan error, 1)
		go func() { done <- m.Run(ctx) }()
		deadline := time.Now().Add(10 * time.Second)
		for !until(m.DB) && time.Now().Before(deadline) {
			time.Sleep(20 * time.Millisecond)
		}
		cancel()
		if err := <-done; err != nil {
			t.Fatal(err)
		}
		m.Close()
	}
	// First start: the new source is due and crawled.
	db, err := store.Open(context.Background(), cfg.DB)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := db.AddSource(context.Background(), store.Source{URL: site.URL + "/n/1.html", Kind: "notice"}); err != nil {
		t.Fatal(err)
	}
	db.Close()
	// Until the check is recorded (its windows are stored just before).
	run(func(db *store.DB) bool {
		ws, _ := db.Windows(context.Background(), store.WindowFilter{})
		srcs, _ := db.Sources(context.Background())
		return len(ws) == 1 && len(srcs) == 1 && srcs[0].NextCheckAt.After(time.Now())
	})
	db, _ = store.Open(context.Background(), cfg.DB)
	ws, _ := db.Windows(context.Background(), store.WindowFilter{})
	srcs, _ := db.Sources(context.Background())
	db.Close()
	if len(ws) != 1 || ws[0].Closes != "2019-09-20" {
		t.Fatalf("windows after the first start: %+v", ws)
	}
	if srcs[0].NextCheckAt.Before(time.Now()) {
		t.Fatalf("next check not planned: %v", srcs[0].NextCheckAt)
	}
	mu.Lock()
	first := hits
	mu.Unlock()
	// A restart: the source is not due, so the site is left alone.
	run(func(*store.DB) bool { time.Sleep(300 * time.Millisecond); return true })
	mu.Lock()
	defer mu.Unlock()
	if hits != first {
		t.Errorf("restart re-crawled: %d requests, then %d", first, hits)
	}
}

// A source that hangs does not stop the daemon from serving.
func TestServesWhileASourceHangs(t *testing.T) {
	release := make(chan struct{})
	site := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/robots.txt" {
			http.NotFound(w, r)
			return
		}
		select {
		case <-release:
		case <-r.Context().Done():
		}
	}))
	defer site.Close()
	defer close(release)
	cfg := config.Default()
	cfg.DB = storetest.DSN(t)
	cfg.HTTP.Listen = "127.0.0.1:0"
	cfg.Fetch.AllowPrivate = []string{"127.0.0.1"}
	cfg.Fetch.PerHostDelay = 0
	db, err := store.Open(context.Background(), cfg.DB)
	if err != nil {
		t.Fatal(err)
	}
	db.AddSource(context.Background(), store.Source{URL: site.URL + "/hang.html", Kind: "notice"})
	db.Close()
	m := &Main{Config: cfg, Logger: slog.New(slog.NewTextHandler(io.Discard, nil))}
	ctx, cancel := context.WithCancel(context.Background())
	if err := m.Open(ctx); err != nil {
		t.Fatal(err)
	}
	defer m.Close()
	done := make(chan error, 1)
	go func() { done <- m.Run(ctx) }()
	time.Sleep(200 * time.Millisecond) // the crawl is now waiting on the hanging source
	client := &http.Client{Timeout: 2 * time.Second}
	for _, path := range []string{"/healthz", "/metrics", "/upcoming"} {
		resp, err := client.Get("http://" + m.Addr() + path)
		if err != nil || resp.StatusCode != 200 {
			t.Errorf("%s while a source hangs: %v %v", path, resp, err)
		} else {
			resp.Body.Close()
		}
	}
	cancel()
	select {
	case err := <-done:
		if err != nil {
			t.Errorf("Run: %v", err)
		}
	case <-time.After(15 * time.Second):
		t.Error("shutdown waited on the hanging source")
	}
}
