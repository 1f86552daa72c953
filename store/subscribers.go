package store

import (
	"context"
	"crypto/rand"
	"crypto/subtle"
	"database/sql"
	"errors"
	"fmt"
	"strconv"
	"time"
)

// Subscriber is someone who hears about windows that match their filters.
type Subscriber struct {
	ID               int64     `json:"id"`
	Email            string    `json:"email"`
	Name             string    `json:"name"`
	Regions          []string  `json:"regions"`
	Issuers          []string  `json:"issuers"`
	Keywords         []string  `json:"keywords"`
	LeadOpen         []string  `json:"lead_open,omitempty"`  // nil: configured defaults
	LeadClose        []string  `json:"lead_close,omitempty"` // nil: configured defaults
	Digest           string    `json:"digest"`               // off, daily, weekly
	Status           string    `json:"status"`               // pending, active, unsubscribed
	FeedToken        string    `json:"-"`
	UnsubscribeToken string    `json:"-"`
	CreatedAt        time.Time `json:"created_at"`
	ConfirmedAt      time.Time `json:"confirmed_at,omitzero"`
	LastDigestAt     time.Time `json:"last_digest_at,omitzero"`
}

const subscriberCols = `id, email, name, regions, issuers, keywords, lead_open, lead_close, digest, status,
	feed_token, unsubscribe_token, created_at, confirmed_at, last_digest_at`

func scanSubscriber(row scanner) (Subscriber, error) {
	var s Subscriber
	var regions, issuers, keywords, leadOpen, leadClose string
	var created, confirmed, digest sql.NullString
	if err := row.Scan(&s.ID, &s.Email, &s.Name, &regions, &issuers, &keywords, &leadOpen, &leadClose,
		&s.Digest, &s.Status, &s.FeedToken, &s.UnsubscribeToken, &created, &confirmed, &digest); err != nil {
		return Subscriber{}, err
	}
	s.Regions, s.Issuers, s.Keywords = nonNil(decodeList(regions)), nonNil(decodeList(issuers)), nonNil(decodeList(keywords))
	s.LeadOpen, s.LeadClose = decodeList(leadOpen), decodeList(leadClose)
	s.CreatedAt, s.ConfirmedAt, s.LastDigestAt = parseTime(created), parseTime(confirmed), parseTime(digest)
	return s, nil
}

func nonNil(l []string) []string {
	if l == nil {
		return []string{}
	}
	return l
}

// AddSubscriber inserts a subscriber with fresh feed and unsubscribe tokens.
// An address already present (case-insensitively) gives ErrExists.
func (db *DB) AddSubscriber(ctx context.Context, s Subscriber) (Subscriber, error) {
	if s.Digest == "" {
		s.Digest = "off"
	}
	if s.Status == "" {
		s.Status = "pending"
	}
	feed, err := NewToken()
	if err != nil {
		return Subscriber{}, err
	}
	unsub, err := NewToken()
	if err != nil {
		return Subscriber{}, err
	}
	now := db.now()
	var confirmed any
	if s.Status == "active" {
		confirmed = fmtTime(now)
	}
	leads := func(l []string) string {
		if l == nil {
			return ""
		}
		return encodeList(l)
	}
	var id int64
	err = db.w.QueryRowContext(ctx, `INSERT INTO subscribers
		(email, name, regions, issuers, keywords, lead_open, lead_close, digest, status, feed_token, unsubscribe_token, created_at, confirmed_at)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id`,
		s.Email, s.Name, encodeList(s.Regions), encodeList(s.Issuers), encodeList(s.Keywords),
		leads(s.LeadOpen), leads(s.LeadClose), s.Digest, s.Status, feed, unsub, fmtTime(now), confirmed).Scan(&id)
	if isUnique(err) {
		return Subscriber{}, fmt.Errorf("subscriber %s: %w", s.Email, ErrExists)
	}
	if err != nil {
		return Subscriber{}, fmt.Errorf("add subscriber %s: %w", s.Email, err)
	}
	return db.Subscriber(ctx, strconv.FormatInt(id, 10))
}

// Subscriber finds a subscriber by ID or email address.
func (db *DB) Subscriber(ctx context.Context, idOrEmail string) (Subscriber, error) {
	q := `SELECT ` + subscriberCols + ` FROM subscribers WHERE email = ?`
	if db.pg {
		q = `SELECT ` + subscriberCols + ` FROM subscribers WHERE lower(email) = lower(?)`
	}
	arg := any(idOrEmail)
	if id, err := strconv.ParseInt(idOrEmail, 10, 64); err == nil {
		q, arg = `SELECT `+subscriberCols+` FROM subscribers WHERE id = ?`, id
	}
	s, err := scanSubscriber(db.w.QueryRowContext(ctx, q, arg))
	if errors.Is(err, sql.ErrNoRows) {
		return Subscriber{}, fmt.Errorf("subscriber %s: %w", idOrEmail, ErrNotFound)
	}
	if err != nil {
		return Subscriber{}, fmt.Errorf("read subscriber %s: %w", idOrEmail, err)
	}
	return s, nil
}

