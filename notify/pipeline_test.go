package notify

import (
	"bufio"
	"bytes"
	"net/textproto"
	"testing"
)

// dotStuff writes what textproto's DotWriter writes, in one pass.
func TestDotStuffAsDotWriter(t *testing.T) {
	for _, in := range []string{
		"",
		"a",
		"a\r\nb\r\n",
		"a\nb\n",
		".\r\n",
		".leading\r\n..two\r\nmid.dle\r\n",
		"no end",
		"\n\n.\n",
		"mixed\r\n.dot\nbare\r\r\n.",
		"Subject: x\r\n\r\n5oKo5aW977yaCgrmmI7lpKnmiKrmraLvvJrnvZHnu5znlLPmiqUK\r\n",
	} {
		var want bytes.Buffer
		bw := bufio.NewWriter(&want)
		w := textproto.NewWriter(bw).DotWriter()
		w.Write([]byte(in))
		w.Close()
		var got bytes.Buffer
		dotStuff(&got, []byte(in))
		if got.String() != want.String() {
			t.Errorf("%q:\ngot  %q\nwant %q", in, got.String(), want.String())
		}
	}
}

func FuzzDotStuff(f *testing.F) {
	for _, s := range []string{"", ".", "a\r\r\n.b", "\r", "\r\r", "x\n.\r\n"} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, in []byte) {
		var want bytes.Buffer
		bw := bufio.NewWriter(&want)
		w := textproto.NewWriter(bw).DotWriter()
		w.Write(in)
		w.Close()
		var got bytes.Buffer
		dotStuff(&got, in)
		if got.String() != want.String() {
			t.Errorf("%q:\ngot  %q\nwant %q", in, got.String(), want.String())
		}
	})
}
