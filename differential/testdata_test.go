package differential

import (
	"strings"
	"testing"

	"github.com/conformhttp/conform/impl/parser"
	"github.com/google/go-cmp/cmp"
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

// The format of testdata/inputs.txt is described at testdataInputs; write
// a new input's data with parser.Escape, which parseInputs reverses.

func TestParseInputsData(t *testing.T) {
	tests := []struct {
		name, reason string
		data         []byte
	}{
		{"crlf", "line endings are escaped", []byte("GET / HTTP/1.1\r\n\r\n")},
		{"binary", "every byte value survives", []byte{0, 1, 0x7f, 0x80, 0xff, '\\', 'x'}},
		{"quote", `parser.Escape writes a quote as \", which data accepts`, []byte(`X: "a"` + "\r\n")},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			text := "name: x\ndata: " + parser.Escape(tt.data) + "\n"
			got, err := parseInputs(text)
			if err != nil {
				t.Fatalf("parseInputs(%q): %v (%s)", text, err, tt.reason)
			}
			want := []Input{{Name: "x", Type: parser.Request, Data: tt.data}}
			if diff := cmp.Diff(want, got); diff != "" {
				t.Errorf("parseInputs(%q): %s (-want +got):\n%s", text, tt.reason, diff)
			}
		})
	}
}

func TestParseInputsDataErrors(t *testing.T) {
	tests := []struct {
		name, reason string
		data         string
		want         string // the start of the error
	}{
		{"short hex", `\x needs two digits`, `ab\x4`,
			`line 2: data: column 9: \x needs two hexadecimal digits`},
		{"bad hex", "hex digits only", `\xg0`,
			`line 2: data: column 7: \x is followed by "g0", not two hexadecimal digits`},
		{"unknown", "only parser.Escape's escapes exist", `GET\q`,
			`line 2: data: column 10: unknown escape \q`},
		{"trailing backslash", "a backslash must start an escape", `a\`,
			`line 2: data: column 8: a backslash ends the text`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			text := "name: x\ndata: " + tt.data + "\n"
			_, err := parseInputs(text)
			if err == nil || !strings.HasPrefix(err.Error(), tt.want) {
				t.Errorf("parseInputs(%q) error = %v; want one starting %q (%s)", text, err, tt.want, tt.reason)
			}
		})
	}
}
