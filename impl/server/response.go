package server

import (
	"fmt"
	"strconv"
	"time"
)

// ResponseWriter builds the response to one request. Its methods must be
// called only from the handler's goroutine, and not after the handler
// returns.
type ResponseWriter interface {
	// Header returns the response header fields, sent in this order and
	// case. Changes made after WriteHeader with a final status, or after
	// the first Write, have no effect.
	Header() *Header

	// Trailer returns the trailer fields, sent after a chunked body. Set
	// them before the handler returns. The body is chunked when the head
	// is written while trailers are present or announced with a Trailer
	// header field (and the request is HTTP/1.1); otherwise they are not
	// sent.
	Trailer() *Header

	// WriteHeader sets the status. A 1xx status other than 101 sends an
	// interim response with the current header fields at once (to
	// HTTP/1.1 clients only; 100 at most once). The first final status
	// (200–999) wins; later calls are ignored. WriteHeader panics for a
	// status outside 100–999, and for 101: switching protocols needs
	// Server.OnUpgrade.
	WriteHeader(statusCode int)

	// Write appends to the body, setting status 200 if none was set. The
	// body is buffered; when the handler returns without having flushed,
	// the response carries a Content-Length. Write fails with
	// ErrBodyNotAllowed for 1xx, 204 and 304, with ErrContentLength when
	// it would exceed a declared Content-Length (the connection then
	// closes after the response), and with ErrConnClosed when the
	// response can no longer be sent. For a HEAD request the bytes are
	// counted, for the Content-Length, and discarded.
	Write(p []byte) (int, error)

	// WriteString is Write for a string.
	WriteString(s string) (int, error)

	// Flush sends the head and the body written so far, as soon as every
	// earlier response on the connection has been sent. Without a
	// declared Content-Length the body is then chunked (HTTP/1.1) or
	// ends when the connection closes (HTTP/1.0). Flush blocks while the
	// connection has more than HighWaterMark bytes of this response
	// waiting.
	Flush() error
}

// flushThreshold is the body size at which Write flushes by itself.
const flushThreshold = 16 << 10

type bodyMode uint8

const (
	modeNone    bodyMode = iota + 1 // no content (HEAD, 1xx, 204, 304)
	modeLength                      // Content-Length
	modeChunked                     // chunked transfer coding
	modeClose                       // raw bytes until the connection closes
)

// response implements ResponseWriter. It is owned by the handler
// goroutine.
type response struct {
	ex      *exchange
	header  Header
	trailer Header
	status  int

	// Facts about header, read once by freeze.
	frozen           bool
	hasLength        bool  // a valid Content-Length the response is held to
	declared         int64 // its value
	teChunked        bool  // Transfer-Encoding whose last coding is chunked (HTTP/1.1 requests)
	teOther          bool  // another Transfer-Encoding (HTTP/1.1 requests)
	hasDate          bool
	hasConn          bool
	connClose        bool
	announcesTrailer bool

	headSent bool
	mode     bodyMode
	length   int64 // the Content-Length sent, in modeLength
	last     bool  // the connection closes after this response
	written  int64 // body bytes accepted
	body     []byte
	wire     []byte
	broken   bool // the handler wrote more or less than it declared
}

func (r *response) reset() {
	keep := func(b []byte) []byte {
		if cap(b) > maxKeptBuffer {
			return nil
		}
		return b[:0]
	}
	clear(r.header)
	clear(r.trailer)
	*r = response{ex: r.ex, header: r.header[:0], trailer: r.trailer[:0], body: keep(r.body), wire: keep(r.wire)}
}

func (r *response) Header() *Header  { return &r.header }
func (r *response) Trailer() *Header { return &r.trailer }

func (r *response) WriteHeader(code int) {
	if code < 100 || code > 999 {
		panic(fmt.Sprintf("server: WriteHeader(%d): status must be 100 to 999", code))
	}
	if code == 101 {
		panic("server: WriteHeader(101): switching protocols needs Server.OnUpgrade")
	}
	if r.status != 0 {
		return
	}
	if code < 200 {
		r.writeInterim(code)
		return
	}
	r.status = code
	r.freeze()
}

