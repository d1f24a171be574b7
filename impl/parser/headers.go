package parser

import (
	"errors"
	"math"
)

// addName keeps a copy of a field name that arrives in several inputs,
// while it is short enough to be one of the fields that frame the message.
func (p *Parser) addName(frag []byte) {
	if p.nlen+len(frag) > len(p.nbuf) {
		p.nlen = len(p.nbuf) + 1
		return
	}
	p.nlen += copy(p.nbuf[p.nlen:], frag)
}

// fieldDone runs when a field name is complete (after its colon, at off):
// it decides which framing field, if any, the value belongs to.
func (p *Parser) fieldDone(off int64) bool {
	p.hstate = hOther
	if p.inTrailer {
		// RFC 9110 §6.5.1: framing fields in a trailer section have no
		// effect on framing.
		return true
	}
	switch p.fieldKind {
	case fkContentLength:
		if p.clSeen {
			// RFC 9112 §6.3 rule 5 / RFC 9110 §8.6: several Content-Length
			// fields are a framing ambiguity; rejected like llhttp.
			p.failAt(ErrUnexpectedContentLength, "Duplicate Content-Length", off)
			return false
		}
		if p.flags&FlagTransferEncoding != 0 {
			if p.lenient&LenientChunkedLength == 0 {
				// RFC 9112 §6.3 rule 3: CL with TE "ought to be handled as
				// an error" — the CL.TE / TE.CL smuggling vector.
				p.failAt(ErrInvalidContentLength, "Content-Length can't be present with Transfer-Encoding", off)
				return false
			}
			p.forceClose = true
		}
		p.clSeen = true
		p.hstate = hContentLength
		p.cl = 0
		p.valWS = false
	case fkTransferEncoding:
		if p.clSeen {
			if p.lenient&LenientChunkedLength == 0 {
				p.failAt(ErrInvalidContentLength, "Transfer-Encoding can't be present with Content-Length", off)
				return false
			}
			p.forceClose = true
		}
		p.flags |= FlagTransferEncoding
		p.hstate = hTransferEncoding
		p.teTokLen, p.teInParam, p.teTokBad, p.teAfterWS, p.teHasParam, p.teElems = 0, false, false, false, false, 0
	case fkConnection:
		p.hstate = hConnection
		p.connLen, p.connBad, p.connAfterWS = 0, false, false
	case fkUpgrade:
		p.flags |= FlagUpgrade
	}
	return true
}

// emptyValue runs for a field whose value is empty (the line ends at index
// i of the current input).
func (p *Parser) emptyValue(i int) bool {
	switch p.hstate {
	case hContentLength:
		p.fail(ErrInvalidContentLength, "Empty Content-Length", i)
		return false
	case hTransferEncoding:
		p.fail(ErrInvalidTransferEncoding, "Empty Transfer-Encoding", i)
		return false
	}
	return true
}

// specialByte feeds b[j], a byte of a framing field's value, to that
// field's grammar.
func (p *Parser) specialByte(b []byte, j int) bool {
	return p.specialChar(b[j], p.base+int64(j))
}

