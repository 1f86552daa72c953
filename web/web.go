// Package web is grantwatch's HTTP face: health, and (in later parts) the
// subscribers' calendar feeds and pages. Nothing here changes admin state.
package web

import (
	"context"
	"log/slog"
	"net/http"
	"time"

	"github.com/grantwatch/grantwatch/store"
)

// Server serves grantwatch's pages.
type Server struct {
	DB     *store.DB
	Logger *slog.Logger
	Now    func() time.Time
}

// Handler returns the routes.
func (s *Server) Handler() http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("GET /healthz", s.healthz)
	return mux
}

func (s *Server) healthz(w http.ResponseWriter, r *http.Request) {
	ctx, cancel := context.WithTimeout(r.Context(), 2*time.Second)
	defer cancel()
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	if _, err := s.DB.SchemaVersion(ctx); err != nil {
		s.Logger.Error("health check failed", "err", err)
		http.Error(w, "database unavailable", http.StatusServiceUnavailable)
		return
	}
	w.Write([]byte("ok\n"))
}
