package parser

import (
	"fmt"
	"strconv"
	"strings"
)

// EventKind names one kind of parser event in a trace.
type EventKind uint8

// The event kinds. Span kinds carry bytes; the others are points.
const (
	EvMessageBegin EventKind = iota
	EvSpan
	EvComplete // a span's ...Complete callback
	EvHeadersComplete
	EvChunkHeader
	EvChunkComplete
	EvMessageComplete
	EvReset
	EvError
	EvPause
)

// Span names, as llhttp's test logs print them in span[...] and "... complete".
const (
	SpanMethod        = "method"
	SpanURL           = "url"
	SpanProtocol      = "protocol"
	SpanVersion       = "version"
	SpanStatus        = "status"
	SpanHeaderField   = "header_field"
	SpanHeaderValue   = "header_value"
	SpanBody          = "body"
	SpanChunkExtName  = "chunk_extension_name"
	SpanChunkExtValue = "chunk_extension_value"
)

// Event is one recorded parser event. Data is a copy, owned by the Event.
type Event struct {
	Kind EventKind
	Off  int64
	Span string // for EvSpan and EvComplete
	Data []byte // for EvSpan

	// For EvHeadersComplete.
	Type          Type
	Method        Method
	Status        int
	Major, Minor  int
	Flags         Flags
	ContentLength uint64 // also the size for EvChunkHeader

	// For EvError.
	Code   Errno
	Reason string
}

// String renders the event as one line of llhttp's test-log format:
//
//	off=0 message begin
//	off=0 len=3 span[method]="GET"
//	off=3 method complete
//	off=18 headers complete method=1 v=1/1 flags=0 content_length=0
//	off=52 chunk header len=10
//	off=60 error code=12 reason="Invalid character in chunk size"
//
// Span bytes are quoted with \r, \n, \t, \\, \" and \xNN escapes.
func (e Event) String() string {
	var b strings.Builder
	b.WriteString("off=")
	b.WriteString(strconv.FormatInt(e.Off, 10))
	b.WriteByte(' ')
	switch e.Kind {
	case EvMessageBegin:
		b.WriteString("message begin")
	case EvSpan:
		fmt.Fprintf(&b, "len=%d span[%s]=\"%s\"", len(e.Data), e.Span, Escape(e.Data))
	case EvComplete:
		b.WriteString(e.Span)
		b.WriteString(" complete")
	case EvHeadersComplete:
		if e.Type == Response {
			fmt.Fprintf(&b, "headers complete status=%d", e.Status)
		} else {
			fmt.Fprintf(&b, "headers complete method=%d", e.Method)
		}
		fmt.Fprintf(&b, " v=%d/%d flags=%x content_length=%d", e.Major, e.Minor, uint16(e.Flags), e.ContentLength)
	case EvChunkHeader:
		fmt.Fprintf(&b, "chunk header len=%d", e.ContentLength)
	case EvChunkComplete:
		b.WriteString("chunk complete")
	case EvMessageComplete:
		b.WriteString("message complete")
	case EvReset:
		b.WriteString("reset")
	case EvPause:
		b.WriteString("pause")
	case EvError:
		fmt.Fprintf(&b, "error code=%d reason=\"%s\"", e.Code, e.Reason)
	}
	return b.String()
}

// Escape renders bytes for a trace line: printable ASCII as is, except
// backslash and double quote, which are escaped, and \r \n \t and \xNN for
// everything else.
func Escape(p []byte) string {
	var b strings.Builder
	for _, c := range p {
		switch {
		case c == '\\':
			b.WriteString(`\\`)
		case c == '"':
			b.WriteString(`\"`)
		case c == '\r':
			b.WriteString(`\r`)
		case c == '\n':
			b.WriteString(`\n`)
		case c == '\t':
			b.WriteString(`\t`)
		case c < 0x20 || c >= 0x7f:
			fmt.Fprintf(&b, `\x%02x`, c)
		default:
			b.WriteByte(c)
		}
	}
	return b.String()
}

// Recorder records every event of a parser. Its Callbacks method returns
// callbacks that append to Events; the HeadersDecision returned from
// headers complete is Decide's answer (Proceed when Decide is nil).
type Recorder struct {
	Events []Event
	// Decide, if set, answers OnHeadersComplete, for example SkipBody for
	// the response to a HEAD request.
	Decide func(p *Parser) HeadersDecision
}

func (r *Recorder) span(name string) func(p *Parser, b []byte) error {
	return func(p *Parser, b []byte) error {
		r.Events = append(r.Events, Event{Kind: EvSpan, Off: p.Offset(), Span: name, Data: append([]byte(nil), b...)})
		return nil
	}
}

func (r *Recorder) complete(name string) func(p *Parser) error {
	return func(p *Parser) error {
		r.Events = append(r.Events, Event{Kind: EvComplete, Off: p.Offset(), Span: name})
		return nil
	}
}

func (r *Recorder) point(k EventKind) func(p *Parser) error {
	return func(p *Parser) error {
		e := Event{Kind: k, Off: p.Offset()}
		if k == EvChunkHeader {
			e.ContentLength = p.ContentLength()
		}
		r.Events = append(r.Events, e)
		return nil
	}
}

