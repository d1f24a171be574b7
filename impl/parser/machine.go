package parser

import (
	"errors"
	"math"
)

// state is a position in the grammar of RFC 9112.
type state uint8

const (
	sStart       state = iota // before a message: skip CR/LF, then message begin
	sBothH                    // Both: saw "H"; "T" next means a response
	sMethod                   // in the method token
	sTargetStart              // after the SP that ends the method
	sTarget                   // in the request-target
	sProtoStart               // after the SP that ends the request-target
	sProtocol                 // matching "HTTP"
	sVerMajor
	sVerDot
	sVerMinor
	sReqLineEnd // after the version of a request line: CR
	sReqLineLF
	sResAfterVersion // status line: SP after the version
	sResStatus       // status-code digits
	sResAfterStatus  // SP (reason follows) or CR
	sResReason
	sResLineLF
	sHeaderStart // start of a field line or of the empty line
	sHeaderField
	sHeaderFieldWS // LenientHeaders: whitespace before the colon
	sValueStart    // OWS before a field value
	sValue
	sValueLF
	sValueEnd // after a field line's LF: an obs-fold, or the next line
	sFoldWS   // LenientHeaders or a response: whitespace of an obs-fold
	sHeadersLF
	sBodyCL
	sBodyEOF
	sChunkSize
	sChunkSizeWS
	sChunkExtStart
	sChunkExtName
	sChunkExtNameWS
	sChunkExtValStart
	sChunkExtVal
	sChunkExtQuoted
	sChunkExtQuotedEsc
	sChunkExtAfterVal
	sChunkSizeLF
	sChunkData
	sChunkDataCR
	sChunkDataLF
	sClosed // after a message that ends the connection
	// sMessageDone: the message is over but OnMessageComplete has not run
	// yet (a callback paused just before it).
	sMessageDone
)

// spanKind is the span open at the end of an Execute input.
type spanKind uint8

const (
	spNone spanKind = iota
	spURL
	spStatus
	spField
	spValue
	spExtName
	spExtVal
)

// hstate says which field's value is being read.
type hstate uint8

const (
	hOther hstate = iota
	hContentLength
	hTransferEncoding
	hConnection
	hUpgrade
)

// Request-target forms (RFC 9112 §3.2).
const (
	uOrigin uint8 = iota
	uScheme
	uAbsolute
	uAsterisk
	uAuthority
	uLenient
)

// Parts of an authority-form target.
const (
	aStart uint8 = iota
	aRegName
	aIPLiteral
	aAfterLiteral
	aPort
)

// Which limit limitOff enforces.
const (
	limHead uint8 = iota
	limTrailer
	limChunkExt
)

var (
	constHTTP = []byte("HTTP")
	constSP   = []byte(" ")
)