// SubscribersByID reads the subscribers with these IDs (one query for a
// batch of deliveries; the missing are simply absent).
func (db *DB) SubscribersByID(ctx context.Context, ids []int64) (map[int64]Subscriber, error) {
	out := map[int64]Subscriber{}
	if len(ids) == 0 {
		return out, nil
	}
	ss, err := queryAll(ctx, db.r, "read subscribers", scanSubscriber, `SELECT `+subscriberCols+` FROM subscribers WHERE id IN (`+placeholders(len(ids))+`)`, int64Args(ids)...)
	for _, s := range ss {
		out[s.ID] = s
	}
	return out, err
}

// Subscribers lists all subscribers in the order they were added.
func (db *DB) Subscribers(ctx context.Context) ([]Subscriber, error) {
	return queryAll(ctx, db.r, "list subscribers", scanSubscriber, `SELECT `+subscriberCols+` FROM subscribers ORDER BY id`)
}

// RemoveSubscriber deletes a subscriber and, with them, their deliveries.
func (db *DB) RemoveSubscriber(ctx context.Context, idOrEmail string) (Subscriber, error) {
	s, err := db.Subscriber(ctx, idOrEmail)
	if err != nil {
		return Subscriber{}, err
	}
	if _, err := db.w.ExecContext(ctx, `DELETE FROM subscribers WHERE id = ?`, s.ID); err != nil {
		return Subscriber{}, fmt.Errorf("remove subscriber %s: %w", s.Email, err)
	}
	return s, nil
}

// SubscriberByToken finds a subscriber by their feed token (kind "feed")
// or their manage token (kind "manage": confirm, preferences,
// unsubscribe). The final comparison is constant-time, so how long it
// takes says nothing about how much of a guess was right.
func (db *DB) SubscriberByToken(ctx context.Context, kind, token string) (Subscriber, error) {
	col := "feed_token"
	if kind == "manage" {
		col = "unsubscribe_token"
	}
	if len(token) != 22 {
		return Subscriber{}, fmt.Errorf("subscriber token: %w", ErrNotFound)
	}
	s, err := scanSubscriber(db.r.QueryRowContext(ctx, `SELECT `+subscriberCols+` FROM subscribers WHERE `+col+` = ?`, token))
	if errors.Is(err, sql.ErrNoRows) {
		return Subscriber{}, fmt.Errorf("subscriber token: %w", ErrNotFound)
	}
	if err != nil {
		return Subscriber{}, fmt.Errorf("subscriber token: %w", err)
	}
	want := s.FeedToken
	if kind == "manage" {
		want = s.UnsubscribeToken
	}
	if subtle.ConstantTimeCompare([]byte(want), []byte(token)) != 1 {
		return Subscriber{}, fmt.Errorf("subscriber token: %w", ErrNotFound)
	}
	return s, nil
}

// UpdatePreferences stores what a subscriber chose on their preferences
// page: name, filters, lead times and digest.
func (db *DB) UpdatePreferences(ctx context.Context, s Subscriber) error {
	leads := func(l []string) string {
		if l == nil {
			return ""
		}
		return encodeList(l)
	}
	_, err := db.w.ExecContext(ctx, `UPDATE subscribers SET name = ?, regions = ?, issuers = ?, keywords = ?, lead_open = ?,
		lead_close = ?, digest = ? WHERE id = ?`, s.Name, encodeList(s.Regions), encodeList(s.Issuers), encodeList(s.Keywords),
		leads(s.LeadOpen), leads(s.LeadClose), s.Digest, s.ID)
	if err != nil {
		return fmt.Errorf("update subscriber %d: %w", s.ID, err)
	}
	return nil
}

// SetSubscriberStatus moves a subscriber to pending, active (confirmed) or
// unsubscribed. Leaving pending voids any confirmation link.
func (db *DB) SetSubscriberStatus(ctx context.Context, id int64, status string) error {
	q := `UPDATE subscribers SET status = ?, confirm_token = CASE WHEN ? = 'pending' THEN confirm_token END WHERE id = ?`
	args := []any{status, status, id}
	if status == "active" {
		q = `UPDATE subscribers SET status = ?, confirmed_at = COALESCE(confirmed_at, ?), confirm_token = NULL WHERE id = ?`
		args = []any{status, fmtTime(db.now()), id}
	}
	if _, err := db.w.ExecContext(ctx, q, args...); err != nil {
		return fmt.Errorf("subscriber %d status: %w", id, err)
	}
	return nil
}

