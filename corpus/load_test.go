package corpus

import (
	"strings"
	"testing"
	"testing/fstest"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"

	"github.com/conformhttp/conform/impl/parser"
)

// goodCase is a complete, valid case; the malformed cases below break one
// thing in it.
const goodCase = `# a comment
id: good-case
title: A good case
reason: it has everything
rfc: RFC 9112 §3, RFC 9110 §C.1
level: MUST NOT
type: request
finish: yes
max-header-size: 64
decide: skip-body,proceed
raw:
| GET / HTTP/1.1
| X: a\tb\x7f\\
|
| tail\
expect: error HPE_INVALID_METHOD at 40 messages=1 url="/" body="" method=GET
lenient headers,spaces: ok messages=2
server: accept then reject | close
known-deviation: none really
trace:
  off=0 message begin
trace spaces,headers:
  off=0 message begin
`

func TestParseGoodCase(t *testing.T) {
	cases, err := Parse("dir/good.txt", []byte(goodCase))
	if err != nil {
		t.Fatalf("Parse: %v", err)
	}
	if len(cases) != 1 {
		t.Fatalf("got %d cases, want 1", len(cases))
	}
	c := cases[0]
	if got, want := string(c.Bytes()), "GET / HTTP/1.1\r\nX: a\tb\x7f\\\r\n\r\ntail"; got != want {
		t.Errorf("Bytes() = %q, want %q", got, want)
	}
	rule, err := parseRule("accept then reject | close")
	if err != nil {
		t.Fatal(err)
	}
	want := &Case{
		ID: "good-case", Title: "A good case", Reason: "it has everything",
		RFC:   []Ref{{RFC: 9112, Section: "3"}, {RFC: 9110, Section: "C.1"}},
		Level: MustNot, Type: parser.Request, Newline: CRLF, Finish: true, MaxHeaderSize: 64,
		Decide: []parser.HeadersDecision{parser.SkipBody, parser.Proceed},
		Expect: Expect{Text: `error HPE_INVALID_METHOD at 40 messages=1 url="/" body="" method=GET`,
			Code: parser.ErrInvalidMethod, Offset: 40, Messages: 1, Methods: []string{"GET"},
			URLs: []string{"/"}, Bodies: []string{""}},
		Trace: []string{"off=0 message begin"},
		Lenient: []Variant{{Flags: parser.LenientHeaders | parser.LenientSpaces,
			Expect: Expect{Text: "ok messages=2", Offset: -1, Messages: 2},
			Trace:  []string{"off=0 message begin"}, Line: 17}},
		Server:         rule,
		KnownDeviation: "none really",
		File:           "good.txt", Line: 2,
	}
	if diff := cmp.Diff(want, c, cmpopts.IgnoreUnexported(Case{})); diff != "" {
		t.Errorf("parsed case (-want +got):\n%s", diff)
	}
}