// Execute parses b, a continuation of everything given since Reset, calling
// the callbacks as it goes. It returns the number of bytes consumed and an
// error: nil when all of b was consumed; ErrPaused when a callback paused
// (n is where to resume after Resume); ErrPausedUpgrade after the head of a
// CONNECT or Upgrade message (b[n:] are the first bytes of the tunnel); or
// the parse error, with n the offset of the bad byte in b. Errors other than
// ErrPaused are sticky: later calls return them at once, until Reset.
func (p *Parser) Execute(b []byte) (int, error) {
	if p.err != nil {
		return 0, p.err
	}
	if p.paused {
		p.err = p.pauseError()
		return 0, p.err
	}
	i := 0
	spanStart := -1
	if p.open != spNone {
		spanStart = 0
	}
	end := p.end(len(b))

	if cb := p.pendCb; cb != nil {
		// A span callback paused before its complete event could run.
		p.pendCb = nil
		if !p.event(cb, p.pendCode, p.pendOff) {
			return 0, p.stopErr(0)
		}
	}
	if p.state == sMessageDone {
		if !p.messageComplete(p.base) {
			return 0, p.stopErr(0)
		}
	}

loop:
	for {
		end = p.end(len(b))
		if i >= end {
			break
		}
		c := b[i]
		switch p.state {
		case sStart:
			if c == '\r' || c == '\n' {
				i++
				continue
			}
			off := p.base + int64(i)
			if p.messages > 0 && !p.resetFired {
				// Fired once: a pause inside OnReset resumes with the
				// message begin, not with OnReset again.
				p.resetFired = true
				if !p.event(p.cb.OnReset, ErrCBReset, off) {
					break loop
				}
			}
			p.resetFired = false
			p.messages++
			p.resetMessage()
			p.msgOff = off
			if p.maxHead >= 0 {
				p.limitOff, p.limitKind = off+p.maxHead, limHead
			}
			end = p.end(len(b))
			switch p.curTyp {
			case Request:
				p.state = sMethod
				p.mlen = 0
			case Response:
				p.state = sProtocol
				p.idx = 0
			default:
				if c == 'H' {
					p.state = sBothH
					i++
				} else {
					p.curTyp = Request
					p.state = sMethod
					p.mlen = 0
				}
			}
			if !p.event(p.cb.OnMessageBegin, ErrCBMessageBegin, off) {
				break loop
			}

		case sBothH:
			if c == 'T' {
				p.curTyp = Response
				p.state = sProtocol
				p.idx = 1
			} else {
				p.curTyp = Request
				p.state = sMethod
				p.mbuf[0] = 'H'
				p.mlen = 1
			}

		case sMethod:
			if p.mlen == 0 && end-i >= 5 {
				if m, n := quickMethod(b[i : i+5]); n > 0 {
					p.method = m
					p.mlen = n
					off := p.base + int64(i+n)
					i += n + 1
					p.state = sTargetStart
					if !p.spanThen(p.cb.OnMethod, methodBytes[m], p.msgOff, p.cb.OnMethodComplete, ErrCBMethodComplete, off) {
						break loop
					}
					continue
				}
			}
			j := i
			for j < end && methodTab[b[j]] {
				j++
			}
			if p.mlen+(j-i) > len(p.mbuf) {
				p.mlen += copy(p.mbuf[p.mlen:], b[i:j])
				p.failAt(ErrInvalidMethod, "Invalid method", p.msgOff+int64(methodPrefixLen(p.mbuf[:p.mlen])))
				i = int(p.err.Offset - p.base)
				if i < 0 {
					i = 0
				}
				break loop
			}
			p.mlen += copy(p.mbuf[p.mlen:], b[i:j])
			i = j
			if i == end {
				break loop
			}
			m, ok := lookupMethod(p.mbuf[:p.mlen])
			if !ok || p.mlen == 0 {
				off := p.msgOff + int64(methodPrefixLen(p.mbuf[:p.mlen]))
				p.failAt(ErrInvalidMethod, "Invalid method", off)
				i = clampIndex(off-p.base, i)
				break loop
			}
			if b[i] != ' ' {
				p.fail(ErrInvalidMethod, "Expected SP after method", i)
				break loop
			}
			p.method = m
			off := p.base + int64(i)
			i++
			p.state = sTargetStart
			if !p.spanThen(p.cb.OnMethod, p.mbuf[:p.mlen], p.msgOff, p.cb.OnMethodComplete, ErrCBMethodComplete, off) {
				break loop
			}

		case sTargetStart:
			lenientTarget := p.lenient&LenientTarget != 0
			switch {
			case c == ' ':
				if p.lenient&LenientSpaces == 0 {
					p.fail(ErrInvalidURL, "More than one SP before the request-target", i)
					break loop
				}
				i++
				continue
			case c == '\r' || c == '\n':
				p.fail(ErrInvalidURL, "Missing request-target", i)
				break loop
			case lenientTarget && lenientTargetTab[c]:
				p.urlState = uLenient
			case p.method == MethodConnect:
				p.urlState = uAuthority
				p.authState, p.urlPort = aStart, 0
			case c == '/':
				p.urlState = uOrigin
			case c == '*':
				// RFC 9112 §3.2.4; PRI * is the HTTP/2 connection preface.
				if p.method != MethodOptions && p.method != MethodPRI {
					p.fail(ErrInvalidURL, "The asterisk-form request-target is only for OPTIONS", i)
					break loop
				}
				p.urlState = uAsterisk
			case isAlpha(c):
				p.urlState = uScheme
			default:
				p.fail(ErrInvalidURL, "Invalid character at the start of the request-target", i)
				break loop
			}
			p.state = sTarget
			p.open = spURL
			spanStart = i
			if p.urlState == uAsterisk {
				i++
			}

		case sTarget:
			for p.pct > 0 && i < end {
				// pct-encoded = "%" HEXDIG HEXDIG (RFC 3986 §2.1)
				if unhex[b[i]] == 0xff {
					p.emitSpanErr(b, &spanStart, i)
					p.fail(ErrInvalidURL, "Invalid percent-encoding in the request-target (% not followed by two hex digits)", i)
					break loop
				}
				p.pct--
				i++
			}
			j := i
			switch p.urlState {
			case uOrigin:
				j = scanTab(&originTab, b[:end], j)
			case uAbsolute:
				for j < end && absoluteTab[b[j]] {
					j++
				}
			case uLenient:
				for j < end && lenientTargetTab[b[j]] {
					j++
				}
			case uScheme:
				for j < end && schemeTab[b[j]] {
					j++
				}
				if j < end && b[j] == ':' {
					p.urlState = uAbsolute
					i = j + 1
					continue
				}
			case uAuthority:
				// authority-form = uri-host ":" port (RFC 9112 §3.2.3);
				// uri-host is an IP-literal in brackets, or a reg-name /
				// IPv4address without brackets or colons (RFC 3986
				// §3.2.2); port = 1*DIGIT here.
				bad := false
				for ; j < end && authorityTab[b[j]]; j++ {
					c := b[j]
					switch p.authState {
					case aStart:
						switch c {
						case '[':
							p.authState = aIPLiteral
						case ':', ']':
							bad = true
						default:
							p.authState = aRegName
						}
					case aRegName:
						switch c {
						case ':':
							p.authState = aPort
						case '[', ']':
							bad = true
						}
					case aIPLiteral:
						switch {
						case c == ']':
							p.authState = aAfterLiteral
						case unhex[c] == 0xff && c != ':' && c != '.':
							bad = true
						}
					case aAfterLiteral:
						if c != ':' {
							bad = true
						}
						p.authState = aPort
					case aPort:
						if !isDigit(c) {
							bad = true
						}
						p.urlPort++
					}
					if bad {
						break
					}
				}
				if bad {
					p.emitSpanErr(b, &spanStart, j)
					p.fail(ErrInvalidURL, "Invalid authority-form target (want host:port or [IP-literal]:port)", j)
					i = j
					break loop
				}
				if j < end && b[j] == '%' && p.authState != aRegName {
					p.emitSpanErr(b, &spanStart, j)
					p.fail(ErrInvalidURL, "Percent-encoding outside the host of an authority-form target", j)
					i = j
					break loop
				}
			}
			i = j
			if i == end {
				break loop
			}
			if b[i] == '%' && p.urlState != uLenient && p.urlState != uScheme {
				p.pct = 2
				i++
				continue
			}
			if b[i] != ' ' {
				switch {
				case b[i] == '\r' || b[i] == '\n':
					p.emitSpanErr(b, &spanStart, i)
					p.fail(ErrInvalidConstant, "Expected SP and HTTP-version after the request-target", i)
				case p.urlState == uScheme:
					p.emitSpanErr(b, &spanStart, i)
					p.fail(ErrInvalidURL, "Invalid character in the scheme of an absolute-form request-target", i)
				default:
					p.emitSpanErr(b, &spanStart, i)
					p.fail(ErrInvalidURL, "Invalid character in the request-target", i)
				}
				break loop
			}
			if p.pct > 0 {
				p.emitSpanErr(b, &spanStart, i)
				p.fail(ErrInvalidURL, "Invalid percent-encoding in the request-target (% not followed by two hex digits)", i)
				break loop
			}
			if p.urlState == uScheme {
				p.emitSpanErr(b, &spanStart, i)
				p.fail(ErrInvalidURL, "Request-target is neither origin-form nor absolute-form (no scheme)", i)
				break loop
			}
			if p.urlState == uAuthority && (p.authState != aPort || p.urlPort == 0) {
				p.emitSpanErr(b, &spanStart, i)
				p.fail(ErrInvalidURL, "CONNECT needs an authority-form target (host:port)", i)
				break loop
			}
			p.open = spNone
			p.state = sProtoStart
			off := p.base + int64(i) + 1
			i++
			ss := spanStart
			spanStart = -1
			if !p.spanThen(p.cb.OnURL, b[ss:i-1], p.base+int64(ss), p.cb.OnURLComplete, ErrCBURLComplete, off) {
				break loop
			}

		case sProtoStart:
			if c == ' ' && p.lenient&LenientSpaces != 0 {
				i++
				continue
			}
			if c == 'H' && p.curTyp == Request {
				ni, handled, stop := p.fastVersion(b, i, end)
				i = ni
				if stop {
					break loop
				}
				if handled {
					continue
				}
			}
			p.state = sProtocol
			p.idx = 0

		case sProtocol:
			if p.idx < 4 {
				if c != constHTTP[p.idx] {
					p.fail(ErrInvalidConstant, "Expected HTTP/", i)
					break loop
				}
				p.idx++
				i++
				continue
			}
			if c != '/' {
				p.fail(ErrInvalidConstant, "Expected HTTP/", i)
				break loop
			}
			off := p.base + int64(i)
			i++
			p.state = sVerMajor
			if !p.spanThen(p.cb.OnProtocol, constHTTP, off-4, p.cb.OnProtocolComplete, ErrCBProtocolComplete, off) {
				break loop
			}

		case sVerMajor:
			if !isDigit(c) {
				p.fail(ErrInvalidVersion, "Invalid major version", i)
				break loop
			}
			p.major = c - '0'
			p.vbuf[0] = c
			p.state = sVerDot
			i++

		case sVerDot:
			if c != '.' {
				p.fail(ErrInvalidVersion, "Expected dot between version digits", i)
				break loop
			}
			p.vbuf[1] = c
			p.state = sVerMinor
			i++

		case sVerMinor:
			if !isDigit(c) {
				p.fail(ErrInvalidVersion, "Invalid minor version", i)
				break loop
			}
			p.minor = c - '0'
			p.vbuf[2] = c
			// RFC 9110 §2.5: a higher minor version of HTTP/1 is processed
			// as HTTP/1.1; other major versions are not HTTP/1.
			ok := p.major == 1
			if !ok && p.lenient&LenientVersion == 0 &&
				!(p.curTyp == Request && p.method == MethodPRI && p.major == 2 && p.minor == 0) {
				p.fail(ErrInvalidVersion, "Unsupported HTTP version (not HTTP/1.x)", i)
				break loop
			}
			i++
			if p.curTyp == Request {
				p.state = sReqLineEnd
			} else {
				p.state = sResAfterVersion
			}

		case sReqLineEnd:
			off := p.base + int64(i)
			switch c {
			case '\r':
				p.state = sReqLineLF
				i++
			case '\n':
				if p.lenient&LenientOptionalCRBeforeLF == 0 {
					p.fail(ErrCRExpected, "Missing expected CR after request line", i)
					break loop
				}
				p.state = sReqLineLF // which consumes the LF
			default:
				p.fail(ErrInvalidVersion, "Expected CRLF after the HTTP version", i)
				break loop
			}
			if !p.spanThen(p.cb.OnVersion, p.vbuf[:], off-3, p.cb.OnVersionComplete, ErrCBVersionComplete, off) {
				break loop
			}

		case sReqLineLF:
			if c != '\n' {
				if p.lenient&LenientOptionalLFAfterCR == 0 {
					p.fail(ErrLFExpected, "Expected LF after request line", i)
					break loop
				}
			} else {
				i++
			}
			p.state = sHeaderStart
			p.firstLine = true
			if p.method == MethodPRI {
				p.failAt(ErrPausedH2Upgrade, "Pause on PRI/Upgrade (HTTP/2 connection preface)", p.base+int64(i))
				break loop
			}

		case sResAfterVersion:
			if c != ' ' {
				p.fail(ErrInvalidVersion, "Expected SP after the HTTP version", i)
				break loop
			}
			off := p.base + int64(i)
			i++
			p.state = sResStatus
			p.idx = 0
			p.statusCode = 0
			if !p.spanThen(p.cb.OnVersion, p.vbuf[:], off-3, p.cb.OnVersionComplete, ErrCBVersionComplete, off) {
				break loop
			}

		case sResStatus:
			if c == ' ' && p.idx == 0 && p.lenient&LenientSpaces != 0 {
				i++
				continue
			}
			if !isDigit(c) {
				p.fail(ErrInvalidStatus, "Invalid status code", i)
				break loop
			}
			p.statusCode = p.statusCode*10 + int(c-'0')
			p.idx++
			if p.idx == 3 {
				if p.statusCode < 100 || p.statusCode > 599 {
					p.fail(ErrInvalidStatus, "Status code out of range 100..599", i)
					break loop
				}
				p.state = sResAfterStatus
			}
			i++

		case sResAfterStatus:
			switch {
			case c == ' ':
				i++
				p.state = sResReason
				p.open = spStatus
				spanStart = i
			case c == '\r':
				i++
				p.state = sResLineLF
			case c == '\n':
				if p.lenient&LenientOptionalCRBeforeLF == 0 {
					p.fail(ErrCRExpected, "Missing expected CR after response line", i)
					break loop
				}
				i++
				p.state = sHeaderStart
				p.firstLine = true
				if !p.event(p.cb.OnStatusComplete, ErrCBStatusComplete, p.base+int64(i)) {
					break loop
				}
			case isDigit(c):
				p.fail(ErrInvalidStatus, "Status code longer than 3 digits", i)
				break loop
			default:
				p.fail(ErrInvalidStatus, "Expected SP after the status code", i)
				break loop
			}

		case sResReason:
			j := i
			for j < end && reasonTab[b[j]] {
				j++
			}
			i = j
			if i == end {
				break loop
			}
			switch b[i] {
			case '\r':
				p.state = sResLineLF
			case '\n':
				if p.lenient&LenientOptionalCRBeforeLF == 0 {
					p.emitSpanErr(b, &spanStart, i)
					p.fail(ErrCRExpected, "Missing expected CR after response line", i)
					break loop
				}
				p.state = sHeaderStart
				p.firstLine = true
			default:
				p.emitSpanErr(b, &spanStart, i)
				p.fail(ErrInvalidStatus, "Invalid character in the reason phrase", i)
				break loop
			}
			p.open = spNone
			i++
			ss := spanStart
			spanStart = -1
			if p.state == sHeaderStart {
				if !p.spanThen(p.cb.OnStatus, b[ss:i-1], p.base+int64(ss), p.cb.OnStatusComplete, ErrCBStatusComplete, p.base+int64(i)) {
					break loop
				}
			} else if !p.span(p.cb.OnStatus, b[ss:i-1], p.base+int64(ss)) {
				break loop
			}

		case sResLineLF:
			if c != '\n' {
				if p.lenient&LenientOptionalLFAfterCR == 0 {
					p.fail(ErrLFExpected, "Expected LF after status line", i)
					break loop
				}
			} else {
				i++
			}
			p.state = sHeaderStart
			p.firstLine = true
			if !p.event(p.cb.OnStatusComplete, ErrCBStatusComplete, p.base+int64(i)) {
				break loop
			}

		case sHeaderStart:
			switch {
			case c == '\r':
				p.state = sHeadersLF
				i++
			case c == '\n':
				if p.lenient&LenientOptionalCRBeforeLF == 0 {
					p.fail(ErrCRExpected, "Missing expected CR before LF at the end of the head", i)
					break loop
				}
				i++
				if !p.headEnd(p.base + int64(i)) {
					break loop
				}
				end = p.end(len(b))
			case c == ' ' || c == '\t':
				if p.firstLine {
					// RFC 9112 §2.2: whitespace between the start-line
					// and the first field line.
					p.fail(ErrUnexpectedSpace, "Unexpected whitespace after the start line", i)
				} else {
					p.fail(ErrInvalidHeaderToken, "obs-fold (a field line starting with whitespace) is not allowed", i)
				}
				break loop
			case c == ':':
				p.fail(ErrInvalidHeaderToken, "Empty header field name", i)
				break loop
			case tokenTab[c]:
				ni, handled, stop := p.fastField(b, i, end)
				i = ni
				if stop {
					break loop
				}
				if handled {
					continue
				}
				p.state = sHeaderField
				p.open = spField
				spanStart = i
				p.nlen = 0
			default:
				p.fail(ErrInvalidHeaderToken, "Invalid character in header field name", i)
				break loop
			}
			p.firstLine = false

		case sHeaderField:
			i = scanTab(&tokenTab, b[:end], i)
			if i == end {
				break loop
			}
			if p.nlen == 0 {
				p.fieldKind = classifyField(b[spanStart:i])
			} else {
				p.addName(b[spanStart:i])
				p.fieldKind = fkOther
				if p.nlen <= len(p.nbuf) {
					p.fieldKind = classifyField(p.nbuf[:p.nlen])
				}
			}
			switch b[i] {
			case ':':
			case ' ', '\t':
				if p.lenient&LenientHeaders == 0 {
					// RFC 9112 §5.1: "A server MUST reject, with a response
					// status code of 400 (Bad Request), any received request
					// message that contains whitespace between a header
					// field name and colon."
					p.emitSpanErr(b, &spanStart, i)
					p.fail(ErrInvalidHeaderToken, "Whitespace between header field name and colon", i)
					break loop
				}
			default:
				p.emitSpanErr(b, &spanStart, i)
				p.fail(ErrInvalidHeaderToken, "Invalid character in header field name", i)
				break loop
			}
			p.open = spNone
			if !p.span(p.cb.OnHeaderField, b[spanStart:i], p.base+int64(spanStart)) {
				p.state = sHeaderFieldWS
				break loop
			}
			spanStart = -1
			p.state = sHeaderFieldWS

		case sHeaderFieldWS:
			if c == ' ' || c == '\t' {
				i++
				continue
			}
			if c != ':' {
				p.fail(ErrInvalidHeaderToken, "Invalid character between header field name and colon", i)
				break loop
			}
			i++
			p.state = sValueStart
			off := p.base + int64(i)
			if !p.event(p.cb.OnHeaderFieldComplete, ErrCBHeaderFieldComplete, off) {
				p.fieldDone(off) // keep framing state right after a pause
				break loop
			}
			if !p.fieldDone(off) {
				break loop
			}

		case sValueStart:
			switch {
			case c == ' ' || c == '\t':
				i++
			case c == '\r':
				if !p.emptyValue(i) {
					break loop
				}
				i++
				p.state = sValueLF
			case c == '\n':
				if p.lenient&LenientOptionalCRBeforeLF == 0 {
					p.fail(ErrCRExpected, "Missing expected CR after header value", i)
					break loop
				}
				if !p.emptyValue(i) {
					break loop
				}
				i++
				p.valueEnd = p.base + int64(i)
				p.state = sValueEnd
			case valueTab[c] || (p.lenient&LenientHeaders != 0 && valueLenientTab[c]):
				p.state = sValue
				p.open = spValue
				spanStart = i
			default:
				p.fail(ErrInvalidHeaderToken, "Invalid character in header value", i)
				break loop
			}

		case sValue:
			j := i
			tab := &valueTab
			if p.lenient&LenientHeaders != 0 {
				tab = &valueLenientTab
			}
			if p.hstate == hOther {
				if p.lenient&LenientHeaders == 0 {
					j = scanValue(b[:end], j)
				} else {
					j = scanTab(tab, b[:end], j)
				}
			} else {
				for ; j < end && tab[b[j]]; j++ {
					if !p.specialByte(b, j) {
						p.emitSpanErr(b, &spanStart, j)
						i = j
						break loop
					}
				}
			}
			i = j
			if i == end {
				break loop
			}
			switch b[i] {
			case '\r':
				p.state = sValueLF
			case '\n':
				if p.lenient&LenientOptionalCRBeforeLF == 0 {
					p.emitSpanErr(b, &spanStart, i)
					p.fail(ErrCRExpected, "Missing expected CR after header value", i)
					break loop
				}
				p.state = sValueEnd
				p.valueEnd = p.base + int64(i) + 1
			default:
				p.emitSpanErr(b, &spanStart, i)
				if b[i] == 0 {
					p.fail(ErrInvalidHeaderToken, "NUL in header value", i)
				} else {
					p.fail(ErrInvalidHeaderToken, "Invalid character in header value", i)
				}
				break loop
			}
			p.open = spNone
			i++
			if i-1 > spanStart && !p.span(p.cb.OnHeaderValue, b[spanStart:i-1], p.base+int64(spanStart)) {
				break loop
			}
			spanStart = -1

		case sValueLF:
			if c != '\n' {
				if p.lenient&LenientOptionalLFAfterCR == 0 {
					p.fail(ErrLFExpected, "Expected LF after header value", i)
					break loop
				}
			} else {
				i++
			}
			p.valueEnd = p.base + int64(i)
			p.state = sValueEnd

		case sValueEnd:
			if (c == ' ' || c == '\t') && (p.lenient&LenientHeaders != 0 || p.curTyp == Response) {
				// obs-fold (RFC 9112 §5.2): a recipient that accepts it
				// MUST replace it with SP: the value goes on after one SP
				// span (a constant, reported at the fold's first
				// whitespace byte). A user agent MUST accept folds in a
				// response; a server may reject them, and does unless
				// LenientHeaders.
				off := p.base + int64(i)
				i++
				p.state = sFoldWS
				if p.hstate != hOther && !p.specialChar(' ', off) {
					break loop
				}
				if !p.span(p.cb.OnHeaderValue, constSP, off) {
					break loop
				}
				continue
			}
			p.state = sHeaderStart
			if !p.event(p.cb.OnHeaderValueComplete, ErrCBHeaderValueComplete, p.valueEnd) {
				p.valueDone(p.valueEnd)
				break loop
			}
			if !p.valueDone(p.valueEnd) {
				break loop
			}
			if c == ' ' || c == '\t' {
				p.fail(ErrInvalidHeaderToken, "obs-fold (a field line starting with whitespace) is not allowed", i)
				break loop
			}

		case sFoldWS:
			// The rest of an obs-fold's whitespace, then the value goes on.
			switch {
			case c == ' ' || c == '\t':
				i++
			case c == '\r':
				i++
				p.state = sValueLF
			case c == '\n':
				if p.lenient&LenientOptionalCRBeforeLF == 0 {
					p.fail(ErrCRExpected, "Missing expected CR after header value", i)
					break loop
				}
				i++
				p.valueEnd = p.base + int64(i)
				p.state = sValueEnd
			case valueTab[c] || (p.lenient&LenientHeaders != 0 && valueLenientTab[c]):
				p.state = sValue
				p.open = spValue
				spanStart = i
			default:
				p.fail(ErrInvalidHeaderToken, "Invalid character in header value", i)
				break loop
			}

		case sHeadersLF:
			if c != '\n' {
				if p.lenient&LenientOptionalLFAfterCR == 0 {
					p.fail(ErrLFExpected, "Expected LF after the empty line that ends the head", i)
					break loop
				}
			} else {
				i++
			}
			if !p.headEnd(p.base + int64(i)) {
				break loop
			}
			end = p.end(len(b))

		case sBodyCL, sChunkData:
			n := end - i
			if uint64(n) > p.contentLength {
				n = int(p.contentLength)
			}
			p.contentLength -= uint64(n)
			i += n
			if p.contentLength == 0 {
				// Set before the callback, so that a pause inside it
				// resumes with the message (or chunk) at its end.
				if p.state == sChunkData {
					p.state = sChunkDataCR
				} else {
					p.state = sMessageDone
				}
			}
			if !p.span(p.cb.OnBody, b[i-n:i], p.base+int64(i-n)) {
				break loop
			}
			if p.state == sMessageDone {
				if !p.messageComplete(p.base + int64(i)) {
					break loop
				}
			}

		case sBodyEOF:
			n := end - i
			i = end
			if !p.span(p.cb.OnBody, b[i-n:i], p.base+int64(i-n)) {
				break loop
			}

		case sChunkSize:
			d := unhex[c]
			if d != 0xff {
				if p.contentLength > math.MaxUint64>>4 {
					p.fail(ErrInvalidChunkSize, "Chunk size overflow", i)
					break loop
				}
				p.contentLength = p.contentLength<<4 | uint64(d)
				p.chunkDigits++
				i++
				continue
			}
			if p.chunkDigits == 0 {
				p.fail(ErrInvalidChunkSize, "Invalid character in chunk size", i)
				break loop
			}
			switch c {
			case ';':
				p.state = sChunkExtStart
				i++
			case '\r':
				p.state = sChunkSizeLF
				i++
			case '\n':
				if p.lenient&LenientOptionalCRBeforeLF == 0 {
					p.fail(ErrCRExpected, "Missing expected CR after chunk size", i)
					break loop
				}
				if !p.chunkHeader(b, &i) {
					break loop
				}
			case ' ', '\t':
				p.state = sChunkSizeWS
				i++
			default:
				p.fail(ErrInvalidChunkSize, "Invalid character in chunk size", i)
				break loop
			}

		case sChunkSizeWS:
			switch c {
			case ' ', '\t':
				i++
			case ';':
				// chunk-ext = *( BWS ";" BWS chunk-ext-name ... ): the
				// whitespace was BWS (RFC 9112 §7.1.1).
				p.state = sChunkExtStart
				i++
			case '\r', '\n':
				if p.lenient&LenientSpacesAfterChunkSize == 0 {
					p.fail(ErrInvalidChunkSize, "Whitespace after chunk size", i)
					break loop
				}
				p.state = sChunkSize // reprocess the line end there
			default:
				p.fail(ErrInvalidChunkSize, "Invalid character in chunk size", i)
				break loop
			}

		case sChunkExtStart:
			switch {
			case c == ' ' || c == '\t':
				i++
			case tokenTab[c]:
				p.state = sChunkExtName
				p.open = spExtName
				spanStart = i
			default:
				p.fail(ErrStrict, "Invalid character in chunk extensions", i)
				break loop
			}

		case sChunkExtName, sChunkExtVal:
			// A chunk-ext-name and a token chunk-ext-val: the same bytes,
			// ended the same way but for what follows (afterExtToken).
			i = scanTab(&tokenTab, b[:end], i)
			if i == end {
				break loop
			}
			next, ok := afterExtToken(b[i], p.state == sChunkExtName)
			if !ok {
				p.extTokenError(b, &spanStart, i)
				break loop
			}
			i++
			if !p.extDone(b, &spanStart, i-1, i, next) {
				break loop
			}

		case sChunkExtNameWS, sChunkExtAfterVal:
			switch c {
			case ' ', '\t':
				i++
			case ';':
				p.state = sChunkExtStart
				i++
			case '=':
				if p.state == sChunkExtAfterVal {
					p.fail(ErrStrict, "Invalid character in chunk extensions", i)
					break loop
				}
				p.state = sChunkExtValStart
				i++
			case '\r':
				p.state = sChunkSizeLF
				i++
			default:
				p.fail(ErrStrict, "Invalid character in chunk extensions", i)
				break loop
			}

		case sChunkExtValStart:
			switch {
			case c == ' ' || c == '\t':
				i++
			case c == '"':
				p.state = sChunkExtQuoted
				p.open = spExtVal
				spanStart = i
				i++
			case tokenTab[c]:
				p.state = sChunkExtVal
				p.open = spExtVal
				spanStart = i
			default:
				p.fail(ErrStrict, "Invalid character in chunk extension value", i)
				break loop
			}

		case sChunkExtQuoted:
			i = scanTab(&qdtextTab, b[:end], i)
			if i == end {
				break loop
			}
			switch b[i] {
			case '\\':
				p.state = sChunkExtQuotedEsc
				i++
				continue
			case '"':
			default:
				p.emitSpanErr(b, &spanStart, i)
				p.fail(ErrStrict, "Invalid character in chunk extension quoted value", i)
				break loop
			}
			i++
			if !p.extDone(b, &spanStart, i, i, sChunkExtAfterVal) {
				break loop
			}

		case sChunkExtQuotedEsc:
			if !quotedPairTab[c] {
				p.emitSpanErr(b, &spanStart, i)
				p.fail(ErrStrict, "Invalid quoted-pair in chunk extension value", i)
				break loop
			}
			p.state = sChunkExtQuoted
			i++

		case sChunkSizeLF:
			if c != '\n' {
				if p.lenient&LenientOptionalLFAfterCR == 0 {
					p.fail(ErrLFExpected, "Expected LF after chunk size line", i)
					break loop
				}
				i-- // chunkHeader consumes one byte: the missing LF
			}
			if !p.chunkHeader(b, &i) {
				break loop
			}

		case sChunkDataCR:
			switch {
			case c == '\r':
				p.state = sChunkDataLF
				i++
			case c == '\n' && p.lenient&LenientOptionalCRBeforeLF != 0:
				i++
				if !p.chunkDone(b, i) {
					break loop
				}
			case p.lenient&LenientOptionalCRLFAfterChunk != 0:
				if !p.chunkDone(b, i) {
					break loop
				}
			default:
				p.fail(ErrCRExpected, "Expected CRLF after chunk data", i)
				break loop
			}

		case sChunkDataLF:
			if c == '\n' {
				i++
			} else if p.lenient&LenientOptionalLFAfterCR == 0 {
				p.fail(ErrLFExpected, "Expected LF after chunk data", i)
				break loop
			}
			if !p.chunkDone(b, i) {
				break loop
			}

		case sClosed:
			if c == '\r' || c == '\n' {
				i++
				continue
			}
			if p.lenient&LenientDataAfterClose != 0 {
				i = end
				continue
			}
			p.fail(ErrClosedConnection, "Data after the message that closes the connection", i)
			break loop

		default:
			p.fail(ErrInternal, "Invalid internal state", i)
			break loop
		}
	}

	if p.err != nil {
		p.base += int64(i)
		return i, p.err
	}
	if p.paused {
		p.flushSpan(b, &spanStart, i)
		p.base += int64(i)
		p.err = p.pauseError()
		return i, p.err
	}
	if i < len(b) {
		// Stopped at the limit with more input: the head, trailer section
		// or chunk-size line is too long.
		p.flushSpan(b, &spanStart, i)
		p.base += int64(i)
		p.overflow()
		return i, p.err
	}
	p.flushSpan(b, &spanStart, i)
	p.base += int64(len(b))
	return len(b), nil
}