// specialChar feeds c, at offset off, to the grammar of the framing field
// being read.
func (p *Parser) specialChar(c byte, off int64) bool {
	switch p.hstate {
	case hContentLength:
		// Content-Length = 1*DIGIT (RFC 9110 §8.6); trailing OWS is
		// allowed, nothing else: no sign, no list, no inner space.
		switch {
		case isDigit(c):
			if p.valWS {
				p.failAt(ErrInvalidContentLength, "Invalid character in Content-Length (digits after whitespace)", off)
				return false
			}
			d := uint64(c - '0')
			if p.cl > (math.MaxUint64-d)/10 {
				p.failAt(ErrInvalidContentLength, "Content-Length overflow", off)
				return false
			}
			p.cl = p.cl*10 + d
		case c == ' ' || c == '\t':
			p.valWS = true
		default:
			p.failAt(ErrInvalidContentLength, "Invalid character in Content-Length", off)
			return false
		}
	case hTransferEncoding:
		// Transfer-Encoding = #transfer-coding; transfer-coding = token
		// *( OWS ";" OWS transfer-parameter ) (RFC 9112 §6.1).
		switch {
		case c == ',':
			p.teEnd()
		case p.teInParam:
		case c == ';':
			p.teInParam, p.teHasParam = true, true
		case c == ' ' || c == '\t':
			if p.teTokLen > 0 || p.teTokBad {
				p.teAfterWS = true
			}
		case tokenTab[c]:
			if p.teAfterWS {
				p.teTokBad = true
			}
			if p.teTokLen < len(p.teTok) {
				p.teTok[p.teTokLen] = lower(c)
			}
			p.teTokLen++
		default:
			p.teTokBad = true
		}
	case hConnection:
		switch c {
		case ',':
			p.connEnd()
		case ' ', '\t':
			if p.connLen > 0 {
				p.connAfterWS = true
			}
		default:
			if p.connAfterWS || !tokenTab[c] {
				p.connBad = true
			}
			if p.connLen < len(p.connTok) {
				p.connTok[p.connLen] = lower(c)
			}
			p.connLen++
		}
	}
	return true
}

func (p *Parser) teEnd() {
	if p.teTokLen == 0 && !p.teTokBad && !p.teHasParam {
		return // an empty list element: ignored (RFC 9110 §5.6.1)
	}
	chunked := !p.teTokBad && !p.teHasParam && p.teTokLen == 7 && string(p.teTok[:7]) == "chunked"
	if chunked {
		p.teChunked++
	}
	p.teLastChunked = chunked
	p.teElems++
	p.teTokLen, p.teInParam, p.teTokBad, p.teAfterWS, p.teHasParam = 0, false, false, false, false
}

func (p *Parser) connEnd() {
	if !p.connBad && p.connLen <= len(p.connTok) {
		switch string(p.connTok[:p.connLen]) {
		case "close":
			p.flags |= FlagConnectionClose
		case "keep-alive":
			p.flags |= FlagConnectionKeepAlive
		case "upgrade":
			p.flags |= FlagConnectionUpgrade
		}
	}
	p.connLen, p.connBad, p.connAfterWS = 0, false, false
}

// valueDone runs when a field value is complete, at off.
func (p *Parser) valueDone(off int64) bool {
	h := p.hstate
	p.hstate = hOther
	switch h {
	case hContentLength:
		p.flags |= FlagContentLength
		p.declaredCL = p.cl
		p.contentLength = p.cl
	case hTransferEncoding:
		p.teEnd()
		if p.teElems == 0 {
			p.failAt(ErrInvalidTransferEncoding, "Empty Transfer-Encoding (no transfer-coding in the list)", off)
			return false
		}
	case hConnection:
		p.connEnd()
	}
	return true
}

