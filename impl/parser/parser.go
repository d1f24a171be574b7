package parser

// DefaultMaxHeaderSize is the largest message head (start line and header
// fields, as Node's --max-http-header-size counts it) accepted when
// Config.MaxHeaderSize is zero: 16 KiB, Node's default.
const DefaultMaxHeaderSize = 16 * 1024

// Config says what a Parser reads and how strictly.
type Config struct {
	// Type is Request, Response, or Both (detect from the first bytes).
	Type Type
	// Lenient enables lenient modes; zero is strict. See Lenient.
	Lenient Lenient
	// MaxHeaderSize bounds the head of each message (start line plus
	// header fields, up to and including the empty line) and, separately,
	// each trailer section. Zero means DefaultMaxHeaderSize; a negative
	// value means no limit. Exceeding it is ErrHeaderOverflow, reported at
	// the first byte past the limit.
	MaxHeaderSize int
}

// Callbacks are the parser's events, as llhttp's settings. Every field may
// be nil. A []byte argument is not owned by the callback: it aliases the
// caller's input (or a small parser buffer) and is valid only during the
// call. A span may arrive in several fragments when the input is split
// across Execute calls; the matching ...Complete callback marks its end.
//
// A callback may pause the parser (p.Pause(), or return ErrPaused), or stop
// it with an error: an error from a span callback becomes ErrUser, from any
// other callback the matching ErrCB... code; the callback's error is kept in
// Error.Err.
type Callbacks struct {
	OnMessageBegin func(p *Parser) error

	OnMethod         func(p *Parser, b []byte) error
	OnMethodComplete func(p *Parser) error
	OnURL            func(p *Parser, b []byte) error
	OnURLComplete    func(p *Parser) error
	OnProtocol       func(p *Parser, b []byte) error
	// OnProtocolComplete fires at the "/" after "HTTP".
	OnProtocolComplete func(p *Parser) error
	OnVersion          func(p *Parser, b []byte) error
	OnVersionComplete  func(p *Parser) error
	// OnStatus receives the reason phrase of a response.
	OnStatus         func(p *Parser, b []byte) error
	OnStatusComplete func(p *Parser) error

	OnHeaderField         func(p *Parser, b []byte) error
	OnHeaderFieldComplete func(p *Parser) error
	// OnHeaderValue receives the field value without its leading
	// whitespace; trailing whitespace is included, as in llhttp, and is the
	// consumer's to trim (RFC 9112 §5.1). With LenientHeaders an obs-fold
	// continues the value: the next fragment starts at the folded line's
	// first whitespace byte.
	OnHeaderValue         func(p *Parser, b []byte) error
	OnHeaderValueComplete func(p *Parser) error

	// OnHeadersComplete fires after the empty line that ends the head.
	// Method, status, version, Flags and ContentLength are valid. Its
	// decision says whether the message has a body.
	OnHeadersComplete func(p *Parser) (HeadersDecision, error)

	// OnBody receives body bytes: the payload of a Content-Length or
	// read-until-EOF body, or the data of chunks (without chunk framing).
	OnBody func(p *Parser, b []byte) error

	// OnChunkHeader fires after a chunk-size line; ContentLength is the
	// chunk's size (zero for the last chunk).
	OnChunkHeader                 func(p *Parser) error
	OnChunkExtensionName          func(p *Parser, b []byte) error
	OnChunkExtensionNameComplete  func(p *Parser) error
	OnChunkExtensionValue         func(p *Parser, b []byte) error
	OnChunkExtensionValueComplete func(p *Parser) error
	// OnChunkComplete fires after a chunk's data and its CRLF, and for the
	// last chunk after the trailer section.
	OnChunkComplete   func(p *Parser) error
	OnMessageComplete func(p *Parser) error
	// OnReset fires when a second or later message starts on the same
	// stream, before its OnMessageBegin.
	OnReset func(p *Parser) error
}

