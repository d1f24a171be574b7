package benchload

import (
	"bytes"
	"errors"
	"io"
	"net"
	"net/http"
	"strings"
	"testing"
	"testing/synctest"
	"time"

	"github.com/google/go-cmp/cmp"
)

func helloHandler(w http.ResponseWriter, _ *http.Request) {
	w.Header().Set("Content-Type", "text/plain")
	w.Write([]byte("Hello, World!"))
}

// TestMemNetHTTP runs net/http unchanged on a MemListener: every batch
// gets all its responses, pipelined or not, and the connection survives
// net/http's background reads, which it ends with a past read deadline.
func TestMemNetHTTP(t *testing.T) {
	tests := []struct {
		name    string
		reason  string
		batch   int
		batches int
	}{
		{"sequential", "one request per round trip on a keep-alive connection", 1, 20},
		{"pipelined", "16 requests handed over at once; net/http answers one at a time", 16, 20},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			l := NewMemListener()
			stop := NetHTTPPeer(http.HandlerFunc(helloHandler)).Start(t, l)
			defer stop()
			mc, err := l.Dial()
			if err != nil {
				t.Fatal(err)
			}
			defer mc.Close()
			reqs := bytes.Repeat([]byte(Request), tt.batch)
			var sizes []int
			for range tt.batches {
				n, err := mc.RoundTrip(reqs, tt.batch)
				if err != nil {
					t.Fatalf("%s: RoundTrip: %v", tt.reason, err)
				}
				sizes = append(sizes, n)
			}
			// net/http's responses differ only in their Date field, whose
			// length does not change.
			want := make([]int, tt.batches)
			for i := range want {
				want[i] = sizes[0]
			}
			if diff := cmp.Diff(want, sizes); diff != "" {
				t.Errorf("%s: response bytes per batch (-want +got):\n%s", tt.reason, diff)
			}
			if got, want := mc.c.counter.Count(), tt.batch*tt.batches; got != want {
				t.Errorf("%s: %d responses counted, want %d", tt.reason, got, want)
			}
		})
	}
}

// serveOne accepts one connection on l and runs script on it, closing it
// afterwards; it returns a channel closed when script has returned.
func serveOne(t *testing.T, l *MemListener, script func(c net.Conn)) <-chan struct{} {
	t.Helper()
	done := make(chan struct{})
	go func() {
		defer close(done)
		c, err := l.Accept()
		if err != nil {
			t.Errorf("Accept: %v", err)
			return
		}
		defer c.Close()
		script(c)
	}()
	return done
}

// readRequests reads from c until it has n request heads.
func readRequests(c net.Conn, n int) error {
	var got []byte
	buf := make([]byte, 512)
	for bytes.Count(got, headEnd) < n {
		m, err := c.Read(buf)
		if err != nil {
			return err
		}
		got = append(got, buf[:m]...)
	}
	return nil
}

