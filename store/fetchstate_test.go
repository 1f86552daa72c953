package store

import (
	"context"
	"database/sql"
	"reflect"
	"testing"
)

// TestSaveFetchedNoticeFetchState: a new notice's validators and
// attachments are stored with its row (not by an update after), a notice
// saved without them gets the column defaults, and a notice saved again
// takes the new ones.
func TestSaveFetchedNoticeFetchState(t *testing.T) {
	db, _ := openTest(t)
	ctx := context.Background()
	src, err := db.AddSource(ctx, Source{URL: "http://kjt.example/tzgg/", Kind: "list"})
	if err != nil {
		t.Fatal(err)
	}
	withState := &NoticeFetchState{ETag: `"abc"`, LastModified: "Tue, 27 Aug 2019 01:00:00 GMT",
		Attachments: []Attachment{{URL: "http://kjt.example/a.docx", Title: "附件1", Status: "read"}}}
	later := &NoticeFetchState{ETag: `"def"`, Attachments: []Attachment{}}
	for _, tc := range []struct {
		name        string
		url         string
		saves       []*NoticeFetchState
		want        NoticeFetchState
		wantChecked bool
	}{
		{"new with state", "http://kjt.example/tzgg/1.html", []*NoticeFetchState{withState}, *withState, true},
		{"new without state", "http://kjt.example/tzgg/2.html", []*NoticeFetchState{nil}, NoticeFetchState{Attachments: []Attachment{}}, false},
		{"saved again", "http://kjt.example/tzgg/3.html", []*NoticeFetchState{nil, later}, NoticeFetchState{ETag: `"def"`, Attachments: []Attachment{}}, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var id int64
			for i, st := range tc.saves {
				res, err := db.SaveFetchedNotice(ctx, Notice{SourceID: src.ID, URL: tc.url, Title: "关于申报的通知", Text: "请于2019年9月20日前报送。"},
					[]Window{{Key: "deadline", Label: "申报截止", Closes: "2019-09-20", Evidence: "请于2019年9月20日前报送。"}}, "crawl", st)
				if err != nil {
					t.Fatal(err)
				}
				if res.NewNotice != (i == 0) {
					t.Fatalf("save %d: NewNotice %v", i, res.NewNotice)
				}
				id = res.NoticeID
			}
			got, err := db.NoticeFetchStateOf(ctx, id)
			if err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(got, tc.want) {
				t.Errorf("fetch state %+v, want %+v", got, tc.want)
			}
			var checked sql.NullString
			if err := db.r.QueryRowContext(ctx, `SELECT checked_at FROM notices WHERE id = ?`, id).Scan(&checked); err != nil {
				t.Fatal(err)
			}
			if checked.Valid != tc.wantChecked {
				t.Errorf("checked_at %v, want set: %v", checked, tc.wantChecked)
			}
			ws, err := db.NoticeWindows(ctx, id)
			if err != nil {
				t.Fatal(err)
			}
			if len(ws) != 1 || ws[0].Closes != "2019-09-20" {
				t.Errorf("windows %+v, want the one deadline", ws)
			}
		})
	}
}
