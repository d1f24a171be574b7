package client

import (
	"context"
	"errors"
	"io"
	"net"
	"net/http"
	"strings"
	"sync"
	"testing"
	"testing/synctest"

	"github.com/google/go-cmp/cmp"
)

// wireServer is a Dialer over net.Pipe whose server side records the
// bytes it receives and answers each read with the next scripted reply.
type wireServer struct {
	replies []string // one per request head received; see closeMark

	mu    sync.Mutex
	got   []string // bytes received, per connection
	dials int
	wg    sync.WaitGroup
}

func (ws *wireServer) DialTarget(ctx context.Context, t Target) (net.Conn, error) {
	c, s := net.Pipe()
	ws.mu.Lock()
	ws.dials++
	ws.got = append(ws.got, "")
	id := len(ws.got) - 1
	ws.mu.Unlock()
	ws.wg.Add(1)
	go func() {
		defer ws.wg.Done()
		defer s.Close()
		buf := make([]byte, 4096)
		pending := ""
		for {
			n, err := s.Read(buf)
			pending += string(buf[:n])
			ws.mu.Lock()
			ws.got[id] += string(buf[:n])
			var reply string
			if len(ws.replies) > 0 && strings.Contains(pending, "\r\n\r\n") {
				reply, ws.replies = ws.replies[0], ws.replies[1:]
				ws.got[id] += "|" // marks where the reply went out
				pending = ""
			}
			ws.mu.Unlock()
			if err != nil {
				return
			}
			if reply != "" {
				reply, closeAfter := strings.CutSuffix(reply, closeMark)
				if _, err := io.WriteString(s, reply); err != nil || closeAfter {
					return
				}
			}
		}
	}()
	return c, nil
}

// closeMark at the end of a reply makes the server close after it.
const closeMark = "<close>"

func (ws *wireServer) received() []string {
	ws.mu.Lock()
	defer ws.mu.Unlock()
	return append([]string(nil), ws.got...)
}

