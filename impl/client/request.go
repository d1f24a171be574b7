package client

import (
	"fmt"
	"io"
	"strconv"
	"strings"
	"time"
)

// DefaultContinueTimeout is how long a request with "Expect:
// 100-continue" waits for the 100 (Continue) before sending its body
// anyway, when Request.ContinueTimeout is zero.
const DefaultContinueTimeout = time.Second

// Request describes one HTTP/1.1 request, as the options of Node's
// http.request. The zero Method is GET.
//
// The Agent writes the head from Method, Target (or URL) and Header, in
// the order given and with the names' case kept, adding only what the
// caller left out: Host first (RFC 9110 §7.2), then the caller's fields,
// then Connection (keep-alive or close, as Node does) and the body's
// framing (Content-Length when the length is known, chunked otherwise).
// A field the caller set is never added again.
type Request struct {
	// Method is the request method; it must be a token. "" means GET.
	Method string
	// URL is an absolute http URL: "http://host[:port]/path?query". Its
	// host and port pick the pool (with LocalAddr, Family, SocketPath)
	// and fill the Host header; its path and query are the target. A
	// fragment is not sent.
	URL string
	// Target, when set, is the request-target sent instead of the URL's
	// path and query: an authority ("example.com:443") for CONNECT, an
	// absolute URL for a forward proxy, "*" for OPTIONS. CONNECT without
	// Target sends the URL's host:port. The Host field follows the target
	// (RFC 9112 §3.2): for CONNECT and an absolute URL it names their
	// authority, not the proxy the URL points at.
	Target string
	// Header holds the fields to send, in order.
	Header Header

	// Body is the body Do sends; nil means none. Start ignores it: the
	// caller writes the body through the ClientRequest instead.
	Body io.Reader
	// ContentLength is the body's length when known: positive values are
	// sent as Content-Length and enforced; -1 means unknown (chunked). Zero
	// with a nil Body means no body; zero with a non-nil Body means
	// unknown. A Content-Length or Transfer-Encoding field in Header takes
	// precedence.
	ContentLength int64
	// GetBody, when set, returns a fresh copy of Body; Do uses it to send
	// an idempotent request again after a reused socket failed.
	GetBody func() (io.Reader, error)
	// Trailer is sent after a chunked body by Do (End takes its own).
	Trailer Header

	// Timeout is the socket idle timeout while this request uses the
	// socket (Node's request timeout, applied by setRequestSocket): if no
	// byte is read or written for that long the request fails with
	// ErrTimeout and the socket is destroyed. When the response ends the
	// socket returns to the Agent's timeout. Zero means the Agent's
	// timeout; negative means none even if the Agent has one.
	Timeout time.Duration
	// ContinueTimeout is how long to wait for 100 (Continue) when Header
	// has "Expect: 100-continue": zero means DefaultContinueTimeout,
	// negative means wait until the server answers.
	ContinueTimeout time.Duration

	// SocketPath, LocalAddr and Family complete the Target (see Target).
	SocketPath string
	LocalAddr  string
	Family     int

	// Raw, when non-nil, is sent exactly as given instead of a head built
	// from the fields above (which then only pick the pool and tell how to
	// read the response: Method matters for HEAD and CONNECT; when Method
	// is "" the first word of Raw is used). Nothing is checked or added:
	// Raw is for sending malformed messages on purpose. Body and Trailer
	// are not sent; ClientRequest.WriteRaw can add more bytes.
	Raw []byte

	// OnInformation, when set, is called for each 1xx response that
	// precedes the final one (Node's 'information' event), on the
	// goroutine reading the response.
	OnInformation func(Information)
	// Trace, when set, receives this request's events.
	Trace *ClientTrace
}

// Information is an interim (1xx) response.
type Information struct {
	Status       int
	Reason       string
	Major, Minor int
	Header       Header
}

// idempotent reports whether method is idempotent (RFC 9110 §9.2.2).
func idempotent(method string) bool {
	switch method {
	case "GET", "HEAD", "OPTIONS", "TRACE", "PUT", "DELETE":
		return true
	}
	return false
}

// target is a Request's destination, parsed once per request.
type target struct {
	Target
	hostHeader string // Host field value
	path       string // request-target
}

