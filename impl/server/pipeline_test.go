package server

import (
	"net"
	"strings"
	"sync"
	"testing"
	"testing/synctest"
	"time"

	"github.com/google/go-cmp/cmp"
)

// get builds a minimal HTTP/1.1 GET.
func get(target string, extra ...string) string {
	s := "GET " + target + " HTTP/1.1\r\nHost: t\r\n"
	for _, e := range extra {
		s += e + "\r\n"
	}
	return s + "\r\n"
}

// serverErrors shortens the server's own error responses to their first
// words ("400 Bad Request"), so that tests do not depend on the parser's
// reason texts.
func serverErrors(rs []resp) []resp {
	for i := range rs {
		if rs[i].Header.Get("Content-Type") == "text/plain; charset=utf-8" && rs[i].Status >= 400 {
			rs[i].Body, _, _ = strings.Cut(rs[i].Body, ":")
			rs[i].Header.Del("Content-Length")
		}
	}
	return rs
}

func TestPipelining(t *testing.T) {
	closeHdr := Field{"Connection", "close"}
	errResp := func(status int, reason string) resp {
		return resp{Status: status, Reason: reason, Body: itoa(status) + " " + reason,
			Header: Header{closeHdr, {"Content-Type", "text/plain; charset=utf-8"}}}
	}
	tests := []struct {
		name, reason string
		send         string
		want         []resp
		eof          bool // the server closes after the wanted responses
	}{
		{
			name:   "order despite slow first handler",
			reason: "responses leave in request order whatever order the handlers finish in (seed 18.3.1)",
			send:   get("/sleep?ms=500") + get("/a") + get("/sleep?ms=100") + get("/b"),
			want:   []resp{okResp("GET /sleep?ms=500"), okResp("GET /a"), okResp("GET /sleep?ms=100"), okResp("GET /b")},
		},
		{
			name:   "Connection: close mid-pipeline",
			reason: "the request's Connection: close makes its response the last; later requests are not answered",
			send:   get("/a") + get("/b", "Connection: close") + get("/c"),
			want:   []resp{okResp("GET /a"), okResp("GET /b", closeHdr)},
			eof:    true,
		},
		{
			name:   "handler closes mid-pipeline",
			reason: "a handler's Connection: close ends the connection after its response, though /c was already read",
			send:   get("/a") + get("/close") + get("/c"),
			want:   []resp{okResp("GET /a"), {Status: 200, Reason: "OK", Header: Header{{"Content-Type", "text/plain"}, closeHdr, {"Content-Length", "10"}}, Body: "GET /close"}},
			eof:    true,
		},
		{
			name:   "HEAD in a pipeline",
			reason: "the HEAD response carries the length of what the handler wrote (\"HEAD /abc\", 9 bytes) and no content; the next response follows at once",
			send:   get("/a") + "HEAD /abc HTTP/1.1\r\nHost: t\r\n\r\n" + get("/b"),
			want:   []resp{okResp("GET /a"), {}, okResp("GET /b")},
		},
		{
			name:   "error mid-pipeline",
			reason: "earlier requests are answered, then 400, then the connection closes",
			send:   get("/a") + "GET /x HTTP/1.1\r\nHost: t\r\nBad Header\r\n\r\n" + get("/b"),
			want:   []resp{okResp("GET /a"), errResp(400, "Bad Request")},
			eof:    true,
		},
		{
			name:   "HTTP/1.0 ends the pipeline",
			reason: "an HTTP/1.0 request without keep-alive is the last (RFC 9112 §9.3)",
			send:   "GET /a HTTP/1.0\r\n\r\n" + get("/b"),
			want:   []resp{okResp("GET /a", closeHdr)},
			eof:    true,
		},
		{
			name:   "HTTP/1.0 keep-alive",
			reason: "an HTTP/1.0 request with keep-alive is told the connection persists",
			send:   "GET /a HTTP/1.0\r\nConnection: keep-alive\r\n\r\n" + get("/b", "Connection: close"),
			want:   []resp{okResp("GET /a", Field{"Connection", "keep-alive"}), okResp("GET /b", closeHdr)},
			eof:    true,
		},
		{
			name:   "bodies in a pipeline",
			reason: "Content-Length and chunked bodies delimit pipelined requests",
			send: "POST /echo HTTP/1.1\r\nHost: t\r\nContent-Length: 5\r\n\r\nhello" +
				"POST /echo HTTP/1.1\r\nHost: t\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n0\r\nX-T: 1\r\n\r\n" +
				get("/c"),
			want: []resp{okResp("hello"), okResp("abc;X-T=1"), okResp("GET /c")},
		},
	}
	// The HEAD answer: GET's Content-Length, no body.
	tests[3].want[1] = resp{Status: 200, Reason: "OK", Header: Header{{"Content-Type", "text/plain"}, {"Content-Length", "9"}}}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			synctest.Test(t, func(t *testing.T) {
				c := pipeClient(t, &Server{Handler: HandlerFunc(routes), ErrorLog: quietLog()})
				c.send(tt.send)
				var got []resp
				if tt.eof {
					got = c.readToEOF()
				} else {
					got = c.read(len(tt.want))
				}
				if diff := cmp.Diff(tt.want, serverErrors(noDate(got))); diff != "" {
					t.Errorf("%s\nresponses (-want +got):\n%s", tt.reason, diff)
				}
			})
		})
	}
}

