package server

import (
	"errors"

	"github.com/conformhttp/conform/impl/parser"
)

// The parser callbacks. They run in the reader goroutine, inside
// c.p.Execute; their []byte arguments alias the read buffer and are copied
// into c.arena.

// errStop, returned from a callback, stops the parser without an error
// response: the connection is already closing.
var errStop = errors.New("server: stop reading")

func (c *conn) onMessageBegin(p *parser.Parser) error {
	c.mu.Lock()
	if c.shutting || c.lastQueuedLocked() {
		// The server is shutting down, or a response already queued is
		// the connection's last: take no new request.
		c.stopRead = true
		c.drainClose = true
		c.checkDoneLocked()
		c.mu.Unlock()
		return errStop
	}
	if c.fullLocked() {
		c.mu.Unlock()
		c.waitRoom = true
		p.Pause()
		return nil
	}
	ex := c.beginMessageLocked()
	c.mu.Unlock()
	c.beginRead(ex)
	return nil
}

// lastQueuedLocked reports whether a response already decided to be the
// connection's last: a request read after it would never be answered, so
// it is not read (and its handler not run).
func (c *conn) lastQueuedLocked() bool {
	if c.closeAfter {
		return true
	}
	for _, ex := range c.q[c.qh:] {
		if ex.last {
			return true
		}
	}
	return false
}

// beginMessage starts reading a request whose first byte arrived at
// c.readAt.
func (c *conn) beginMessage() {
	c.mu.Lock()
	ex := c.beginMessageLocked()
	c.mu.Unlock()
	c.beginRead(ex)
}

// beginMessageLocked is beginMessage's part under c.mu.
func (c *conn) beginMessageLocked() *exchange {
	c.inRequest = true
	c.headDone = false
	c.reqBegin = c.readAt
	c.idle = false
	c.setStateLocked(StateActive)
	return c.getExchangeLocked()
}

// beginRead is beginMessage's part in the reader's own state.
func (c *conn) beginRead(ex *exchange) {
	c.cur = ex
	c.arena = c.arena[:0]
	c.spans = c.spans[:0]
	c.inField = false
	c.nfields = 0
	c.targetEnd = 0
	c.nreq++
}

func (c *conn) onURL(_ *parser.Parser, b []byte) error {
	c.arena = append(c.arena, b...)
	return nil
}

func (c *conn) onURLComplete(*parser.Parser) error {
	c.targetEnd = len(c.arena)
	return nil
}

func (c *conn) onHeaderField(_ *parser.Parser, b []byte) error {
	if !c.inField {
		c.spans = append(c.spans, fieldSpan{nameStart: len(c.arena)})
		c.inField = true
	}
	c.arena = append(c.arena, b...)
	return nil
}

func (c *conn) onHeaderFieldComplete(*parser.Parser) error {
	sp := &c.spans[len(c.spans)-1]
	sp.nameEnd = len(c.arena)
	sp.valStart, sp.valEnd = sp.nameEnd, sp.nameEnd
	c.inField = false
	c.nfields++
	if c.cfg.maxHeaders > 0 && c.nfields > c.cfg.maxHeaders {
		return ErrTooManyHeaders
	}
	return nil
}

func (c *conn) onHeaderValue(_ *parser.Parser, b []byte) error {
	c.arena = append(c.arena, b...)
	return nil
}

func (c *conn) onHeaderValueComplete(*parser.Parser) error {
	sp := &c.spans[len(c.spans)-1]
	end := len(c.arena)
	// The parser hands over trailing whitespace; it is not part of the
	// value (RFC 9112 §5.1).
	for end > sp.valStart && (c.arena[end-1] == ' ' || c.arena[end-1] == '\t') {
		end--
	}
	sp.valEnd = end
	return nil
}

// fields turns c.spans into fields whose strings are substrings of s, a
// copy of c.arena: one allocation for the whole head.
func (c *conn) fields(h Header, s string) Header {
	for _, sp := range c.spans {
		h = append(h, Field{Name: s[sp.nameStart:sp.nameEnd], Value: s[sp.valStart:sp.valEnd]})
	}
	return h
}

