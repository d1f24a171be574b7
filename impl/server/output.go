package server

import (
	"runtime"
	"time"
)

// The output queue. Exchanges enter c.q in request order when their head
// has been read. Response bytes are emitted into the exchange's out buffer,
// or straight into c.wbuf when the exchange is at the head of the queue.
// pumpLocked moves the head's bytes to c.wbuf, pops finished exchanges, and
// writes c.wbuf to the socket. There is no writer goroutine: whichever
// goroutine finds bytes to write and no write in progress writes them,
// with c.mu released during the write; bytes emitted meanwhile are picked
// up by the same writer before it gives up the role, so responses that are
// ready together leave in one write.

// maxKeptWriteBuffer bounds the write buffers a connection keeps.
const maxKeptWriteBuffer = 256 << 10

func (c *conn) qlenLocked() int { return len(c.q) - c.qh }

func (c *conn) headLocked() *exchange {
	if c.qh < len(c.q) {
		return c.q[c.qh]
	}
	return nil
}

func (c *conn) enqueueLocked(ex *exchange) {
	if c.qh > 0 && c.qh == len(c.q) {
		clear(c.q)
		c.q = c.q[:0]
		c.qh = 0
	}
	ex.queued = true
	c.q = append(c.q, ex)
}

func (c *conn) popLocked() *exchange {
	ex := c.q[c.qh]
	c.q[c.qh] = nil
	c.qh++
	if c.qh == len(c.q) {
		c.q = c.q[:0]
		c.qh = 0
	} else if c.qh >= 64 && c.qh*2 >= len(c.q) {
		n := copy(c.q, c.q[c.qh:])
		clear(c.q[n:])
		c.q = c.q[:n]
		c.qh = 0
	}
	ex.popped = true
	return ex
}

// emitLocked appends response bytes of ex to the output. head says b
// contains ex's final response head. It fails once the bytes can no longer
// be sent.
func (c *conn) emitLocked(ex *exchange, b []byte, head bool) error {
	if c.closed || c.writeDone || ex.replaced || ex.dropped || !ex.queued {
		return ErrConnClosed
	}
	if head {
		ex.headEmitted = true
	}
	if c.headLocked() == ex && len(ex.out) == 0 {
		c.wbuf = append(c.wbuf, b...)
	} else {
		ex.out = append(ex.out, b...)
	}
	c.outBytes += len(b)
	return nil
}

// collectLocked moves the output of the exchanges at the head of the queue
// to c.wbuf, popping those that are done, until one that is not. After the
// last response of the connection the rest of the queue is dropped.
func (c *conn) collectLocked() {
	for c.qlenLocked() > 0 {
		ex := c.q[c.qh]
		if len(ex.out) > 0 {
			c.wbuf = append(c.wbuf, ex.out...)
			ex.out = ex.out[:0]
		}
		if !ex.done {
			return
		}
		c.popLocked()
		last := ex.last
		c.recycleLocked(ex)
		if last {
			c.closeAfter = true
			for c.qlenLocked() > 0 {
				d := c.popLocked()
				d.dropped = true
				c.outBytes -= len(d.out)
				d.out = d.out[:0]
				c.recycleLocked(d)
			}
			c.outCond.Broadcast()
			return
		}
	}
}

// pumpLocked sends what is ready. It is called with c.mu held by every
// goroutine that emits output, and may release c.mu while it writes.
func (c *conn) pumpLocked() {
	yielded := false
	for {
		c.collectLocked()
		if c.writing || c.closed {
			return
		}
		if len(c.wbuf) == 0 {
			c.checkDoneLocked()
			return
		}
		if !yielded && c.qlenLocked() > 0 {
			// Handlers behind the head are still running. Let those
			// that are runnable finish first, so that their responses
			// share this write; their goroutines see c.writing and
			// leave the writing to this one.
			yielded = true
			c.writing = true
			c.mu.Unlock()
			runtime.Gosched()
			c.mu.Lock()
			c.writing = false
			continue
		}
		c.writing = true
		buf := c.wbuf
		c.wbuf = c.spare[:0]
		c.spare = nil
		c.mu.Unlock()
		if c.cfg.idle > 0 {
			c.rwc.SetWriteDeadline(time.Now().Add(c.cfg.idle))
		}
		_, err := c.rwc.Write(buf)
		var now time.Time
		if c.cfg.idle > 0 {
			now = time.Now()
		}
		c.mu.Lock()
		c.writing = false
		c.outBytes -= len(buf)
		if cap(buf) <= maxKeptWriteBuffer {
			c.spare = buf[:0]
		}
		if c.cfg.idle > 0 {
			c.lastWrite = now
		}
		if err != nil {
			c.closeLocked()
			return
		}
		c.outCond.Broadcast()
		c.readerCond.Broadcast()
	}
}

// checkDoneLocked acts once everything emitted has been written: it closes
// the connection after its last response, or marks it idle.
func (c *conn) checkDoneLocked() {
	if c.writing || len(c.wbuf) > 0 || c.closed || c.writeDone || c.hijacked {
		return
	}
	empty := c.qlenLocked() == 0 && !c.inRequest
	if c.closeAfter || (empty && (c.drainClose || c.shutting)) {
		c.finishWritesLocked()
		return
	}
	if empty && !c.idle {
		c.idle = true
		c.idleSince = time.Now()
		c.setStateLocked(StateIdle)
		c.setReadDeadlineLocked(c.nextDeadlineLocked())
	}
	c.readerCond.Broadcast()
}

// finishWritesLocked ends the connection after its last response: it shuts
// the write side and lets the reader linger, or closes at once.
func (c *conn) finishWritesLocked() {
	c.writeDone = true
	c.readerCond.Broadcast()
	c.bodyCond.Broadcast()
	c.outCond.Broadcast()
	if c.half != nil && c.cfg.linger > 0 {
		if err := c.half.CloseWrite(); err == nil {
			c.setReadDeadlineLocked(time.Now().Add(c.cfg.linger))
			return
		}
	}
	c.closeLocked()
}
