package corpus

import (
	"fmt"
	"strings"
)

// decodeRawLine decodes the text of one raw line (after "| ") and appends
// it to dst, followed by nl unless the line ends in a lone backslash. The
// escapes are \r \n \t \\ and \xNN; every other byte must be printable
// ASCII, and the line must not end in whitespace (editors strip it: write
// \x20 or \t instead).
func decodeRawLine(dst []byte, text, nl string) ([]byte, error) {
	if n := len(text); n > 0 && (text[n-1] == ' ' || text[n-1] == '\t') {
		return dst, fmt.Errorf("raw line ends in whitespace, which editors strip; write it as \\x20 or \\t")
	}
	for i := 0; i < len(text); i++ {
		c := text[i]
		if c != '\\' {
			if c < 0x20 || c >= 0x7f {
				return dst, fmt.Errorf("raw line holds byte 0x%02x at column %d; write it as an escape (\\t, \\x%02x)", c, i+3, c)
			}
			dst = append(dst, c)
			continue
		}
		if i+1 == len(text) {
			// A backslash at the end of the line joins it to the next:
			// no line ending is added.
			return dst, nil
		}
		i++
		switch text[i] {
		case 'r':
			dst = append(dst, '\r')
		case 'n':
			dst = append(dst, '\n')
		case 't':
			dst = append(dst, '\t')
		case '\\':
			dst = append(dst, '\\')
		case 'x':
			if i+2 >= len(text) {
				return dst, fmt.Errorf("escape \\x at column %d needs two hex digits", i+2)
			}
			hi, ok1 := unhex(text[i+1])
			lo, ok2 := unhex(text[i+2])
			if !ok1 || !ok2 {
				return dst, fmt.Errorf("escape \\x%s at column %d needs two hex digits", text[i+1:i+3], i+2)
			}
			dst = append(dst, hi<<4|lo)
			i += 2
		default:
			return dst, fmt.Errorf("unknown escape \\%c at column %d (known: \\r \\n \\t \\\\ \\xNN, and \\ at the end of a line for no line break)", text[i], i+2)
		}
	}
	return append(dst, nl...), nil
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

// unquote decodes a double-quoted string written with the trace's escapes
// (\r \n \t \\ \" \xNN), as in expect's body="...".
func unquote(s string) (string, error) {
	if len(s) < 2 || s[0] != '"' || s[len(s)-1] != '"' {
		return "", fmt.Errorf("%s is not a double-quoted string", s)
	}
	s = s[1 : len(s)-1]
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c != '\\' {
			b.WriteByte(c)
			continue
		}
		if i+1 >= len(s) {
			return "", fmt.Errorf("string ends in a lone backslash")
		}
		i++
		switch s[i] {
		case 'r':
			b.WriteByte('\r')
		case 'n':
			b.WriteByte('\n')
		case 't':
			b.WriteByte('\t')
		case '\\', '"':
			b.WriteByte(s[i])
		case 'x':
			if i+2 >= len(s) {
				return "", fmt.Errorf("escape \\x needs two hex digits")
			}
			hi, ok1 := unhex(s[i+1])
			lo, ok2 := unhex(s[i+2])
			if !ok1 || !ok2 {
				return "", fmt.Errorf("escape \\x%s needs two hex digits", s[i+1:i+3])
			}
			b.WriteByte(hi<<4 | lo)
			i += 2
		default:
			return "", fmt.Errorf("unknown escape \\%c in string", s[i])
		}
	}
	return b.String(), nil
}
