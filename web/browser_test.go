package web

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/grantwatch/grantwatch/internal/testdoc"
)

// TestBrowserSubscribeFlow drives Debian's Chromium, headless: subscribe,
// follow the confirmation link the SMTP server received, change the
// preferences, look at the upcoming page (a screenshot is kept), and
// unsubscribe. A plain `go test` without chromium skips it; .ci/run
// installs chromium and makes it mandatory.
func TestBrowserSubscribeFlow(t *testing.T) {
	testdoc.RequireTool(t, "chromium", "apt-get install chromium")
	e := newEnv(t, true)
	opts := append(chromedp.DefaultExecAllocatorOptions[:],
		chromedp.Flag("headless", true), chromedp.NoSandbox, chromedp.DisableGPU,
		chromedp.Flag("disable-quic", true), chromedp.NoFirstRun, chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true), chromedp.Flag("disable-sync", true),
		chromedp.UserDataDir(t.TempDir()), chromedp.WindowSize(1000, 900))
	if p, err := exec.LookPath("chromium"); err == nil {
		opts = append(opts, chromedp.ExecPath(p))
	}
	actx, cancel := chromedp.NewExecAllocator(context.Background(), opts...)
	defer cancel()
	ctx, cancel := chromedp.NewContext(actx)
	defer cancel()
	ctx, cancel = context.WithTimeout(ctx, 90*time.Second)
	defer cancel()

	if err := chromedp.Do(ctx,
		chromedp.Navigate(e.srv.URL+"/subscribe"),
		chromedp.WaitVisible(chromedp.CSS(`#email`)),
		chromedp.SendKeys(chromedp.CSS(`#email`), "zhang@example.cn"),
		chromedp.SendKeys(chromedp.CSS(`#regions`), "山西"),
		chromedp.Click(chromedp.CSS(`#subscribe`)),
		chromedp.WaitVisible(chromedp.CSS(`#message`)),
	); err != nil {
		t.Fatalf("subscribe: %v", err)
	}
	msg, err := chromedp.Run(ctx, chromedp.Text(chromedp.CSS(`#message`)))
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(msg, "如果地址有效") {
		t.Fatalf("after subscribing: %q", msg)
	}
	var link string
	for i := 0; i < 50 && link == ""; i++ {
		for _, m := range e.smtp.Messages() {
			parts, err := m.Parts()
			if err == nil {
				link = regexp.MustCompile(`http://127\.0\.0\.1:\d+/confirm/[A-Za-z0-9_-]{22}`).FindString(parts["text/plain"])
			}
		}
		time.Sleep(20 * time.Millisecond)
	}
	if link == "" {
		t.Fatal("no confirmation mail")
	}
	if err := chromedp.Do(ctx,
		chromedp.Navigate(link),
		chromedp.WaitVisible(chromedp.CSS(`#confirm`)),
		chromedp.Click(chromedp.CSS(`#confirm`)),
		chromedp.WaitVisible(chromedp.CSS(`#confirmed`)),
		chromedp.SetValue(chromedp.CSS(`#keywords`), "重点研发"),
		chromedp.SetValue(chromedp.CSS(`#digest`), "weekly"),
		chromedp.Click(chromedp.CSS(`#save`)),
		chromedp.WaitVisible(chromedp.CSS(`#saved`)),
	); err != nil {
		t.Fatalf("confirm and preferences: %v", err)
	}
	s, err := e.db.Subscriber(context.Background(), "zhang@example.cn")
	if err != nil || s.Status != "active" || s.Digest != "weekly" || strings.Join(s.Keywords, ",") != "重点研发" || strings.Join(s.Regions, ",") != "山西" {
		t.Fatalf("after preferences: %+v %v", s, err)
	}

	if err := chromedp.Do(ctx, chromedp.Navigate(e.srv.URL+"/upcoming"), chromedp.WaitVisible(chromedp.CSS(`#timeline`))); err != nil {
		t.Fatalf("upcoming: %v", err)
	}
	shot, err := chromedp.Run(ctx, chromedp.FullScreenshot(100)) // 100: PNG
	if err != nil {
		t.Fatalf("screenshot: %v", err)
	}
	dir := os.Getenv("GRANTWATCH_ARTIFACTS")
	if dir == "" {
		dir = filepath.Join("..", "testdata", "artifacts")
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "upcoming.png"), shot, 0o644); err != nil {
		t.Fatal(err)
	}
	if len(shot) < 10000 {
		t.Errorf("screenshot of %d bytes", len(shot))
	}

	if err := chromedp.Do(ctx,
		chromedp.Navigate(e.srv.URL+"/unsubscribe/"+s.UnsubscribeToken),
		chromedp.WaitVisible(chromedp.CSS(`#unsubscribe`)),
		chromedp.Click(chromedp.CSS(`#unsubscribe`)),
		chromedp.WaitVisible(chromedp.CSS(`#message`)),
	); err != nil {
		t.Fatalf("unsubscribe: %v", err)
	}
	done, err := chromedp.Run(ctx, chromedp.Text(chromedp.CSS(`#message`)))
	if err != nil {
		t.Fatal(err)
	}
	if s, _ := e.db.Subscriber(context.Background(), "zhang@example.cn"); s.Status != "unsubscribed" || !strings.Contains(done, "已退订") {
		t.Errorf("after unsubscribing: %s %q", s.Status, done)
	}
}
