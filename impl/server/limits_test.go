package server

import (
	"errors"
	"strings"
	"testing"
	"testing/synctest"

	"github.com/conformhttp/conform/impl/parser"
	"github.com/google/go-cmp/cmp"
)

func TestLimitsAndClientErrors(t *testing.T) {
	closeHdr := Field{"Connection", "close"}
	errResp := func(status int) resp {
		return resp{Status: status, Reason: StatusText(status), Body: itoa(status) + " " + StatusText(status),
			Header: Header{closeHdr, {"Content-Type", "text/plain; charset=utf-8"}}}
	}
	manyFields := func(n int) string {
		s := "GET /a HTTP/1.1\r\nHost: t\r\n"
		for i := range n - 1 {
			s += "X-" + itoa(i) + ": v\r\n"
		}
		return s + "\r\n"
	}
	tests := []struct {
		name, reason string
		srv          *Server
		send         string
		want         []resp
	}{
		{
			name:   "head over the default 16 KiB",
			reason: "a head larger than MaxHeaderSize (default 16 KiB, as Node) is answered 431",
			send:   "GET /a HTTP/1.1\r\nHost: t\r\nX-Big: " + strings.Repeat("a", 16<<10) + "\r\n\r\n",
			want:   []resp{errResp(431)},
		},
		{
			name:   "head under a raised limit",
			reason: "MaxHeaderSize raises the limit",
			srv:    &Server{MaxHeaderSize: 64 << 10},
			send:   "GET /a HTTP/1.1\r\nHost: t\r\nConnection: close\r\nX-Big: " + strings.Repeat("a", 16<<10) + "\r\n\r\n",
			want:   []resp{okResp("GET /a", closeHdr)},
		},
		{
			name:   "head over a lowered limit",
			reason: "MaxHeaderSize counts the request line and fields",
			srv:    &Server{MaxHeaderSize: 40},
			send:   "GET /a HTTP/1.1\r\nHost: t\r\nX-Long: 0123456789\r\n\r\n",
			want:   []resp{errResp(431)},
		},
		{
			name:   "request-target over the limit",
			reason: "a request-target that alone exceeds MaxHeaderSize is answered 414, not 431 (RFC 9112 §3)",
			send:   "GET /" + strings.Repeat("a", 16<<10) + " HTTP/1.1\r\nHost: t\r\n\r\n",
			want:   []resp{errResp(414)},
		},
		{
			name:   "request line over a lowered limit after the target",
			reason: "once the target is complete, the overflow is the head's: 431",
			srv:    &Server{MaxHeaderSize: 9},
			send:   "GET /a HTTP/1.1\r\nHost: t\r\n\r\n",
			want:   []resp{errResp(431)},
		},
		{
			name:   "too many fields",
			reason: "more than MaxHeaders fields is answered 431",
			srv:    &Server{MaxHeaders: 5},
			send:   manyFields(6),
			want:   []resp{errResp(431)},
		},
		{
			name:   "fields at the limit",
			reason: "exactly MaxHeaders fields is accepted",
			srv:    &Server{MaxHeaders: 5},
			send:   strings.Replace(manyFields(5), "X-0: v", "Connection: close", 1),
			want:   []resp{okResp("GET /a", closeHdr)},
		},
		{
			name:   "default field count",
			reason: "the default MaxHeaders is 100",
			send:   manyFields(101),
			want:   []resp{errResp(431)},
		},
		{
			name:   "max requests per socket",
			reason: "the response to the MaxRequestsPerSocket-th request carries Connection: close; later requests get no answer",
			srv:    &Server{MaxRequestsPerSocket: 2},
			send:   get("/a") + get("/b") + get("/c"),
			want:   []resp{okResp("GET /a"), okResp("GET /b", closeHdr)},
		},
		{
			name:   "HTTP/1.1 without Host",
			reason: "RFC 9112 §3.2: 400 for an HTTP/1.1 request that lacks Host",
			send:   get("/a") + "GET /b HTTP/1.1\r\n\r\n",
			want:   []resp{okResp("GET /a"), errResp(400)},
		},
		{
			name:   "HTTP/1.0 without Host",
			reason: "Host is required of HTTP/1.1 requests only",
			send:   "GET /a HTTP/1.0\r\n\r\n",
			want:   []resp{okResp("GET /a", closeHdr)},
		},
		{
			name:   "two Host fields",
			reason: "RFC 9112 §3.2: 400 for any request with more than one Host field line",
			send:   "GET /a HTTP/1.1\r\nHost: a\r\nHost: b\r\n\r\n",
			want:   []resp{errResp(400)},
		},
		{
			name:   "two Host fields in HTTP/1.0",
			reason: "the several-Host rule applies to every version",
			send:   "GET /a HTTP/1.0\r\nHost: a\r\nHost: a\r\n\r\n",
			want:   []resp{errResp(400)},
		},
		{
			name:   "invalid Host value",
			reason: "RFC 9112 §3.2: 400 for a Host field with an invalid value",
			send:   "GET /a HTTP/1.1\r\nHost: a/b\r\n\r\n",
			want:   []resp{errResp(400)},
		},
		{
			name:   "valid Host forms",
			reason: "reg-name, IPv4, IPv6 literal and port forms, and the empty value, are accepted",
			send: get("/a") + strings.Replace(get("/b"), "Host: t", "Host: [::1]:8080", 1) +
				strings.Replace(get("/c"), "Host: t", "Host: 127.0.0.1:80", 1) +
				strings.Replace(get("/d", "Connection: close"), "Host: t", "Host:", 1),
			want: []resp{okResp("GET /a"), okResp("GET /b"), okResp("GET /c"), okResp("GET /d", closeHdr)},
		},
		{
			name:   "unsupported version",
			reason: "a well-formed but unsupported HTTP-version is answered 505",
			send:   "GET /a HTTP/2.0\r\nHost: t\r\n\r\n",
			want:   []resp{errResp(505)},
		},
		{
			name:   "unsupported version under lenient parsing",
			reason: "with LenientVersion the parser accepts HTTP/2.0 and the server answers 505",
			srv:    &Server{Lenient: parser.LenientVersion},
			send:   "GET /a HTTP/2.0\r\nHost: t\r\n\r\n",
			want:   []resp{errResp(505)},
		},
		{
			name:   "malformed version",
			reason: "a malformed HTTP-version is a bad request",
			send:   "GET /a HTTP/1.x\r\nHost: t\r\n\r\n",
			want:   []resp{errResp(400)},
		},
		{
			name:   "invalid method",
			reason: "a parse error is answered 400",
			send:   "G@T /a HTTP/1.1\r\nHost: t\r\n\r\n",
			want:   []resp{errResp(400)},
		},
		{
			name:   "bad chunk size mid-body",
			reason: "a parse error inside a body ends that request with 400 in place of its handler's response",
			send:   "POST /echo HTTP/1.1\r\nHost: t\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\nzz\r\n",
			want:   []resp{errResp(400)},
		},
		{
			name:   "Content-Length and Transfer-Encoding",
			reason: "RFC 9112 §6.1: a request with both is rejected by the strict parser (smuggling)",
			send:   "POST /echo HTTP/1.1\r\nHost: t\r\nContent-Length: 3\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n",
			want:   []resp{errResp(400)},
		},
		{
			name:   "clientError hook replaces the answer",
			reason: "OnClientError decides what is sent",
			srv:    &Server{OnClientError: func(e *ClientError) []byte { return []byte("HTTP/1.1 418 Teapot\r\nContent-Length: 0\r\n\r\n") }},
			send:   "G@T /a HTTP/1.1\r\n\r\n",
			want:   []resp{{Status: 418, Reason: "Teapot", Header: Header{{"Content-Length", "0"}}}},
		},
		{
			name:   "clientError hook sends nothing",
			reason: "OnClientError returning nil closes without an answer",
			srv:    &Server{OnClientError: func(e *ClientError) []byte { return nil }},
			send:   get("/a") + "G@T /a HTTP/1.1\r\n\r\n",
			want:   []resp{okResp("GET /a")},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			synctest.Test(t, func(t *testing.T) {
				srv := orNew(tt.srv)
				srv.Handler = HandlerFunc(routes)
				c := pipeClient(t, srv)
				c.send(tt.send)
				got := c.readToEOF()
				if diff := cmp.Diff(tt.want, serverErrors(noDate(got))); diff != "" {
					t.Errorf("%s\nresponses (-want +got):\n%s", tt.reason, diff)
				}
			})
		})
	}
}

