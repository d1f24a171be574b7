package differential

import (
	"fmt"
	"net/textproto"
	"strconv"
	"strings"

	"github.com/conformhttp/conform/impl/parser"
	"github.com/conformhttp/conform/reports"
)

// Input is one byte stream to give every oracle.
type Input struct {
	// Name identifies the input in results: a corpus case id, a file
	// name, "<stdin>".
	Name string
	// Type is parser.Request or parser.Response. parser.Both is resolved by
	// Resolve: a stream that starts with "HTTP/" holds responses.
	Type parser.Type
	// Data is the stream's bytes.
	Data []byte
	// EOF says the stream ends after Data (the peer closed the
	// connection). When false the stream stays open: a message cut off at
	// the end of Data waits for more bytes (EndIncomplete) instead of being
	// truncated (EndTruncated), and a response body delimited by the close
	// of the connection never completes.
	EOF bool
	// Methods are, for a response stream, the methods of the requests the
	// response heads answer, in order, interim (1xx) responses included:
	// "HEAD" makes the response bodiless (RFC 9112 §6.3 rule 1), "CONNECT"
	// makes a 2xx response the start of a tunnel (rule 2). A head beyond
	// the list answers a GET.
	Methods []string
	// MaxHeaderSize is the head size limit given to the oracles that have
	// one (ours and Node): zero is their default, 16 KiB.
	MaxHeaderSize int
	// Title, Family, Level and RFC describe the input in results: what it
	// is, the group it belongs to (a corpus topic), the requirement level
	// of the rule it exercises and the sections that state the rule. They
	// are set for corpus cases and may be empty.
	Title  string
	Family string
	Level  reports.Level
	RFC    []reports.Ref
}

// Resolve returns in with a definite Type: a stream of type Both is a
// response stream when it starts with "HTTP/", else a request stream, as
// parser.Both decides.
func (in Input) Resolve() Input {
	if in.Type == parser.Both {
		in.Type = parser.Request
		if strings.HasPrefix(string(in.Data), "HTTP/") {
			in.Type = parser.Response
		}
	}
	return in
}

// method returns the request method the i-th response head answers.
func (in Input) method(i int) string {
	if i < len(in.Methods) && in.Methods[i] != "" {
		return in.Methods[i]
	}
	return "GET"
}

// Outcome is what one oracle made of an input, normalised so that oracles
// can be compared field by field.
type Outcome struct {
	// Oracle names the implementation: "ours", "nethttp", "node".
	Oracle string
	// Messages are the messages completed, in order.
	Messages []Message
	// End says how reading stopped.
	End End
	// Consumed is the number of bytes read as HTTP: all of the input,
	// or up to where the tunnel, the discarded bytes after a closing
	// message, or the rejected or unfinished message begins. For EndRejected
	// it is the offset of the fault where the oracle reports one, else -1.
	Consumed int64
}

// Accepted reports whether the oracle read the input without refusing
// it: every end but a rejection or a truncation (EOF in the middle of a
// message).
func (o Outcome) Accepted() bool {
	return o.End.Kind != EndRejected && o.End.Kind != EndTruncated
}

// EndKind says how an oracle stopped reading a stream.
type EndKind string

// The ways a stream ends.
const (
	// EndClean: the input ended at a message boundary (or was empty).
	EndClean EndKind = "clean"
	// EndUpgrade: a message switched protocols (CONNECT, Upgrade, 101, a
	// 2xx answer to CONNECT); the bytes after Consumed belong to the
	// tunnel.
	EndUpgrade EndKind = "upgrade"
	// EndClosed: a message ended the connection (Connection: close,
	// HTTP/1.0 without keep-alive) and bytes followed it; they are not read
	// as HTTP.
	EndClosed EndKind = "closed"
	// EndIncomplete: the stream is open and the last message is not
	// complete; the oracle waits for more bytes.
	EndIncomplete EndKind = "incomplete"
	// EndTruncated: the stream ended (EOF) in the middle of a message.
	EndTruncated EndKind = "truncated"
	// EndRejected: the oracle found the input malformed.
	EndRejected EndKind = "rejected"
)

// End is how an oracle stopped reading a stream, and why.
type End struct {
	Kind EndKind
	// Code names the error for EndRejected and EndTruncated: an llhttp
	// error name ("HPE_INVALID_METHOD") from ours and Node, an error text
	// from net/http.
	Code string
	// Reason is the oracle's explanation.
	Reason string
}