// TestParseErrors checks that each kind of mistake is reported with the
// file, the line and what is wrong.
func TestParseErrors(t *testing.T) {
	tests := []struct {
		name    string
		reason  string
		text    string
		wantErr string
	}{
		{"field before id", "every case starts with its id", "title: x\n",
			`bad.txt:1: title: before the first "id:" line`},
		{"empty id", "an id is required", strings.Replace(goodCase, "id: good-case", "id:", 1),
			"bad.txt:2: empty id"},
		{"bad id", "ids are lower-case with dashes", strings.Replace(goodCase, "id: good-case", "id: Good_Case", 1),
			`bad.txt:2: id "Good_Case" must be lower-case`},
		{"missing title", "title is required", strings.Replace(goodCase, "title: A good case\n", "", 1),
			`bad.txt:2: case "good-case" has no title`},
		{"missing reason", "reason is required", strings.Replace(goodCase, "reason: it has everything\n", "", 1),
			`bad.txt:2: case "good-case" has no reason`},
		{"missing rfc", "rfc is required", strings.Replace(goodCase, "rfc: RFC 9112 §3, RFC 9110 §C.1\n", "", 1),
			`bad.txt:2: case "good-case" has no rfc`},
		{"missing level", "level is required", strings.Replace(goodCase, "level: MUST NOT\n", "", 1),
			`bad.txt:2: case "good-case" has no level`},
		{"missing expect", "expect is required", strings.Replace(goodCase, "expect: error HPE_INVALID_METHOD at 40 messages=1 url=\"/\" body=\"\" method=GET\n", "", 1),
			`bad.txt:2: case "good-case" has no expect`},
		{"empty title", "a title needs words", strings.Replace(goodCase, "title: A good case", "title:", 1),
			"bad.txt:3: title: empty value"},
		{"bad escape", "only the documented escapes exist", strings.Replace(goodCase, `| X: a\tb`, `| X: a\qb`, 1),
			`bad.txt:13: unknown escape \q at column 7`},
		{"bad hex escape", "\\x needs two hex digits", strings.Replace(goodCase, `\x7f`, `\xzz`, 1),
			`bad.txt:13: escape \xzz at column 10 needs two hex digits`},
		{"short hex escape", "\\x at the end of a line", strings.Replace(goodCase, `| tail\`, `| tail\x`, 1),
			`bad.txt:15: escape \x at column 7 needs two hex digits`},
		{"trailing space in raw", "editors strip it", strings.Replace(goodCase, "| GET / HTTP/1.1", "| GET / HTTP/1.1 ", 1),
			"bad.txt:12: raw line ends in whitespace"},
		{"literal tab in raw", "control bytes must be escaped", strings.Replace(goodCase, `a\tb`, "a\tb", 1),
			`bad.txt:13: raw line holds byte 0x09 at column 7`},
		{"raw without space", "the text follows \"| \"", strings.Replace(goodCase, "| tail", "|tail", 1),
			`bad.txt:15: raw line must be "|" alone or "| " followed by the text`},
		{"unknown lenient flag", "flags are the parser's", strings.Replace(goodCase, "lenient headers,spaces:", "lenient headers,bogus:", 1),
			`bad.txt:17: lenient: unknown lenient flag "bogus"`},
		{"unknown error name", "error names are llhttp's", strings.Replace(goodCase, "HPE_INVALID_METHOD", "HPE_NOPE", 1),
			`bad.txt:16: expect: unknown error name "HPE_NOPE"`},
		{"unknown property", "properties are a fixed list", strings.Replace(goodCase, "messages=1", "msgs=1", 1),
			"bad.txt:16: expect: property msgs: unknown property"},
		{"bad expectation start", "ok, error or upgrade", strings.Replace(goodCase, "expect: error HPE_INVALID_METHOD", "expect: fine", 1),
			`bad.txt:16: expect: expectation starts with "fine"`},
		{"offset on ok", "ok has no offset", strings.Replace(goodCase, "lenient headers,spaces: ok", "lenient headers,spaces: ok at 3", 1),
			`bad.txt:17: lenient: "at" gives an error offset; ok has none`},
		{"unterminated string", "quotes must close", strings.Replace(goodCase, `url="/"`, `url="/`, 1),
			"bad.txt:16: expect: unterminated string"},
		{"duplicate key", "a missing id makes keys repeat", goodCase + "title: again\n",
			`bad.txt:24: title given twice in case "good-case" (first at line 3)`},
		{"unknown key", "keys are a fixed list", strings.Replace(goodCase, "finish: yes", "finnish: yes", 1),
			"bad.txt:8: finnish: unknown key"},
		{"bad level", "RFC 2119 levels only", strings.Replace(goodCase, "level: MUST NOT", "level: must", 1),
			`bad.txt:6: level: unknown level "must"`},
		{"bad rfc", "references are RFC N §S", strings.Replace(goodCase, "rfc: RFC 9112 §3,", "rfc: 9112 section 3,", 1),
			`bad.txt:5: rfc: "9112 section 3" is not a section reference`},
		{"bad type", "request, response or both", strings.Replace(goodCase, "type: request", "type: reply", 1),
			`bad.txt:7: type: unknown parser type "reply"`},
		{"bad finish", "yes or no", strings.Replace(goodCase, "finish: yes", "finish: true", 1),
			`bad.txt:8: finish: want yes or no, not "true"`},
		{"bad decide", "decisions are named", strings.Replace(goodCase, "skip-body,proceed", "skip-body,maybe", 1),
			`bad.txt:10: decide: unknown decision "maybe"`},
		{"bad max header size", "a positive number", strings.Replace(goodCase, "max-header-size: 64", "max-header-size: -1", 1),
			`bad.txt:9: max-header-size: want a positive number of bytes`},
		{"newline after raw", "the line ending must be known before raw lines are read", strings.Replace(goodCase, "known-deviation: none really", "newline: lf", 1),
			"bad.txt:19: newline must come before raw:"},
		{"request without server", "request cases say what a server may answer", strings.Replace(goodCase, "server: accept then reject | close\n", "", 1),
			`bad.txt:2: request case "good-case" has no server rule`},
		{"response with server", "server rules are for requests", strings.Replace(goodCase, "type: request", "type: response", 1),
			`bad.txt:18: server rules are for requests`},
		{"unknown step", "steps are a fixed list", strings.Replace(goodCase, "accept then reject", "accept then maybe", 1),
			`bad.txt:18: server: unknown step "maybe"`},
		{"steps without then", "steps are joined with then", strings.Replace(goodCase, "accept then reject", "accept reject", 1),
			`bad.txt:18: server: "reject" follows a step`},
		{"step after close", "close ends a sequence", strings.Replace(goodCase, "| close", "| close then accept", 1),
			"bad.txt:18: server: nothing may follow close or wait"},
		{"bad status", "codes are 100..599", strings.Replace(goodCase, "accept then reject", "status 700", 1),
			`bad.txt:18: server: bad status "700"`},
		{"empty alternative", "| needs a rule on both sides", strings.Replace(goodCase, "| close", "|", 1),
			"bad.txt:18: server: empty alternative"},
		{"orphan trace", "a lenient trace needs its lenient line", strings.Replace(goodCase, "lenient headers,spaces: ok messages=2\n", "", 1),
			`bad.txt:21: trace headers,spaces has no matching "lenient headers,spaces:" line`},
		{"raw line outside block", "raw lines follow raw:", goodCase + "| stray\n",
			"bad.txt:24: raw line outside a raw block"},
		{"trace line outside block", "trace lines follow trace:", strings.Replace(goodCase, "trace:\n", "", 1),
			"bad.txt:20: indented line outside a trace block"},
		{"no colon", "every other line is key: value", goodCase + "just words\n",
			`bad.txt:24: "just words" is not "key: value"`},
		{"empty raw block", "a raw block needs lines", strings.Replace(goodCase, "| GET / HTTP/1.1\n| X: a\\tb\\x7f\\\\\n|\n| tail\\\n", "", 1),
			"bad.txt:11: raw: block has no lines"},
		{"duplicate lenient", "one line per flag set", strings.Replace(goodCase, "server:", "lenient spaces,headers: ok\nserver:", 1),
			"bad.txt:18: lenient: flags headers,spaces given twice (first at line 17)"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Parse("bad.txt", []byte(tt.text))
			if err == nil {
				t.Fatalf("Parse accepted the text (%s); want an error containing %q", tt.reason, tt.wantErr)
			}
			if !strings.Contains(err.Error(), tt.wantErr) {
				t.Errorf("Parse error (%s):\n%v\nwant it to contain %q", tt.reason, err, tt.wantErr)
			}
		})
	}
}

