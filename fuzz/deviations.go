package fuzz

import "github.com/conformhttp/conform/impl/parser"

// Deviations is a set of known ways in which the parser departs from what
// the Checker expects from the RFCs. A known deviation is reported to the
// parser's owner; until it is resolved it is listed here, with the input
// that shows it, so that fuzzing can go on finding other faults, and a
// test checks that it still exists (so that its entry is removed once the
// parser is fixed).
type Deviations uint32

const (
	// DeviationKeepAliveAndClose10: for an HTTP/1.0 message whose
	// Connection field lists both "keep-alive" and "close",
	// ShouldKeepAlive is true, as in llhttp. RFC 9112 §9.3 checks "close"
	// first: "If the "close" connection option is present (Section 9.6),
	// the connection will not persist after the current response".
	DeviationKeepAliveAndClose10 Deviations = 1 << iota
	// DeviationPauseInSpan: a pause from inside a span callback (OnMethod,
	// OnURL, OnProtocol, OnVersion, OnStatus, chunk extension names and
	// values) loses the span's complete event: the parser has already
	// moved past the state that fires it when Execute resumes. The
	// Callbacks documentation lets any callback pause. While it is known,
	// the split target pauses only from the other callbacks.
	DeviationPauseInSpan
	// DeviationPauseBeforeFold: after a pause from inside
	// OnHeaderValueComplete, a strict parser that meets an obs-fold
	// reports HPE_INVALID_HEADER_TOKEN with the reason "Unexpected
	// whitespace at the start of a field line" instead of "obs-fold (a
	// field line starting with whitespace) is not allowed": the trace
	// depends on where the callback paused. Code and offset are the same.
	DeviationPauseBeforeFold
)

// KnownDeviations are the deviations the parser has today.
const KnownDeviations = DeviationKeepAliveAndClose10 | DeviationPauseInSpan | DeviationPauseBeforeFold

// Deviation is a known deviation: its bit, a name, and a check that fails
// on an input that shows the deviation unless the deviations it is given
// include the bit.
type Deviation struct {
	Bit   Deviations
	Name  string
	Check func(allow Deviations) error
}

// DeviationList returns every known deviation with a check that shows it.
func DeviationList() []Deviation {
	withOpts := func(o Options, s string) []byte { return append(o.Encode(), s...) }
	split := func(s string) []byte {
		return append(append(Options{Type: parser.Request}.Encode(), Plan{PauseEvery: 1}.Encode()...), s...)
	}
	return []Deviation{
		{DeviationKeepAliveAndClose10, "HTTP/1.0 keep-alive and close", func(allow Deviations) error {
			in := withOpts(Options{}, "HTTP/1.0 200 OK\r\nConnection: keep-alive, close\r\nContent-Length: 0\r\n\r\n")
			return checkParse(parser.Response, in, nil, allow)
		}},
		{DeviationPauseInSpan, "pause in a span callback", func(allow Deviations) error {
			return checkSplit(split("GET / HTTP/1.1\r\n\r\n"), allow)
		}},
		{DeviationPauseBeforeFold, "pause before an obs-fold", func(allow Deviations) error {
			return checkSplit(split("GET / HTTP/1.1\r\nX: a\r\n b\r\n\r\n"), allow|DeviationPauseInSpan)
		}},
	}
}
