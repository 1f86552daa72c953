package pagetext

import (
	"fmt"
	"os"
	"testing"
)

func TestProbe2(t *testing.T) {
	b, _ := os.ReadFile("testdata/office/schedule.xls")
	f, _ := openOLE(b)
	wb, _ := f.stream("Workbook", true)
	for _, r := range biffRecords(wb) {
		if r.typ == recFormula || r.typ == recString || r.typ == 0x04BC || r.typ == 0x0221 {
			fmt.Printf("%#04x % x conts=%d\n", r.typ, r.data, len(r.conts))
		}
	}
}
