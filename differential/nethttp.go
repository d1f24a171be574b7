package differential

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"slices"
	"strconv"
	"strings"

	"github.com/conformhttp/conform/impl/parser"
)

// NetHTTP is the oracle for Go's net/http: http.ReadRequest or
// http.ReadResponse called repeatedly on one bufio.Reader over the input,
// each message's body read to its end before the next message is read,
// as net/http's server and Transport do on a connection.
//
// net/http's message reading knows nothing of protocol switches (a handler
// takes the connection over with Hijack); the oracle stops, as a server
// with an upgrade-aware handler would, after a request that is CONNECT or
// an HTTP/1.1 request that carries Upgrade with a Connection "upgrade"
// option (RFC 9110 §7.8: a server MUST ignore Upgrade in HTTP/1.0), having
// read the body net/http frames for it, and
// after a response that is 101 or a 2xx answer to CONNECT. It stops after
// a message net/http marks Close, as the server and the Transport stop
// reading such a connection; net/http marks the HTTP/2 preface ("PRI *
// HTTP/2.0") so, and its server hands it to the handler.
type NetHTTP struct{}

// Name returns "nethttp".
func (NetHTTP) Name() string { return "nethttp" }

// Close does nothing; NetHTTP holds no resources.
func (NetHTTP) Close() error { return nil }

// errStarved is what the feed reader returns when net/http wants more
// bytes from a stream that is still open.
var errStarved = errors.New("the stream is open and has no more bytes")

// feedReader gives the input to net/http. At the end of the input it
// returns io.EOF when the stream ends there, and otherwise errStarved,
// remembering that net/http asked for bytes a real connection would have
// waited for. Whatever net/http does after a starved read (bufio hands a
// partial line to its caller as if it were whole) says nothing about the
// open stream, so the oracle reports EndIncomplete instead.
type feedReader struct {
	data    []byte
	pos     int
	eof     bool
	starved bool
}

func (r *feedReader) Read(p []byte) (int, error) {
	if r.pos < len(r.data) {
		n := copy(p, r.data[r.pos:])
		r.pos += n
		return n, nil
	}
	if r.eof {
		return 0, io.EOF
	}
	r.starved = true
	return 0, errStarved
}

// Parse reads in with net/http.
func (o NetHTTP) Parse(ctx context.Context, in Input) (Outcome, error) {
	in = in.Resolve()
	fr := &feedReader{data: in.Data, eof: in.EOF}
	br := bufio.NewReader(fr)
	pos := func() int64 { return int64(fr.pos - br.Buffered()) }
	out := Outcome{Oracle: o.Name()}
	var boundary int64 // where the message being read began
	for {
		if err := ctx.Err(); err != nil {
			return Outcome{}, err
		}
		boundary = pos()
		var (
			m     Message
			stop  bool // the connection carries no more HTTP after m
			err   error
			atEOF bool
		)
		if in.Type == parser.Request {
			m, stop, atEOF, err = readNetRequest(br)
		} else {
			m, stop, atEOF, err = readNetResponse(br, in.method(len(out.Messages)))
		}
		switch {
		case fr.starved && boundary == int64(len(in.Data)):
			out.End = End{Kind: EndClean}
			out.Consumed = boundary
			return out, nil
		case fr.starved:
			out.End = End{Kind: EndIncomplete}
			out.Consumed = boundary
			return out, nil
		case atEOF:
			out.End = End{Kind: EndClean}
			out.Consumed = boundary
			return out, nil
		case errors.Is(err, io.ErrUnexpectedEOF):
			out.End = End{Kind: EndTruncated, Code: err.Error(), Reason: "the stream ended inside a message"}
			out.Consumed = boundary
			return out, nil
		case err != nil:
			out.End = End{Kind: EndRejected, Code: err.Error(), Reason: "net/http refused the message"}
			out.Consumed = -1
			return out, nil
		}
		out.Messages = append(out.Messages, m)
		if m.Upgrade {
			out.End = End{Kind: EndUpgrade}
			out.Consumed = pos()
			return out, nil
		}
		if stop && pos() < int64(len(in.Data)) {
			out.End = End{Kind: EndClosed, Reason: "the message closes the connection"}
			out.Consumed = pos()
			return out, nil
		}
	}
}

