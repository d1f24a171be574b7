package fuzz

import (
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/conformhttp/conform/impl/parser"
)

// step is one event fed to a Checker by hand.
type step func(c *Checker)

func begin(off int64, typ parser.Type) step {
	return func(c *Checker) { c.messageBegin(off, typ) }
}
func span(k kind, off, n int64) step {
	return func(c *Checker) { c.span(k, off, c.in[off:off+n]) }
}
func spanBytes(k kind, off int64, b string) step {
	return func(c *Checker) { c.span(k, off, []byte(b)) }
}
func done(k kind, off int64) step { return func(c *Checker) { c.complete(k, off) } }
func head(off int64, h headInfo) step {
	return func(c *Checker) { c.headersComplete(off, h) }
}
func chunkHead(off int64, size uint64) step { return func(c *Checker) { c.chunkHeader(off, size) } }
func chunkDone(off int64) step              { return func(c *Checker) { c.chunkComplete(off) } }
func msgDone(off int64, e endInfo) step     { return func(c *Checker) { c.messageComplete(off, e) } }
func resetEv(off int64) step                { return func(c *Checker) { c.reset(off) } }
func finishing(on bool) step                { return func(c *Checker) { c.finishing = on } }

// getLine is the start line and head of "GET / HTTP/1.1\r\n\r\n" (18 bytes).
func getLine(base int64) []step {
	return []step{
		begin(base, parser.Request),
		span(kMethod, base, 3), done(kMethod, base+3),
		span(kURL, base+4, 1), done(kURL, base+6),
		span(kProtocol, base+6, 4), done(kProtocol, base+10),
		span(kVersion, base+11, 3), done(kVersion, base+14),
	}
}

var get11 = headInfo{typ: parser.Request, method: parser.MethodGet, major: 1, minor: 1}

func steps(parts ...[]step) []step {
	var out []step
	for _, p := range parts {
		out = append(out, p...)
	}
	return out
}

