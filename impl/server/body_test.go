package server

import (
	"bytes"
	"errors"
	"io"
	"strings"
	"testing"
	"testing/synctest"

	"github.com/google/go-cmp/cmp"
)

// TestResponseFraming checks how the server frames what handlers write.
func TestResponseFraming(t *testing.T) {
	tests := []struct {
		name, reason string
		handler      HandlerFunc
		send         string
		want         string // raw bytes, Date removed
	}{
		{
			name:    "Content-Length when the handler returns",
			reason:  "a body written without Flush is sent with its length",
			handler: func(w ResponseWriter, r *Request) { w.WriteString("abc") },
			send:    get("/", "Connection: close"),
			want:    "HTTP/1.1 200 OK\r\nConnection: close\r\nContent-Length: 3\r\n\r\nabc",
		},
		{
			name:    "empty body",
			reason:  "a handler that writes nothing sends Content-Length: 0",
			handler: func(w ResponseWriter, r *Request) {},
			send:    get("/", "Connection: close"),
			want:    "HTTP/1.1 200 OK\r\nConnection: close\r\nContent-Length: 0\r\n\r\n",
		},
		{
			name:   "chunked after Flush",
			reason: "a flushed body of unknown length is chunked for HTTP/1.1",
			handler: func(w ResponseWriter, r *Request) {
				w.WriteString("ab")
				w.Flush()
				w.WriteString("cde")
			},
			send: get("/", "Connection: close"),
			want: "HTTP/1.1 200 OK\r\nConnection: close\r\nTransfer-Encoding: chunked\r\n\r\n2\r\nab\r\n3\r\ncde\r\n0\r\n\r\n",
		},
		{
			name:   "close-delimited for HTTP/1.0",
			reason: "HTTP/1.0 has no chunked coding: a flushed body ends with the connection (RFC 9112 §6.3)",
			handler: func(w ResponseWriter, r *Request) {
				w.WriteString("ab")
				w.Flush()
				w.WriteString("cde")
			},
			send: "GET / HTTP/1.0\r\nConnection: keep-alive\r\n\r\n",
			want: "HTTP/1.1 200 OK\r\nConnection: close\r\n\r\nabcde",
		},
		{
			name:   "trailers",
			reason: "trailer fields make the body chunked and follow the last chunk",
			handler: func(w ResponseWriter, r *Request) {
				w.Header().Set("Trailer", "X-Sum")
				w.WriteString("abc")
				w.Trailer().Set("X-Sum", "42")
			},
			send: get("/", "Connection: close"),
			want: "HTTP/1.1 200 OK\r\nTrailer: X-Sum\r\nConnection: close\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n0\r\nX-Sum: 42\r\n\r\n",
		},
		{
			name:   "204 has no body and no length",
			reason: "RFC 9110 §8.6, §15.3.5: no content and no Content-Length in a 204",
			handler: func(w ResponseWriter, r *Request) {
				w.Header().Set("Content-Length", "5")
				w.WriteHeader(204)
				if _, err := w.WriteString("x"); !errors.Is(err, ErrBodyNotAllowed) {
					panic("Write to a 204 returned " + errString(err))
				}
			},
			send: get("/", "Connection: close"),
			want: "HTTP/1.1 204 No Content\r\nConnection: close\r\n\r\n",
		},
		{
			name:   "304 keeps the declared length",
			reason: "a 304 may carry the Content-Length of the representation but no content",
			handler: func(w ResponseWriter, r *Request) {
				w.Header().Set("Content-Length", "5")
				w.WriteHeader(304)
			},
			send: get("/", "Connection: close"),
			want: "HTTP/1.1 304 Not Modified\r\nContent-Length: 5\r\nConnection: close\r\n\r\n",
		},
		{
			name:   "declared Content-Length",
			reason: "a declared length is used as is and the body streams without chunking",
			handler: func(w ResponseWriter, r *Request) {
				w.Header().Set("Content-Length", "6")
				w.WriteString("abc")
				w.Flush()
				w.WriteString("def")
			},
			send: get("/", "Connection: close"),
			want: "HTTP/1.1 200 OK\r\nContent-Length: 6\r\nConnection: close\r\n\r\nabcdef",
		},
		{
			name:   "writing past the declared length",
			reason: "the excess write fails with ErrContentLength; the declared bytes go out and the connection closes, announced since the head was not yet sent",
			handler: func(w ResponseWriter, r *Request) {
				w.Header().Set("Content-Length", "3")
				w.WriteString("abc")
				if _, err := w.WriteString("d"); !errors.Is(err, ErrContentLength) {
					panic("excess write returned " + errString(err))
				}
			},
			send: get("/") + get("/next"),
			want: "HTTP/1.1 200 OK\r\nContent-Length: 3\r\nConnection: close\r\n\r\nabc",
		},
		{
			name:   "writing less than the declared length",
			reason: "a short body is not completed with the next response: the connection closes",
			handler: func(w ResponseWriter, r *Request) {
				w.Header().Set("Content-Length", "10")
				w.WriteString("abc")
			},
			send: get("/") + get("/next"),
			want: "HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\nabc",
		},
		{
			name:   "handler Transfer-Encoding: chunked",
			reason: "a handler that asks for chunked gets it, and its Content-Length is dropped (RFC 9112 §6.2)",
			handler: func(w ResponseWriter, r *Request) {
				w.Header().Set("Transfer-Encoding", "chunked")
				w.Header().Set("Content-Length", "3")
				w.WriteString("abc")
			},
			send: get("/", "Connection: close"),
			want: "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n\r\n3\r\nabc\r\n0\r\n\r\n",
		},
		{
			name:   "invalid fields are dropped",
			reason: "a handler cannot split the response with CR or LF in a field",
			handler: func(w ResponseWriter, r *Request) {
				w.Header().Add("X-Evil", "a\r\nSet-Cookie: b")
				w.Header().Add("Bad Name", "c")
				w.Header().Add("X-Good", "d")
			},
			send: get("/", "Connection: close"),
			want: "HTTP/1.1 200 OK\r\nX-Good: d\r\nConnection: close\r\nContent-Length: 0\r\n\r\n",
		},
		{
			name:   "interim 103",
			reason: "a 1xx status sends an interim response with the current fields at once, then the final one",
			handler: func(w ResponseWriter, r *Request) {
				w.Header().Add("Link", "</a.css>; rel=preload")
				w.WriteHeader(103)
				w.WriteString("x")
			},
			send: get("/", "Connection: close"),
			want: "HTTP/1.1 103 Early Hints\r\nLink: </a.css>; rel=preload\r\n\r\n" +
				"HTTP/1.1 200 OK\r\nLink: </a.css>; rel=preload\r\nConnection: close\r\nContent-Length: 1\r\n\r\nx",
		},
		{
			name:   "no 1xx to HTTP/1.0",
			reason: "RFC 9110 §15.2: a server MUST NOT send 1xx to an HTTP/1.0 client",
			handler: func(w ResponseWriter, r *Request) {
				w.WriteHeader(103)
				w.WriteString("x")
			},
			send: "GET / HTTP/1.0\r\n\r\n",
			want: "HTTP/1.1 200 OK\r\nConnection: close\r\nContent-Length: 1\r\n\r\nx",
		},
		{
			name:   "status without a reason phrase",
			reason: "an unregistered status is sent with an empty reason phrase",
			handler: func(w ResponseWriter, r *Request) {
				w.WriteHeader(599)
			},
			send: get("/", "Connection: close"),
			want: "HTTP/1.1 599 \r\nConnection: close\r\nContent-Length: 0\r\n\r\n",
		},
		{
			name:   "handler panic",
			reason: "a panicking handler's request is answered 500 and the connection closes",
			handler: func(w ResponseWriter, r *Request) {
				w.Header().Set("X-Lost", "1")
				panic("boom")
			},
			send: get("/") + get("/next"),
			want: "HTTP/1.1 500 Internal Server Error\r\nConnection: close\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Length: 58\r\n\r\n500 Internal Server Error: server: handler panicked: boom\n",
		},
		{
			name:   "handler panic after a flush",
			reason: "a response that has begun is cut short and the connection closes",
			handler: func(w ResponseWriter, r *Request) {
				w.WriteString("part")
				w.Flush()
				panic("boom")
			},
			send: get("/") + get("/next"),
			want: "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n4\r\npart\r\n",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			synctest.Test(t, func(t *testing.T) {
				c := pipeClient(t, &Server{Handler: tt.handler, ErrorLog: quietLog()})
				c.send(tt.send)
				got := strings.ReplaceAll(c.readRaw(), date2000, "")
				if diff := cmp.Diff(tt.want, got); diff != "" {
					t.Errorf("%s\nbytes (-want +got):\n%s", tt.reason, diff)
				}
			})
		})
	}
}

