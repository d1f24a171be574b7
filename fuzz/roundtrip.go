package fuzz

import (
	"bytes"
	"fmt"
	"strconv"
	"strings"

	"github.com/google/go-cmp/cmp"

	"github.com/conformhttp/conform/impl/parser"
)

// Message is one parsed HTTP message as the round-trip target compares
// it: what the message means, not how its bytes were laid out. Field
// values are trimmed of surrounding whitespace and an obs-fold is one SP
// (RFC 9112 §5.2, as the parser reports it); chunk boundaries and chunk
// extensions are framing, not meaning, and are left out.
type Message struct {
	Type         parser.Type
	Method       string // requests
	Target       string
	Status       int // responses
	Reason       string
	Major, Minor int
	Fields       []Field
	// Chunked says the body arrived in the chunked coding.
	Chunked  bool
	Body     string
	Trailers []Field
	// What the parser made of the head: flags at message complete,
	// Content-Length at headers complete, keep-alive and upgrade at
	// message complete.
	Flags         parser.Flags
	ContentLength uint64
	KeepAlive     bool
	Upgrade       bool
}

// Field is one header or trailer field.
type Field struct{ Name, Value string }

// Stream is a parsed byte stream: its complete messages and the error that
// stopped the parser (nil when none did).
type Stream struct {
	Messages []Message
	Err      error
}

// ParseStream parses msg with cfg and opts's decisions, as a stream that
// ends after msg (Finish is called), and returns its complete messages.
func ParseStream(cfg parser.Config, opts Options, msg []byte) Stream {
	var (
		out         Stream
		cur         Message
		name, value []byte
		inTrailer   bool
	)
	field := func() {
		f := Field{Name: string(name), Value: strings.Trim(string(value), " \t")}
		if inTrailer {
			cur.Trailers = append(cur.Trailers, f)
		} else {
			cur.Fields = append(cur.Fields, f)
		}
		name, value = name[:0], value[:0]
	}
	decide := deciderFor(opts)
	cb := &parser.Callbacks{
		OnMessageBegin: func(*parser.Parser) error {
			cur, inTrailer = Message{}, false
			return nil
		},
		OnURL:    func(_ *parser.Parser, b []byte) error { cur.Target += string(b); return nil },
		OnStatus: func(_ *parser.Parser, b []byte) error { cur.Reason += string(b); return nil },
		OnHeaderField: func(_ *parser.Parser, b []byte) error {
			name = append(name, b...)
			return nil
		},
		OnHeaderValue: func(_ *parser.Parser, b []byte) error {
			value = append(value, b...)
			return nil
		},
		OnHeaderValueComplete: func(*parser.Parser) error { field(); return nil },
		OnHeadersComplete: func(p *parser.Parser) (parser.HeadersDecision, error) {
			cur.Type = p.Type()
			if cur.Type == parser.Request {
				cur.Method = p.Method().String()
			} else {
				cur.Status = p.StatusCode()
			}
			cur.Major, cur.Minor = p.Version()
			cur.ContentLength = p.ContentLength()
			return decide(p), nil
		},
		OnBody: func(_ *parser.Parser, b []byte) error { cur.Body += string(b); return nil },
		OnChunkHeader: func(p *parser.Parser) error {
			cur.Chunked = true
			if p.ContentLength() == 0 {
				inTrailer = true
			}
			return nil
		},
		OnMessageComplete: func(p *parser.Parser) error {
			cur.Flags = p.Flags()
			cur.KeepAlive = p.ShouldKeepAlive()
			cur.Upgrade = p.Upgrade()
			out.Messages = append(out.Messages, cur)
			return nil
		},
	}
	p := parser.New(cfg, cb)
	_, err := p.Execute(msg)
	if err == nil {
		err = p.Finish()
	}
	out.Err = err
	return out
}

// Canonical serialises messages in canonical form: a request line with
// single SPs, a status line with its three-digit code, a SP and the reason
// phrase, every field as "name: value" with CRLF line endings, and the
// body either as it is (Content-Length, read until EOF) or, when it came
// chunked, as one chunk of its whole length, the last chunk and the
// trailer section.
func Canonical(msgs []Message) []byte {
	var b bytes.Buffer
	for _, m := range msgs {
		if m.Type == parser.Request {
			fmt.Fprintf(&b, "%s %s HTTP/%d.%d\r\n", m.Method, m.Target, m.Major, m.Minor)
		} else {
			fmt.Fprintf(&b, "HTTP/%d.%d %03d %s\r\n", m.Major, m.Minor, m.Status, m.Reason)
		}
		writeFields(&b, m.Fields)
		b.WriteString("\r\n")
		if !m.Chunked {
			b.WriteString(m.Body)
			continue
		}
		if len(m.Body) > 0 {
			b.WriteString(strconv.FormatInt(int64(len(m.Body)), 16))
			b.WriteString("\r\n")
			b.WriteString(m.Body)
			b.WriteString("\r\n")
		}
		b.WriteString("0\r\n")
		writeFields(&b, m.Trailers)
		b.WriteString("\r\n")
	}
	return b.Bytes()
}

func writeFields(b *bytes.Buffer, fs []Field) {
	for _, f := range fs {
		b.WriteString(f.Name)
		b.WriteString(": ")
		b.WriteString(f.Value)
		b.WriteString("\r\n")
	}
}

// CheckRoundTrip is the body of the round-trip target: in is an options
// prefix (type included) and the bytes of a stream. The complete messages
// of the stream, serialised by Canonical and parsed again (same lenient
// modes and decisions, no head size limit: the canonical head may be
// longer), must be the same messages, and the second parse must end as
// the first did when that was a protocol switch, else without an error:
// canonical form is accepted wherever the original was. Serialising the
// second parse must give the same bytes again.
func CheckRoundTrip(in []byte) error {
	opts, msg := DecodeOptions(in)
	cfg := opts.Config(opts.Type)
	first := ParseStream(cfg, opts, msg)
	canon := Canonical(first.Messages)
	cfg2 := cfg
	cfg2.MaxHeaderSize = -1
	second := ParseStream(cfg2, opts, canon)
	wantEnd := parser.OK
	if errorCode(first.Err) == parser.ErrPausedUpgrade {
		wantEnd = parser.ErrPausedUpgrade
	}
	var why string
	switch {
	case errorCode(second.Err) != wantEnd:
		why = fmt.Sprintf("the canonical form ends with %v; want %v", second.Err, wantEnd)
	case !cmp.Equal(first.Messages, second.Messages):
		why = "the messages differ (-first +second):\n" + cmp.Diff(first.Messages, second.Messages)
	case !bytes.Equal(Canonical(second.Messages), canon):
		why = fmt.Sprintf("serialising again gives other bytes: %q", Canonical(second.Messages))
	default:
		return nil
	}
	return fmt.Errorf("round trip: %s\nconfig: type=%s lenient=%q max-header-size=%d decide=%v\ninput: %q\nfirst parse ended with: %v\ncanonical: %q",
		why, cfg.Type, cfg.Lenient.String(), cfg.MaxHeaderSize, opts.Decide, msg, first.Err, canon)
}
