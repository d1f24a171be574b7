package features

import (
	"errors"
	"io"
	"net"
	"os"
	"sync"
	"syscall"
	"time"
)

// The reference target runs over in-memory connections rather than
// loopback TCP so that a scenario can run inside a testing/synctest bubble
// (where blocking on a real socket is not "durably blocked" and fake time
// would never advance). Unlike net.Pipe, a pipe here behaves like a TCP
// connection where scenarios can see the difference:
//
//   - each direction buffers up to a capacity (the socket buffers), so a
//     writer does not wait for the reader until the buffer is full — which
//     is what lets a client pipeline without reading, and a server feel
//     back-pressure;
//   - either side can half-close (CloseWrite): the peer reads the buffered
//     bytes and then io.EOF, and can still write back;
//   - closing with unread received bytes resets the connection, as TCP
//     sends RST: the peer reads what was already in its buffer, then
//     ECONNRESET, and its writes fail with ECONNRESET;
//   - writing to a peer that has closed succeeds once (the bytes are
//     lost), as on TCP, where only the peer's answer, a reset, tells the
//     writer; after that the writer's reads end in ECONNRESET instead of
//     EOF, and its writes fail;
//   - deadlines work as on a net.Conn, on the time package's clock (fake
//     inside a bubble).

// defaultPipeCapacity is the bytes one direction of a pipe buffers, about
// a loopback TCP connection's send plus receive buffers.
const defaultPipeCapacity = 256 << 10

// pipeAddr is the address of one end of a pipe.
type pipeAddr string

func (a pipeAddr) Network() string { return "pipe" }
func (a pipeAddr) String() string  { return string(a) }

// stream is one direction of a pipe: bytes written by one end, read by the
// other. Its fields are guarded by mu; cond wakes readers and writers.
type stream struct {
	mu         sync.Mutex
	cond       sync.Cond
	buf        []byte
	capacity   int
	wclosed    bool // the writer half-closed or closed: EOF after buf
	rclosed    bool // the reader closed its end
	readReset  bool // reads end in ECONNRESET after buf instead of EOF
	writeReset bool // writes fail with ECONNRESET
	rdl, wdl   time.Time
	rtimer     *time.Timer
	wtimer     *time.Timer
}

// errPeerClosed is returned by stream.write for the one write a closed
// peer swallows; pipeConn.Write reports it as a success.
var errPeerClosed = errors.New("peer closed")

func newStream(capacity int) *stream {
	s := &stream{capacity: capacity}
	s.cond.L = &s.mu
	return s
}

// wake is run by deadline timers.
func (s *stream) wake() {
	s.mu.Lock()
	s.cond.Broadcast()
	s.mu.Unlock()
}

func expired(d time.Time) bool { return !d.IsZero() && !time.Now().Before(d) }

// setDeadline sets *d and arms *t to wake waiters when it passes. Called
// with s.mu held.
func (s *stream) setDeadline(d *time.Time, t **time.Timer, at time.Time) {
	*d = at
	if *t != nil {
		(*t).Stop()
		*t = nil
	}
	if !at.IsZero() {
		if wait := time.Until(at); wait > 0 {
			*t = time.AfterFunc(wait, s.wake)
		}
	}
	s.cond.Broadcast()
}

func (s *stream) read(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for {
		switch {
		case s.rclosed:
			return 0, net.ErrClosed
		case len(s.buf) > 0:
			if len(p) == 0 {
				return 0, nil
			}
			n := copy(p, s.buf)
			s.buf = s.buf[:copy(s.buf, s.buf[n:])]
			s.cond.Broadcast()
			return n, nil
		case s.readReset:
			return 0, syscall.ECONNRESET
		case s.wclosed:
			return 0, io.EOF
		case expired(s.rdl):
			return 0, os.ErrDeadlineExceeded
		}
		s.cond.Wait()
	}
}

