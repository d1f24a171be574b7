package server

import (
	"fmt"
	"io"
	"runtime"
	"time"
)

type exchangeKind uint8

const (
	kindHandler exchangeKind = iota // answered by a handler
	kindHook                        // CONNECT or upgrade, for a hook
	kindServer                      // answered by the server (an error response)
)

// maxKeptBuffer bounds the buffers an exchange keeps for reuse.
const maxKeptBuffer = 64 << 10

// exchange is one request and its response. The reader creates it at the
// request's first byte, the handler goroutine answers, and the output
// queue sends the answer in order; it is reused once all three are done
// with it.
type exchange struct {
	c       *conn
	req     Request    // set by the reader before the handler starts, then the handler's (Trailer: see onMessageComplete)
	resp    response   // owned by the handler goroutine
	br      bodyReader // Request.Body
	run     func()     // starts the handler; built once so that "go ex.run()" does not allocate
	handler Handler    // set by the reader before the handler starts
	kind    exchangeKind
	noBody  bool // the request has no body; set by the reader before the handler starts
	inline  bool // the handler runs on the reader goroutine (inline.go); set by the reader

	// Guarded by c.mu.
	body           []byte // request body bytes received and not yet read
	bodyOff        int    // read position in body
	bodyDone       bool   // the whole body has been received
	bodyErr        error  // the request ended with this error instead
	discard        bool   // the handler is done with the body: the reader drops the rest
	received       int64  // body bytes received
	drained        int64  // body bytes dropped after discard
	expectContinue bool   // the client waits for 100 Continue before the body
	continueSent   bool
	out            []byte // response bytes waiting for this exchange to reach the head of the queue
	headEmitted    bool   // the final response head has been emitted
	done           bool   // every byte of the response has been emitted
	last           bool   // the connection closes after this response
	replaced       bool   // the server answered instead; the handler's output is dropped
	dropped        bool   // an earlier response was the last: this one is never sent
	queued         bool
	handlerDone    bool
	readerDone     bool
	popped         bool
}

func (c *conn) getExchangeLocked() *exchange {
	if n := len(c.free); n > 0 {
		ex := c.free[n-1]
		c.free[n-1] = nil
		c.free = c.free[:n-1]
		return ex
	}
	ex := &exchange{c: c}
	ex.br.ex = ex
	ex.resp.ex = ex
	ex.run = func() { c.runHandler(ex) }
	return ex
}

// recycleLocked makes ex reusable once the reader, the handler and the
// output queue are all done with it.
func (c *conn) recycleLocked(ex *exchange) {
	if !ex.handlerDone || !ex.readerDone || !ex.popped || ex.kind == kindHook {
		return
	}
	if len(c.free) >= maxFreeExchanges {
		return
	}
	ex.reset()
	c.free = append(c.free, ex)
}

func (ex *exchange) reset() {
	keep := func(b []byte) []byte {
		if cap(b) > maxKeptBuffer {
			return nil
		}
		return b[:0]
	}
	clear(ex.req.Header)
	clear(ex.req.Trailer)
	ex.req = Request{Header: ex.req.Header[:0], Trailer: ex.req.Trailer[:0]}
	ex.resp.reset()
	ex.handler = nil
	ex.kind = kindHandler
	ex.noBody = false
	ex.inline = false
	ex.body = keep(ex.body)
	ex.out = keep(ex.out)
	ex.bodyOff, ex.received, ex.drained = 0, 0, 0
	ex.bodyErr = nil
	ex.bodyDone, ex.discard, ex.expectContinue, ex.continueSent = false, false, false, false
	ex.headEmitted, ex.done, ex.last, ex.replaced, ex.dropped = false, false, false, false, false
	ex.queued, ex.handlerDone, ex.readerDone, ex.popped = false, false, false, false
}

// runHandler is the body of a handler goroutine, owned by the connection
// (c.hwg): serve waits for it before it returns.
func (c *conn) runHandler(ex *exchange) {
	defer c.hwg.Done()
	completed := false
	defer func() {
		if !completed {
			c.handlerFailed(ex, recover())
		}
	}()
	ex.handler.ServeHTTP(&ex.resp, &ex.req)
	completed = true
	ex.resp.finish(false)
}

