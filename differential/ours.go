package differential

import (
	"context"
	"errors"
	"strconv"
	"strings"

	"github.com/conformhttp/conform/impl/parser"
)

// Ours is the oracle for conform's own parser (impl/parser), strict, or
// with the lenient modes Lenient.
type Ours struct {
	Lenient parser.Lenient
}

// Name returns "ours".
func (Ours) Name() string { return "ours" }

// Close does nothing; Ours holds no resources.
func (Ours) Close() error { return nil }

// Parse reads in with impl/parser, giving it the whole input in one
// Execute call (the parser's own tests check that any split gives the same
// events).
func (o Ours) Parse(ctx context.Context, in Input) (Outcome, error) {
	in = in.Resolve()
	b := &oursBuilder{in: in}
	p := parser.New(parser.Config{Type: in.Type, Lenient: o.Lenient, MaxHeaderSize: in.MaxHeaderSize}, b.callbacks())
	out := Outcome{Oracle: o.Name(), Consumed: int64(len(in.Data))}
	_, err := p.Execute(in.Data)
	if err == nil && in.EOF {
		err = p.Finish()
	}
	out.Messages = b.done
	var pe *parser.Error
	switch {
	case err == nil && b.open:
		out.End = End{Kind: EndIncomplete}
		out.Consumed = b.cur.start
	case err == nil:
		out.End = End{Kind: EndClean}
	case errors.As(err, &pe) && (pe.Code == parser.ErrPausedUpgrade || pe.Code == parser.ErrPausedH2Upgrade):
		out.End = End{Kind: EndUpgrade, Code: pe.Code.String(), Reason: pe.Reason}
		out.Consumed = pe.Offset
		if b.open {
			// The HTTP/2 preface pauses in the middle of its "message".
			out.Consumed = b.cur.start
		}
	case errors.As(err, &pe) && pe.Code == parser.ErrClosedConnection:
		out.End = End{Kind: EndClosed, Code: pe.Code.String(), Reason: pe.Reason}
		out.Consumed = pe.Offset
	case errors.As(err, &pe) && pe.Code == parser.ErrInvalidEOFState:
		out.End = End{Kind: EndTruncated, Code: pe.Code.String(), Reason: pe.Reason}
		out.Consumed = b.cur.start
	case errors.As(err, &pe):
		out.End = End{Kind: EndRejected, Code: pe.Code.String(), Reason: pe.Reason}
		out.Consumed = pe.Offset
	default:
		return Outcome{}, err
	}
	return out, nil
}

// oursBuilder turns parser events into Messages.
type oursBuilder struct {
	in    Input
	done  []Message
	cur   building
	open  bool // a message has begun and not completed
	heads int  // response heads seen, for Input.method
}

// building is the message being read.
type building struct {
	start     int64
	msg       Message
	name      strings.Builder
	value     strings.Builder
	inTrailer bool
	hosts     []string
	frags     int // fragments of the current field value
}

// valueFragment adds a fragment of a field value. Parse gives the parser
// its whole input at once, so a value arrives in several fragments only
// when obs-fold continues it (accepted in responses); the fold, with the
// whitespace around it, is replaced by one SP, as RFC 9112 §5.2 asks of a
// recipient that accepts it.
func (c *building) valueFragment(s []byte) {
	if c.frags > 0 {
		v := strings.TrimRight(c.value.String(), " \t")
		c.value.Reset()
		c.value.WriteString(v)
		c.value.WriteByte(' ')
		s = []byte(strings.TrimLeft(string(s), " \t"))
	}
	c.frags++
	c.value.Write(s)
}

