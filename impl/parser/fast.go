package parser

// Fast paths for the common shapes of a line. Each first checks, without
// side effects, that the whole construct is present and ordinary; only then
// does it fire the events, setting the state the general machine would have
// before each one, so that a pause or error inside a callback leaves the
// parser exactly where the general path would.

// fastVersion handles "HTTP/x.y\r\n" at the end of a request line, starting
// at b[i]. It returns the new index and whether it handled the input;
// stop reports that a callback stopped the parser.
func (p *Parser) fastVersion(b []byte, i, end int) (next int, handled, stop bool) {
	if end-i < 10 {
		return i, false, false
	}
	s := b[i : i+10]
	if s[0] != 'H' || s[1] != 'T' || s[2] != 'T' || s[3] != 'P' || s[4] != '/' ||
		!isDigit(s[5]) || s[6] != '.' || !isDigit(s[7]) || s[8] != '\r' || s[9] != '\n' {
		return i, false, false
	}
	major, minor := s[5]-'0', s[7]-'0'
	if major != 1 || p.method == MethodPRI {
		return i, false, false // the general path reports or pauses
	}
	off := p.base + int64(i)
	p.state = sVerMajor
	next = i + 5
	if !p.spanThen(p.cb.OnProtocol, constHTTP, off, p.cb.OnProtocolComplete, ErrCBProtocolComplete, off+4) {
		return next, true, true
	}
	p.major, p.minor = major, minor
	p.vbuf = [3]byte{s[5], '.', s[7]}
	p.state = sReqLineLF
	next = i + 9
	if !p.spanThen(p.cb.OnVersion, p.vbuf[:], off+5, p.cb.OnVersionComplete, ErrCBVersionComplete, off+8) {
		return next, true, true
	}
	p.state = sHeaderStart
	p.firstLine = true
	return i + 10, true, false
}

// fastField handles a whole field line "name: value\r\n" of a field that
// does not frame the message, starting at b[i], when the byte after it is
// present and does not start an obs-fold.
func (p *Parser) fastField(b []byte, i, end int) (next int, handled, stop bool) {
	s := b[:end]
	colon := scanTab(&tokenTab, s, i)
	if colon == i || colon >= len(s) || s[colon] != ':' {
		return i, false, false
	}
	kind := classifyField(s[i:colon])
	v := colon + 1
	for v < len(s) && (s[v] == ' ' || s[v] == '\t') {
		v++
	}
	ve := v
	if p.lenient&LenientHeaders == 0 {
		ve = scanValue(s, v)
	} else {
		ve = scanTab(&valueLenientTab, s, v)
	}
	// Need CR LF and one more byte that is not SP or HTAB.
	if ve+2 >= len(s) || s[ve] != '\r' || s[ve+1] != '\n' || s[ve+2] == ' ' || s[ve+2] == '\t' {
		return i, false, false
	}
	p.firstLine = false
	p.nlen = 0
	p.fieldKind = kind
	p.open = spNone
	p.state = sHeaderFieldWS
	if !p.span(p.cb.OnHeaderField, s[i:colon], p.base+int64(i)) {
		return colon, true, true
	}
	p.state = sValueStart
	off := p.base + int64(colon+1)
	if !p.event(p.cb.OnHeaderFieldComplete, ErrCBHeaderFieldComplete, off) {
		p.fieldDone(off)
		return colon + 1, true, true
	}
	if !p.fieldDone(off) {
		return colon + 1, true, true
	}
	if p.hstate != hOther {
		if v == ve && !p.emptyValue(ve) {
			return ve, true, true
		}
		for j := v; j < ve; j++ {
			if !p.specialByte(s, j) {
				p.span(p.cb.OnHeaderValue, s[v:j], p.base+int64(v))
				return j, true, true
			}
		}
	}
	p.state = sValueLF
	if !p.span(p.cb.OnHeaderValue, s[v:ve], p.base+int64(v)) {
		return ve + 1, true, true
	}
	p.state = sHeaderStart
	p.valueEnd = p.base + int64(ve+2)
	if !p.event(p.cb.OnHeaderValueComplete, ErrCBHeaderValueComplete, p.valueEnd) {
		p.valueDone(p.valueEnd)
		return ve + 2, true, true
	}
	if !p.valueDone(p.valueEnd) {
		return ve + 2, true, true
	}
	return ve + 2, true, false
}