// TestMemRoundTripFailures checks that every way a server can fail to
// answer a batch properly makes RoundTrip fail, with an error saying how.
func TestMemRoundTripFailures(t *testing.T) {
	tests := []struct {
		name    string
		reason  string
		script  func(c net.Conn)
		wantIs  error  // the error wraps this, if set
		wantMsg string // and contains this
	}{
		{
			name:    "short count, then close",
			reason:  "a server that drops requests is not measured",
			script:  func(c net.Conn) { readRequests(c, 2); c.Write([]byte(hello)) },
			wantMsg: "the server closed the connection after 1 of 2 responses",
		},
		{
			name:   "status 404",
			reason: "every response must be the handler's 200",
			script: func(c net.Conn) {
				readRequests(c, 2)
				c.Write([]byte(hello + notFound))
				readRequests(c, 1)
			},
			wantIs: ErrStatus,
		},
		{
			name:   "chunked response",
			reason: "responses must be framed by Content-Length",
			script: func(c net.Conn) {
				readRequests(c, 2)
				c.Write([]byte("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n"))
				readRequests(c, 1)
			},
			wantIs: ErrNoContentLength,
		},
		{
			name:   "too many responses",
			reason: "an extra response means the count is wrong",
			script: func(c net.Conn) {
				readRequests(c, 2)
				c.Write([]byte(hello + hello + hello))
				readRequests(c, 1)
			},
			wantIs: ErrTooManyResponses,
		},
		{
			name:   "answers before reading the whole batch",
			reason: "the batch's requests must all reach the server",
			script: func(c net.Conn) {
				c.Read(make([]byte, len(Request)))
				c.Write([]byte(hello + hello))
				readRequests(c, 1)
			},
			wantMsg: "before reading the last 63 bytes of the batch",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			l := NewMemListener()
			defer l.Close()
			done := serveOne(t, l, tt.script)
			mc, err := l.Dial()
			if err != nil {
				t.Fatal(err)
			}
			_, err = mc.RoundTrip([]byte(Request+Request), 2)
			mc.Close()
			<-done
			if err == nil {
				t.Fatalf("%s: RoundTrip succeeded, want an error", tt.reason)
			}
			if tt.wantIs != nil && !errors.Is(err, tt.wantIs) {
				t.Errorf("%s: RoundTrip error %q does not wrap %q", tt.reason, err, tt.wantIs)
			}
			if !strings.Contains(err.Error(), tt.wantMsg) {
				t.Errorf("%s: RoundTrip error %q does not contain %q", tt.reason, err, tt.wantMsg)
			}
		})
	}
}

// TestMemConnLifecycle checks the connection's behaviour that servers rely
// on, step by step.
func TestMemConnLifecycle(t *testing.T) {
	l := NewMemListener()
	type acceptResult struct {
		c   net.Conn
		err error
	}
	accepted := make(chan acceptResult)
	go func() {
		c, err := l.Accept()
		accepted <- acceptResult{c, err}
	}()
	mc, err := l.Dial()
	if err != nil {
		t.Fatalf("Dial: %v", err)
	}
	ar := <-accepted
	if ar.err != nil {
		t.Fatalf("Accept: %v", ar.err)
	}
	c := ar.c

	addrs := []string{c.LocalAddr().Network(), c.LocalAddr().String(), c.RemoteAddr().Network(), l.Addr().String()}
	if diff := cmp.Diff([]string{"tcp", "127.0.0.1:80", "tcp", "127.0.0.1:80"}, addrs); diff != "" {
		t.Errorf("addresses (-want +got):\n%s", diff)
	}
	if ip := c.RemoteAddr().(*net.TCPAddr).IP; !ip.IsLoopback() {
		t.Errorf("RemoteAddr %v is not loopback", c.RemoteAddr())
	}

	// A batch is read in pieces of the caller's size, then answered.
	rt := make(chan error)
	go func() {
		_, err := mc.RoundTrip([]byte(Request), 1)
		rt <- err
	}()
	var got []byte
	buf := make([]byte, 10)
	for len(got) < len(Request) {
		n, err := c.Read(buf)
		if err != nil {
			t.Fatalf("Read after %d bytes: %v", len(got), err)
		}
		got = append(got, buf[:n]...)
	}
	if diff := cmp.Diff(Request, string(got)); diff != "" {
		t.Errorf("bytes read (-want +got):\n%s", diff)
	}
	if _, err := c.Write([]byte(hello)); err != nil {
		t.Fatalf("Write: %v", err)
	}
	if err := <-rt; err != nil {
		t.Fatalf("RoundTrip: %v", err)
	}

	// A read deadline in the past ends a pending Read with a timeout, as
	// net/http's abortPendingRead needs; clearing it makes reads work
	// again.
	readErr := make(chan error)
	go func() {
		_, err := c.Read(buf)
		readErr <- err
	}()
	if err := c.SetReadDeadline(time.Unix(1, 0)); err != nil {
		t.Fatalf("SetReadDeadline: %v", err)
	}
	err = <-readErr
	var ne net.Error
	if !errors.As(err, &ne) || !ne.Timeout() {
		t.Fatalf("Read with a past deadline: %v, want a timeout net.Error", err)
	}
	if err := c.SetDeadline(time.Time{}); err != nil {
		t.Fatalf("SetDeadline(zero): %v", err)
	}
	go func() {
		_, err := mc.RoundTrip([]byte(Request), 1)
		rt <- err
	}()
	if err := readRequests(c, 1); err != nil {
		t.Fatalf("Read after the deadline was cleared: %v", err)
	}
	c.Write([]byte(hello))
	if err := <-rt; err != nil {
		t.Fatalf("RoundTrip after the deadline was cleared: %v", err)
	}

	// The client's Close is EOF to the server; then writes fail.
	mc.Close()
	if _, err := c.Read(buf); err != io.EOF {
		t.Errorf("Read after the client closed: %v, want io.EOF", err)
	}
	if _, err := c.Write([]byte(hello)); err == nil {
		t.Errorf("Write after the client closed succeeded, want an error")
	}

	// The server's Close makes everything fail.
	if err := c.Close(); err != nil {
		t.Errorf("Close: %v", err)
	}
	if _, err := c.Read(buf); !errors.Is(err, net.ErrClosed) {
		t.Errorf("Read after Close: %v, want net.ErrClosed", err)
	}
	if err := c.SetReadDeadline(time.Time{}); !errors.Is(err, net.ErrClosed) {
		t.Errorf("SetReadDeadline after Close: %v, want net.ErrClosed", err)
	}
	if _, err := mc.RoundTrip([]byte(Request), 1); err == nil {
		t.Errorf("RoundTrip after the server closed succeeded, want an error")
	}

	// The listener's Close ends Accept and Dial.
	l.Close()
	if _, err := l.Accept(); !errors.Is(err, net.ErrClosed) {
		t.Errorf("Accept after Close: %v, want net.ErrClosed", err)
	}
	if _, err := l.Dial(); !errors.Is(err, net.ErrClosed) {
		t.Errorf("Dial after Close: %v, want net.ErrClosed", err)
	}
}