// parseTarget checks r's URL and returns where to send it.
func (r *Request) parseTarget() (target, error) {
	var t target
	u := r.URL
	const scheme = "http://"
	if len(u) < len(scheme) || !strings.EqualFold(u[:len(scheme)], scheme) {
		return t, fmt.Errorf("%w: URL %q: want an absolute http:// URL (https is not supported)", ErrInvalidRequest, u)
	}
	rest := u[len(scheme):]
	end := strings.IndexAny(rest, "/?#")
	if end < 0 {
		end = len(rest)
	}
	auth := rest[:end]
	path := rest[end:]
	if i := strings.IndexByte(path, '#'); i >= 0 {
		path = path[:i]
	}
	if path == "" || path[0] == '?' {
		path = "/" + path
	}
	if strings.IndexByte(auth, '@') >= 0 {
		return t, fmt.Errorf("%w: URL %q: userinfo is not supported (RFC 9110 §4.2.4 forbids it in http URLs sent)", ErrInvalidRequest, u)
	}
	host, port := auth, ""
	if strings.HasPrefix(auth, "[") {
		i := strings.IndexByte(auth, ']')
		if i < 0 {
			return t, fmt.Errorf("%w: URL %q: IPv6 literal without closing ']'", ErrInvalidRequest, u)
		}
		host = auth[1:i]
		switch {
		case i+1 == len(auth):
		case auth[i+1] == ':':
			port = auth[i+2:]
		default:
			return t, fmt.Errorf("%w: URL %q: unexpected %q after IPv6 literal", ErrInvalidRequest, u, auth[i+1:])
		}
	} else if i := strings.LastIndexByte(auth, ':'); i >= 0 {
		host, port = auth[:i], auth[i+1:]
	}
	if host == "" {
		return t, fmt.Errorf("%w: URL %q has no host", ErrInvalidRequest, u)
	}
	t.Host = host
	t.Port = 80
	if port != "" {
		p, err := strconv.Atoi(port)
		if err != nil || p <= 0 || p > 65535 {
			return t, fmt.Errorf("%w: URL %q: port %q is not a number from 1 to 65535", ErrInvalidRequest, u, port)
		}
		t.Port = p
	}
	if t.Port == 80 {
		if strings.HasPrefix(auth, "[") {
			t.hostHeader = "[" + host + "]"
		} else {
			t.hostHeader = host
		}
	} else {
		t.hostHeader = auth
	}
	t.LocalAddr = r.LocalAddr
	t.SocketPath = r.SocketPath
	switch r.Family {
	case 0, 4, 6:
		t.Family = r.Family
	default:
		return t, fmt.Errorf("%w: Family %d: want 0, 4 or 6", ErrInvalidRequest, r.Family)
	}
	t.path = path
	if r.Target != "" {
		t.path = r.Target
	} else if r.method() == "CONNECT" {
		t.path = auth
		if port == "" {
			t.path = t.hostHeader + ":80"
		}
	}
	// RFC 9112 §3.2: Host carries the authority of the target URI. For
	// CONNECT that is the tunnel's destination, for an absolute-form
	// target its authority (Node sends the proxy's host in both cases).
	switch {
	case r.method() == "CONNECT":
		t.hostHeader = t.path
	case len(t.path) > len(scheme) && strings.EqualFold(t.path[:len(scheme)], scheme):
		a := t.path[len(scheme):]
		if i := strings.IndexAny(a, "/?#"); i >= 0 {
			a = a[:i]
		}
		t.hostHeader = a
	}
	return t, nil
}

func (r *Request) method() string {
	if r.Method == "" {
		if r.Raw != nil {
			if i := strings.IndexAny(string(r.Raw[:min(len(r.Raw), 32)]), " \r\n"); i > 0 {
				return string(r.Raw[:i])
			}
		}
		return "GET"
	}
	return r.Method
}

// framing is how a request body is delimited.
type framing struct {
	chunked bool  // body is chunk-encoded
	length  int64 // declared length when !chunked
}

// bodyByDefault reports whether Node sends Content-Length: 0 for an empty
// body of method (its useChunkedEncodingByDefault).
func bodyByDefault(method string) bool {
	switch method {
	case "GET", "HEAD", "DELETE", "OPTIONS", "TRACE", "CONNECT":
		return false
	}
	return true
}

// headInfo is what checking the head learned about the request.
type headInfo struct {
	framing
	close    bool // the request asks for the connection to close
	expect   bool // Expect: 100-continue with a body to send
	haveHost bool // the caller set these fields
	haveConn bool
	haveLen  bool // Content-Length or Transfer-Encoding
}