// Message is one HTTP message in a normalised form that every oracle can
// produce.
type Message struct {
	// Method and Target are a request's; Status and Reason a response's.
	Method string
	Target string
	Status int
	Reason string
	// Version is "1.1", "1.0".
	Version string
	// Host is a request's effective authority (RFC 9112 §3.2.2): the
	// authority of an absolute-form or authority-form target, else the
	// Host field's value. Empty for responses.
	Host string
	// Header is the header section in the order received, except Host,
	// Content-Length and Transfer-Encoding, which are summarised by Host
	// and Framing (net/http removes them from its header map). Values are
	// trimmed of surrounding whitespace.
	Header []Field
	// Framing says how the body's end was found.
	Framing Framing
	// Body is the payload, chunk framing removed.
	Body string
	// Trailer is the trailer section of a chunked body.
	Trailer []Field
	// KeepAlive says the connection may carry another message. It is false
	// when the message switches protocols.
	KeepAlive bool
	// Upgrade says the message switches protocols: the bytes after it
	// belong to a tunnel.
	Upgrade bool
}

// Field is one header or trailer field.
type Field struct {
	Name  string
	Value string
}

func (f Field) String() string { return f.Name + ": " + f.Value }

// FramingKind is how a message's body length is determined (RFC 9112 §6.3).
type FramingKind string

// The framings.
const (
	// FramingUnknown: the oracle does not report framing (Node's parser
	// binding does not); framing is then not compared.
	FramingUnknown FramingKind = ""
	// FramingNone: no body, by rule (a request without Content-Length or
	// Transfer-Encoding, a response to HEAD, 1xx, 204, 304).
	FramingNone FramingKind = "none"
	// FramingLength: Content-Length bytes.
	FramingLength FramingKind = "length"
	// FramingChunked: the chunked transfer coding.
	FramingChunked FramingKind = "chunked"
	// FramingEOF: the body lasts until the connection closes.
	FramingEOF FramingKind = "eof"
)

// Framing is a message's framing: its kind and, for FramingLength, the
// length.
type Framing struct {
	Kind   FramingKind
	Length int64
}

func (f Framing) String() string {
	switch f.Kind {
	case FramingLength:
		return "length " + strconv.FormatInt(f.Length, 10)
	case FramingUnknown:
		return "unknown"
	}
	return string(f.Kind)
}

// summary renders a message in one line for a difference report.
func (m Message) summary() string {
	var b strings.Builder
	if m.Method != "" || m.Status == 0 {
		fmt.Fprintf(&b, "%s %s HTTP/%s", m.Method, parser.Escape([]byte(m.Target)), m.Version)
	} else {
		fmt.Fprintf(&b, "HTTP/%s %d %s", m.Version, m.Status, parser.Escape([]byte(m.Reason)))
	}
	fmt.Fprintf(&b, " (%d fields, %s, body %d bytes", len(m.Header), m.Framing, len(m.Body))
	if m.Upgrade {
		b.WriteString(", upgrade")
	}
	b.WriteString(")")
	return b.String()
}

// isFramingField reports whether name is one of the fields Message keeps
// out of Header.
func isFramingField(name string) bool {
	switch textproto.CanonicalMIMEHeaderKey(name) {
	case "Host", "Content-Length", "Transfer-Encoding":
		return true
	}
	return false
}

// trimOWS trims the optional whitespace (SP, HTAB) around a field value.
func trimOWS(s string) string { return strings.Trim(s, " \t") }

// authority returns the authority a request-target names: all of an
// authority-form target (CONNECT's "host:port"), the authority of an
// absolute-form target with one ("http://host/path"), or "" for
// origin-form, asterisk-form and an absolute URI without an authority
// ("a:/p"), whose Host field then says where the request goes.
func authority(method, target string) string {
	if method == "CONNECT" {
		if strings.HasPrefix(target, "/") {
			return ""
		}
		return target
	}
	i := strings.Index(target, "://")
	if i <= 0 || strings.ContainsAny(target[:i], "/?#") {
		return ""
	}
	rest := target[i+3:]
	if j := strings.IndexAny(rest, "/?#"); j >= 0 {
		rest = rest[:j]
	}
	if at := strings.LastIndexByte(rest, '@'); at >= 0 {
		rest = rest[at+1:]
	}
	return rest
}
