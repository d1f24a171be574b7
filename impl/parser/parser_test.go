package parser_test

import (
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/conformhttp/conform/impl/parser"
	"github.com/google/go-cmp/cmp"
)

func trace(t *testing.T, cfg parser.Config, in string, opt parser.TraceOptions) ([]string, error) {
	t.Helper()
	ev, err := parser.Trace(cfg, []byte(in), opt)
	return parser.Lines(ev), err
}

func errCode(err error) parser.Errno {
	var pe *parser.Error
	if errors.As(err, &pe) {
		return pe.Code
	}
	return parser.OK
}

func TestErrorsMatch(t *testing.T) {
	p := parser.New(parser.Config{Type: parser.Request}, nil)
	_, err := p.Execute([]byte("GET / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\nzz"))
	if !errors.Is(err, parser.ErrInvalidChunkSize) {
		t.Fatalf("errors.Is(%v, ErrInvalidChunkSize) = false", err)
	}
	if errors.Is(err, parser.ErrInvalidMethod) {
		t.Fatalf("error matches the wrong code")
	}
	var pe *parser.Error
	if !errors.As(err, &pe) || pe.Offset != 46 {
		t.Fatalf("want *Error at offset 46, got %#v", err)
	}
	if got := pe.Code.String(); got != "HPE_INVALID_CHUNK_SIZE" {
		t.Errorf("Code.String() = %q", got)
	}
	// Sticky until Reset.
	n, err2 := p.Execute([]byte("0\r\n\r\n"))
	if n != 0 || err2 != err {
		t.Fatalf("after an error Execute = %d, %v; want 0 and the same error", n, err2)
	}
	if err := p.Finish(); err != pe {
		t.Fatalf("Finish after an error = %v", err)
	}
	p.Reset()
	if _, err := p.Execute([]byte("GET / HTTP/1.1\r\n\r\n")); err != nil {
		t.Fatalf("after Reset: %v", err)
	}
}

func TestErrnoNames(t *testing.T) {
	for code := parser.Errno(0); code < 70; code++ {
		name := code.String()
		if strings.HasPrefix(name, "HPE_UNKNOWN") {
			continue
		}
		back, ok := parser.ErrnoByName(name)
		if !ok || back != code {
			t.Errorf("ErrnoByName(%q) = %d, %v; want %d", name, back, ok, code)
		}
	}
	if _, ok := parser.ErrnoByName("HPE_NOPE"); ok {
		t.Error("ErrnoByName accepted an unknown name")
	}
}

func TestEveryMethod(t *testing.T) {
	for _, m := range parser.Methods() {
		target := "/"
		switch m {
		case parser.MethodConnect:
			target = "h:1"
		case parser.MethodPRI:
			continue // the HTTP/2 preface; tested below
		}
		in := m.String() + " " + target + " HTTP/1.1\r\n\r\n"
		var got parser.Method
		p := parser.New(parser.Config{Type: parser.Request}, &parser.Callbacks{
			OnHeadersComplete: func(p *parser.Parser) (parser.HeadersDecision, error) {
				got = p.Method()
				return parser.Proceed, nil
			},
		})
		_, err := p.Execute([]byte(in))
		if err != nil && !errors.Is(err, parser.ErrPausedUpgrade) {
			t.Errorf("%s: %v", m, err)
		}
		if got != m {
			t.Errorf("%q parsed as method %d, want %d", in, got, m)
		}
	}
}

func TestHTTP2Preface(t *testing.T) {
	p := parser.New(parser.Config{Type: parser.Request}, nil)
	in := []byte("PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n")
	n, err := p.Execute(in)
	if !errors.Is(err, parser.ErrPausedH2Upgrade) || n != 16 {
		t.Fatalf("Execute = %d, %v; want 16, HPE_PAUSED_H2_UPGRADE", n, err)
	}
}