// headEnd runs after the empty line that ends the head (or the trailer
// section), at off.
func (p *Parser) headEnd(off int64) bool {
	p.limitOff = -1
	if p.inTrailer {
		p.inTrailer = false
		p.state = sMessageDone
		if !p.event(p.cb.OnChunkComplete, ErrCBChunkComplete, off) {
			return false
		}
		return p.messageComplete(off)
	}
	if p.flags&FlagTransferEncoding != 0 {
		if p.teLastChunked {
			p.flags |= FlagChunked
		}
		if p.lenient&LenientTransferEncoding == 0 {
			switch {
			case p.major == 1 && p.minor == 0:
				// RFC 9112 §6.1: Transfer-Encoding in HTTP/1.0 "MUST
				// [be treated] as if the framing is faulty".
				p.failAt(ErrInvalidTransferEncoding, "Transfer-Encoding in an HTTP/1.0 message", off)
				return false
			case p.teChunked > 1:
				// RFC 9112 §6.1: "A sender MUST NOT apply the chunked
				// transfer coding more than once".
				p.failAt(ErrInvalidTransferEncoding, "chunked applied more than once", off)
				return false
			case p.curTyp == Request && !p.teLastChunked:
				// RFC 9112 §6.3 rule 4: the body length of such a request
				// cannot be determined; 400 and close.
				p.failAt(ErrInvalidTransferEncoding, "Request has invalid Transfer-Encoding (chunked is not the final coding)", off)
				return false
			}
		}
	}
	p.contentLength = p.declaredCL
	if p.curTyp == Request {
		// RFC 9110 §7.8: a server MUST ignore Upgrade received in an
		// HTTP/1.0 request.
		p.upgrade = p.method == MethodConnect ||
			(p.flags&FlagUpgrade != 0 && p.flags&FlagConnectionUpgrade != 0 && (p.major > 1 || p.minor > 0))
	} else {
		p.upgrade = p.statusCode == 101
	}

	decision := Proceed
	if cb := p.cb.OnHeadersComplete; cb != nil {
		p.evOff = off
		d, err := cb(p)
		if err != nil {
			if !errors.Is(err, ErrPaused) {
				p.err = &Error{Code: ErrCBHeadersComplete, Reason: "Callback returned an error: " + err.Error(), Offset: off, Err: err}
				return false
			}
			p.paused = true
		}
		decision = d
	}
	switch decision {
	case SkipBody:
		p.flags |= FlagSkipBody
	case SkipBodyUpgrade:
		p.flags |= FlagSkipBody
		p.upgrade = true
	}

	noBody := p.flags&FlagSkipBody != 0 ||
		(p.curTyp == Response && (p.statusCode/100 == 1 || p.statusCode == 204 || p.statusCode == 304)) ||
		(p.curTyp == Request && p.method == MethodConnect)
	chunked := p.flags&FlagChunked != 0
	switch {
	case noBody || (p.upgrade && p.curTyp == Response):
		p.state = sMessageDone
	case chunked:
		p.enterChunkSize(off)
	case p.flags&FlagTransferEncoding != 0:
		p.state = sBodyEOF
	case p.flags&FlagContentLength != 0:
		if p.contentLength == 0 {
			p.state = sMessageDone
		} else {
			p.state = sBodyCL
		}
	case p.curTyp == Request:
		p.state = sMessageDone
	default:
		p.state = sBodyEOF
	}
	if p.paused {
		return false
	}
	if p.state == sMessageDone {
		return p.messageComplete(off)
	}
	return true
}

func (p *Parser) enterChunkSize(off int64) {
	p.state = sChunkSize
	p.contentLength = 0
	p.chunkDigits = 0
	if p.maxHead >= 0 {
		p.limitOff, p.limitKind = off+p.maxHead, limChunkExt
	}
}

// chunkHeader consumes the LF at b[*i] that ends a chunk-size line.
func (p *Parser) chunkHeader(b []byte, i *int) bool {
	*i++
	off := p.base + int64(*i)
	p.limitOff = -1
	if p.contentLength == 0 {
		p.inTrailer = true
		p.flags |= FlagTrailing
		if p.maxHead >= 0 {
			p.limitOff, p.limitKind = off+p.maxHead, limTrailer
		}
		p.state = sHeaderStart
		p.firstLine = false
	} else {
		p.state = sChunkData
	}
	return p.event(p.cb.OnChunkHeader, ErrCBChunkHeader, off)
}

// chunkDone runs after the CRLF that follows chunk data, at b[i].
func (p *Parser) chunkDone(b []byte, i int) bool {
	off := p.base + int64(i)
	p.enterChunkSize(off)
	return p.event(p.cb.OnChunkComplete, ErrCBChunkComplete, off)
}

// messageComplete ends the current message at off.
func (p *Parser) messageComplete(off int64) bool {
	p.limitOff = -1
	switch {
	case p.upgrade:
		p.state = sStart
	case p.ShouldKeepAlive() || p.lenient&LenientKeepAlive != 0:
		p.state = sStart
	default:
		p.state = sClosed
	}
	ok := p.event(p.cb.OnMessageComplete, ErrCBMessageComplete, off)
	if p.upgrade && p.err == nil {
		p.paused = false
		p.err = &Error{Code: ErrPausedUpgrade, Reason: "Pause on CONNECT/Upgrade", Offset: off}
		return false
	}
	return ok
}