// TestWire checks the exact bytes sent for requests built from fields,
// and that Raw and WriteRaw send bytes untouched.
func TestWire(t *testing.T) {
	tests := []struct {
		name   string
		reason string
		agent  AgentOptions
		req    Request
		write  func(cr *ClientRequest) error // streams the body; nil: End(nil)
		want   string
	}{
		{
			name: "GET defaults", reason: "Host first (RFC 9110 §7.2), Connection as Node sends it, no framing for GET",
			agent: AgentOptions{KeepAlive: true},
			req:   Request{URL: "http://example.test:8080/a/b?q=1#frag"},
			want:  "GET /a/b?q=1 HTTP/1.1\r\nHost: example.test:8080\r\nConnection: keep-alive\r\n\r\n",
		},
		{
			name: "no keep-alive agent", reason: "Node sends Connection: close when the agent neither keeps nor limits sockets",
			req:  Request{URL: "http://example.test/"},
			want: "GET / HTTP/1.1\r\nHost: example.test\r\nConnection: close\r\n\r\n",
		},
		{
			name: "limited agent keeps alive", reason: "with maxSockets set Node asks for keep-alive even without keepAlive",
			agent: AgentOptions{MaxSockets: 2},
			req:   Request{URL: "http://example.test/"},
			want:  "GET / HTTP/1.1\r\nHost: example.test\r\nConnection: keep-alive\r\n\r\n",
		},
		{
			name: "order and case kept", reason: "fields go out in the order and case given; given Host and Connection are not repeated",
			agent: AgentOptions{KeepAlive: true},
			req: Request{URL: "http://example.test/", Header: Header{
				{"x-B", "2"}, {"HOST", "other.test"}, {"X-a", "1"}, {"connection", "Upgrade"}, {"x-B", "3"},
			}},
			want: "GET / HTTP/1.1\r\nx-B: 2\r\nHOST: other.test\r\nX-a: 1\r\nconnection: Upgrade\r\nx-B: 3\r\n\r\n",
		},
		{
			name: "empty POST", reason: "Node sends Content-Length: 0 for an empty body of a method that usually has one",
			agent: AgentOptions{KeepAlive: true},
			req:   Request{Method: "POST", URL: "http://example.test/"},
			want:  "POST / HTTP/1.1\r\nHost: example.test\r\nConnection: keep-alive\r\nContent-Length: 0\r\n\r\n",
		},
		{
			name: "known length", reason: "a known length is sent as Content-Length and the body as written",
			agent: AgentOptions{KeepAlive: true},
			req:   Request{Method: "PUT", URL: "http://example.test/x", ContentLength: 5},
			write: func(cr *ClientRequest) error {
				cr.Write([]byte("he"))
				cr.Write([]byte("llo"))
				return cr.End(nil)
			},
			want: "PUT /x HTTP/1.1\r\nHost: example.test\r\nConnection: keep-alive\r\nContent-Length: 5\r\n\r\nhello",
		},
		{
			name: "chunked with trailer", reason: "an unknown length is chunked; End sends the last chunk and the trailer",
			agent: AgentOptions{KeepAlive: true},
			req:   Request{Method: "POST", URL: "http://example.test/", ContentLength: -1},
			write: func(cr *ClientRequest) error {
				cr.Write([]byte("hello"))
				cr.Write(nil)
				cr.Write([]byte(", world!"))
				return cr.End(Header{{"X-Checksum", "abc"}})
			},
			want: "POST / HTTP/1.1\r\nHost: example.test\r\nConnection: keep-alive\r\nTransfer-Encoding: chunked\r\n\r\n" +
				"5\r\nhello\r\n8\r\n, world!\r\n0\r\nX-Checksum: abc\r\n\r\n",
		},
		{
			name: "CONNECT target", reason: "CONNECT sends the destination as target and Host (RFC 9112 §3.2.3, §3.2)",
			agent: AgentOptions{KeepAlive: true},
			req:   Request{Method: "CONNECT", URL: "http://proxy.test:3128", Target: "origin.test:443"},
			want:  "CONNECT origin.test:443 HTTP/1.1\r\nHost: origin.test:443\r\nConnection: keep-alive\r\n\r\n",
		},
		{
			name: "absolute form", reason: "through a forward proxy Host names the target's authority (RFC 9112 §3.2)",
			agent: AgentOptions{KeepAlive: true},
			req:   Request{URL: "http://proxy.test:3128", Target: "http://origin.test:8080/p?q"},
			want:  "GET http://origin.test:8080/p?q HTTP/1.1\r\nHost: origin.test:8080\r\nConnection: keep-alive\r\n\r\n",
		},
		{
			name: "IPv6 host", reason: "an IPv6 literal keeps its brackets in Host",
			agent: AgentOptions{KeepAlive: true},
			req:   Request{URL: "http://[::1]:81/"},
			want:  "GET / HTTP/1.1\r\nHost: [::1]:81\r\nConnection: keep-alive\r\n\r\n",
		},
		{
			name: "raw", reason: "Raw goes out byte for byte, malformed on purpose",
			req:  Request{URL: "http://example.test/", Raw: []byte("GET  /\x00 HTTP/1.1\r\nHost: a\r\nBad Header: x\r\n\r\n")},
			want: "GET  /\x00 HTTP/1.1\r\nHost: a\r\nBad Header: x\r\n\r\n",
		},
		{
			name: "WriteRaw lies about the body", reason: "WriteRaw bypasses framing and the length check",
			agent: AgentOptions{KeepAlive: true},
			req:   Request{Method: "POST", URL: "http://example.test/", ContentLength: -1},
			write: func(cr *ClientRequest) error {
				cr.WriteRaw([]byte("5\r\nhi\r\n0\r\n\r\n"))
				cr.ended = true // the body was sent by hand
				return cr.flush()
			},
			want: "POST / HTTP/1.1\r\nHost: example.test\r\nConnection: keep-alive\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhi\r\n0\r\n\r\n",
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			synctest.Test(t, func(t *testing.T) {
				ws := &wireServer{replies: []string{okResponse}}
				tc.agent.Dialer = ws
				a := newTestAgent(t, tc.agent)
				req := tc.req
				cr, err := a.Start(context.Background(), &req)
				if err != nil {
					t.Fatal(err)
				}
				write := tc.write
				if write == nil {
					write = func(cr *ClientRequest) error { return cr.End(nil) }
				}
				if err := write(cr); err != nil {
					t.Fatal(err)
				}
				res, err := cr.Response()
				if err != nil {
					t.Fatal(err)
				}
				readAll(t, res)
				if res.Tunnel != nil {
					res.Tunnel.Conn.Close()
				}
				a.Close()
				ws.wg.Wait()
				if diff := cmp.Diff([]string{tc.want + "|"}, ws.received()); diff != "" {
					t.Errorf("bytes sent (-want +got):\n%s\n(%s)", diff, tc.reason)
				}
			})
		})
	}
}