// TestPauseResume pauses in every message-complete and checks that resuming
// at the returned offset gives the same events as an uninterrupted parse.
func TestPauseResume(t *testing.T) {
	in := []byte("GET /a HTTP/1.1\r\n\r\nPOST /b HTTP/1.1\r\nContent-Length: 3\r\n\r\nabcGET /c HTTP/1.1\r\n\r\n")
	var urls []string
	completes := 0
	p := parser.New(parser.Config{Type: parser.Request}, &parser.Callbacks{
		OnURL:             func(_ *parser.Parser, b []byte) error { urls = append(urls, string(b)); return nil },
		OnMessageComplete: func(p *parser.Parser) error { completes++; p.Pause(); return nil },
	})
	rest := in
	pauses := 0
	for len(rest) > 0 {
		n, err := p.Execute(rest)
		rest = rest[n:]
		if err == nil {
			break
		}
		if !errors.Is(err, parser.ErrPaused) {
			t.Fatalf("unexpected error %v", err)
		}
		pauses++
		// While paused, Execute consumes nothing.
		if n2, err2 := p.Execute(rest); n2 != 0 || !errors.Is(err2, parser.ErrPaused) {
			t.Fatalf("paused Execute = %d, %v", n2, err2)
		}
		p.Resume()
	}
	if diff := cmp.Diff([]string{"/a", "/b", "/c"}, urls); diff != "" {
		t.Errorf("urls (-want +got):\n%s", diff)
	}
	if pauses != 3 || completes != 3 {
		t.Errorf("pauses = %d, completes = %d; want 3, 3", pauses, completes)
	}
}

func TestCallbackErrors(t *testing.T) {
	boom := errors.New("boom")
	tests := []struct {
		name string
		cb   parser.Callbacks
		want parser.Errno
	}{
		{"span", parser.Callbacks{OnURL: func(*parser.Parser, []byte) error { return boom }}, parser.ErrUser},
		{"headers complete", parser.Callbacks{OnHeadersComplete: func(*parser.Parser) (parser.HeadersDecision, error) { return 0, boom }}, parser.ErrCBHeadersComplete},
		{"message begin", parser.Callbacks{OnMessageBegin: func(*parser.Parser) error { return boom }}, parser.ErrCBMessageBegin},
		{"message complete", parser.Callbacks{OnMessageComplete: func(*parser.Parser) error { return boom }}, parser.ErrCBMessageComplete},
		{"field complete", parser.Callbacks{OnHeaderFieldComplete: func(*parser.Parser) error { return boom }}, parser.ErrCBHeaderFieldComplete},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cb := tt.cb
			p := parser.New(parser.Config{Type: parser.Request}, &cb)
			_, err := p.Execute([]byte("GET / HTTP/1.1\r\nHost: a\r\n\r\n"))
			if !errors.Is(err, tt.want) || !errors.Is(err, boom) {
				t.Fatalf("got %v; want %v wrapping boom", err, tt.want)
			}
		})
	}
}

