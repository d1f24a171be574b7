package fuzz

import (
	"bytes"
	"fmt"
	"strings"

	"github.com/conformhttp/conform/impl/parser"
)

// kind is the kind of a parser event as the Checker sees it: the span
// kinds, then the point events.
type kind uint8

const (
	kNone kind = iota
	kMethod
	kURL
	kProtocol
	kVersion
	kStatus
	kField
	kValue
	kBody
	kExtName
	kExtValue
	kMessageBegin
	kReset
	kHeadersComplete
	kChunkHeader
	kChunkComplete
	kMessageComplete
)

func (k kind) String() string {
	switch k {
	case kMethod:
		return "method"
	case kURL:
		return "url"
	case kProtocol:
		return "protocol"
	case kVersion:
		return "version"
	case kStatus:
		return "status"
	case kField:
		return "header_field"
	case kValue:
		return "header_value"
	case kBody:
		return "body"
	case kExtName:
		return "chunk_extension_name"
	case kExtValue:
		return "chunk_extension_value"
	}
	return "event"
}

// phase is where in a message the Checker is.
type phase uint8

const (
	phIdle       phase = iota // between messages
	phStart                   // the start line
	phHead                    // the field lines of the head
	phBody                    // a Content-Length, read-until-EOF or empty body
	phChunkSize               // a chunk-size line and its extensions
	phChunkData               // the data of a chunk
	phTrailer                 // the trailer section
	phTrailerEnd              // after the last chunk's chunk complete
)

// framing is how the Checker expects the body of the current message to
// end (RFC 9112 §6.3).
type framing uint8

const (
	frNone    framing = iota // no body: the message ends with its head
	frLength                 // Content-Length bytes
	frChunked                // the chunked coding
	frEOF                    // until the connection closes (Finish)
)

// headInfo is what the parser reports at headers complete.
type headInfo struct {
	typ           parser.Type
	method        parser.Method
	status        int
	major, minor  int
	flags         parser.Flags
	contentLength uint64
	upgrade       bool
}

// endInfo is what the parser reports at message complete.
type endInfo struct {
	flags     parser.Flags
	keepAlive bool
	upgrade   bool
	messages  int
}

// Violation is a broken invariant: what was wrong, at which input offset
// and at which event (counted from one; zero when it concerns an Execute
// or Finish result rather than an event), with the two numbers it
// compared when there are any.
type Violation struct {
	What      string
	Off       int64
	Event     int
	Got, Want int64
	HasValues bool
}

func (v *Violation) Error() string {
	s := fmt.Sprintf("%s (offset %d, event %d)", v.What, v.Off, v.Event)
	if v.HasValues {
		s += fmt.Sprintf(": got %d, want %d", v.Got, v.Want)
	}
	return s
}

// Checker receives a parser's events and checks, without allocating, the
// invariants every stream must keep whatever its bytes: offsets inside the
// input and never going back, span bytes equal to the input at their
// offset, spans of one kind contiguous until their complete event (an
// obs-fold gap excepted), events in the order of RFC 9112's grammar (no
// header value before its field, headers complete only after a whole
// start line, message complete only after headers complete, chunk
// complete only after a chunk header), and the framing rules of RFC 9112
// §6.3: a body as long as the Content-Length field says, a chunked body as
// long as its chunk sizes, no body where the rules say none, a body read
// until EOF only at Finish. It records the first violation.
//
// A Checker is built for one input by NewChecker and reused across parses
// of it with Reset.
type Checker struct {
	in   []byte
	opts Options
	cb   *parser.Callbacks

	bad bool
	v   Violation

	events    int
	lastOff   int64
	finishing bool // Finish is running: read-until-EOF bodies may end

	messages  int
	resetSeen bool // OnReset fired; OnMessageBegin must follow
	closed    bool // a message ended the connection
	upgraded  bool // a message switched protocols

	ph        phase
	typ       parser.Type // the current message's type, once its start line says
	stage     int         // start-line parts complete so far
	expectVal bool        // a field name is complete; its value comes next
	extName   bool        // this event is a chunk extension name's complete
	// afterExtName: the previous event was a chunk extension name's
	// complete, so a value may begin.
	afterExtName bool
	open         kind // span kind with fragments and no complete yet
	openStart    int64
	openEnd      int64
	afterFold    bool // the last value fragment was an obs-fold's SP

	methodOff, versionOff int64

	// Content-Length fields of the head, read from their value spans.
	fieldCL  bool // the field whose value is being read is Content-Length
	clOK     bool // its value so far is digits then optional whitespace
	clWS     bool
	clDigits int
	clVal    uint64
	clCount  int
	clDecl   uint64

	fr        framing
	decision  parser.HeadersDecision
	declared  uint64
	body      uint64
	chunk     uint64
	chunkGot  uint64
	prevBody  bool // the previous event was a body fragment
	bodyEnd   int64
	wantUp    bool // the head says the message switches protocols
	checkUp   bool // the rules decide wantUp (not for other major versions)
	head      headInfo
	wantClose bool // the head says the connection ends after the message
	checkKeep bool // the rules decide wantClose (HTTP/1.x)
}

