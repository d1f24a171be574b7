package fuzz

import (
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/conformhttp/conform/impl/parser"
)

func TestCanonical(t *testing.T) {
	tests := []struct {
		name, reason string
		opts         Options
		in, want     string
	}{
		{"request-line", "single SPs in the request line, one SP after each colon, trailing whitespace gone",
			Options{Type: parser.Request, Lenient: parser.LenientSpaces},
			"GET  /a?b  HTTP/1.1\r\nHost:x  \r\nA:\t b\r\n\r\n",
			"GET /a?b HTTP/1.1\r\nHost: x\r\nA: b\r\n\r\n"},
		{"bare-lf", "CRLF line endings", Options{Type: parser.Request, Lenient: parser.LenientOptionalCRBeforeLF},
			"GET / HTTP/1.0\nX: y\n\n", "GET / HTTP/1.0\r\nX: y\r\n\r\n"},
		{"fold", "an obs-fold becomes one SP", Options{Type: parser.Response},
			"HTTP/1.1 200 OK\r\nX: a\r\n \t b\r\nContent-Length: 0\r\n\r\n", "HTTP/1.1 200 OK\r\nX: a b\r\nContent-Length: 0\r\n\r\n"},
		{"chunks", "chunks joined into one, extensions dropped, trailers kept", Options{Type: parser.Request},
			"POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n2;x=y\r\nab\r\n1\r\nc\r\n0\r\nT:  v \r\n\r\n",
			"POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n0\r\nT: v\r\n\r\n"},
		{"empty-reason", "a status line without a reason phrase gets its SP", Options{Type: parser.Response},
			"HTTP/1.1 204\r\n\r\n", "HTTP/1.1 204 \r\n\r\n"},
		{"until-eof", "a body read until EOF is written as it is", Options{Type: parser.Response},
			"HTTP/1.0 200 OK\r\n\r\nrest", "HTTP/1.0 200 OK\r\n\r\nrest"},
		{"partial", "only complete messages are written", Options{Type: parser.Request},
			"GET /1 HTTP/1.1\r\n\r\nGET /2 HTT", "GET /1 HTTP/1.1\r\n\r\n"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := ParseStream(tt.opts.Config(tt.opts.Type), tt.opts, []byte(tt.in))
			if diff := cmp.Diff(tt.want, string(Canonical(s.Messages))); diff != "" {
				t.Errorf("%s: canonical form (-want +got):\n%s", tt.reason, diff)
			}
			if err := CheckRoundTrip(append(tt.opts.Encode(), tt.in...)); err != nil {
				t.Errorf("%s: %v", tt.reason, err)
			}
		})
	}
}

func TestParseStream(t *testing.T) {
	in := "POST /x HTTP/1.1\r\nContent-Length: 2\r\nConnection: close\r\n\r\nhi"
	got := ParseStream(parser.Config{Type: parser.Request}, Options{}, []byte(in))
	want := Stream{Messages: []Message{{
		Type: parser.Request, Method: "POST", Target: "/x", Major: 1, Minor: 1,
		Fields: []Field{{"Content-Length", "2"}, {"Connection", "close"}},
		Body:   "hi", Flags: parser.FlagContentLength | parser.FlagConnectionClose, ContentLength: 2,
	}}}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("stream (-want +got):\n%s", diff)
	}
}