func TestInvalidRequest(t *testing.T) {
	tests := []struct {
		name    string
		reason  string
		req     Request
		wantMsg string
	}{
		{"https", "only http:// URLs", Request{URL: "https://example.test/"}, `URL "https://example.test/": want an absolute http:// URL`},
		{"relative", "the URL must be absolute", Request{URL: "/path"}, `want an absolute http:// URL`},
		{"userinfo", "userinfo is not sent", Request{URL: "http://u:p@example.test/"}, "userinfo is not supported"},
		{"bad port", "ports are 1 to 65535", Request{URL: "http://example.test:99999/"}, `port "99999" is not a number from 1 to 65535`},
		{"no host", "a host is needed", Request{URL: "http:///x"}, "has no host"},
		{"method", "the method is a token", Request{Method: "GE T", URL: "http://example.test/"}, `method "GE T": byte 2 (' ') is not a token character`},
		{"header name", "field names are tokens", Request{URL: "http://example.test/", Header: Header{{"Good", "1"}, {"Bad:Name", "x"}}}, `name of header 1 "Bad:Name": byte 3 (':') is not a token character`},
		{"CR in value", "CR, LF and NUL are never sent in a value built from fields", Request{URL: "http://example.test/", Header: Header{{"X", "a\r\nInjected: 1"}}}, `value of header "X": byte 1 is '\r'`},
		{"space in target", "the request-target has no whitespace", Request{URL: "http://example.test/", Target: "/a b"}, `request-target "/a b": byte 2 is ' '`},
		{"CL and TE", "RFC 9112 §6.2", Request{Method: "POST", URL: "http://example.test/", Header: Header{{"Content-Length", "1"}, {"Transfer-Encoding", "chunked"}}}, "both Content-Length and Transfer-Encoding"},
		{"TE not chunked", "the body could not be delimited", Request{Method: "POST", URL: "http://example.test/", Header: Header{{"Transfer-Encoding", "gzip"}}}, `Transfer-Encoding "gzip" does not end in chunked`},
		{"bad CL", "Content-Length is digits", Request{Method: "POST", URL: "http://example.test/", Header: Header{{"Content-Length", "1x"}}}, `Content-Length "1x" is not a non-negative decimal number`},
		{"family", "4, 6 or 0", Request{URL: "http://example.test/", Family: 5}, "Family 5: want 0, 4 or 6"},
		{"nil body", "Do needs the body it is told about", Request{Method: "POST", URL: "http://example.test/", ContentLength: 3}, "ContentLength 3 with a nil Body"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			synctest.Test(t, func(t *testing.T) {
				ws := &wireServer{}
				a := newTestAgent(t, AgentOptions{Dialer: ws})
				req := tc.req
				_, err := a.Do(context.Background(), &req)
				if !errors.Is(err, ErrInvalidRequest) || !strings.Contains(err.Error(), tc.wantMsg) {
					t.Errorf("error = %v, want ErrInvalidRequest saying %q (%s)", err, tc.wantMsg, tc.reason)
				}
				if ws.dials != 0 {
					t.Errorf("dialed %d times for an invalid request", ws.dials)
				}
			})
		})
	}
}