func TestLoadFSDuplicateID(t *testing.T) {
	fsys := fstest.MapFS{
		"a.txt": {Data: []byte(goodCase)},
		"b.txt": {Data: []byte("\n" + goodCase)},
	}
	_, err := LoadFS(fsys)
	want := `b.txt:3: duplicate id "good-case" (first at a.txt:2)`
	if err == nil || !strings.Contains(err.Error(), want) {
		t.Errorf("LoadFS error = %v, want one containing %q", err, want)
	}
}

func TestNewlineModes(t *testing.T) {
	tests := []struct {
		name    string
		newline string
		want    string
	}{
		{"crlf by default", "", "A\r\nB\r\n"},
		{"lf", "newline: lf\n", "A\nB\n"},
		{"cr", "newline: cr\n", "A\rB\r"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			text := "id: n\ntitle: t\nreason: r\nrfc: RFC 9112 §2.2\nlevel: MAY\ntype: response\n" +
				tt.newline + "raw:\n| A\n| B\nexpect: ok\n"
			cases, err := Parse("n.txt", []byte(text))
			if err != nil {
				t.Fatal(err)
			}
			if got := string(cases[0].Bytes()); got != tt.want {
				t.Errorf("Bytes() = %q, want %q", got, tt.want)
			}
		})
	}
}
