package differential

import (
	_ "embed"
	"errors"
	"fmt"
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
// data is one line in parser.Escape's form (\r \n \t \\ \" \xNN, decoded
// by parser.Unescape); the other keys but name are optional (type
// request, eof no).
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
			cur.Data, err = parser.Unescape(val)
			var ee *parser.EscapeError
			if errors.As(err, &ee) {
				err = fmt.Errorf("column %d: %s", len(key)+len(": ")+ee.Offset+1, ee.Reason)
			}
		default:
			err = fmt.Errorf("unknown key (want name, type, eof, methods, data)")
		}
		if err != nil {
			return nil, fmt.Errorf("line %d: %s: %v", n, key, err)
		}
	}
	return out, nil
}