// NewChecker returns a Checker for parsing in with the decisions of opts.
func NewChecker(in []byte, opts Options) *Checker {
	c := &Checker{in: in, opts: opts}
	c.cb = c.callbacks()
	c.Reset()
	return c
}

// Reset forgets every event, ready for another parse of the same input.
func (c *Checker) Reset() {
	in, opts, cb := c.in, c.opts, c.cb
	*c = Checker{in: in, opts: opts, cb: cb}
}

// Callbacks returns the callbacks that feed c; every one is set.
func (c *Checker) Callbacks() *parser.Callbacks { return c.cb }

// Err returns the first violation, or nil.
func (c *Checker) Err() error {
	if !c.bad {
		return nil
	}
	v := c.v
	return &v
}

// Events returns how many events c has received.
func (c *Checker) Events() int { return c.events }

func (c *Checker) fail(what string, off int64) {
	if !c.bad {
		c.bad = true
		c.v = Violation{What: what, Off: off, Event: c.events}
	}
}

func (c *Checker) failValues(what string, off int64, got, want int64) {
	if !c.bad {
		c.bad = true
		c.v = Violation{What: what, Off: off, Event: c.events, Got: got, Want: want, HasValues: true}
	}
}

// event does the checks common to every event at off.
func (c *Checker) event(k kind, off int64) {
	c.events++
	if off < 0 || off > int64(len(c.in)) {
		c.failValues("event offset outside the input", off, off, int64(len(c.in)))
	}
	if off < c.lastOff {
		c.failValues("event offset goes back", off, off, c.lastOff)
	}
	c.lastOff = off
	if c.upgraded {
		c.fail("event after a message that switched protocols", off)
	}
	if k != kBody {
		c.prevBody = false
	}
	// A chunk extension value may only follow its name's complete event.
	c.afterExtName, c.extName = c.extName, false
}

func (c *Checker) messageBegin(off int64, typ parser.Type) {
	c.event(kMessageBegin, off)
	switch {
	case c.ph != phIdle:
		c.fail("message begin inside a message", off)
	case c.closed:
		c.fail("message begin after a message that closes the connection", off)
	case c.messages > 0 && !c.resetSeen:
		c.fail("second message begins without a reset event", off)
	case c.messages == 0 && c.resetSeen:
		c.fail("reset event before the first message", off)
	}
	c.resetSeen = false
	c.messages++
	c.ph, c.typ, c.stage = phStart, typ, 0
	c.expectVal, c.extName, c.open = false, false, kNone
	c.clCount, c.clDecl, c.fieldCL = 0, 0, false
	c.fr, c.declared, c.body, c.chunk, c.chunkGot = frNone, 0, 0, 0, 0
	c.wantUp, c.wantClose = false, false
}

func (c *Checker) reset(off int64) {
	c.event(kReset, off)
	if c.ph != phIdle || c.messages == 0 || c.resetSeen {
		c.fail("reset event not between two messages", off)
	}
	c.resetSeen = true
}

// startKind returns the span that the start line of a message of type
// typ has after stage others, or kNone past its end.
func startKind(typ parser.Type, stage int) kind {
	switch {
	case typ == parser.Request && stage == 0:
		return kMethod
	case typ == parser.Request && stage == 1:
		return kURL
	case typ == parser.Request && stage == 2, typ == parser.Response && stage == 0:
		return kProtocol
	case typ == parser.Request && stage == 3, typ == parser.Response && stage == 1:
		return kVersion
	case typ == parser.Response && stage == 2:
		return kStatus
	}
	return kNone
}