func TestUpgradeOffset(t *testing.T) {
	tests := []struct {
		name, in string
		typ      parser.Type
		decide   parser.HeadersDecision
		tunnel   string
	}{
		{"CONNECT", "CONNECT example.com:443 HTTP/1.1\r\nHost: example.com:443\r\n\r\n\x16\x03\x01", parser.Request, parser.Proceed, "\x16\x03\x01"},
		{"websocket upgrade", "GET /ws HTTP/1.1\r\nHost: a\r\nConnection: Upgrade\r\nUpgrade: websocket\r\n\r\n\x81\x05", parser.Request, parser.Proceed, "\x81\x05"},
		{"upgrade with body", "POST /u HTTP/1.1\r\nConnection: upgrade\r\nUpgrade: x\r\nContent-Length: 2\r\n\r\nhiTUNNEL", parser.Request, parser.Proceed, "TUNNEL"},
		{"101 response", "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n\r\nframes", parser.Response, parser.Proceed, "frames"},
		{"2xx to CONNECT", "HTTP/1.1 200 Connection established\r\n\r\nTLS", parser.Response, parser.SkipBodyUpgrade, "TLS"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			completes := 0
			p := parser.New(parser.Config{Type: tt.typ}, &parser.Callbacks{
				OnHeadersComplete: func(*parser.Parser) (parser.HeadersDecision, error) { return tt.decide, nil },
				OnMessageComplete: func(*parser.Parser) error { completes++; return nil },
			})
			in := []byte(tt.in)
			n, err := p.Execute(in)
			if !errors.Is(err, parser.ErrPausedUpgrade) {
				t.Fatalf("err = %v; want HPE_PAUSED_UPGRADE", err)
			}
			if got := string(in[n:]); got != tt.tunnel {
				t.Errorf("tunnel bytes = %q; want %q", got, tt.tunnel)
			}
			if completes != 1 || !p.Upgrade() {
				t.Errorf("completes = %d, Upgrade() = %v", completes, p.Upgrade())
			}
			// Sticky until ResumeAfterUpgrade.
			if _, err := p.Execute(in[n:]); !errors.Is(err, parser.ErrPausedUpgrade) {
				t.Errorf("second Execute = %v", err)
			}
			p.ResumeAfterUpgrade()
			if p.Err() != nil {
				t.Errorf("Err after ResumeAfterUpgrade = %v", p.Err())
			}
		})
	}
}

func TestKeepAliveAndEOF(t *testing.T) {
	tests := []struct {
		name, in  string
		typ       parser.Type
		keepAlive bool
		needsEOF  bool
	}{
		{"1.1 default", "GET / HTTP/1.1\r\n\r\n", parser.Request, true, false},
		{"1.1 close", "GET / HTTP/1.1\r\nConnection: close\r\n\r\n", parser.Request, false, false},
		{"1.1 close in list", "GET / HTTP/1.1\r\nConnection: foo, Close\r\n\r\n", parser.Request, false, false},
		{"1.0 default", "GET / HTTP/1.0\r\n\r\n", parser.Request, false, false},
		{"1.0 keep-alive", "GET / HTTP/1.0\r\nConnection: keep-alive\r\n\r\n", parser.Request, true, false},
		{"proxy-connection", "GET / HTTP/1.1\r\nProxy-Connection: close\r\n\r\n", parser.Request, false, false},
		{"response read until EOF", "HTTP/1.1 200 OK\r\n\r\n", parser.Response, false, true},
		{"response with length", "HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n", parser.Response, true, false},
		{"204 no body", "HTTP/1.1 204 No Content\r\n\r\n", parser.Response, true, false},
		{"304 no body", "HTTP/1.1 304 Not Modified\r\n\r\n", parser.Response, true, false},
		{"gzip coded response", "HTTP/1.1 200 OK\r\nTransfer-Encoding: gzip\r\n\r\n", parser.Response, false, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var ka, eof bool
			p := parser.New(parser.Config{Type: tt.typ}, &parser.Callbacks{
				OnHeadersComplete: func(p *parser.Parser) (parser.HeadersDecision, error) {
					ka, eof = p.ShouldKeepAlive(), p.MessageNeedsEOF()
					return parser.Proceed, nil
				},
			})
			if _, err := p.Execute([]byte(tt.in)); err != nil {
				t.Fatal(err)
			}
			if ka != tt.keepAlive || eof != tt.needsEOF {
				t.Errorf("ShouldKeepAlive = %v, MessageNeedsEOF = %v; want %v, %v", ka, eof, tt.keepAlive, tt.needsEOF)
			}
		})
	}
}

