package serve

import (
	"encoding/base64"
	"unicode/utf8"

	"github.com/conformhttp/conform/impl/server"
)

// Echo is the JSON document /echo answers with: how the server parsed the
// request. Strings are exact when they are valid UTF-8; otherwise the
// string member is absent and a "_base64" member holds the exact bytes.
type Echo struct {
	Method  string `json:"method"`
	Target  string `json:"target"`
	Version string `json:"version"` // "HTTP/1.1"
	// Headers lists the header fields in the order received, names in
	// their original case.
	Headers []EchoField `json:"headers"`
	// Framing is "none", "content-length", "chunked" or "until-close".
	Framing string `json:"framing"`
	// ContentLength is the declared length, for content-length framing.
	ContentLength *int64  `json:"content_length,omitempty"`
	Body          *string `json:"body,omitempty"`
	BodyBase64    string  `json:"body_base64,omitempty"`
	BodyLength    int     `json:"body_length"`
	// Trailers lists the trailer fields of a chunked body.
	Trailers []EchoField `json:"trailers"`
}

// EchoField is one field line.
type EchoField struct {
	Name        string  `json:"name"`
	Value       *string `json:"value,omitempty"`
	ValueBase64 string  `json:"value_base64,omitempty"`
}

// newEcho describes r, whose body has been read into body.
func newEcho(r *server.Request, body []byte) Echo {
	e := Echo{
		Method:     r.Method,
		Target:     r.Target,
		Version:    r.Proto(),
		Headers:    echoFields(r.Header),
		Framing:    r.Framing.String(),
		BodyLength: len(body),
		Trailers:   echoFields(r.Trailer),
	}
	if r.Framing == server.FramingContentLength {
		n := r.ContentLength
		e.ContentLength = &n
	}
	e.Body, e.BodyBase64 = exact(string(body))
	return e
}

func echoFields(h server.Header) []EchoField {
	out := make([]EchoField, 0, len(h))
	for _, f := range h {
		v, b64 := exact(f.Value)
		out = append(out, EchoField{Name: f.Name, Value: v, ValueBase64: b64})
	}
	return out
}

// exact returns s as a JSON string if that is lossless, else its base64.
func exact(s string) (*string, string) {
	if utf8.ValidString(s) {
		return &s, ""
	}
	return nil, base64.StdEncoding.EncodeToString([]byte(s))
}
