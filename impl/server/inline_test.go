package server

import (
	"bytes"
	"log"
	"net"
	"runtime"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"testing/synctest"
	"time"

	"github.com/google/go-cmp/cmp"
)

// TestHandlerHandoff: the first handler blocks until the second has
// started. How long (on synctest's clock) the second waits is exactly the
// hand-off time: the reader moves to a new goroutine when the timer finds
// the first handler still running. With a negative HandlerHandoff every
// handler has its own goroutine and the second starts at once.
func TestHandlerHandoff(t *testing.T) {
	tests := []struct {
		name, reason string
		handoff      time.Duration
		want         time.Duration
	}{
		{"goroutine per handler", "negative: no inline handlers, the second starts at once", -1, 0},
		{"default", "zero means DefaultHandlerHandoff", 0, DefaultHandlerHandoff},
		{"one millisecond", "the second handler waits one hand-off period", time.Millisecond, time.Millisecond},
		{"five seconds", "a long hand-off delays the next handler that long, never forever", 5 * time.Second, 5 * time.Second},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			synctest.Test(t, func(t *testing.T) {
				second := make(chan time.Time, 1)
				srv := &Server{HandlerHandoff: tt.handoff, Handler: HandlerFunc(func(w ResponseWriter, r *Request) {
					switch r.Target {
					case "/first":
						<-time.After(time.Until(<-second))
						w.WriteString("first")
					case "/second":
						now := time.Now()
						second <- now
						second <- now
						w.WriteString("second")
					}
				})}
				c := pipeClient(t, srv)
				start := time.Now()
				c.send(get("/first") + get("/second"))
				got := c.read(2)
				waited := (<-second).Sub(start)
				if waited != tt.want {
					t.Errorf("%s: the second handler started %v after the requests arrived, want %v", tt.reason, waited, tt.want)
				}
				if got[0].Body != "first" || got[1].Body != "second" {
					t.Errorf("responses out of order: %q, %q", got[0].Body, got[1].Body)
				}
			})
		})
	}
}

// TestInlineResponsesShareOneWrite: sixteen pipelined requests that arrive
// in one read, with handlers that return at once, are answered in one
// write.
func TestInlineResponsesShareOneWrite(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		var calls atomic.Int32
		c, wc := countingClient(t, &Server{Handler: HandlerFunc(func(w ResponseWriter, r *Request) {
			calls.Add(1)
			routes(w, r)
		})})
		c.send(strings.Repeat(get("/fast"), 16))
		got := c.read(16)
		for i, r := range got {
			if r.Body != "GET /fast" {
				t.Fatalf("response %d: body %q, want %q", i, r.Body, "GET /fast")
			}
		}
		if n := wc.count(); n != 1 {
			t.Errorf("16 responses took %d writes (%v), want 1", n, wc.writes)
		}
		if n := calls.Load(); n != 16 {
			t.Errorf("handler called %d times, want 16", n)
		}
	})
}

// TestNoRequestReadAfterLastResponse: once a response is known to be the
// connection's last, the requests after it are neither answered nor given
// to the handler (an unanswered request must not take effect).
func TestNoRequestReadAfterLastResponse(t *testing.T) {
	tests := []struct {
		name, reason string
		send         string
	}{
		{"handler's Connection: close", "the handler of /close makes its response the last", get("/close") + get("/after")},
		{"request's Connection: close", "the request asks to close", get("/a", "Connection: close") + get("/after")},
		{"HTTP/1.0", "an HTTP/1.0 request without keep-alive is the last", "GET /a HTTP/1.0\r\n\r\n" + get("/after")},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			synctest.Test(t, func(t *testing.T) {
				var mu sync.Mutex
				var targets []string
				srv := &Server{Handler: HandlerFunc(func(w ResponseWriter, r *Request) {
					mu.Lock()
					targets = append(targets, r.Target)
					mu.Unlock()
					routes(w, r)
				})}
				c := pipeClient(t, srv)
				c.send(tt.send)
				got := c.readToEOF()
				if len(got) != 1 {
					t.Errorf("%s: got %d responses, want 1", tt.reason, len(got))
				}
				mu.Lock()
				defer mu.Unlock()
				for _, target := range targets {
					if target == "/after" {
						t.Errorf("%s: the handler ran for /after (handlers ran for %q)", tt.reason, targets)
					}
				}
			})
		})
	}
}

