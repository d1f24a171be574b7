package features

import (
	"fmt"
	"strings"
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

// decodeEscapes turns escaped text into bytes.
func decodeEscapes(s string) ([]byte, error) {
	out := make([]byte, 0, len(s))
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c != '\\' {
			out = append(out, c)
			continue
		}
		if i+1 == len(s) {
			return nil, fmt.Errorf("escape at byte %d: a backslash ends the text; write \\\\ for a backslash", i)
		}
		i++
		switch s[i] {
		case 'r':
			out = append(out, '\r')
		case 'n':
			out = append(out, '\n')
		case 't':
			out = append(out, '\t')
		case '\\':
			out = append(out, '\\')
		case '"':
			out = append(out, '"')
		case 'x':
			if i+2 >= len(s) {
				return nil, fmt.Errorf("escape at byte %d: \\x needs two hexadecimal digits", i-1)
			}
			hi, ok1 := unhex(s[i+1])
			lo, ok2 := unhex(s[i+2])
			if !ok1 || !ok2 {
				return nil, fmt.Errorf("escape at byte %d: \\x%s is not two hexadecimal digits", i-1, s[i+1:i+3])
			}
			out = append(out, hi<<4|lo)
			i += 2
		default:
			return nil, fmt.Errorf("escape at byte %d: unknown escape \\%c (known: \\r \\n \\t \\\\ \\\" \\xNN)", i-1, s[i])
		}
	}
	return out, nil
}

func unhex(c byte) (byte, bool) {
	switch {
	case '0' <= c && c <= '9':
		return c - '0', true
	case 'a' <= c && c <= 'f':
		return c - 'a' + 10, true
	case 'A' <= c && c <= 'F':
		return c - 'A' + 10, true
	}
	return 0, false
}

// decodeDocString decodes a docstring: each line trimmed of surrounding
// spaces, the lines joined with nothing between them, escapes decoded.
func decodeDocString(s string) ([]byte, error) {
	var b strings.Builder
	for n, line := range strings.Split(s, "\n") {
		line = strings.Trim(line, " \r")
		if _, err := decodeEscapes(line); err != nil {
			return nil, fmt.Errorf("docstring line %d: %w", n+1, err)
		}
		b.WriteString(line)
	}
	return decodeEscapes(b.String())
}

// escape shows bytes with the same escapes, for messages.
func escape(b []byte) string {
	var s strings.Builder
	for _, c := range b {
		switch {
		case c == '\r':
			s.WriteString(`\r`)
		case c == '\n':
			s.WriteString(`\n`)
		case c == '\t':
			s.WriteString(`\t`)
		case c == '\\':
			s.WriteString(`\\`)
		case c == '"':
			s.WriteString(`\"`)
		case c < 0x20 || c >= 0x7f:
			fmt.Fprintf(&s, `\x%02x`, c)
		default:
			s.WriteByte(c)
		}
	}
	return s.String()
}

// clip shortens long byte strings in messages.
func clip(b []byte) string {
	const max = 300
	if len(b) <= max {
		return `"` + escape(b) + `"`
	}
	return fmt.Sprintf(`"%s"... (%d bytes in all)`, escape(b[:max]), len(b))
}
