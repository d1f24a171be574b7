package probe

import (
	"net"
	"sync"
	"time"
)

// writer sends a probe's chunks from its own goroutine, so that the reader
// sees the target's answer while the probe is still sending (a target may
// answer, or close, before it has read everything).
type writer struct {
	stopc chan struct{} // closed by stop: the exchange has ended
	done  chan struct{} // closed when the goroutine returns

	mu         sync.Mutex // guards the fields below
	finishedAt time.Time  // when sending ended; zero while sending
	err        error      // the write error that ended sending
	sent       int        // chunks written in full
}

func startWriter(conn net.Conn, p *Probe, rec *recorder, deadline time.Time) *writer {
	w := &writer{stopc: make(chan struct{}), done: make(chan struct{})}
	go w.run(conn, p, rec, deadline)
	return w
}

func (w *writer) run(conn net.Conn, p *Probe, rec *recorder, deadline time.Time) {
	defer close(w.done)
	defer func() {
		w.mu.Lock()
		w.finishedAt = time.Now()
		w.mu.Unlock()
	}()
	conn.SetWriteDeadline(deadline)
	for i, chunk := range p.Chunks {
		if i > 0 && p.Pause > 0 {
			t := time.NewTimer(p.Pause)
			select {
			case <-t.C:
			case <-w.stopc:
				t.Stop()
				return
			}
		}
		rec.data(Send, chunk, time.Now())
		n, err := conn.Write(chunk)
		if n < len(chunk) {
			rec.sendShort(len(chunk), n)
		}
		if err != nil {
			select {
			case <-w.stopc:
				// The probe closed the connection itself.
			default:
				rec.event(Fault, "write: "+err.Error(), time.Now())
				w.mu.Lock()
				w.err = err
				w.mu.Unlock()
			}
			return
		}
		w.mu.Lock()
		w.sent++
		w.mu.Unlock()
	}
	if p.HalfClose {
		if cw, ok := conn.(interface{ CloseWrite() error }); ok {
			if err := cw.CloseWrite(); err == nil {
				rec.event(Note, "the probe shut down its sending side (FIN)", time.Now())
			}
		}
	}
}

// quietSince returns when sending ended, and whether it is still going on.
func (w *writer) quietSince() (time.Time, bool) {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.finishedAt, w.finishedAt.IsZero()
}

// stop tells the goroutine the exchange has ended; wait waits for it
// (closing the connection unblocks a Write).
func (w *writer) stop() { close(w.stopc) }
func (w *writer) wait() { <-w.done }
