package server

import (
	"context"
	"errors"
	"io"
	"net"
	"runtime"
	"sync"
	"sync/atomic"
	"time"

	"github.com/conformhttp/conform/impl/parser"
)

// readBufferSize is the size of each connection's read buffer.
const readBufferSize = 8 << 10

// bodyHighWater is how many unread request body bytes a connection buffers
// for a handler before it stops reading the socket.
const bodyHighWater = 64 << 10

// lingerMaxBytes bounds what the server reads and discards while lingering
// after the last response.
const lingerMaxBytes = 256 << 10

// maxFreeExchanges bounds each connection's list of reusable exchanges.
const maxFreeExchanges = 32

// fieldSpan locates one field line inside conn.arena.
type fieldSpan struct {
	nameStart, nameEnd, valStart, valEnd int
}

// conn is one server connection. Its goroutine (serve) is the reader: it
// owns the parser and reads the socket. Handlers run in goroutines the
// reader starts; whichever goroutine completes output at the head of the
// queue writes it (see output.go).
type conn struct {
	srv    *Server
	cfg    config
	rwc    net.Conn
	remote net.Addr
	half   interface{ CloseWrite() error } // nil when rwc cannot half-close
	ctx    context.Context                 // cancelled when the connection closes
	cancel context.CancelFunc

	// Owned by the reader goroutine (serve, feed and the parser callbacks).
	p         parser.Parser
	cb        parser.Callbacks
	rbuf      []byte
	base      int64       // parser offset of the first byte of the current Execute input
	arena     []byte      // bytes of the head (or trailer section) being read
	strs      stringBlock // where finished heads become strings
	spans     []fieldSpan // its fields, as offsets into arena
	targetEnd int         // the request-target is arena[:targetEnd]
	inField   bool        // a field name is being received
	nfields   int
	cur       *exchange // the request being read; nil between requests
	nreq      int       // requests begun on this connection
	readAt    time.Time // when the bytes being parsed arrived
	hook      *exchange // a CONNECT or upgrade request awaiting its hook
	waitRoom  bool      // the parser paused at a message begin for back-pressure
	stopAfter bool      // the parser paused after the last request
	inline    *exchange // a request whose handler runs on the reader once the parser pauses
	spawned   bool      // a handler goroutine was started during this feed
	// pendingWrite: inline responses were emitted during this feed and
	// not yet written (the reader writes them as it leaves feed).
	pendingWrite bool
	seq          uint64  // inline handlers run so far (see inline.go)
	next         handoff // where a successor reader starts
	handoffTimer *time.Timer

	hwg         sync.WaitGroup // handler goroutines
	shutFlag    atomic.Bool    // mirrors shutting, for reads without mu
	inlineState atomic.Uint64  // see inline.go
	inlineSeen  atomic.Uint64
	ended       chan struct{} // closed when the connection is done with

	mu sync.Mutex
	// readerCond wakes the reader: output drained, body consumed, queue
	// empty, connection closing. bodyCond wakes a handler waiting for body
	// bytes. outCond wakes a handler waiting to write more.
	readerCond, bodyCond, outCond sync.Cond

	// Guarded by mu.
	q          []*exchange // requests awaiting (the rest of) their responses; q[qh] is the head
	qh         int
	free       []*exchange // exchanges ready for reuse
	wbuf       []byte      // bytes to write next, in order
	spare      []byte      // the other write buffer, swapped with wbuf
	outBytes   int         // response bytes buffered: exchanges' out, wbuf, and the write in flight
	writing    bool        // a goroutine is writing (or about to write) wbuf
	inRequest  bool        // a request has begun and its message is not complete
	headDone   bool        // the current request's head is complete
	reqBegin   time.Time   // when the current request's first byte arrived
	stopRead   bool        // the reader reads no more requests
	drainClose bool        // close once every queued response is written
	closeAfter bool        // the last response is in wbuf: close once it is written
	writeDone  bool        // everything written; write side shut; the reader lingers
	closed     bool        // rwc is closed
	shutting   bool        // the server is shutting down
	hijacked   bool
	idle       bool      // nothing queued, no request begun
	idleSince  time.Time // when idle became true
	lastRead   time.Time
	lastWrite  time.Time
	deadline   time.Time // the read deadline last set
	state      ConnState
}

