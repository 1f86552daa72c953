package notify

import (
	"reflect"
	"testing"
	"time"

	"github.com/grantwatch/grantwatch/store"
)

// A reminder drawn once and filled in for each recipient is byte for byte
// the reminder drawn for that recipient, whatever the recipient's name
// and the site's base URL hold; values that would need escaping are drawn
// in full.
func TestBodiesSameAsDrawn(t *testing.T) {
	now := at("2019-09-13 09:00")
	subs := []store.Subscriber{
		{Email: "a@example.cn", FeedToken: "fhGfy68BT5k0N9-pyxul5w", UnsubscribeToken: "0tI_mT9v0u5txl95XwrWDA"},
		{Email: "b@example.cn", Name: "张三", FeedToken: "Zm9vYmFy_-", UnsubscribeToken: "YmF6cXV4"},
		{Email: "c@example.cn", Name: "R&D <office> \"x\" 'y' a+b", FeedToken: "t1", UnsubscribeToken: "u1"},
		{Email: "d@example.cn", Name: "line\nbreak\ttab", FeedToken: "t2", UnsubscribeToken: "u2"},
		{Email: "e@example.cn", Name: "王五" + placeholder + "0", FeedToken: "t3", UnsubscribeToken: "u3"},
		{Email: "f@example.cn", Name: "李四", FeedToken: "tok%20en", UnsubscribeToken: "u<4>"},
	}
	windows := []struct {
		kind    string
		w       store.WindowView
		changes []store.WindowChange
	}{
		{"close", store.WindowView{Title: "关于组织申报2019年度重点研发计划的通知", NoticeURL: "https://a.gov.cn/1.html?x=1&y=<2>",
			Window: store.Window{Label: "网络申报", Opens: "2019-09-01", Closes: "2019-09-20", Evidence: "申报时间：2019年9月1日至9月20日"}}, nil},
		{"open", store.WindowView{Title: "关于<b>申报</b>的通知 & 附件", NoticeURL: "https://a.gov.cn/2.html",
			Window: store.Window{Label: "纸质材料", Opens: "2019-09-16", Closes: "2019-09-30"}}, nil},
		{"correction", store.WindowView{Title: "调整通知", NoticeURL: "https://a.gov.cn/3.html",
			Window: store.Window{Label: "报送", Closes: "2019-09-25", Revision: 2}},
			[]store.WindowChange{{ChangedAt: now.Add(-time.Hour), OldCloses: "2019-09-20", NewCloses: "2019-09-25"}}},
		{"withdrawn", store.WindowView{Title: "撤下的通知", NoticeURL: "https://a.gov.cn/4.html", NoticeStatus: "gone",
			Window: store.Window{Label: "报送", Closes: "2019-09-25"}}, nil},
		{"close", store.WindowView{Title: "标题里有" + placeholder + "1", NoticeURL: "https://a.gov.cn/5.html",
			Window: store.Window{Label: "报送", Closes: "2019-09-25"}}, nil},
	}
	for _, base := range []string{"https://grants.example.cn", "http://localhost:8080/gw/", "https://g.example.cn/?a=1&b=2", "javascript:alert(1)//"} {
		c := Config{Location: shanghai, BaseURL: base, From: "grantwatch@example.cn"}
		var cache bodies
		for wi, tc := range windows {
			for si, s := range subs {
				d := store.Delivery{ID: int64(wi*100 + si), Kind: tc.kind, Revision: tc.w.Revision}
				want, err := c.renderReminder(d, s, tc.w, tc.changes, now, nil)
				if err != nil {
					t.Fatal(err)
				}
				got, err := c.renderReminder(d, s, tc.w, tc.changes, now, &cache)
				if err != nil {
					t.Fatal(err)
				}
				if got.HTML != want.HTML || got.Text != want.Text {
					t.Errorf("base %q, window %d, subscriber %q: filled-in body differs from the drawn one\ngot:  %q\nwant: %q", base, wi, s.Name, got.HTML, want.HTML)
				}
			}
		}
		// The plain base URLs let the plain recipients share drawings.
		if shared := len(cache.m); (base == "https://grants.example.cn" || base == "http://localhost:8080/gw/") != (shared > 0) {
			t.Errorf("base %q: %d drawings kept", base, shared)
		}
	}
}

// The drawings' key changes with every field of the view: a field added
// to the view and not to the key would give one recipient another's mail.
func TestBodiesKeyHasEveryField(t *testing.T) {
	var v reminderView
	base := v.key()
	rv := reflect.ValueOf(&v).Elem()
	for i := 0; i < rv.NumField(); i++ {
		f := rv.Field(i)
		switch f.Kind() {
		case reflect.String:
			f.SetString("x")
		case reflect.Slice:
			f.Set(reflect.ValueOf([]string{"x"}))
		default:
			t.Fatalf("field %s: kind %s not in the key", rv.Type().Field(i).Name, f.Kind())
		}
		if v.key() == base {
			t.Errorf("field %s is not in the key", rv.Type().Field(i).Name)
		}
		f.Set(reflect.Zero(f.Type()))
	}
}
