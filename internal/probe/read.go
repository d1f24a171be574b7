package probe

import (
	"errors"
	"strings"

	"github.com/conformhttp/conform/impl/parser"
)

// Caps on what a Response keeps, so that a hostile target cannot make the
// probe hold more than a bounded amount whatever it sends.
const (
	maxResponses   = 64   // responses parsed per exchange
	maxFields      = 64   // header fields kept per response
	maxFieldBytes  = 1024 // bytes kept of one field name or value
	maxReasonBytes = 256  // bytes kept of a reason phrase
	maxTunnelBytes = 4096 // bytes kept after a protocol switch
)

// Response is one response the target sent, as the parser read it.
type Response struct {
	// Offset is where the response began in the bytes received.
	Offset int64
	// Status is the status code (0 when the start line could not be
	// read).
	Status int
	// Reason is the reason phrase, trailing whitespace removed (at most
	// 256 bytes kept).
	Reason string
	// Major and Minor are the HTTP version.
	Major, Minor int
	// Header holds the first 64 header fields, names and values cut at
	// 1024 bytes; HeaderCount counts them all.
	Header      []Field
	HeaderCount int
	// HeadComplete reports that the head was read in full.
	HeadComplete bool
	// BodyLen counts the body bytes read (chunk data without framing).
	BodyLen int64
	// Complete reports that the whole message was read.
	Complete bool
	// KeepAlive reports that the response leaves the connection open for
	// another exchange (Connection and version rules, as the parser says).
	KeepAlive bool
	// Upgrade reports that the response switched protocols: a 101, or a
	// 2xx answer to CONNECT.
	Upgrade bool
	// Err is the parser error that ended this response, nil if none: the
	// target sent bytes that are not a valid HTTP/1.x response (an
	// HTTP/0.9 reply, garbage, a body cut short by the end of the
	// connection).
	Err *parser.Error
}

// Field is a header field as sent (the value without surrounding
// whitespace).
type Field struct{ Name, Value string }

// Get returns the value of the first field named name (ASCII case
// ignored), and whether there was one.
func (r *Response) Get(name string) (string, bool) {
	for _, f := range r.Header {
		if strings.EqualFold(f.Name, name) {
			return f.Value, true
		}
	}
	return "", false
}

// Final reports whether the response is a final one: not an interim 1xx
// (101 Switching Protocols is final for its request).
func (r *Response) Final() bool { return r.Status < 100 || r.Status > 199 || r.Status == 101 }

// reader feeds received bytes to a response parser and collects the
// responses. It is used by one goroutine.
type reader struct {
	p       *parser.Parser
	methods []string // method of each request sent, in order
	resps   []Response
	final   int // final responses whose head was read (index of the next request)
	err     *parser.Error
	stopped bool   // parsing has ended: an error, an upgrade, or the cap
	tunnel  []byte // bytes after a protocol switch, the first maxTunnelBytes
	tunnelN int64  // all of them
	total   int64  // bytes fed
	tooMany bool   // parsing stopped at maxResponses

	field, value []byte
	inValue      bool
}