// pauseError returns the ErrPaused error at the current offset. It lives
// in the parser, so that pausing does not allocate; it is valid until the
// parser resumes.
func (p *Parser) pauseError() *Error {
	p.pauseErr = Error{Code: ErrPaused, Reason: "Paused by a callback", Offset: p.base}
	return &p.pauseErr
}

// stopErr returns the error or pause that stopped the parser before any
// byte of the input was read.
func (p *Parser) stopErr(i int) error {
	if p.err == nil && p.paused {
		p.err = p.pauseError()
	}
	return p.err
}

// Finish tells the parser the input has ended (llhttp_finish). A body that
// is read until EOF completes; a stream between messages is fine; any
// other position is ErrInvalidEOFState.
func (p *Parser) Finish() error {
	if p.err != nil {
		if p.err.Code == ErrPaused {
			return nil
		}
		return p.err
	}
	switch p.state {
	case sStart, sClosed:
		return nil
	case sMessageDone:
		if !p.messageComplete(p.base) {
			return p.Err()
		}
		return nil
	case sBodyEOF:
		if !p.messageComplete(p.base) {
			return p.Err()
		}
		p.state = sClosed
		return nil
	}
	p.err = &Error{Code: ErrInvalidEOFState, Reason: "Invalid EOF state: the stream ended inside a message", Offset: p.base}
	return p.err
}

