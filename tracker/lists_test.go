package tracker

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"path"
	"path/filepath"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/grantwatch/grantwatch/store"
	"github.com/grantwatch/grantwatch/tracker/pagetext"
)

// listFixture is one page structure of testdata/lists: a realistic column
// (or notice) page written after a real CMS family, the pages it links to,
// and what a reader finds there. testdata/lists/README.md says where each
// structure was learned.
type listFixture struct {
	Family      string            `json:"family"`
	About       string            `json:"about"`
	Start       string            `json:"start"`
	ContentType string            `json:"content_type"`
	Files       map[string]string `json:"files"`
	Post        []struct {
		Path        string            `json:"path"`
		Params      map[string]string `json:"params"`
		File        string            `json:"file"`
		ContentType string            `json:"content_type"`
	} `json:"post"`
	Kind  string `json:"kind"`
	Pages int    `json:"pages"`
	Links []struct {
		URL       string `json:"url"`
		Title     string `json:"title"`
		Published string `json:"published"`
	} `json:"links"`
	Windows []struct {
		Opens  *string `json:"opens"`
		Closes *string `json:"closes"`
	} `json:"windows"`

	dir string
}

func loadListFixtures(t *testing.T) []listFixture {
	t.Helper()
	paths, err := filepath.Glob(filepath.Join("testdata", "lists", "*", "fixture.json"))
	if err != nil || len(paths) == 0 {
		t.Fatalf("no list fixtures (%v)", err)
	}
	sort.Strings(paths)
	var out []listFixture
	for _, p := range paths {
		b, err := os.ReadFile(p)
		if err != nil {
			t.Fatal(err)
		}
		var f listFixture
		if err := json.Unmarshal(b, &f); err != nil {
			t.Fatalf("%s: %v", p, err)
		}
		f.dir = filepath.Dir(p)
		out = append(out, f)
	}
	return out
}

// fixtureNoticeDeadline is the one window every generated notice states.
const fixtureNoticeDeadline = "2030-06-30"

// serve answers the fixture's pages (by path and query), its POSTs (by the
// parameters they must carry), and every notice it links to with a notice
// of that title stating one deadline: a page, a PDF or a Word file as the
// link's extension says.
func (f *listFixture) serve(t *testing.T) *httptest.Server {
	linked := map[string]string{}
	for _, l := range f.Links {
		linked[l.URL] = l.Title
	}
	var mu sync.Mutex
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		defer mu.Unlock()
		key := r.URL.Path
		if r.URL.RawQuery != "" {
			key += "?" + r.URL.RawQuery
		}
		file := func(name, ct string) {
			b, err := os.ReadFile(filepath.Join(f.dir, name))
			if err != nil {
				t.Errorf("%s: %v", f.dir, err)
				http.Error(w, "missing fixture file", 500)
				return
			}
			w.Header().Set("Content-Type", ct)
			w.Write(b)
		}
		if r.Method == http.MethodPost {
			r.ParseForm()
			for _, p := range f.Post {
				if p.Path != r.URL.Path {
					continue
				}
				ok := true
				for k, v := range p.Params {
					if r.Form.Get(k) != v {
						ok = false
					}
				}
				if ok {
					file(p.File, p.ContentType)
					return
				}
			}
			http.Error(w, "no such record group", http.StatusNotFound)
			return
		}
		if name, ok := f.Files[key]; ok {
			file(name, f.ContentType)
			return
		}
		if title, ok := linked[key]; ok {
			body := "申报截止时间：2030年6月30日。"
			switch strings.ToLower(path.Ext(r.URL.Path)) {
			case ".pdf":
				w.Header().Set("Content-Type", "application/pdf")
				w.Write(pdf(title, body))
			case ".doc", ".docx", ".wps", ".xls", ".xlsx", ".ofd":
				w.Header().Set("Content-Type", "application/octet-stream")
				w.Write(docx(t, title, body))
			default:
				w.Header().Set("Content-Type", "text/html; charset=utf-8")
				w.Write(noticePage(title, "<p>各有关单位：</p><p>"+body+"</p>"))
			}
			return
		}
		http.NotFound(w, r)
	}))
	t.Cleanup(srv.Close)
	return srv
}

