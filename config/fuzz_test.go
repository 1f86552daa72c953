package config

import (
	"reflect"
	"testing"
)

// FuzzParse: any text is either refused with an error or gives a
// configuration that validates; parsing never panics.
func FuzzParse(f *testing.F) {
	f.Add("db = \"x.db\"\n[fetch]\nallow_private = [\"127.0.0.1\", \"10.0.0.0/8\"]\nper_host_delay = \"100ms\"\n")
	f.Add("[notify]\nlead_close = [\"7d\", \"12h\"]\nhour = 23\n")
	f.Add("[smtp]\nport = 99999\n")
	f.Add("[[fetch]]\n")
	f.Add("db = 1\n")
	f.Fuzz(func(t *testing.T, text string) {
		c, err := Parse([]byte(text))
		if err != nil {
			return
		}
		if err := c.Validate(); err != nil {
			t.Fatalf("Parse accepted a config that does not validate: %v", err)
		}
		if text == "" && !reflect.DeepEqual(c, Default()) {
			t.Fatal("empty text is not the default")
		}
	})
}