func TestCheckerEvents(t *testing.T) {
	const get = "GET / HTTP/1.1\r\n\r\n"
	const post = "POST / HTTP/1.1\r\nContent-Length: 3\r\n\r\nabc"
	postLine := []step{
		begin(0, parser.Request),
		span(kMethod, 0, 4), done(kMethod, 4),
		span(kURL, 5, 1), done(kURL, 7),
		span(kProtocol, 7, 4), done(kProtocol, 11),
		span(kVersion, 12, 3), done(kVersion, 15),
		span(kField, 17, 14), done(kField, 32),
		span(kValue, 33, 1), done(kValue, 36),
	}
	post11 := headInfo{typ: parser.Request, method: parser.MethodPost, major: 1, minor: 1,
		flags: parser.FlagContentLength, contentLength: 3}
	keep := endInfo{keepAlive: true, messages: 1, flags: parser.FlagContentLength}
	const chunked = "POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n2\r\nab\r\n0\r\n\r\n"
	chunkedHead := []step{
		begin(0, parser.Request),
		span(kMethod, 0, 4), done(kMethod, 4),
		span(kURL, 5, 1), done(kURL, 7),
		span(kProtocol, 7, 4), done(kProtocol, 11),
		span(kVersion, 12, 3), done(kVersion, 15),
		span(kField, 17, 17), done(kField, 35),
		span(kValue, 36, 7), done(kValue, 45),
		head(47, headInfo{typ: parser.Request, method: parser.MethodPost, major: 1, minor: 1,
			flags: parser.FlagTransferEncoding | parser.FlagChunked}),
	}
	chunkedEnd := endInfo{keepAlive: true, messages: 1, flags: parser.FlagTransferEncoding | parser.FlagChunked | parser.FlagTrailing}

	tests := []struct {
		name, reason string
		in           string
		opts         Options
		steps        []step
		want         string // "" for no violation, else a part of the violation
	}{
		{"get", "a well-formed message has no violation", get,
			Options{}, steps(getLine(0), []step{head(18, get11), msgDone(18, endInfo{keepAlive: true, messages: 1})}), ""},
		{"post", "a Content-Length body of the declared length is fine", post,
			Options{}, steps(postLine, []step{head(38, post11), span(kBody, 38, 3), msgDone(41, keep)}), ""},
		{"chunked", "a chunked body as long as its chunk sizes is fine", chunked,
			Options{}, steps(chunkedHead, []step{chunkHead(50, 2), span(kBody, 50, 2), chunkDone(54),
				chunkHead(57, 0), chunkDone(59), msgDone(59, chunkedEnd)}), ""},
		{"pipeline", "a second message after a reset event is fine", get + get,
			Options{}, steps(getLine(0), []step{head(18, get11), msgDone(18, endInfo{keepAlive: true, messages: 1}), resetEv(18)},
				getLine(18), []step{head(36, get11), msgDone(36, endInfo{keepAlive: true, messages: 2})}), ""},
		{"value-before-field", "a header value may not come before its field name", post,
			Options{}, steps(postLine[:9], []step{span(kValue, 33, 1)}), "span out of order"},
		{"complete-before-head", "message complete needs headers complete first", get,
			Options{}, steps(getLine(0), []step{msgDone(18, endInfo{keepAlive: true, messages: 1})}), "message complete before the message is whole"},
		{"offset-back", "event offsets never go back", get,
			Options{}, steps(getLine(0)[:3], []step{span(kURL, 2, 1)}), "event offset goes back"},
		{"wrong-bytes", "span bytes must be the input's bytes at their offset", get,
			Options{}, []step{begin(0, parser.Request), spanBytes(kMethod, 0, "PUT")}, "span bytes differ"},
		{"outside", "a span may not end past the input", get,
			Options{}, []step{begin(0, parser.Request), spanBytes(kMethod, 16, "\r\n\r\n")}, "span ends outside the input"},
		{"gap", "fragments of one span are contiguous", get,
			Options{}, steps(getLine(0)[:3], []step{span(kURL, 4, 1), span(kURL, 6, 1)}), "not contiguous"},
		{"interleaved", "a span may not begin while another is open", get,
			Options{}, steps(getLine(0)[:4], []step{span(kProtocol, 6, 4)}), "while another span is open"},
		{"body-too-long", "no more body bytes than Content-Length", post + "d",
			Options{}, steps(postLine, []step{head(38, post11), span(kBody, 38, 4)}), "more body bytes than Content-Length"},
		{"body-too-short", "message complete only after Content-Length bytes", post,
			Options{}, steps(postLine, []step{head(38, post11), span(kBody, 38, 2), msgDone(41, keep)}), "body length differs from Content-Length"},
		{"cl-mismatch", "ContentLength() is the Content-Length field's value", post,
			Options{}, steps(postLine, []step{head(38, headInfo{typ: parser.Request, method: parser.MethodPost, major: 1, minor: 1,
				flags: parser.FlagContentLength, contentLength: 4})}), "ContentLength() differs"},
		{"chunk-complete-first", "chunk complete needs a chunk header", chunked,
			Options{}, steps(chunkedHead, []step{chunkDone(50)}), "chunk complete without a chunk"},
		{"chunk-short", "a chunk completes after its data", chunked,
			Options{}, steps(chunkedHead, []step{chunkHead(50, 2), span(kBody, 50, 1), chunkDone(54)}), "chunk complete before the chunk's data"},
		{"no-reset", "a second message is announced by a reset event", get + get,
			Options{}, steps(getLine(0), []step{head(18, get11), msgDone(18, endInfo{keepAlive: true, messages: 1})}, getLine(18)),
			"without a reset event"},
		{"after-close", "no message after one that closes the connection", get + get,
			Options{}, steps(getLine(0), []step{head(18, headInfo{typ: parser.Request, method: parser.MethodGet, major: 1, minor: 1,
				flags: parser.FlagConnectionClose}), msgDone(18, endInfo{messages: 1, flags: parser.FlagConnectionClose}), resetEv(18)}, getLine(18)),
			"after a message that closes the connection"},
		{"keep-alive", "ShouldKeepAlive follows Connection: close", get,
			Options{}, steps(getLine(0), []step{head(18, headInfo{typ: parser.Request, method: parser.MethodGet, major: 1, minor: 1,
				flags: parser.FlagConnectionClose}), msgDone(18, endInfo{keepAlive: true, messages: 1, flags: parser.FlagConnectionClose})}),
			"ShouldKeepAlive() differs"},
		{"upgrade", "Upgrade() is true for an Upgrade request with Connection: upgrade", get,
			Options{}, steps(getLine(0), []step{head(18, headInfo{typ: parser.Request, method: parser.MethodGet, major: 1, minor: 1,
				flags: parser.FlagUpgrade | parser.FlagConnectionUpgrade}), msgDone(18, endInfo{keepAlive: true, messages: 1})}),
			"Upgrade() differs"},
		{"after-upgrade", "no event after a message that switched protocols", get + "x",
			Options{}, steps(getLine(0), []step{head(18, headInfo{typ: parser.Request, method: parser.MethodGet, major: 1, minor: 1,
				flags: parser.FlagUpgrade | parser.FlagConnectionUpgrade}),
				msgDone(18, endInfo{upgrade: true, messages: 1, flags: parser.FlagUpgrade | parser.FlagConnectionUpgrade}),
				resetEv(18)}), "after a message that switched protocols"},
		{"eof-early", "a body read until EOF ends only at Finish", "HTTP/1.1 200 OK\r\n\r\nabc",
			Options{}, []step{begin(0, parser.Response), span(kProtocol, 0, 4), done(kProtocol, 4), span(kVersion, 5, 3), done(kVersion, 8),
				span(kStatus, 13, 2), done(kStatus, 17), head(19, headInfo{typ: parser.Response, status: 200, major: 1, minor: 1}),
				span(kBody, 19, 3), msgDone(22, endInfo{messages: 1})}, "ends before EOF"},
		{"eof-at-finish", "a body read until EOF ends at Finish", "HTTP/1.1 200 OK\r\n\r\nabc",
			Options{}, []step{begin(0, parser.Response), span(kProtocol, 0, 4), done(kProtocol, 4), span(kVersion, 5, 3), done(kVersion, 8),
				span(kStatus, 13, 2), done(kStatus, 17), head(19, headInfo{typ: parser.Response, status: 200, major: 1, minor: 1}),
				span(kBody, 19, 3), finishing(true), msgDone(22, endInfo{messages: 1})}, ""},
		{"skip-body", "a SkipBody decision leaves the message without a body", "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nab",
			Options{Decide: [4]parser.HeadersDecision{parser.SkipBody}},
			[]step{begin(0, parser.Response), span(kProtocol, 0, 4), done(kProtocol, 4), span(kVersion, 5, 3), done(kVersion, 8),
				span(kStatus, 13, 2), done(kStatus, 17), span(kField, 17, 14), done(kField, 32), span(kValue, 33, 1), done(kValue, 36),
				head(38, headInfo{typ: parser.Response, status: 200, major: 1, minor: 1, flags: parser.FlagContentLength, contentLength: 2}),
				span(kBody, 38, 2)}, "body bytes in a message without a body"},
		{"fold", "an obs-fold in a response becomes one SP, then the value goes on after the fold's whitespace", "HTTP/1.1 200 OK\r\nX: a\r\n\t b\r\n\r\n",
			Options{}, []step{begin(0, parser.Response), span(kProtocol, 0, 4), done(kProtocol, 4), span(kVersion, 5, 3), done(kVersion, 8),
				span(kStatus, 13, 2), done(kStatus, 17), span(kField, 17, 1), done(kField, 19), span(kValue, 20, 1), spanBytes(kValue, 23, " "),
				span(kValue, 25, 1), done(kValue, 28)}, ""},
		{"fold-raw", "the fold's whitespace is not the value", "HTTP/1.1 200 OK\r\nX: a\r\n\t b\r\n\r\n",
			Options{}, []step{begin(0, parser.Response), span(kProtocol, 0, 4), done(kProtocol, 4), span(kVersion, 5, 3), done(kVersion, 8),
				span(kStatus, 13, 2), done(kStatus, 17), span(kField, 17, 1), done(kField, 19), span(kValue, 20, 1), span(kValue, 23, 3)},
			"not contiguous"},
		{"fold-twice", "a fold's SP, the rest of its whitespace, a bare CR and another fold", "GET / HTTP/1.0\r0:\r  \r b",
			Options{Lenient: parser.LenientHeaders | parser.LenientOptionalLFAfterCR},
			[]step{begin(0, parser.Request), span(kMethod, 0, 3), done(kMethod, 3), span(kURL, 4, 1), done(kURL, 6),
				span(kProtocol, 6, 4), done(kProtocol, 10), span(kVersion, 11, 3), done(kVersion, 14),
				span(kField, 15, 1), done(kField, 17), spanBytes(kValue, 18, " "), spanBytes(kValue, 21, " "), span(kValue, 22, 1)}, ""},
		{"fold-strict-request", "without LenientHeaders a request value has no obs-fold", "GET / HTTP/1.1\r\nX: a\r\n b\r\n\r\n",
			Options{}, steps(getLine(0), []step{span(kField, 16, 1), done(kField, 18), span(kValue, 19, 1), spanBytes(kValue, 22, " ")}),
			"not contiguous"},
		{"ext-value-alone", "a chunk extension value follows its name", chunked,
			Options{}, steps(chunkedHead, []step{spanBytes(kExtValue, 47, "2")}), "span out of order"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := NewChecker([]byte(tt.in), tt.opts)
			for _, s := range tt.steps {
				s(c)
			}
			err := c.Err()
			switch {
			case tt.want == "" && err != nil:
				t.Errorf("%s: unexpected violation: %v", tt.reason, err)
			case tt.want != "" && err == nil:
				t.Errorf("%s: no violation; want one about %q", tt.reason, tt.want)
			case tt.want != "" && !strings.Contains(err.Error(), tt.want):
				t.Errorf("%s: violation %q; want one about %q", tt.reason, err, tt.want)
			}
		})
	}
}

