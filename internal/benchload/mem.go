package benchload

import (
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"sync"
	"sync/atomic"
	"time"
)

// MemListener is a net.Listener whose connections live in memory: each
// Dial hands one new connection to Accept. A server runs on it unchanged
// (impl/server.Server.Serve, http.Server.Serve, fasthttp.Server.Serve),
// and the client side, a MemClient, gives it requests a batch at a time
// and counts the responses it writes. No kernel, socket or client
// goroutine reading a socket is involved, so the benchmark measures the
// server's own work.
type MemListener struct {
	addr     *net.TCPAddr
	dials    chan *memConn
	done     chan struct{}
	once     sync.Once
	nextPort atomic.Int32 // port of the next client's RemoteAddr
}

// NewMemListener returns a listener whose Addr is 127.0.0.1:80.
func NewMemListener() *MemListener {
	l := &MemListener{
		addr:  &net.TCPAddr{IP: net.IPv4(127, 0, 0, 1), Port: 80},
		dials: make(chan *memConn),
		done:  make(chan struct{}),
	}
	l.nextPort.Store(40000)
	return l
}

// Accept waits for the next Dial and returns the server side of its
// connection. After Close it returns an error that wraps net.ErrClosed.
func (l *MemListener) Accept() (net.Conn, error) {
	select {
	case c := <-l.dials:
		return c, nil
	case <-l.done:
		return nil, &net.OpError{Op: "accept", Net: "mem", Addr: l.addr, Err: net.ErrClosed}
	}
}

// Close makes Accept and Dial fail; connections already made stay open.
func (l *MemListener) Close() error {
	l.once.Do(func() { close(l.done) })
	return nil
}

// Addr returns the listener's address, 127.0.0.1:80.
func (l *MemListener) Addr() net.Addr { return l.addr }

// Dial makes a new connection, waits until the server has accepted it and
// returns its client side. It fails once the listener is closed.
func (l *MemListener) Dial() (*MemClient, error) {
	remote := &net.TCPAddr{IP: net.IPv4(127, 0, 0, 1), Port: int(l.nextPort.Add(1))}
	c := newMemConn(l.addr, remote)
	select {
	case l.dials <- c:
		return &MemClient{c: c}, nil
	case <-l.done:
		return nil, fmt.Errorf("benchload: dial %v: %w", l.addr, net.ErrClosed)
	}
}

// ErrTooManyResponses: the server wrote more responses than the batch had
// requests.
var ErrTooManyResponses = errors.New("more responses than requests")

// MemClient is the client side of one in-memory connection. Its methods
// must not be called concurrently with each other.
type MemClient struct {
	c *memConn
}

// RoundTrip hands the server reqs, which must hold n whole requests, and
// waits until the server has written n responses, each complete, framed
// by Content-Length and with status 200. It returns the responses' size.
// The server sees none of reqs before RoundTrip is called, so a batch
// cannot start before the previous one is answered. RoundTrip keeps reqs
// until it returns; the caller must not change it meanwhile.
func (m *MemClient) RoundTrip(reqs []byte, n int) (int, error) {
	c := m.c
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.err != nil {
		return 0, c.err
	}
	if c.closed {
		return 0, fmt.Errorf("benchload: %v: the server has closed the connection", c.remote)
	}
	c.in, c.want, c.got, c.size = reqs, n, 0, 0
	c.readable.Broadcast()
	for c.got < c.want && c.err == nil && !c.closed {
		c.answered.Wait()
	}
	switch {
	case c.err != nil:
		return 0, c.err
	case c.got < c.want:
		return 0, fmt.Errorf("benchload: %v: the server closed the connection after %d of %d responses; %d request bytes unread, response bytes pending %q",
			c.remote, c.got, c.want, len(c.in), c.counter.Pending())
	}
	return c.size, nil
}

// Close ends the client's side: once the server has read everything it
// was given, its reads return io.EOF, and its writes fail.
func (m *MemClient) Close() error {
	c := m.c
	c.mu.Lock()
	defer c.mu.Unlock()
	c.eof = true
	c.readable.Broadcast()
	return nil
}

