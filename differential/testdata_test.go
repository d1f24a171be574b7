package differential

import (
	"fmt"
	"os"
	"strconv"
	"strings"
	"testing"

	"github.com/conformhttp/conform/impl/parser"
)

// testdataInputs is the file of extra inputs: disagreements the fuzz
// targets found and inputs that pin known-list entries the corpus does
// not reach. Each block of "key: value" lines is one input:
//
//	name: nethttp-chunk-size-space-fuzz
//	type: request
//	eof: yes
//	methods: HEAD,GET
//	data: POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n5 \r\n
//
// data is one line with the escapes \r \n \t \\ and \xNN; the other keys
// but name are optional (type request, eof no).
const testdataInputs = "testdata/inputs.txt"

func loadTestdataInputs(t testing.TB) []Input {
	t.Helper()
	text, err := os.ReadFile(testdataInputs)
	if err != nil {
		t.Fatal(err)
	}
	inputs, err := parseInputs(string(text))
	if err != nil {
		t.Fatalf("%s: %v", testdataInputs, err)
	}
	return inputs
}

func parseInputs(text string) ([]Input, error) {
	var out []Input
	var cur *Input
	names := map[string]bool{}
	for i, line := range strings.Split(text, "\n") {
		n := i + 1
		if strings.TrimSpace(line) == "" || strings.HasPrefix(line, "#") {
			continue
		}
		key, val, ok := strings.Cut(line, ": ")
		if !ok {
			return nil, fmt.Errorf("line %d: %q is not \"key: value\"", n, line)
		}
		if key == "name" {
			if names[val] {
				return nil, fmt.Errorf("line %d: name %q given twice", n, val)
			}
			names[val] = true
			out = append(out, Input{Name: val, Type: parser.Request})
			cur = &out[len(out)-1]
			continue
		}
		if cur == nil {
			return nil, fmt.Errorf("line %d: %s before the first name", n, key)
		}
		var err error
		switch key {
		case "type":
			cur.Type, err = parser.ParseType(val)
		case "eof":
			cur.EOF = val == "yes"
			if val != "yes" && val != "no" {
				err = fmt.Errorf("want yes or no")
			}
		case "methods":
			cur.Methods = strings.Split(val, ",")
		case "data":
			cur.Data, err = unescape(val)
		default:
			err = fmt.Errorf("unknown key (want name, type, eof, methods, data)")
		}
		if err != nil {
			return nil, fmt.Errorf("line %d: %s: %v", n, key, err)
		}
	}
	return out, nil
}

// unescape decodes \r \n \t \\ and \xNN.
func unescape(s string) ([]byte, error) {
	var out []byte
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c != '\\' {
			out = append(out, c)
			continue
		}
		if i+1 == len(s) {
			return nil, fmt.Errorf("backslash at the end")
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
		case 'x':
			if i+3 > len(s) {
				return nil, fmt.Errorf("\\x needs two hex digits at byte %d", i-1)
			}
			v, err := strconv.ParseUint(s[i+1:i+3], 16, 8)
			if err != nil {
				return nil, fmt.Errorf("\\x needs two hex digits at byte %d", i-1)
			}
			out = append(out, byte(v))
			i += 2
		default:
			return nil, fmt.Errorf("unknown escape \\%c at byte %d", s[i], i)
		}
	}
	return out, nil
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