func TestCheckerCalls(t *testing.T) {
	const in = "GET / HTTP/1.1\r\n\r\n"
	perr := func(code parser.Errno, off int64, reason string) error {
		return &parser.Error{Code: code, Offset: off, Reason: reason}
	}
	tests := []struct {
		name, reason string
		base         int64
		size, n      int
		err          error
		want         string
	}{
		{"ok", "all consumed, no error", 0, 18, 18, nil, ""},
		{"short", "no error means every byte consumed", 0, 18, 10, nil, "without consuming its input"},
		{"over", "never more than the input", 0, 18, 19, nil, "count outside its input"},
		{"error-ok", "an error at the byte where Execute stopped", 0, 18, 3, perr(parser.ErrInvalidMethod, 3, "bad"), ""},
		{"error-elsewhere", "the error offset is where Execute stopped", 0, 18, 3, perr(parser.ErrInvalidMethod, 5, "bad"), "not where Execute stopped"},
		{"error-outside", "the error offset lies inside the input", 0, 18, 18, perr(parser.ErrInvalidMethod, 40, "bad"), "outside the input"},
		{"earlier-input", "an error in an earlier input consumes nothing", 10, 8, 2, perr(parser.ErrInvalidMethod, 3, "bad"), "earlier input"},
		{"no-reason", "every error says why", 0, 18, 3, perr(parser.ErrInvalidMethod, 3, ""), "without a reason"},
		{"paused", "nothing paused, so no ErrPaused", 0, 18, 3, perr(parser.ErrPaused, 3, "paused"), "ErrPaused"},
		{"upgrade", "ErrPausedUpgrade only after a protocol switch", 0, 18, 18, perr(parser.ErrPausedUpgrade, 18, "up"), "ErrPausedUpgrade"},
		{"foreign", "errors are *parser.Error", 0, 18, 3, parser.ErrInvalidMethod, "not a *parser.Error"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := NewChecker([]byte(in), Options{})
			c.afterCall(tt.base, tt.size, tt.n, tt.err)
			err := c.Err()
			switch {
			case tt.want == "" && err != nil:
				t.Errorf("%s: unexpected violation: %v", tt.reason, err)
			case tt.want != "" && (err == nil || !strings.Contains(err.Error(), tt.want)):
				t.Errorf("%s: violation %v; want one about %q", tt.reason, err, tt.want)
			}
		})
	}
}

