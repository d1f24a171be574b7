package differential

import (
	"fmt"
	"strings"
	"testing"
)

// loadTestdataInputs is TestdataInputs for tests.
func loadTestdataInputs(t testing.TB) []Input {
	t.Helper()
	inputs, err := TestdataInputs()
	if err != nil {
		t.Fatal(err)
	}
	return inputs
}

// escape is unescape's inverse, for writing new inputs.
func escape(b []byte) string {
	var sb strings.Builder
	for _, c := range b {
		switch {
		case c == '\r':
			sb.WriteString(`\r`)
		case c == '\n':
			sb.WriteString(`\n`)
		case c == '\t':
			sb.WriteString(`\t`)
		case c == '\\':
			sb.WriteString(`\\`)
		case c < 0x20 || c >= 0x7f:
			fmt.Fprintf(&sb, `\x%02x`, c)
		default:
			sb.WriteByte(c)
		}
	}
	return sb.String()
}

func TestUnescapeRoundTrip(t *testing.T) {
	tests := []struct {
		name, reason string
		in           []byte
	}{
		{"crlf", "line endings are escaped", []byte("GET / HTTP/1.1\r\n\r\n")},
		{"binary", "every byte value survives", []byte{0, 1, 0x7f, 0x80, 0xff, '\\', 'x'}},
		{"empty", "nothing stays nothing", nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := unescape(escape(tt.in))
			if err != nil {
				t.Fatal(err)
			}
			if string(got) != string(tt.in) {
				t.Errorf("unescape(escape(%q)) = %q: %s", tt.in, got, tt.reason)
			}
		})
	}
	for _, bad := range []string{`\x4`, `\q`, `a\`} {
		if _, err := unescape(bad); err == nil {
			t.Errorf("unescape(%q) succeeded; want an error naming the bad escape", bad)
		}
	}
}
