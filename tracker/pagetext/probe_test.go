package pagetext

import (
	"fmt"
	"math/rand"
	"os"
	"path/filepath"
	"testing"
	"time"
)

func TestProbeSpeed(t *testing.T) {
	files, _ := filepath.Glob(filepath.Join("testdata", "office", "*"))
	rng := rand.New(rand.NewSource(1))
	for _, name := range files {
		b, _ := os.ReadFile(name)
		st := time.Now()
		officeText(b)
		fmt.Printf("%s %v\n", name, time.Since(st))
		var worst time.Duration
		for k := 0; k < 300; k++ {
			m := append([]byte{}, b...)
			for j := 0; j < 1+rng.Intn(8); j++ {
				m[rng.Intn(len(m))] = byte(rng.Intn(256))
			}
			st := time.Now()
			s, _ := officeText(m)
			if d := time.Since(st); d > worst {
				worst = d
				os.WriteFile("/tmp/slow-"+filepath.Base(name), m, 0o644)
				_ = s
			}
		}
		fmt.Printf("   worst mutation %v\n", worst)
	}
}
