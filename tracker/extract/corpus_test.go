package extract

import (
	"bufio"
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"unicode/utf8"
)

// Labelled real notices, scored as ../shared/corpus/score.py scores them:
// a predicted window matches a gold one when opens and closes are equal;
// the deadline figure compares closes only. Three sets:
//   - shared: ../shared/corpus beside the repository (data that is not
//     ours, read from there; skipped when absent);
//   - tune: testdata/notices/tune, the notices rules may be studied on;
//   - validation: testdata/notices/validation, never studied: its figure
//     is what a user meets on notices the rules were not bent to.
//
// `go test -v -run TestCorpus ./tracker/extract` prints the figures (CI
// does); -corpus.verbose lists each miss of the shared and tune sets.
var corpusSets = []struct {
	name, dir string
	// floors: window F1 and deadline F1 below which the test fails, set a
	// little under what the extractor reaches, so that a change that loses
	// windows on real notices shows.
	window, deadline float64
	study            bool // misses may be listed (never for validation)
}{
	{"shared", filepath.Join("..", "..", "..", "shared", "corpus"), 0.94, 0.94, true},
	{"tune", filepath.Join("testdata", "notices", "tune"), 0.82, 0.84, true},
	{"validation", filepath.Join("testdata", "notices", "validation"), 0.80, 0.81, false},
}

var corpusVerbose = flag.Bool("corpus.verbose", false, "list each miss on the shared and tune sets")

type goldWindow struct {
	Opens  *string `json:"opens"`
	Closes *string `json:"closes"`
	What   string  `json:"what"`
}

type goldNotice struct {
	ID        string       `json:"id"`
	Published *string      `json:"published"`
	Windows   []goldWindow `json:"windows"`
}

func loadLabels(tb testing.TB, dir string) ([]goldNotice, map[string]string, error) {
	f, err := os.Open(filepath.Join(dir, "labels.jsonl"))
	if err != nil {
		return nil, nil, err
	}
	defer f.Close()
	var gold []goldNotice
	texts := map[string]string{}
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 1<<20), 1<<20)
	for n := 1; sc.Scan(); n++ {
		if strings.TrimSpace(sc.Text()) == "" {
			continue
		}
		var g goldNotice
		if err := json.Unmarshal(sc.Bytes(), &g); err != nil {
			tb.Fatalf("%s/labels.jsonl:%d: %v", dir, n, err)
		}
		b, err := os.ReadFile(filepath.Join(dir, g.ID+".txt"))
		if err != nil {
			tb.Fatalf("%s/labels.jsonl:%d: %v", dir, n, err)
		}
		gold = append(gold, g)
		texts[g.ID] = string(b)
	}
	return gold, texts, sc.Err()
}

// loadCorpus is the shared corpus (other tests and benchmarks use it).
func loadCorpus(tb testing.TB) ([]goldNotice, map[string]string) {
	gold, texts, err := loadLabels(tb, corpusSets[0].dir)
	if err != nil {
		tb.Skipf("corpus not available (%v): skipping", err)
	}
	return gold, texts
}

func orEmpty(p *string) string {
	if p == nil {
		return ""
	}
	return *p
}

type score struct{ tp, fp, fn int }

func (s score) f1() float64 {
	p := float64(s.tp) / float64(max(1, s.tp+s.fp))
	r := float64(s.tp) / float64(max(1, s.tp+s.fn))
	return 2 * p * r / max(1e-9, p+r)
}

func (s score) String() string {
	return fmt.Sprintf("P %.3f R %.3f F1 %.3f (%d gold, %d predicted, %d matched)",
		float64(s.tp)/float64(max(1, s.tp+s.fp)), float64(s.tp)/float64(max(1, s.tp+s.fn)), s.f1(), s.tp+s.fn, s.tp+s.fp, s.tp)
}

// match counts, as multisets, how many of got match want by key.
func match(want, got []string) (sc score, missed, spurious []string) {
	left := map[string]int{}
	for _, k := range want {
		left[k]++
	}
	for _, k := range got {
		if left[k] > 0 {
			left[k]--
			sc.tp++
		} else {
			sc.fp++
			spurious = append(spurious, k)
		}
	}
	for _, k := range want {
		if left[k] > 0 {
			left[k]--
			sc.fn++
			missed = append(missed, k)
		}
	}
	return sc, missed, spurious
}

