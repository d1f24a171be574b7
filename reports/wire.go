package reports

import (
	"encoding/json"
	"fmt"
	"unicode/utf8"
)

// Wire is the log of one check's connection: every chunk written and read,
// with its time, and how the connection ended.
type Wire struct {
	// Events are the chunks and happenings in the order they occurred.
	Events []WireEvent `json:"events"`
	// ClosedBy says who ended the connection: ClosedByTarget,
	// ClosedByReset or ClosedByProbe.
	ClosedBy Closer `json:"closed_by"`
	// Sent and Received count every byte written and read, including bytes
	// the log did not keep.
	Sent     int64 `json:"sent_bytes"`
	Received int64 `json:"received_bytes"`
}

// Closer says who ended a connection.
type Closer string

// The ways a connection ends.
const (
	// ClosedByTarget: the target closed the connection (the probe read
	// end of file).
	ClosedByTarget Closer = "target"
	// ClosedByReset: the target reset the connection (TCP RST).
	ClosedByReset Closer = "target-reset"
	// ClosedByProbe: the probe closed it, having seen what it waited for
	// or having stopped waiting (see the last "close" event's text).
	ClosedByProbe Closer = "probe"
	// NotConnected: there was no connection (the dial failed).
	NotConnected Closer = "not-connected"
)

func (c Closer) valid() bool {
	switch c {
	case ClosedByTarget, ClosedByReset, ClosedByProbe, NotConnected:
		return true
	}
	return false
}

// WireEvent is one entry of a wire log.
type WireEvent struct {
	// At is the time since the check began.
	At Millis `json:"at_ms"`
	// Kind says what happened.
	Kind EventKind `json:"kind"`
	// Data are the bytes of a send or recv event.
	Data Bytes `json:"data,omitempty"`
	// Omitted counts bytes of this chunk that the log did not keep, past
	// its size cap (they are counted in Wire.Sent or Wire.Received).
	Omitted int64 `json:"omitted,omitempty"`
	// Text explains an eof, reset, close, error or note event.
	Text string `json:"text,omitempty"`
}

// EventKind is the kind of a wire event.
type EventKind string

// The wire event kinds.
const (
	Send  EventKind = "send"  // bytes written to the target
	Recv  EventKind = "recv"  // bytes read from the target
	EOF   EventKind = "eof"   // the target closed its side
	Reset EventKind = "reset" // the target reset the connection
	Close EventKind = "close" // the probe closed the connection; Text says why
	Fault EventKind = "error" // a dial, write or read error; Text names it
	Note  EventKind = "note"  // anything else worth knowing
)

func (k EventKind) valid() bool {
	switch k {
	case Send, Recv, EOF, Reset, Close, Fault, Note:
		return true
	}
	return false
}

// Bytes are raw bytes written in JSON as a string with one character per
// byte, U+0000 to U+00FF (ISO 8859-1): text stays readable, JSON escapes
// show control bytes ("\r\n", "\u0000"), and every byte value survives.
// To get the bytes back, encode the string as Latin-1 (Python:
// s.encode("latin-1")).
type Bytes []byte

// MarshalJSON writes the bytes as a Latin-1 string. Besides the escapes
// JSON requires, the C1 controls and DEL (0x7f..0x9f) are written as \u00XX
// so that no invisible character reaches the file.
func (b Bytes) MarshalJSON() ([]byte, error) {
	const hex = "0123456789abcdef"
	out := make([]byte, 0, len(b)+2)
	out = append(out, '"')
	for _, c := range b {
		switch {
		case c == '"' || c == '\\':
			out = append(out, '\\', c)
		case c == '\r':
			out = append(out, '\\', 'r')
		case c == '\n':
			out = append(out, '\\', 'n')
		case c == '\t':
			out = append(out, '\\', 't')
		case c < 0x20 || c >= 0x7f && c <= 0x9f:
			out = append(out, '\\', 'u', '0', '0', hex[c>>4], hex[c&0xf])
		case c < 0x80:
			out = append(out, c)
		default:
			out = utf8.AppendRune(out, rune(c))
		}
	}
	return append(out, '"'), nil
}

// UnmarshalJSON reads a Latin-1 string; a character above U+00FF is an
// error.
func (b *Bytes) UnmarshalJSON(data []byte) error {
	var s string
	if err := json.Unmarshal(data, &s); err != nil {
		return fmt.Errorf("wire data: %w", err)
	}
	out := make([]byte, 0, len(s))
	for i, r := range s {
		if r > 0xff {
			return fmt.Errorf("wire data: character %U at byte %d is not a byte value (want U+0000..U+00FF, one character per byte)", r, i)
		}
		out = append(out, byte(r))
	}
	*b = out
	return nil
}