func (s *stream) write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	n := 0
	for {
		switch {
		case s.writeReset:
			return n, syscall.ECONNRESET
		case s.wclosed:
			return n, net.ErrClosed
		case s.rclosed:
			s.writeReset = true
			return n, errPeerClosed
		case n == len(p):
			return n, nil
		case expired(s.wdl):
			return n, os.ErrDeadlineExceeded
		}
		if room := s.capacity - len(s.buf); room > 0 {
			k := min(room, len(p)-n)
			s.buf = append(s.buf, p[n:n+k]...)
			n += k
			s.cond.Broadcast()
			continue
		}
		s.cond.Wait()
	}
}

// pending reports the unread bytes and whether the writer has closed.
func (s *stream) pending() (n int, closed, reset bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return len(s.buf), s.wclosed, s.readReset
}

// pipeConn is one end of a pipe: it reads from in and writes to out.
type pipeConn struct {
	in, out       *stream
	local, remote pipeAddr

	mu     sync.Mutex
	closed bool // guarded by mu
}

// newPipe returns the two ends of an in-memory connection; capAB bounds
// the bytes a writes and b has not read, capBA the other way.
func newPipe(aName, bName string, capAB, capBA int) (a, b *pipeConn) {
	ab, ba := newStream(capAB), newStream(capBA)
	a = &pipeConn{in: ba, out: ab, local: pipeAddr(aName), remote: pipeAddr(bName)}
	b = &pipeConn{in: ab, out: ba, local: pipeAddr(bName), remote: pipeAddr(aName)}
	return a, b
}

func (c *pipeConn) Read(p []byte) (int, error) { return c.in.read(p) }
func (c *pipeConn) LocalAddr() net.Addr        { return c.local }
func (c *pipeConn) RemoteAddr() net.Addr       { return c.remote }

func (c *pipeConn) Write(p []byte) (int, error) {
	n, err := c.out.write(p)
	if err == errPeerClosed {
		// The bytes reach a closed socket, which answers with a reset.
		c.in.mu.Lock()
		c.in.readReset = true
		c.in.cond.Broadcast()
		c.in.mu.Unlock()
		return len(p), nil
	}
	return n, err
}

// CloseWrite half-closes the connection: the peer reads EOF once it has
// read what was sent.
func (c *pipeConn) CloseWrite() error {
	c.out.mu.Lock()
	defer c.out.mu.Unlock()
	if c.out.wclosed {
		return net.ErrClosed
	}
	c.out.wclosed = true
	c.out.cond.Broadcast()
	return nil
}

// Close closes both directions. Unread received bytes turn the close into
// a reset, as with TCP.
func (c *pipeConn) Close() error {
	c.mu.Lock()
	if c.closed {
		c.mu.Unlock()
		return net.ErrClosed
	}
	c.closed = true
	c.mu.Unlock()

	c.in.mu.Lock()
	unread := len(c.in.buf) > 0
	c.in.rclosed = true
	if unread {
		c.in.writeReset = true
	}
	c.in.buf = nil
	c.in.cond.Broadcast()
	c.in.mu.Unlock()

	c.out.mu.Lock()
	c.out.wclosed = true
	if unread {
		c.out.readReset = true
	}
	c.out.cond.Broadcast()
	c.out.mu.Unlock()
	return nil
}

func (c *pipeConn) SetDeadline(t time.Time) error {
	c.SetReadDeadline(t)
	return c.SetWriteDeadline(t)
}

func (c *pipeConn) SetReadDeadline(t time.Time) error {
	c.in.mu.Lock()
	defer c.in.mu.Unlock()
	c.in.setDeadline(&c.in.rdl, &c.in.rtimer, t)
	return nil
}

func (c *pipeConn) SetWriteDeadline(t time.Time) error {
	c.out.mu.Lock()
	defer c.out.mu.Unlock()
	c.out.setDeadline(&c.out.wdl, &c.out.wtimer, t)
	return nil
}

// peek reports, without blocking, how many bytes are waiting to be read
// and whether the peer has closed its sending side or reset.
func (c *pipeConn) peek() (n int, eof, reset bool) { return c.in.pending() }

// errReset reports whether err is a connection reset.
func errReset(err error) bool {
	return errors.Is(err, syscall.ECONNRESET) || errors.Is(err, syscall.EPIPE)
}
