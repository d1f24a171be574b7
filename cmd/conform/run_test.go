package main

import (
	"bytes"
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// outcome is what one Run call did, as a user would see it.
type outcome struct {
	Code   int
	Stdout []string
	Stderr []string
}

// runConform runs conform in-process with args and stdin.
func runConform(t *testing.T, ctx context.Context, args []string, stdin string) outcome {
	t.Helper()
	var stdout, stderr bytes.Buffer
	err := Run(ctx, args, strings.NewReader(stdin), &stdout, &stderr)
	return outcome{Code: exitStatus(t, err), Stdout: splitLines(stdout.String()), Stderr: splitLines(stderr.String())}
}

// exitStatus is the status main would exit with; Run must return nil or
// an *ExitError.
func exitStatus(t *testing.T, err error) int {
	t.Helper()
	if err == nil {
		return ExitOK
	}
	var xe *ExitError
	if !errors.As(err, &xe) {
		t.Fatalf("Run returned %T (%v), want nil or *ExitError", err, err)
	}
	if got := exitCode(err); got != xe.Code {
		t.Errorf("exitCode(%v) = %d, want the ExitError's code %d", err, got, xe.Code)
	}
	return xe.Code
}

func splitLines(s string) []string {
	if s == "" {
		return nil
	}
	return strings.Split(strings.TrimSuffix(s, "\n"), "\n")
}

// writeFiles creates files in a fresh directory and makes it the working
// directory, so that file names in output are the short names.
func writeFiles(t *testing.T, files map[string]string) {
	t.Helper()
	dir := t.TempDir()
	for name, content := range files {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	t.Chdir(dir)
}

// Inputs and their strict traces, checked by hand against llhttp's test
// logs: spans start at their first byte, "complete" events come at the
// byte after the delimiter (the SP after the URL, the CRLF after a
// field value), chunk extensions come before their chunk header.
const getHello = "GET /hello HTTP/1.1\r\nHost: example.com\r\n\r\n"

var getHelloTrace = []string{
	`off=0 message begin`,
	`off=0 len=3 span[method]="GET"`,
	`off=3 method complete`,
	`off=4 len=6 span[url]="/hello"`,
	`off=11 url complete`,
	`off=11 len=4 span[protocol]="HTTP"`,
	`off=15 protocol complete`,
	`off=16 len=3 span[version]="1.1"`,
	`off=19 version complete`,
	`off=21 len=4 span[header_field]="Host"`,
	`off=26 header_field complete`,
	`off=27 len=11 span[header_value]="example.com"`,
	`off=40 header_value complete`,
	`off=42 headers complete method=1 v=1/1 flags=0 content_length=0`,
	`off=42 message complete`,
}

const hostSpaceColon = "GET / HTTP/1.1\r\nHost : a\r\n\r\n"

var hostSpaceColonHead = []string{
	`off=0 message begin`,
	`off=0 len=3 span[method]="GET"`,
	`off=3 method complete`,
	`off=4 len=1 span[url]="/"`,
	`off=6 url complete`,
	`off=6 len=4 span[protocol]="HTTP"`,
	`off=10 protocol complete`,
	`off=11 len=3 span[version]="1.1"`,
	`off=14 version complete`,
	`off=16 len=4 span[header_field]="Host"`,
}

const hostSpaceColonError = `off=20 error code=10 reason="Whitespace between header field name and colon"`

const chunkedResponse = "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n3;a=b\r\nabc\r\n0\r\n\r\n"

var chunkedResponseTrace = []string{
	`off=0 message begin`,
	`off=0 len=4 span[protocol]="HTTP"`,
	`off=4 protocol complete`,
	`off=5 len=3 span[version]="1.1"`,
	`off=8 version complete`,
	`off=13 len=2 span[status]="OK"`,
	`off=17 status complete`,
	`off=17 len=17 span[header_field]="Transfer-Encoding"`,
	`off=35 header_field complete`,
	`off=36 len=7 span[header_value]="chunked"`,
	`off=45 header_value complete`,
	`off=47 headers complete status=200 v=1/1 flags=208 content_length=0`,
	`off=49 len=1 span[chunk_extension_name]="a"`,
	`off=51 chunk_extension_name complete`,
	`off=51 len=1 span[chunk_extension_value]="b"`,
	`off=53 chunk_extension_value complete`,
	`off=54 chunk header len=3`,
	`off=54 len=3 span[body]="abc"`,
	`off=59 chunk complete`,
	`off=62 chunk header len=0`,
	`off=64 chunk complete`,
	`off=64 message complete`,
}

// statusHead is the trace of "HTTP/1.1 200 OK\r\n" up to status complete.
var statusHead = []string{
	`off=0 message begin`,
	`off=0 len=4 span[protocol]="HTTP"`,
	`off=4 protocol complete`,
	`off=5 len=3 span[version]="1.1"`,
	`off=8 version complete`,
	`off=13 len=2 span[status]="OK"`,
	`off=17 status complete`,
}

const responseCL5 = "HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\n"

var responseCL5Head = concat(statusHead, []string{
	`off=17 len=14 span[header_field]="Content-Length"`,
	`off=32 header_field complete`,
	`off=33 len=1 span[header_value]="5"`,
	`off=36 header_value complete`,
	`off=38 headers complete status=200 v=1/1 flags=20 content_length=5`,
})

const connect = "CONNECT a.com:443 HTTP/1.1\r\nHost: a.com:443\r\n\r\nTUNNELDATA"

var connectTrace = []string{
	`off=0 message begin`,
	`off=0 len=7 span[method]="CONNECT"`,
	`off=7 method complete`,
	`off=8 len=9 span[url]="a.com:443"`,
	`off=18 url complete`,
	`off=18 len=4 span[protocol]="HTTP"`,
	`off=22 protocol complete`,
	`off=23 len=3 span[version]="1.1"`,
	`off=26 version complete`,
	`off=28 len=4 span[header_field]="Host"`,
	`off=33 header_field complete`,
	`off=34 len=9 span[header_value]="a.com:443"`,
	`off=45 header_value complete`,
	`off=47 headers complete method=5 v=1/1 flags=0 content_length=0`,
	`off=47 message complete`,
	`off=47 error code=22 reason="Pause on CONNECT/Upgrade"`,
}

func concat(parts ...[]string) []string {
	var out []string
	for _, p := range parts {
		out = append(out, p...)
	}
	return out
}

func TestParse(t *testing.T) {
	tests := []struct {
		name   string
		reason string
		args   []string
		stdin  string
		files  map[string]string
		want   outcome
	}{
		{
			name:   "request from stdin",
			reason: "with no FILE, parse reads standard input and prints the trace only",
			args:   []string{"parse"},
			stdin:  getHello,
			want:   outcome{Code: ExitOK, Stdout: getHelloTrace},
		},
		{
			name:   "dash is stdin",
			reason: `"-" names standard input`,
			args:   []string{"parse", "-"},
			stdin:  getHello,
			want:   outcome{Code: ExitOK, Stdout: getHelloTrace},
		},
		{
			name:   "escapes with line breaks",
			reason: "with --escapes every line break of the text is CRLF, so the typed request equals getHello",
			args:   []string{"parse", "--escapes"},
			stdin:  "GET /hello HTTP/1.1\nHost: example.com\n\n",
			want:   outcome{Code: ExitOK, Stdout: getHelloTrace},
		},
		{
			name:   "escapes with visible escapes",
			reason: `\r\n and \x20 decode to the bytes of getHello`,
			args:   []string{"parse", "--escapes"},
			stdin:  `GET /hello HTTP/1.1\r\nHost:\x20example.com\r\n\r\n`,
			want:   outcome{Code: ExitOK, Stdout: getHelloTrace},
		},
		{
			name:   "chunked response split in threes",
			reason: "--split 3 feeds three bytes at a time; the merged trace equals the whole-input one",
			args:   []string{"parse", "--type=response", "--split", "3"},
			stdin:  chunkedResponse,
			want:   outcome{Code: ExitOK, Stdout: chunkedResponseTrace},
		},
		{
			name:   "parse error",
			reason: "a space before the colon is an error; the trace stops there and stderr names code, place, offset and reason; exit 3",
			args:   []string{"parse"},
			stdin:  hostSpaceColon,
			want: outcome{Code: ExitFound,
				Stdout: concat(hostSpaceColonHead, []string{hostSpaceColonError}),
				Stderr: []string{`<stdin>:2:5: HPE_INVALID_HEADER_TOKEN at offset 20: Whitespace between header field name and colon`}},
		},
		{
			name:   "lenient headers",
			reason: "--lenient headers accepts the space before the colon",
			args:   []string{"parse", "--lenient", "headers"},
			stdin:  hostSpaceColon,
			want: outcome{Code: ExitOK, Stdout: concat(hostSpaceColonHead, []string{
				`off=22 header_field complete`,
				`off=23 len=1 span[header_value]="a"`,
				`off=26 header_value complete`,
				`off=28 headers complete method=1 v=1/1 flags=0 content_length=0`,
				`off=28 message complete`,
			})},
		},
		{
			name:   "lenient all",
			reason: `"all" is every lenient mode, so the space before the colon passes too`,
			args:   []string{"parse", "--lenient=all"},
			stdin:  hostSpaceColon,
			want: outcome{Code: ExitOK, Stdout: concat(hostSpaceColonHead, []string{
				`off=22 header_field complete`,
				`off=23 len=1 span[header_value]="a"`,
				`off=26 header_value complete`,
				`off=28 headers complete method=1 v=1/1 flags=0 content_length=0`,
				`off=28 message complete`,
			})},
		},
		{
			name:   "max header size",
			reason: "a 20-byte limit is exceeded at offset 20, inside the Host field",
			args:   []string{"parse", "--max-header-size", "20"},
			stdin:  "GET / HTTP/1.1\r\nHost: aaaaaaaaaaaaaaaa\r\n\r\n",
			want: outcome{Code: ExitFound,
				Stdout: concat(hostSpaceColonHead, []string{`off=20 error code=64 reason="Message head larger than the header size limit"`}),
				Stderr: []string{`<stdin>:2:5: HPE_HEADER_OVERFLOW at offset 20: Message head larger than the header size limit`}},
		},
		{
			name:   "body until EOF without finish",
			reason: "without --finish the parser waits for more body: no message complete, no error",
			args:   []string{"parse"},
			stdin:  "HTTP/1.1 200 OK\r\n\r\nabc",
			want: outcome{Code: ExitOK, Stdout: concat(statusHead, []string{
				`off=19 headers complete status=200 v=1/1 flags=0 content_length=0`,
				`off=19 len=3 span[body]="abc"`,
			})},
		},
		{
			name:   "body until EOF with finish",
			reason: "--finish ends the read-until-EOF body and completes the message",
			args:   []string{"parse", "--finish"},
			stdin:  "HTTP/1.1 200 OK\r\n\r\nabc",
			want: outcome{Code: ExitOK, Stdout: concat(statusHead, []string{
				`off=19 headers complete status=200 v=1/1 flags=0 content_length=0`,
				`off=19 len=3 span[body]="abc"`,
				`off=22 message complete`,
			})},
		},
		{
			name:   "finish inside a body",
			reason: "two of five Content-Length bytes then EOF is HPE_INVALID_EOF_STATE, placed after the last byte",
			args:   []string{"parse", "--finish"},
			stdin:  responseCL5 + "ab",
			want: outcome{Code: ExitFound,
				Stdout: concat(responseCL5Head, []string{
					`off=38 len=2 span[body]="ab"`,
					`off=40 error code=14 reason="Invalid EOF state: the stream ended inside a message"`,
				}),
				Stderr: []string{`<stdin>:4:3: HPE_INVALID_EOF_STATE at offset 40: Invalid EOF state: the stream ended inside a message`}},
		},
		{
			name:   "head response",
			reason: "--head answers SkipBody: the message completes at the end of the head despite Content-Length: 5",
			args:   []string{"parse", "--head"},
			stdin:  responseCL5,
			want:   outcome{Code: ExitOK, Stdout: concat(responseCL5Head, []string{`off=38 message complete`})},
		},
		{
			name:   "response without head",
			reason: "without --head the same response waits for its five body bytes",
			args:   []string{"parse"},
			stdin:  responseCL5,
			want:   outcome{Code: ExitOK, Stdout: responseCL5Head},
		},
		{
			name:   "connect tunnel",
			reason: "CONNECT pauses for the tunnel: not a failure; stderr says 10 bytes follow",
			args:   []string{"parse"},
			stdin:  connect,
			want: outcome{Code: ExitOK, Stdout: connectTrace,
				Stderr: []string{`<stdin>:4:1: the protocol switches at offset 47; 10 bytes follow for the tunnel, not parsed as HTTP`}},
		},
		{
			name:   "http2 preface",
			reason: "the HTTP/2 preface pauses the parser like an upgrade: not a failure; the bytes after the pause are counted",
			args:   []string{"parse", "--lenient", "target,version"},
			stdin:  "PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n",
			want: outcome{Code: ExitOK,
				Stdout: []string{
					`off=0 message begin`,
					`off=0 len=3 span[method]="PRI"`,
					`off=3 method complete`,
					`off=4 len=1 span[url]="*"`,
					`off=6 url complete`,
					`off=6 len=4 span[protocol]="HTTP"`,
					`off=10 protocol complete`,
					`off=11 len=3 span[version]="2.0"`,
					`off=14 version complete`,
					`off=16 error code=23 reason="Pause on PRI/Upgrade (HTTP/2 connection preface)"`,
				},
				Stderr: []string{`<stdin>:2:1: the stream switches to HTTP/2 (connection preface) at offset 16; 8 bytes follow, not parsed as HTTP/1`}},
		},
		{
			name:   "escapes error position",
			reason: `the offset counts decoded bytes (6), the column the text as written: "GET /\x61" is 9 characters, so column 10`,
			args:   []string{"parse", "--escapes"},
			stdin:  `GET /\x61\x7f HTTP/1.1` + "\n\n",
			want: outcome{Code: ExitFound,
				Stdout: []string{
					`off=0 message begin`,
					`off=0 len=3 span[method]="GET"`,
					`off=3 method complete`,
					`off=4 len=2 span[url]="/a"`,
					`off=6 error code=7 reason="Invalid character in the request-target"`,
				},
				Stderr: []string{`<stdin>:1:10: HPE_INVALID_URL at offset 6: Invalid character in the request-target`}},
		},
		{
			name:   "several files",
			reason: "each trace gets a == header; one failing file makes the exit status 3 but the others are still parsed",
			args:   []string{"parse", "bad.http", "good.http"},
			files:  map[string]string{"bad.http": hostSpaceColon, "good.http": getHello},
			want: outcome{Code: ExitFound,
				Stdout: concat([]string{"== bad.http"}, hostSpaceColonHead, []string{hostSpaceColonError},
					[]string{"== good.http"}, getHelloTrace),
				Stderr: []string{`bad.http:2:5: HPE_INVALID_HEADER_TOKEN at offset 20: Whitespace between header field name and colon`}},
		},
		{
			name:   "file and stdin",
			reason: `"-" among files reads standard input in its place`,
			args:   []string{"parse", "good.http", "-"},
			files:  map[string]string{"good.http": getHello},
			stdin:  getHello,
			want: outcome{Code: ExitOK,
				Stdout: concat([]string{"== good.http"}, getHelloTrace, []string{"== <stdin>"}, getHelloTrace)},
		},
		{
			name:   "flags after the file",
			reason: "flags may follow the file names",
			args:   []string{"parse", "good.http", "--type", "request"},
			files:  map[string]string{"good.http": getHello},
			want:   outcome{Code: ExitOK, Stdout: getHelloTrace},
		},
		{
			name:   "double dash",
			reason: `after "--" an argument that looks like a flag is a file name`,
			args:   []string{"parse", "--", "-x.http"},
			files:  map[string]string{"-x.http": getHello},
			want:   outcome{Code: ExitOK, Stdout: getHelloTrace},
		},
		{
			name:   "split all without divergence",
			reason: "every split size from 1 to 42 gives the whole-input trace; stdout is that trace, stderr says so",
			args:   []string{"parse", "--split", "all"},
			stdin:  getHello,
			want: outcome{Code: ExitOK, Stdout: getHelloTrace,
				Stderr: []string{`<stdin>: the trace is the same at every split size from 1 to 42`}},
		},
		{
			name:   "split all with a parse error",
			reason: "an input with an error still gets exit 3 when all split sizes agree",
			args:   []string{"parse", "--split=all"},
			stdin:  hostSpaceColon,
			want: outcome{Code: ExitFound, Stdout: concat(hostSpaceColonHead, []string{hostSpaceColonError}),
				Stderr: []string{
					`<stdin>:2:5: HPE_INVALID_HEADER_TOKEN at offset 20: Whitespace between header field name and colon`,
					`<stdin>: the trace is the same at every split size from 1 to 28`,
				}},
		},
		{
			name:   "split all on the tunnel",
			reason: "the tunnel bytes are never parsed, whatever the split",
			args:   []string{"parse", "--split", "all"},
			stdin:  connect,
			want: outcome{Code: ExitOK, Stdout: connectTrace,
				Stderr: []string{
					`<stdin>:4:1: the protocol switches at offset 47; 10 bytes follow for the tunnel, not parsed as HTTP`,
					`<stdin>: the trace is the same at every split size from 1 to 57`,
				}},
		},
		{
			name:   "empty input",
			reason: "no bytes, no events, no error, even at EOF",
			args:   []string{"parse", "--finish"},
			stdin:  "",
			want:   outcome{Code: ExitOK},
		},
		{
			name:   "empty input split all",
			reason: "there is no split size to try; say so rather than claim agreement",
			args:   []string{"parse", "--split", "all"},
			stdin:  "",
			want:   outcome{Code: ExitOK, Stderr: []string{`<stdin>: the input is empty; there is nothing to split`}},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if tt.files != nil {
				writeFiles(t, tt.files)
			}
			got := runConform(t, t.Context(), tt.args, tt.stdin)
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("conform %s: %s\n(-want +got):\n%s", strings.Join(tt.args, " "), tt.reason, diff)
			}
		})
	}
}

