package parser

import (
	"fmt"
	"strings"
)

// Type selects what the parser reads.
type Type uint8

// Parser types, with llhttp's numbers.
const (
	// Both detects the type from the first message: a message that starts
	// with "HTTP/" is a response, anything else a request. The type found is
	// kept for later messages on the same stream.
	Both     Type = 0
	Request  Type = 1
	Response Type = 2
)

func (t Type) String() string {
	switch t {
	case Request:
		return "request"
	case Response:
		return "response"
	}
	return "both"
}

// ParseType parses "request", "response" or "both".
func ParseType(s string) (Type, error) {
	switch s {
	case "request":
		return Request, nil
	case "response":
		return Response, nil
	case "both":
		return Both, nil
	}
	return 0, fmt.Errorf("unknown parser type %q (want request, response or both)", s)
}

// Flags are llhttp's message flags (enum llhttp_flags), as printed in the
// trace's "headers complete" line in hexadecimal.
type Flags uint16

// llhttp's flag bits.
const (
	FlagConnectionKeepAlive Flags = 0x1
	FlagConnectionClose     Flags = 0x2
	FlagConnectionUpgrade   Flags = 0x4
	FlagChunked             Flags = 0x8
	FlagUpgrade             Flags = 0x10
	FlagContentLength       Flags = 0x20
	FlagSkipBody            Flags = 0x40
	FlagTrailing            Flags = 0x80
	FlagTransferEncoding    Flags = 0x200
)

// Lenient is a set of lenient modes. The parser is strict by default: every
// mode below accepts input that RFC 9112 forbids, and each opens a way for
// two implementations to disagree on where a message ends (request
// smuggling). The bit values are llhttp's (enum llhttp_lenient_flags) up to
// LenientSpacesAfterChunkSize; later bits are conform's.
type Lenient uint32

const (
	// LenientHeaders accepts control characters (other than NUL, CR and
	// LF) in field values, whitespace between a field name and its colon,
	// and obs-fold line folding in requests (RFC 9112 §5.1, §5.2; folding
	// is always accepted in responses, as §5.2 requires of user agents). Risk: a proxy that
	// strips "Transfer-Encoding :" differently from its backend hides
	// framing headers.
	LenientHeaders Lenient = 1 << 0
	// LenientChunkedLength accepts Content-Length together with
	// Transfer-Encoding; Transfer-Encoding wins and the connection is not
	// kept alive (RFC 9112 §6.3 rule 3). Risk: the classic CL.TE / TE.CL
	// desynchronisation if any hop prefers Content-Length.
	LenientChunkedLength Lenient = 1 << 1
	// LenientKeepAlive keeps parsing after a message that ends the
	// connection (Connection: close, HTTP/1.0 without keep-alive). Risk:
	// bytes a peer meant to be discarded are read as a new request.
	LenientKeepAlive Lenient = 1 << 2
	// LenientTransferEncoding accepts a request whose Transfer-Encoding
	// does not end in chunked (its body is then read until EOF, as for a
	// response), chunked applied twice, and Transfer-Encoding in HTTP/1.0.
	// Risk: the body length is unknowable to every other hop (RFC 9112
	// §6.3 rule 4 requires 400 and close).
	LenientTransferEncoding Lenient = 1 << 3
	// LenientVersion accepts any single-digit HTTP version (HTTP/2.0,
	// HTTP/0.9) in an HTTP/1.x message syntax. Strict mode already accepts
	// every HTTP/1.x minor version, processing HTTP/1.2 as HTTP/1.1 (RFC
	// 9110 §2.5). Risk: small; other major versions have other framing.
	LenientVersion Lenient = 1 << 4
	// LenientDataAfterClose silently discards bytes that follow a message
	// after which the connection closes, instead of failing with
	// HPE_CLOSED_CONNECTION. Risk: hides a pipelined request that another
	// hop will answer.
	LenientDataAfterClose Lenient = 1 << 5
	// LenientOptionalLFAfterCR accepts a bare CR as a line ending. Risk:
	// severe; a hop that sees the CR as part of the field value reads a
	// different header list.
	LenientOptionalLFAfterCR Lenient = 1 << 6
	// LenientOptionalCRLFAfterChunk accepts chunk data not followed by
	// CRLF. Risk: severe; the next chunk-size line is found at a place
	// another hop sees as data.
	LenientOptionalCRLFAfterChunk Lenient = 1 << 7
	// LenientOptionalCRBeforeLF accepts a bare LF as a line ending (RFC 9112
	// §2.2 allows a recipient to do so in the start line and fields, but
	// not in chunked framing). Risk: hops that disagree on bare LF disagree
	// on where the head ends.
	LenientOptionalCRBeforeLF Lenient = 1 << 8
	// LenientSpacesAfterChunkSize accepts whitespace between a chunk size
	// and the end of its line. Risk: "5 \r\n" read as 5 by one hop and
	// rejected or read as 0 by another.
	LenientSpacesAfterChunkSize Lenient = 1 << 9
	// LenientSpaces accepts more than one SP between the parts of the
	// request line and the status line (RFC 9112 §3 allows a recipient to
	// accept whitespace runs). Risk: low; some hops split differently.
	LenientSpaces Lenient = 1 << 10
	// LenientTarget accepts any byte other than SP, HTAB, CR, LF and NUL in the
	// request-target, and an asterisk-form target with a method other than
	// OPTIONS. Risk: routing decisions that differ between hops.
	LenientTarget Lenient = 1 << 11

	// LenientAll is every lenient mode.
	LenientAll Lenient = 1<<12 - 1
)