func (c *conn) onHeadersComplete(p *parser.Parser) (parser.HeadersDecision, error) {
	ex := c.cur
	r := &ex.req
	head := c.strs.string(c.arena)
	r.Method = p.Method().String()
	r.Target = head[:c.targetEnd]
	r.ProtoMajor, r.ProtoMinor = p.Version()
	r.Header = c.fields(r.Header[:0], head)
	r.RemoteAddr = c.remote
	r.ctx = c.ctx
	r.Body = &ex.br
	flags := p.Flags()
	switch {
	case flags&parser.FlagChunked != 0:
		r.Framing, r.ContentLength = FramingChunked, -1
	case flags&parser.FlagTransferEncoding != 0:
		r.Framing, r.ContentLength = FramingUntilClose, -1
	case flags&parser.FlagContentLength != 0:
		r.Framing, r.ContentLength = FramingContentLength, int64(p.ContentLength())
	default:
		r.Framing, r.ContentLength = FramingNone, 0
	}
	exp, hasExpect, err := checkRequest(r)
	if err != nil {
		return parser.Proceed, err
	}
	hasBody := r.Framing == FramingChunked || r.Framing == FramingUntilClose || r.ContentLength > 0
	// Later fields are trailers.
	c.arena = c.arena[:0]
	c.spans = c.spans[:0]
	c.nfields = 0

	c.mu.Lock()
	defer c.mu.Unlock()
	c.headDone = true
	ex.last = !p.ShouldKeepAlive() || c.shutting ||
		(c.cfg.maxRequests > 0 && c.nreq >= c.cfg.maxRequests)
	if !hasBody {
		ex.bodyDone = true
		ex.noBody = true
	}
	if p.Upgrade() && (r.Method == "CONNECT" || (c.srv.OnUpgrade != nil && !hasBody)) {
		ex.kind = kindHook
		ex.handlerDone = true
		c.hook = ex
		return parser.Proceed, nil
	}
	ex.handler = c.srv.Handler
	if ex.handler == nil {
		ex.handler = HandlerFunc(notFound)
	}
	if hasExpect && r.atLeast11() {
		// RFC 9110 §10.1.1; an HTTP/1.0 request's expectation is
		// ignored.
		if equalFold(exp, "100-continue") {
			ex.expectContinue = hasBody
			if c.srv.OnCheckContinue != nil {
				ex.handler = c.srv.OnCheckContinue
			}
		} else if c.srv.OnCheckExpectation != nil {
			ex.handler = c.srv.OnCheckExpectation
		} else {
			ex.handler = HandlerFunc(expectationFailed)
		}
	}
	c.enqueueLocked(ex)
	if !hasBody && c.cfg.handoff > 0 {
		// Nothing more to read for it: the handler runs on this
		// goroutine once the message is complete (inline.go).
		ex.inline = true
		return parser.Proceed, nil
	}
	c.hwg.Add(1)
	c.spawned = true
	go ex.run()
	return parser.Proceed, nil
}

func notFound(w ResponseWriter, _ *Request) {
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	w.WriteHeader(404)
	w.WriteString("404 Not Found\n")
}

// expectationFailed answers an expectation the server does not meet. The
// client may or may not send the body now, so the connection closes.
func expectationFailed(w ResponseWriter, _ *Request) {
	w.Header().Set("Connection", "close")
	w.WriteHeader(417)
}

// checkRequest applies the rules the parser leaves to the server, and
// returns the Expect field's value.
func checkRequest(r *Request) (expect string, hasExpect bool, err error) {
	if r.ProtoMajor != 1 {
		return "", false, ErrUnsupportedVersion
	}
	hosts := 0
	var host string
	for i := range r.Header {
		f := &r.Header[i]
		switch {
		case equalFold(f.Name, "host"):
			hosts++
			host = f.Value
		case !hasExpect && equalFold(f.Name, "expect"):
			expect, hasExpect = f.Value, true
		}
	}
	// RFC 9112 §3.2: a server MUST respond 400 to an HTTP/1.1 request
	// without Host, and to any request with more than one Host field or
	// an invalid Host value.
	switch {
	case hosts > 1:
		return "", false, ErrMultipleHost
	case hosts == 0 && r.atLeast11():
		return "", false, ErrMissingHost
	case hosts == 1 && !validHost(host):
		return "", false, ErrInvalidHost
	}
	return expect, hasExpect, nil
}