// readNetRequest reads one request and its body. atEOF reports a clean
// end of stream before the request's first byte.
func readNetRequest(br *bufio.Reader) (m Message, stop, atEOF bool, err error) {
	if _, err := br.Peek(1); err != nil {
		return m, false, err == io.EOF, nil
	}
	req, err := http.ReadRequest(br)
	if err != nil {
		return m, false, false, err
	}
	m = Message{
		Method:  req.Method,
		Target:  req.RequestURI,
		Version: strconv.Itoa(req.ProtoMajor) + "." + strconv.Itoa(req.ProtoMinor),
		Host:    req.Host,
		Header:  netFields(req.Header, true),
	}
	switch {
	case slices.Contains(req.TransferEncoding, "chunked"):
		m.Framing = Framing{Kind: FramingChunked}
	case len(req.TransferEncoding) > 0:
		m.Framing = Framing{Kind: FramingEOF}
	case req.ContentLength >= 0 && req.Header["Content-Length"] != nil:
		m.Framing = Framing{Kind: FramingLength, Length: req.ContentLength}
	default:
		m.Framing = Framing{Kind: FramingNone}
	}
	m.Upgrade = req.Method == "CONNECT" || req.ProtoAtLeast(1, 1) && wantsUpgrade(req.Header)
	body, err := io.ReadAll(req.Body)
	if err != nil {
		return m, false, false, fmt.Errorf("reading the body: %w", err)
	}
	m.Body = string(body)
	m.Trailer = netFields(req.Trailer, false)
	m.KeepAlive = !req.Close && !m.Upgrade
	return m, req.Close, false, nil
}

// readNetResponse reads one response that answers a request with method,
// and its body.
func readNetResponse(br *bufio.Reader, method string) (m Message, stop, atEOF bool, err error) {
	if _, err := br.Peek(1); err != nil {
		return m, false, err == io.EOF, nil
	}
	resp, err := http.ReadResponse(br, &http.Request{Method: method})
	if err != nil {
		return m, false, false, err
	}
	m = Message{
		Status:  resp.StatusCode,
		Reason:  trimOWS(strings.TrimPrefix(resp.Status, strconv.Itoa(resp.StatusCode))),
		Version: strconv.Itoa(resp.ProtoMajor) + "." + strconv.Itoa(resp.ProtoMinor),
		Header:  netFields(resp.Header, true),
	}
	code := resp.StatusCode
	switch {
	case method == "HEAD" || code/100 == 1 || code == 204 || code == 304:
		m.Framing = Framing{Kind: FramingNone}
	case slices.Contains(resp.TransferEncoding, "chunked"):
		m.Framing = Framing{Kind: FramingChunked}
	case resp.ContentLength >= 0:
		m.Framing = Framing{Kind: FramingLength, Length: resp.ContentLength}
	default:
		m.Framing = Framing{Kind: FramingEOF}
	}
	if code == 101 || method == "CONNECT" && code/100 == 2 {
		m.Upgrade = true
		m.Framing = Framing{Kind: FramingNone}
		return m, true, false, nil
	}
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		return m, false, false, fmt.Errorf("reading the body: %w", err)
	}
	m.Body = string(body)
	m.Trailer = netFields(resp.Trailer, false)
	m.KeepAlive = !resp.Close
	return m, resp.Close, false, nil
}

// wantsUpgrade reports whether a header asks to switch protocols: an
// Upgrade field, and "upgrade" among the Connection options.
func wantsUpgrade(h http.Header) bool {
	if len(h["Upgrade"]) == 0 {
		return false
	}
	for _, v := range h["Connection"] {
		for _, opt := range strings.Split(v, ",") {
			if strings.EqualFold(trimOWS(opt), "upgrade") {
				return true
			}
		}
	}
	return false
}

// netFields lists a net/http header map as fields sorted by name, each
// name's values in the order received, without the declared-but-absent
// trailers net/http keeps as nil entries, and, for a header section
// (header true), without the fields Message summarises.
func netFields(h http.Header, header bool) []Field {
	names := make([]string, 0, len(h))
	for name := range h {
		names = append(names, name)
	}
	slices.Sort(names)
	var out []Field
	for _, name := range names {
		if header && isFramingField(name) {
			continue
		}
		for _, v := range h[name] {
			out = append(out, Field{Name: name, Value: v})
		}
	}
	return out
}