func newReader(methods []string) *reader {
	r := &reader{methods: methods}
	r.p = parser.New(parser.Config{Type: parser.Response}, &parser.Callbacks{
		OnMessageBegin: func(p *parser.Parser) error {
			if len(r.resps) == maxResponses {
				return errTooMany
			}
			r.resps = append(r.resps, Response{Offset: p.Offset()})
			return nil
		},
		OnStatus: func(p *parser.Parser, b []byte) error {
			c := r.cur()
			if room := maxReasonBytes - len(c.Reason); room > 0 {
				c.Reason += string(b[:min(len(b), room)])
			}
			return nil
		},
		OnStatusComplete: func(p *parser.Parser) error {
			c := r.cur()
			c.Status = p.StatusCode()
			c.Major, c.Minor = p.Version()
			c.Reason = strings.TrimRight(c.Reason, " \t")
			return nil
		},
		OnHeaderField: func(p *parser.Parser, b []byte) error {
			if r.inValue {
				r.addField()
			}
			r.field = appendCapped(r.field, b)
			return nil
		},
		OnHeaderValue: func(p *parser.Parser, b []byte) error {
			r.inValue = true
			r.value = appendCapped(r.value, b)
			return nil
		},
		OnHeaderValueComplete: func(p *parser.Parser) error {
			r.addField()
			return nil
		},
		OnHeadersComplete: func(p *parser.Parser) (parser.HeadersDecision, error) {
			if r.inValue || len(r.field) > 0 {
				r.addField()
			}
			c := r.cur()
			c.HeadComplete = true
			c.Status = p.StatusCode()
			c.Major, c.Minor = p.Version()
			if !c.Final() {
				return parser.Proceed, nil
			}
			method := ""
			if r.final < len(r.methods) {
				method = r.methods[r.final]
			}
			r.final++
			switch {
			case method == "HEAD":
				return parser.SkipBody, nil
			case method == "CONNECT" && c.Status/100 == 2:
				c.Upgrade = true
				return parser.SkipBodyUpgrade, nil
			}
			if c.Status == 101 {
				c.Upgrade = true
			}
			return parser.Proceed, nil
		},
		OnBody: func(p *parser.Parser, b []byte) error {
			r.cur().BodyLen += int64(len(b))
			return nil
		},
		OnMessageComplete: func(p *parser.Parser) error {
			c := r.cur()
			c.Complete = true
			c.KeepAlive = p.ShouldKeepAlive()
			return nil
		},
	})
	return r
}

var errTooMany = errors.New("more responses than the probe keeps")

func (r *reader) cur() *Response { return &r.resps[len(r.resps)-1] }

func (r *reader) addField() {
	c := r.cur()
	c.HeaderCount++
	if len(c.Header) < maxFields {
		c.Header = append(c.Header, Field{Name: string(r.field), Value: strings.TrimRight(string(r.value), " \t")})
	}
	r.field, r.value, r.inValue = r.field[:0], r.value[:0], false
}

func appendCapped(dst, b []byte) []byte {
	room := maxFieldBytes - len(dst)
	if room <= 0 {
		return dst
	}
	return append(dst, b[:min(len(b), room)]...)
}

// feed parses b, the next bytes received.
func (r *reader) feed(b []byte) {
	r.total += int64(len(b))
	if r.stopped {
		r.keepTunnel(b)
		return
	}
	n, err := r.p.Execute(b)
	if err == nil {
		return
	}
	var pe *parser.Error
	if errors.As(err, &pe) && pe.Code == parser.ErrPausedUpgrade {
		r.stopped = true
		r.keepTunnel(b[n:])
		return
	}
	r.fail(err)
}

// finish tells the parser the target closed the connection.
func (r *reader) finish() {
	if r.stopped {
		return
	}
	if err := r.p.Finish(); err != nil {
		r.fail(err)
	}
}

func (r *reader) fail(err error) {
	r.stopped = true
	if errors.Is(err, errTooMany) {
		r.tooMany = true
		return
	}
	pe, ok := err.(*parser.Error)
	if !ok {
		pe = &parser.Error{Code: parser.ErrInternal, Reason: err.Error(), Offset: r.total}
	}
	r.err = pe
	if len(r.resps) == 0 || r.cur().Complete {
		if len(r.resps) == maxResponses {
			return
		}
		// The bytes after the last complete response do not even start
		// one: a response of its own that is not HTTP/1.x.
		r.resps = append(r.resps, Response{Offset: pe.Offset})
	}
	r.cur().Err = pe
}

func (r *reader) keepTunnel(b []byte) {
	r.tunnelN += int64(len(b))
	if room := maxTunnelBytes - len(r.tunnel); room > 0 {
		r.tunnel = append(r.tunnel, b[:min(len(b), room)]...)
	}
}

// idle reports that the parser is between messages: every response begun
// is complete.
func (r *reader) idle() bool {
	return len(r.resps) == 0 || r.cur().Complete
}

// inProgress reports that a response has begun and is still being read.
func (r *reader) inProgress() bool {
	return !r.stopped && len(r.resps) > 0 && !r.cur().Complete
}

// finals counts the complete final responses.
func (r *reader) finals() int {
	n := 0
	for i := range r.resps {
		if r.resps[i].Complete && r.resps[i].Final() {
			n++
		}
	}
	return n
}