func errString(err error) string {
	if err == nil {
		return "nil"
	}
	return err.Error()
}

// TestDateField: responses carry Date (RFC 9110 §6.6.1) unless the
// handler sets one.
func TestDateField(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		c := pipeClient(t, &Server{Handler: HandlerFunc(func(w ResponseWriter, r *Request) {
			if r.Target == "/own" {
				w.Header().Set("Date", "Mon, 01 Jan 1990 00:00:00 GMT")
			}
		})})
		c.send(get("/") + get("/own", "Connection: close"))
		var got []string
		for _, r := range c.readToEOF() {
			got = append(got, r.Header.Get("Date"))
		}
		want := []string{"Sat, 01 Jan 2000 00:00:00 GMT", "Mon, 01 Jan 1990 00:00:00 GMT"}
		if diff := cmp.Diff(want, got); diff != "" {
			t.Errorf("Date fields (-want +got):\n%s", diff)
		}
	})
}

// TestRequestBodies checks what handlers see of request bodies, and what
// happens to bodies they do not read.
func TestRequestBodies(t *testing.T) {
	big := strings.Repeat("0123456789abcdef", 20<<10) // 320 KiB
	chunk := func(s string) string { return strings.ToLower(itoaHex(len(s))) + "\r\n" + s + "\r\n" }
	closeHdr := Field{"Connection", "close"}
	tests := []struct {
		name, reason string
		srv          *Server
		send         string
		then         string // sent after the first response has been read
		want         []resp
	}{
		{
			name:   "large body streams",
			reason: "a body larger than the server's body buffer reaches the handler whole (and, that large, is echoed chunked)",
			send:   "POST /echo HTTP/1.1\r\nHost: t\r\nConnection: close\r\nContent-Length: " + itoa(len(big)) + "\r\n\r\n" + big,
			want: []resp{{Status: 200, Reason: "OK", Chunked: true, Body: big,
				Header: Header{{"Content-Type", "text/plain"}, closeHdr, {"Transfer-Encoding", "chunked"}}}},
		},
		{
			name:   "chunked body with trailers",
			reason: "chunk data is joined and trailer fields appear in Request.Trailer",
			send: "POST /echo HTTP/1.1\r\nHost: t\r\nConnection: close\r\nTransfer-Encoding: chunked\r\n\r\n" +
				chunk("hello ") + chunk("world") + "0\r\nX-A: 1\r\nX-B: two \r\n\r\n",
			want: []resp{okResp("hello world;X-A=1;X-B=two", closeHdr)},
		},
		{
			name:   "unread body drained",
			reason: "a body that arrives after its handler returned is read and discarded, and the connection carries on",
			send:   "POST /noread HTTP/1.1\r\nHost: t\r\nContent-Length: 10\r\n\r\n",
			then:   "0123456789" + get("/after", "Connection: close"),
			want:   []resp{okResp("not read"), okResp("GET /after", closeHdr)},
		},
		{
			name:   "unread body already received",
			reason: "a body that arrived whole before the handler returned needs no draining",
			srv:    &Server{MaxBodyDrain: -1},
			send:   "POST /noread HTTP/1.1\r\nHost: t\r\nContent-Length: 1\r\n\r\nx" + get("/after", "Connection: close"),
			want:   []resp{okResp("not read"), okResp("GET /after", closeHdr)},
		},
		{
			name:   "unread body too long to drain",
			reason: "a declared body longer than MaxBodyDrain is not drained: the response closes the connection",
			srv:    &Server{MaxBodyDrain: 100},
			send:   "POST /noread HTTP/1.1\r\nHost: t\r\nContent-Length: 1000\r\n\r\n",
			want:   []resp{okResp("not read", closeHdr)},
		},
		{
			name:   "unread chunked body too long to drain",
			reason: "a chunked body that passes MaxBodyDrain while draining closes the connection after the response",
			srv:    &Server{MaxBodyDrain: 100},
			send:   "POST /noread HTTP/1.1\r\nHost: t\r\nTransfer-Encoding: chunked\r\n\r\n",
			then:   chunk(strings.Repeat("x", 1000)) + "0\r\n\r\n" + get("/after"),
			want:   []resp{okResp("not read")},
		},
		{
			name:   "never drain",
			reason: "a negative MaxBodyDrain closes after any body not yet received",
			srv:    &Server{MaxBodyDrain: -1},
			send:   "POST /noread HTTP/1.1\r\nHost: t\r\nContent-Length: 1\r\n\r\n",
			want:   []resp{okResp("not read", closeHdr)},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			synctest.Test(t, func(t *testing.T) {
				srv := orNew(tt.srv)
				srv.Handler = HandlerFunc(routes)
				c := pipeClient(t, srv)
				done := c.sendAsync(tt.send)
				var got []resp
				if tt.then != "" {
					got = c.read(1)
					<-done
					done = c.sendAsync(tt.then)
				}
				got = append(got, c.readToEOF()...)
				<-done
				if diff := cmp.Diff(tt.want, noDate(got)); diff != "" {
					t.Errorf("%s\nresponses (-want +got):\n%s", tt.reason, diff)
				}
			})
		})
	}
}

