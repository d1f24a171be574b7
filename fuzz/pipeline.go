package fuzz

import (
	"errors"
	"fmt"
	"io"
	"log"
	"net"
	"strconv"
	"strings"
	"time"

	fuzzheaders "github.com/AdaLogics/go-fuzz-headers"

	"github.com/conformhttp/conform/impl/parser"
	"github.com/conformhttp/conform/impl/server"
)

// Pipeline is a stream of pipelined requests for the reference server,
// as the server-pipeline target builds it, and the server settings it is
// sent to.
type Pipeline struct {
	Requests []PipeRequest
	// Pieces are the sizes of the writes the client sends the stream in,
	// used in turn (1 to 256 bytes; empty: one write).
	Pieces []int
	// Server settings: 0 is the server's default.
	PipelineLimit        int
	HighWaterMark        int
	MaxRequestsPerSocket int
	// Handoff picks Server.HandlerHandoff: 0 the default, 1 negative (a
	// goroutine per handler), 2 ten microseconds. Slow, when not 0, makes
	// the handler of request Slow-1 sleep a millisecond first (on the
	// bubble's clock), so that an inline handler is handed off. Both come
	// last in the input, so inputs made before they existed decode as
	// they did.
	Handoff int
	Slow    int
}

// PipeRequest is one request of a Pipeline. The request with index i has
// the target "/r/i", so that its response can be told apart.
type PipeRequest struct {
	Method  int // index into pipeMethods
	Version int // 0: HTTP/1.1, 1: HTTP/1.0
	Framing int // 0: no body, 1: Content-Length, 2: chunked
	Body    []byte
	Close   int // 1: Connection: close (HTTP/1.1), keep-alive (HTTP/1.0)
	Expect  int // 1: Expect: 100-continue (HTTP/1.1 with a body)
	// Fault spoils the request: faultNone, faultGarbage (Garbage after an
	// "@", which no request line starts with) or faultCut (the request
	// cut after Cut bytes; only the last request of a stream is cut, as
	// the bytes that follow a cut would complete it in unforeseeable ways).
	Fault   int
	Garbage []byte
	Cut     int
}

// Faults of a PipeRequest.
const (
	faultNone = iota
	faultGarbage
	faultCut
	faultCount = 8 // the rest of the choices mean faultNone
)

func pipeMethods() []string {
	return []string{"GET", "POST", "HEAD", "PUT", "DELETE", "OPTIONS", "CONNECT"}
}

// Limits of what one input builds.
const (
	maxPipeRequests = 8
	maxPipeBody     = 40
)

func (pl *Pipeline) walk(c chooser) {
	n := count(c, len(pl.Requests), maxPipeRequests)
	pl.Requests = resize(pl.Requests, n)
	for i := range pl.Requests {
		r := &pl.Requests[i]
		c.choice(&r.Method, len(pipeMethods()))
		c.choice(&r.Version, 2)
		c.choice(&r.Framing, 3)
		c.raw(&r.Body, maxPipeBody)
		c.choice(&r.Close, 2)
		c.choice(&r.Expect, 2)
		c.choice(&r.Fault, faultCount)
		switch r.Fault {
		case faultGarbage:
			c.raw(&r.Garbage, 24)
		case faultCut:
			c.choice(&r.Cut, 256)
		}
	}
	n = count(c, len(pl.Pieces), 4)
	pl.Pieces = resize(pl.Pieces, n)
	for i := range pl.Pieces {
		v := pl.Pieces[i] - 1
		c.choice(&v, 256)
		pl.Pieces[i] = v + 1
	}
	c.choice(&pl.PipelineLimit, 4)
	c.choice(&pl.HighWaterMark, 4)
	c.choice(&pl.MaxRequestsPerSocket, 5)
	c.choice(&pl.Handoff, 3)
	c.choice(&pl.Slow, maxPipeRequests+1)
}

// handoff is the Server.HandlerHandoff that pl.Handoff picks.
func (pl *Pipeline) handoff() time.Duration {
	switch pl.Handoff {
	case 1:
		return -1
	case 2:
		return 10 * time.Microsecond
	}
	return 0
}

// DecodePipeline builds the pipeline the fuzz input data describes, with
// go-fuzz-headers.
func DecodePipeline(data []byte) *Pipeline {
	pl := &Pipeline{}
	pl.walk(decoder{fuzzheaders.NewConsumer(data)})
	return pl
}

// Encode returns the fuzz input that DecodePipeline builds pl from.
func (pl *Pipeline) Encode() []byte {
	e := &encoder{}
	c := *pl
	c.Requests = append([]PipeRequest(nil), pl.Requests...)
	c.Pieces = append([]int(nil), pl.Pieces...)
	c.walk(e)
	return e.out
}