// TestResponses checks how responses are read and whether the socket is
// kept afterwards.
func TestResponses(t *testing.T) {
	tests := []struct {
		name     string
		reason   string
		method   string
		replies  []string
		wantBody string
		wantTrl  Header
		wantPut  error // PutIdleConn after the first request
		wantErr  error
	}{
		{
			name: "content-length", reason: "the plain case: socket kept",
			replies: []string{okResponse}, wantBody: "ok",
		},
		{
			name: "chunked with trailer", reason: "chunks joined; trailer fields in Trailer, trailing OWS trimmed",
			replies:  []string{"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n2;ext=1\r\nde\r\n0\r\nX-Sum: 5 \r\n\r\n"},
			wantBody: "abcde", wantTrl: Header{{"X-Sum", "5"}},
		},
		{
			name: "HEAD", reason: "RFC 9112 §6.3 rule 1: the answer to HEAD has no body whatever its Content-Length",
			method: "HEAD", replies: []string{"HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\n"},
		},
		{
			name: "204", reason: "204 has no body (RFC 9112 §6.3 rule 1)",
			replies: []string{"HTTP/1.1 204 No Content\r\n\r\n"},
		},
		{
			name: "304", reason: "304 has no body even with Content-Length (RFC 9112 §6.3 rule 1)",
			replies: []string{"HTTP/1.1 304 Not Modified\r\nContent-Length: 5\r\n\r\n"},
		},
		{
			name: "connection close", reason: "Connection: close ends the connection after the response",
			replies:  []string{"HTTP/1.1 200 OK\r\nConnection: close\r\nContent-Length: 2\r\n\r\nok"},
			wantBody: "ok", wantPut: ErrNotKeepAlive,
		},
		{
			name: "read until EOF", reason: "RFC 9112 §6.3 rule 8: no length, so the body ends when the server closes",
			replies:  []string{"HTTP/1.1 200 OK\r\n\r\nuntil the end" + closeMark},
			wantBody: "until the end", wantPut: ErrNotKeepAlive,
		},
		{
			name: "HTTP/1.0", reason: "HTTP/1.0 without keep-alive closes",
			replies:  []string{"HTTP/1.0 200 OK\r\nContent-Length: 2\r\n\r\nok"},
			wantBody: "ok", wantPut: ErrNotKeepAlive,
		},
		{
			name: "second response", reason: "the seed: a server that sends multiple responses to one request gets its socket destroyed",
			replies:  []string{okResponse + okResponse},
			wantBody: "ok", wantPut: ErrExtraResponse,
		},
		{
			name: "stray CRLF tolerated", reason: "a line break after a response is what the parser skips anyway",
			replies: []string{okResponse + "\r\n"}, wantBody: "ok",
		},
		{
			name: "truncated", reason: "EOF inside a Content-Length body is an error",
			replies: []string{"HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\nshort" + closeMark},
			wantErr: ErrConnClosed, wantPut: ErrConnClosed,
		},
		{
			name: "malformed", reason: "a parse error fails the request and destroys the socket",
			replies: []string{"HTTP/1.1 200 OK\r\nContent-Length: 1\r\nContent-Length: 2\r\n\r\nok"},
			wantErr: errAny, wantPut: errAny,
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			synctest.Test(t, func(t *testing.T) {
				ws := &wireServer{replies: tc.replies}
				a := newTestAgent(t, AgentOptions{KeepAlive: true, Dialer: ws})
				var put []error
				res, err := a.Do(context.Background(), &Request{Method: tc.method, URL: "http://pipe/", Trace: &ClientTrace{
					PutIdleConn: func(err error) { put = append(put, err) },
				}})
				var body []byte
				if err == nil {
					body, err = io.ReadAll(res.Body)
				}
				if !errors.Is(err, tc.wantErr) && !(tc.wantErr == errAny && err != nil) {
					t.Fatalf("error = %v, want %v (%s)", err, tc.wantErr, tc.reason)
				}
				if err == nil {
					if string(body) != tc.wantBody {
						t.Errorf("body = %q, want %q (%s)", body, tc.wantBody, tc.reason)
					}
					if diff := cmp.Diff(tc.wantTrl, res.Trailer); diff != "" {
						t.Errorf("trailer (-want +got):\n%s", diff)
					}
				}
				if len(put) != 1 || (!errors.Is(put[0], tc.wantPut) && !(tc.wantPut == errAny && put[0] != nil)) {
					t.Errorf("PutIdleConn got %v, want [%v] (%s)", put, tc.wantPut, tc.reason)
				}
				wantFree := 0
				if tc.wantPut == nil {
					wantFree = 1
				}
				if s := a.Snapshot(); s.Free != wantFree || s.InUse != 0 {
					t.Errorf("pool %+v, want %d free and none in use", s, wantFree)
				}
			})
		})
	}
}

// errAny stands for "some error" in tables.
var errAny = errors.New("any error")

// TestInformational checks that 1xx responses reach OnInformation in
// order, with their fields, before the final response.
func TestInformational(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		ws := &wireServer{replies: []string{
			"HTTP/1.1 103 Early Hints\r\nLink: </a.css>; rel=preload\r\n\r\n" +
				"HTTP/1.1 102 Processing\r\n\r\n" + okResponse,
		}}
		a := newTestAgent(t, AgentOptions{KeepAlive: true, Dialer: ws})
		var got []Information
		res, err := a.Do(context.Background(), &Request{URL: "http://pipe/", OnInformation: func(i Information) { got = append(got, i) }})
		if err != nil {
			t.Fatal(err)
		}
		readAll(t, res)
		want := []Information{
			{Status: 103, Reason: "Early Hints", Major: 1, Minor: 1, Header: Header{{"Link", "</a.css>; rel=preload"}}},
			{Status: 102, Reason: "Processing", Major: 1, Minor: 1},
		}
		if diff := cmp.Diff(want, got); diff != "" {
			t.Errorf("informational responses (-want +got):\n%s", diff)
		}
		if res.Status != 200 {
			t.Errorf("final status %d, want 200", res.Status)
		}
	})
}