// Parser is an incremental HTTP/1.x parser with llhttp's events and error
// numbers. The zero value is not usable; use New or Init. A Parser is not
// safe for concurrent use.
type Parser struct {
	cb      *Callbacks
	typ     Type // as configured
	curTyp  Type // Request or Response once known
	lenient Lenient
	maxHead int64 // -1: no limit

	state state
	base  int64 // absolute offset of the first byte of the current Execute input
	evOff int64 // offset reported with the current callback

	err      *Error
	paused   bool
	pauseErr Error // storage for the ErrPaused error (see pauseError)
	// OnReset has fired for the message about to begin.
	resetFired bool

	// A complete event due after a span whose callback paused.
	pendCb   func(*Parser) error
	pendCode Errno
	pendOff  int64

	// Limit on the head or trailer section being read: absolute offset of
	// the first byte that would exceed it, or -1.
	limitOff int64

	// Message properties (llhttp's fields).
	method        Method
	statusCode    int
	major, minor  uint8
	flags         Flags
	contentLength uint64 // declared Content-Length; then bytes left in body or chunk
	declaredCL    uint64
	upgrade       bool
	forceClose    bool
	messages      int // messages begun since Reset

	// Per-line scratch.
	open      spanKind // span left open at the end of the last input
	msgOff    int64    // offset of the current message's first byte
	limitKind uint8
	idx       int      // progress through "HTTP", or status digits
	mbuf      [16]byte // method token
	mlen      int
	vbuf      [3]byte // version digits, "1.1"
	urlState  uint8
	authState uint8    // part of an authority-form target
	urlPort   int      // port digits seen
	pct       int      // hex digits still due after a '%' in the target
	firstLine bool     // the next field line is the first after the start line
	nbuf      [20]byte // field name split across inputs, for framing fields
	fieldKind fieldKind
	nlen      int
	hstate    hstate
	valueEnd  int64

	// Framing fields.
	clSeen        bool
	cl            uint64
	valWS         bool
	teLastChunked bool
	teChunked     int
	teElems       int
	teTok         [8]byte
	teTokLen      int
	teInParam     bool
	teHasParam    bool
	teTokBad      bool
	teAfterWS     bool
	connTok       [12]byte
	connLen       int
	connBad       bool
	connAfterWS   bool
	inTrailer     bool
	chunkDigits   int
}

// New returns a parser for cfg that reports to cb (which may be nil).
func New(cfg Config, cb *Callbacks) *Parser {
	p := new(Parser)
	p.Init(cfg, cb)
	return p
}

// Init sets the parser up anew for cfg and cb, as llhttp_init; it does not
// allocate.
func (p *Parser) Init(cfg Config, cb *Callbacks) {
	if cb == nil {
		cb = &noCallbacks
	}
	*p = Parser{cb: cb, typ: cfg.Type, lenient: cfg.Lenient}
	switch {
	case cfg.MaxHeaderSize == 0:
		p.maxHead = DefaultMaxHeaderSize
	case cfg.MaxHeaderSize < 0:
		p.maxHead = -1
	default:
		p.maxHead = int64(cfg.MaxHeaderSize)
	}
	p.Reset()
}

var noCallbacks Callbacks

// Reset returns the parser to the start of a stream, keeping its
// configuration and callbacks, and clears any error (llhttp_reset). Offsets
// count from zero again.
func (p *Parser) Reset() {
	p.state = sStart
	p.curTyp = p.typ
	p.base = 0
	p.evOff = 0
	p.err = nil
	p.paused = false
	p.pendCb = nil
	p.resetFired = false
	p.limitOff = -1
	p.messages = 0
	p.resetMessage()
}

func (p *Parser) resetMessage() {
	p.method = 0
	p.statusCode = 0
	p.major, p.minor = 0, 0
	p.flags = 0
	p.contentLength = 0
	p.declaredCL = 0
	p.upgrade = false
	p.forceClose = false
	p.clSeen = false
	p.cl = 0
	p.teLastChunked = false
	p.teChunked = 0
	p.inTrailer = false
	p.hstate = hOther
	p.open = spNone
	p.pct = 0
}

// Pause stops the parser after the current callback returns; Execute then
// returns ErrPaused and the number of bytes consumed. After Resume, call
// Execute with the rest of the input — with an empty slice if there is
// none yet: events due at the point of the pause (such as the message
// complete of a message without a body, after a pause in
// OnHeadersComplete) fire at the start of that call. The ErrPaused error
// value is reused by the parser: it is valid until Resume.
func (p *Parser) Pause() { p.paused = true }