// TestInlineHandlerFailure: a handler that panics or calls runtime.Goexit,
// at once (on the reader goroutine) or after it was handed off, is
// answered 500 and the connection closes after it; the connection's
// goroutines end (ServeConn returns, which pipeClient's cleanup waits for).
func TestInlineHandlerFailure(t *testing.T) {
	tests := []struct {
		name, reason string
		fail         func()
		delay        time.Duration // how long the handler runs first
		logged       string
	}{
		{"panic inline", "a panic on the reader goroutine is recovered there", func() { panic("boom") }, 0, "boom"},
		{"panic after hand-off", "the handed-off goroutine recovers its own panic", func() { panic("boom") }, time.Second, "boom"},
		{"Goexit inline", "the reader role moves to a new goroutine before this one ends", runtime.Goexit, 0, ""},
		{"Goexit after hand-off", "only the handed-off goroutine ends", runtime.Goexit, time.Second, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			synctest.Test(t, func(t *testing.T) {
				var logBuf bytes.Buffer
				var logMu sync.Mutex
				srv := &Server{ErrorLog: log.New(&lockedWriter{w: &logBuf, mu: &logMu}, "", 0),
					Handler: HandlerFunc(func(w ResponseWriter, r *Request) {
						if r.Target == "/fail" {
							time.Sleep(tt.delay)
							tt.fail()
						}
						routes(w, r)
					})}
				// ServeConn must return normally: a Goexit in a handler
				// must not end the goroutine that called it.
				cli, sc := net.Pipe()
				done := make(chan struct{})
				returned := false
				go func() {
					defer close(done)
					srv.ServeConn(sc)
					returned = true
				}()
				defer func() {
					cli.Close()
					<-done
					if !returned {
						t.Errorf("%s: ServeConn's goroutine ended without ServeConn returning", tt.reason)
					}
				}()
				c := newTestClient(t, cli)
				c.send(get("/a") + get("/fail") + get("/b"))
				got := c.readToEOF()
				var statuses []int
				for _, r := range got {
					statuses = append(statuses, r.Status)
				}
				if diff := cmp.Diff([]int{200, 500}, statuses); diff != "" {
					t.Errorf("%s (-want +got statuses):\n%s", tt.reason, diff)
				}
				if len(got) == 2 && got[1].Header.Get("Connection") != "close" {
					t.Errorf("the 500 must close the connection; header %v", got[1].Header)
				}
				logMu.Lock()
				defer logMu.Unlock()
				if tt.logged != "" && !strings.Contains(logBuf.String(), tt.logged) {
					t.Errorf("the panic was not logged; log: %q", logBuf.String())
				}
			})
		})
	}
}

// lockedWriter serialises writes for a log shared with server goroutines.
type lockedWriter struct {
	w  *bytes.Buffer
	mu *sync.Mutex
}

func (l *lockedWriter) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.w.Write(p)
}

// TestHandoffKeepsReading: after a hand-off the new reader parses the rest
// of the read and later reads; requests split across reads still reach
// their handlers while the first handler is blocked.
func TestHandoffKeepsReading(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		release := make(chan struct{})
		var started atomic.Int32
		srv := &Server{Handler: HandlerFunc(func(w ResponseWriter, r *Request) {
			started.Add(1)
			if r.Target == "/block" {
				<-release
			}
			routes(w, r)
		})}
		c := pipeClient(t, srv)
		c.send(get("/block") + get("/a"))
		synctest.Wait()
		time.Sleep(time.Second)
		synctest.Wait()
		c.send("GET /b HTTP/1.1\r\nHo")
		c.send("st: t\r\n\r\n" + get("/c"))
		synctest.Wait()
		if n := started.Load(); n != 4 {
			t.Errorf("with /block running, %d handlers started, want 4 (/block, /a, /b, /c)", n)
		}
		close(release)
		var bodies []string
		for _, r := range c.read(4) {
			bodies = append(bodies, r.Body)
		}
		if diff := cmp.Diff([]string{"GET /block", "GET /a", "GET /b", "GET /c"}, bodies); diff != "" {
			t.Errorf("responses (-want +got):\n%s", diff)
		}
	})
}
