package fuzz

import "github.com/conformhttp/conform/impl/parser"

// Deviations is a set of known ways in which the parser departs from what
// the checks of this package expect. A deviation found by fuzzing is
// reported to the parser's owner; until it is resolved it is listed here,
// with an input that shows it, so that fuzzing can go on finding other
// faults, and TestDeviationsStillExist fails once it is gone, so that its
// entry is removed.
type Deviations uint32

const (
	// DeviationPauseLastBody: a pause from inside the OnBody callback that
	// delivers the last byte of a Content-Length body, when that byte is
	// the last of the input, leaves the message incomplete: Execute of no
	// bytes after Resume does not complete it, and Finish reports
	// HPE_INVALID_EOF_STATE instead of firing OnMessageComplete. While it
	// is known, the split target does not pause from OnBody.
	DeviationPauseLastBody Deviations = 1 << iota
)

// KnownDeviations are the deviations the parser has today.
const KnownDeviations = DeviationPauseLastBody

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
	split := func(o Options, pl Plan, s string) []byte {
		return append(append(o.Encode(), pl.Encode()...), s...)
	}
	return []Deviation{
		{DeviationPauseLastBody, "pause in the last OnBody", func(allow Deviations) error {
			in := split(Options{Type: parser.Request}, Plan{Pieces: []int{256}, PauseEvery: 15},
				"POST / HTTP/1.1\r\nContent-Length: 2\r\n\r\nok")
			return checkSplit(in, allow)
		}},
	}
}
