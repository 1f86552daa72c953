package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"golang.org/x/text/encoding/simplifiedchinese"

	"github.com/grantwatch/grantwatch/internal/testdoc"
)

func TestExtractCommandJSON(t *testing.T) {
	dir := t.TempDir()
	txt := filepath.Join(dir, "n.txt")
	os.WriteFile(txt, []byte("关于申报的通知\n网络申报时间：8月30日至9月30日17:00。\n纸质材料请于9月20日前报送。"), 0o600)

	// An HTML page in GBK with the charset only in <meta>, broken markup.
	page := `<html><head><meta http-equiv="Content-Type" content="text/html; charset=gb2312"><title>关于组织申报的通知</title>
<script>var d="2020年1月1日前报送";</script></head><body><div class="nav">首页 > 通知公告</div>
<div class="TRS_Editor"><p>各有关单位：<p>请于2019年10月15日前将申报材料报送至我厅。<br>某某省科学技术厅</div></body>`
	gbk, err := simplifiedchinese.GBK.NewEncoder().String(page)
	if err != nil {
		t.Fatal(err)
	}
	html := filepath.Join(dir, "n.html")
	os.WriteFile(html, []byte(gbk), 0o600)

	lines := jsonLines(t, mustGW(t, "extract", "--published", "2019-08-27", "--json", txt, html))
	if len(lines) != 2 {
		t.Fatalf("want one line per file, got %v", lines)
	}
	first := lines[0]
	if first["file"] != txt || first["published"] != "2019-08-27" {
		t.Errorf("first: %v", first)
	}
	ws := first["windows"].([]any)
	if len(ws) != 2 {
		t.Fatalf("windows: %v", ws)
	}
	w0 := ws[0].(map[string]any)
	if w0["opens"] != "2019-08-30" || w0["closes"] != "2019-09-30" || w0["closes_time"] != "17:00" || w0["evidence"] == "" {
		t.Errorf("window 0: %v", w0)
	}
	w1 := ws[1].(map[string]any)
	if w1["opens"] != nil || w1["closes"] != "2019-09-20" || w1["closes_time"] != nil {
		t.Errorf("window 1 (nulls): %v", w1)
	}
	second := lines[1]
	hw := second["windows"].([]any)
	if second["title"] != "关于组织申报的通知" || len(hw) != 1 || hw[0].(map[string]any)["closes"] != "2019-10-15" {
		t.Errorf("HTML page: %v", second)
	}

	// Standard input.
	var out strings.Builder
	code := run(t.Context(), []string{"extract", "--json", "-"}, strings.NewReader("请于2019年9月20日前报送。"), &out, &strings.Builder{})
	if code != 0 || !strings.Contains(out.String(), `"closes":"2019-09-20"`) {
		t.Errorf("stdin: %d %s", code, out.String())
	}
}

func TestExtractCommandBadInput(t *testing.T) {
	dir := t.TempDir()
	ok := filepath.Join(dir, "ok.txt")
	os.WriteFile(ok, []byte("请于2019年9月20日前报送。"), 0o600)
	r := gw(t, "extract", "--json", ok, filepath.Join(dir, "nope.txt"))
	if r.code != 2 || !strings.Contains(r.stderr, "nope.txt") || !strings.Contains(r.stdout, "2019-09-20") {
		t.Errorf("missing file among good ones: exit %d, stdout %q, stderr %q", r.code, r.stdout, r.stderr)
	}
	if r := gw(t, "extract", "--published", "27/08/2019", ok); r.code != 2 || !strings.Contains(r.stderr, "--published") {
		t.Errorf("bad --published: %d %q", r.code, r.stderr)
	}
	if r := gw(t, "extract"); r.code != 2 {
		t.Errorf("no files: exit %d", r.code)
	}
}

func TestExtractCommandDOCX(t *testing.T) {
	dir := t.TempDir()
	docxFile := filepath.Join(dir, "notice.bin") // sniffed from content, not the name
	os.WriteFile(docxFile, testdoc.DOCX("关于组织申报的通知", "网上申报时间：2019年9月2日至9月20日17:00。"), 0o600)
	lines := jsonLines(t, mustGW(t, "extract", "--json", docxFile))
	w := lines[0]["windows"].([]any)[0].(map[string]any)
	if w["opens"] != "2019-09-02" || w["closes"] != "2019-09-20" || w["closes_time"] != "17:00" {
		t.Errorf("DOCX window %v", w)
	}
}

func TestExtractCommandPDF(t *testing.T) {
	pdfFile := filepath.Join(t.TempDir(), "notice.pdf")
	os.WriteFile(pdfFile, testdoc.PDF("关于组织申报的通知", "纸质材料请于2019年9月25日前报送。"), 0o600)
	lines := jsonLines(t, mustGW(t, "extract", "--json", pdfFile))
	ws := lines[0]["windows"].([]any)
	if len(ws) != 1 || ws[0].(map[string]any)["closes"] != "2019-09-25" {
		t.Errorf("PDF windows %v", ws)
	}
}