func newConn(s *Server, rw net.Conn, cfg config, base context.Context) *conn {
	c := &conn{srv: s, cfg: cfg, rwc: rw, remote: rw.RemoteAddr()}
	if h, ok := rw.(interface{ CloseWrite() error }); ok {
		c.half = h
	}
	c.ctx, c.cancel = context.WithCancel(base)
	c.ended = make(chan struct{})
	c.readerCond.L = &c.mu
	c.bodyCond.L = &c.mu
	c.outCond.L = &c.mu
	c.cb = parser.Callbacks{
		OnMessageBegin:        c.onMessageBegin,
		OnURL:                 c.onURL,
		OnURLComplete:         c.onURLComplete,
		OnHeaderField:         c.onHeaderField,
		OnHeaderFieldComplete: c.onHeaderFieldComplete,
		OnHeaderValue:         c.onHeaderValue,
		OnHeaderValueComplete: c.onHeaderValueComplete,
		OnHeadersComplete:     c.onHeadersComplete,
		OnBody:                c.onBody,
		OnMessageComplete:     c.onMessageComplete,
	}
	c.p.Init(cfg.parser, &c.cb)
	return c
}

// serve runs the connection until it closes or is hijacked, starting as
// its reader. It may return early, having handed the reader role to
// another goroutine (inline.go): c.ended tells when the connection is done.
func (c *conn) serve() {
	now := time.Now()
	c.mu.Lock()
	c.idle = true
	c.idleSince, c.lastRead, c.lastWrite = now, now, now
	c.setStateLocked(StateNew)
	c.mu.Unlock()
	c.rbuf = make([]byte, readBufferSize)
	c.runReader(nil, nil)
}

// runReader is the reader role: it parses rest, the input a predecessor
// had not parsed, and readErr, what its last Read returned; then it reads
// until the connection is done and closes it, unless it hands the role on.
func (c *conn) runReader(rest []byte, readErr error) {
	var end loopEnd
	if len(rest) > 0 || readErr != nil {
		end = c.consume(rest, readErr)
	}
	if end == loopGoOn {
		end = c.readLoop()
	}
	switch end {
	case loopHandedOff:
		return
	case loopHijacked:
		// finished by hijack, when the hook returns
		return
	}
	c.finish(false)
}

// finish ends the connection's reader role: it closes the connection
// (unless a hook took it), waits for its handlers, and forgets it.
func (c *conn) finish(hijacked bool) {
	c.mu.Lock()
	if !hijacked {
		c.closeLocked()
	}
	c.mu.Unlock()
	if c.handoffTimer != nil {
		c.handoffTimer.Stop()
	}
	c.hwg.Wait()
	c.cancel()
	c.mu.Lock()
	if !hijacked {
		c.setStateLocked(StateClosed)
	}
	c.mu.Unlock()
	c.srv.forget(c)
	close(c.ended)
}

// loopEnd says how the reader's loop ended.
type loopEnd uint8

const (
	loopGoOn      loopEnd = iota // not ended: read on
	loopClosed                   // the connection is done
	loopHijacked                 // a hook owns the connection
	loopHandedOff                // another goroutine is the reader now
)

// readLoop reads and parses until the connection is done.
func (c *conn) readLoop() loopEnd {
	for {
		c.mu.Lock()
		for c.stopRead && !c.closed && !c.writeDone {
			c.readerCond.Wait()
		}
		if c.closed {
			c.mu.Unlock()
			return loopClosed
		}
		if c.writeDone {
			c.mu.Unlock()
			c.linger()
			return loopClosed
		}
		c.setReadDeadlineLocked(c.nextDeadlineLocked())
		c.mu.Unlock()

		n, err := c.rwc.Read(c.rbuf)
		if n > 0 {
			c.readAt = time.Now()
			if c.cfg.idle > 0 {
				c.mu.Lock()
				c.lastRead = c.readAt
				c.mu.Unlock()
			}
		}
		if end := c.consume(c.rbuf[:n], err); end != loopGoOn {
			return end
		}
	}
}