func TestFinish(t *testing.T) {
	tests := []struct {
		name, in string
		typ      parser.Type
		want     parser.Errno
		complete bool
	}{
		{"between messages", "GET / HTTP/1.1\r\n\r\n", parser.Request, parser.OK, true},
		{"empty", "", parser.Request, parser.OK, false},
		{"mid head", "GET / HTTP/1.1\r\nHost", parser.Request, parser.ErrInvalidEOFState, false},
		{"short body", "POST / HTTP/1.1\r\nContent-Length: 5\r\n\r\nab", parser.Request, parser.ErrInvalidEOFState, false},
		{"mid chunk", "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nab", parser.Response, parser.ErrInvalidEOFState, false},
		{"EOF body ends", "HTTP/1.1 200 OK\r\n\r\nhello", parser.Response, parser.OK, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			complete := false
			p := parser.New(parser.Config{Type: tt.typ}, &parser.Callbacks{
				OnMessageComplete: func(*parser.Parser) error { complete = true; return nil },
			})
			if _, err := p.Execute([]byte(tt.in)); err != nil {
				t.Fatal(err)
			}
			err := p.Finish()
			if errCode(err) != tt.want || complete != tt.complete {
				t.Errorf("Finish = %v (complete %v); want %v (complete %v)", err, complete, tt.want, tt.complete)
			}
		})
	}
}

func TestMaxHeaderSize(t *testing.T) {
	head := "GET / HTTP/1.1\r\nX: " + strings.Repeat("a", 100) + "\r\n\r\n"
	tests := []struct {
		name string
		max  int
		want parser.Errno
		off  int64
	}{
		{"exactly the limit", len(head), parser.OK, 0},
		{"one byte over", len(head) - 1, parser.ErrHeaderOverflow, int64(len(head) - 1)},
		{"far over", 20, parser.ErrHeaderOverflow, 20},
		{"no limit", -1, parser.OK, 0},
		{"default", 0, parser.OK, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			for split := 1; split <= len(head); split++ {
				_, err := parser.Trace(parser.Config{Type: parser.Request, MaxHeaderSize: tt.max}, []byte(head), parser.TraceOptions{Split: split})
				if errCode(err) != tt.want {
					t.Fatalf("split %d: %v; want %v", split, err, tt.want)
				}
				if tt.want != parser.OK && err.(*parser.Error).Offset != tt.off {
					t.Fatalf("split %d: offset %d; want %d", split, err.(*parser.Error).Offset, tt.off)
				}
			}
		})
	}
	// The default is Node's 16 KiB.
	big := "GET / HTTP/1.1\r\nX: " + strings.Repeat("a", parser.DefaultMaxHeaderSize) + "\r\n\r\n"
	if _, err := parser.Trace(parser.Config{Type: parser.Request}, []byte(big), parser.TraceOptions{}); !errors.Is(err, parser.ErrHeaderOverflow) {
		t.Errorf("17 KiB head with the default limit: %v", err)
	}
	// Each message of a pipeline has its own budget, and the body none.
	body := strings.Repeat("b", 1000)
	pipe := strings.Repeat("POST / HTTP/1.1\r\nContent-Length: 1000\r\n\r\n"+body, 3)
	if _, err := parser.Trace(parser.Config{Type: parser.Request, MaxHeaderSize: 64}, []byte(pipe), parser.TraceOptions{Split: 7}); err != nil {
		t.Errorf("pipeline with small heads: %v", err)
	}
}