// mayStart reports whether a span of kind k may begin now.
func (c *Checker) mayStart(k kind) bool {
	switch c.ph {
	case phStart:
		if c.typ == parser.Both && c.stage == 0 {
			// The first span tells which kind of message this is.
			switch k {
			case kMethod:
				c.typ = parser.Request
			case kProtocol:
				c.typ = parser.Response
			}
		}
		return k != kNone && startKind(c.typ, c.stage) == k
	case phHead, phTrailer:
		return (k == kField && !c.expectVal) || (k == kValue && c.expectVal)
	case phChunkSize:
		return k == kExtName || (k == kExtValue && c.afterExtName)
	}
	return false
}

func (c *Checker) span(k kind, off int64, b []byte) {
	c.event(k, off)
	end := off + int64(len(b))
	switch {
	case len(b) == 0:
		c.fail("empty span fragment", off)
		return
	case off < 0 || end > int64(len(c.in)):
		c.failValues("span ends outside the input", off, end, int64(len(c.in)))
		return
	case !bytes.Equal(b, c.in[off:end]) && !(k == kValue && c.foldSP(off, b)):
		c.fail("span bytes differ from the input at their offset", off)
		return
	}
	c.lastOff = end
	if k == kBody {
		c.bodyFragment(off, end)
		return
	}
	fold := k == kValue && c.foldSP(off, b)
	switch {
	case c.open == k:
		if off != c.openEnd && !(fold && c.foldGap(c.openEnd, off)) &&
			!(k == kValue && c.afterFold && c.gapOf(c.openEnd, off, " \t", len(c.in))) {
			c.failValues("span fragment not contiguous with the previous one", off, off, c.openEnd)
		}
	case c.open != kNone:
		c.fail("span begins while another span is open", off)
		return
	case !c.mayStart(k):
		c.fail("span out of order", off)
		return
	default:
		c.open, c.openStart = k, off
	}
	c.openEnd = end
	c.afterFold = fold
	if k == kValue && c.fieldCL {
		c.clBytes(b)
	}
}

// foldSP reports whether the value fragment b at off is the SP that
// stands for an obs-fold (RFC 9112 §5.2: a recipient that accepts a fold
// replaces it with SP): one SP reported at the fold's first whitespace
// byte, right after a line break. The parser accepts folds in responses,
// and in requests under LenientHeaders.
func (c *Checker) foldSP(off int64, b []byte) bool {
	if c.opts.Lenient&parser.LenientHeaders == 0 && c.typ != parser.Response {
		return false
	}
	return len(b) == 1 && b[0] == ' ' && off >= 1 && off < int64(len(c.in)) &&
		(c.in[off] == ' ' || c.in[off] == '\t') && (c.in[off-1] == '\n' || c.in[off-1] == '\r')
}

// foldGap reports whether the bytes from..to may lie between a value
// fragment and the SP of an obs-fold after it: the rest of an earlier
// fold's whitespace, when the fragment was a fold's SP, then the line
// break (one or two of CR and LF, as the lenient line-end modes allow).
func (c *Checker) foldGap(from, to int64) bool {
	if c.afterFold {
		for from < to && (c.in[from] == ' ' || c.in[from] == '\t') {
			from++
		}
	}
	return c.gapOf(from, to, "\r\n", 2)
}

// gapOf reports whether the bytes from..to, at most max of them and at
// least one, are all from set.
func (c *Checker) gapOf(from, to int64, set string, max int) bool {
	if to <= from || to-from > int64(max) || to > int64(len(c.in)) {
		return false
	}
	for _, x := range c.in[from:to] {
		if !strings.ContainsRune(set, rune(x)) {
			return false
		}
	}
	return true
}

// clBytes reads a fragment of a Content-Length value:
// Content-Length = 1*DIGIT (RFC 9110 §8.6), then optional whitespace.
func (c *Checker) clBytes(b []byte) {
	for _, x := range b {
		switch {
		case x >= '0' && x <= '9' && !c.clWS:
			d := uint64(x - '0')
			if c.clVal > (^uint64(0)-d)/10 {
				c.clOK = false
			}
			c.clVal = c.clVal*10 + d
			c.clDigits++
		case x == ' ' || x == '\t':
			c.clWS = true
		default:
			c.clOK = false
		}
	}
}

