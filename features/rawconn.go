package features

import (
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"strings"
	"time"

	"github.com/conformhttp/conform/impl/parser"
)

// maxReceive bounds what one scenario connection keeps of what a target
// sends, so that a hostile live server cannot make a scenario hold
// unbounded memory.
const maxReceive = 8 << 20

// field is one header or trailer field line as received, its value without
// surrounding whitespace.
type field struct {
	Name, Value string
}

// response is one response message read from a connection.
type response struct {
	Status       int
	Reason       string
	Major, Minor int
	Header       []field
	Trailer      []field
	Body         []byte
	Chunked      bool
	Method       string // method of the request it answers ("" for interim responses or when unknown)
}

// get returns the values of the fields named name, in order.
func (r *response) get(name string) []string {
	var vs []string
	for _, f := range r.Header {
		if strings.EqualFold(f.Name, name) {
			vs = append(vs, f.Value)
		}
	}
	return vs
}

// hasToken reports whether a comma-separated field name lists token.
func (r *response) hasToken(name, token string) bool {
	for _, v := range r.get(name) {
		for part := range strings.SplitSeq(v, ",") {
			if strings.EqualFold(strings.TrimSpace(part), token) {
				return true
			}
		}
	}
	return false
}

func (r *response) String() string {
	return fmt.Sprintf("%d %s (%d header fields, %d body bytes)", r.Status, r.Reason, len(r.Header), len(r.Body))
}

// rawConn is a scenario's client connection: it sends bytes exactly as the
// scenario gives them, parses what it sends (to know which responses
// answer HEAD or CONNECT) and parses what comes back with conform's parser
// in response mode. After a 101 or a 2xx answer to CONNECT the bytes that
// follow are tunnel bytes, kept raw. Every byte is recorded in the wire
// log. A rawConn is used by one goroutine at a time.
type rawConn struct {
	id   int
	conn net.Conn
	log  *wireLog

	// Requests sent, as far as the request parser could follow them.
	reqP     *parser.Parser
	reqCB    parser.Callbacks
	methods  []string // methods of requests not yet matched with a final response
	reqHeld  []byte   // bytes sent after a CONNECT or Upgrade request, held until its answer is known
	reqHold  bool     // the request parser paused at a CONNECT or Upgrade request
	reqLost  bool     // the request parser failed: later methods are unknown
	requests int      // requests whose head the request parser has seen

	// Responses received.
	respP     *parser.Parser
	respCB    parser.Callbacks
	cur       *response
	fname     []byte
	fvalue    []byte
	inValue   bool
	trailers  bool
	responses []*response // complete responses, in order
	next      int         // responses[next] is the next one a step takes
	parseErr  error       // the response stream could not be parsed
	tunnel    bool        // after a switch: received bytes are raw
	raw       []byte      // tunnel bytes received and not yet taken
	received  int64
	eof       bool  // the target closed its sending side
	readErr   error // a read failed (reset, or a local error)
	rbuf      []byte
}

func newRawConn(id int, c net.Conn, log *wireLog) *rawConn {
	rc := &rawConn{id: id, conn: c, log: log, rbuf: make([]byte, 32<<10)}
	rc.reqCB = parser.Callbacks{
		OnHeadersComplete: func(p *parser.Parser) (parser.HeadersDecision, error) {
			rc.methods = append(rc.methods, p.Method().String())
			rc.requests++
			return parser.Proceed, nil
		},
	}
	// The scenario may send anything, so follow it as leniently as
	// possible: the point is only to learn the methods.
	rc.reqP = parser.New(parser.Config{Type: parser.Request, Lenient: parser.LenientAll, MaxHeaderSize: -1}, &rc.reqCB)
	rc.respCB = parser.Callbacks{
		OnMessageBegin: func(*parser.Parser) error {
			rc.cur = &response{}
			rc.trailers = false
			return nil
		},
		OnStatus: func(_ *parser.Parser, b []byte) error {
			rc.cur.Reason += string(b)
			return nil
		},
		OnHeaderField: func(_ *parser.Parser, b []byte) error {
			if rc.inValue {
				rc.flushField()
			}
			rc.fname = append(rc.fname, b...)
			return nil
		},
		OnHeaderFieldComplete: func(*parser.Parser) error {
			rc.inValue = true
			return nil
		},
		OnHeaderValue: func(_ *parser.Parser, b []byte) error {
			rc.fvalue = append(rc.fvalue, b...)
			return nil
		},
		OnHeadersComplete: rc.onResponseHead,
		OnBody: func(_ *parser.Parser, b []byte) error {
			if len(rc.cur.Body)+len(b) > maxReceive {
				return fmt.Errorf("response body longer than %d bytes", maxReceive)
			}
			rc.cur.Body = append(rc.cur.Body, b...)
			return nil
		},
		OnMessageComplete: func(p *parser.Parser) error {
			if rc.inValue {
				rc.flushField()
			}
			rc.responses = append(rc.responses, rc.cur)
			return nil
		},
	}
	rc.respP = parser.New(parser.Config{Type: parser.Response, MaxHeaderSize: -1}, &rc.respCB)
	return rc
}