func TestCheckParseAllocations(t *testing.T) {
	tests := []struct {
		name, reason string
		allocs       float64
		in           string
		want         bool // a failure expected
	}{
		{"clean-none", "a clean parse may not allocate", 0, "GET / HTTP/1.1\r\n\r\n", false},
		{"clean-one", "one allocation in a clean parse is a failure", 1, "GET / HTTP/1.1\r\n\r\n", true},
		{"error-one", "a parse that fails may allocate its error", 1, "BAD / HTTP/1.1\r\n\r\n", false},
		{"error-two", "but nothing more", 2, "BAD / HTTP/1.1\r\n\r\n", true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			fake := func(int, func()) float64 { return tt.allocs }
			err := CheckParse(parser.Request, append(Options{}.Encode(), tt.in...), fake)
			if (err != nil) != tt.want {
				t.Errorf("%s: CheckParse = %v; want failure %v", tt.reason, err, tt.want)
			}
		})
	}
	// And the real measurement of a real parse.
	in := append(Options{}.Encode(), "POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n3;a=b\r\nabc\r\n0\r\nT: v\r\n\r\n"...)
	if err := CheckParse(parser.Request, in, MeasureAllocs); err != nil {
		t.Error(err)
	}
}

func TestMeasureAllocs(t *testing.T) {
	var sink *[64]byte
	three := func() {
		for range 3 {
			sink = new([64]byte)
		}
	}
	if got, want := MeasureAllocs(10, three), testing.AllocsPerRun(10, three); got != want || got != 3 {
		t.Errorf("MeasureAllocs = %v, testing.AllocsPerRun = %v; want 3 from both", got, want)
	}
	_ = sink
}