// handlerFailed ends an exchange whose handler panicked (or called
// runtime.Goexit): 500 if its response has not begun, else the response is
// cut short; either way the connection closes after it.
func (c *conn) handlerFailed(ex *exchange, v any) {
	if v != nil {
		buf := make([]byte, 16<<10)
		buf = buf[:runtime.Stack(buf, false)]
		c.srv.logf("server: panic serving %s %s from %v: %v\n%s", ex.req.Method, ex.req.Target, c.remote, v, buf)
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	c.settleBodyLocked(ex)
	resp := errorResponse(nil, 500, fmt.Sprint(ErrHandlerPanic, ": ", v), time.Now())
	if !ex.replaced && !ex.dropped {
		c.replaceLocked(ex, resp)
	}
	ex.handlerDone = true
	c.recycleLocked(ex)
	c.pumpLocked()
}

// replaceLocked makes the server's resp the answer to ex in place of the
// handler's, unless the handler's final head has been emitted, in which
// case the response is cut where it is. The connection closes after it.
func (c *conn) replaceLocked(ex *exchange, resp []byte) {
	if ex.done || ex.replaced || ex.dropped {
		ex.last = true
		return
	}
	if !ex.headEmitted {
		c.emitLocked(ex, resp, true)
	}
	ex.replaced = true
	ex.done = true
	ex.last = true
}

// readBody implements Request.Body.Read.
func (ex *exchange) readBody(p []byte) (int, error) {
	c := ex.c
	c.mu.Lock()
	defer c.mu.Unlock()
	if ex.expectContinue && !ex.continueSent && !ex.headEmitted && !ex.discard {
		// The client waits for this before it sends the body (RFC 9110
		// §10.1.1).
		ex.continueSent = true
		if c.emitLocked(ex, continueResponse, false) == nil {
			c.pumpLocked()
		}
	}
	for ex.bodyOff == len(ex.body) {
		switch {
		case ex.discard:
			return 0, ErrBodyClosed
		case ex.bodyErr != nil:
			return 0, ex.bodyErr
		case ex.bodyDone:
			return 0, io.EOF
		case c.closed:
			return 0, ErrConnClosed
		}
		c.bodyCond.Wait()
	}
	unread := len(ex.body) - ex.bodyOff
	n := copy(p, ex.body[ex.bodyOff:])
	ex.bodyOff += n
	if unread >= bodyHighWater && unread-n < bodyHighWater {
		// The reader may be waiting for room (onBody).
		c.readerCond.Broadcast()
	}
	switch {
	case ex.bodyOff == len(ex.body):
		ex.body = ex.body[:0]
		ex.bodyOff = 0
	case ex.bodyOff >= len(ex.body)/2:
		// A handler that reads in small pieces never empties the
		// buffer: move the rest to the front so that it does not grow
		// with the body.
		ex.body = ex.body[:copy(ex.body, ex.body[ex.bodyOff:])]
		ex.bodyOff = 0
	}
	return n, nil
}

var continueResponse = []byte("HTTP/1.1 100 Continue\r\n\r\n")

// closeBody implements Request.Body.Close.
func (ex *exchange) closeBody() {
	c := ex.c
	c.mu.Lock()
	defer c.mu.Unlock()
	c.settleBodyLocked(ex)
}

// settleBodyLocked is called when the handler is done with the request
// body. The rest of it is drained, or, when that would cost too much or
// cannot work, the connection is closed after this response.
func (c *conn) settleBodyLocked(ex *exchange) {
	if ex.discard {
		return
	}
	ex.discard = true
	ex.body = ex.body[:0]
	ex.bodyOff = 0
	c.readerCond.Broadcast()
	if ex.bodyDone || ex.bodyErr != nil {
		return
	}
	switch {
	case ex.expectContinue && !ex.continueSent:
		// The client may be holding the body back: the next request's
		// start is unknowable.
		ex.last = true
	case c.cfg.maxDrain == 0, ex.req.Framing == FramingUntilClose:
		ex.last = true
	case ex.req.Framing == FramingContentLength && ex.req.ContentLength-ex.received > c.cfg.maxDrain:
		ex.last = true
	}
}