var lenientNames = []struct {
	f    Lenient
	name string
}{
	{LenientHeaders, "headers"},
	{LenientChunkedLength, "chunked-length"},
	{LenientKeepAlive, "keep-alive"},
	{LenientTransferEncoding, "transfer-encoding"},
	{LenientVersion, "version"},
	{LenientDataAfterClose, "data-after-close"},
	{LenientOptionalLFAfterCR, "optional-lf-after-cr"},
	{LenientOptionalCRLFAfterChunk, "optional-crlf-after-chunk"},
	{LenientOptionalCRBeforeLF, "optional-cr-before-lf"},
	{LenientSpacesAfterChunkSize, "spaces-after-chunk-size"},
	{LenientSpaces, "spaces"},
	{LenientTarget, "target"},
}

// LenientNames returns the name of every lenient mode, in bit order.
func LenientNames() []string {
	out := make([]string, len(lenientNames))
	for i, l := range lenientNames {
		out[i] = l.name
	}
	return out
}

// String returns the set as a comma-separated list of names ("" when strict).
func (l Lenient) String() string {
	var parts []string
	for _, n := range lenientNames {
		if l&n.f != 0 {
			parts = append(parts, n.name)
		}
	}
	return strings.Join(parts, ",")
}

// ParseLenient parses a comma-separated list of lenient mode names, or
// "all". The empty string is the strict set.
func ParseLenient(s string) (Lenient, error) {
	var l Lenient
	for _, part := range strings.Split(s, ",") {
		part = strings.TrimSpace(part)
		if part == "" {
			continue
		}
		if part == "all" {
			l |= LenientAll
			continue
		}
		found := false
		for _, n := range lenientNames {
			if n.name == part {
				l |= n.f
				found = true
				break
			}
		}
		if !found {
			return 0, fmt.Errorf("unknown lenient flag %q (known: all, %s)", part, strings.Join(LenientNames(), ", "))
		}
	}
	return l, nil
}

// HeadersDecision is what an OnHeadersComplete callback tells the parser
// about the body of the message whose head it has just read (llhttp's
// return values 0, 1 and 2).
type HeadersDecision uint8

const (
	// Proceed reads the body the head describes.
	Proceed HeadersDecision = 0
	// SkipBody treats the message as having no body, as for the response
	// to a HEAD request (RFC 9112 §6.3 rule 1).
	SkipBody HeadersDecision = 1
	// SkipBodyUpgrade treats the message as having no body and pauses with
	// ErrPausedUpgrade after it, as for a 2xx response to CONNECT (RFC 9112
	// §6.3 rule 2).
	SkipBodyUpgrade HeadersDecision = 2
)