func (rc *rawConn) flushField() {
	v := strings.TrimRight(string(rc.fvalue), " \t")
	f := field{Name: string(rc.fname), Value: v}
	if rc.trailers {
		rc.cur.Trailer = append(rc.cur.Trailer, f)
	} else {
		rc.cur.Header = append(rc.cur.Header, f)
	}
	rc.fname, rc.fvalue, rc.inValue = rc.fname[:0], rc.fvalue[:0], false
}

// onResponseHead matches a final response with the request it answers and
// tells the parser whether a body follows (RFC 9112 §6.3 rules 1 and 2).
func (rc *rawConn) onResponseHead(p *parser.Parser) (parser.HeadersDecision, error) {
	if rc.inValue {
		rc.flushField()
	}
	rc.trailers = true
	r := rc.cur
	r.Status = p.StatusCode()
	r.Major, r.Minor = p.Version()
	r.Chunked = p.Flags()&parser.FlagChunked != 0
	if r.Status < 200 && r.Status != 101 {
		return parser.Proceed, nil
	}
	if len(rc.methods) > 0 {
		r.Method = rc.methods[0]
		rc.methods = rc.methods[1:]
	}
	switchesProtocol := r.Status == 101 || (r.Method == "CONNECT" && r.Status/100 == 2)
	if rc.reqHold && len(rc.methods) == 0 && !switchesProtocol {
		// The server did not switch: what was sent after the CONNECT or
		// Upgrade request is HTTP again.
		rc.reqHold = false
		rc.reqP.ResumeAfterUpgrade()
		held := rc.reqHeld
		rc.reqHeld = nil
		rc.trackSent(held)
	}
	switch {
	case r.Method == "HEAD":
		return parser.SkipBody, nil
	case r.Method == "CONNECT" && r.Status/100 == 2:
		return parser.SkipBodyUpgrade, nil
	}
	return parser.Proceed, nil
}

// trackSent feeds sent bytes to the request parser.
func (rc *rawConn) trackSent(b []byte) {
	if rc.reqLost || len(b) == 0 {
		return
	}
	if rc.reqHold {
		rc.reqHeld = append(rc.reqHeld, b...)
		return
	}
	n, err := rc.reqP.Execute(b)
	if err == nil {
		return
	}
	var pe *parser.Error
	if errors.As(err, &pe) && pe.Code == parser.ErrPausedUpgrade {
		rc.reqHold = true
		rc.reqHeld = append(rc.reqHeld, b[n:]...)
		return
	}
	rc.reqLost = true
}

// send writes b, whole, before deadline.
func (rc *rawConn) send(b []byte, deadline time.Time) error {
	rc.trackSent(b)
	rc.conn.SetWriteDeadline(deadline)
	n, err := rc.conn.Write(b)
	rc.log.add(rc.id, evSend, b[:n], "")
	if err != nil {
		rc.log.add(rc.id, evError, nil, "write: "+err.Error())
		if errReset(err) {
			return fmt.Errorf("connection %d: the target reset the connection after %d of %d bytes were written: %w", rc.id, n, len(b), err)
		}
		return fmt.Errorf("connection %d: writing %d bytes: %w", rc.id, len(b), err)
	}
	return nil
}

// fill reads once (until deadline) and parses what arrived. It returns
// os.ErrDeadlineExceeded when nothing arrived in time; EOF and resets are
// recorded in rc.eof and rc.readErr rather than returned.
func (rc *rawConn) fill(deadline time.Time) error {
	if rc.eof || rc.readErr != nil {
		return nil
	}
	rc.conn.SetReadDeadline(deadline)
	n, err := rc.conn.Read(rc.rbuf)
	if n > 0 {
		rc.log.add(rc.id, evRecv, rc.rbuf[:n], "")
		rc.received += int64(n)
		rc.consume(rc.rbuf[:n])
	}
	switch {
	case err == nil:
	case errors.Is(err, io.EOF):
		rc.eof = true
		rc.log.add(rc.id, evEOF, nil, "")
		if rc.parseErr == nil && !rc.tunnel {
			if ferr := rc.respP.Finish(); ferr != nil {
				rc.parseErr = ferr
			}
		}
	case errors.Is(err, os.ErrDeadlineExceeded):
		if n == 0 {
			return err
		}
	case errReset(err):
		rc.readErr = err
		rc.log.add(rc.id, evReset, nil, err.Error())
	default:
		rc.readErr = err
		rc.log.add(rc.id, evError, nil, "read: "+err.Error())
	}
	return nil
}