// Stream returns the bytes of the requests, back to back.
func (pl *Pipeline) Stream() []byte {
	var b strings.Builder
	for i, r := range pl.Requests {
		if r.Fault == faultGarbage {
			b.WriteString("@")
			b.Write(r.Garbage)
			continue
		}
		start := b.Len()
		method := pipeMethods()[r.Method]
		target := "/r/" + strconv.Itoa(i)
		if method == "CONNECT" {
			target = "r" + strconv.Itoa(i) + ".example:443"
		}
		version := "1.1"
		if r.Version == 1 {
			version = "1.0"
		}
		fmt.Fprintf(&b, "%s %s HTTP/%s\r\nHost: pipeline.example\r\n", method, target, version)
		switch {
		case r.Close == 1 && r.Version == 0:
			b.WriteString("Connection: close\r\n")
		case r.Close == 1:
			b.WriteString("Connection: keep-alive\r\n")
		}
		body := r.Framing != 0 && len(r.Body) > 0
		if r.Expect == 1 && r.Version == 0 && body {
			b.WriteString("Expect: 100-continue\r\n")
		}
		switch {
		case r.Framing == 1:
			fmt.Fprintf(&b, "Content-Length: %d\r\n\r\n", len(r.Body))
			b.Write(r.Body)
		case r.Framing == 2 && r.Version == 0:
			b.WriteString("Transfer-Encoding: chunked\r\n\r\n")
			if len(r.Body) > 0 {
				fmt.Fprintf(&b, "%x\r\n%s\r\n", len(r.Body), r.Body)
			}
			b.WriteString("0\r\n\r\n")
		default:
			b.WriteString("\r\n")
		}
		if r.Fault == faultCut && i == len(pl.Requests)-1 {
			out := b.String()
			n := len(out) - start
			return []byte(out[:start+1+r.Cut%(n-1)])
		}
	}
	return []byte(b.String())
}

// answer is what the pipeline handler says about a request: its index
// (from the target "/r/i"), and the body length it read.
func pipelineHandler(slow int) server.Handler {
	slowTarget := "/r/" + strconv.Itoa(slow-1)
	return server.HandlerFunc(func(w server.ResponseWriter, r *server.Request) {
		if slow > 0 && r.Target == slowTarget {
			time.Sleep(time.Millisecond)
		}
		n, err := io.Copy(io.Discard, r.Body)
		if err != nil {
			w.WriteHeader(500)
			return
		}
		w.Header().Set("X-Id", strings.TrimPrefix(r.Target, "/r/"))
		w.Header().Set("X-Len", strconv.FormatInt(n, 10))
		w.WriteString("answer " + r.Target)
	})
}

// expectation is what a conforming server answers to a pipeline: a
// response for each of Answered (the indexes of the requests, in order)
// and then, when Error, one error response (status 400 or above, for the
// request it could not read or that timed out) before it closes.
type expectation struct {
	Answered []int
	Methods  []string // of the answered requests, for HEAD
	BodyLen  []int
	Error    bool
}

// expect reads the stream as the server's parser does (strict) and says
// what the server must answer: each complete request until one that ends
// the connection (Connection: close, HTTP/1.0 without keep-alive, the
// last of MaxRequestsPerSocket), switches protocols (CONNECT: the server
// closes without an answer, as no OnConnect is set) or cannot be read.
func (pl *Pipeline) expect(stream []byte) expectation {
	var e expectation
	s := ParseStream(parser.Config{Type: parser.Request}, Options{}, stream)
	for _, m := range s.Messages {
		if m.Upgrade {
			return e
		}
		idx, err := strconv.Atoi(strings.TrimPrefix(m.Target, "/r/"))
		if err != nil {
			idx = -1 // not one of the generated requests: a bug of Stream
		}
		e.Answered = append(e.Answered, idx)
		e.Methods = append(e.Methods, m.Method)
		e.BodyLen = append(e.BodyLen, len(m.Body))
		if !m.KeepAlive || pl.MaxRequestsPerSocket > 0 && len(e.Answered) == pl.MaxRequestsPerSocket {
			return e
		}
	}
	switch errorCode(s.Err) {
	case parser.OK, parser.ErrPausedUpgrade, parser.ErrClosedConnection:
	default:
		// A request the server cannot read, or one the stream ends in the
		// middle of (the server answers 408 when its timeout expires).
		e.Error = true
	}
	return e
}

