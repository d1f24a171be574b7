package corpus

import (
	"errors"
	"fmt"
	"strings"

	"github.com/conformhttp/conform/impl/parser"
)

// rawColumn is the column of a raw line's first text byte, after "| ".
const rawColumn = 3

// decodeRawLine decodes the text of one raw line (after "| ") and appends
// it to dst, followed by nl unless the line ends in a lone backslash. The
// escapes are parser.Unescape's (\r \n \t \\ \" \xNN); every other byte
// must be printable ASCII, and the line must not end in whitespace
// (editors strip it: write \x20 or \t instead).
func decodeRawLine(dst []byte, text, nl string) ([]byte, error) {
	if n := len(text); n > 0 && (text[n-1] == ' ' || text[n-1] == '\t') {
		return dst, fmt.Errorf("raw line ends in whitespace, which editors strip; write it as \\x20 or \\t")
	}
	for i := 0; i < len(text); i++ {
		if c := text[i]; c < 0x20 || c >= 0x7f {
			return dst, fmt.Errorf("raw line holds byte 0x%02x at column %d; write it as an escape (\\t, \\x%02x)", c, i+rawColumn, c)
		}
	}
	b, err := parser.Unescape(text)
	var ee *parser.EscapeError
	if errors.As(err, &ee) && ee.Escape == `\` {
		// A backslash at the end of the line joins it to the next: no
		// line ending is added.
		b, err = parser.Unescape(text[:ee.Offset])
		nl = ""
	}
	if err != nil {
		return dst, rawEscapeError(err)
	}
	dst = append(dst, b...)
	return append(dst, nl...), nil
}

// rawEscapeError words an error of parser.Unescape for a raw line, which
// counts columns from the "|".
func rawEscapeError(err error) error {
	var ee *parser.EscapeError
	if !errors.As(err, &ee) {
		return err
	}
	at := ee.Offset + rawColumn
	if strings.HasPrefix(ee.Escape, `\x`) {
		return fmt.Errorf("escape %s at column %d needs two hex digits", ee.Escape, at)
	}
	return fmt.Errorf("unknown escape %s at column %d (known: \\r \\n \\t \\\\ \\\" \\xNN, and \\ at the end of a line for no line break)", ee.Escape, at)
}

// unquote decodes a double-quoted string written with the trace's escapes
// (those of parser.Escape), as in expect's body="...".
func unquote(s string) (string, error) {
	if len(s) < 2 || s[0] != '"' || s[len(s)-1] != '"' {
		return "", fmt.Errorf("%s is not a double-quoted string", s)
	}
	b, err := parser.Unescape(s[1 : len(s)-1])
	var ee *parser.EscapeError
	if errors.As(err, &ee) {
		// Count the offset from the opening quote, as the reader sees it.
		return "", fmt.Errorf("string %s: byte %d: %s", s, ee.Offset+1, ee.Reason)
	}
	return string(b), err
}