// TestClientErrorDetails: the hook learns what was wrong, with the
// parser's code and offset, and the default status.
func TestClientErrorDetails(t *testing.T) {
	type seen struct {
		Status int
		Code   parser.Errno
		Is     string
	}
	tests := []struct {
		name string
		srv  *Server
		send string
		want seen
	}{
		{"header overflow", &Server{MaxHeaderSize: 30}, "GET /a HTTP/1.1\r\nHost: t\r\nX: 1234567890\r\n\r\n",
			seen{Status: 431, Code: parser.ErrHeaderOverflow}},
		{"too many headers", &Server{MaxHeaders: 1}, "GET /a HTTP/1.1\r\nHost: t\r\nX: 1\r\n\r\n",
			seen{Status: 431, Code: parser.ErrCBHeaderFieldComplete, Is: "too many"}},
		{"missing host", &Server{}, "GET /a HTTP/1.1\r\n\r\n",
			seen{Status: 400, Code: parser.ErrCBHeadersComplete, Is: "missing host"}},
		{"bad version", &Server{}, "GET /a HTTP/3.0\r\nHost: t\r\n\r\n",
			seen{Status: 505, Code: parser.ErrInvalidVersion, Is: "unsupported version"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			synctest.Test(t, func(t *testing.T) {
				var got seen
				srv := orNew(tt.srv)
				srv.OnClientError = func(e *ClientError) []byte {
					got.Status = e.Status
					var pe *parser.Error
					if errors.As(e.Err, &pe) {
						got.Code = pe.Code
					}
					switch {
					case errors.Is(e, ErrTooManyHeaders):
						got.Is = "too many"
					case errors.Is(e, ErrMissingHost):
						got.Is = "missing host"
					case errors.Is(e, ErrUnsupportedVersion):
						got.Is = "unsupported version"
					}
					return e.Response()
				}
				c := pipeClient(t, srv)
				c.send(tt.send)
				c.readToEOF()
				if diff := cmp.Diff(tt.want, got); diff != "" {
					t.Errorf("ClientError (-want +got):\n%s", diff)
				}
			})
		})
	}
}