// Resume undoes Pause (or a callback's ErrPaused).
func (p *Parser) Resume() {
	p.paused = false
	if p.err != nil && p.err.Code == ErrPaused {
		p.err = nil
	}
}

// ResumeAfterUpgrade clears ErrPausedUpgrade so that the parser reads the
// bytes that follow as HTTP again (llhttp_resume_after_upgrade).
func (p *Parser) ResumeAfterUpgrade() {
	if p.err != nil && p.err.Code == ErrPausedUpgrade {
		p.err = nil
		p.state = sStart
	}
}

// Errno returns the code of the parser's current error (ErrPaused while
// paused), or OK.
func (p *Parser) Errno() Errno {
	if p.err == nil {
		return OK
	}
	return p.err.Code
}

// Err returns the sticky error, or nil.
func (p *Parser) Err() error {
	if p.err == nil {
		return nil
	}
	return p.err
}

// Type returns Request or Response once known, else Both.
func (p *Parser) Type() Type { return p.curTyp }

// Lenient returns the parser's lenient modes.
func (p *Parser) Lenient() Lenient { return p.lenient }

// SetLenient changes the lenient modes; it takes effect at once.
func (p *Parser) SetLenient(l Lenient) { p.lenient = l }

// Offset returns the position the current callback reports: the first byte
// of a span fragment, or the position of an event, counted from Reset.
func (p *Parser) Offset() int64 { return p.evOff }

// Position returns how many bytes the parser has consumed since Reset: the
// absolute offset of the next byte Execute will read. Offsets in errors and
// in the trace count on the same scale.
func (p *Parser) Position() int64 { return p.base }

// Method returns the request method (valid from OnMethodComplete).
func (p *Parser) Method() Method { return p.method }

// StatusCode returns the response status (valid from OnStatusComplete).
func (p *Parser) StatusCode() int { return p.statusCode }

// Version returns the HTTP version's digits. They stay set when the
// version is refused with ErrInvalidVersion after both digits were read, so
// that a server can tell an unsupported version (505, RFC 9110 §15.6.6)
// from a malformed one (400).
func (p *Parser) Version() (major, minor int) { return int(p.major), int(p.minor) }

// Flags returns the message's flags.
func (p *Parser) Flags() Flags { return p.flags }

// ContentLength returns the declared Content-Length in OnHeadersComplete,
// the chunk size in OnChunkHeader, and the bytes left of the body or chunk
// elsewhere.
func (p *Parser) ContentLength() uint64 { return p.contentLength }

// Upgrade reports whether the current message is a CONNECT request, a
// protocol upgrade (Upgrade with Connection: upgrade, or a 101 response),
// or was declared one with SkipBodyUpgrade.
func (p *Parser) Upgrade() bool { return p.upgrade }

// MessageNeedsEOF reports whether the current message's body ends only
// when the connection closes (llhttp_message_needs_eof).
func (p *Parser) MessageNeedsEOF() bool {
	if p.curTyp == Request {
		// A request body is never delimited by EOF, except a request
		// accepted with LenientTransferEncoding whose last coding is not
		// chunked.
		return p.flags&FlagTransferEncoding != 0 && p.flags&FlagChunked == 0
	}
	if p.statusCode/100 == 1 || p.statusCode == 204 || p.statusCode == 304 || p.flags&FlagSkipBody != 0 {
		return false
	}
	if p.flags&FlagTransferEncoding != 0 && p.flags&FlagChunked == 0 {
		return true
	}
	return p.flags&(FlagChunked|FlagContentLength) == 0
}

// ShouldKeepAlive reports whether the connection may carry another message
// after the current one (llhttp_should_keep_alive): HTTP/1.1 unless
// "Connection: close", HTTP/1.0 only with "Connection: keep-alive", and
// never when the body ends at EOF or the framing was ambiguous.
func (p *Parser) ShouldKeepAlive() bool {
	if p.forceClose || p.flags&FlagConnectionClose != 0 {
		// RFC 9112 §9.3: "close" ends the connection, whatever else the
		// Connection field lists and whatever the version.
		return false
	}
	if !(p.major > 0 && p.minor > 0) && p.flags&FlagConnectionKeepAlive == 0 {
		return false
	}
	return !p.MessageNeedsEOF()
}

// Messages returns how many messages have begun since Reset.
func (p *Parser) Messages() int { return p.messages }