func (b *oursBuilder) callbacks() *parser.Callbacks {
	return &parser.Callbacks{
		OnMessageBegin: func(p *parser.Parser) error {
			b.cur = building{start: p.Offset()}
			b.open = true
			return nil
		},
		OnURL: func(_ *parser.Parser, s []byte) error {
			b.cur.msg.Target += string(s)
			return nil
		},
		OnStatus: func(_ *parser.Parser, s []byte) error {
			b.cur.msg.Reason += string(s)
			return nil
		},
		OnHeaderField: func(_ *parser.Parser, s []byte) error {
			b.cur.name.Write(s)
			return nil
		},
		OnHeaderValue: func(_ *parser.Parser, s []byte) error {
			b.cur.valueFragment(s)
			return nil
		},
		OnHeaderValueComplete: func(*parser.Parser) error {
			b.cur.field()
			return nil
		},
		OnHeadersComplete: b.headersComplete,
		OnBody: func(_ *parser.Parser, s []byte) error {
			b.cur.msg.Body += string(s)
			return nil
		},
		OnChunkHeader: func(p *parser.Parser) error {
			if p.ContentLength() == 0 {
				b.cur.inTrailer = true
			}
			return nil
		},
		OnMessageComplete: func(p *parser.Parser) error {
			// Keep-alive is read here, not at headers complete: the
			// parser knows only now whether a body was skipped (the
			// response to HEAD), which decides whether it ends at EOF.
			b.cur.msg.KeepAlive = p.ShouldKeepAlive() && !b.cur.msg.Upgrade
			b.done = append(b.done, b.cur.msg)
			b.open = false
			return nil
		},
	}
}

// field adds the field whose name and value have been read. A field
// whose value is empty has no OnHeaderValue event, so the name alone may
// be pending when the next name begins; the parser always reports a value
// complete event, which is where fields are added.
func (c *building) field() {
	f := Field{Name: c.name.String(), Value: trimOWS(c.value.String())}
	c.name.Reset()
	c.value.Reset()
	c.frags = 0
	switch {
	case c.inTrailer:
		c.msg.Trailer = append(c.msg.Trailer, f)
	case strings.EqualFold(f.Name, "Host"):
		c.hosts = append(c.hosts, f.Value)
	case isFramingField(f.Name):
	default:
		c.msg.Header = append(c.msg.Header, f)
	}
}

func (b *oursBuilder) headersComplete(p *parser.Parser) (parser.HeadersDecision, error) {
	m := &b.cur.msg
	major, minor := p.Version()
	m.Version = strconv.Itoa(major) + "." + strconv.Itoa(minor)
	flags := p.Flags()
	decision := parser.Proceed
	if p.Type() == parser.Request {
		m.Method = p.Method().String()
		m.Host = authority(m.Method, m.Target)
		if m.Host == "" {
			m.Host = strings.Join(b.cur.hosts, ", ")
		}
	} else {
		m.Status = p.StatusCode()
		m.Reason = trimOWS(m.Reason)
		method := b.in.method(b.heads)
		b.heads++
		switch {
		case method == "HEAD":
			decision = parser.SkipBody
		case method == "CONNECT" && m.Status/100 == 2:
			decision = parser.SkipBodyUpgrade
		}
	}
	m.Framing = oursFraming(p, flags, decision)
	m.Upgrade = p.Upgrade() || decision == parser.SkipBodyUpgrade
	return decision, nil
}

// oursFraming says how the parser will find the end of the body.
func oursFraming(p *parser.Parser, flags parser.Flags, d parser.HeadersDecision) Framing {
	if d != parser.Proceed {
		return Framing{Kind: FramingNone}
	}
	if p.Type() == parser.Response {
		if s := p.StatusCode(); s/100 == 1 || s == 204 || s == 304 {
			return Framing{Kind: FramingNone}
		}
	}
	switch {
	case flags&parser.FlagChunked != 0:
		return Framing{Kind: FramingChunked}
	case flags&parser.FlagTransferEncoding != 0:
		return Framing{Kind: FramingEOF}
	case flags&parser.FlagContentLength != 0:
		return Framing{Kind: FramingLength, Length: int64(p.ContentLength())}
	case p.Type() == parser.Response:
		return Framing{Kind: FramingEOF}
	}
	return Framing{Kind: FramingNone}
}
