package differential

import (
	_ "embed"
	"fmt"
	"strconv"
	"strings"

	"github.com/conformhttp/conform/impl/parser"
)

// testdataInputs is testdata/inputs.txt, the file of extra inputs:
// disagreements the fuzz targets found and inputs that pin known-list
// entries the corpus does not reach. Each block of "key: value" lines is
// one input:
//
//	name: nethttp-chunk-size-space-fuzz
//	type: request
//	eof: yes
//	methods: HEAD,GET
//	data: POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n5 \r\n
//
// data is one line with the escapes \r \n \t \\ and \xNN; the other keys
// but name are optional (type request, eof no).
//
//go:embed testdata/inputs.txt
var testdataInputs string

// TestdataInputs returns the inputs of testdata/inputs.txt, embedded so
// that fuzz targets built outside the source tree (ClusterFuzzLite) seed
// from them too.
func TestdataInputs() ([]Input, error) {
	inputs, err := parseInputs(testdataInputs)
	if err != nil {
		return nil, fmt.Errorf("differential: testdata/inputs.txt: %w", err)
	}
	return inputs, nil
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
