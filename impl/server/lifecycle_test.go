package server

import (
	"context"
	"errors"
	"io"
	"net"
	"runtime"
	"strings"
	"testing"
	"testing/synctest"

	"github.com/google/go-cmp/cmp"
)

// startTCP serves srv on a loopback listener. served is closed when Serve
// returns, with its error in *serveErr. Cleanup closes the server and
// waits for Serve.
func startTCP(t *testing.T, srv *Server) (addr string, served <-chan struct{}, serveErr *error) {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	done := make(chan struct{})
	serveErr = new(error)
	go func() {
		defer close(done)
		*serveErr = srv.Serve(l)
	}()
	t.Cleanup(func() {
		srv.Close()
		<-done
	})
	return l.Addr().String(), done, serveErr
}

func dialTCP(t *testing.T, addr string) *testClient {
	t.Helper()
	conn, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { conn.Close() })
	return newTestClient(t, conn)
}

// gate lets a test hold handlers until it releases them.
type gate struct{ ch chan struct{} }

func newGate() *gate     { return &gate{ch: make(chan struct{})} }
func (g *gate) release() { close(g.ch) }

// gated answers /wait only once the gate opens, everything else at once.
func gated(g *gate, started chan<- string) HandlerFunc {
	return func(w ResponseWriter, r *Request) {
		if started != nil {
			started <- r.Target
		}
		if r.Path() == "/wait" {
			select {
			case <-g.ch:
			case <-r.Context().Done():
				return
			}
		}
		routes(w, r)
	}
}

func TestHalfClose(t *testing.T) {
	tests := []struct {
		name, reason string
		abort        bool
		want         []resp
	}{
		{
			name:   "answers then closes",
			reason: "after the client half-closes, the requests already read are answered, then the connection closes",
			want:   []resp{okResp("GET /wait"), okResp("GET /b")},
		},
		{
			name:   "CloseOnHalfClose abandons",
			reason: "with CloseOnHalfClose (Node's httpAllowHalfOpen false) the half-close abandons unanswered requests",
			abort:  true,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			g := newGate()
			started := make(chan string, 2)
			addr, _, _ := startTCP(t, &Server{Handler: gated(g, started), CloseOnHalfClose: tt.abort})
			c := dialTCP(t, addr)
			c.send(get("/wait") + get("/b"))
			<-started
			<-started
			c.conn.(*net.TCPConn).CloseWrite()
			if tt.abort {
				// The server closes without waiting for the handler.
				got := c.readToEOF()
				g.release()
				if len(got) != 0 {
					t.Errorf("%s: got %d responses, want none", tt.reason, len(got))
				}
				return
			}
			g.release()
			if diff := cmp.Diff(tt.want, noDate(c.readToEOF())); diff != "" {
				t.Errorf("%s\nresponses (-want +got):\n%s", tt.reason, diff)
			}
		})
	}
}

// TestLingerDeliversErrorResponse: the client's unread bytes after a bad
// request do not turn the close into a reset that loses the 400.
func TestLingerDeliversErrorResponse(t *testing.T) {
	addr, _, _ := startTCP(t, &Server{Handler: HandlerFunc(routes)})
	c := dialTCP(t, addr)
	junk := strings.Repeat("x", 100<<10)
	sent := c.sendAsync("G@T / HTTP/1.1\r\n\r\n" + junk)
	if err := <-sent; err != nil {
		t.Fatalf("sending: %v", err)
	}
	c.conn.(*net.TCPConn).CloseWrite()
	got := serverErrors(noDate(c.readToEOF()))
	want := []resp{{Status: 400, Reason: "Bad Request", Body: "400 Bad Request",
		Header: Header{{"Connection", "close"}, {"Content-Type", "text/plain; charset=utf-8"}}}}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("responses (-want +got):\n%s", diff)
	}
}

