package main

import (
	"bytes"
	"errors"
	"fmt"

	"github.com/conformhttp/conform/impl/parser"
)

// escapeError is malformed visible-escape text; Off is the offset of the
// offending backslash in the text.
type escapeError struct {
	Off int
	Msg string
}

func (e *escapeError) Error() string { return e.Msg }

// decodeEscapes turns text in the corpus's visible-escape form into the
// bytes it stands for: parser.Unescape's escapes (\r, \n, \t, \\, \" and
// \xNN), and a line break in the text (LF, or CR LF) for CR LF; every
// other byte stands for itself. src[i] is the offset in text of what
// produced data[i], so that a position in data can be shown in text.
func decodeEscapes(text []byte) (data []byte, src []int, err error) {
	data = make([]byte, 0, len(text))
	src = make([]int, 0, len(text))
	s := string(text)
	for i := 0; i < len(s); {
		at := i
		switch {
		case s[i] == '\n':
			data = append(data, '\r', '\n')
			i++
		case s[i] == '\r' && i+1 < len(s) && s[i+1] == '\n':
			data = append(data, '\r', '\n')
			i += 2
		default:
			var c byte
			c, i, err = parser.UnescapeAt(s, i)
			if err != nil {
				return nil, nil, escapeMessage(err)
			}
			data = append(data, c)
		}
		for len(src) < len(data) {
			src = append(src, at)
		}
	}
	return data, src, nil
}

// escapeMessage words an error of parser.UnescapeAt for --escapes.
func escapeMessage(err error) error {
	var ee *parser.EscapeError
	if !errors.As(err, &ee) {
		return err
	}
	const hexNeeded = `\x needs two hex digits, as \x00 or \xff; got `
	msg := ""
	switch esc := []byte(ee.Escape); {
	case len(esc) == 1:
		msg = `backslash at the end of the text; write \\ for a backslash byte`
	case esc[1] == 'x' && len(esc) < len(`\xNN`):
		msg = hexNeeded + showText(esc) + " at the end of the text"
	case esc[1] == 'x':
		msg = hexNeeded + showText(esc)
	default:
		msg = fmt.Sprintf(`unknown escape %s; the escapes are \r \n \t \xNN \\ and \", and a line break stands for CRLF`, showText(esc))
	}
	return &escapeError{Off: ee.Offset, Msg: msg}
}

// showText quotes a piece of escape-form text for a message: printable
// bytes as they are (backslashes included), others as \r, \n, \t or \xNN.
func showText(b []byte) string {
	var out []byte
	out = append(out, '"')
	for _, c := range b {
		switch {
		case c == '\r':
			out = append(out, `\r`...)
		case c == '\n':
			out = append(out, `\n`...)
		case c == '\t':
			out = append(out, `\t`...)
		case c < 0x20 || c >= 0x7f:
			out = fmt.Appendf(out, `\x%02x`, c)
		default:
			out = append(out, c)
		}
	}
	return string(append(out, '"'))
}

// lineCol returns the 1-based line and byte column of offset off in text.
// An offset at or past the end is placed just after the last byte.
func lineCol(text []byte, off int) (line, col int) {
	if off > len(text) {
		off = len(text)
	}
	if off < 0 {
		off = 0
	}
	before := text[:off]
	line = 1 + bytes.Count(before, []byte{'\n'})
	col = off - bytes.LastIndexByte(before, '\n')
	return line, col
}
