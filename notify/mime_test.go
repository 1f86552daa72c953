package notify

import (
	"bytes"
	"encoding/base64"
	"io"
	"mime"
	"mime/multipart"
	"mime/quotedprintable"
	"strings"
	"testing"
)

// decodeParts reads a multipart/alternative body into its decoded parts,
// keyed by media type.
func decodeParts(t *testing.T, contentType string, body []byte) map[string]string {
	t.Helper()
	out := map[string]string{}
	mt, params, err := mime.ParseMediaType(contentType)
	if err != nil {
		t.Fatalf("content type %q: %v", contentType, err)
	}
	if !strings.HasPrefix(mt, "multipart/") {
		out[mt] = string(body)
		return out
	}
	r := multipart.NewReader(bytes.NewReader(body), params["boundary"])
	for {
		p, err := r.NextPart()
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatal(err)
		}
		raw, _ := io.ReadAll(p)
		pt, _, _ := mime.ParseMediaType(p.Header.Get("Content-Type"))
		switch strings.ToLower(p.Header.Get("Content-Transfer-Encoding")) {
		case "base64":
			dec, err := base64.StdEncoding.DecodeString(strings.Join(strings.Fields(string(raw)), ""))
			if err != nil {
				t.Fatal(err)
			}
			raw = dec
		case "quoted-printable":
			raw, _ = io.ReadAll(quotedprintable.NewReader(bytes.NewReader(raw)))
		}
		out[pt] = string(raw)
	}
	return out
}
