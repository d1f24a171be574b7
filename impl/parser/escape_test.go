package parser

import (
	"fmt"
	"math/rand/v2"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestUnescape(t *testing.T) {
	tests := []struct{ name, reason, in, want string }{
		{"empty", "nothing in, nothing out", "", ""},
		{"plain", "bytes without a backslash stand for themselves", "GET / HTTP/1.1", "GET / HTTP/1.1"},
		{"backslash", `\\ is one backslash`, `a\\b`, `a\b`},
		{"quote", `\" is a double quote`, `a\"b`, `a"b`},
		{"cr", `\r is CR`, `\r`, "\r"},
		{"lf", `\n is LF`, `\n`, "\n"},
		{"tab", `\t is HTAB`, `\t`, "\t"},
		{"hex lower", `\xNN with lower-case digits`, `\x00\x7f\xff`, "\x00\x7f\xff"},
		{"hex upper", `\xNN with upper-case digits`, `\xAB\xFF`, "\xab\xff"},
		{"hex mixed", `either case in one escape`, `\xaB\xFe`, "\xab\xfe"},
		{"hex then digits", `\xNN takes two digits and no more`, `\x414`, "A4"},
		{"escaped backslash before x", `\\x41 is a backslash and "x41"`, `\\x41`, `\x41`},
		{"literal control bytes", "bytes Escape would escape still stand for themselves when written plainly", "a\tb\r\n\x00\xff\"", "a\tb\r\n\x00\xff\""},
		{"crlf request", "a whole request line", `GET / HTTP/1.1\r\nHost: a\r\n\r\n`, "GET / HTTP/1.1\r\nHost: a\r\n\r\n"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := Unescape(tt.in)
			if err != nil {
				t.Fatalf("Unescape(%q): %v (%s)", tt.in, err, tt.reason)
			}
			if diff := cmp.Diff([]byte(tt.want), got); diff != "" {
				t.Errorf("Unescape(%q): %s (-want +got):\n%s", tt.in, tt.reason, diff)
			}
		})
	}
}

func TestUnescapeErrors(t *testing.T) {
	// ExampleUnescape checks the text of Error: "escape at byte N: " and
	// the Reason.
	tests := []struct {
		name, reason, in string
		want             *EscapeError
	}{
		{"lone backslash", "a backslash at the end starts no escape", `ab\`,
			&EscapeError{Offset: 2, Escape: `\`, Reason: `a backslash ends the text; write \\ for a backslash`}},
		{"only a backslash", "the offset is that of the backslash, here 0", `\`,
			&EscapeError{Offset: 0, Escape: `\`, Reason: `a backslash ends the text; write \\ for a backslash`}},
		{"x at end", `\x with no digits before the end`, `abc\x`,
			&EscapeError{Offset: 3, Escape: `\x`, Reason: `\x needs two hexadecimal digits; the text ends first`}},
		{"x one digit at end", `\x with one digit before the end`, `\x4`,
			&EscapeError{Offset: 0, Escape: `\x4`, Reason: `\x needs two hexadecimal digits; the text ends first`}},
		{"x bad first digit", "g is no hexadecimal digit", `a\xg0`,
			&EscapeError{Offset: 1, Escape: `\xg0`, Reason: `\x is followed by "g0", not two hexadecimal digits`}},
		{"x bad second digit", "the second digit is checked too", `\x4z!`,
			&EscapeError{Offset: 0, Escape: `\x4z`, Reason: `\x is followed by "4z", not two hexadecimal digits`}},
		{"x one digit then line break", "a control byte in the reason is quoted", "\\x4\n",
			&EscapeError{Offset: 0, Escape: "\\x4\n", Reason: `\x is followed by "4\n", not two hexadecimal digits`}},
		{"x sign", "a sign is no hexadecimal digit", `\x+f`,
			&EscapeError{Offset: 0, Escape: `\x+f`, Reason: `\x is followed by "+f", not two hexadecimal digits`}},
		{"unknown letter", "only the listed escapes exist", `GET\q`,
			&EscapeError{Offset: 3, Escape: `\q`, Reason: `unknown escape \q; the escapes are \\ \" \r \n \t and \xNN`}},
		{"upper-case escape", `\R is not \r`, `\R`,
			&EscapeError{Offset: 0, Escape: `\R`, Reason: `unknown escape \R; the escapes are \\ \" \r \n \t and \xNN`}},
		{"backslash line break", "a backslash before a line break is no escape", "a\\\nb",
			&EscapeError{Offset: 1, Escape: "\\\n", Reason: `unknown escape: a backslash followed by byte 0x0a; the escapes are \\ \" \r \n \t and \xNN`}},
		{"backslash high byte", "a byte outside ASCII after a backslash is named by value", "\\\xc3\xa9",
			&EscapeError{Offset: 0, Escape: "\\\xc3", Reason: `unknown escape: a backslash followed by byte 0xc3; the escapes are \\ \" \r \n \t and \xNN`}},
		{"first error wins", "decoding stops at the first bad escape", `\r\q\x`,
			&EscapeError{Offset: 2, Escape: `\q`, Reason: `unknown escape \q; the escapes are \\ \" \r \n \t and \xNN`}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := Unescape(tt.in)
			if err == nil {
				t.Fatalf("Unescape(%q) = %q; want an error (%s)", tt.in, got, tt.reason)
			}
			if got != nil {
				t.Errorf("Unescape(%q) returned %q with its error; want nil", tt.in, got)
			}
			if diff := cmp.Diff(error(tt.want), err); diff != "" {
				t.Errorf("Unescape(%q) error: %s (-want +got):\n%s", tt.in, tt.reason, diff)
			}
		})
	}
}