// TestMemReadDeadlineFires checks that a future read deadline ends a
// pending Read when it passes, and that a deadline moved later before it
// passes does not.
func TestMemReadDeadlineFires(t *testing.T) {
	tests := []struct {
		name     string
		reason   string
		first    time.Duration // deadline set before the Read
		moveTo   time.Duration // if non-zero, the deadline is moved to this after 1s
		wantWait time.Duration
	}{
		{"fires", "the timer wakes the blocked Read", 5 * time.Second, 0, 5 * time.Second},
		{"moved later", "a moved deadline counts from its new time", 5 * time.Second, 60 * time.Second, 60 * time.Second},
		{"moved earlier", "an earlier deadline replaces a later one", 60 * time.Second, 3 * time.Second, 3 * time.Second},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			synctest.Test(t, func(t *testing.T) {
				l := NewMemListener()
				defer l.Close()
				accepted := make(chan net.Conn)
				go func() {
					c, _ := l.Accept()
					accepted <- c
				}()
				mc, err := l.Dial()
				if err != nil {
					t.Fatal(err)
				}
				defer mc.Close()
				c := <-accepted
				defer c.Close()
				start := time.Now()
				c.SetReadDeadline(start.Add(tt.first))
				if tt.moveTo != 0 {
					go func() {
						time.Sleep(time.Second)
						c.SetReadDeadline(start.Add(tt.moveTo))
					}()
				}
				_, err = c.Read(make([]byte, 1))
				var ne net.Error
				if !errors.As(err, &ne) || !ne.Timeout() {
					t.Fatalf("%s: Read: %v, want a timeout", tt.reason, err)
				}
				if got := time.Since(start); got != tt.wantWait {
					t.Errorf("%s: Read returned after %v, want %v", tt.reason, got, tt.wantWait)
				}
			})
		})
	}
}
