package config

import (
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"
)

// The documented example must be exactly the defaults, key for key.
func TestExampleMatchesDefault(t *testing.T) {
	b, err := os.ReadFile(filepath.Join("..", "config.example.toml"))
	if err != nil {
		t.Fatal(err)
	}
	got, err := Parse(b)
	if err != nil {
		t.Fatalf("parse example: %v", err)
	}
	if want := Default(); !reflect.DeepEqual(got, want) {
		t.Errorf("config.example.toml differs from Default():\n got %+v\nwant %+v", got, want)
	}
	// Every field of Default must be spelled out in the example, so that the
	// example documents it: decode into an empty struct and compare again.
	var bare Config
	if err := decodeStrict(b, &bare); err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(bare, Default()) {
		t.Errorf("config.example.toml leaves out keys: got %+v", bare)
	}
}

func TestParse(t *testing.T) {
	tests := []struct {
		name    string
		in      string
		wantErr string
		check   func(Config) bool
	}{
		{"empty is default", "", "", func(c Config) bool { return reflect.DeepEqual(c, Default()) }},
		{"durations", "[fetch]\nper_host_delay = \"100ms\"\ntimeout = \"10s\"\n", "",
			func(c Config) bool {
				return c.Fetch.PerHostDelay == 100*time.Millisecond && c.Fetch.Timeout == 10*time.Second
			}},
		{"contract keys", "[fetch]\nallow_private = [\"127.0.0.1\"]\n[smtp]\nhost = \"127.0.0.1\"\nport = 1025\nfrom = \"grantwatch@example.test\"\n[http]\nbase_url = \"http://127.0.0.1:8080\"\n", "",
			func(c Config) bool { return c.SMTP.Port == 1025 && len(c.Fetch.AllowPrivate) == 1 }},
		{"unknown top key", "dbb = \"x\"\n", "unknown key dbb", nil},
		{"unknown nested key", "[fetch]\ntimeuot = \"1s\"\n", "unknown key fetch.timeuot", nil},
		{"syntax error names line", "db = \"x\"\nport = = 1\n", "line 2", nil},
		{"bad duration", "[fetch]\ntimeout = \"soon\"\n", "soon", nil},
		{"zero timeout", "[fetch]\ntimeout = \"0s\"\n", "fetch.timeout", nil},
		{"bad tls", "[smtp]\ntls = \"maybe\"\n", "smtp.tls", nil},
		{"bad allow", "[fetch]\nallow_private = [\"10.0.0.0/33\"]\n", "allow_private", nil},
		{"bad zone", "time_zone = \"Mars/Olympus\"\n", "time_zone", nil},
		{"bad base url", "[http]\nbase_url = \"ftp://x\"\n", "http.base_url", nil},
		{"bad cron minute", "[crawl]\nschedule = \"61 * * * *\"\n", `crawl.schedule: schedule "61 * * * *"`, nil},
		{"cron with too few fields", "[crawl]\nschedule = \"0 6 * *\"\n", `crawl.schedule: schedule "0 6 * *"`, nil},
		{"cron zone without spec", "[crawl]\nschedule = \"CRON_TZ=Asia/Shanghai\"\n", "crawl.schedule", nil},
		{"empty cron", "[crawl]\nschedule = \"\"\n", "crawl.schedule", nil},
		{"cron descriptor", "[crawl]\nschedule = \"@every 12h\"\n", "",
			func(c Config) bool { return c.Crawl.Schedule == "@every 12h" }},
		{"cron with zone", "[crawl]\nschedule = \"CRON_TZ=Asia/Shanghai 30 8 * * 1-5\"\n", "",
			func(c Config) bool { return c.Crawl.Schedule == "CRON_TZ=Asia/Shanghai 30 8 * * 1-5" }},
		{"extract cap", "[extract]\nmax_input_bytes = 4096\n", "",
			func(c Config) bool { return c.Extract.MaxInputBytes == 4096 }},
		{"tiny extract cap", "[extract]\nmax_input_bytes = 10\n", "extract.max_input_bytes", nil},
		{"header injection in from", "[smtp]\nfrom_name = \"a\\r\\nBcc: x@y\"\n", "line breaks", nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, err := Parse([]byte(tt.in))
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("err = %v, want one containing %q", err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if !tt.check(c) {
				t.Errorf("unexpected config %+v", c)
			}
		})
	}
}

func TestLoadMissingFileNamesIt(t *testing.T) {
	_, err := Load(filepath.Join(t.TempDir(), "nope.toml"))
	if err == nil || !strings.Contains(err.Error(), "nope.toml") {
		t.Fatalf("err = %v", err)
	}
}

func TestNotifyValidation(t *testing.T) {
	for in, culprit := range map[string]string{
		"[notify]\nhour = 24\n":                  "notify.hour",
		"[notify]\nlead_close = [\"3 days\"]\n":  "3 days",
		"[notify]\ndigest_weekday = \"someday\"": "digest_weekday",
		"[notify]\nrate = -1\n":                  "notify.rate",
		"[notify]\ndigest_days = 0\n":            "digest_days",
	} {
		if _, err := Parse([]byte(in)); err == nil || !strings.Contains(err.Error(), culprit) {
			t.Errorf("%q: err %v, want one naming %s", in, err, culprit)
		}
	}
	c, err := Parse([]byte("[notify]\ndigest_weekday = \"Friday\"\nlead_open = [\"12h\", \"0d\"]\n"))
	if err != nil || c.Notify.Weekday() != time.Friday {
		t.Errorf("weekday: %v %v", c.Notify.Weekday(), err)
	}
}
