package pagetext

import (
	"archive/zip"
	"bytes"
	"context"
	"errors"
	"os/exec"
	"strings"
	"testing"

	"golang.org/x/text/encoding/simplifiedchinese"
	"golang.org/x/text/encoding/traditionalchinese"
	"golang.org/x/text/encoding/unicode"
)

func gbk(t *testing.T, s string) []byte {
	t.Helper()
	b, err := simplifiedchinese.GBK.NewEncoder().Bytes([]byte(s))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

const notice = "关于组织申报2019年度重点研发计划的通知：请于9月20日前报送。"

func TestDecode(t *testing.T) {
	utf16, _ := unicode.UTF16(unicode.LittleEndian, unicode.UseBOM).NewEncoder().Bytes([]byte(notice))
	// GB18030-only character (not in GBK): 𠀀 U+20000.
	gb18030, _ := simplifiedchinese.GB18030.NewEncoder().Bytes([]byte(notice + "𠀀"))
	pad := strings.Repeat("<!-- a long CMS comment that pushes the meta tag down -->\n", 40)
	tests := []struct {
		name        string
		body        []byte
		contentType string
		want        string
		charset     string
	}{
		{"utf-8 plain", []byte(notice), "", notice, "utf-8"},
		{"utf-8 BOM", append([]byte{0xEF, 0xBB, 0xBF}, notice...), "text/plain; charset=gbk", notice, "utf-8"},
		{"utf-16 BOM", utf16, "", notice, "utf-16le"},
		{"gbk in header", gbk(t, notice), "text/html; charset=GBK", notice, "gb18030"},
		{"gb2312 label read as gb18030", gb18030, "text/html; charset=gb2312", notice + "𠀀", "gb18030"},
		{"gbk with no label at all", gbk(t, notice), "", notice, "gb18030"},
		{"header lies: utf-8 label, gbk bytes", gbk(t, notice), "text/html; charset=utf-8", notice, "gb18030"},
		{"header lies: gbk label, utf-8 bytes", []byte(notice), "text/html; charset=gbk", notice, "utf-8"},
		{"meta charset", gbk(t, `<html><head><meta charset="gbk"></head><body>`+notice+`</body></html>`), "text/html",
			`<html><head><meta charset="gbk"></head><body>` + notice + `</body></html>`, "gb18030"},
		// Big5 bytes are no valid UTF-8 and would read as (wrong) GB18030:
		// only the late <meta> gives the right text.
		{"meta past 1024 bytes", big5(t, "<html><head>"+pad+`<meta http-equiv="Content-Type" content="text/html; charset=big5">`+"申報時間"),
			"", "<html><head>" + pad + `<meta http-equiv="Content-Type" content="text/html; charset=big5">` + "申報時間", "big5"},
		{"quoted header charset", gbk(t, notice), `text/html; charset="gb2312"`, notice, "gb18030"},
		{"unknown label, valid utf-8", []byte(notice), "text/html; charset=x-unknown", notice, "utf-8"},
		{"utf-8 with a stray byte", append([]byte(notice), 0xff), "text/html; charset=utf-8", notice + "\uFFFD", "utf-8"},
	}
	for _, tt := range tests {
		got, cs := Decode(tt.body, tt.contentType)
		if got != tt.want || cs != tt.charset {
			t.Errorf("%s: got %q as %s, want %q as %s", tt.name, trunc(got), cs, trunc(tt.want), tt.charset)
		}
	}
}

func big5(t *testing.T, s string) []byte {
	t.Helper()
	b, err := traditionalchinese.Big5.NewEncoder().Bytes([]byte(s))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func trunc(s string) string {
	if len(s) > 80 {
		return s[len(s)-80:]
	}
	return s
}

func TestDecodeGarbageIsValidUTF8(t *testing.T) {
	for _, b := range [][]byte{{0xff, 0xfe, 0xfd}, {0x81}, []byte("\x80\x80abc"), {}} {
		s, _ := Decode(b, "text/html; charset=utf-8")
		if !strings.Contains(s, "") || strings.ToValidUTF8(s, "?") != s {
			t.Errorf("%x decoded to invalid UTF-8 %q", b, s)
		}
	}
}

func TestHTMLText(t *testing.T) {
	page := `<!DOCTYPE html><html><head><title> 关于组织申报的通知 - 某某省科技厅 </title><style>p{color:red}</style>
<script>document.write("2020年1月1日前报送")</script></head>
<body><div class="nav">首页 &gt; 通知公告</div>
<div class="content"><h1>关于组织申报的通知</h1><p>各有关单位：<p>网上申报时间：<b>2019年8月30日</b>至9月30日。<br>纸质材料<span>请于9月20日前</span>报送。
<table><tr><td>联系人</td><td>张三</td></tr></table><noscript>请启用脚本</noscript>
<p>某某省科学技术厅<br>2019年8月27日</div>`
	p := HTMLText(page)
	if p.Title != "关于组织申报的通知 - 某某省科技厅" {
		t.Errorf("title %q", p.Title)
	}
	for _, want := range []string{"首页 > 通知公告", "网上申报时间：2019年8月30日至9月30日。", "纸质材料请于9月20日前报送。", "联系人 张三", "某某省科学技术厅\n2019年8月27日"} {
		if !strings.Contains(p.Text, want) {
			t.Errorf("text lacks %q:\n%s", want, p.Text)
		}
	}
	for _, not := range []string{"document.write", "color:red", "请启用脚本", "2020年1月1日"} {
		if strings.Contains(p.Text, not) {
			t.Errorf("text holds %q:\n%s", not, p.Text)
		}
	}
}

func TestIsHTML(t *testing.T) {
	for s, want := range map[string]bool{
		"<html><body>x</body></html>": true, "\ufeff<!DOCTYPE html>": true, "  <div>x</div>": true,
		"关于申报的通知": false, "<不是标签": false, "": false, "<?xml version='1.0'?><doc/>": false,
	} {
		if got := IsHTML([]byte(s)); got != want {
			t.Errorf("IsHTML(%q) = %v", s, got)
		}
	}
}

func TestDOCXTextJoinsRuns(t *testing.T) {
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	f, _ := zw.Create("word/document.xml")
	f.Write([]byte(`<?xml version="1.0"?><w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"><w:body>` +
		`<w:p><w:r><w:t>请于</w:t></w:r><w:r><w:rPr><w:b/></w:rPr><w:t>2019</w:t></w:r><w:r><w:t>年9月</w:t></w:r><w:proofErr/><w:r><w:t>20日前报送</w:t></w:r></w:p>` +
		`<w:p><w:r><w:t>联系人：</w:t><w:tab/><w:t>张三</w:t></w:r></w:p></w:body></w:document>`))
	zw.Close()
	b := buf.Bytes()
	if !IsDOCX(b) {
		t.Fatal("not sniffed as DOCX")
	}
	got, err := DOCXText(b)
	if err != nil || got != "请于2019年9月20日前报送\n联系人：\t张三" {
		t.Errorf("DOCXText = %q, %v", got, err)
	}
	if _, err := DOCXText([]byte("PK\x03\x04 broken")); err == nil {
		t.Error("broken zip read without error")
	}
}

func TestDOCWithoutConverterIsSkippedClearly(t *testing.T) {
	doc := append([]byte{0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1}, make([]byte, 512)...)
	_, _, err := DocumentText(context.Background(), doc, "")
	_, errA := exec.LookPath("antiword")
	_, errC := exec.LookPath("catdoc")
	if errA != nil && errC != nil {
		if !errors.Is(err, ErrNoConverter) || !strings.Contains(err.Error(), "antiword or catdoc") {
			t.Errorf("without antiword/catdoc: %v", err)
		}
	} else if errors.Is(err, ErrNoConverter) {
		t.Errorf("converter installed but reported missing: %v", err)
	}
}
