package daemon

import (
	"fmt"
	"log/slog"

	"github.com/grantwatch/grantwatch/config"
	"github.com/grantwatch/grantwatch/notify"
	"github.com/grantwatch/grantwatch/store"
)

// NewNotifier builds the notifier from the configuration; `notify --once`,
// `digest` and the daemon use the same one.
func NewNotifier(cfg config.Config, db *store.DB, logger *slog.Logger) (*notify.Notifier, error) {
	lo, err := notify.ParseLeadConfig(cfg.Notify.LeadOpen)
	if err != nil {
		return nil, fmt.Errorf("notify.lead_open: %w", err)
	}
	lc, err := notify.ParseLeadConfig(cfg.Notify.LeadClose)
	if err != nil {
		return nil, fmt.Errorf("notify.lead_close: %w", err)
	}
	return &notify.Notifier{DB: db, Logger: logger,
		Mailer: notify.NewMailer(notify.SMTPConfig{Host: cfg.SMTP.Host, Port: cfg.SMTP.Port, Username: cfg.SMTP.Username,
			Password: cfg.SMTP.Password, TLS: cfg.SMTP.TLS, Timeout: cfg.SMTP.Timeout, Rate: cfg.Notify.Rate, Connections: cfg.SMTP.Connections}),
		Config: notify.Config{Hour: cfg.Notify.Hour, LeadOpen: lo, LeadClose: lc, Location: cfg.Location(), BaseURL: cfg.HTTP.BaseURL,
			From: cfg.SMTP.From, FromName: cfg.SMTP.FromName, AdminEmail: cfg.AdminEmail, RetryBackoff: cfg.Notify.RetryBackoff,
			RetryBackoffMax: cfg.Notify.RetryBackoffMax, DigestWeekday: cfg.Notify.Weekday(), DigestDays: cfg.Notify.DigestDays, ClaimTTL: cfg.Cluster.Lease},
	}, nil
}