func (c *Checker) bodyFragment(off, end int64) {
	if c.prevBody && off != c.bodyEnd {
		c.failValues("body fragment not contiguous with the previous one", off, off, c.bodyEnd)
	}
	c.prevBody, c.bodyEnd = true, end
	n := uint64(end - off)
	switch c.ph {
	case phBody:
		c.body += n
		if c.fr == frNone {
			c.fail("body bytes in a message without a body", off)
		} else if c.fr == frLength && c.body > c.declared {
			c.failValues("more body bytes than Content-Length", off, int64(c.body), int64(c.declared))
		}
	case phChunkData:
		c.body += n
		c.chunkGot += n
		if c.chunkGot > c.chunk {
			c.failValues("more chunk data than the chunk size", off, int64(c.chunkGot), int64(c.chunk))
		}
	default:
		c.fail("body fragment outside a body", off)
	}
}

func (c *Checker) complete(k kind, off int64) {
	c.event(k, off)
	switch {
	case c.open == k:
		if off < c.openEnd {
			c.failValues("complete event before the end of its span", off, off, c.openEnd)
		}
	case c.open != kNone:
		c.fail("complete event of another kind than the open span", off)
		return
	case !c.mayStart(k):
		c.fail("complete event out of order", off)
		return
	case k != kStatus && k != kValue:
		// Only a reason phrase and a field value may be empty.
		c.fail("complete event of an empty span that cannot be empty", off)
		return
	default:
		c.openStart, c.openEnd = off, off
	}
	c.open = kNone
	span := c.in[c.openStart:c.openEnd]
	switch k {
	case kMethod:
		c.methodOff = c.openStart
		c.stage++
	case kURL, kStatus:
		c.stage++
	case kProtocol:
		if string(span) != "HTTP" {
			c.fail("protocol span is not HTTP", c.openStart)
		}
		c.stage++
	case kVersion:
		if len(span) != 3 || span[1] != '.' || !isDigit(span[0]) || !isDigit(span[2]) {
			c.fail("version span is not DIGIT.DIGIT", c.openStart)
		}
		c.versionOff = c.openStart
		c.stage++
		if c.typ == parser.Request {
			c.ph = phHead
		}
	case kField:
		c.expectVal = true
		c.fieldCL = c.ph == phHead && equalFold(span, "content-length")
		c.clOK, c.clWS, c.clDigits, c.clVal = true, false, 0, 0
	case kValue:
		c.expectVal = false
		if c.fieldCL && c.clOK && c.clDigits > 0 {
			c.clCount++
			c.clDecl = c.clVal
		}
		c.fieldCL = false
	case kExtName:
		c.extName = true
	}
	if k == kStatus {
		c.ph = phHead
	}
}