func itoaHex(n int) string {
	const digits = "0123456789abcdef"
	if n == 0 {
		return "0"
	}
	var b []byte
	for n > 0 {
		b = append([]byte{digits[n%16]}, b...)
		n /= 16
	}
	return string(b)
}

// TestBodyReadErrors: what Body.Read returns after Close and when the
// client goes away mid-body.
func TestBodyReadErrors(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		errs := make(chan error, 2)
		srv := &Server{Handler: HandlerFunc(func(w ResponseWriter, r *Request) {
			buf := make([]byte, 2)
			if r.Target == "/close" {
				r.Body.Read(buf)
				r.Body.Close()
				_, err := r.Body.Read(buf)
				errs <- err
				return
			}
			_, err := io.ReadAll(r.Body)
			errs <- err
		})}
		c := pipeClient(t, srv)
		c.send("POST /close HTTP/1.1\r\nHost: t\r\nContent-Length: 4\r\n\r\nabcd")
		if err := <-errs; !errors.Is(err, ErrBodyClosed) {
			t.Errorf("Read after Close = %v, want ErrBodyClosed", err)
		}
		c.read(1)
		c.send("POST /x HTTP/1.1\r\nHost: t\r\nContent-Length: 4\r\n\r\nab")
		c.conn.Close()
		if err := <-errs; !errors.Is(err, ErrUnexpectedEOF) && !errors.Is(err, ErrConnClosed) {
			t.Errorf("Read after the client left = %v, want ErrUnexpectedEOF or ErrConnClosed", err)
		}
	})
}