// ClaimConfirmationMail records that a confirmation mail is about to go to
// a subscriber, unless one went less than gap ago (then ok is false and
// nothing changes: one mailbox cannot be flooded from many client
// addresses). For a pending subscriber it also makes a fresh one-time
// confirmation token, returned; an active one gets a mail without a token.
func (db *DB) ClaimConfirmationMail(ctx context.Context, id int64, now time.Time, gap time.Duration) (token string, ok bool, err error) {
	tok, err := NewToken()
	if err != nil {
		return "", false, err
	}
	var got sql.NullString
	err = db.w.QueryRowContext(ctx, `UPDATE subscribers
		SET confirm_sent_at = ?, confirm_token = CASE WHEN status = 'pending' THEN ? END
		WHERE id = ? AND (confirm_sent_at IS NULL OR confirm_sent_at <= ?)
		RETURNING confirm_token`, fmtTime(now), tok, id, fmtTime(now.Add(-gap))).Scan(&got)
	if errors.Is(err, sql.ErrNoRows) {
		return "", false, nil
	}
	if err != nil {
		return "", false, fmt.Errorf("claim confirmation mail for subscriber %d: %w", id, err)
	}
	return got.String, true, nil
}

// ReleaseConfirmationMail undoes a claim whose mail could not be sent, so
// that the address may ask again at once.
func (db *DB) ReleaseConfirmationMail(ctx context.Context, id int64) error {
	if _, err := db.w.ExecContext(ctx, `UPDATE subscribers SET confirm_sent_at = NULL WHERE id = ?`, id); err != nil {
		return fmt.Errorf("release confirmation mail for subscriber %d: %w", id, err)
	}
	return nil
}

// PendingByConfirmToken finds the pending subscriber a confirmation link
// belongs to; a used link, or one of an address that is no longer
// pending, finds nothing.
func (db *DB) PendingByConfirmToken(ctx context.Context, token string) (Subscriber, error) {
	if len(token) != 22 {
		return Subscriber{}, fmt.Errorf("confirmation token: %w", ErrNotFound)
	}
	s, err := scanSubscriber(db.w.QueryRowContext(ctx, `SELECT `+subscriberCols+` FROM subscribers
		WHERE confirm_token = ? AND status = 'pending'`, token))
	if errors.Is(err, sql.ErrNoRows) {
		return Subscriber{}, fmt.Errorf("confirmation token: %w", ErrNotFound)
	}
	if err != nil {
		return Subscriber{}, fmt.Errorf("confirmation token: %w", err)
	}
	return s, nil
}

// Confirm activates the pending subscriber whose confirmation token this
// is and voids the token, in one statement: a link works once.
func (db *DB) Confirm(ctx context.Context, token string) (Subscriber, error) {
	if len(token) != 22 {
		return Subscriber{}, fmt.Errorf("confirmation token: %w", ErrNotFound)
	}
	var id int64
	err := db.w.QueryRowContext(ctx, `UPDATE subscribers
		SET status = 'active', confirmed_at = COALESCE(confirmed_at, ?), confirm_token = NULL
		WHERE confirm_token = ? AND status = 'pending' RETURNING id`, fmtTime(db.now()), token).Scan(&id)
	if errors.Is(err, sql.ErrNoRows) {
		return Subscriber{}, fmt.Errorf("confirmation token: %w", ErrNotFound)
	}
	if err != nil {
		return Subscriber{}, fmt.Errorf("confirm subscriber: %w", err)
	}
	return db.Subscriber(ctx, strconv.FormatInt(id, 10))
}

// Secret returns the named server secret, making it (size random bytes)
// the first time. Every process on this database gets the same value.
func (db *DB) Secret(ctx context.Context, name string, size int) ([]byte, error) {
	b := make([]byte, size)
	if _, err := rand.Read(b); err != nil {
		return nil, fmt.Errorf("secret %s: %w", name, err)
	}
	if _, err := db.w.ExecContext(ctx, `INSERT INTO secrets (name, value) VALUES (?, ?) ON CONFLICT (name) DO NOTHING`, name, b); err != nil {
		return nil, fmt.Errorf("secret %s: %w", name, err)
	}
	var v []byte
	if err := db.w.QueryRowContext(ctx, `SELECT value FROM secrets WHERE name = ?`, name).Scan(&v); err != nil {
		return nil, fmt.Errorf("secret %s: %w", name, err)
	}
	return v, nil
}
