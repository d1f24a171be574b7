package client

import (
	"context"
	"errors"
	"fmt"
	"io"
	"slices"
	"strconv"
	"sync/atomic"
	"time"
)

// flushAt is how much request data is gathered before it is written;
// End writes the rest, so a small request goes out in one write.
const flushAt = 8192

// continue states of a request with "Expect: 100-continue".
const (
	contNone    uint8 = iota // no 100-continue wait
	contWaiting              // head to be sent; body waits for 100
	contGo                   // 100 arrived or the wait timed out
	contRefused              // a final response came first; no body
)

// ClientRequest is one request in flight, as Node's ClientRequest: it has
// a socket and a head ready to go; the caller writes the body with Write
// (or WriteRaw), finishes it with End, then reads the answer with
// Response and its Body. Abort gives up at any point.
//
// A ClientRequest is used by one goroutine at a time. Until its response
// body has been read to the end or closed (or Abort called), it holds its
// socket.
type ClientRequest struct {
	agent  *Agent
	req    *Request
	ctx    context.Context
	t      target
	method string
	info   connInfo
	hi     headInfo

	pc       *pconn // nil once the socket is released
	written  int64  // body bytes written (without framing)
	headSent bool
	ended    bool
	cont     uint8
	gotByte  bool  // a response byte had arrived when the socket went
	writeErr error // the socket failed while writing
	failed   error // the request failed; the socket is gone
	gotResp  bool
	resp     Response

	cancelled  atomic.Bool // set by the context hook
	stopCancel func() bool
	cancelDone chan struct{}
}

// Start gets a socket for r (waiting in its key's queue if the limits
// are reached) and prepares the head, as http.request does. Nothing is
// sent until Write, End or Response; r.Body is ignored. ctx bounds the
// wait and every later step of the request, including reading the body.
func (a *Agent) Start(ctx context.Context, r *Request) (*ClientRequest, error) {
	return a.start(ctx, r, false)
}

func (a *Agent) start(ctx context.Context, r *Request, fresh bool) (*ClientRequest, error) {
	if ctx.Err() != nil {
		return nil, fmt.Errorf("client: request not sent: %w", context.Cause(ctx))
	}
	cr := &ClientRequest{agent: a, req: r, ctx: ctx}
	t, err := r.parseTarget()
	if err != nil {
		return nil, err
	}
	cr.t = t
	cr.method = r.method()
	if r.Raw == nil {
		hasBody := r.Body != nil || r.ContentLength != 0
		cr.hi, err = r.prepareHead(&cr.t, cr.method, r.ContentLength, hasBody, a.sendKeepAlive)
		if err != nil {
			return nil, err
		}
	}
	var nb [128]byte
	name := cr.t.appendName(nb[:0])
	tr := r.Trace
	if tr != nil && tr.GetConn != nil {
		tr.GetConn(string(name))
	}
	pc, info, err := a.acquire(ctx, &cr.t, name, fresh, tr)
	if err != nil {
		return nil, err
	}
	cr.pc, cr.info = pc, info
	if tr != nil && tr.GotConn != nil {
		tr.GotConn(GotConnInfo{Conn: pc.conn, Reused: info.reused, WasIdle: info.wasIdle, IdleTime: info.idle})
	}
	timeout := r.Timeout
	if timeout == 0 {
		timeout = a.opts.Timeout
	}
	pc.begin(cr, max(timeout, 0))
	if ctx.Done() != nil {
		conn := pc.conn
		cr.cancelDone = make(chan struct{})
		cr.stopCancel = context.AfterFunc(ctx, func() {
			cr.cancelled.Store(true)
			conn.SetDeadline(aLongTimeAgo)
			close(cr.cancelDone)
		})
	}
	if r.Raw != nil {
		pc.wbuf = append(pc.wbuf, r.Raw...)
	} else {
		pc.wbuf = r.writeHead(pc.wbuf, &cr.t, cr.method, cr.hi, a.sendKeepAlive)
		if cr.hi.expect {
			cr.cont = contWaiting
		}
	}
	return cr, nil
}

// checkCancel returns the context's error once the context hook fired.
func (cr *ClientRequest) checkCancel() error {
	if cr.cancelled.Load() {
		return fmt.Errorf("client: request to %s canceled: %w", cr.t.hostHeader, context.Cause(cr.ctx))
	}
	return nil
}