func (c *Checker) headersComplete(off int64, h headInfo) parser.HeadersDecision {
	c.event(kHeadersComplete, off)
	if c.ph != phHead || c.open != kNone || c.expectVal {
		c.fail("headers complete before the head is whole", off)
		return parser.Proceed
	}
	c.head = h
	switch {
	case h.typ != parser.Request && h.typ != parser.Response:
		c.fail("message type unknown at headers complete", off)
	case h.typ != c.typ:
		c.fail("message type at headers complete differs from its start line", off)
	}
	if h.typ == parser.Request && !c.hasAt(c.methodOff, h.method.String()) {
		c.fail("Method() differs from the method span", off)
	}
	if v := c.in[c.versionOff:]; len(v) < 3 || int(v[0]-'0') != h.major || int(v[2]-'0') != h.minor {
		c.fail("Version() differs from the version span", off)
	}
	if h.typ == parser.Response && (h.status < 100 || h.status > 599) {
		c.failValues("status code out of range", off, int64(h.status), 100)
	}
	hasCL := h.flags&parser.FlagContentLength != 0
	switch {
	case hasCL && c.clCount == 0:
		c.fail("Content-Length flag without a valid Content-Length field", off)
	case !hasCL && c.clCount > 0:
		c.fail("Content-Length field without the Content-Length flag", off)
	case hasCL && h.contentLength != c.clDecl:
		c.failValues("ContentLength() differs from the Content-Length field", off, int64(h.contentLength), int64(c.clDecl))
	}

	d := c.opts.decision(h.typ, c.messages-1)
	c.decision = d
	resp := h.typ == parser.Response
	noBody := d != parser.Proceed ||
		(resp && (h.status/100 == 1 || h.status == 204 || h.status == 304)) ||
		(!resp && h.method == parser.MethodConnect)
	switch {
	case noBody:
		c.fr = frNone
	case h.flags&parser.FlagChunked != 0:
		c.fr = frChunked
	case h.flags&parser.FlagTransferEncoding != 0:
		c.fr = frEOF
	case hasCL:
		c.fr, c.declared = frLength, h.contentLength
	case resp:
		c.fr = frEOF
	default:
		c.fr = frNone
	}
	// Protocol switches: RFC 9110 §7.8 (Upgrade, ignored in an HTTP/1.0
	// request), §9.3.6 (CONNECT), §15.2.2 (101), RFC 9112 §6.3 rule 2
	// (a 2xx answer to CONNECT, which the SkipBodyUpgrade decision says).
	c.checkUp = true
	switch {
	case resp:
		c.wantUp = h.status == 101 || d == parser.SkipBodyUpgrade
	case h.method == parser.MethodConnect:
		c.wantUp = true
	case h.major != 1:
		c.checkUp = false // another major version, under LenientVersion
	default:
		c.wantUp = h.minor > 0 &&
			h.flags&(parser.FlagUpgrade|parser.FlagConnectionUpgrade) == parser.FlagUpgrade|parser.FlagConnectionUpgrade
	}
	// Persistence (RFC 9112 §9.3): "close" ends the connection; else
	// HTTP/1.1 (and any higher HTTP/1 minor version, RFC 9110 §2.5)
	// persists and HTTP/1.0 persists only with "keep-alive"; a body that
	// ends at EOF, or framing that had both Content-Length and
	// Transfer-Encoding (RFC 9112 §6.3 rule 3), ends it too.
	c.checkKeep = h.major == 1
	keep := h.flags&parser.FlagConnectionClose == 0
	if h.minor == 0 && h.flags&parser.FlagConnectionKeepAlive == 0 {
		keep = false
	}
	if c.fr == frEOF || (hasCL && h.flags&parser.FlagTransferEncoding != 0) {
		keep = false
	}
	c.wantClose = !keep
	if c.fr == frChunked {
		c.ph = phChunkSize
	} else {
		c.ph = phBody
	}
	c.expectVal = false
	return d
}

func (c *Checker) chunkHeader(off int64, size uint64) {
	c.event(kChunkHeader, off)
	if c.ph != phChunkSize || c.open != kNone {
		c.fail("chunk header outside a chunk-size line", off)
		return
	}
	c.chunk, c.chunkGot = size, 0
	if size == 0 {
		c.ph = phTrailer
		c.expectVal = false
	} else {
		c.ph = phChunkData
	}
}

func (c *Checker) chunkComplete(off int64) {
	c.event(kChunkComplete, off)
	switch {
	case c.ph == phChunkData && c.chunkGot == c.chunk:
		c.ph = phChunkSize
	case c.ph == phChunkData:
		c.failValues("chunk complete before the chunk's data", off, int64(c.chunkGot), int64(c.chunk))
	case c.ph == phTrailer && c.open == kNone && !c.expectVal:
		c.ph = phTrailerEnd
	default:
		c.fail("chunk complete without a chunk", off)
	}
}