func (r *response) WriteString(s string) (int, error) {
	if r.status == 0 {
		r.status = 200
	}
	r.freeze()
	if err := r.bodyCheck(int64(len(s))); err != nil || r.mode == modeNone || r.isHead() {
		return r.discard(len(s), err)
	}
	r.body = append(r.body, s...)
	return r.accepted(len(s))
}

func (r *response) Write(p []byte) (int, error) {
	if r.status == 0 {
		r.status = 200
	}
	r.freeze()
	if err := r.bodyCheck(int64(len(p))); err != nil || r.mode == modeNone || r.isHead() {
		return r.discard(len(p), err)
	}
	r.body = append(r.body, p...)
	return r.accepted(len(p))
}

// bodyCheck says whether n more body bytes may be written.
func (r *response) bodyCheck(n int64) error {
	if !bodyAllowed(r.status) {
		return ErrBodyNotAllowed
	}
	if r.hasLength && !r.isHead() && r.written+n > r.declared {
		r.broken = true
		return ErrContentLength
	}
	return nil
}

// discard handles a write whose bytes are not sent: an error, or a HEAD
// response, whose bytes count towards its Content-Length.
func (r *response) discard(n int, err error) (int, error) {
	if err != nil {
		return 0, err
	}
	r.written += int64(n)
	return n, nil
}

func (r *response) accepted(n int) (int, error) {
	r.written += int64(n)
	if len(r.body) >= flushThreshold {
		if err := r.flush(); err != nil {
			return n, err
		}
	}
	return n, nil
}

func (r *response) Flush() error {
	if r.status == 0 {
		r.status = 200
	}
	r.freeze()
	return r.flush()
}

func (r *response) isHead() bool { return r.ex.req.Method == "HEAD" }

// freeze reads the facts the framing depends on from the header fields.
func (r *response) freeze() {
	if r.frozen {
		return
	}
	r.frozen = true
	http11 := r.ex.req.atLeast11()
	for i := range r.header {
		f := &r.header[i]
		switch {
		case equalFold(f.Name, "Content-Length"):
			if n, ok := parseLength(f.Value); ok {
				r.hasLength, r.declared = true, n
			}
		case equalFold(f.Name, "Transfer-Encoding"):
			if http11 {
				r.teChunked = equalFold(trimOWS(lastToken(f.Value)), "chunked")
				r.teOther = !r.teChunked
			}
		case equalFold(f.Name, "Connection"):
			r.hasConn = true
			r.connClose = r.connClose || hasToken(f.Value, "close")
		case equalFold(f.Name, "Date"):
			r.hasDate = true
		case equalFold(f.Name, "Trailer"):
			r.announcesTrailer = true
		}
	}
	if r.teChunked || r.teOther {
		// A sender MUST NOT send Content-Length with Transfer-Encoding
		// (RFC 9112 §6.2); the coding wins.
		r.hasLength = false
	}
}

// flush emits the head (if not yet sent) and the buffered body.
func (r *response) flush() error {
	c := r.ex.c
	head := !r.headSent
	if head {
		c.mu.Lock()
		last := c.closeDecisionLocked(r.ex)
		c.mu.Unlock()
		r.writeHead(false, last, time.Time{})
	}
	r.frameBody()
	c.mu.Lock()
	defer c.mu.Unlock()
	err := c.emitLocked(r.ex, r.wire, head)
	r.wire = r.wire[:0]
	if r.last {
		r.ex.last = true
	}
	c.pumpLocked()
	c.waitRoomLocked(r.ex)
	return err
}