func (cr *ClientRequest) stopWatchingCancel() {
	if cr.stopCancel == nil {
		return
	}
	if !cr.stopCancel() {
		<-cr.cancelDone
	}
	cr.stopCancel = nil
}

// writable reports why no more body may be written, if so.
func (cr *ClientRequest) writable() error {
	switch {
	case cr.failed != nil:
		return cr.failed
	case cr.pc == nil || cr.gotResp:
		return fmt.Errorf("%w: the request is over", ErrRequestState)
	case cr.ended:
		return fmt.Errorf("%w: the request was already ended", ErrRequestState)
	case cr.writeErr != nil:
		return cr.writeErr
	case cr.cont == contRefused:
		return ErrBodyNotSent
	}
	return nil
}

// Write sends body data, framed as the head declared: as a chunk when
// the body is chunked; counted against Content-Length otherwise (more
// than declared is ErrBodyLength, and nothing is sent). With "Expect:
// 100-continue" the first Write sends the head and waits for 100
// (Continue) or the continue timeout; if the server answers with a
// final status instead, Write returns ErrBodyNotSent and Response
// returns that answer.
func (cr *ClientRequest) Write(p []byte) (int, error) {
	if err := cr.writable(); err != nil {
		return 0, err
	}
	if cr.cont == contWaiting {
		if err := cr.awaitContinue(); err != nil {
			return 0, err
		}
	}
	if len(p) == 0 {
		return 0, nil
	}
	pc := cr.pc
	if cr.hi.chunked {
		pc.wbuf = strconv.AppendUint(pc.wbuf, uint64(len(p)), 16)
		pc.wbuf = append(pc.wbuf, "\r\n"...)
		if err := cr.send(p); err != nil {
			return 0, err
		}
		pc.wbuf = append(pc.wbuf, "\r\n"...)
	} else {
		if cr.written+int64(len(p)) > cr.hi.length {
			return 0, fmt.Errorf("%w: %d more bytes after %d of a %d-byte body", ErrBodyLength, len(p), cr.written, cr.hi.length)
		}
		if err := cr.send(p); err != nil {
			return 0, err
		}
	}
	cr.written += int64(len(p))
	if len(pc.wbuf) >= flushAt {
		if err := cr.flush(); err != nil {
			return len(p), err
		}
	}
	return len(p), nil
}

// WriteRaw sends p exactly as given, without framing or counting: the way
// to send a body that lies about its length, a malformed chunk, or a
// second request on purpose. It does not wait for 100 (Continue).
func (cr *ClientRequest) WriteRaw(p []byte) (int, error) {
	if err := cr.writable(); err != nil {
		return 0, err
	}
	if err := cr.send(p); err != nil {
		return 0, err
	}
	if len(cr.pc.wbuf) >= flushAt {
		if err := cr.flush(); err != nil {
			return len(p), err
		}
	}
	return len(p), nil
}

// send queues p, writing large slices straight through.
func (cr *ClientRequest) send(p []byte) error {
	pc := cr.pc
	if len(p) < flushAt {
		pc.wbuf = append(pc.wbuf, p...)
		return nil
	}
	if err := cr.flush(); err != nil {
		return err
	}
	if err := pc.write(p); err != nil {
		cr.writeErr = err
		return err
	}
	return nil
}

// flush writes the queued bytes.
func (cr *ClientRequest) flush() error {
	pc := cr.pc
	if len(pc.wbuf) == 0 {
		return nil
	}
	err := pc.write(pc.wbuf)
	pc.wbuf = pc.wbuf[:0]
	if !cr.headSent {
		cr.headSent = true
		if t := cr.req.Trace; t != nil && t.WroteHeaders != nil {
			t.WroteHeaders()
		}
	}
	if err != nil {
		cr.writeErr = err
	}
	return err
}

// awaitContinue sends the head and waits for 100 (Continue), a final
// response, or the continue timeout (RFC 9110 §10.1.1).
func (cr *ClientRequest) awaitContinue() error {
	pc := cr.pc
	if err := cr.flush(); err != nil {
		return err
	}
	ct := cr.req.ContinueTimeout
	if ct == 0 {
		ct = DefaultContinueTimeout
	}
	if ct > 0 {
		pc.contDeadline = time.Now().Add(ct)
	}
	pc.waitCont = true
	err := pc.readHead()
	pc.waitCont = false
	pc.contDeadline = time.Time{}
	switch {
	case err == errContinueTimeout:
		cr.cont = contGo
	case err != nil:
		cr.abort(err)
		return err
	case pc.headDone:
		cr.cont = contRefused
		return ErrBodyNotSent
	default:
		cr.cont = contGo
	}
	return nil
}