func (c *Checker) messageComplete(off int64, e endInfo) {
	c.event(kMessageComplete, off)
	switch {
	case c.ph == phTrailerEnd:
	case c.ph != phBody:
		c.fail("message complete before the message is whole", off)
	case c.fr == frNone && c.body != 0:
		c.failValues("body in a message without a body", off, int64(c.body), 0)
	case c.fr == frLength && c.body != c.declared:
		c.failValues("body length differs from Content-Length", off, int64(c.body), int64(c.declared))
	case c.fr == frEOF && (!c.finishing || off != int64(len(c.in))):
		c.fail("body delimited by EOF ends before EOF", off)
	}
	if e.messages != c.messages {
		c.failValues("Messages() differs from the messages begun", off, int64(e.messages), int64(c.messages))
	}
	if (e.flags&parser.FlagSkipBody != 0) != (c.decision != parser.Proceed) {
		c.fail("SkipBody flag differs from the headers-complete decision", off)
	}
	if c.checkUp && e.upgrade != c.wantUp {
		c.fail("Upgrade() differs from what the head says (CONNECT, Upgrade with Connection: upgrade, 101, SkipBodyUpgrade)", off)
	}
	if !e.upgrade && c.checkKeep && e.keepAlive == c.wantClose {
		c.fail("ShouldKeepAlive() differs from what the head says (version, Connection, framing)", off)
	}
	c.ph = phIdle
	c.upgraded = e.upgrade
	if !e.upgrade && !e.keepAlive && c.opts.Lenient&parser.LenientKeepAlive == 0 {
		c.closed = true
	}
}

// callbacks builds the parser callbacks that feed c, once: the closures
// do not allocate when called.
func (c *Checker) callbacks() *parser.Callbacks {
	span := func(k kind) func(*parser.Parser, []byte) error {
		return func(p *parser.Parser, b []byte) error { c.span(k, p.Offset(), b); return nil }
	}
	complete := func(k kind) func(*parser.Parser) error {
		return func(p *parser.Parser) error { c.complete(k, p.Offset()); return nil }
	}
	return &parser.Callbacks{
		OnMessageBegin:        func(p *parser.Parser) error { c.messageBegin(p.Offset(), p.Type()); return nil },
		OnMethod:              span(kMethod),
		OnMethodComplete:      complete(kMethod),
		OnURL:                 span(kURL),
		OnURLComplete:         complete(kURL),
		OnProtocol:            span(kProtocol),
		OnProtocolComplete:    complete(kProtocol),
		OnVersion:             span(kVersion),
		OnVersionComplete:     complete(kVersion),
		OnStatus:              span(kStatus),
		OnStatusComplete:      complete(kStatus),
		OnHeaderField:         span(kField),
		OnHeaderFieldComplete: complete(kField),
		OnHeaderValue:         span(kValue),
		OnHeaderValueComplete: complete(kValue),
		OnHeadersComplete: func(p *parser.Parser) (parser.HeadersDecision, error) {
			major, minor := p.Version()
			return c.headersComplete(p.Offset(), headInfo{typ: p.Type(), method: p.Method(),
				status: p.StatusCode(), major: major, minor: minor, flags: p.Flags(),
				contentLength: p.ContentLength(), upgrade: p.Upgrade()}), nil
		},
		OnBody:                        span(kBody),
		OnChunkHeader:                 func(p *parser.Parser) error { c.chunkHeader(p.Offset(), p.ContentLength()); return nil },
		OnChunkExtensionName:          span(kExtName),
		OnChunkExtensionNameComplete:  complete(kExtName),
		OnChunkExtensionValue:         span(kExtValue),
		OnChunkExtensionValueComplete: complete(kExtValue),
		OnChunkComplete:               func(p *parser.Parser) error { c.chunkComplete(p.Offset()); return nil },
		OnMessageComplete: func(p *parser.Parser) error {
			c.messageComplete(p.Offset(), endInfo{flags: p.Flags(), keepAlive: p.ShouldKeepAlive(),
				upgrade: p.Upgrade(), messages: p.Messages()})
			return nil
		},
		OnReset: func(p *parser.Parser) error { c.reset(p.Offset()); return nil },
	}
}

// hasAt reports whether the input holds s at off.
func (c *Checker) hasAt(off int64, s string) bool {
	return off >= 0 && off+int64(len(s)) <= int64(len(c.in)) && string(c.in[off:off+int64(len(s))]) == s
}

func isDigit(b byte) bool { return b >= '0' && b <= '9' }

// equalFold reports whether b is lower (all lower case ASCII) in any case.
func equalFold(b []byte, lower string) bool {
	if len(b) != len(lower) {
		return false
	}
	for i, x := range b {
		if x >= 'A' && x <= 'Z' {
			x += 'a' - 'A'
		}
		if x != lower[i] {
			return false
		}
	}
	return true
}
