package notify

import (
	"bytes"
	"strconv"
	"strings"
	"sync"
)

// bodies keeps reminders' bodies drawn once for all their recipients.
// Many subscribers get the same reminder on the same day (a popular
// deadline): what differs between their mails is the greeting and three
// links. A reminder is drawn once with placeholders in those places, and
// each recipient's mail is the drawing with their values put in — when
// the values need no escaping, so that the result is byte for byte what
// drawing it for them would give (TestBodiesSameAsDrawn). A value that
// would need escaping (a name with "&", a base URL with "?") gets its
// mail drawn in full.
type bodies struct {
	mu sync.Mutex
	m  map[string]*drawnBody
}

// drawnBody is one drawing, cut at the placeholders: parts[i] is followed
// by the value of slot[i].
type drawnBody struct {
	html, text drawnPart
}

type drawnPart struct {
	parts []string
	slot  []int
}

// placeholder marks a recipient's value in a drawing: plain letters, so
// that no escaper changes it.
const placeholder = "GWxPLACEHOLDERx"

var slotNames = [...]string{"Greeting", "FeedURL", "PrefsURL", "UnsubscribeURL"}

func recipientValues(v reminderView) [4]string {
	return [4]string{v.Greeting, v.FeedURL, v.PrefsURL, v.UnsubscribeURL}
}

// substitutable: the greeting is HTML text and the links are href values
// that html/template leaves as they are: no character it escapes or
// percent-encodes, and an http(s) URL (another scheme it would replace).
func substitutable(vals [4]string) bool {
	if strings.ContainsAny(vals[0], "&<>\"'+\x00") || strings.Contains(vals[0], placeholder) {
		return false
	}
	for _, u := range vals[1:] {
		if !strings.HasPrefix(u, "https://") && !strings.HasPrefix(u, "http://") {
			return false
		}
		for i := 0; i < len(u); i++ {
			c := u[i]
			if !('a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' || strings.IndexByte("-._~:/", c) >= 0) {
				return false
			}
		}
	}
	for _, c := range vals[0] {
		if c < 0x20 {
			return false
		}
	}
	return true
}

// draw returns the reminder's HTML and text for v's recipient, from the
// drawing kept for its shared fields or drawn now by render.
func (b *bodies) draw(v reminderView, render func(reminderView) (string, string, error)) (string, string, error) {
	vals := recipientValues(v)
	if b == nil || !substitutable(vals) {
		return render(v)
	}
	p := v
	p.Greeting, p.FeedURL, p.PrefsURL, p.UnsubscribeURL = placeholder+"0", placeholder+"1", placeholder+"2", placeholder+"3"
	key := p.key()
	if strings.Count(key, placeholder) != len(vals) {
		return render(v) // a shared field holds the placeholder itself
	}
	b.mu.Lock()
	d, ok := b.m[key]
	b.mu.Unlock()
	if !ok {
		html, text, err := render(p)
		if err != nil {
			return "", "", err
		}
		d = &drawnBody{html: cut(html), text: cut(text)}
		b.mu.Lock()
		if b.m == nil || len(b.m) > 256 {
			b.m = map[string]*drawnBody{}
		}
		b.m[key] = d
		b.mu.Unlock()
	}
	return d.html.fill(vals), d.text.fill(vals), nil
}

// key is every field of the view, each preceded by its length (so that no
// two views share a key); TestBodiesKeyHasEveryField keeps it complete.
func (v reminderView) key() string {
	fields := append([]string{v.Greeting, v.Headline, v.Color, v.Title, v.What, v.Opens, v.Closes, v.DaysLeft,
		v.Evidence, v.NoticeURL, v.FeedURL, v.PrefsURL, v.UnsubscribeURL, v.Label}, v.Changes...)
	n := 0
	for _, f := range fields {
		n += len(f) + 4
	}
	var b strings.Builder
	b.Grow(n)
	for _, f := range fields {
		b.WriteString(strconv.Itoa(len(f)))
		b.WriteByte(':')
		b.WriteString(f)
	}
	return b.String()
}

func cut(s string) drawnPart {
	var p drawnPart
	for {
		i := strings.Index(s, placeholder)
		if i < 0 || i+len(placeholder) >= len(s) {
			p.parts = append(p.parts, s)
			return p
		}
		p.parts = append(p.parts, s[:i])
		p.slot = append(p.slot, int(s[i+len(placeholder)]-'0'))
		s = s[i+len(placeholder)+1:]
	}
}

func (p drawnPart) fill(vals [4]string) string {
	n := 0
	for _, s := range p.parts {
		n += len(s)
	}
	for _, i := range p.slot {
		n += len(vals[i])
	}
	var b bytes.Buffer
	b.Grow(n)
	for i, s := range p.parts {
		b.WriteString(s)
		if i < len(p.slot) {
			b.WriteString(vals[p.slot[i]])
		}
	}
	return b.String()
}