// End finishes the body: for a chunked body the last chunk and trailer
// (which must be empty otherwise); for a Content-Length body it checks
// that all of it was written (else ErrBodyLength, and the request is
// aborted: the server would wait for the rest). Then everything queued is
// written.
func (cr *ClientRequest) End(trailer Header) error {
	if err := cr.writable(); err != nil {
		return err
	}
	if cr.cont == contWaiting && cr.hi.chunked {
		// An empty chunked body goes out without waiting; a server may
		// answer it either way.
		cr.cont = contGo
	}
	pc := cr.pc
	switch {
	case cr.hi.chunked:
		var err error
		if pc.wbuf, err = appendTrailer(pc.wbuf, trailer); err != nil {
			cr.abort(err)
			return err
		}
	case len(trailer) > 0:
		err := fmt.Errorf("%w: trailer fields need a chunked body", ErrInvalidRequest)
		cr.abort(err)
		return err
	case cr.written != cr.hi.length:
		err := fmt.Errorf("%w: %d bytes written of a %d-byte body", ErrBodyLength, cr.written, cr.hi.length)
		cr.abort(err)
		return err
	}
	cr.ended = true
	return cr.flush()
}

// Response reads the response head and returns the response; its Body
// streams the body. Interim responses go to Request.OnInformation first.
// Response must follow End, unless a write failed or the server refused
// the body (ErrBodyNotSent), in which case it reads whatever the server
// answered. After a 2xx to CONNECT or a 101, Response.Tunnel holds the
// connection, which no longer belongs to the Agent.
func (cr *ClientRequest) Response() (*Response, error) {
	if cr.gotResp {
		return &cr.resp, nil
	}
	if cr.failed != nil {
		return nil, cr.failed
	}
	pc := cr.pc
	if pc == nil {
		return nil, fmt.Errorf("%w: the request is over", ErrRequestState)
	}
	if !cr.ended && cr.writeErr == nil && cr.cont != contRefused {
		return nil, fmt.Errorf("%w: Response called before End", ErrRequestState)
	}
	err := pc.readHead()
	if err == nil && !pc.upgrade {
		// A response without body ends right after its head: let the
		// parser say so even when no byte follows.
		err = pc.settle()
	}
	if err != nil {
		cr.abort(err)
		return nil, err
	}
	cr.gotResp = true
	res := &cr.resp
	res.Request = cr.req
	res.body.cr = cr
	res.Body = &res.body
	if pc.upgrade {
		head := slices.Clone(pc.rbuf[pc.r:pc.w])
		res.Tunnel = &Tunnel{Conn: pc.conn, Head: head}
		cr.stopWatchingCancel()
		pc.conn.SetDeadline(time.Time{})
		cr.pc = nil
		res.body.done = true
		cr.agent.detach(pc)
		return res, nil
	}
	if pc.msgDone {
		res.body.done = true
		cr.finish()
	}
	return res, nil
}

// Abort destroys the request's socket, as Node's req.destroy(). Later
// calls fail. It is safe to call at any point, also after the response.
func (cr *ClientRequest) Abort() {
	cr.abort(fmt.Errorf("%w: aborted", ErrRequestState))
}

// abort fails the request with err and destroys its socket.
func (cr *ClientRequest) abort(err error) {
	if cr.failed == nil {
		cr.failed = err
	}
	if cr.pc != nil {
		cr.gotByte = cr.pc.gotByte
		cr.release(false, err, 0)
	}
}

// finish hands the socket back after the response ended.
func (cr *ClientRequest) finish() {
	pc := cr.pc
	cr.stopWatchingCancel()
	keep, why := true, error(nil)
	var free time.Duration
	switch {
	case cr.cancelled.Load():
		keep, why = false, cr.checkCancel()
	case !pc.p.ShouldKeepAlive() || cr.hi.close:
		keep, why = false, ErrNotKeepAlive
	case !cr.ended || cr.writeErr != nil || cr.cont == contRefused:
		// The server answered before the whole request was sent; what it
		// will do with the rest is unknown.
		keep, why = false, ErrBodyNotSent
	case pc.eof:
		keep, why = false, ErrConnClosed
	case !onlyCRLF(pc.rbuf[pc.r:pc.w]) || len(pc.spill) > 0:
		keep, why = false, ErrExtraResponse
	default:
		var ok bool
		if free, ok = keepAliveHint(cr.resp.Header); !ok {
			keep, why = false, ErrKeepAliveHint
		}
	}
	pc.r, pc.w = 0, 0
	cr.gotByte = pc.gotByte
	cr.release(keep, why, free)
}

