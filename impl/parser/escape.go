package parser

import "fmt"

// The escape form is the one Escape writes for trace lines, and the one
// corpus files, feature files and the differential inputs are written in:
//
//	\\   a backslash        \"   a double quote
//	\r   CR                 \n   LF               \t   HTAB
//	\xNN the byte with hexadecimal value NN (two digits, either case)
//
// Every other byte stands for itself, so Unescape(Escape(b)) is b for all
// b, and text a person wrote may hold bytes Escape would have escaped (a
// literal tab, say). Readers that allow less, or more — a line break that
// stands for CRLF, a backslash that joins two lines — check or handle that
// themselves, around Unescape or UnescapeAt.

// EscapeError is malformed escape text.
type EscapeError struct {
	// Offset is the byte offset in the text of the backslash that starts
	// the bad escape.
	Offset int
	// Escape is the bad escape as written, cut short where the text ends:
	// `\q`, `\xg0`, `\x4` or a lone `\`.
	Escape string
	// Reason says what is wrong, as `\x needs two hexadecimal digits; the
	// text ends first`.
	Reason string
}

func (e *EscapeError) Error() string {
	return fmt.Sprintf("escape at byte %d: %s", e.Offset, e.Reason)
}

// Unescape decodes escape text into the bytes it stands for: the inverse
// of Escape. An error is an *EscapeError naming the first bad escape.
func Unescape(s string) ([]byte, error) {
	out := make([]byte, 0, len(s))
	for i := 0; i < len(s); {
		c, next, err := UnescapeAt(s, i)
		if err != nil {
			return nil, err
		}
		out = append(out, c)
		i = next
	}
	return out, nil
}

// UnescapeAt decodes the one byte that the text at s[i] stands for and
// returns it with the offset just past that text: i+1 for a plain byte,
// i+2 or i+4 for an escape. It is for readers that mix syntax of their
// own into escape text and decode the rest by Unescape's rules. i must be
// less than len(s). An error is an *EscapeError whose Offset is i.
func UnescapeAt(s string, i int) (c byte, next int, err error) {
	if s[i] != '\\' {
		return s[i], i + 1, nil
	}
	bad := func(n int, reason string) (byte, int, error) {
		return 0, i, &EscapeError{Offset: i, Escape: s[i:min(i+n, len(s))], Reason: reason}
	}
	if i+1 == len(s) {
		return bad(1, `a backslash ends the text; write \\ for a backslash`)
	}
	switch e := s[i+1]; e {
	case '\\', '"':
		return e, i + 2, nil
	case 'r':
		return '\r', i + 2, nil
	case 'n':
		return '\n', i + 2, nil
	case 't':
		return '\t', i + 2, nil
	case 'x':
		if i+4 > len(s) {
			return bad(4, `\x needs two hexadecimal digits; the text ends first`)
		}
		hi, lo := unhex[s[i+2]], unhex[s[i+3]]
		if hi == 0xff || lo == 0xff {
			return bad(4, fmt.Sprintf(`\x is followed by %q, not two hexadecimal digits`, s[i+2:i+4]))
		}
		return hi<<4 | lo, i + 4, nil
	default:
		const known = `; the escapes are \\ \" \r \n \t and \xNN`
		if e < 0x20 || e >= 0x7f {
			return bad(2, fmt.Sprintf(`unknown escape: a backslash followed by byte 0x%02x`+known, e))
		}
		return bad(2, fmt.Sprintf(`unknown escape \%c`+known, e))
	}
}
