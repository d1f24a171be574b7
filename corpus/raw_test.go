package corpus

import (
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestDecodeRawLine(t *testing.T) {
	// want is what decodeRawLine appends to "<" with newline "|"; err is
	// the whole error, "" for none.
	tests := []struct{ name, reason, text, want, err string }{
		{"plain", "the text, then the newline", `GET / HTTP/1.1`, "<GET / HTTP/1.1|", ""},
		{"empty", "an empty line is the newline alone", ``, "<|", ""},
		{"escapes", "the trace's escapes, \\\" included", `\r\n\t\\\"\x7F`, "<\r\n\t\\\"\x7f|", ""},
		{"join", "a backslash at the end adds no newline", `tail\`, "<tail", ""},
		{"join alone", "a line of one backslash adds nothing at all", `\`, "<", ""},
		{"escaped backslash at end", `\\ at the end is a backslash, and the newline follows`, `a\\`, "<a\\|", ""},
		{"escaped backslash then join", `\\\ is a backslash and a join`, `a\\\`, "<a\\", ""},
		{"unknown escape", "the column counts from the |", `a\qb`, "",
			`unknown escape \q at column 4 (known: \r \n \t \\ \" \xNN, and \ at the end of a line for no line break)`},
		{"bad hex", "the escape as written and its column", `ab\xzz`, "",
			`escape \xzz at column 5 needs two hex digits`},
		{"short hex before join", `\x4 then a backslash is a bad \x, not a join`, `\x4\`, "",
			`escape \x4\ at column 3 needs two hex digits`},
		{"short hex", "the line ends inside the escape", `ab\x4`, "",
			`escape \x4 at column 5 needs two hex digits`},
		{"control byte", "bytes outside printable ASCII must be escaped", "a\x01", "",
			`raw line holds byte 0x01 at column 4; write it as an escape (\t, \x01)`},
		{"trailing space", "editors strip it", `a `, "",
			`raw line ends in whitespace, which editors strip; write it as \x20 or \t`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := decodeRawLine([]byte("<"), tt.text, "|")
			if tt.err != "" {
				if err == nil || err.Error() != tt.err {
					t.Fatalf("decodeRawLine(%q) error = %v; want %q (%s)", tt.text, err, tt.err, tt.reason)
				}
				return
			}
			if err != nil {
				t.Fatalf("decodeRawLine(%q): %v (%s)", tt.text, err, tt.reason)
			}
			if diff := cmp.Diff(tt.want, string(got)); diff != "" {
				t.Errorf("decodeRawLine(%q): %s (-want +got):\n%s", tt.text, tt.reason, diff)
			}
		})
	}
}

func TestUnquote(t *testing.T) {
	tests := []struct{ name, reason, in, want, err string }{
		{"escapes", "the trace's escapes", `"a\"b\\\x00"`, "a\"b\\\x00", ""},
		{"empty", "two quotes are the empty string", `""`, "", ""},
		{"not quoted", "the quotes are required", `abc`, "", `abc is not a double-quoted string`},
		{"bad escape", "the byte counts from the opening quote", `"ab\q"`, "",
			`string "ab\q": byte 3: unknown escape \q; the escapes are \\ \" \r \n \t and \xNN`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := unquote(tt.in)
			if tt.err != "" {
				if err == nil || err.Error() != tt.err {
					t.Fatalf("unquote(%q) error = %v; want %q (%s)", tt.in, err, tt.err, tt.reason)
				}
				return
			}
			if err != nil || got != tt.want {
				t.Errorf("unquote(%q) = %q, %v; want %q (%s)", tt.in, got, err, tt.want, tt.reason)
			}
		})
	}
}