// onlyCRLF reports whether b holds nothing but line breaks, which some
// servers send after a response and which the parser would skip.
func onlyCRLF(b []byte) bool {
	for _, c := range b {
		if c != '\r' && c != '\n' {
			return false
		}
	}
	return true
}

func (cr *ClientRequest) release(keep bool, why error, free time.Duration) {
	pc := cr.pc
	cr.pc = nil
	cr.stopWatchingCancel()
	pc.cur = nil
	err := cr.agent.release(pc, keep, why, free)
	if t := cr.req.Trace; t != nil && t.PutIdleConn != nil {
		t.PutIdleConn(err)
	}
}

// Do sends r and returns the response, as http.request followed by
// req.end(body): it writes r.Body (framed by r.ContentLength), then
// r.Trailer, then reads the response head. The caller must read the
// response Body to the end or close it, which returns the socket to the
// Agent.
//
// Unlike Node, Do retries once: when a request fails on a reused socket
// before any byte of its response arrived (the server closed the idle
// connection as the request was sent), and the method is idempotent (RFC
// 9110 §9.2.2: GET, HEAD, OPTIONS, TRACE, PUT, DELETE), and the body can
// be sent again (no body, or r.GetBody set), it is sent again on a newly
// dialed socket (RFC 9112 §9.3.1 allows this). Node surfaces such
// failures as ECONNRESET "socket hang up" and leaves retrying to the
// caller. Raw requests are never retried.
func (a *Agent) Do(ctx context.Context, r *Request) (*Response, error) {
	if r.Body == nil && r.ContentLength > 0 && r.Raw == nil {
		return nil, fmt.Errorf("%w: ContentLength %d with a nil Body", ErrInvalidRequest, r.ContentLength)
	}
	body := r.Body
	fresh := false
	for {
		cr, err := a.start(ctx, r, fresh)
		if err != nil {
			return nil, err
		}
		res, err := cr.roundTrip(body, r.Trailer)
		if err == nil {
			return res, nil
		}
		if fresh || !cr.retryable(err) {
			return nil, err
		}
		if r.Body != nil {
			if r.GetBody == nil {
				return nil, err
			}
			var gerr error
			if body, gerr = r.GetBody(); gerr != nil {
				return nil, fmt.Errorf("client: GetBody for a retry after %w: %w", err, gerr)
			}
		}
		if t := r.Trace; t != nil && t.Retried != nil {
			t.Retried(err)
		}
		fresh = true
	}
}

// retryable reports whether Do may send the request again after err.
func (cr *ClientRequest) retryable(err error) bool {
	return cr.info.reused && !cr.gotByte && cr.req.Raw == nil && idempotent(cr.method) &&
		!cr.cancelled.Load() && errors.Is(err, ErrConnClosed)
}

// roundTrip writes body and trailer, ends the request and reads the
// response head.
func (cr *ClientRequest) roundTrip(body io.Reader, trailer Header) (*Response, error) {
	var werr error
	if body != nil {
		werr = cr.copyBody(body)
	}
	if werr == nil {
		werr = cr.End(trailer)
	}
	if werr != nil && cr.writeErr == nil && cr.failed == nil && !errors.Is(werr, ErrBodyNotSent) {
		// The failure is local (the body's reader): the request cannot
		// be completed.
		cr.abort(werr)
		return nil, werr
	}
	res, err := cr.Response()
	if err != nil {
		if werr != nil && !errors.Is(werr, ErrBodyNotSent) {
			return nil, werr
		}
		return nil, err
	}
	return res, nil
}

// copyBody writes everything body yields.
func (cr *ClientRequest) copyBody(body io.Reader) error {
	bp, _ := cr.agent.bufs.Get().(*[]byte)
	if bp == nil {
		b := make([]byte, 32*1024)
		bp = &b
	}
	defer cr.agent.bufs.Put(bp)
	buf := *bp
	for {
		n, rerr := body.Read(buf)
		if n > 0 {
			if _, err := cr.Write(buf[:n]); err != nil {
				return err
			}
		}
		if rerr == io.EOF {
			return nil
		}
		if rerr != nil {
			return fmt.Errorf("client: reading the request body: %w", rerr)
		}
	}
}