func TestUnescapeAt(t *testing.T) {
	tests := []struct {
		name, reason, in    string
		at, next, wantErrAt int // wantErrAt -1 for no error
		want                byte
	}{
		{"plain", "a plain byte takes one byte of text", `ab`, 1, 2, -1, 'b'},
		{"named", "a named escape takes two", `a\nb`, 1, 3, -1, '\n'},
		{"hex", `\xNN takes four`, `a\x41b`, 1, 5, -1, 'A'},
		{"bad", "an error names the offset asked about, in the whole text", `ab\q`, 2, 0, 2, 0},
		{"mid escape", "asked at the x of an escape, the x is a plain byte: the caller keeps the place", `\x41`, 1, 2, -1, 'x'},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, next, err := UnescapeAt(tt.in, tt.at)
			if tt.wantErrAt >= 0 {
				ee, ok := err.(*EscapeError)
				if !ok || ee.Offset != tt.wantErrAt {
					t.Fatalf("UnescapeAt(%q, %d) error = %v; want an *EscapeError at %d (%s)", tt.in, tt.at, err, tt.wantErrAt, tt.reason)
				}
				return
			}
			if err != nil || c != tt.want || next != tt.next {
				t.Errorf("UnescapeAt(%q, %d) = %q, %d, %v; want %q, %d, nil (%s)", tt.in, tt.at, c, next, err, tt.want, tt.next, tt.reason)
			}
		})
	}
}

func TestUnescapeRoundTrip(t *testing.T) {
	check := func(t *testing.T, b []byte) {
		t.Helper()
		got, err := Unescape(Escape(b))
		if err != nil {
			t.Fatalf("Unescape(Escape(%q)): %v", b, err)
		}
		if diff := cmp.Diff(b, got, cmp.Comparer(func(x, y []byte) bool { return string(x) == string(y) })); diff != "" {
			t.Errorf("Unescape(Escape(%q)) (-want +got):\n%s", b, diff)
		}
	}
	t.Run("every byte alone", func(t *testing.T) {
		for v := range 256 {
			check(t, []byte{byte(v)})
		}
	})
	t.Run("every byte in one string", func(t *testing.T) {
		all := make([]byte, 256)
		for v := range all {
			all[v] = byte(v)
		}
		check(t, all)
	})
	t.Run("random", func(t *testing.T) {
		// A fixed seed: the same inputs every run. Bytes are drawn mostly
		// from the ones Escape treats specially, so that escapes sit next
		// to each other and to the letters and digits they are made of.
		rng := rand.New(rand.NewPCG(1, 2))
		const special = "\\\"\r\n\txX0aF"
		for range 2000 {
			b := make([]byte, rng.IntN(40))
			for i := range b {
				if rng.IntN(2) == 0 {
					b[i] = special[rng.IntN(len(special))]
				} else {
					b[i] = byte(rng.IntN(256))
				}
			}
			check(t, b)
		}
	})
}

func ExampleUnescape() {
	b, err := Unescape(`GET / HTTP/1.1\r\nX: \"a\tb\"\x00\r\n\r\n`)
	fmt.Printf("%q %v\n", b, err)
	_, err = Unescape(`Host: a\r\n\x4`)
	fmt.Println(err)
	// Output:
	// "GET / HTTP/1.1\r\nX: \"a\tb\"\x00\r\n\r\n" <nil>
	// escape at byte 11: \x needs two hexadecimal digits; the text ends first
}
