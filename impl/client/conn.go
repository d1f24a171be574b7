package client

import (
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"strconv"
	"strings"
	"time"

	"github.com/conformhttp/conform/impl/parser"
)

// readBufSize is the size of a socket's read buffer. The parser keeps
// spans across reads, so the buffer never grows.
const readBufSize = 4096

// connState is where a socket is in its Agent.
type connState uint8

const (
	stDialing connState = iota // reserved; being dialed (counts as in use)
	stActive                   // in use by a request (Node: agent.sockets)
	stIdle                     // in the free list (Node: agent.freeSockets)
	stClosed                   // destroyed or detached
)

// aLongTimeAgo is a deadline in the past, used to interrupt a blocked Read.
var aLongTimeAgo = time.Unix(1, 0)

// watchResult is what an idle socket's watcher read.
type watchResult struct {
	n   int
	err error
}

// pconn is one socket of an Agent with its reading machinery. Fields are
// grouped by owner.
type pconn struct {
	agent *Agent
	kp    *keyPool
	conn  net.Conn // set once dialed; then read-only

	// Guarded by agent.mu.
	state       connState
	idleAt      time.Time // when it entered the free list
	watchTaken  bool      // a taker waits on watchCh for the watcher's result
	watching    bool      // a watcher goroutine reads the free socket
	idleTimer   *time.Timer
	timerArmed  bool          // idleTimer is armed (or firing): its watchers.Add is not yet balanced
	freeTimeout time.Duration // from the server's Keep-Alive hint
	idleTimeout time.Duration // free-socket timeout in force

	// watchCh carries the idle watcher's result to the request that took
	// the socket from the free list. Buffered; written by the watcher,
	// read by the taker.
	watchCh chan watchResult

	// Owned by the goroutine driving the request that holds the socket
	// (state stActive); the idle watcher uses rbuf only while the socket is
	// free and the buffer empty.
	p       parser.Parser
	cb      parser.Callbacks
	rbuf    [readBufSize]byte
	r, w    int // unparsed bytes are rbuf[r:w]
	wbuf    []byte
	fields  fieldCollector
	reason  []byte
	cur     *ClientRequest // request using the socket
	timeout time.Duration  // idle timeout for reads and writes; 0: none
	// contDeadline, when not zero, bounds the read that waits for 100
	// (Continue).
	contDeadline time.Time
	deadlineSet  bool // a deadline may be set on conn
	gotByte      bool // a byte of the current response arrived
	headDone     bool // the final response's head was parsed
	msgDone      bool // the final response ended
	upgrade      bool // the final response switches protocols
	got100       bool // a 100 (Continue) arrived
	waitCont     bool // readHead stops after a 100
	eof          bool // conn.Read failed; readErr says how
	readErr      error
	dst          []byte // body bytes go here during Execute
	dn           int
	spill        []byte // body bytes that did not fit in dst
}

func newPconn(a *Agent, kp *keyPool) *pconn {
	pc := &pconn{agent: a, kp: kp, watchCh: make(chan watchResult, 1)}
	pc.cb = parser.Callbacks{
		OnMessageBegin:    pc.onMessageBegin,
		OnStatus:          pc.onStatus,
		OnHeaderField:     pc.onHeaderField,
		OnHeaderValue:     pc.onHeaderValue,
		OnHeadersComplete: pc.onHeadersComplete,
		OnBody:            pc.onBody,
		OnMessageComplete: pc.onMessageComplete,
	}
	pc.p.Init(parser.Config{Type: parser.Response, Lenient: a.opts.Lenient, MaxHeaderSize: a.opts.MaxHeaderSize}, &pc.cb)
	return pc
}

// begin prepares the socket for cr.
func (pc *pconn) begin(cr *ClientRequest, timeout time.Duration) {
	pc.cur = cr
	pc.timeout = timeout
	pc.contDeadline = time.Time{}
	pc.gotByte, pc.headDone, pc.msgDone, pc.upgrade = false, false, false, false
	pc.got100, pc.waitCont, pc.eof, pc.readErr = false, false, false, nil
	pc.fields.reset()
	pc.spill = pc.spill[:0]
	pc.wbuf = pc.wbuf[:0]
	pc.p.Reset()
	if pc.deadlineSet && timeout == 0 {
		// The previous request's timeout must not outlive it (Node resets
		// the socket's timeout when the response ends).
		pc.conn.SetDeadline(time.Time{})
		pc.deadlineSet = false
	}
}

// Parser callbacks. They run inside Execute or Finish, on the goroutine
// that owns the socket.

