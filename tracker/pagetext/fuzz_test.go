package pagetext

import (
	"strings"
	"testing"
	"unicode/utf8"
)

// FuzzHTMLText: any bytes, any declared charset: decoding gives valid
// UTF-8, and reading the page never panics and gives valid UTF-8 text.
func FuzzHTMLText(f *testing.F) {
	f.Add([]byte(`<html><head><meta charset="gbk"><title>通知</title></head><body><p>请于9月20日前报送</p></body></html>`), "text/html")
	f.Add([]byte("\xff\xfe<\x00p\x00>\x00"), "")
	f.Add([]byte(`<div class="TRS_Editor"><table><tr><td>附件</td></tr></table></div>`), "text/html; charset=utf-8")
	f.Add([]byte("<<<<>>>\x00\x81\x82"), "text/html; charset=gb2312")
	f.Fuzz(func(t *testing.T, body []byte, contentType string) {
		s, cs := Decode(body, contentType)
		if !utf8.ValidString(s) || cs == "" {
			t.Fatalf("Decode gave invalid text or no charset (%q)", cs)
		}
		p := HTMLText(s)
		if !utf8.ValidString(p.Text) || !utf8.ValidString(p.Title) {
			t.Fatal("HTMLText gave invalid UTF-8")
		}
		if strings.Contains(p.Text, "\n\n") {
			t.Fatal("empty lines kept")
		}
		IsHTML(body)
	})
}