// consume handles what one Read returned: b, then err.
func (c *conn) consume(b []byte, err error) loopEnd {
	if len(b) > 0 {
		switch c.feed(b, err) {
		case feedHijacked:
			return loopHijacked
		case feedHandedOff:
			return loopHandedOff
		case feedStop:
			if err != nil && !errors.Is(err, io.EOF) && !isTimeout(err) {
				c.abort(err)
			}
			return loopGoOn
		}
		if c.spawned && c.cur == nil {
			// Handler goroutines were started and no request is half
			// read: the next read would most likely find nothing. Let
			// the handlers (next in this P's run queue) run first, so
			// that their responses do not wait behind that read.
			c.spawned = false
			runtime.Gosched()
		}
	}
	if err != nil && !c.readError(err) {
		return loopClosed
	}
	return loopGoOn
}

// linger reads and discards what the client still sends after the last
// response, until EOF, the linger deadline, or lingerMaxBytes.
func (c *conn) linger() {
	for total := 0; total < lingerMaxBytes; {
		n, err := c.rwc.Read(c.rbuf)
		total += n
		if err != nil {
			return
		}
	}
}

type feedResult uint8

const (
	feedMore      feedResult = iota // keep reading
	feedStop                        // read no more requests
	feedHijacked                    // a hook owns the connection
	feedHandedOff                   // another goroutine is the reader now
)

// feed parses b, which arrived at c.readAt; readErr is what the Read that
// returned b returned, for a successor reader. The responses of inline
// handlers are written as feed returns, in one write.
func (c *conn) feed(b []byte, readErr error) feedResult {
	r := c.feedLoop(b, readErr)
	if r == feedHandedOff {
		return r
	}
	c.endInline()
	c.writePending()
	return r
}

// runPendingInline runs the handler of the request the parser paused
// after, if it is to run inline; it reports whether this goroutine is still
// the reader.
func (c *conn) runPendingInline(rest []byte, readErr error) bool {
	ex := c.inline
	if ex == nil {
		return true
	}
	c.inline = nil
	return c.runInline(ex, rest, readErr)
}

// writePending writes the responses inline handlers left in the output.
func (c *conn) writePending() {
	if !c.pendingWrite {
		return
	}
	c.pendingWrite = false
	c.mu.Lock()
	c.pumpLocked()
	c.mu.Unlock()
}

func (c *conn) feedLoop(b []byte, readErr error) feedResult {
	for {
		n, err := c.p.Execute(b)
		if err == nil {
			c.base += int64(len(b))
			return feedMore
		}
		pe, ok := err.(*parser.Error)
		if !ok {
			c.requestFailed(err, 400)
			return feedStop
		}
		switch pe.Code {
		case parser.ErrPaused:
			c.p.Resume()
			c.base += int64(n)
			b = b[n:]
			if !c.runPendingInline(b, readErr) {
				return feedHandedOff
			}
			if c.stopAfter {
				return feedStop
			}
			if c.waitRoom {
				c.endInline()
				c.writePending()
				if !c.waitForRoom() {
					return feedStop
				}
				c.readAt = time.Now()
				c.beginMessage()
			}
		case parser.ErrPausedUpgrade:
			if c.hook == nil {
				// An Upgrade the server ignored (RFC 9110 §7.8): the
				// bytes after the request are the next request.
				c.p.ResumeAfterUpgrade()
				c.base += int64(n)
				b = b[n:]
				if !c.runPendingInline(b, readErr) {
					return feedHandedOff
				}
				continue
			}
			c.endInline()
			c.writePending()
			return c.hijack(b[n:])
		default:
			c.parseError(pe, b)
			return feedStop
		}
	}
}