// end returns how far into an input of length n the current limit lets the
// parser go.
func (p *Parser) end(n int) int {
	if p.limitOff < 0 {
		return n
	}
	if l := p.limitOff - p.base; l < int64(n) {
		if l < 0 {
			return 0
		}
		return int(l)
	}
	return n
}

func (p *Parser) overflow() {
	switch p.limitKind {
	case limChunkExt:
		p.err = &Error{Code: ErrChunkExtensionsOverflow, Reason: "Chunk extensions larger than the header size limit", Offset: p.limitOff}
	case limTrailer:
		p.err = &Error{Code: ErrHeaderOverflow, Reason: "Trailer section larger than the header size limit", Offset: p.limitOff}
	default:
		p.err = &Error{Code: ErrHeaderOverflow, Reason: "Message head larger than the header size limit", Offset: p.limitOff}
	}
}

// fail records a parse error at index i of the current input.
func (p *Parser) fail(code Errno, reason string, i int) {
	p.err = &Error{Code: code, Reason: reason, Offset: p.base + int64(i)}
}

// failAt records a parse error at an absolute offset.
func (p *Parser) failAt(code Errno, reason string, off int64) {
	p.err = &Error{Code: code, Reason: reason, Offset: off}
}

func clampIndex(rel int64, i int) int {
	if rel < 0 {
		return 0
	}
	if rel > int64(i) {
		return i
	}
	return int(rel)
}