func (pc *pconn) onMessageBegin(*parser.Parser) error {
	pc.fields.reset()
	pc.reason = pc.reason[:0]
	return nil
}

func (pc *pconn) onStatus(_ *parser.Parser, b []byte) error {
	pc.reason = append(pc.reason, b...)
	return nil
}

func (pc *pconn) onHeaderField(_ *parser.Parser, b []byte) error {
	pc.fields.name(b)
	return nil
}

func (pc *pconn) onHeaderValue(_ *parser.Parser, b []byte) error {
	pc.fields.value(b)
	return nil
}

func (pc *pconn) onHeadersComplete(p *parser.Parser) (parser.HeadersDecision, error) {
	cr := pc.cur
	if pc.headDone {
		// Cannot happen while the parser pauses after each final
		// response; kept as the seed's "server sent multiple responses".
		return parser.Proceed, ErrExtraResponse
	}
	status := p.StatusCode()
	major, minor := p.Version()
	if status < 200 && status != 101 {
		info := Information{Status: status, Reason: string(pc.reason), Major: major, Minor: minor, Header: pc.fields.header()}
		if status == 100 {
			pc.got100 = true
			if t := cr.req.Trace; t != nil && t.Got100Continue != nil {
				t.Got100Continue()
			}
		}
		if cr.req.OnInformation != nil {
			cr.req.OnInformation(info)
		}
		return parser.Proceed, nil
	}
	pc.headDone = true
	res := &cr.resp
	res.Status = status
	res.Reason = reasonString(pc.reason)
	res.Major, res.Minor = major, minor
	res.Header = pc.fields.header()
	res.KeepAlive = p.ShouldKeepAlive()
	switch {
	case cr.method == "CONNECT" && status/100 == 2:
		// RFC 9110 §9.3.6: a 2xx makes the connection a tunnel at the end
		// of the head; RFC 9112 §6.3 rule 2: such a response has no body.
		pc.upgrade = true
		return parser.SkipBodyUpgrade, nil
	case status == 101:
		pc.upgrade = true
		return parser.Proceed, nil
	}
	// Pause so that Response can return at the end of the head; the body
	// is parsed as the caller reads it.
	p.Pause()
	if cr.method == "HEAD" {
		return parser.SkipBody, nil
	}
	return parser.Proceed, nil
}

// reasonString returns the reason phrase, without allocating for the
// common ones.
func reasonString(b []byte) string {
	switch string(b) {
	case "OK":
		return "OK"
	case "No Content":
		return "No Content"
	case "Not Modified":
		return "Not Modified"
	case "Not Found":
		return "Not Found"
	}
	return string(b)
}

func (pc *pconn) onBody(_ *parser.Parser, b []byte) error {
	n := copy(pc.dst[pc.dn:], b)
	pc.dn += n
	if n < len(b) {
		pc.spill = append(pc.spill, b[n:]...)
	}
	return nil
}

func (pc *pconn) onMessageComplete(p *parser.Parser) error {
	if !pc.headDone {
		// An interim response ended.
		if pc.waitCont && pc.got100 {
			p.Pause()
		}
		return nil
	}
	pc.msgDone = true
	pc.cur.resp.Trailer = pc.fields.header()
	if !pc.upgrade {
		// Stop at the end of the response so that anything after it is
		// seen as extra data rather than parsed.
		p.Pause()
	}
	return nil
}

// execute parses buffered bytes, at most limit of them when limit > 0.
func (pc *pconn) execute(limit int) error {
	end := pc.w
	if limit > 0 && pc.r+limit < end {
		end = pc.r + limit
	}
	n, err := pc.p.Execute(pc.rbuf[pc.r:end])
	pc.r += n
	if err == nil {
		return nil
	}
	if pe, ok := err.(*parser.Error); ok {
		switch pe.Code {
		case parser.ErrPaused:
			pc.p.Resume()
			return nil
		case parser.ErrPausedUpgrade:
			if pc.upgrade && pc.msgDone {
				return nil
			}
		}
	}
	return pc.parseErr(err)
}

// settle runs the parser on no input, which completes a message whose
// end is already known (no body) without waiting for more bytes.
func (pc *pconn) settle() error {
	_, err := pc.p.Execute(pc.rbuf[pc.r:pc.r])
	if err == nil {
		return nil
	}
	if pe, ok := err.(*parser.Error); ok && pe.Code == parser.ErrPaused {
		pc.p.Resume()
		return nil
	}
	return pc.parseErr(err)
}

func (pc *pconn) parseErr(err error) error {
	return fmt.Errorf("client: response from %s: %w", pc.kp.name, err)
}