// consume parses received bytes, or keeps them raw once the connection
// has switched protocols.
func (rc *rawConn) consume(b []byte) {
	if rc.tunnel {
		rc.keepRaw(b)
		return
	}
	if rc.parseErr != nil {
		return
	}
	n, err := rc.respP.Execute(b)
	if err == nil {
		return
	}
	var pe *parser.Error
	if errors.As(err, &pe) && pe.Code == parser.ErrPausedUpgrade {
		rc.tunnel = true
		rc.keepRaw(b[n:])
		return
	}
	rc.parseErr = err
}

func (rc *rawConn) keepRaw(b []byte) {
	if len(rc.raw)+len(b) > maxReceive {
		b = b[:maxReceive-len(rc.raw)]
	}
	rc.raw = append(rc.raw, b...)
}

// closedErr describes why no more responses can come, or nil.
func (rc *rawConn) closedErr() error {
	switch {
	case rc.parseErr != nil:
		return fmt.Errorf("connection %d: what the target sent is not a valid HTTP/1.1 response stream: %w", rc.id, rc.parseErr)
	case rc.readErr != nil && errReset(rc.readErr):
		return fmt.Errorf("connection %d: the target reset the connection", rc.id)
	case rc.readErr != nil:
		return fmt.Errorf("connection %d: read failed: %w", rc.id, rc.readErr)
	case rc.eof:
		return fmt.Errorf("connection %d: the target closed the connection", rc.id)
	case rc.tunnel:
		return fmt.Errorf("connection %d: the connection switched protocols; no more HTTP responses", rc.id)
	}
	return nil
}

// nextResponse returns the next response not yet taken by a step, reading
// until deadline for it.
func (rc *rawConn) nextResponse(deadline time.Time) (*response, error) {
	for rc.next == len(rc.responses) {
		if err := rc.closedErr(); err != nil {
			return nil, fmt.Errorf("no response: %w", err)
		}
		if err := rc.fill(deadline); err != nil {
			return nil, fmt.Errorf("connection %d: no complete response within the wait (%d bytes received, %d responses read so far)", rc.id, rc.received, len(rc.responses))
		}
	}
	r := rc.responses[rc.next]
	rc.next++
	return r, nil
}

// awaitClose reads until the target closes the connection or deadline
// passes; it returns what arrived that was not yet taken.
func (rc *rawConn) awaitClose(deadline time.Time) error {
	for !rc.eof && rc.readErr == nil {
		if err := rc.fill(deadline); err != nil {
			return err
		}
	}
	return nil
}

// takeRaw waits until n tunnel bytes have arrived and takes them.
func (rc *rawConn) takeRaw(n int, deadline time.Time) ([]byte, error) {
	for len(rc.raw) < n {
		if !rc.tunnel {
			if err := rc.closedErr(); err != nil {
				return nil, err
			}
			if rc.next < len(rc.responses) || len(rc.responses) == 0 {
				return nil, fmt.Errorf("connection %d: the connection has not switched protocols (%d responses received)", rc.id, len(rc.responses))
			}
		}
		if rc.eof || rc.readErr != nil {
			return nil, fmt.Errorf("connection %d: the tunnel closed after %d of %d bytes: %s", rc.id, len(rc.raw), n, clip(rc.raw))
		}
		if err := rc.fill(deadline); err != nil {
			return nil, fmt.Errorf("connection %d: %d of %d tunnel bytes arrived within the wait: %s", rc.id, len(rc.raw), n, clip(rc.raw))
		}
	}
	b := append([]byte(nil), rc.raw[:n]...)
	rc.raw = rc.raw[n:]
	return b, nil
}

// closeWrite half-closes the client's side.
func (rc *rawConn) closeWrite() error {
	cw, ok := rc.conn.(interface{ CloseWrite() error })
	if !ok {
		return fmt.Errorf("connection %d: this connection cannot half-close", rc.id)
	}
	rc.log.add(rc.id, evClose, nil, "client half-closed (no more bytes will be sent)")
	return cw.CloseWrite()
}

func (rc *rawConn) close(why string) {
	rc.log.add(rc.id, evClose, nil, why)
	rc.conn.Close()
}