// validHost reports whether v matches uri-host [ ":" port ] (RFC 3986
// §3.2.2, §3.2.3), or is empty (RFC 9112 §3.2 for targets without an
// authority).
func validHost(v string) bool {
	if v == "" {
		return true
	}
	host, port := v, ""
	if v[0] == '[' {
		end := -1
		for i := 1; i < len(v); i++ {
			if v[i] == ']' {
				end = i
				break
			}
		}
		if end < 0 {
			return false
		}
		for i := 1; i < end; i++ {
			if !isIPLiteralByte(v[i]) {
				return false
			}
		}
		host, port = "", v[end+1:]
		if port != "" && port[0] != ':' {
			return false
		}
	} else {
		for i := 0; i < len(v); i++ {
			if v[i] == ':' {
				host, port = v[:i], v[i:]
				break
			}
		}
	}
	for i := 0; i < len(host); i++ {
		if !isRegNameByte(host[i]) {
			return false
		}
	}
	if port != "" {
		for i := 1; i < len(port); i++ {
			if port[i] < '0' || port[i] > '9' {
				return false
			}
		}
	}
	return true
}

// isRegNameByte: unreserved / pct-encoded / sub-delims (RFC 3986 §3.2.2).
func isRegNameByte(b byte) bool {
	switch {
	case 'a' <= b && b <= 'z', 'A' <= b && b <= 'Z', '0' <= b && b <= '9':
		return true
	}
	switch b {
	case '-', '.', '_', '~', '%', '!', '$', '&', '\'', '(', ')', '*', '+', ',', ';', '=':
		return true
	}
	return false
}

// isIPLiteralByte: the bytes of IPv6address / IPvFuture inside brackets.
func isIPLiteralByte(b byte) bool {
	return isRegNameByte(b) || b == ':'
}

