package extract

import (
	"bufio"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// The labelled corpus lives in ../shared beside the repository; it is data,
// not ours, so it is read from there and the test skips when it is absent.
var corpusDir = filepath.Join("..", "..", "..", "shared", "corpus")

type goldNotice struct {
	ID        string `json:"id"`
	Published string `json:"published"`
	Windows   []struct {
		Opens  *string `json:"opens"`
		Closes *string `json:"closes"`
	} `json:"windows"`
}

func loadCorpus(tb testing.TB) ([]goldNotice, map[string]string) {
	f, err := os.Open(filepath.Join(corpusDir, "labels.jsonl"))
	if err != nil {
		tb.Skipf("corpus not available (%v): skipping", err)
	}
	defer f.Close()
	var gold []goldNotice
	texts := map[string]string{}
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 1<<20), 1<<20)
	for sc.Scan() {
		if strings.TrimSpace(sc.Text()) == "" {
			continue
		}
		var g goldNotice
		if err := json.Unmarshal(sc.Bytes(), &g); err != nil {
			tb.Fatalf("labels.jsonl: %v", err)
		}
		b, err := os.ReadFile(filepath.Join(corpusDir, g.ID+".txt"))
		if err != nil {
			tb.Fatal(err)
		}
		gold = append(gold, g)
		texts[g.ID] = string(b)
	}
	return gold, texts
}

func orEmpty(p *string) string {
	if p == nil {
		return ""
	}
	return *p
}

// TestCorpusF1 scores the extractor as score.py does (windows match when
// opens and closes are equal) and fails below the floor, so a rule change
// that loses windows on real notices shows here.
func TestCorpusF1(t *testing.T) {
	gold, texts := loadCorpus(t)
	var tp, fp, fn int
	for _, g := range gold {
		var opts Options
		if g.Published != "" {
			opts.Published, _ = ParseDate(g.Published)
		}
		res := Extract(texts[g.ID], opts)
		want := map[string]int{}
		for _, w := range g.Windows {
			want[orEmpty(w.Opens)+"→"+orEmpty(w.Closes)]++
		}
		for _, w := range res.Windows {
			k := w.Opens + "→" + w.Closes
			if want[k] > 0 {
				want[k]--
				tp++
			} else {
				fp++
				t.Logf("%s: spurious %s (%s)", g.ID, k, w.Evidence)
			}
		}
		for k, n := range want {
			fn += n
			for ; n > 0; n-- {
				t.Logf("%s: missed %s", g.ID, k)
			}
		}
	}
	p := float64(tp) / float64(max(1, tp+fp))
	r := float64(tp) / float64(max(1, tp+fn))
	f1 := 2 * p * r / max(1e-9, p+r)
	t.Logf("corpus: %d notices, precision %.3f recall %.3f F1 %.3f", len(gold), p, r, f1)
	if f1 < 0.95 {
		t.Errorf("window F1 %.3f on the corpus, below the 0.95 floor", f1)
	}
}