// CheckPipeline is the body of the server-pipeline target; call it inside
// a testing/synctest bubble, where the server's timeouts run on the
// bubble's clock and a hang shows as a deadlock. It serves one in-memory
// connection (net.Pipe) with the reference server, writes the stream in
// the pipeline's pieces while reading the responses with our parser, and
// checks: one response per request the server could read, in order, each
// answering its own request (X-Id) with the body it sent (X-Len); one
// error response after them when the stream holds a request the server
// cannot read; then the end of the connection, ServeConn returning.
func CheckPipeline(data []byte) error {
	pl := DecodePipeline(data)
	stream := pl.Stream()
	want := pl.expect(stream)
	srv := &server.Server{
		Handler:              pipelineHandler(pl.Slow),
		HandlerHandoff:       pl.handoff(),
		ErrorLog:             log.New(io.Discard, "", 0),
		PipelineLimit:        pl.PipelineLimit,
		HighWaterMark:        pl.HighWaterMark * 64,
		MaxRequestsPerSocket: pl.MaxRequestsPerSocket,
	}
	client, conn := net.Pipe()
	served := make(chan error, 1)
	go func() { served <- srv.ServeConn(conn) }()
	wrote := make(chan struct{})
	go func() {
		defer close(wrote)
		for i, pos := 0, 0; pos < len(stream); i++ {
			n := len(stream) - pos
			if len(pl.Pieces) > 0 {
				n = min(pl.Pieces[i%len(pl.Pieces)], n)
			}
			if _, err := client.Write(stream[pos : pos+n]); err != nil {
				return // the server closed; the rest is not read
			}
			pos += n
		}
	}()
	var (
		got  []pipeResponse
		rerr error
	)
	hung := !returnsWithin(hangLimit, func() { got, rerr = readResponses(client, want.Methods) })
	client.Close()
	<-wrote
	serr := <-served
	why := ""
	switch {
	case hung:
		why = fmt.Sprintf("the connection has not ended after %v on the bubble's clock", hangLimit)
	case rerr != nil:
		why = "the responses cannot be read: " + rerr.Error()
	case serr != nil:
		why = "ServeConn: " + serr.Error()
	default:
		why = compareResponses(want, got)
	}
	if why == "" {
		return nil
	}
	return fmt.Errorf("server pipeline: %s\nsettings: pipeline limit %d, high-water mark %d, max requests %d, handler hand-off %v, slow request %d, write pieces %v\nstream: %q\nwant: answers %v, error response %v\ngot: %v",
		why, srv.PipelineLimit, srv.HighWaterMark, srv.MaxRequestsPerSocket, srv.HandlerHandoff, pl.Slow-1, pl.Pieces, stream, want.Answered, want.Error, got)
}

// pipeResponse is one final response read by the client.
type pipeResponse struct {
	Status int
	ID     string
	Len    string
}

func (r pipeResponse) String() string { return fmt.Sprintf("%d id=%q len=%q", r.Status, r.ID, r.Len) }

// readResponses reads final responses from conn until it ends, answering
// the head of the i-th with SkipBody when methods[i] is HEAD.
func readResponses(conn net.Conn, methods []string) ([]pipeResponse, error) {
	var (
		out         []pipeResponse
		cur         pipeResponse
		name, value []byte
	)
	cb := &parser.Callbacks{
		OnHeaderField: func(_ *parser.Parser, b []byte) error { name = append(name, b...); return nil },
		OnHeaderValue: func(_ *parser.Parser, b []byte) error { value = append(value, b...); return nil },
		OnHeaderValueComplete: func(*parser.Parser) error {
			switch strings.ToLower(string(name)) {
			case "x-id":
				cur.ID = strings.TrimSpace(string(value))
			case "x-len":
				cur.Len = strings.TrimSpace(string(value))
			}
			name, value = name[:0], value[:0]
			return nil
		},
		OnHeadersComplete: func(p *parser.Parser) (parser.HeadersDecision, error) {
			cur.Status = p.StatusCode()
			if p.StatusCode()/100 != 1 && len(out) < len(methods) && methods[len(out)] == "HEAD" {
				return parser.SkipBody, nil
			}
			return parser.Proceed, nil
		},
		OnMessageComplete: func(p *parser.Parser) error {
			if cur.Status/100 != 1 {
				out = append(out, cur)
			}
			cur = pipeResponse{}
			return nil
		},
	}
	p := parser.New(parser.Config{Type: parser.Response}, cb)
	buf := make([]byte, 512)
	for {
		n, err := conn.Read(buf)
		if n > 0 {
			if _, perr := p.Execute(buf[:n]); perr != nil {
				return out, perr
			}
		}
		if errors.Is(err, io.EOF) || errors.Is(err, io.ErrClosedPipe) {
			return out, p.Finish()
		}
		if err != nil {
			return out, err
		}
	}
}

// compareResponses says how got differs from want, or "".
func compareResponses(want expectation, got []pipeResponse) string {
	n := len(want.Answered)
	if want.Error {
		n++
	}
	if len(got) != n {
		return fmt.Sprintf("%d responses; want %d", len(got), n)
	}
	for i, idx := range want.Answered {
		r := got[i]
		if r.Status != 200 {
			return fmt.Sprintf("response %d has status %d; want 200", i, r.Status)
		}
		if r.ID != strconv.Itoa(idx) {
			return fmt.Sprintf("response %d answers request %q; want %d", i, r.ID, idx)
		}
		if r.Len != strconv.Itoa(want.BodyLen[i]) {
			return fmt.Sprintf("response %d says the handler read %q body bytes; want %d", i, r.Len, want.BodyLen[i])
		}
	}
	if want.Error && got[n-1].Status < 400 {
		return fmt.Sprintf("the last response has status %d; want an error (400 or above)", got[n-1].Status)
	}
	return ""
}