// TestHandlersRunConcurrently: the first handler waits for the third to
// start; with handlers run one after another it would time out.
func TestHandlersRunConcurrently(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		third := make(chan struct{})
		var once sync.Once
		srv := &Server{Handler: HandlerFunc(func(w ResponseWriter, r *Request) {
			switch r.Target {
			case "/first":
				select {
				case <-third:
					w.WriteString("saw third")
				case <-time.After(time.Hour):
					w.WriteString("timed out")
				}
			case "/third":
				once.Do(func() { close(third) })
				w.WriteString("third")
			default:
				w.WriteString("second")
			}
		})}
		c := pipeClient(t, srv)
		c.send(get("/first") + get("/second") + get("/third"))
		var bodies []string
		for _, r := range c.read(3) {
			bodies = append(bodies, r.Body)
		}
		if diff := cmp.Diff([]string{"saw third", "second", "third"}, bodies); diff != "" {
			t.Errorf("handlers must start as their requests are parsed, not after earlier responses (-want +got):\n%s", diff)
		}
	})
}

// writeCounter counts the server's writes to the socket.
type writeCounter struct {
	net.Conn
	mu     sync.Mutex
	writes []int
}

func (w *writeCounter) Write(p []byte) (int, error) {
	w.mu.Lock()
	w.writes = append(w.writes, len(p))
	w.mu.Unlock()
	return w.Conn.Write(p)
}

func (w *writeCounter) count() int {
	w.mu.Lock()
	defer w.mu.Unlock()
	return len(w.writes)
}

// countingClient is pipeClient with the server's writes counted.
func countingClient(t *testing.T, srv *Server) (*testClient, *writeCounter) {
	cli, sc := net.Pipe()
	wc := &writeCounter{Conn: sc}
	done := make(chan struct{})
	go func() {
		defer close(done)
		srv.ServeConn(wc)
	}()
	t.Cleanup(func() {
		cli.Close()
		<-done
	})
	return newTestClient(t, cli), wc
}

// TestReadyResponsesShareOneWrite: fifteen fast responses wait behind a
// slow one; when it finishes, all sixteen leave in a single write.
func TestReadyResponsesShareOneWrite(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		c, wc := countingClient(t, &Server{Handler: HandlerFunc(routes)})
		req := get("/sleep?ms=10")
		for range 15 {
			req += get("/fast")
		}
		c.send(req)
		got := c.read(16)
		if got[0].Body != "GET /sleep?ms=10" || got[15].Body != "GET /fast" {
			t.Fatalf("responses out of order: first %q, last %q", got[0].Body, got[15].Body)
		}
		if n := wc.count(); n != 1 {
			t.Errorf("the 16 responses took %d writes (%v), want 1: ready responses are batched", n, wc.writes)
		}
	})
}