// event calls an event callback at off. It reports whether parsing goes on.
func (p *Parser) event(cb func(*Parser) error, code Errno, off int64) bool {
	if cb == nil {
		return true
	}
	return p.callEvent(cb, code, off)
}

func (p *Parser) callEvent(cb func(*Parser) error, code Errno, off int64) bool {
	p.evOff = off
	if err := cb(p); err != nil {
		if errors.Is(err, ErrPaused) {
			p.paused = true
			return false
		}
		p.err = &Error{Code: code, Reason: "Callback returned an error: " + err.Error(), Offset: off, Err: err}
		return false
	}
	return !p.paused
}

// span delivers a span fragment b that starts at absolute offset off.
func (p *Parser) span(cb func(*Parser, []byte) error, b []byte, off int64) bool {
	if cb == nil || len(b) == 0 {
		return true
	}
	return p.callSpan(cb, b, off)
}

func (p *Parser) callSpan(cb func(*Parser, []byte) error, b []byte, off int64) bool {
	p.evOff = off
	if err := cb(p, b); err != nil {
		if errors.Is(err, ErrPaused) {
			p.paused = true
			return false
		}
		p.err = &Error{Code: ErrUser, Reason: "Span callback returned an error: " + err.Error(), Offset: off, Err: err}
		return false
	}
	return !p.paused
}

