package tracker

import (
	"math/rand"
	"os"
	"path/filepath"
	"testing"
	"time"
)

// FuzzDiscover: no page makes list reading panic, whatever its markup,
// scripts or datastores.
func FuzzDiscover(f *testing.F) {
	files, _ := filepath.Glob(filepath.Join("testdata", "lists", "*", "*.html"))
	for _, p := range files {
		// A window of each page around its list: whole pages make the
		// fuzzer's minimisation crawl.
		if b, err := os.ReadFile(p); err == nil {
			from := max(0, len(b)/2-1500)
			f.Add(string(b[from:min(len(b), from+3000)]))
		}
	}
	f.Add(`<script type="text/xml"><datastore><nextgroup><![CDATA[<a href="/module/web/jpage/dataproxy.jsp?page=1"></a>]]></nextgroup><recordset><record><![CDATA[<li><a href="/art/1.html">关于申报的通知</a>2024-01-02</li>]]></record></recordset></datastore></script>`)
	f.Add(`<script>var data = [{title:'关于申报的通知', url:'./1.html', time:'2024-1-2'},{"title":"二","url":"2.html"}]; createPageHTML('p', 3, 1, 'index', 'html', 40);</script>`)
	f.Fuzz(func(t *testing.T, page string) {
		list := Discover("http://kjt.example.gov.cn/tzgg/index.html", page, "", nil)
		DetectKind(list)
		if list.Proxy != nil {
			list.Proxy.Request()
			ProxyPage(page, list.Proxy, "http://kjt.example.gov.cn/tzgg/index.html", nil)
		}
		ReadArticle("http://kjt.example.gov.cn/tzgg/1.html", page)
	})
}

// TestDiscoverSurvivesMutations cuts, repeats and overwrites parts of every
// fixture page (a fixed seed, so a failure reproduces) and reads each
// result as a list and as a notice: nothing panics and nothing takes more
// than a second. (Coverage-guided fuzzing of this package stalls after a
// few dozen executions here, in the fuzzer's own bookkeeping, not in
// Discover: each input alone runs in milliseconds. The test binary links
// SQLite, and the coverage map that comes with it is the likely cause.
// FuzzDiscover runs its seeds with the tests.)
func TestDiscoverSurvivesMutations(t *testing.T) {
	files, _ := filepath.Glob(filepath.Join("testdata", "lists", "*", "*.html"))
	if len(files) == 0 {
		t.Fatal("no fixture pages")
	}
	rng := rand.New(rand.NewSource(20261201))
	n := 600
	if testing.Short() {
		n = 100
	}
	for iter := 0; iter < n; iter++ {
		b, err := os.ReadFile(files[rng.Intn(len(files))])
		if err != nil {
			t.Fatal(err)
		}
		s := append([]byte(nil), b...)
		for k := 0; k < 1+rng.Intn(6); k++ {
			i := rng.Intn(len(s))
			j := i + rng.Intn(min(400, len(s)-i))
			switch rng.Intn(4) {
			case 0: // cut
				s = append(s[:i:i], s[j:]...)
			case 1: // repeat
				s = append(s[:j:j], append(append([]byte{}, s[i:j]...), s[j:]...)...)
			case 2: // a random byte
				s[i] = byte(rng.Intn(256))
			case 3: // an unclosed tag or a CDATA end
				tags := []string{"<div>", "<li>", "<a href='", "]]>", "<![CDATA[", "<script>", "《", "createPageHTML(", "[{", "'"}
				s = append(s[:i:i], append([]byte(tags[rng.Intn(len(tags))]), s[i:]...)...)
			}
		}
		page := string(s)
		start := time.Now()
		list := Discover("http://kjt.example.gov.cn/tzgg/index.html", page, "", nil)
		DetectKind(list)
		if list.Proxy != nil {
			list.Proxy.Request()
			ProxyPage(page, list.Proxy, "http://kjt.example.gov.cn/tzgg/index.html", nil)
		}
		ReadArticle("http://kjt.example.gov.cn/tzgg/1.html", page)
		if d := time.Since(start); d > time.Second {
			t.Errorf("mutation %d took %v", iter, d)
		}
	}
}