// Callbacks returns callbacks that record into r.
func (r *Recorder) Callbacks() *Callbacks {
	return &Callbacks{
		OnMessageBegin:        r.point(EvMessageBegin),
		OnMethod:              r.span(SpanMethod),
		OnMethodComplete:      r.complete(SpanMethod),
		OnURL:                 r.span(SpanURL),
		OnURLComplete:         r.complete(SpanURL),
		OnProtocol:            r.span(SpanProtocol),
		OnProtocolComplete:    r.complete(SpanProtocol),
		OnVersion:             r.span(SpanVersion),
		OnVersionComplete:     r.complete(SpanVersion),
		OnStatus:              r.span(SpanStatus),
		OnStatusComplete:      r.complete(SpanStatus),
		OnHeaderField:         r.span(SpanHeaderField),
		OnHeaderFieldComplete: r.complete(SpanHeaderField),
		OnHeaderValue:         r.span(SpanHeaderValue),
		OnHeaderValueComplete: r.complete(SpanHeaderValue),
		OnHeadersComplete: func(p *Parser) (HeadersDecision, error) {
			major, minor := p.Version()
			r.Events = append(r.Events, Event{Kind: EvHeadersComplete, Off: p.Offset(), Type: p.Type(),
				Method: p.Method(), Status: p.StatusCode(), Major: major, Minor: minor,
				Flags: p.Flags(), ContentLength: p.ContentLength()})
			if r.Decide != nil {
				return r.Decide(p), nil
			}
			return Proceed, nil
		},
		OnBody:                        r.span(SpanBody),
		OnChunkHeader:                 r.point(EvChunkHeader),
		OnChunkExtensionName:          r.span(SpanChunkExtName),
		OnChunkExtensionNameComplete:  r.complete(SpanChunkExtName),
		OnChunkExtensionValue:         r.span(SpanChunkExtValue),
		OnChunkExtensionValueComplete: r.complete(SpanChunkExtValue),
		OnChunkComplete:               r.point(EvChunkComplete),
		OnMessageComplete:             r.point(EvMessageComplete),
		OnReset:                       r.point(EvReset),
	}
}

// RecordError appends err, if it is a parser error, as an EvError event (or
// EvPause for ErrPaused).
func (r *Recorder) RecordError(err error) {
	e, ok := err.(*Error)
	if !ok || e == nil {
		return
	}
	if e.Code == ErrPaused {
		r.Events = append(r.Events, Event{Kind: EvPause, Off: e.Offset})
		return
	}
	r.Events = append(r.Events, Event{Kind: EvError, Off: e.Offset, Code: e.Code, Reason: e.Reason})
}

// Merge joins span fragments that continue each other (same span name, each
// starting where the previous ended) and drops EvReset events, giving the
// trace that does not depend on how the input was split.
func Merge(events []Event) []Event {
	out := make([]Event, 0, len(events))
	for _, e := range events {
		if e.Kind == EvReset {
			continue
		}
		if e.Kind == EvSpan && len(out) > 0 {
			last := &out[len(out)-1]
			if last.Kind == EvSpan && last.Span == e.Span && last.Off+int64(len(last.Data)) == e.Off {
				last.Data = append(last.Data, e.Data...)
				continue
			}
		}
		if e.Kind == EvSpan {
			e.Data = append([]byte(nil), e.Data...)
		}
		out = append(out, e)
	}
	return out
}

// Lines renders events with Event.String.
func Lines(events []Event) []string {
	out := make([]string, len(events))
	for i, e := range events {
		out[i] = e.String()
	}
	return out
}

// TraceOptions controls Trace.
type TraceOptions struct {
	// Split feeds the input in pieces of at most Split bytes (0: whole).
	Split int
	// Finish calls Finish after the input, as at EOF.
	Finish bool
	// Decide answers OnHeadersComplete (nil: Proceed).
	Decide func(p *Parser) HeadersDecision
}

// Trace parses input with cfg and returns the merged events and the error
// that stopped the parser (nil if none). When the parser pauses for an
// upgrade, the trace ends with that error; an ordinary pause is resumed.
func Trace(cfg Config, input []byte, opt TraceOptions) ([]Event, error) {
	rec := &Recorder{Decide: opt.Decide}
	p := New(cfg, rec.Callbacks())
	var err error
	step := len(input)
	if opt.Split > 0 {
		step = opt.Split
	}
	for off := 0; off < len(input) && err == nil; {
		end := off + step
		if end > len(input) || step == 0 {
			end = len(input)
		}
		chunk := input[off:end]
		for {
			var n int
			n, err = p.Execute(chunk)
			if err == nil {
				break
			}
			rec.RecordError(err)
			if e, ok := err.(*Error); ok && e.Code == ErrPaused {
				// Resume with the rest, even when it is empty: the parser
				// may owe events from the point of the pause.
				p.Resume()
				chunk = chunk[n:]
				err = nil
				continue
			}
			break
		}
		off = end
	}
	if err == nil && opt.Finish {
		err = p.Finish()
		rec.RecordError(err)
	}
	return Merge(rec.Events), err
}
