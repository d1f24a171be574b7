package probe

import (
	"github.com/conformhttp/conform/impl/parser"
)

// Methods returns the method of each request in data, in order, as a
// lenient parser reads them: the requests a target may see in the bytes,
// even malformed ones. It stops at the first error it cannot read past and
// at a protocol switch (CONNECT, Upgrade), after whose request the bytes
// are no longer HTTP.
func Methods(data []byte) []string {
	var methods []string
	p := parser.New(parser.Config{Type: parser.Request, Lenient: parser.LenientAll}, &parser.Callbacks{
		OnHeadersComplete: func(p *parser.Parser) (parser.HeadersDecision, error) {
			methods = append(methods, p.Method().String())
			return parser.Proceed, nil
		},
	})
	p.Execute(data)
	return methods
}

// Split cuts data into pieces of at most n bytes (n < 1 counts as 1): for
// sending a message one byte, or a few, at a time.
func Split(data []byte, n int) [][]byte {
	n = max(n, 1)
	var out [][]byte
	for len(data) > n {
		out = append(out, data[:n:n])
		data = data[n:]
	}
	if len(data) > 0 {
		out = append(out, data)
	}
	return out
}

// SplitAt cuts data before each of the offsets given, in increasing order;
// offsets outside 1..len(data)-1 are ignored.
func SplitAt(data []byte, offsets ...int) [][]byte {
	var out [][]byte
	prev := 0
	for _, off := range offsets {
		if off <= prev || off >= len(data) {
			continue
		}
		out = append(out, data[prev:off:off])
		prev = off
	}
	return append(out, data[prev:])
}