// TestLenientFlags shows, for every lenient mode, an input that strict
// parsing rejects and that the mode accepts.
func TestLenientFlags(t *testing.T) {
	tests := []struct {
		flag   parser.Lenient
		typ    parser.Type
		in     string
		strict parser.Errno
	}{
		{parser.LenientHeaders, parser.Request, "GET / HTTP/1.1\r\nHost : a\r\n\r\n", parser.ErrInvalidHeaderToken},
		{parser.LenientHeaders, parser.Request, "GET / HTTP/1.1\r\nX: a\r\n b\r\n\r\n", parser.ErrInvalidHeaderToken},
		{parser.LenientHeaders, parser.Request, "GET / HTTP/1.1\r\nX: a\x01b\r\n\r\n", parser.ErrInvalidHeaderToken},
		{parser.LenientChunkedLength, parser.Request, "POST / HTTP/1.1\r\nContent-Length: 3\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n", parser.ErrInvalidContentLength},
		{parser.LenientKeepAlive, parser.Request, "GET / HTTP/1.1\r\nConnection: close\r\n\r\nGET / HTTP/1.1\r\n\r\n", parser.ErrClosedConnection},
		{parser.LenientTransferEncoding, parser.Request, "POST / HTTP/1.1\r\nTransfer-Encoding: gzip\r\n\r\n", parser.ErrInvalidTransferEncoding},
		{parser.LenientVersion, parser.Request, "GET / HTTP/2.0\r\n\r\n", parser.ErrInvalidVersion},
		{parser.LenientDataAfterClose, parser.Request, "GET / HTTP/1.0\r\n\r\nxyz", parser.ErrClosedConnection},
		{parser.LenientOptionalLFAfterCR, parser.Request, "GET / HTTP/1.1\rHost: a\r\n\r\n", parser.ErrLFExpected},
		{parser.LenientOptionalCRLFAfterChunk, parser.Request, "POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n2\r\nab0\r\n\r\n", parser.ErrCRExpected},
		{parser.LenientOptionalCRBeforeLF, parser.Request, "GET / HTTP/1.1\nHost: a\n\n", parser.ErrCRExpected},
		{parser.LenientSpacesAfterChunkSize, parser.Request, "POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n2 \r\nab\r\n0\r\n\r\n", parser.ErrInvalidChunkSize},
		{parser.LenientSpaces, parser.Request, "GET  / HTTP/1.1\r\n\r\n", parser.ErrInvalidURL},
		{parser.LenientTarget, parser.Request, "GET /a|b HTTP/1.1\r\n\r\n", parser.ErrInvalidURL},
	}
	seen := parser.Lenient(0)
	for _, tt := range tests {
		seen |= tt.flag
		t.Run(fmt.Sprintf("%s/%q", tt.flag, tt.in), func(t *testing.T) {
			_, err := parser.Trace(parser.Config{Type: tt.typ}, []byte(tt.in), parser.TraceOptions{})
			if errCode(err) != tt.strict {
				t.Errorf("strict: %v; want %v", err, tt.strict)
			}
			_, err = parser.Trace(parser.Config{Type: tt.typ, Lenient: tt.flag}, []byte(tt.in), parser.TraceOptions{})
			if err != nil {
				t.Errorf("with %s: %v; want no error", tt.flag, err)
			}
		})
	}
	if seen != parser.LenientAll {
		t.Errorf("lenient modes without a test: %s", parser.LenientAll&^seen)
	}
}

func TestParseLenient(t *testing.T) {
	for _, name := range parser.LenientNames() {
		l, err := parser.ParseLenient(name)
		if err != nil || l.String() != name {
			t.Errorf("ParseLenient(%q) = %v (%q), %v", name, l, l.String(), err)
		}
	}
	if l, err := parser.ParseLenient("all"); err != nil || l != parser.LenientAll {
		t.Errorf("all = %v, %v", l, err)
	}
	if _, err := parser.ParseLenient("headers,bogus"); err == nil || !strings.Contains(err.Error(), `"bogus"`) {
		t.Errorf("unknown flag error = %v", err)
	}
}

func TestBothDetects(t *testing.T) {
	tests := []struct{ in, want string }{
		{"HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n", "headers complete status=200"},
		{"HEAD / HTTP/1.1\r\n\r\n", "headers complete method=2"},
		{"GET / HTTP/1.1\r\n\r\n", "headers complete method=1"},
	}
	for _, tt := range tests {
		for split := 1; split <= len(tt.in); split++ {
			lines, err := trace(t, parser.Config{Type: parser.Both}, tt.in, parser.TraceOptions{Split: split})
			if err != nil || !strings.Contains(strings.Join(lines, "\n"), tt.want) {
				t.Fatalf("%q split %d: %v\n%s", tt.in, split, err, strings.Join(lines, "\n"))
			}
		}
	}
}