// spanThen delivers a span and then the event that completes it. When the
// span callback pauses, the event is remembered and fires first thing in
// the next Execute.
func (p *Parser) spanThen(scb func(*Parser, []byte) error, b []byte, off int64, ecb func(*Parser) error, code Errno, eoff int64) bool {
	if !p.span(scb, b, off) {
		if p.err == nil && ecb != nil {
			p.pendCb, p.pendCode, p.pendOff = ecb, code, eoff
		}
		return false
	}
	return p.event(ecb, code, eoff)
}

// afterExtToken returns the state that c, the byte after a chunk-ext-name
// (name is true) or after a token chunk-ext-val, leads to; ok is false when
// c cannot end it. "=" may follow only a name (RFC 9112 §7.1.1).
func afterExtToken(c byte, name bool) (next state, ok bool) {
	switch c {
	case ';':
		return sChunkExtStart, true
	case '\r':
		return sChunkSizeLF, true
	case ' ', '\t':
		if name {
			return sChunkExtNameWS, true
		}
		return sChunkExtAfterVal, true
	case '=':
		return sChunkExtValStart, name
	}
	return 0, false
}

// extTokenError records the error at b[i], a byte that cannot end the
// chunk-ext-name or token chunk-ext-val being read, after delivering the
// part of it before b[i].
func (p *Parser) extTokenError(b []byte, spanStart *int, i int) {
	code, reason := ErrStrict, "Invalid character in chunk extension value"
	switch {
	case b[i] == '\n':
		code, reason = ErrCRExpected, "Missing expected CR after chunk extension"
	case p.state == sChunkExtName:
		reason = "Invalid character in chunk extension name"
	}
	p.emitSpanErr(b, spanStart, i)
	p.fail(code, reason, i)
}