func TestShutdown(t *testing.T) {
	g := newGate()
	started := make(chan string, 4)
	srv := &Server{Handler: gated(g, started)}
	addr, served, serveErr := startTCP(t, srv)

	idle := dialTCP(t, addr)
	idle.send(get("/a"))
	idle.read(1)
	<-started
	busy := dialTCP(t, addr)
	busy.send(get("/wait"))
	<-started

	shut := make(chan error, 1)
	go func() { shut <- srv.Shutdown(context.Background()) }()

	// The idle connection is closed at once, without a response.
	if got := idle.readToEOF(); len(got) != 0 {
		t.Errorf("idle connection got %d responses during Shutdown, want none", len(got))
	}
	<-served
	if !errors.Is(*serveErr, ErrServerClosed) {
		t.Errorf("Serve returned %v, want ErrServerClosed", *serveErr)
	}
	if _, err := net.Dial("tcp", addr); err == nil {
		t.Errorf("dial after Shutdown succeeded; the listener should be closed")
	}
	select {
	case err := <-shut:
		t.Fatalf("Shutdown returned %v while a request was in flight", err)
	default:
	}
	// Shutdown reaches the connections in no set order: let it reach the
	// busy one before its handler finishes.
	for !allShutting(srv) {
		runtime.Gosched()
	}
	// The in-flight request completes, told that the connection closes.
	g.release()
	want := []resp{okResp("GET /wait", Field{"Connection", "close"})}
	if diff := cmp.Diff(want, noDate(busy.readToEOF())); diff != "" {
		t.Errorf("in-flight response during Shutdown (-want +got):\n%s", diff)
	}
	// A client closes on EOF; the server, lingering after its last
	// response, then finishes at once.
	busy.conn.Close()
	if err := <-shut; err != nil {
		t.Errorf("Shutdown = %v, want nil", err)
	}
	if err := srv.ServeConn(nopConn{}); !errors.Is(err, ErrServerClosed) {
		t.Errorf("ServeConn after Shutdown = %v, want ErrServerClosed", err)
	}
}

// nopConn is a net.Conn that does nothing, for calls that must not use it.
type nopConn struct{ net.Conn }

func (nopConn) Close() error { return nil }

func TestShutdownDeadline(t *testing.T) {
	started := make(chan string, 1)
	srv := &Server{Handler: gated(newGate(), started)}
	addr, _, _ := startTCP(t, srv)
	c := dialTCP(t, addr)
	c.send(get("/wait"))
	<-started
	ctx, cancel := context.WithCancel(context.Background())
	shut := make(chan error, 1)
	go func() { shut <- srv.Shutdown(ctx) }()
	cancel()
	if err := <-shut; !errors.Is(err, context.Canceled) {
		t.Errorf("Shutdown = %v, want context.Canceled", err)
	}
	// Close, called by Shutdown, closed the connection and cancelled the
	// handler's context.
	if got := c.readToEOF(); len(got) != 0 {
		t.Errorf("got %d responses after a forced shutdown, want none", len(got))
	}
}

func TestCloseEndsHijackedConnections(t *testing.T) {
	hooked := make(chan struct{})
	hookDone := make(chan error, 1)
	srv := &Server{OnConnect: func(r *Request, conn net.Conn, head []byte) {
		close(hooked)
		_, err := conn.Read(make([]byte, 1))
		hookDone <- err
	}}
	addr, _, _ := startTCP(t, srv)
	c := dialTCP(t, addr)
	c.send("CONNECT h:1 HTTP/1.1\r\nHost: h:1\r\n\r\n")
	<-hooked
	srv.Close()
	if err := <-hookDone; err == nil {
		t.Errorf("the hook's read succeeded after Close; the hijacked connection should be closed")
	}
	if n, _ := io.Copy(io.Discard, c.conn); n != 0 {
		t.Errorf("client read %d bytes, want none", n)
	}
}

func TestConnState(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		rec := &recorder{}
		srv := &Server{Handler: HandlerFunc(routes), OnConnState: func(_ net.Conn, s ConnState) { rec.add(s.String()) }}
		c := pipeClient(t, srv)
		c.send(get("/a"))
		c.read(1)
		synctest.Wait()
		c.send(get("/b", "Connection: close"))
		c.readToEOF()
		synctest.Wait()
		want := []string{"new", "active", "idle", "active", "closed"}
		if diff := cmp.Diff(want, rec.events()); diff != "" {
			t.Errorf("states (-want +got):\n%s", diff)
		}
	})
}

// allShutting reports whether Shutdown has marked every connection of srv.
func allShutting(srv *Server) bool {
	srv.mu.Lock()
	defer srv.mu.Unlock()
	for c := range srv.conns {
		if !c.shutFlag.Load() {
			return false
		}
	}
	return true
}
