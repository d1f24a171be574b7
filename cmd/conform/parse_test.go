package main

import (
	"bytes"
	"runtime/debug"
	"testing"

	"github.com/conformhttp/conform/impl/parser"
	"github.com/google/go-cmp/cmp"
)

func TestDecodeEscapes(t *testing.T) {
	tests := []struct {
		name    string
		reason  string
		text    string
		want    string
		wantSrc []int
	}{
		{"plain", "bytes without escapes stand for themselves", "ab", "ab", []int{0, 1}},
		{"line break", "a plain LF is CRLF, both bytes from the LF", "a\nb", "a\r\nb", []int{0, 1, 1, 2}},
		{"crlf line break", "a CRLF in the text is one line break, not two", "a\r\nb", "a\r\nb", []int{0, 1, 1, 3}},
		{"lone cr", "a CR not followed by LF is itself", "a\rb", "a\rb", []int{0, 1, 2}},
		{"named escapes", `\r \n \t \\ \" each give one byte from their backslash`, `\r\n\t\\\"`, "\r\n\t\\\"", []int{0, 2, 4, 6, 8}},
		{"hex", `\xNN in either case`, `\x00\xfF`, "\x00\xff", []int{0, 4}},
		{"tab kept", "a literal tab is a tab", "a\tb", "a\tb", []int{0, 1, 2}},
		{"empty", "nothing in, nothing out", "", "", []int{}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			data, src, err := decodeEscapes([]byte(tt.text))
			if err != nil {
				t.Fatalf("decodeEscapes(%q): %v (%s)", tt.text, err, tt.reason)
			}
			if diff := cmp.Diff([]byte(tt.want), data); diff != "" {
				t.Errorf("decodeEscapes(%q) bytes: %s (-want +got):\n%s", tt.text, tt.reason, diff)
			}
			if diff := cmp.Diff(tt.wantSrc, src); diff != "" {
				t.Errorf("decodeEscapes(%q) source offsets: %s (-want +got):\n%s", tt.text, tt.reason, diff)
			}
		})
	}
}

func TestDecodeEscapesErrors(t *testing.T) {
	tests := []struct {
		name    string
		reason  string
		text    string
		wantOff int
		wantMsg string
	}{
		{"unknown", "only the corpus escapes are known", `ab\q`, 2,
			`unknown escape "\q"; the escapes are \r \n \t \xNN \\ and \", and a line break stands for CRLF`},
		{"trailing backslash", "a lone backslash at the end is incomplete", `ab\`, 2,
			`backslash at the end of the text; write \\ for a backslash byte`},
		{"short hex at end", `\x needs two digits`, `a\x4`, 1,
			`\x needs two hex digits, as \x00 or \xff; got "\x4" at the end of the text`},
		{"bad hex digit", `\xg0 is not hex`, `\xg0`, 0,
			`\x needs two hex digits, as \x00 or \xff; got "\xg0"`},
		{"control byte shown escaped", "a control byte in a message is shown as an escape", "\\x4\n", 0,
			`\x needs two hex digits, as \x00 or \xff; got "\x4\n"`},
		{"escaped line break", "backslash-newline is not a continuation", "a\\\nb", 1,
			`unknown escape "\` + `\n"; the escapes are \r \n \t \xNN \\ and \", and a line break stands for CRLF`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, _, err := decodeEscapes([]byte(tt.text))
			want := &escapeError{Off: tt.wantOff, Msg: tt.wantMsg}
			if diff := cmp.Diff(want, err); diff != "" {
				t.Errorf("decodeEscapes(%q): %s (-want +got):\n%s", tt.text, tt.reason, diff)
			}
		})
	}
}

func TestLineCol(t *testing.T) {
	text := []byte("ab\ncd\n")
	tests := []struct {
		name   string
		reason string
		off    int
		line   int
		col    int
	}{
		{"start", "the first byte is 1:1", 0, 1, 1},
		{"newline", "the LF ends line 1 at column 3", 2, 1, 3},
		{"second line", "the byte after the LF starts line 2", 3, 2, 1},
		{"end", "the end of the text is after its last line break", 6, 3, 1},
		{"past end", "an offset past the end is clamped to the end", 99, 3, 1},
		{"negative", "a negative offset is clamped to the start", -1, 1, 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			line, col := lineCol(text, tt.off)
			if line != tt.line || col != tt.col {
				t.Errorf("lineCol(%q, %d) = %d:%d, want %d:%d (%s)", text, tt.off, line, col, tt.line, tt.col, tt.reason)
			}
		})
	}
}

func TestRanges(t *testing.T) {
	tests := []struct {
		name, reason string
		in           []int
		want         string
	}{
		{"single", "one number alone", []int{4}, "4"},
		{"run", "consecutive numbers collapse", []int{1, 2, 3}, "1-3"},
		{"mixed", "runs and singles", []int{1, 2, 3, 7, 9, 10}, "1-3, 7, 9-10"},
	}
	for _, tt := range tests {
		if got := ranges(tt.in); got != tt.want {
			t.Errorf("%s: ranges(%v) = %q, want %q (%s)", tt.name, tt.in, got, tt.want, tt.reason)
		}
	}
}

