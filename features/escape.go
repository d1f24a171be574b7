package features

import (
	"fmt"
	"strings"

	"github.com/conformhttp/conform/impl/parser"
)

// Raw bytes in the feature files are written with visible escapes, so that
// a reader sees exactly which line endings a message has:
//
//	\r  CR      \n  LF      \t  HTAB      \\  a backslash
//	\xNN        the byte with hexadecimal value NN
//	\"          a double quote (inside a quoted step argument)
//
// In a docstring the line breaks of the file are layout only: they are not
// sent. Every CR and LF that goes on the wire is written as \r or \n, so
//
//	"""
//	GET / HTTP/1.1\r\n
//	Host: example.com\r\n
//	\r\n
//	"""
//
// is the 37 bytes of one request, and a bare LF stands out as a \n without
// its \r. Leading and trailing spaces of docstring lines are dropped too
// (the file's indentation); write \x20 for a space at either end.

// decodeEscapes turns escaped text into bytes: parser.Unescape, whose
// errors say "escape at byte N: ...".
func decodeEscapes(s string) ([]byte, error) {
	return parser.Unescape(s)
}

// decodeDocString decodes a docstring: each line trimmed of surrounding
// spaces and decoded, the lines joined with nothing between them.
func decodeDocString(s string) ([]byte, error) {
	out := make([]byte, 0, len(s))
	for n, line := range strings.Split(s, "\n") {
		b, err := decodeEscapes(strings.Trim(line, " \r"))
		if err != nil {
			return nil, fmt.Errorf("docstring line %d: %w", n+1, err)
		}
		out = append(out, b...)
	}
	return out, nil
}

// clip shortens long byte strings in messages.
func clip(b []byte) string {
	const max = 300
	if len(b) <= max {
		return `"` + parser.Escape(b) + `"`
	}
	return fmt.Sprintf(`"%s"... (%d bytes in all)`, parser.Escape(b[:max]), len(b))
}