// prepareHead checks r's head and works out its framing. bodyLen and
// hasBody are as Request.ContentLength and "a body is to be sent";
// keepAlive is the Connection value to add when the caller set none.
func (r *Request) prepareHead(t *target, m string, bodyLen int64, hasBody, keepAlive bool) (headInfo, error) {
	var hi headInfo
	if err := checkToken("method", m); err != nil {
		return hi, err
	}
	for i := 0; i < len(t.path); i++ {
		if c := t.path[i]; c <= ' ' || c == 0x7f {
			return hi, fmt.Errorf("%w: request-target %q: byte %d is %q; use Request.Raw to send it on purpose (RFC 9112 §3.2)", ErrInvalidRequest, t.path, i, c)
		}
	}
	var haveCL, haveTE bool
	for i, f := range r.Header {
		if err := checkFieldName("header", i, f.Name); err != nil {
			return hi, err
		}
		if err := checkFieldValue(f.Name, f.Value); err != nil {
			return hi, err
		}
		switch {
		case strings.EqualFold(f.Name, "Host"):
			hi.haveHost = true
		case strings.EqualFold(f.Name, "Connection"):
			hi.haveConn = true
		case strings.EqualFold(f.Name, "Content-Length"):
			if haveCL {
				return hi, fmt.Errorf("%w: more than one Content-Length field; use Request.Raw to send that on purpose", ErrInvalidRequest)
			}
			haveCL = true
			n, err := strconv.ParseInt(strings.TrimSpace(f.Value), 10, 64)
			if err != nil || n < 0 {
				return hi, fmt.Errorf("%w: Content-Length %q is not a non-negative decimal number (RFC 9110 §8.6)", ErrInvalidRequest, f.Value)
			}
			hi.length = n
		case strings.EqualFold(f.Name, "Transfer-Encoding"):
			haveTE = true
		}
	}
	if haveCL && haveTE {
		return hi, fmt.Errorf("%w: both Content-Length and Transfer-Encoding set (RFC 9112 §6.2 forbids it); use Request.Raw to send that on purpose", ErrInvalidRequest)
	}
	hi.haveLen = haveCL || haveTE
	switch {
	case haveTE:
		hi.chunked = lastCodingChunked(r.Header)
		if !hi.chunked {
			return hi, fmt.Errorf("%w: Transfer-Encoding %q does not end in chunked, so the body could not be delimited (RFC 9112 §6.3)", ErrInvalidRequest, r.Header.Get("Transfer-Encoding"))
		}
	case haveCL:
	case !hasBody:
		hi.length = 0
	case bodyLen > 0:
		hi.length = bodyLen
	default:
		hi.chunked = true
	}
	hi.close = r.Header.hasToken("Connection", "close") || (!hi.haveConn && !keepAlive)
	hi.expect = r.Header.hasToken("Expect", "100-continue") && (hi.chunked || hi.length > 0)
	return hi, nil
}

// writeHead appends the head checked by prepareHead to dst.
func (r *Request) writeHead(dst []byte, t *target, m string, hi headInfo, keepAlive bool) []byte {
	dst = append(dst, m...)
	dst = append(dst, ' ')
	dst = append(dst, t.path...)
	dst = append(dst, " HTTP/1.1\r\n"...)
	if !hi.haveHost {
		dst = append(dst, "Host: "...)
		dst = append(dst, t.hostHeader...)
		dst = append(dst, "\r\n"...)
	}
	for _, f := range r.Header {
		dst = append(dst, f.Name...)
		dst = append(dst, ": "...)
		dst = append(dst, f.Value...)
		dst = append(dst, "\r\n"...)
	}
	if !hi.haveConn {
		if keepAlive {
			dst = append(dst, "Connection: keep-alive\r\n"...)
		} else {
			dst = append(dst, "Connection: close\r\n"...)
		}
	}
	switch {
	case hi.haveLen:
	case hi.chunked:
		dst = append(dst, "Transfer-Encoding: chunked\r\n"...)
	case hi.length > 0:
		dst = append(dst, "Content-Length: "...)
		dst = strconv.AppendInt(dst, hi.length, 10)
		dst = append(dst, "\r\n"...)
	case bodyByDefault(m):
		// Node sends an empty body of POST and the like as
		// Content-Length: 0.
		dst = append(dst, "Content-Length: 0\r\n"...)
	}
	return append(dst, "\r\n"...)
}

// lastCodingChunked reports whether the last transfer coding listed is
// chunked.
func lastCodingChunked(h Header) bool {
	last := ""
	for _, f := range h {
		if !strings.EqualFold(f.Name, "Transfer-Encoding") {
			continue
		}
		for part := range strings.SplitSeq(f.Value, ",") {
			if p := strings.TrimSpace(part); p != "" {
				last = p
			}
		}
	}
	if i := strings.IndexByte(last, ';'); i >= 0 {
		last = strings.TrimSpace(last[:i])
	}
	return strings.EqualFold(last, "chunked")
}

// appendTrailer appends the last chunk and trailer section.
func appendTrailer(dst []byte, trailer Header) ([]byte, error) {
	dst = append(dst, "0\r\n"...)
	for i, f := range trailer {
		if err := checkFieldName("trailer field", i, f.Name); err != nil {
			return dst, err
		}
		if err := checkFieldValue(f.Name, f.Value); err != nil {
			return dst, err
		}
		dst = append(dst, f.Name...)
		dst = append(dst, ": "...)
		dst = append(dst, f.Value...)
		dst = append(dst, "\r\n"...)
	}
	return append(dst, "\r\n"...), nil
}