// extDone closes the open chunk-extension name or value, b[*spanStart:se],
// and moves to state next; then it delivers the span, and the event that
// completes it at index i.
func (p *Parser) extDone(b []byte, spanStart *int, se, i int, next state) bool {
	scb, ecb, code := p.cb.OnChunkExtensionName, p.cb.OnChunkExtensionNameComplete, ErrCBChunkExtensionNameComplete
	if p.open == spExtVal {
		scb, ecb, code = p.cb.OnChunkExtensionValue, p.cb.OnChunkExtensionValueComplete, ErrCBChunkExtensionValueComplete
	}
	ss := *spanStart
	*spanStart = -1
	p.open = spNone
	p.state = next
	return p.spanThen(scb, b[ss:se], p.base+int64(ss), ecb, code, p.base+int64(i))
}

func (p *Parser) spanCallback() func(*Parser, []byte) error {
	switch p.open {
	case spURL:
		return p.cb.OnURL
	case spStatus:
		return p.cb.OnStatus
	case spField:
		return p.cb.OnHeaderField
	case spValue:
		return p.cb.OnHeaderValue
	case spExtName:
		return p.cb.OnChunkExtensionName
	case spExtVal:
		return p.cb.OnChunkExtensionValue
	}
	return nil
}

// flushSpan delivers the fragment of the open span that lies in b[:i] (at
// the end of an input or before a pause). Errors from the callback are
// recorded but the span stays open.
func (p *Parser) flushSpan(b []byte, spanStart *int, i int) {
	if p.open == spNone || *spanStart < 0 || i <= *spanStart {
		return
	}
	cb := p.spanCallback()
	s := *spanStart
	*spanStart = i
	if p.open == spField {
		p.addName(b[s:i])
	}
	err := p.err
	paused := p.paused
	p.span(cb, b[s:i], p.base+int64(s))
	if err != nil || paused {
		// Keep the first cause.
		p.err, p.paused = err, paused
	}
}

// emitSpanErr delivers the part of the open span before a parse error at
// b[i], so that the trace before an error does not depend on how the input
// was split.
func (p *Parser) emitSpanErr(b []byte, spanStart *int, i int) {
	if p.open == spNone || *spanStart < 0 || i <= *spanStart {
		p.open = spNone
		return
	}
	cb := p.spanCallback()
	p.open = spNone
	if cb != nil {
		p.evOff = p.base + int64(*spanStart)
		_ = cb(p, b[*spanStart:i])
	}
	*spanStart = -1
}
