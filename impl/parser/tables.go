package parser

// Byte classes, each quoted from the grammar it implements.

// tokenTab marks tchar (RFC 9110 §5.6.2), the bytes of a field name, a
// method, a transfer-coding and a chunk-extension name or value:
//
//	token  = 1*tchar
//	tchar  = "!" / "#" / "$" / "%" / "&" / "'" / "*"
//	       / "+" / "-" / "." / "^" / "_" / "`" / "|" / "~"
//	       / DIGIT / ALPHA
var tokenTab = makeTab(func(c byte) bool {
	return isAlpha(c) || isDigit(c) || contains("!#$%&'*+-.^_`|~", c)
})

// valueTab marks the bytes allowed inside a field value (RFC 9110 §5.5):
//
//	field-value    = *field-content
//	field-content  = field-vchar [ 1*( SP / HTAB / field-vchar ) field-vchar ]
//	field-vchar    = VCHAR / obs-text
//	obs-text       = %x80-FF
//
// plus SP and HTAB, which may appear inside the value. CR, LF and NUL end or
// break the value and are never in it (RFC 9110 §5.5: "MUST either reject
// ... or replace"); other controls are rejected unless LenientHeaders.
var valueTab = makeTab(func(c byte) bool {
	return c == ' ' || c == '\t' || (c >= 0x21 && c != 0x7f)
})

// valueLenientTab adds the controls LenientHeaders accepts in values: every
// byte but NUL, CR and LF.
var valueLenientTab = makeTab(func(c byte) bool {
	return c != 0 && c != '\r' && c != '\n'
})

// reasonTab marks the bytes of a reason phrase (RFC 9112 §4):
//
//	reason-phrase  = 1*( HTAB / SP / VCHAR / obs-text )
var reasonTab = makeTab(func(c byte) bool {
	return c == ' ' || c == '\t' || (c >= 0x21 && c != 0x7f)
})

// originTab marks the bytes of an origin-form request-target (RFC 9112
// §3.2.1, RFC 3986 §3.3 and §3.4):
//
//	origin-form    = absolute-path [ "?" query ]
//	absolute-path  = 1*( "/" segment )
//	segment        = *pchar
//	query          = *( pchar / "/" / "?" )
//	pchar          = unreserved / pct-encoded / sub-delims / ":" / "@"
//	unreserved     = ALPHA / DIGIT / "-" / "." / "_" / "~"
//	sub-delims     = "!" / "$" / "&" / "'" / "(" / ")" / "*" / "+" / "," / ";" / "="
//
// '%' is not in the table: the parser checks that two hex digits follow
// it. A fragment ("#") is not part of any request-target form.
var originTab = makeTab(func(c byte) bool {
	return isAlpha(c) || isDigit(c) || contains("-._~!$&'()*+,;=:@/?", c)
})

// absoluteTab marks the bytes after "scheme:" in an absolute-form target
// (RFC 9112 §3.2.2: absolute-URI, RFC 3986 §4.3): the origin-form bytes plus
// the brackets of an IP-literal host.
var absoluteTab = makeTab(func(c byte) bool {
	return originTab[c] || c == '[' || c == ']'
})

// schemeTab marks the bytes of a URI scheme after its first ALPHA (RFC 3986
// §3.1): scheme = ALPHA *( ALPHA / DIGIT / "+" / "-" / "." ).
var schemeTab = makeTab(func(c byte) bool {
	return isAlpha(c) || isDigit(c) || c == '+' || c == '-' || c == '.'
})

// authorityTab marks the bytes of an authority-form target (RFC 9112
// §3.2.3: authority-form = uri-host ":" port; RFC 3986 §3.2.2 host =
// IP-literal / IPv4address / reg-name). No userinfo ("@") is allowed.
var authorityTab = makeTab(func(c byte) bool {
	return isAlpha(c) || isDigit(c) || contains("-._~!$&'()*+,;=:[]", c)
})

// lenientTargetTab is what LenientTarget accepts: anything but SP, the line
// terminators, NUL and HTAB.
var lenientTargetTab = makeTab(func(c byte) bool {
	return c != ' ' && c != '\r' && c != '\n' && c != 0 && c != '\t'
})

// qdtextTab marks the bytes of a quoted-string (RFC 9110 §5.6.4):
//
//	qdtext         = HTAB / SP / %x21 / %x23-5B / %x5D-7E / obs-text
var qdtextTab = makeTab(func(c byte) bool {
	return c == '\t' || c == ' ' || c == 0x21 || (c >= 0x23 && c <= 0x5b) || (c >= 0x5d && c <= 0x7e) || c >= 0x80
})

// quotedPairTab: quoted-pair = "\" ( HTAB / SP / VCHAR / obs-text ).
var quotedPairTab = makeTab(func(c byte) bool {
	return c == '\t' || c == ' ' || (c >= 0x21 && c != 0x7f)
})

// methodTab marks the bytes of the methods llhttp knows: upper-case
// letters and "-" (M-SEARCH).
var methodTab = makeTab(func(c byte) bool { return (c >= 'A' && c <= 'Z') || c == '-' })

// unhex maps a hex digit to its value, other bytes to 0xff.
var unhex = func() (t [256]byte) {
	for i := range t {
		t[i] = 0xff
	}
	for c := '0'; c <= '9'; c++ {
		t[c] = byte(c - '0')
	}
	for c := 'a'; c <= 'f'; c++ {
		t[c] = byte(c - 'a' + 10)
		t[c-'a'+'A'] = byte(c - 'a' + 10)
	}
	return t
}()

func makeTab(f func(c byte) bool) (t [256]bool) {
	for i := range t {
		t[i] = f(byte(i))
	}
	return t
}

func isAlpha(c byte) bool { return (c|0x20) >= 'a' && (c|0x20) <= 'z' }
func isDigit(c byte) bool { return c >= '0' && c <= '9' }

func contains(s string, c byte) bool {
	for i := 0; i < len(s); i++ {
		if s[i] == c {
			return true
		}
	}
	return false
}

func lower(c byte) byte {
	if c >= 'A' && c <= 'Z' {
		return c + 'a' - 'A'
	}
	return c
}