func TestUsageErrors(t *testing.T) {
	tests := []struct {
		name   string
		reason string
		args   []string
		stdin  string
		want   string // the one line on stderr
	}{
		{
			name:   "unknown flag",
			reason: "a misspelt flag is named and the known ones listed",
			args:   []string{"parse", "--typ", "request"},
			want:   `conform parse: unknown flag --typ: conform parse takes --type, --lenient, --max-header-size, --finish, --head, --split and --escapes (run "conform help parse" for details)`,
		},
		{
			name:   "bad type",
			reason: "the allowed types are listed",
			args:   []string{"parse", "--type", "req"},
			want:   `conform parse: --type "req": want request, response or both`,
		},
		{
			name:   "bad lenient name",
			reason: "an unknown lenient mode is named and the known ones listed",
			args:   []string{"parse", "--lenient", "headers,bogus"},
			want:   `conform parse: --lenient "headers,bogus": unknown lenient flag "bogus" (known: all, headers, chunked-length, keep-alive, transfer-encoding, version, data-after-close, optional-lf-after-cr, optional-crlf-after-chunk, optional-cr-before-lf, spaces-after-chunk-size, spaces, target)`,
		},
		{
			name:   "zero split",
			reason: "a split size must be positive",
			args:   []string{"parse", "--split", "0"},
			want:   `conform parse: --split "0": want a number of bytes, 1 or more, or "all" for every split size`,
		},
		{
			name:   "missing value",
			reason: "a value flag at the end of the line says what value it wants",
			args:   []string{"parse", "--split"},
			want:   `conform parse: --split needs a value: --split N|all`,
		},
		{
			name:   "bad header size",
			reason: "the message says what zero and negative mean",
			args:   []string{"parse", "--max-header-size=16k"},
			want:   `conform parse: --max-header-size "16k": want a whole number of bytes (0: the default, 16384; negative: no limit)`,
		},
		{
			name:   "boolean with a value",
			reason: "a boolean flag takes no value",
			args:   []string{"parse", "--finish=yes"},
			want:   `conform parse: --finish takes no value, got "yes": write --finish alone to turn it on`,
		},
		{
			name:   "head on requests",
			reason: "--head cannot apply when only requests are read",
			args:   []string{"parse", "--head", "--type", "request"},
			want:   `conform parse: --head says how to read responses, but --type request reads only requests: drop --head, or use --type response or both`,
		},
		{
			name:   "stdin twice",
			reason: "standard input can be read once",
			args:   []string{"parse", "-", "-"},
			want:   `conform parse: standard input ("-") given twice: it can be read only once`,
		},
		{
			name:   "bad escape",
			reason: "malformed --escapes text is placed by line and column",
			args:   []string{"parse", "--escapes"},
			stdin:  "GET / HTTP/1.1\nHost: \\q\n",
			want:   `conform parse: <stdin>:2:7: unknown escape "\q"; the escapes are \r \n \t \xNN \\ and \", and a line break stands for CRLF (--escapes reads the input as visible-escape text)`,
		},
		{
			name:   "close command name",
			reason: "a near miss gets a suggestion",
			args:   []string{"pasre"},
			want:   `conform: unknown command "pasre"; did you mean "parse"? The commands are ` + strings.Join(commandNames(), ", "),
		},
		{
			name:   "unknown command",
			reason: "a far miss gets the list",
			args:   []string{"frobnicate"},
			want:   `conform: unknown command "frobnicate"; the commands are ` + strings.Join(commandNames(), ", ") + ` (run "conform help" for more)`,
		},
		{
			name:   "flag before the command",
			reason: "flags belong after the command name",
			args:   []string{"--type", "request", "parse"},
			want:   `conform: flag --type before the command; flags go after the command name (conform <command> [flags]); run "conform help" for the commands`,
		},
		{
			name:   "help of an unknown command",
			reason: "help checks its argument like the dispatcher",
			args:   []string{"help", "prase"},
			want:   `conform help: unknown command "prase"; did you mean "parse"? The commands are ` + strings.Join(commandNames(), ", "),
		},
		{
			name:   "help with two names",
			reason: "help takes one command at most",
			args:   []string{"help", "parse", "version"},
			want:   `conform help: help takes at most one command name, got 2 arguments: conform help [command]`,
		},
		{
			name:   "version with an argument",
			reason: "version takes nothing",
			args:   []string{"version", "now"},
			want:   `conform version: version takes no arguments, got ["now"]: conform version`,
		},
		{
			name:   "version with a flag",
			reason: "a command without flags says so",
			args:   []string{"version", "--short"},
			want:   `conform version: unknown flag --short: conform version takes no flags`,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := runConform(t, t.Context(), tt.args, tt.stdin)
			want := outcome{Code: ExitUsage, Stderr: []string{tt.want}}
			if diff := cmp.Diff(want, got); diff != "" {
				t.Errorf("conform %s: %s\n(-want +got):\n%s", strings.Join(tt.args, " "), tt.reason, diff)
			}
		})
	}
}