// finish completes the response when the handler returns. An inline
// handler's response (inline.go) is left in the output for the reader to
// write with the others of its read (deferWrite).
func (r *response) finish(deferWrite bool) {
	ex := r.ex
	c := ex.c
	if r.status == 0 {
		r.status = 200
	}
	r.freeze()
	head := !r.headSent
	var last bool
	if ex.noBody && !c.shutFlag.Load() {
		// Nothing to settle, and no shutdown to consider: ex.last was
		// set before this goroutine started and only it changes it.
		last = head && ex.last
	} else {
		c.mu.Lock()
		c.settleBodyLocked(ex)
		last = head && c.closeDecisionLocked(ex)
		c.mu.Unlock()
	}
	if head {
		var now time.Time
		if deferWrite {
			// Inline handlers are quick (or handed off): the time
			// their read arrived is a good enough Date, and saves a
			// clock read per response.
			now = c.readAt
		}
		r.writeHead(true, last, now)
	}
	r.frameBody()
	switch r.mode {
	case modeChunked:
		r.wire = append(r.wire, "0\r\n"...)
		r.wire = appendFields(r.wire, r.trailer)
		r.wire = append(r.wire, '\r', '\n')
	case modeLength:
		if r.written < r.length {
			r.broken = true
		}
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	c.emitLocked(ex, r.wire, head)
	r.wire = r.wire[:0]
	if r.last || r.broken {
		ex.last = true
	}
	ex.done = true
	ex.handlerDone = true
	c.recycleLocked(ex)
	if deferWrite {
		c.collectLocked()
		return
	}
	c.pumpLocked()
}

// closeDecisionLocked says whether the connection closes after ex: the
// request said so, or the server is shutting down and ex is the last
// request it has read.
func (c *conn) closeDecisionLocked(ex *exchange) bool {
	if c.shutting && !ex.last && len(c.q) > 0 && c.q[len(c.q)-1] == ex && !c.inRequest {
		ex.last = true
	}
	return ex.last
}

// waitRoomLocked blocks a handler that has emitted more than the
// high-water mark of output that cannot be written yet.
func (c *conn) waitRoomLocked(ex *exchange) {
	hw := c.cfg.highWater
	if hw <= 0 {
		return
	}
	for !c.closed && !c.writeDone && !ex.dropped && !ex.replaced {
		if c.headLocked() == ex {
			if !c.writing || len(c.wbuf) < hw {
				return
			}
		} else if len(ex.out) < hw {
			return
		}
		c.outCond.Wait()
	}
}

// writeInterim emits a 1xx response with the current header fields.
func (r *response) writeInterim(code int) {
	ex := r.ex
	c := ex.c
	if !ex.req.atLeast11() {
		// RFC 9110 §15.2: no 1xx to an HTTP/1.0 client.
		return
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if code == 100 {
		if ex.continueSent {
			return
		}
		ex.continueSent = true
	}
	r.wire = appendStatusLine(r.wire[:0], code)
	r.wire = appendFields(r.wire, r.header)
	r.wire = append(r.wire, '\r', '\n')
	c.emitLocked(ex, r.wire, false)
	r.wire = r.wire[:0]
	c.pumpLocked()
}

// writeHead decides the framing and appends the final head to r.wire.
// final says the whole body is known (the handler returned). now is the
// time for the Date field; zero means the current time.
func (r *response) writeHead(final, last bool, now time.Time) {
	req := &r.ex.req
	http11 := req.atLeast11()
	r.headSent = true
	switch {
	case !bodyAllowed(r.status), req.Method == "HEAD":
		r.mode = modeNone
	case r.teChunked:
		r.mode = modeChunked
	case r.teOther:
		r.mode = modeClose
	case r.hasLength:
		r.mode, r.length = modeLength, r.declared
	case final && (!http11 || (len(r.trailer) == 0 && !r.announcesTrailer)):
		r.mode, r.length = modeLength, r.written
	case http11:
		r.mode = modeChunked
	default:
		r.mode = modeClose
	}
	r.last = last || r.connClose || r.mode == modeClose || r.broken

	w := appendStatusLine(r.wire[:0], r.status)
	noLength := r.status < 200 || r.status == 204
	for i := range r.header {
		f := &r.header[i]
		switch {
		case !validField(f.Name, f.Value):
			continue
		case equalFold(f.Name, "Content-Length"):
			if noLength || r.teChunked || r.teOther || !r.hasLengthValue(f.Value) {
				continue
			}
		case equalFold(f.Name, "Transfer-Encoding"):
			// RFC 9112 §6.1: not to HTTP/1.0 clients, not with 1xx or
			// 204.
			if !http11 || noLength {
				continue
			}
		case equalFold(f.Name, "Connection"):
			if r.last && !r.connClose {
				continue
			}
		}
		w = appendField(w, f.Name, f.Value)
	}
	if !r.hasDate {
		if now.IsZero() {
			now = time.Now()
		}
		w = append(w, r.ex.c.srv.date.line(now)...)
	}
	switch {
	case r.last && !r.connClose:
		w = append(w, "Connection: close\r\n"...)
	case !r.last && !http11 && !r.hasConn:
		w = append(w, "Connection: keep-alive\r\n"...)
	}
	switch {
	case r.mode == modeLength && !r.hasLength:
		w = append(w, "Content-Length: "...)
		w = strconv.AppendInt(w, r.length, 10)
		w = append(w, '\r', '\n')
	case r.mode == modeChunked && !r.teChunked:
		w = append(w, "Transfer-Encoding: chunked\r\n"...)
	case r.mode == modeNone && req.Method == "HEAD" && final && bodyAllowed(r.status) &&
		!r.hasLength && !r.teChunked && !r.teOther && r.written > 0:
		// What the GET would have carried (RFC 9110 §9.3.2).
		w = append(w, "Content-Length: "...)
		w = strconv.AppendInt(w, r.written, 10)
		w = append(w, '\r', '\n')
	}
	r.wire = append(w, '\r', '\n')
}

// hasLengthValue reports whether v is the Content-Length the response is
// held to (a second, different or invalid one is dropped).
func (r *response) hasLengthValue(v string) bool {
	n, ok := parseLength(v)
	return ok && r.hasLength && n == r.declared
}

// frameBody moves the buffered body to r.wire in the response's framing.
func (r *response) frameBody() {
	if len(r.body) == 0 {
		return
	}
	switch r.mode {
	case modeLength, modeClose:
		r.wire = append(r.wire, r.body...)
	case modeChunked:
		r.wire = strconv.AppendUint(r.wire, uint64(len(r.body)), 16)
		r.wire = append(r.wire, '\r', '\n')
		r.wire = append(r.wire, r.body...)
		r.wire = append(r.wire, '\r', '\n')
	}
	r.body = r.body[:0]
}

func appendField(w []byte, name, value string) []byte {
	w = append(w, name...)
	w = append(w, ':', ' ')
	w = append(w, value...)
	return append(w, '\r', '\n')
}

// appendFields appends the valid fields of h.
func appendFields(w []byte, h Header) []byte {
	for i := range h {
		if validField(h[i].Name, h[i].Value) {
			w = appendField(w, h[i].Name, h[i].Value)
		}
	}
	return w
}

// validField reports whether a field may be sent: the name a token, the
// value free of CR, LF and NUL (RFC 9110 §5.1, §5.5). Other fields are
// dropped, so a handler cannot split the response.
func validField(name, value string) bool {
	if name == "" {
		return false
	}
	for i := 0; i < len(name); i++ {
		if !isTokenByte(name[i]) {
			return false
		}
	}
	for i := 0; i < len(value); i++ {
		if b := value[i]; b == '\r' || b == '\n' || b == 0 {
			return false
		}
	}
	return true
}

// isTokenByte: tchar (RFC 9110 §5.6.2).
func isTokenByte(b byte) bool {
	switch {
	case 'a' <= b && b <= 'z', 'A' <= b && b <= 'Z', '0' <= b && b <= '9':
		return true
	}
	switch b {
	case '!', '#', '$', '%', '&', '\'', '*', '+', '-', '.', '^', '_', '`', '|', '~':
		return true
	}
	return false
}

// parseLength parses a Content-Length value: 1*DIGIT (RFC 9110 §8.6).
func parseLength(v string) (int64, bool) {
	if v == "" || len(v) > 18 {
		return 0, false
	}
	var n int64
	for i := 0; i < len(v); i++ {
		if !isDigit(v[i]) {
			return 0, false
		}
		n = n*10 + int64(v[i]-'0')
	}
	return n, true
}

// lastToken returns the last element of a comma-separated list.
func lastToken(v string) string {
	for i := len(v) - 1; i >= 0; i-- {
		if v[i] == ',' {
			return v[i+1:]
		}
	}
	return v
}
