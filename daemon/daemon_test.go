package daemon

import (
	"context"
	"io"
	"log/slog"
	"net/http"
	"path/filepath"
	"testing"
	"time"

	"github.com/grantwatch/grantwatch/config"
)

func TestRunServesAndStops(t *testing.T) {
	cfg := config.Default()
	cfg.DB = filepath.Join(t.TempDir(), "gw.db")
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
	cfg.DB = filepath.Join(t.TempDir(), "a.db")
	cfg.HTTP.Listen = "127.0.0.1:0"
	a := &Main{Config: cfg, Logger: slog.New(slog.NewTextHandler(io.Discard, nil))}
	if err := a.Open(context.Background()); err != nil {
		t.Fatal(err)
	}
	defer a.Close()
	cfg.DB = filepath.Join(t.TempDir(), "b.db")
	cfg.HTTP.Listen = a.Addr()
	b := &Main{Config: cfg, Logger: slog.New(slog.NewTextHandler(io.Discard, nil))}
	if err := b.Open(context.Background()); err == nil {
		b.Close()
		t.Fatal("second daemon opened on a busy port")
	}
}
