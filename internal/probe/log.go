package probe

import (
	"sync"
	"time"
)

// Log is the wire log of one exchange: every chunk written and read with
// its time, and how the connection ended.
type Log struct {
	Events []Event
	// Sent and Received count every byte written and read, the ones the
	// log did not keep included.
	Sent, Received int64
	// ClosedBy says who ended the connection.
	ClosedBy Closer
}

// Event is one entry of a Log.
type Event struct {
	// At is the time since the exchange began (before the dial).
	At time.Duration
	// Kind says what happened.
	Kind EventKind
	// Data are the bytes of a Send or Recv event, as far as the log keeps
	// them (Limits.LogCap per direction).
	Data []byte
	// Omitted counts bytes of this chunk that the log did not keep.
	Omitted int64
	// Text explains an EOF, Reset, Close, Fault or Note event.
	Text string
}

// EventKind is the kind of a log event.
type EventKind uint8

// The event kinds.
const (
	Send  EventKind = iota // bytes written to the target
	Recv                   // bytes read from the target
	EOF                    // the target closed its side of the connection
	Reset                  // the target reset the connection
	Close                  // the probe closed the connection; Text says why
	Fault                  // a dial, write or read error; Text names it
	Note                   // anything else worth knowing
)

var kindNames = [...]string{Send: "send", Recv: "recv", EOF: "eof", Reset: "reset", Close: "close", Fault: "error", Note: "note"}

// String returns the kind's name as the results JSON writes it.
func (k EventKind) String() string {
	if int(k) < len(kindNames) {
		return kindNames[k]
	}
	return "unknown"
}

// Closer says who ended a connection.
type Closer uint8

// The ways a connection ends.
const (
	ClosedByProbe  Closer = iota // the probe closed it (see the Close event)
	ClosedByTarget               // the target closed it: the probe read EOF
	ClosedByReset                // the target reset it
	NotConnected                 // there was no connection
)

var closerNames = [...]string{ClosedByProbe: "probe", ClosedByTarget: "target", ClosedByReset: "target-reset", NotConnected: "not-connected"}

// String returns the closer's name as the results JSON writes it.
func (c Closer) String() string {
	if int(c) < len(closerNames) {
		return closerNames[c]
	}
	return "unknown"
}

// mergeGap is how close in time two reads must be for the log to show them
// as one chunk: reads that a single burst of the target's output was cut
// into, not pauses the target made.
const mergeGap = time.Millisecond

// recorder builds a Log from the reader and the writer goroutine.
type recorder struct {
	start time.Time
	cap   int // bytes kept per direction

	mu       sync.Mutex // guards everything below
	log      Log
	kept     [2]int // bytes kept so far: [Send], [Recv]
	lastRecv time.Time
}

func newRecorder(start time.Time, logCap int) *recorder {
	return &recorder{start: start, cap: logCap}
}

// data records a Send or Recv of b at time now. A Send is recorded just
// before the write, so that the log never shows an answer before the bytes
// that caused it; sendShort corrects it when the write falls short.
func (r *recorder) data(kind EventKind, b []byte, now time.Time) {
	r.mu.Lock()
	defer r.mu.Unlock()
	dir := 0
	if kind == Recv {
		dir = 1
		r.log.Received += int64(len(b))
	} else {
		r.log.Sent += int64(len(b))
	}
	keep := min(len(b), max(r.cap-r.kept[dir], 0))
	r.kept[dir] += keep
	omitted := int64(len(b) - keep)
	if kind == Recv {
		last := len(r.log.Events) - 1
		if last >= 0 && r.log.Events[last].Kind == Recv && now.Sub(r.lastRecv) < mergeGap {
			e := &r.log.Events[last]
			e.Data = append(e.Data, b[:keep]...)
			e.Omitted += omitted
			r.lastRecv = now
			return
		}
		r.lastRecv = now
	}
	r.log.Events = append(r.log.Events, Event{
		At: now.Sub(r.start), Kind: kind, Data: append([]byte(nil), b[:keep]...), Omitted: omitted,
	})
}

// sendShort corrects the last Send event, of size bytes, when only n of
// them were written.
func (r *recorder) sendShort(size, n int) {
	r.mu.Lock()
	defer r.mu.Unlock()
	for i := len(r.log.Events) - 1; i >= 0; i-- {
		e := &r.log.Events[i]
		if e.Kind != Send {
			continue
		}
		unsent := int64(size - n)
		r.log.Sent -= unsent
		if cut := min(unsent, e.Omitted); cut > 0 {
			e.Omitted -= cut
			unsent -= cut
		}
		keep := len(e.Data) - int(unsent)
		r.kept[0] -= len(e.Data) - keep
		e.Data = e.Data[:keep]
		if keep == 0 && e.Omitted == 0 {
			r.log.Events = append(r.log.Events[:i], r.log.Events[i+1:]...)
		}
		return
	}
}

// event records a point event.
func (r *recorder) event(kind EventKind, text string, now time.Time) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.log.Events = append(r.log.Events, Event{At: now.Sub(r.start), Kind: kind, Text: text})
}

// finish returns the log with its closer set.
func (r *recorder) finish(c Closer) Log {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.log.ClosedBy = c
	return r.log
}
