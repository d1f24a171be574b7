package serve

import (
	"bufio"
	"encoding/json"
	"io"
	"net/http"
	"testing"
	"testing/synctest"

	"github.com/google/go-cmp/cmp"
)

func TestEcho(t *testing.T) {
	str := func(s string) *string { return &s }
	n := func(v int64) *int64 { return &v }
	tests := []struct {
		name, reason string
		send         string
		want         Echo
	}{
		{
			name:   "fields in order and case",
			reason: "header fields are reported in the order sent, names in their original case, values trimmed",
			send:   "GET /echo?x=1 HTTP/1.1\r\nhOsT: t\r\nX-B: 2 \r\nx-a:1\r\nX-B: 3\r\n\r\n",
			want: Echo{Method: "GET", Target: "/echo?x=1", Version: "HTTP/1.1", Framing: "none", Body: str(""),
				Headers:  []EchoField{{Name: "hOsT", Value: str("t")}, {Name: "X-B", Value: str("2")}, {Name: "x-a", Value: str("1")}, {Name: "X-B", Value: str("3")}},
				Trailers: []EchoField{}},
		},
		{
			name:   "content-length body",
			reason: "a Content-Length body is reported with its declared length",
			send:   "POST /echo HTTP/1.1\r\nHost: t\r\nContent-Length: 5\r\n\r\nhello",
			want: Echo{Method: "POST", Target: "/echo", Version: "HTTP/1.1", Framing: "content-length", ContentLength: n(5),
				Body: str("hello"), BodyLength: 5,
				Headers: []EchoField{{Name: "Host", Value: str("t")}, {Name: "Content-Length", Value: str("5")}}, Trailers: []EchoField{}},
		},
		{
			name:   "chunked body with trailers",
			reason: "chunked framing, the joined chunk data and the trailer fields",
			send:   "PUT /echo HTTP/1.1\r\nHost: t\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n2;ext=1\r\nde\r\n0\r\nX-Sum: 9\r\n\r\n",
			want: Echo{Method: "PUT", Target: "/echo", Version: "HTTP/1.1", Framing: "chunked", Body: str("abcde"), BodyLength: 5,
				Headers:  []EchoField{{Name: "Host", Value: str("t")}, {Name: "Transfer-Encoding", Value: str("chunked")}},
				Trailers: []EchoField{{Name: "X-Sum", Value: str("9")}}},
		},
		{
			name:   "bytes that are not UTF-8",
			reason: "obs-text in a value and binary bodies are reported exactly, in base64",
			send:   "POST /echo HTTP/1.0\r\nX-Latin: caf\xe9\r\nContent-Length: 2\r\n\r\n\xff\x00",
			want: Echo{Method: "POST", Target: "/echo", Version: "HTTP/1.0", Framing: "content-length", ContentLength: n(2),
				BodyBase64: "/wA=", BodyLength: 2,
				Headers: []EchoField{{Name: "X-Latin", ValueBase64: "Y2Fm6Q=="}, {Name: "Content-Length", Value: str("2")}}, Trailers: []EchoField{}},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			synctest.Test(t, func(t *testing.T) {
				conn := pipeServer(t)
				go io.WriteString(conn, tt.send)
				res, err := http.ReadResponse(bufio.NewReader(conn), nil)
				if err != nil {
					t.Fatal(err)
				}
				if ct := res.Header.Get("Content-Type"); ct != "application/json" {
					t.Errorf("Content-Type %q, want application/json", ct)
				}
				var e Echo
				if err := json.NewDecoder(res.Body).Decode(&e); err != nil {
					t.Fatalf("decoding /echo: %v", err)
				}
				if diff := cmp.Diff(tt.want, e); diff != "" {
					t.Errorf("%s (-want +got):\n%s", tt.reason, diff)
				}
			})
		})
	}
}