// waitForRoom blocks until the connection has room for another request;
// it returns false if the connection is closing instead.
func (c *conn) waitForRoom() bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	for c.fullLocked() && !c.closed && !c.writeDone {
		c.readerCond.Wait()
	}
	c.waitRoom = false
	return !c.closed && !c.writeDone
}

// fullLocked reports whether back-pressure stops the reader: buffered
// output at the high-water mark, or the pipeline limit reached.
func (c *conn) fullLocked() bool {
	return (c.cfg.highWater > 0 && c.outBytes >= c.cfg.highWater) ||
		(c.cfg.pipelineLimit > 0 && c.qlenLocked() >= c.cfg.pipelineLimit)
}

// readError handles a failed Read; it returns true to read again.
func (c *conn) readError(err error) bool {
	switch {
	case errors.Is(err, io.EOF):
		c.onEOF()
		return true
	case isTimeout(err):
		return c.onDeadline()
	}
	c.abort(err)
	return false
}

func isTimeout(err error) bool {
	var ne net.Error
	return errors.As(err, &ne) && ne.Timeout()
}

// onEOF handles the client's half-close.
func (c *conn) onEOF() {
	if c.cur != nil {
		// In the middle of a request: a body that runs to EOF ends
		// here; anything else was cut short.
		if err := c.p.Finish(); err != nil {
			c.requestFailed(errors.Join(ErrUnexpectedEOF, err), 400)
			return
		}
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	c.stopRead = true
	if c.srv.CloseOnHalfClose {
		c.closeLocked()
		return
	}
	c.drainClose = true
	c.checkDoneLocked()
}

// onDeadline handles an expired read deadline; it returns true when the
// deadline was stale (the connection's state moved on) and reading goes on.
func (c *conn) onDeadline() bool {
	now := time.Now()
	c.mu.Lock()
	var kind TimeoutKind
	switch {
	case c.inRequest && !c.headDone && c.cfg.headersTimeout > 0 && !now.Before(c.reqBegin.Add(c.cfg.headersTimeout)):
		kind = TimeoutHeaders
	case c.inRequest && c.cfg.requestTimeout > 0 && !now.Before(c.reqBegin.Add(c.cfg.requestTimeout)):
		kind = TimeoutRequest
	case c.idleLocked() && c.keepAliveLocked() > 0 && !now.Before(c.idleSince.Add(c.keepAliveLocked())):
		kind = TimeoutKeepAlive
	case c.cfg.idle > 0 && !now.Before(later(c.lastRead, c.lastWrite).Add(c.cfg.idle)):
		kind = TimeoutIdle
	}
	if kind == 0 {
		// An early deadline (see setReadDeadlineLocked): replace it.
		c.deadline = c.nextDeadlineLocked()
		c.rwc.SetReadDeadline(c.deadline)
		c.mu.Unlock()
		return true
	}
	c.mu.Unlock()
	if c.srv.OnTimeout != nil {
		c.srv.OnTimeout(c.rwc, kind)
	}
	switch kind {
	case TimeoutHeaders:
		c.requestFailed(ErrHeadersTimeout, 408)
		return true
	case TimeoutRequest:
		c.requestFailed(ErrRequestTimeout, 408)
		return true
	}
	c.abort(nil)
	return false
}

func later(a, b time.Time) time.Time {
	if a.After(b) {
		return a
	}
	return b
}

// keepAliveLocked is the idle limit before the next request: the headers
// timeout before the first request, the keep-alive timeout after.
func (c *conn) keepAliveLocked() time.Duration {
	if c.state == StateNew {
		return c.cfg.headersTimeout
	}
	return c.cfg.keepAlive
}

// nextDeadlineLocked computes the read deadline for the current state;
// zero means none.
func (c *conn) nextDeadlineLocked() time.Time {
	var d time.Time
	earliest := func(t time.Time) {
		if d.IsZero() || t.Before(d) {
			d = t
		}
	}
	switch {
	case c.inRequest:
		if !c.headDone && c.cfg.headersTimeout > 0 {
			earliest(c.reqBegin.Add(c.cfg.headersTimeout))
		}
		if c.cfg.requestTimeout > 0 {
			earliest(c.reqBegin.Add(c.cfg.requestTimeout))
		}
	case c.idleLocked():
		if ka := c.keepAliveLocked(); ka > 0 {
			earliest(c.idleSince.Add(ka))
		}
	}
	if c.cfg.idle > 0 {
		earliest(later(c.lastRead, c.lastWrite).Add(c.cfg.idle))
	}
	return d
}

// setReadDeadlineLocked makes the socket's read deadline no later than d
// (zero: none). A deadline already set that is earlier is kept: when it
// fires, onDeadline finds nothing expired and sets the right one. So the
// deadline moves only about once per keep-alive period, not twice per
// request.
func (c *conn) setReadDeadlineLocked(d time.Time) {
	if d.IsZero() || (!c.deadline.IsZero() && !c.deadline.After(d)) {
		return
	}
	c.deadline = d
	c.rwc.SetReadDeadline(d)
}

// idleLocked reports whether nothing is queued, being written, or being
// read.
func (c *conn) idleLocked() bool {
	return !c.inRequest && c.qlenLocked() == 0 && !c.writing && len(c.wbuf) == 0
}

func (c *conn) setStateLocked(s ConnState) {
	if c.state == s && s != StateNew {
		return
	}
	c.state = s
	if c.srv.OnConnState != nil {
		c.srv.OnConnState(c.rwc, s)
	}
}

// hijack hands the connection to OnConnect or OnUpgrade once every earlier
// response is written. head is the rest of the read buffer.
func (c *conn) hijack(rest []byte) feedResult {
	ex := c.hook
	c.hook = nil
	head := append([]byte(nil), rest...)
	c.mu.Lock()
	c.stopRead = true
	for !c.closed && !c.writeDone && !(c.qlenLocked() == 0 && !c.writing && len(c.wbuf) == 0) {
		c.readerCond.Wait()
	}
	if c.closed || c.writeDone {
		c.mu.Unlock()
		return feedStop
	}
	hook := c.srv.OnUpgrade
	if ex.req.Method == "CONNECT" {
		hook = c.srv.OnConnect
	}
	if hook == nil {
		// CONNECT without OnConnect: close without an answer, as Node.
		c.closeLocked()
		c.mu.Unlock()
		return feedStop
	}
	c.hijacked = true
	c.setStateLocked(StateHijacked)
	c.rwc.SetDeadline(time.Time{})
	c.mu.Unlock()
	ex.req.ctx = c.srv.hookContext()
	// Deferred, so that a hook that ends its goroutine with
	// runtime.Goexit still lets Shutdown and ServeConn return.
	defer c.finish(true)
	hook(&ex.req, c.rwc, head)
	return feedHijacked
}

// shutdown begins a graceful close: idle connections close now, busy ones
// once their queued responses are written.
func (c *conn) shutdown() {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.shutting = true
	c.shutFlag.Store(true)
	if c.hijacked {
		return
	}
	if c.idleLocked() {
		c.closeLocked()
		return
	}
	c.checkDoneLocked()
}

// abort closes the connection at once.
func (c *conn) abort(error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.closeLocked()
}

// closeLocked closes the socket and wakes every waiter.
func (c *conn) closeLocked() {
	if c.closed {
		return
	}
	c.closed = true
	c.rwc.Close()
	c.cancel()
	c.readerCond.Broadcast()
	c.bodyCond.Broadcast()
	c.outCond.Broadcast()
}

// hookContext is the context of requests given to OnConnect and OnUpgrade:
// cancelled by Close.
func (s *Server) hookContext() context.Context {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.baseLocked()
}