func TestOptionsEncode(t *testing.T) {
	tests := []struct {
		name, reason string
		o            Options
	}{
		{"zero", "strict, default limit, both types", Options{}},
		{"all", "every lenient mode, response, no limit", Options{Lenient: parser.LenientAll, Type: parser.Response, MaxHeaderSize: -1}},
		{"small", "a small head limit and decisions", Options{Type: parser.Request, MaxHeaderSize: 48,
			Decide: [4]parser.HeadersDecision{parser.SkipBody, parser.Proceed, parser.SkipBodyUpgrade, parser.SkipBody}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, rest := DecodeOptions(append(tt.o.Encode(), "xy"...))
			if diff := cmp.Diff(tt.o, got); diff != "" {
				t.Errorf("%s: options (-want +got):\n%s", tt.reason, diff)
			}
			if string(rest) != "xy" {
				t.Errorf("%s: rest %q; want %q", tt.reason, rest, "xy")
			}
		})
	}
	if o, rest := DecodeOptions([]byte{1}); o.Lenient != parser.LenientHeaders || len(rest) != 0 {
		t.Errorf("a short input reads as padded with zeros: got %+v, rest %q", o, rest)
	}
}

func TestPlanEncode(t *testing.T) {
	tests := []struct {
		name, reason string
		pl           Plan
	}{
		{"bytewise", "no pieces means one byte at a time", Plan{PauseEvery: 2}},
		{"pieces", "piece lengths from 1 to 256", Plan{Pieces: []int{1, 7, 256}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, rest := DecodePlan(append(tt.pl.Encode(), 'z'))
			if diff := cmp.Diff(tt.pl, got); diff != "" {
				t.Errorf("%s: plan (-want +got):\n%s", tt.reason, diff)
			}
			if string(rest) != "z" {
				t.Errorf("%s: rest %q; want %q", tt.reason, rest, "z")
			}
		})
	}
}