func TestEditDistance(t *testing.T) {
	tests := []struct {
		a, b   string
		want   int
		reason string
	}{
		{"parse", "parse", 0, "equal"},
		{"pasre", "parse", 2, "a transposition is two edits"},
		{"pars", "parse", 1, "one deletion"},
		{"", "help", 4, "all insertions"},
		{"version", "help", 6, "three substitutions (e is shared) and three deletions"},
	}
	for _, tt := range tests {
		if got := editDistance(tt.a, tt.b); got != tt.want {
			t.Errorf("editDistance(%q, %q) = %d, want %d (%s)", tt.a, tt.b, got, tt.want, tt.reason)
		}
	}
}

func TestVersionLine(t *testing.T) {
	tests := []struct {
		name   string
		reason string
		info   *debug.BuildInfo
		want   string
	}{
		{
			name:   "release",
			reason: "a module version, a clean revision shortened to 12 digits",
			info: &debug.BuildInfo{GoVersion: "go1.26.0", Main: debug.Module{Version: "v0.3.0"},
				Settings: []debug.BuildSetting{{Key: "vcs.revision", Value: "0123456789abcdef0123"}, {Key: "vcs.modified", Value: "false"}}},
			want: "conform v0.3.0 revision 0123456789ab go1.26.0 linux/amd64",
		},
		{
			name:   "modified checkout",
			reason: "a development build from a modified tree says so",
			info: &debug.BuildInfo{GoVersion: "go1.26.0", Main: debug.Module{Version: "(devel)"},
				Settings: []debug.BuildSetting{{Key: "vcs.revision", Value: "abc"}, {Key: "vcs.modified", Value: "true"}}},
			want: "conform (devel) revision abc (modified) go1.26.0 linux/amd64",
		},
		{
			name:   "no vcs",
			reason: "without VCS settings there is no revision",
			info:   &debug.BuildInfo{GoVersion: "go1.26.0"},
			want:   "conform (devel) go1.26.0 linux/amd64",
		},
	}
	for _, tt := range tests {
		if got := versionLine(tt.info, "linux/amd64"); got != tt.want {
			t.Errorf("%s: versionLine = %q, want %q (%s)", tt.name, got, tt.want, tt.reason)
		}
	}
}

func TestVersionCommand(t *testing.T) {
	got := runConform(t, t.Context(), []string{"version"}, "")
	if got.Code != ExitOK || len(got.Stdout) != 1 || got.Stderr != nil {
		t.Fatalf("conform version: %+v; want exit 0 and one line", got)
	}
	info, ok := debug.ReadBuildInfo()
	if !ok {
		info = nil
	}
	if want := versionLine(info, platform()); got.Stdout[0] != want {
		t.Errorf("conform version printed %q, want %q", got.Stdout[0], want)
	}
}

// TestSplitDivergence makes the trace differ at some split sizes and checks
// the report: the first diverging size with the first differing line, then
// every diverging size, and a false result.
func TestSplitDivergence(t *testing.T) {
	whole := []parser.Event{
		{Kind: parser.EvMessageBegin},
		{Kind: parser.EvSpan, Span: parser.SpanMethod, Data: []byte("GET")},
	}
	tests := []struct {
		name       string
		reason     string
		divergeAt  map[int][]parser.Event
		wantOK     bool
		wantStderr []string
	}{
		{
			name:      "differing line",
			reason:    "splits 2, 3 and 5 report a different span; the first is shown in full",
			divergeAt: map[int][]parser.Event{2: {whole[0], {Kind: parser.EvSpan, Span: parser.SpanMethod, Data: []byte("GE")}}, 3: nil, 5: nil},
			wantStderr: []string{
				`in: at split size 2 the trace differs from the whole-input parse at line 2:`,
				`	whole: off=0 len=3 span[method]="GET"`,
				`	split: off=0 len=2 span[method]="GE"`,
				`in: 3 of 6 split sizes diverge: 2-3, 5`,
			},
		},
		{
			name:      "shorter trace",
			reason:    "a split trace that stops early differs at its end",
			divergeAt: map[int][]parser.Event{1: whole[:1]},
			wantStderr: []string{
				`in: at split size 1 the trace differs from the whole-input parse at line 2:`,
				`	whole: off=0 len=3 span[method]="GET"`,
				`	split: (end of trace)`,
				`in: 1 of 6 split sizes diverge: 1`,
			},
		},
		{
			name:       "no divergence",
			reason:     "when every split agrees the report says so",
			wantOK:     true,
			wantStderr: []string{`in: the trace is the same at every split size from 1 to 6`},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var stdout, stderr bytes.Buffer
			e := &env{stdout: &stdout, stderr: &stderr}
			o := parseOptions{trace: func(_ parser.Config, _ []byte, opt parser.TraceOptions) ([]parser.Event, error) {
				if ev, ok := tt.divergeAt[opt.Split]; ok {
					return ev, nil
				}
				return whole, nil
			}}
			in := input{name: "in", text: []byte("GET / "), data: []byte("GET / ")}
			lw := newLineWriter(e)
			ok, err := checkSplits(t.Context(), lw, in, o, parser.Lines(whole))
			if err != nil {
				t.Fatal(err)
			}
			lw.flush()
			if ok != tt.wantOK {
				t.Errorf("checkSplits = %v, want %v (%s)", ok, tt.wantOK, tt.reason)
			}
			if diff := cmp.Diff(tt.wantStderr, splitLines(stderr.String())); diff != "" {
				t.Errorf("checkSplits report: %s (-want +got):\n%s", tt.reason, diff)
			}
			if stdout.Len() != 0 {
				t.Errorf("checkSplits wrote to stdout: %q; the trace there must stay pure", stdout.String())
			}
		})
	}
}
