package features

import (
	"sync"
	"time"
)

// wireLogCap bounds the bytes one scenario's wire log keeps; bytes past it
// are counted, not kept.
const wireLogCap = 64 << 10

// Wire event kinds, as the results model of DESIGN.md names them.
const (
	evSend  = "send"  // bytes written to the target
	evRecv  = "recv"  // bytes read from the target
	evEOF   = "eof"   // the target closed its sending side
	evReset = "reset" // the target reset the connection
	evClose = "close" // the scenario closed (or half-closed) its side; Text says why
	evError = "error" // a dial, write or read error
	evNote  = "note"  // anything else worth knowing (time passing, agent events)
)

// WireEvent is one entry of a scenario's wire log.
type WireEvent struct {
	// At is the time since the scenario began. Under testing/synctest it
	// is the bubble's fake time, so a scenario that lets 60 seconds pass
	// shows them.
	At time.Duration
	// Conn numbers the scenario's connections from 1 (0 for notes that
	// belong to no connection).
	Conn int
	// Kind is send, recv, eof, reset, close, error or note.
	Kind string
	// Data are the bytes of a send or recv event.
	Data []byte
	// Omitted counts bytes of this event that the log did not keep.
	Omitted int64
	// Text explains an eof, reset, close, error or note event.
	Text string
}

// wireLog records a scenario's wire events. It is written by the
// scenario's goroutines (steps, agent requests) and read once the
// scenario has ended.
type wireLog struct {
	start time.Time

	mu     sync.Mutex
	events []WireEvent // guarded by mu
	kept   int         // guarded by mu: data bytes kept
}

func newWireLog(start time.Time) *wireLog { return &wireLog{start: start} }

func (l *wireLog) add(conn int, kind string, data []byte, text string) {
	l.mu.Lock()
	defer l.mu.Unlock()
	ev := WireEvent{At: time.Since(l.start), Conn: conn, Kind: kind, Text: text}
	if len(data) > 0 {
		keep := min(len(data), max(wireLogCap-l.kept, 0))
		ev.Data = append([]byte(nil), data[:keep]...)
		ev.Omitted = int64(len(data) - keep)
		l.kept += keep
	}
	l.events = append(l.events, ev)
}

func (l *wireLog) note(text string) { l.add(0, evNote, nil, text) }

func (l *wireLog) snapshot() []WireEvent {
	l.mu.Lock()
	defer l.mu.Unlock()
	return append([]WireEvent(nil), l.events...)
}
