package main

import (
	"bytes"
	"fmt"
)

// escapeError is malformed visible-escape text; Off is the offset of the
// offending backslash in the text.
type escapeError struct {
	Off int
	Msg string
}

func (e *escapeError) Error() string { return e.Msg }

// decodeEscapes turns text in the corpus's visible-escape form into the
// bytes it stands for. \r, \n, \t, \\, \" and \xNN (two hex digits, either
// case) are escapes; a line break in the text (LF, or CR LF) stands for CR
// LF; every other byte stands for itself. src[i] is the offset in text of
// what produced data[i], so that a position in data can be shown in text.
func decodeEscapes(text []byte) (data []byte, src []int, err error) {
	data = make([]byte, 0, len(text))
	src = make([]int, 0, len(text))
	emit := func(at int, b ...byte) {
		for _, c := range b {
			data = append(data, c)
			src = append(src, at)
		}
	}
	for i := 0; i < len(text); i++ {
		c := text[i]
		switch {
		case c == '\n':
			emit(i, '\r', '\n')
			continue
		case c == '\r' && i+1 < len(text) && text[i+1] == '\n':
			emit(i, '\r', '\n')
			i++
			continue
		case c != '\\':
			emit(i, c)
			continue
		}
		if i+1 == len(text) {
			return nil, nil, &escapeError{Off: i, Msg: `backslash at the end of the text; write \\ for a backslash byte`}
		}
		at := i
		i++
		switch text[i] {
		case 'r':
			emit(at, '\r')
		case 'n':
			emit(at, '\n')
		case 't':
			emit(at, '\t')
		case '\\':
			emit(at, '\\')
		case '"':
			emit(at, '"')
		case 'x':
			if i+2 >= len(text) {
				return nil, nil, &escapeError{Off: at, Msg: fmt.Sprintf(`\x needs two hex digits, as \x00 or \xff; got %s at the end of the text`, showText(text[at:]))}
			}
			hi, okHi := unhex(text[i+1])
			lo, okLo := unhex(text[i+2])
			if !okHi || !okLo {
				return nil, nil, &escapeError{Off: at, Msg: fmt.Sprintf(`\x needs two hex digits, as \x00 or \xff; got %s`, showText(text[at:i+3]))}
			}
			emit(at, hi<<4|lo)
			i += 2
		default:
			return nil, nil, &escapeError{Off: at, Msg: fmt.Sprintf(`unknown escape %s; the escapes are \r \n \t \xNN \\ and \", and a line break stands for CRLF`, showText(text[at:i+1]))}
		}
	}
	return data, src, nil
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