// TestBodyBufferBounded: a handler that reads a large body in small pieces
// gets all of it, and the server's buffer for it stays bounded (see also
// TestReadBodyCompacts, which forces the worst interleaving).
func TestBodyBufferBounded(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		const size = 2 << 20
		type result struct {
			n       int
			maxCap  int
			readErr error
		}
		done := make(chan result, 1)
		srv := &Server{Handler: HandlerFunc(func(w ResponseWriter, r *Request) {
			ex := r.Body.(*bodyReader).ex
			var res result
			buf := make([]byte, 1000)
			for {
				n, err := r.Body.Read(buf)
				res.n += n
				ex.c.mu.Lock()
				res.maxCap = max(res.maxCap, cap(ex.body))
				ex.c.mu.Unlock()
				if err != nil {
					if err != io.EOF {
						res.readErr = err
					}
					break
				}
			}
			done <- res
		})}
		c := pipeClient(t, srv)
		sent := c.sendAsync("POST / HTTP/1.1\r\nHost: t\r\nConnection: close\r\nContent-Length: " + itoa(size) + "\r\n\r\n" + strings.Repeat("b", size))
		res := <-done
		c.readToEOF()
		<-sent
		if res.n != size || res.readErr != nil {
			t.Errorf("handler read %d bytes (error %v), want %d", res.n, res.readErr, size)
		}
		if limit := 4 * (bodyHighWater + readBufferSize); res.maxCap > limit {
			t.Errorf("body buffer grew to %d bytes for a %d-byte body read in 1000-byte pieces, want at most %d", res.maxCap, size, limit)
		}
	})
}

// TestReadBodyCompacts: the reader appends 4096 bytes at a time while the
// handler reads in 1000-byte pieces and lags behind, so the buffer rarely
// empties; it must not grow with the body.
func TestReadBodyCompacts(t *testing.T) {
	c := &conn{}
	c.readerCond.L, c.bodyCond.L, c.outCond.L = &c.mu, &c.mu, &c.mu
	ex := &exchange{c: c}
	piece := bytes.Repeat([]byte("x"), 4096)
	buf := make([]byte, 1000)
	total, maxCap := 0, 0
	for range 1000 {
		c.mu.Lock()
		ex.body = append(ex.body, piece...)
		c.mu.Unlock()
		// Read 4000 bytes, and 1000 more when 8 KiB or more wait, so
		// that the backlog stays between 0 and 8 KiB but rarely empties,
		// as the reader's back-pressure would keep it.
		reads := 4
		if len(ex.body)-ex.bodyOff >= 8<<10 {
			reads = 5
		}
		for range reads {
			n, err := ex.readBody(buf)
			if err != nil {
				t.Fatalf("readBody: %v", err)
			}
			total += n
		}
		maxCap = max(maxCap, cap(ex.body))
	}
	if total < 4000*1000 {
		t.Errorf("read %d bytes, want at least %d", total, 4000*1000)
	}
	if maxCap > 64<<10 {
		t.Errorf("reading 4 MB with a small backlog made the buffer %d bytes large; want it compacted (< 64 KiB)", maxCap)
	}
}