// setReadDeadline arms the read deadline for one read: the idle timeout,
// or the 100-continue deadline if sooner.
func (pc *pconn) setReadDeadline() {
	var dl time.Time
	if pc.timeout > 0 {
		dl = time.Now().Add(pc.timeout)
	}
	if !pc.contDeadline.IsZero() && (dl.IsZero() || pc.contDeadline.Before(dl)) {
		dl = pc.contDeadline
	}
	if !dl.IsZero() || pc.deadlineSet {
		pc.conn.SetReadDeadline(dl)
		pc.deadlineSet = !dl.IsZero()
	}
}

// fill reads more bytes. It sets eof and readErr when the read fails.
func (pc *pconn) fill() error {
	if pc.r == pc.w {
		pc.r, pc.w = 0, 0
	} else if pc.w == len(pc.rbuf) {
		pc.w = copy(pc.rbuf[:], pc.rbuf[pc.r:pc.w])
		pc.r = 0
	}
	pc.setReadDeadline()
	if err := pc.cur.checkCancel(); err != nil {
		return err
	}
	n, err := pc.conn.Read(pc.rbuf[pc.w:])
	if n > 0 {
		if !pc.gotByte {
			pc.gotByte = true
			if t := pc.cur.req.Trace; t != nil && t.GotFirstResponseByte != nil {
				t.GotFirstResponseByte()
			}
		}
		pc.w += n
	}
	if err != nil {
		if isTimeout(err) && !pc.cur.cancelled.Load() && !pc.contDeadline.IsZero() && !time.Now().Before(pc.contDeadline) {
			return errContinueTimeout
		}
		pc.eof, pc.readErr = true, err
	}
	return nil
}

// errContinueTimeout is fill's report that the 100-continue wait is over.
var errContinueTimeout = errors.New("client: no 100 (Continue) in time")

// readErrorf turns the read failure into the error a caller sees.
func (pc *pconn) readError() error {
	err := pc.readErr
	if cerr := pc.cur.checkCancel(); cerr != nil {
		return cerr
	}
	if isTimeout(err) {
		return fmt.Errorf("%w: no response bytes from %s for %v", ErrTimeout, pc.kp.name, pc.timeout)
	}
	if err == io.EOF {
		return fmt.Errorf("%w (%s)", ErrConnClosed, pc.kp.name)
	}
	return fmt.Errorf("%w (%s): %w", ErrConnClosed, pc.kp.name, err)
}

// readHead reads until the final response's head has been parsed, or
// with waitCont until a 100 (Continue) too.
func (pc *pconn) readHead() error {
	for {
		if pc.headDone || (pc.waitCont && pc.got100) {
			return nil
		}
		if pc.r < pc.w {
			if err := pc.execute(0); err != nil {
				return err
			}
			continue
		}
		if pc.eof {
			if pc.readErr == io.EOF {
				if err := pc.p.Finish(); err != nil {
					return pc.parseErr(err)
				}
				if pc.headDone {
					continue
				}
			}
			return pc.readError()
		}
		if err := pc.fill(); err != nil {
			return err
		}
	}
}

// readBody reads body bytes into p; io.EOF at the end of the response.
func (pc *pconn) readBody(p []byte) (int, error) {
	if len(pc.spill) > 0 {
		n := copy(p, pc.spill)
		pc.spill = pc.spill[:copy(pc.spill, pc.spill[n:])]
		return n, nil
	}
	for {
		if pc.msgDone {
			return 0, io.EOF
		}
		if pc.r < pc.w {
			pc.dst, pc.dn = p, 0
			err := pc.execute(len(p))
			n := pc.dn
			pc.dst, pc.dn = nil, 0
			if err != nil {
				return n, err
			}
			if n > 0 {
				if pc.msgDone {
					return n, io.EOF
				}
				return n, nil
			}
			continue
		}
		if pc.eof {
			if pc.readErr == io.EOF {
				pc.dst, pc.dn = p, 0
				err := pc.p.Finish()
				n := pc.dn
				pc.dst, pc.dn = nil, 0
				if err != nil {
					return n, fmt.Errorf("%w: %w", ErrConnClosed, pc.parseErr(err))
				}
				if pc.msgDone {
					return n, io.EOF
				}
			}
			return 0, pc.readError()
		}
		if err := pc.fill(); err != nil {
			return 0, err
		}
	}
}

