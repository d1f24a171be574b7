package differential

import (
	"errors"
	"testing"

	"github.com/conformhttp/conform/impl/parser"
	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
)

// testOracles returns net/http and, when node is installed, Node; the
// Node process ends with the test.
func testOracles(t *testing.T) []Oracle {
	t.Helper()
	oracles := []Oracle{NetHTTP{}}
	n, err := StartNode()
	switch {
	case errors.Is(err, ErrNoNode):
		t.Log(err)
	case err != nil:
		t.Fatal(err)
	default:
		t.Cleanup(func() {
			if err := n.Close(); err != nil {
				t.Error(err)
			}
		})
		oracles = append(oracles, n)
	}
	return oracles
}

// TestOraclesRead checks each oracle's reading of inputs every HTTP/1.1
// implementation reads alike: the normalised outcome must be exactly the
// one given. Node reports no framing and does not know where an
// unfinished message begins; its want is adjusted for that.
func TestOraclesRead(t *testing.T) {
	tests := []struct {
		name, reason string
		in           Input
		want         Outcome
	}{
		{
			name:   "pipelined",
			reason: "three requests in one stream, one with a body, are three messages",
			in:     Input{Type: parser.Request, Data: []byte("GET /1 HTTP/1.1\r\nHost: a\r\n\r\nPOST /2 HTTP/1.1\r\nHost: a\r\nContent-Length: 3\r\n\r\nabcGET /3 HTTP/1.1\r\nHost: a\r\nX-Y: z \r\n\r\n")},
			want: Outcome{End: End{Kind: EndClean}, Consumed: 116, Messages: []Message{
				{Method: "GET", Target: "/1", Version: "1.1", Host: "a", Header: []Field{}, Trailer: []Field{}, Framing: Framing{Kind: FramingNone}, KeepAlive: true},
				{Method: "POST", Target: "/2", Version: "1.1", Host: "a", Header: []Field{}, Trailer: []Field{}, Framing: Framing{Kind: FramingLength, Length: 3}, Body: "abc", KeepAlive: true},
				{Method: "GET", Target: "/3", Version: "1.1", Host: "a", Header: []Field{{"X-Y", "z"}}, Trailer: []Field{}, Framing: Framing{Kind: FramingNone}, KeepAlive: true},
			}},
		},
		{
			name:   "chunked-with-trailer",
			reason: "chunk framing is removed from the body and the trailer section is kept apart",
			in:     Input{Type: parser.Request, Data: []byte("POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n2;x=y\r\nde\r\n0\r\nT: v\r\n\r\n")},
			want: Outcome{End: End{Kind: EndClean}, Consumed: 86, Messages: []Message{
				{Method: "POST", Target: "/", Version: "1.1", Host: "a", Header: []Field{}, Trailer: []Field{{"T", "v"}}, Framing: Framing{Kind: FramingChunked}, Body: "abcde", KeepAlive: true},
			}},
		},
		{
			name:   "open-stream-waits",
			reason: "a body cut off in an open stream waits for more bytes; the message begins at 0",
			in:     Input{Type: parser.Request, Data: []byte("POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 9\r\n\r\nabc")},
			want:   Outcome{End: End{Kind: EndIncomplete}, Consumed: 0, Messages: []Message{}},
		},
		{
			name:   "open-stream-partial-line",
			reason: "half a request line in an open stream is not a line yet (bufio would hand it over at a read error)",
			in:     Input{Type: parser.Request, Data: []byte("GET / HTTP/1.1\r\nHost: a\r\n\r\nGET /x")},
			want: Outcome{End: End{Kind: EndIncomplete}, Consumed: 27, Messages: []Message{
				{Method: "GET", Target: "/", Version: "1.1", Host: "a", Header: []Field{}, Trailer: []Field{}, Framing: Framing{Kind: FramingNone}, KeepAlive: true},
			}},
		},
		{
			name:   "absolute-form-authority",
			reason: "the authority of an absolute-form target is the host, whatever the Host field says",
			in:     Input{Type: parser.Request, Data: []byte("GET http://u@example.com:8080/p?q HTTP/1.1\r\nHost: other\r\n\r\n")},
			want: Outcome{End: End{Kind: EndClean}, Consumed: 59, Messages: []Message{
				{Method: "GET", Target: "http://u@example.com:8080/p?q", Version: "1.1", Host: "example.com:8080", Header: []Field{}, Trailer: []Field{}, Framing: Framing{Kind: FramingNone}, KeepAlive: true},
			}},
		},
		{
			name:   "connect-tunnel",
			reason: "CONNECT switches protocols after the head; the bytes after it are the tunnel's",
			in:     Input{Type: parser.Request, Data: []byte("CONNECT a:443 HTTP/1.1\r\nHost: a:443\r\n\r\n\x16\x03\x01")},
			want: Outcome{End: End{Kind: EndUpgrade}, Consumed: 39, Messages: []Message{
				{Method: "CONNECT", Target: "a:443", Version: "1.1", Host: "a:443", Header: []Field{}, Trailer: []Field{}, Framing: Framing{Kind: FramingNone}, Upgrade: true},
			}},
		},
		{
			name:   "http10-closes",
			reason: "an HTTP/1.0 request without keep-alive ends the connection; what follows is not read",
			in:     Input{Type: parser.Request, Data: []byte("GET /1 HTTP/1.0\r\n\r\nGET /2 HTTP/1.0\r\n\r\n")},
			want: Outcome{End: End{Kind: EndClosed}, Consumed: 19, Messages: []Message{
				{Method: "GET", Target: "/1", Version: "1.0", Header: []Field{}, Trailer: []Field{}, Framing: Framing{Kind: FramingNone}},
			}},
		},
		{
			name:   "head-response",
			reason: "the response to HEAD has no body whatever Content-Length says; the next response answers GET",
			in:     Input{Type: parser.Response, EOF: true, Methods: []string{"HEAD"}, Data: []byte("HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nHTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok")},
			want: Outcome{End: End{Kind: EndClean}, Consumed: 78, Messages: []Message{
				{Status: 200, Reason: "OK", Version: "1.1", Header: []Field{}, Trailer: []Field{}, Framing: Framing{Kind: FramingNone}, KeepAlive: true},
				{Status: 200, Reason: "OK", Version: "1.1", Header: []Field{}, Trailer: []Field{}, Framing: Framing{Kind: FramingLength, Length: 2}, Body: "ok", KeepAlive: true},
			}},
		},
		{
			name:   "interim-then-final",
			reason: "a 100 response has no body and takes its place in the list of methods",
			in:     Input{Type: parser.Response, EOF: true, Methods: []string{"GET", "HEAD"}, Data: []byte("HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 204 No Content\r\nContent-Length: 0\r\n\r\n")},
			want: Outcome{End: End{Kind: EndClean}, Consumed: 71, Messages: []Message{
				{Status: 100, Reason: "Continue", Version: "1.1", Header: []Field{}, Trailer: []Field{}, Framing: Framing{Kind: FramingNone}, KeepAlive: true},
				{Status: 204, Reason: "No Content", Version: "1.1", Header: []Field{}, Trailer: []Field{}, Framing: Framing{Kind: FramingNone}, KeepAlive: true},
			}},
		},
		{
			name:   "read-until-eof",
			reason: "a response without length is read until the connection closes",
			in:     Input{Type: parser.Response, EOF: true, Data: []byte("HTTP/1.1 200 OK\r\nX: 1\r\n\r\nall of it")},
			want: Outcome{End: End{Kind: EndClean}, Consumed: 34, Messages: []Message{
				{Status: 200, Reason: "OK", Version: "1.1", Header: []Field{{"X", "1"}}, Trailer: []Field{}, Framing: Framing{Kind: FramingEOF}, Body: "all of it"},
			}},
		},
		{
			name:   "connect-response-tunnel",
			reason: "a 2xx answer to CONNECT starts the tunnel, whatever its fields say",
			in:     Input{Type: parser.Response, Methods: []string{"CONNECT"}, Data: []byte("HTTP/1.1 200 Connection established\r\nContent-Length: 4\r\n\r\ntls!")},
			want: Outcome{End: End{Kind: EndUpgrade}, Consumed: 58, Messages: []Message{
				{Status: 200, Reason: "Connection established", Version: "1.1", Header: []Field{}, Trailer: []Field{}, Framing: Framing{Kind: FramingNone}, Upgrade: true},
			}},
		},
		{
			name:   "truncated-at-eof",
			reason: "EOF inside a body is a truncation, and the message is not complete",
			in:     Input{Type: parser.Response, EOF: true, Data: []byte("HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nab")},
			want:   Outcome{End: End{Kind: EndTruncated}, Consumed: 0, Messages: []Message{}},
		},
	}
	oracles := append([]Oracle{Ours{}}, testOracles(t)...)
	for _, tt := range tests {
		for _, o := range oracles {
			t.Run(tt.name+"/"+o.Name(), func(t *testing.T) {
				tt.in.Name = tt.name
				got, err := o.Parse(t.Context(), tt.in)
				if err != nil {
					t.Fatal(err)
				}
				want := tt.want
				want.Oracle = o.Name()
				want.Messages = normalise(want.Messages)
				got.Messages = normalise(got.Messages)
				if o.Name() == "node" {
					for i := range want.Messages {
						want.Messages[i].Framing = Framing{}
					}
					if k := want.End.Kind; k == EndIncomplete || k == EndTruncated {
						want.Consumed = -1
					}
				}
				if d := cmp.Diff(want, got, cmpopts.IgnoreFields(End{}, "Code", "Reason")); d != "" {
					t.Errorf("%s reads %q: %s (-want +got):\n%s", o.Name(), tt.in.Data, tt.reason, d)
				}
			})
		}
	}
}