func TestSkipBody(t *testing.T) {
	in := "HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nHTTP/1.1 404 Not Found\r\nContent-Length: 0\r\n\r\n"
	var statuses []int
	p := parser.New(parser.Config{Type: parser.Response}, &parser.Callbacks{
		OnHeadersComplete: func(p *parser.Parser) (parser.HeadersDecision, error) {
			statuses = append(statuses, p.StatusCode())
			return parser.SkipBody, nil // both answer HEAD requests
		},
	})
	if _, err := p.Execute([]byte(in)); err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff([]int{200, 404}, statuses); diff != "" {
		t.Errorf("statuses (-want +got):\n%s", diff)
	}
}

func TestNoAllocations(t *testing.T) {
	for _, in := range benchInputs {
		data := loadBench(t, in.name)
		p := parser.New(parser.Config{Type: in.typ}, &parser.Callbacks{
			OnHeaderValue: func(*parser.Parser, []byte) error { return nil },
		})
		allocs := testing.AllocsPerRun(100, func() {
			p.Reset()
			if _, err := p.Execute(data); err != nil {
				t.Fatal(err)
			}
		})
		if allocs != 0 {
			t.Errorf("%s: %v allocations per message; want 0", in.name, allocs)
		}
	}
}

func ExampleParser() {
	// Spans may arrive in fragments: collect them until "complete".
	var field, value []byte
	p := parser.New(parser.Config{Type: parser.Request}, &parser.Callbacks{
		OnURL:         func(_ *parser.Parser, b []byte) error { fmt.Printf("target fragment %s\n", b); return nil },
		OnHeaderField: func(_ *parser.Parser, b []byte) error { field = append(field, b...); return nil },
		OnHeaderValue: func(_ *parser.Parser, b []byte) error { value = append(value, b...); return nil },
		OnHeaderValueComplete: func(*parser.Parser) error {
			fmt.Printf("%s: %s\n", field, value)
			field, value = field[:0], value[:0]
			return nil
		},
		OnHeadersComplete: func(p *parser.Parser) (parser.HeadersDecision, error) {
			fmt.Println("method", p.Method(), "keep-alive", p.ShouldKeepAlive())
			return parser.Proceed, nil
		},
	})
	// The input may arrive in any pieces.
	for _, part := range []string{"GET /hel", "lo HTTP/1.1\r\nHo", "st: example.com\r\n\r\n"} {
		if _, err := p.Execute([]byte(part)); err != nil {
			fmt.Println(err)
		}
	}
	// Output:
	// target fragment /hel
	// target fragment lo
	// Host: example.com
	// method GET keep-alive true
}

func ExampleTrace() {
	events, err := parser.Trace(parser.Config{Type: parser.Request},
		[]byte("POST / HTTP/1.1\r\nContent-Length: 1\r\nTransfer-Encoding: chunked\r\n\r\n"), parser.TraceOptions{})
	for _, line := range parser.Lines(events) {
		fmt.Println(line)
	}
	fmt.Println(err)
	// Output:
	// off=0 message begin
	// off=0 len=4 span[method]="POST"
	// off=4 method complete
	// off=5 len=1 span[url]="/"
	// off=7 url complete
	// off=7 len=4 span[protocol]="HTTP"
	// off=11 protocol complete
	// off=12 len=3 span[version]="1.1"
	// off=15 version complete
	// off=17 len=14 span[header_field]="Content-Length"
	// off=32 header_field complete
	// off=33 len=1 span[header_value]="1"
	// off=36 header_value complete
	// off=36 len=17 span[header_field]="Transfer-Encoding"
	// off=54 header_field complete
	// off=54 error code=11 reason="Transfer-Encoding can't be present with Content-Length"
	// HPE_INVALID_CONTENT_LENGTH at offset 54: Transfer-Encoding can't be present with Content-Length
}