// write sends b, with the idle timeout as write deadline.
func (pc *pconn) write(b []byte) error {
	if pc.timeout > 0 {
		pc.conn.SetWriteDeadline(time.Now().Add(pc.timeout))
		pc.deadlineSet = true
	}
	if err := pc.cur.checkCancel(); err != nil {
		return err
	}
	_, err := pc.conn.Write(b)
	if err == nil {
		return nil
	}
	if cerr := pc.cur.checkCancel(); cerr != nil {
		return cerr
	}
	if isTimeout(err) {
		return fmt.Errorf("%w: writing to %s blocked for %v", ErrTimeout, pc.kp.name, pc.timeout)
	}
	return fmt.Errorf("%w (%s): writing: %w", ErrConnClosed, pc.kp.name, err)
}

// startWatch runs when the idle timer fires. If the socket has been free
// for watchDelay and nobody watches it yet, it watches it; if it was taken
// and put back since the timer was armed, it waits for the rest of
// watchDelay. Each run balances one watchers.Add of armIdleTimerLocked,
// or hands it on to the next run (or a Stop that prevented it does).
func (pc *pconn) startWatch() {
	a := pc.agent
	a.mu.Lock()
	pc.timerArmed = false
	if pc.state != stIdle || pc.watching {
		a.mu.Unlock()
		a.watchers.Done()
		return
	}
	if wait := a.watchDelay - time.Since(pc.idleAt); wait > 0 {
		pc.timerArmed = true
		pc.idleTimer.Reset(wait)
		a.mu.Unlock()
		return
	}
	pc.watching = true
	var dl time.Time
	if pc.idleTimeout > 0 {
		dl = pc.idleAt.Add(pc.idleTimeout)
	}
	// Set under mu, so a taker's interrupting deadline comes later.
	pc.conn.SetReadDeadline(dl)
	pc.deadlineSet = true
	a.mu.Unlock()
	pc.watch()
}

// watch runs while the socket is free: a blocked Read that notices the
// server closing, unsolicited bytes, and the free-socket timeout.
func (pc *pconn) watch() {
	a := pc.agent
	defer a.watchers.Done()
	n, err := pc.conn.Read(pc.rbuf[:])
	a.mu.Lock()
	pc.watching = false
	switch {
	case pc.watchTaken:
		a.mu.Unlock()
		pc.watchCh <- watchResult{n, err}
		return
	case pc.state == stIdle:
		// Closed by the server, data nobody asked for, or idle too long:
		// Node destroys the socket and the agent forgets it.
		a.destroyLocked(pc, true)
	}
	a.mu.Unlock()
}

// unwatch stops the watcher of a socket just taken from the free list and
// reports whether the socket is still usable.
func (pc *pconn) unwatch() bool {
	pc.conn.SetReadDeadline(aLongTimeAgo)
	res := <-pc.watchCh
	pc.watchTaken = false
	if res.n > 0 || (res.err != nil && !isTimeout(res.err)) {
		return false
	}
	pc.conn.SetReadDeadline(time.Time{})
	pc.deadlineSet = false
	return true
}

func isTimeout(err error) bool {
	if errors.Is(err, os.ErrDeadlineExceeded) {
		return true
	}
	var ne net.Error
	return errors.As(err, &ne) && ne.Timeout()
}

// keepAliveHint reads the server's "Keep-Alive: timeout=N" (RFC 2068
// §19.7.1.1, still sent by many servers) and returns how long the socket
// may stay free: N seconds less one, as Node does so that a request is
// not sent just as the server closes. ok is false when the hint leaves no
// time at all; d is zero when there is no hint.
func keepAliveHint(h Header) (d time.Duration, ok bool) {
	v := h.Get("Keep-Alive")
	if v == "" {
		return 0, true
	}
	for part := range strings.SplitSeq(v, ",") {
		name, val, found := strings.Cut(strings.TrimSpace(part), "=")
		if !found || !strings.EqualFold(strings.TrimSpace(name), "timeout") {
			continue
		}
		n, err := strconv.Atoi(strings.TrimSpace(val))
		if err != nil || n < 0 {
			return 0, true
		}
		if n <= 1 {
			return 0, false
		}
		return time.Duration(n-1) * time.Second, true
	}
	return 0, true
}

// drainBuffered parses the rest of the body from bytes already read,
// without reading more, and reports whether the response ended.
func (pc *pconn) drainBuffered() bool {
	var scratch [512]byte
	for !pc.msgDone && pc.r < pc.w {
		pc.spill = pc.spill[:0]
		pc.dst, pc.dn = scratch[:], 0
		err := pc.execute(len(scratch))
		pc.dst, pc.dn = nil, 0
		if err != nil {
			return false
		}
	}
	pc.spill = pc.spill[:0]
	return pc.msgDone
}