func (c *conn) onBody(_ *parser.Parser, b []byte) error {
	ex := c.cur
	if ex.kind != kindHandler {
		return nil
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	ex.received += int64(len(b))
	if ex.discard {
		ex.drained += int64(len(b))
		if ex.drained > c.cfg.maxDrain {
			// Too long to drain: stop, and close once the queued
			// responses are written (see parseError).
			return errStop
		}
		return nil
	}
	ex.body = append(ex.body, b...)
	c.bodyCond.Broadcast()
	if len(ex.body)-ex.bodyOff >= bodyHighWater && c.pendingWrite {
		// About to wait: send what inline handlers answered first.
		c.pendingWrite = false
		c.pumpLocked()
	}
	for len(ex.body)-ex.bodyOff >= bodyHighWater && !ex.discard && !c.closed && !c.writeDone {
		c.readerCond.Wait()
	}
	if c.closed || c.writeDone {
		return errStop
	}
	return nil
}

func (c *conn) onMessageComplete(p *parser.Parser) error {
	ex := c.cur
	var trailer string
	if len(c.spans) > 0 {
		trailer = c.strs.string(c.arena)
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if trailer != "" {
		ex.req.Trailer = c.fields(ex.req.Trailer[:0], trailer)
	}
	ex.bodyDone = true
	ex.readerDone = true
	c.bodyCond.Broadcast()
	c.cur = nil
	if ex.kind == kindHook {
		// The connection stays busy (inRequest) until the hook has it.
		return nil
	}
	c.inRequest = false
	c.headDone = false
	if ex.last || c.shutting {
		c.stopRead = true
		c.stopAfter = true
		p.Pause()
	}
	if ex.inline {
		// Run its handler (feed) before parsing on.
		c.inline = ex
		p.Pause()
	}
	// Last: the exchange may be reused at once.
	c.recycleLocked(ex)
	c.checkDoneLocked()
	return nil
}

// parseError answers a request the parser rejected.
func (c *conn) parseError(pe *parser.Error, b []byte) {
	status := 400
	var err error = pe
	switch {
	case errors.Is(pe.Err, errStop):
		// The request being read (if any) is abandoned; the connection
		// closes once the queued responses are written.
		ex := c.cur
		c.cur = nil
		c.mu.Lock()
		defer c.mu.Unlock()
		if ex != nil {
			ex.readerDone = true
			c.recycleLocked(ex)
		}
		c.stopRead = true
		c.drainClose = true
		c.inRequest = false
		c.headDone = false
		c.checkDoneLocked()
		return
	case pe.Code == parser.ErrHeaderOverflow && c.targetEnd == 0 && len(c.arena) > 0:
		// The limit was reached inside the request-target (its end not
		// yet seen): RFC 9112 §3 — "A server that receives a
		// request-target longer than any URI it wishes to parse MUST
		// respond with a 414 (URI Too Long) status code."
		status = 414
		err = errors.Join(ErrURITooLong, pe)
	case pe.Code == parser.ErrHeaderOverflow, errors.Is(pe.Err, ErrTooManyHeaders):
		status = 431
	case errors.Is(pe.Err, ErrUnsupportedVersion):
		status = 505
		err = errors.Join(ErrUnsupportedVersion, pe)
	case pe.Code == parser.ErrInvalidVersion && wellFormedVersion(b, c.base, pe):
		status = 505
		err = errors.Join(ErrUnsupportedVersion, pe)
	}
	c.requestFailed(err, status)
}

// wellFormedVersion reports whether the version the parser rejected is
// syntactically HTTP-version (RFC 9112 §2.3: "HTTP/" DIGIT "." DIGIT) and
// so unsupported rather than malformed. b is the input of the failed
// Execute, whose first byte is at parser offset base.
func wellFormedVersion(b []byte, base int64, pe *parser.Error) bool {
	pos := int(pe.Offset - base)
	if pos < 0 || pos > len(b) {
		return false
	}
	// The error is reported inside the version; find the "HTTP/" it
	// belongs to.
	for i := min(pos, len(b)-1); i >= 0 && i >= pos-8; i-- {
		if i+8 <= len(b) && string(b[i:i+5]) == "HTTP/" {
			return isDigit(b[i+5]) && b[i+6] == '.' && isDigit(b[i+7]) &&
				(i+8 == len(b) || b[i+8] == '\r' || b[i+8] == '\n')
		}
	}
	return false
}

func isDigit(b byte) bool { return '0' <= b && b <= '9' }

// requestFailed answers the request being read with status (after the
// responses to earlier requests) and closes the connection.
func (c *conn) requestFailed(err error, status int) {
	ce := &ClientError{Err: err, Status: status, RemoteAddr: c.remote, Conn: c.rwc}
	var resp []byte
	if c.srv.OnClientError != nil {
		resp = c.srv.OnClientError(ce)
	} else {
		resp = ce.Response()
	}
	ex := c.cur
	c.cur = nil
	c.hook = nil
	c.mu.Lock()
	defer c.mu.Unlock()
	// Whatever is sent, the connection ends after the queued responses:
	// where the next request would start is unknowable. (The request's
	// own response may already be out, while its body was being
	// drained; then nothing more is sent.)
	c.stopRead = true
	c.drainClose = true
	c.inRequest = false
	c.headDone = false
	if ex == nil || ex.kind == kindHook {
		ex = c.getExchangeLocked()
		ex.kind = kindServer
	}
	ex.readerDone = true
	if ex.kind != kindHandler || !ex.queued {
		// The head was never complete: answer with resp alone.
		ex.kind = kindServer
		ex.handlerDone = true
		ex.out = append(ex.out[:0], resp...)
		c.outBytes += len(resp)
		ex.done = true
		ex.last = true
		c.enqueueLocked(ex)
	} else {
		// The handler is running: its request ends with err, and resp
		// replaces its response unless that has begun.
		ex.bodyErr = err
		c.bodyCond.Broadcast()
		c.replaceLocked(ex, resp)
	}
	c.pumpLocked()
}
