package extract

import (
	"strings"
	"testing"
	"unicode/utf8"
)

// FuzzExtract: any text, no panic, and every window is well formed: its
// evidence is the text at its span, dates are real dates, opens <= closes.
func FuzzExtract(f *testing.F) {
	for _, s := range fixtureTexts() {
		f.Add(s)
	}
	for _, s := range []string{"于\n2017\n年\n10\n月\n31\n日前", "二OO六年四月十三日", "2017630日", "即日起至9月30日", "8月27日至30日", "(9:00-17:30)"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, text string) {
		res := Extract(text, Options{Published: Date{2019, 8, 27}})
		for _, w := range res.Windows {
			if w.Start < 0 || w.End > len(text) || w.Start > w.End {
				t.Fatalf("span [%d,%d) outside text of %d bytes", w.Start, w.End, len(text))
			}
			if utf8.ValidString(text) && text[w.Start:w.End] != w.Evidence {
				t.Fatalf("evidence %q is not text[%d:%d]", w.Evidence, w.Start, w.End)
			}
			for _, d := range []string{w.Opens, w.Closes} {
				if d != "" {
					if _, err := ParseDate(d); err != nil {
						t.Fatalf("bad date %q", d)
					}
				}
			}
			if w.Opens != "" && w.Closes != "" && w.Opens > w.Closes {
				t.Fatalf("opens %s after closes %s", w.Opens, w.Closes)
			}
			if w.ClosesTime != "" && (len(w.ClosesTime) != 5 || !strings.Contains(w.ClosesTime, ":")) {
				t.Fatalf("bad time %q", w.ClosesTime)
			}
			if w.What == "" {
				t.Fatal("window without a label")
			}
			if utf8.ValidString(text) && (!utf8.ValidString(w.What) || !utf8.ValidString(w.Evidence)) {
				t.Fatalf("label %q or evidence %q cut inside a character", w.What, w.Evidence)
			}
		}
	})
}