// TestListFixtures reads every page structure of testdata/lists: the kind
// decided, the links found on the first page (with their titles and
// dates), then a crawl that follows the column's paging: every notice
// linked stored once with its window, no other notice, and no list page
// stored as a notice.
func TestListFixtures(t *testing.T) {
	fixtures := loadListFixtures(t)
	if len(fixtures) < 16 {
		t.Errorf("%d fixtures; the library holds at least 16", len(fixtures))
	}
	var rows []string
	for _, f := range fixtures {
		t.Run(filepath.Base(f.dir), func(t *testing.T) {
			srv := f.serve(t)
			start := srv.URL + f.Start

			// The first page alone: kind and links.
			body, err := os.ReadFile(filepath.Join(f.dir, f.Files[f.Start]))
			if err != nil {
				t.Fatal(err)
			}
			page, _ := pagetext.Decode(body, f.ContentType)
			list := Discover(start, page, "", nil)
			kind, why := DetectKind(list)
			if kind != f.Kind {
				t.Errorf("kind %s (%s), want %s", kind, why, f.Kind)
			}
			want := map[string]string{}
			for _, l := range f.Links {
				want[srv.URL+l.URL] = l.Title + " | " + l.Published
			}
			if kind == "list" {
				for _, l := range list.Links {
					w, ok := want[l.URL]
					if !ok {
						t.Errorf("first page: link not in the list: %s %q", l.URL, l.Title)
						continue
					}
					if got := l.Title + " | " + l.Published; got != w {
						t.Errorf("first page: %s: %q, want %q", l.URL, got, w)
					}
				}
			}

			// A crawl from an auto source.
			now := &clock{t: time.Date(2025, 1, 10, 2, 0, 0, 0, time.UTC)}
			c := testCrawler(t, testFetchConfig(), now)
			src := addSource(t, c, store.Source{URL: start})
			rep := c.CrawlNow(context.Background(), []store.Source{src}, nil).Sources[0]
			if rep.Err != nil {
				t.Fatalf("crawl: %v", rep.Err)
			}
			if rep.Kind != f.Kind {
				t.Errorf("crawl took it for a %s (%s)", rep.Kind, rep.Why)
			}
			notices, err := c.DB.Notices(context.Background(), "", 0)
			if err != nil {
				t.Fatal(err)
			}
			stored := map[string]bool{}
			for _, n := range notices {
				stored[n.URL] = true
			}
			for p := range f.Files {
				if stored[srv.URL+p] && f.Kind == "list" {
					t.Errorf("the list page %s was stored as a notice", p)
				}
			}
			ws, _ := c.DB.Windows(context.Background(), store.WindowFilter{})
			found := 0
			if f.Kind == "list" {
				for u := range want {
					if stored[u] {
						found++
					} else {
						t.Errorf("notice not stored: %s", u)
					}
				}
				for u := range stored {
					if _, ok := want[u]; !ok {
						t.Errorf("stored a notice the list does not hold: %s", u)
					}
				}
				if rep.Pages != f.Pages {
					t.Errorf("read %d pages of the column, want %d", rep.Pages, f.Pages)
				}
				// A notice whose title speaks of 调整 or 延期 may move the
				// window of the notice it names instead of keeping its own.
				moved := 0
				for _, n := range notices {
					if own, _ := c.DB.NoticeWindows(context.Background(), n.ID); n.ExtendsNoticeID != 0 && len(own) == 0 {
						moved++
					}
				}
				if len(ws)+moved != len(f.Links) {
					t.Errorf("%d windows (and %d moved by an extension) for %d notices", len(ws), moved, len(f.Links))
				}
				for _, w := range ws {
					if w.Closes != fixtureNoticeDeadline {
						t.Errorf("window %s→%s of %s", w.Opens, w.Closes, w.NoticeURL)
					}
				}
			} else {
				if len(notices) != 1 || notices[0].URL != start {
					var urls []string
					for _, n := range notices {
						urls = append(urls, n.URL)
					}
					t.Errorf("notice page: stored %v, want only the page", urls)
				}
				var got, wantW []string
				for _, w := range ws {
					got = append(got, w.Opens+"→"+w.Closes)
				}
				for _, w := range f.Windows {
					wantW = append(wantW, orEmpty(w.Opens)+"→"+orEmpty(w.Closes))
				}
				sort.Strings(got)
				sort.Strings(wantW)
				if strings.Join(got, " ") != strings.Join(wantW, " ") {
					t.Errorf("windows %v, want %v", got, wantW)
				}
			}
			windows := fmt.Sprint(len(ws))
			if moved := len(f.Links) - len(ws); f.Kind == "list" && moved > 0 {
				windows += fmt.Sprintf(" (+%d moved by a 调整/延期 notice)", moved)
			}
			rows = append(rows, fmt.Sprintf("| %s | %s | %s | %d / %d | %d | %s |", filepath.Base(f.dir), f.Family, rep.Kind,
				len(f.Links), found, rep.Pages, windows))
		})
	}
	t.Logf("\n| fixture | family | kind decided | links expected / found | pages read | windows |\n|---|---|---|---|---|---|\n%s",
		strings.Join(rows, "\n"))
}

func orEmpty(p *string) string {
	if p == nil {
		return ""
	}
	return *p
}
