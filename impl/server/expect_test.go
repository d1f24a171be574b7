package server

import (
	"io"
	"testing"
	"testing/synctest"

	"github.com/google/go-cmp/cmp"
)

func TestExpectContinue(t *testing.T) {
	post := func(target string, extra ...string) string {
		s := "POST " + target + " HTTP/1.1\r\nHost: t\r\nContent-Length: 5\r\n"
		for _, e := range extra {
			s += e + "\r\n"
		}
		return s + "\r\n"
	}
	cont := resp{Status: 100, Reason: "Continue"}
	closeHdr := Field{"Connection", "close"}
	tests := []struct {
		name, reason string
		srv          *Server
		head         string // sent first
		first        []resp // read after head
		body         string // sent after first
		rest         []resp // read to EOF after body
	}{
		{
			name:   "100 sent when the handler reads",
			reason: "the interim response is sent when the handler starts reading the body (RFC 9110 §10.1.1)",
			head:   post("/echo", "Expect: 100-continue", "Connection: close"),
			first:  []resp{cont},
			body:   "hello",
			rest:   []resp{okResp("hello", closeHdr)},
		},
		{
			name:   "no 100 when the handler does not read",
			reason: "the final response goes without 100, and the connection closes because the body may never come",
			head:   post("/noread", "Expect: 100-continue"),
			first:  []resp{okResp("not read", closeHdr)},
		},
		{
			name:   "checkContinue hook rejects",
			reason: "OnCheckContinue answers instead of the handler and can refuse the body",
			srv: &Server{OnCheckContinue: HandlerFunc(func(w ResponseWriter, r *Request) {
				w.WriteHeader(413)
			})},
			head:  post("/echo", "Expect: 100-continue"),
			first: []resp{{Status: 413, Reason: "Content Too Large", Header: Header{closeHdr, {"Content-Length", "0"}}}},
		},
		{
			name:   "checkContinue hook accepts",
			reason: "OnCheckContinue may send the 100 itself and then serve the request",
			srv: &Server{OnCheckContinue: HandlerFunc(func(w ResponseWriter, r *Request) {
				w.WriteHeader(100)
				routes(w, r)
			})},
			head:  post("/echo", "Expect: 100-continue", "Connection: close"),
			first: []resp{cont},
			body:  "hello",
			rest:  []resp{okResp("hello", closeHdr)},
		},
		{
			name:   "unknown expectation",
			reason: "an expectation other than 100-continue gets 417 and the connection closes",
			head:   post("/echo", "Expect: something-else"),
			first:  []resp{{Status: 417, Reason: "Expectation Failed", Header: Header{closeHdr, {"Content-Length", "0"}}}},
		},
		{
			name:   "checkExpectation hook",
			reason: "OnCheckExpectation answers other expectations",
			srv: &Server{OnCheckExpectation: HandlerFunc(func(w ResponseWriter, r *Request) {
				w.Header().Set("Content-Type", "text/plain")
				w.Header().Set("Connection", "close")
				w.WriteString("expect=" + r.Header.Get("Expect"))
			})},
			head:  post("/echo", "Expect: something-else"),
			first: []resp{okResp("expect=something-else", closeHdr)},
		},
		{
			name:   "HTTP/1.0 expectation ignored",
			reason: "RFC 9110 §10.1.1: a 100-continue expectation in an HTTP/1.0 request MUST be ignored",
			head:   "POST /echo HTTP/1.0\r\nContent-Length: 5\r\nExpect: 100-continue\r\n\r\nhello",
			first:  []resp{okResp("hello", closeHdr)},
		},
		{
			name:   "no 100 without a body",
			reason: "with nothing to send the client needs no 100",
			head:   "GET /echo HTTP/1.1\r\nHost: t\r\nExpect: 100-continue\r\nConnection: close\r\n\r\n",
			first:  []resp{okResp("", closeHdr)},
		},
		{
			name:   "100 in pipeline order",
			reason: "the 100 for the second request follows the first request's response",
			head:   get("/sleep?ms=200") + post("/echo", "Expect: 100-continue", "Connection: close"),
			first:  []resp{okResp("GET /sleep?ms=200"), cont},
			body:   "world",
			rest:   []resp{okResp("world", closeHdr)},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			synctest.Test(t, func(t *testing.T) {
				srv := orNew(tt.srv)
				srv.Handler = HandlerFunc(routes)
				c := pipeClient(t, srv)
				c.send(tt.head)
				var got []resp
				if tt.body == "" {
					got = c.readToEOF()
				} else {
					got = c.read(len(tt.first))
					c.send(tt.body)
					got = append(got, c.readToEOF()...)
				}
				want := append(append([]resp(nil), tt.first...), tt.rest...)
				if diff := cmp.Diff(want, noDate(got)); diff != "" {
					t.Errorf("%s\nresponses (-want +got):\n%s", tt.reason, diff)
				}
			})
		})
	}
}

// TestExpectContinueWaits: the server does not wait for the body before
// starting the handler, and the handler's read blocks until it arrives.
func TestExpectContinueWaits(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		read := make(chan string, 1)
		srv := &Server{Handler: HandlerFunc(func(w ResponseWriter, r *Request) {
			b, _ := io.ReadAll(r.Body)
			read <- string(b)
		})}
		c := pipeClient(t, srv)
		c.send("PUT /x HTTP/1.1\r\nHost: t\r\nContent-Length: 3\r\nExpect: 100-continue\r\n\r\n")
		if got := c.read(1)[0].Status; got != 100 {
			t.Fatalf("first response %d, want 100", got)
		}
		synctest.Wait()
		select {
		case b := <-read:
			t.Fatalf("handler finished reading %q before the body was sent", b)
		default:
		}
		c.send("abc")
		if got := <-read; got != "abc" {
			t.Errorf("handler read %q, want %q", got, "abc")
		}
	})
}