func TestNoCommand(t *testing.T) {
	got := runConform(t, t.Context(), nil, "")
	want := outcome{
		Code:   ExitUsage,
		Stderr: concat(splitLines(overview()), []string{`conform: no command given; run "conform help" for the list`}),
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("conform with no arguments prints the overview and a usage error (-want +got):\n%s", diff)
	}
}

// failingWriter fails every write, like a closed pipe.
type failingWriter struct{}

func (failingWriter) Write([]byte) (int, error) { return 0, errors.New("broken pipe") }

func TestHarnessErrors(t *testing.T) {
	t.Run("missing file", func(t *testing.T) {
		writeFiles(t, nil)
		got := runConform(t, t.Context(), []string{"parse", "missing.http"}, "")
		want := outcome{Code: ExitHarness, Stderr: []string{"conform parse: open missing.http: no such file or directory"}}
		if diff := cmp.Diff(want, got); diff != "" {
			t.Errorf("an unreadable file is a harness error, reported before any output (-want +got):\n%s", diff)
		}
	})
	t.Run("missing file among good ones", func(t *testing.T) {
		writeFiles(t, map[string]string{"good.http": getHello})
		got := runConform(t, t.Context(), []string{"parse", "good.http", "missing.http"}, "")
		want := outcome{Code: ExitHarness, Stderr: []string{"conform parse: open missing.http: no such file or directory"}}
		if diff := cmp.Diff(want, got); diff != "" {
			t.Errorf("inputs are read before any is parsed, so nothing is printed (-want +got):\n%s", diff)
		}
	})
	t.Run("stdout fails", func(t *testing.T) {
		var stderr bytes.Buffer
		err := Run(t.Context(), []string{"parse"}, strings.NewReader(getHello), failingWriter{}, &stderr)
		got := outcome{Code: exitStatus(t, err), Stderr: splitLines(stderr.String())}
		want := outcome{Code: ExitHarness, Stderr: []string{"conform parse: writing output: broken pipe"}}
		if diff := cmp.Diff(want, got); diff != "" {
			t.Errorf("a trace that could not be written is not a success (-want +got):\n%s", diff)
		}
	})
	t.Run("cancelled", func(t *testing.T) {
		ctx, cancel := context.WithCancel(t.Context())
		cancel()
		got := runConform(t, ctx, []string{"parse"}, getHello)
		want := outcome{Code: ExitHarness, Stderr: []string{"conform parse: stopped before <stdin>: context canceled"}}
		if diff := cmp.Diff(want, got); diff != "" {
			t.Errorf("an interrupted run is a harness error (-want +got):\n%s", diff)
		}
	})
}

func TestNilStreams(t *testing.T) {
	err := Run(t.Context(), []string{"parse", "--finish"}, nil, nil, nil)
	if err != nil {
		t.Errorf("Run with nil streams: %v; want nil (empty input parses cleanly)", err)
	}
	err = Run(t.Context(), []string{"parse", "--nope"}, nil, nil, nil)
	if got := exitStatus(t, err); got != ExitUsage {
		t.Errorf("Run with nil streams and a bad flag: exit %d, want %d", got, ExitUsage)
	}
}