// TestRetry checks the one retry of an idempotent request whose reused
// socket fails before any response byte.
func TestRetry(t *testing.T) {
	tests := []struct {
		name      string
		reason    string
		method    string
		body      bool // with a body and GetBody
		wantRetry bool
	}{
		{"GET retried", "idempotent, nothing received: sent again on a new socket", "GET", false, true},
		{"PUT with GetBody retried", "idempotent and the body can be made again", "PUT", true, true},
		{"POST not retried", "not idempotent: the server may have acted on it", "POST", false, false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			synctest.Test(t, func(t *testing.T) {
				ps := newPipeServer(t, func(ps *pipeServer, c *pipeConn, req *http.Request, n int) bool {
					if n == 2 {
						return false // the server drops the kept connection as the request arrives
					}
					ps.record(c, req)
					_, err := io.WriteString(c, okResponse)
					return err == nil
				})
				a := newTestAgent(t, AgentOptions{KeepAlive: true, Dialer: ps})
				res, err := a.Do(context.Background(), &Request{URL: "http://pipe/first"})
				if err != nil {
					t.Fatal(err)
				}
				readAll(t, res)
				var retried []error
				req := &Request{Method: tc.method, URL: "http://pipe/second", Trace: &ClientTrace{Retried: func(err error) { retried = append(retried, err) }}}
				if tc.body {
					req.Body = strings.NewReader("data")
					req.ContentLength = 4
					req.GetBody = func() (io.Reader, error) { return strings.NewReader("data"), nil }
				}
				res, err = a.Do(context.Background(), req)
				if tc.wantRetry {
					if err != nil {
						t.Fatalf("Do = %v, want success after a retry (%s)", err, tc.reason)
					}
					readAll(t, res)
					if len(retried) != 1 || !errors.Is(retried[0], ErrConnClosed) {
						t.Errorf("Retried got %v, want one ErrConnClosed", retried)
					}
					want := []string{`conn1: GET /first ""`, `conn2: ` + tc.method + ` /second "` + map[bool]string{true: "data"}[tc.body] + `"`}
					if diff := cmp.Diff(want, ps.requests()); diff != "" {
						t.Errorf("requests served (-want +got):\n%s", diff)
					}
					return
				}
				if !errors.Is(err, ErrConnClosed) || len(retried) != 0 {
					t.Errorf("Do = %v with %d retries, want ErrConnClosed and none (%s)", err, len(retried), tc.reason)
				}
			})
		})
	}
}

// TestBodyClose checks what closing a body before its end does to the
// socket, and Abort.
func TestBodyClose(t *testing.T) {
	tests := []struct {
		name    string
		reason  string
		reply   string
		abort   bool
		wantPut error
	}{
		{"rest buffered", "the rest of the body already arrived: the socket is kept", okResponse, false, nil},
		{"rest buffered, chunked", "a chunked body read to its end from the buffer",
			"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n2\r\nok\r\n0\r\n\r\n", false, nil},
		{"rest missing", "Node's res.destroy(): the unread rest would be taken for the next response", "HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\nok", false, ErrBodyNotConsumed},
		{"abort", "Abort destroys the socket even with the body complete", okResponse, true, errAny},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			synctest.Test(t, func(t *testing.T) {
				ws := &wireServer{replies: []string{tc.reply}}
				a := newTestAgent(t, AgentOptions{KeepAlive: true, Dialer: ws})
				var put []error
				cr, err := a.Start(context.Background(), &Request{URL: "http://pipe/", Trace: &ClientTrace{
					PutIdleConn: func(err error) { put = append(put, err) },
				}})
				if err != nil {
					t.Fatal(err)
				}
				if err := cr.End(nil); err != nil {
					t.Fatal(err)
				}
				res, err := cr.Response()
				if err != nil {
					t.Fatal(err)
				}
				synctest.Wait() // let the whole reply arrive
				if tc.abort {
					cr.Abort()
				} else {
					res.Body.Close()
				}
				if len(put) != 1 || (!errors.Is(put[0], tc.wantPut) && !(tc.wantPut == errAny && put[0] != nil)) {
					t.Errorf("PutIdleConn got %v, want [%v] (%s)", put, tc.wantPut, tc.reason)
				}
				if _, err := res.Body.Read(make([]byte, 8)); err == nil || err == io.EOF {
					t.Errorf("Read after Close/Abort = %v, want an error", err)
				}
			})
		})
	}
}