func scoreSet(t *testing.T, gold []goldNotice, texts map[string]string, study bool) (windows, deadlines score, perfect int) {
	for _, g := range gold {
		var opts Options
		if p := orEmpty(g.Published); p != "" {
			opts.Published, _ = ParseDate(p)
		}
		res := Extract(texts[g.ID], opts)
		var wantW, wantD, gotW, gotD []string
		for _, w := range g.Windows {
			wantW = append(wantW, orEmpty(w.Opens)+"→"+orEmpty(w.Closes))
			wantD = append(wantD, orEmpty(w.Closes))
		}
		for _, w := range res.Windows {
			gotW = append(gotW, w.Opens+"→"+w.Closes)
			gotD = append(gotD, w.Closes)
		}
		for _, w := range res.Windows {
			if why := unreadableStage(w.What); why != "" {
				t.Errorf("%s: stage name %q: %s", g.ID, w.What, why)
			}
		}
		ws, missed, spurious := match(wantW, gotW)
		ds, _, _ := match(wantD, gotD)
		windows.tp, windows.fp, windows.fn = windows.tp+ws.tp, windows.fp+ws.fp, windows.fn+ws.fn
		deadlines.tp, deadlines.fp, deadlines.fn = deadlines.tp+ds.tp, deadlines.fp+ds.fp, deadlines.fn+ds.fn
		if ws.fp+ws.fn == 0 {
			perfect++
		}
		if study && *corpusVerbose && ws.fp+ws.fn > 0 {
			t.Logf("%s: missed %q spurious %q", g.ID, missed, spurious)
		}
	}
	return windows, deadlines, perfect
}

// unreadableStage says why a window's `what` is no stage name a reader
// expects in a reminder subject: too long (a batch prefix 第X批 aside), an
// address, a URL, Latin letters or digits, or a clause cut after a word that
// wants its object.
func unreadableStage(what string) string {
	name := what
	if i := strings.Index(name, "批 "); strings.HasPrefix(name, "第") && i > 0 {
		name = name[i+len("批 "):]
	}
	if n := utf8.RuneCountInString(name); n > 12 || n < 2 {
		return fmt.Sprintf("%d characters", n)
	}
	for _, r := range name {
		if r < 0x3400 || r > 0x9FFF {
			return fmt.Sprintf("holds %q", r)
		}
	}
	for _, e := range []string{"的", "将", "于", "和", "及", "与", "并", "至", "向", "由", "在"} {
		if strings.HasSuffix(name, e) {
			return "ends with " + e
		}
	}
	return ""
}

// TestCorpus prints window and deadline F1 on each set and fails below
// its floor.
func TestCorpus(t *testing.T) {
	for _, set := range corpusSets {
		t.Run(set.name, func(t *testing.T) {
			gold, texts, err := loadLabels(t, set.dir)
			if err != nil {
				t.Skipf("%s not available (%v): skipping", set.dir, err)
			}
			w, d, perfect := scoreSet(t, gold, texts, set.study)
			t.Logf("%-10s %d notices (%d perfect): windows %s", set.name, len(gold), perfect, w)
			t.Logf("%-10s deadlines %s", set.name, d)
			if w.f1() < set.window || d.f1() < set.deadline {
				t.Errorf("%s: window F1 %.3f, deadline F1 %.3f: below the floors %.2f/%.2f", set.name, w.f1(), d.f1(), set.window, set.deadline)
			}
		})
	}
}

// The repository's corpus is well formed: every evidence is in its text,
// ids are unique across the splits, dates are dates.
func TestCorpusLabelsWellFormed(t *testing.T) {
	seen := map[string]string{}
	for _, set := range corpusSets[1:] {
		raw, err := os.ReadFile(filepath.Join(set.dir, "labels.jsonl"))
		if err != nil {
			t.Fatal(err)
		}
		for n, line := range strings.Split(strings.TrimSpace(string(raw)), "\n") {
			var x struct {
				ID      string `json:"id"`
				Windows []struct {
					Opens, Closes *string
					Evidence      string `json:"evidence"`
				} `json:"windows"`
			}
			if err := json.Unmarshal([]byte(line), &x); err != nil {
				t.Fatalf("%s:%d: %v", set.name, n+1, err)
			}
			if other, dup := seen[x.ID]; dup {
				t.Errorf("%s is in %s and %s", x.ID, other, set.name)
			}
			seen[x.ID] = set.name
			text, err := os.ReadFile(filepath.Join(set.dir, x.ID+".txt"))
			if err != nil {
				t.Errorf("%s: %v", x.ID, err)
				continue
			}
			for _, w := range x.Windows {
				if !strings.Contains(string(text), w.Evidence) {
					t.Errorf("%s: evidence %q not in the text", x.ID, w.Evidence)
				}
				for _, d := range []*string{w.Opens, w.Closes} {
					if d != nil {
						if _, err := ParseDate(*d); err != nil {
							t.Errorf("%s: %q is not a date", x.ID, *d)
						}
					}
				}
			}
		}
	}
	if len(seen) < 300 {
		t.Errorf("%d notices in the repository's corpus, want at least 300", len(seen))
	}
}
