package server

import (
	"runtime"
	"time"
)

// Inline handlers and the reader hand-off.
//
// Starting a goroutine per request costs more than parsing the request and
// writing its response together, and most handlers return at once. So the
// handler of a request without a body runs on the reader goroutine, right
// after the request has been parsed (Node's model: the 'request' handler
// runs on the thread that parses). A timer watches it: a handler still
// running after HandlerHandoff gives up the reader role — a new goroutine
// takes over the parser and the rest of the read buffer, starts the next
// pipelined handlers and keeps reading, while the old goroutine finishes
// the slow handler as if it had been started in a goroutine of its own.
// Handlers therefore still run concurrently: a slow one delays the start of
// the next by HandlerHandoff (at least the timer's resolution), never by
// its own duration. The responses of the inline handlers of one read go out
// in one write, at the end of that read (see feed).
//
// c.inlineState says what the reader is doing, in its two low bits, with
// the sequence number of the inline handler from bit 3 on:
//
//	inlineOff      the reader is outside feed
//	inlineIdle     inside feed, between inline handlers
//	inlineRunning  an inline handler (seq) is running
//	inlineClaimed  the timer is moving the reader role off that handler's
//	               goroutine; it becomes inlineOff once c.hwg counts it
//
// Bit 2, inlineArmed, says the timer is armed. The timer is lazy: the
// reader arms it for an inline handler only when it is not armed already,
// and never stops it; a firing that finds no handler running clears the
// bit instead of arming it again. A busy connection thus costs one timer
// firing per HandlerHandoff, not a timer reset and stop per read (each of
// which may wake the thread sleeping in the network poller). Only the
// reader sets the bit, only the timer clears it, both with compare-and-swap
// on the whole word.
//
// The timer fires at least HandlerHandoff after it was armed, and each
// firing records the handler it saw running (c.inlineSeen): a handler seen
// running by two consecutive firings, or by the first firing after the
// reader armed the timer as it started the handler, has run for at least
// HandlerHandoff and is handed off. So a handler is handed off after
// between one and two HandlerHandoff.
const (
	inlineOff uint64 = iota
	inlineIdle
	inlineRunning
	inlineClaimed
	inlineMask  = 3
	inlineArmed = 4
	inlineShift = 3
)

// handoff is the reader's successor's starting point: the rest of the
// input the old reader was parsing and the error its last Read returned.
type handoff struct {
	rest    []byte
	readErr error
}

// runInline runs ex's handler on the reader goroutine. rest is the input
// after ex's request and readErr what the Read that delivered it returned,
// for a successor. It reports whether this goroutine is still the reader;
// if not, the handler's response is complete and the goroutine must return
// without touching reader state.
func (c *conn) runInline(ex *exchange, rest []byte, readErr error) (reader bool) {
	c.seq++
	running := c.seq<<inlineShift | inlineArmed | inlineRunning
	c.next = handoff{rest: rest, readErr: readErr}
	for {
		s := c.inlineState.Load()
		if s&inlineArmed != 0 {
			if c.inlineState.CompareAndSwap(s, running) {
				break
			}
			continue
		}
		// Not armed: arm it, the handler about to start counting as
		// seen. The timer is made stopped, before the state says
		// running: the callback reads the field.
		if c.handoffTimer == nil {
			c.handoffTimer = time.AfterFunc(time.Hour, c.handoffCheck)
			c.handoffTimer.Stop()
		}
		c.inlineSeen.Store(running)
		if c.inlineState.CompareAndSwap(s, running) {
			c.handoffTimer.Reset(c.cfg.handoff)
			break
		}
	}
	idle := inlineArmed | inlineIdle
	completed := false
	defer func() {
		if completed {
			return
		}
		// The handler panicked (v != nil) or called runtime.Goexit
		// (v == nil: this goroutine ends when the deferred calls
		// return).
		v := recover()
		stillReader := c.inlineState.CompareAndSwap(running, idle)
		if !stillReader {
			c.awaitClaim(running)
		}
		c.handlerFailed(ex, v)
		switch {
		case !stillReader:
			c.hwg.Done()
		case v == nil:
			// Goexit: the reader role must live on.
			next := c.next
			c.endInline()
			go c.runReader(next.rest, next.readErr)
		}
		reader = stillReader && v != nil
	}()
	ex.handler.ServeHTTP(&ex.resp, &ex.req)
	completed = true
	if c.inlineState.CompareAndSwap(running, idle) {
		ex.resp.finish(true)
		c.pendingWrite = true
		return true
	}
	c.awaitClaim(running)
	ex.resp.finish(false)
	c.hwg.Done()
	return false
}

// awaitClaim waits, in a goroutine whose inline handler was handed off,
// until the timer has counted it in c.hwg (a moment at most).
func (c *conn) awaitClaim(running uint64) {
	claimed := running&^inlineMask | inlineClaimed
	for c.inlineState.Load() == claimed {
		runtime.Gosched()
	}
}

// endInline is called by the reader as it leaves feed. The timer stays
// armed; its next firing lets go of it if no inline handler runs then.
func (c *conn) endInline() {
	for {
		s := c.inlineState.Load()
		if s&inlineMask == inlineOff || c.inlineState.CompareAndSwap(s, s&inlineArmed|inlineOff) {
			c.next = handoff{}
			return
		}
	}
}

// handoffCheck runs when the hand-off timer fires.
func (c *conn) handoffCheck() {
	for {
		s := c.inlineState.Load()
		switch s & inlineMask {
		case inlineClaimed:
			return
		case inlineOff, inlineIdle:
			// No handler running: let go of the timer; the reader arms
			// it again for its next inline handler.
			if c.inlineState.CompareAndSwap(s, s&^inlineArmed) {
				return
			}
			continue
		}
		if c.inlineSeen.Swap(s) != s {
			// A handler that started since the last firing: look
			// again later.
			c.handoffTimer.Reset(c.cfg.handoff)
			return
		}
		claimed := s&^inlineMask | inlineClaimed
		if !c.inlineState.CompareAndSwap(s, claimed) {
			continue // it returned just now
		}
		// The old goroutine is still the reader, inside the handler,
		// so no one waits on c.hwg yet: it may grow from zero here.
		c.hwg.Add(1)
		next := c.next
		c.next = handoff{}
		c.inlineState.Store(inlineOff)
		go c.runReader(next.rest, next.readErr)
		return
	}
}
