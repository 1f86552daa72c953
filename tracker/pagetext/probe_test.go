package pagetext

import (
	"context"
	"fmt"
	"os"
	"testing"

	"github.com/grantwatch/grantwatch/tracker/extract"
)

func TestProbe(t *testing.T) {
	for _, n := range []string{"notice.doc", "notice.wps", "schedule.xls", "schedule.xlsx"} {
		b, _ := os.ReadFile("testdata/office/" + n)
		s, _, err := DocumentText(context.Background(), b, "")
		r := extract.Extract(s, extract.Options{})
		fmt.Printf("== %s err=%v title=%q pub=%q\n", n, err, r.Title, r.Published)
		for _, w := range r.Windows {
			fmt.Printf("  %+v\n", w)
		}
	}
}
