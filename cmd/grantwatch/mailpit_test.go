package main

import (
	"encoding/json"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"
	"time"
)

// mailpit is the SMTP address and API URL of a running Mailpit, from
// GRANTWATCH_MAILPIT="127.0.0.1:11025,http://127.0.0.1:18025" (.ci/run
// starts one and sets it).
func mailpit(t *testing.T) (smtpAddr, api string) {
	t.Helper()
	v := os.Getenv("GRANTWATCH_MAILPIT")
	smtpAddr, api, ok := strings.Cut(v, ",")
	if v == "" || !ok {
		if os.Getenv("GRANTWATCH_REQUIRE_TOOLS") != "" {
			t.Fatal("GRANTWATCH_MAILPIT is not set but GRANTWATCH_REQUIRE_TOOLS is: .ci/run starts Mailpit")
		}
		t.Skip("no Mailpit (set GRANTWATCH_MAILPIT=SMTPADDR,APIURL; go install github.com/axllent/mailpit@v1.33.1); .ci/run provides one")
	}
	return smtpAddr, api
}

type mailpitList struct {
	Messages []struct {
		ID      string `json:"ID"`
		Subject string `json:"Subject"`
		To      []struct {
			Address string `json:"Address"`
		} `json:"To"`
	} `json:"messages"`
}

func mailpitGet(t *testing.T, url string, v any) {
	t.Helper()
	resp, err := http.Get(url)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != 200 {
		t.Fatalf("GET %s: %s", url, resp.Status)
	}
	if err := json.NewDecoder(resp.Body).Decode(v); err != nil {
		t.Fatal(err)
	}
}

func TestMailpitEndToEnd(t *testing.T) {
	smtpAddr, api := mailpit(t)
	req, _ := http.NewRequest(http.MethodDelete, api+"/api/v1/messages", nil)
	if resp, err := http.DefaultClient.Do(req); err != nil {
		t.Fatal(err)
	} else {
		resp.Body.Close()
	}
	db := filepath.Join(t.TempDir(), "gw.db")
	mustGW(t, "--db", db, "import", filepath.Join("..", "..", "digest", "testdata", "digest.txt"))
	mustGW(t, "--db", db, "subscriber", "add", "li@example.cn", "--name", "李老师")
	for _, now := range []string{"2021-06-23T09:00:00+08:00", "2021-06-29T09:00:00+08:00"} {
		mustGW(t, "--db", db, "notify", "--once", "--now", now, "--smtp", smtpAddr)
		mustGW(t, "--db", db, "notify", "--once", "--now", now, "--smtp", smtpAddr) // once
	}
	var list mailpitList
	for i := 0; i < 50; i++ {
		mailpitGet(t, api+"/api/v1/messages", &list)
		if len(list.Messages) >= 4 {
			break
		}
		time.Sleep(50 * time.Millisecond)
	}
	var subjects []string
	for _, m := range list.Messages {
		subjects = append(subjects, m.Subject)
		if len(m.To) != 1 || m.To[0].Address != "li@example.cn" {
			t.Errorf("recipients %+v", m.To)
		}
	}
	sort.Strings(subjects)
	want := []string{
		"【申报截止提醒】明天截止：关于组织申报2021年度某某省智能制造示范项目的通知（网上申报）",
		"【申报截止提醒】还剩2天：关于开展2021年某某市科技型中小企业评价工作的通知（审核推荐）",
		"【申报截止提醒】还剩7天：关于组织申报2021年度某某省智能制造示范项目的通知（网上申报）",
		// The paper window's 7-day reminder (6-28) is caught up on 6-29.
		"【申报截止提醒】还剩6天：关于组织申报2021年度某某省智能制造示范项目的通知（纸质材料报送）",
	}
	sort.Strings(want)
	if strings.Join(subjects, "\n") != strings.Join(want, "\n") {
		t.Errorf("Mailpit received\n%s\nwant\n%s", strings.Join(subjects, "\n"), strings.Join(want, "\n"))
	}
	var headers map[string][]string
	mailpitGet(t, fmt.Sprintf("%s/api/v1/message/%s/headers", api, list.Messages[0].ID), &headers)
	if got := headers["List-Unsubscribe-Post"]; len(got) != 1 || got[0] != "List-Unsubscribe=One-Click" {
		t.Errorf("headers %v", headers)
	}
}