// memConn is the server's side of an in-memory connection.
//
// Deadlines are kept, as a socket keeps them: once a read deadline has
// passed, a pending Read (and every later one, until the deadline is
// moved) fails with an error whose Timeout method reports true. This is
// required, not a nicety: after reading each request net/http starts a
// one-byte background Read and ends it by setting a read deadline in the
// past, so a connection that ignored deadlines would hang it. A Write
// never blocks here, so a write deadline only fails writes begun after it
// has passed. The connection has no CloseWrite, so servers that half-close
// TCP connections before closing (impl/server) close this one outright.
type memConn struct {
	local, remote *net.TCPAddr
	timeout       error // the read error once a deadline has passed; built once

	mu       sync.Mutex
	readable sync.Cond // the server's Read waits on it: input, close, deadline
	answered sync.Cond // RoundTrip waits on it: responses, close, error

	// Guarded by mu.
	in       []byte // request bytes the server has not read yet
	want     int    // responses to the current batch
	got      int    // responses counted so far in the current batch
	size     int    // their bytes
	counter  Counter
	err      error // the first error in the server's output; sticky
	closed   bool  // the server has closed the connection
	eof      bool  // the client has closed its side
	rdl      time.Time
	rexpired bool        // rdl has passed
	rtimer   *time.Timer // fires at rdl
	wdl      time.Time
}

func newMemConn(local, remote *net.TCPAddr) *memConn {
	c := &memConn{local: local, remote: remote}
	c.timeout = &net.OpError{Op: "read", Net: "mem", Source: local, Addr: remote, Err: os.ErrDeadlineExceeded}
	c.readable.L = &c.mu
	c.answered.L = &c.mu
	return c
}

func (c *memConn) opError(op string, err error) error {
	return &net.OpError{Op: op, Net: "mem", Source: c.local, Addr: c.remote, Err: err}
}

// Read returns request bytes the client has handed over, waiting for them
// if there are none.
func (c *memConn) Read(p []byte) (int, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	for {
		switch {
		case c.closed:
			return 0, c.opError("read", net.ErrClosed)
		case c.rexpired:
			return 0, c.timeout
		case len(c.in) > 0:
			n := copy(p, c.in)
			c.in = c.in[n:]
			return n, nil
		case c.eof:
			return 0, io.EOF
		}
		c.readable.Wait()
	}
}

// Write counts the responses in p. A malformed response, or one too many,
// is recorded for RoundTrip to report; the write itself succeeds.
func (c *memConn) Write(p []byte) (int, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	switch {
	case c.closed:
		return 0, c.opError("write", net.ErrClosed)
	case !c.wdl.IsZero() && !time.Now().Before(c.wdl):
		return 0, c.opError("write", os.ErrDeadlineExceeded)
	case c.eof:
		return 0, c.opError("write", io.ErrClosedPipe)
	case c.err != nil:
		return len(p), nil
	}
	n, size, err := c.counter.Feed(p)
	c.got += n
	c.size += size
	switch {
	case err != nil:
		c.err = fmt.Errorf("%v: %w", c.remote, err)
	case c.got > c.want:
		c.err = fmt.Errorf("benchload: %v: %w: %d responses to a batch of %d", c.remote, ErrTooManyResponses, c.got, c.want)
	case c.got < c.want:
		return len(p), nil
	case len(c.in) > 0:
		c.err = fmt.Errorf("benchload: %v: the server wrote all %d responses before reading the last %d bytes of the batch", c.remote, c.got, len(c.in))
	}
	c.answered.Signal()
	return len(p), nil
}

// Close closes the connection and wakes everything waiting on it.
func (c *memConn) Close() error {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.closed {
		return c.opError("close", net.ErrClosed)
	}
	c.closed = true
	if c.rtimer != nil {
		c.rtimer.Stop()
	}
	c.readable.Broadcast()
	c.answered.Broadcast()
	return nil
}

func (c *memConn) LocalAddr() net.Addr  { return c.local }
func (c *memConn) RemoteAddr() net.Addr { return c.remote }

func (c *memConn) SetDeadline(t time.Time) error {
	if err := c.SetReadDeadline(t); err != nil {
		return err
	}
	return c.SetWriteDeadline(t)
}

func (c *memConn) SetReadDeadline(t time.Time) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.closed {
		return c.opError("set", net.ErrClosed)
	}
	c.rdl = t
	c.rexpired = false
	if c.rtimer != nil {
		c.rtimer.Stop()
	}
	if t.IsZero() {
		return nil
	}
	d := time.Until(t)
	switch {
	case d <= 0:
		c.rexpired = true
		c.readable.Broadcast()
	case c.rtimer == nil:
		c.rtimer = time.AfterFunc(d, c.readDeadlinePassed)
	default:
		c.rtimer.Reset(d)
	}
	return nil
}

// readDeadlinePassed runs when the read timer fires. The deadline may have
// moved since the timer was set, so it checks again.
func (c *memConn) readDeadlinePassed() {
	c.mu.Lock()
	defer c.mu.Unlock()
	if !c.rdl.IsZero() && !time.Now().Before(c.rdl) {
		c.rexpired = true
		c.readable.Broadcast()
	}
}

func (c *memConn) SetWriteDeadline(t time.Time) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.closed {
		return c.opError("set", net.ErrClosed)
	}
	c.wdl = t
	return nil
}
