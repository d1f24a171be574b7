package server

import (
	"context"
	"io"
	"net"
	"strconv"
)

// Framing says how a request body was delimited (RFC 9112 §6.3).
type Framing uint8

// Framings.
const (
	// FramingNone: no Content-Length and no Transfer-Encoding; no body.
	FramingNone Framing = iota
	// FramingContentLength: the body is Content-Length bytes.
	FramingContentLength
	// FramingChunked: Transfer-Encoding ending in chunked.
	FramingChunked
	// FramingUntilClose: a Transfer-Encoding not ending in chunked,
	// accepted only with parser.LenientTransferEncoding; the body runs to
	// the end of the connection.
	FramingUntilClose
)

// String returns "none", "content-length", "chunked" or "until-close".
func (f Framing) String() string {
	switch f {
	case FramingNone:
		return "none"
	case FramingContentLength:
		return "content-length"
	case FramingChunked:
		return "chunked"
	case FramingUntilClose:
		return "until-close"
	}
	return "framing(" + strconv.Itoa(int(f)) + ")"
}

// Request is a request as the server read it. Its fields are set before
// the handler starts; Trailer is filled in when Body returns io.EOF. A
// Request must not be used after its handler returns: the server reuses it
// for a later request.
type Request struct {
	// Method is the method token ("GET").
	Method string
	// Target is the request-target exactly as sent: origin-form
	// ("/a?b"), absolute-form, authority-form (CONNECT) or "*".
	Target string
	// ProtoMajor and ProtoMinor are the version digits of HTTP-version.
	ProtoMajor, ProtoMinor int
	// Header holds the header fields in the order received, names in
	// their original case, values without surrounding whitespace.
	Header Header
	// Trailer holds the trailer fields of a chunked body, once Body has
	// returned io.EOF.
	Trailer Header
	// Framing says how the body was delimited.
	Framing Framing
	// ContentLength is the declared Content-Length when Framing is
	// FramingContentLength, 0 for FramingNone, and -1 when the length is
	// not known in advance (chunked, until-close).
	ContentLength int64
	// Body streams the request content. It is never nil; without a body
	// it returns io.EOF at once. Reading it the first time sends "100
	// Continue" when the request expects it. Closing it discards the
	// rest.
	Body io.ReadCloser
	// RemoteAddr is the client's address.
	RemoteAddr net.Addr

	ctx context.Context
}

// Context returns the request's context. For a request answered by a
// Handler it is cancelled when the connection closes; for one given to
// OnConnect or OnUpgrade, when the server is closed.
func (r *Request) Context() context.Context { return r.ctx }

// Proto returns "HTTP/<major>.<minor>".
func (r *Request) Proto() string {
	switch {
	case r.ProtoMajor == 1 && r.ProtoMinor == 1:
		return "HTTP/1.1"
	case r.ProtoMajor == 1 && r.ProtoMinor == 0:
		return "HTTP/1.0"
	}
	return "HTTP/" + strconv.Itoa(r.ProtoMajor) + "." + strconv.Itoa(r.ProtoMinor)
}

// Path returns the target up to any "?" (the whole target for authority-
// and asterisk-form).
func (r *Request) Path() string {
	for i := 0; i < len(r.Target); i++ {
		if r.Target[i] == '?' {
			return r.Target[:i]
		}
	}
	return r.Target
}

// RawQuery returns the target after the first "?", or "".
func (r *Request) RawQuery() string {
	for i := 0; i < len(r.Target); i++ {
		if r.Target[i] == '?' {
			return r.Target[i+1:]
		}
	}
	return ""
}

// atLeast11 reports whether the request's version is HTTP/1.1 or later.
func (r *Request) atLeast11() bool {
	return r.ProtoMajor > 1 || (r.ProtoMajor == 1 && r.ProtoMinor >= 1)
}

// bodyReader is Request.Body. The bytes live in the exchange, filled by the
// connection's reader goroutine.
type bodyReader struct {
	ex *exchange
}

// Read returns body bytes as they arrive. It returns io.EOF at the end of
// the body, ErrUnexpectedEOF if the client closed the connection first,
// the timeout or parse error that ended the request, or ErrConnClosed.
func (b *bodyReader) Read(p []byte) (int, error) {
	return b.ex.readBody(p)
}

// Close discards the rest of the body: the server reads and drops it (up
// to MaxBodyDrain) after the handler returns.
func (b *bodyReader) Close() error {
	b.ex.closeBody()
	return nil
}