func TestPauseDoesNotAllocate(t *testing.T) {
	in := []byte("GET / HTTP/1.1\r\n\r\n")
	p := parser.New(parser.Config{Type: parser.Request}, &parser.Callbacks{
		OnHeadersComplete: func(p *parser.Parser) (parser.HeadersDecision, error) { p.Pause(); return parser.Proceed, nil },
	})
	completes := 0
	allocs := testing.AllocsPerRun(50, func() {
		p.Reset()
		n, err := p.Execute(in)
		if parser.CodeOf(err) != parser.ErrPaused || p.Errno() != parser.ErrPaused {
			t.Fatalf("Execute = %d, %v; want a pause", n, err)
		}
		p.Resume()
		// The message has no body: its message complete is due, and an
		// empty Execute delivers it.
		if _, err := p.Execute(in[n:]); err != nil {
			t.Fatal(err)
		}
		completes++
	})
	if allocs != 0 {
		t.Errorf("%v allocations per paused message; want 0", allocs)
	}
	if parser.CodeOf(nil) != parser.OK || parser.CodeOf(errors.New("x")) != parser.OK || parser.CodeOf(parser.ErrInvalidURL) != parser.ErrInvalidURL {
		t.Error("CodeOf misreads nil, foreign or Errno errors")
	}
}

func TestEmptyExecuteCompletesAfterPause(t *testing.T) {
	done := false
	p := parser.New(parser.Config{Type: parser.Request}, &parser.Callbacks{
		OnHeadersComplete: func(p *parser.Parser) (parser.HeadersDecision, error) { p.Pause(); return parser.Proceed, nil },
		OnMessageComplete: func(*parser.Parser) error { done = true; return nil },
	})
	if _, err := p.Execute([]byte("HEAD / HTTP/1.1\r\n\r\n")); parser.CodeOf(err) != parser.ErrPaused {
		t.Fatalf("want a pause, got %v", err)
	}
	if done {
		t.Fatal("message complete before the pause was resumed")
	}
	p.Resume()
	if _, err := p.Execute(nil); err != nil || !done {
		t.Fatalf("Execute(nil) after Resume = %v, message complete %v", err, done)
	}
}

func TestPositionAndVersionAtError(t *testing.T) {
	p := parser.New(parser.Config{Type: parser.Request}, nil)
	in := []byte("GET / HTTP/2.0\r\n\r\n")
	n, err := p.Execute(in[:7])
	if err != nil || n != 7 || p.Position() != 7 {
		t.Fatalf("Execute = %d, %v; Position = %d; want 7, nil, 7", n, err, p.Position())
	}
	_, err = p.Execute(in[7:])
	if parser.CodeOf(err) != parser.ErrInvalidVersion {
		t.Fatalf("err = %v; want HPE_INVALID_VERSION", err)
	}
	if major, minor := p.Version(); major != 2 || minor != 0 {
		t.Errorf("Version() after the error = %d.%d; want 2.0 (an unsupported, well-formed version)", major, minor)
	}
}

func TestPauseInReset(t *testing.T) {
	resets, begins := 0, 0
	p := parser.New(parser.Config{Type: parser.Request}, &parser.Callbacks{
		OnReset:        func(p *parser.Parser) error { resets++; p.Pause(); return nil },
		OnMessageBegin: func(*parser.Parser) error { begins++; return nil },
	})
	rest := []byte("GET /a HTTP/1.1\r\n\r\nGET /b HTTP/1.1\r\n\r\nGET /c HTTP/1.1\r\n\r\n")
	for steps := 0; len(rest) > 0; steps++ {
		if steps > 10 {
			t.Fatalf("no progress after %d pauses (resets %d, begins %d)", steps, resets, begins)
		}
		n, err := p.Execute(rest)
		rest = rest[n:]
		if err == nil {
			break
		}
		if parser.CodeOf(err) != parser.ErrPaused {
			t.Fatal(err)
		}
		p.Resume()
	}
	if resets != 2 || begins != 3 {
		t.Errorf("resets = %d, begins = %d; want 2 and 3", resets, begins)
	}
}
