package web

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"github.com/grantwatch/grantwatch/store"
)

// postWithCookie sends a form with the given CSRF cookie, as a forger
// would: no page of ours was ever loaded.
func (e *env) postWithCookie(path, cookie string, form url.Values) int {
	e.t.Helper()
	req, _ := http.NewRequest(http.MethodPost, e.srv.URL+path, strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.AddCookie(&http.Cookie{Name: csrfCookie, Value: cookie})
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		e.t.Fatal(err)
	}
	resp.Body.Close()
	return resp.StatusCode
}

// A cookie/field pair that matches but that this server did not make is
// refused: a short one, one of the right length with a made-up MAC, and
// one made by another server (another database's key).
func TestCSRFTokenBoundToServer(t *testing.T) {
	e := newEnv(t, false)
	other := newEnv(t, false)
	_, page := other.get(browser(t), "/subscribe")
	foreign := csrfRE.FindStringSubmatch(page)[1]
	var b [32]byte
	rand.Read(b[:])
	madeUp := base64.RawURLEncoding.EncodeToString(b[:])
	for name, tok := range map[string]string{"short": "x", "made-up MAC": madeUp, "another server's": foreign} {
		if code := e.postWithCookie("/subscribe", tok, url.Values{"csrf": {tok}, "email": {"li@example.cn"}}); code != http.StatusForbidden {
			t.Errorf("%s token: %d, want 403", name, code)
		}
	}
	if subs, _ := e.db.Subscribers(context.Background()); len(subs) != 0 || len(e.smtp.Messages()) != 0 {
		t.Errorf("a forged request stored %d subscribers, sent %d mails", len(subs), len(e.smtp.Messages()))
	}
	// This server's own token passes, also in a fresh process on the same
	// database (the key is kept in it).
	c := browser(t)
	_, page = e.get(c, "/subscribe")
	tok := csrfRE.FindStringSubmatch(page)[1]
	if len(tok) != csrfLen {
		t.Fatalf("token %q", tok)
	}
	again := &Server{DB: e.db, Logger: e.web.Logger, Now: e.web.Now, Notifier: e.web.Notifier, Config: e.web.Config}
	if !again.csrfValid(context.Background(), tok) {
		t.Error("a second server on the same database refuses the first one's token")
	}
	if code := e.postWithCookie("/subscribe", tok, url.Values{"csrf": {tok}, "email": {"li@example.cn"}}); code != http.StatusOK {
		t.Errorf("own token: %d", code)
	}
}

var confirmLinkRE = regexp.MustCompile(`/confirm/[A-Za-z0-9_-]{22}`)

func (e *env) lastConfirmLink() string {
	e.t.Helper()
	msgs := e.smtp.Messages()
	if len(msgs) == 0 {
		e.t.Fatal("no mail")
	}
	parts, err := msgs[len(msgs)-1].Parts()
	if err != nil {
		e.t.Fatal(err)
	}
	return confirmLinkRE.FindString(parts["text/plain"])
}

// A confirmation link works once, and never after an unsubscribe (an old
// link must not re-activate an address that left).
func TestConfirmLinkOnceAndNotAfterUnsubscribe(t *testing.T) {
	e := newEnv(t, false)
	c := browser(t)
	_, page := e.get(c, "/subscribe")
	tok := csrfRE.FindStringSubmatch(page)[1]
	e.post(c, "/subscribe", url.Values{"csrf": {tok}, "email": {"li@example.cn"}})
	link := e.lastConfirmLink()
	if resp, _ := e.post(c, link, url.Values{"csrf": {tok}}); resp.StatusCode != http.StatusOK {
		t.Fatalf("first confirm: %d", resp.StatusCode)
	}
	if resp, _ := e.post(c, link, url.Values{"csrf": {tok}}); resp.StatusCode != http.StatusNotFound {
		t.Errorf("the same link twice: %d, want 404", resp.StatusCode)
	}
	sub, _ := e.db.Subscriber(context.Background(), "li@example.cn")
	resp, err := http.Post(e.srv.URL+"/unsubscribe/"+sub.UnsubscribeToken, "application/x-www-form-urlencoded", strings.NewReader("List-Unsubscribe=One-Click"))
	if err != nil || resp.StatusCode != 200 {
		t.Fatalf("unsubscribe: %v %v", resp, err)
	}
	for _, method := range []string{http.MethodGet, http.MethodPost} {
		var code int
		if method == http.MethodGet {
			r, _ := e.get(c, link)
			code = r.StatusCode
		} else {
			r, _ := e.post(c, link, url.Values{"csrf": {tok}})
			code = r.StatusCode
		}
		if code != http.StatusNotFound {
			t.Errorf("%s old link after unsubscribe: %d, want 404", method, code)
		}
	}
	if s, _ := e.db.Subscriber(context.Background(), "li@example.cn"); s.Status != "unsubscribed" {
		t.Errorf("an old link re-activated the address: %s", s.Status)
	}
	// An unconfirmed link is also void once the address unsubscribes.
	if _, err := e.db.AddSubscriber(context.Background(), store.Subscriber{Email: "wang@example.cn"}); err != nil {
		t.Fatal(err)
	}
	w, _ := e.db.Subscriber(context.Background(), "wang@example.cn")
	pending, ok, err := e.db.ClaimConfirmationMail(context.Background(), w.ID, e.web.Now(), confirmGap)
	if err != nil || !ok || len(pending) != 22 {
		t.Fatalf("claim: %q %v %v", pending, ok, err)
	}
	e.db.SetSubscriberStatus(context.Background(), w.ID, "unsubscribed")
	if r, _ := e.post(c, "/confirm/"+pending, url.Values{"csrf": {tok}}); r.StatusCode != http.StatusNotFound {
		t.Errorf("pending link after unsubscribe: %d", r.StatusCode)
	}
}

// Requests from many client addresses for one mailbox: one confirmation
// mail an hour, and the page answers the same each time.
func TestConfirmationMailsPerRecipient(t *testing.T) {
	e := newEnv(t, false)
	c := browser(t)
	_, page := e.get(c, "/subscribe")
	tok := csrfRE.FindStringSubmatch(page)[1]
	var cookie string
	u, _ := url.Parse(e.srv.URL)
	for _, ck := range c.Jar.Cookies(u) {
		if ck.Name == csrfCookie {
			cookie = ck.Value
		}
	}
	h := e.web.Handler()
	var bodies []string
	for i := 0; i < 6; i++ {
		form := url.Values{"csrf": {tok}, "email": {"victim@example.cn"}}
		req := httptest.NewRequest(http.MethodPost, "/subscribe", strings.NewReader(form.Encode()))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		req.AddCookie(&http.Cookie{Name: csrfCookie, Value: cookie})
		req.RemoteAddr = "198.51.100." + string(rune('1'+i)) + ":40000"
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, req)
		if rec.Code != http.StatusOK {
			t.Fatalf("request %d: %d", i, rec.Code)
		}
		bodies = append(bodies, rec.Body.String())
	}
	if n := len(e.smtp.Messages()); n != 1 {
		t.Errorf("%d confirmation mails to one address in an hour, want 1", n)
	}
	for _, b := range bodies[1:] {
		if b != bodies[0] {
			t.Error("the page tells a throttled request apart")
		}
	}
	// An hour later, another may go.
	sub, _ := e.db.Subscriber(context.Background(), "victim@example.cn")
	if _, ok, _ := e.db.ClaimConfirmationMail(context.Background(), sub.ID, e.web.Now().Add(confirmGap), confirmGap); !ok {
		t.Error("no confirmation allowed an hour later")
	}
}
