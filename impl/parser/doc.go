// Package parser is an incremental HTTP/1.x parser with llhttp's shape:
// the events, error numbers, method numbers, flag bits and lenient modes of
// llhttp (the parser Node.js is built on), in Go, with no dependency beyond
// the standard library.
//
// A Parser reads requests, responses, or either (Type Both detects the first
// message's kind). Execute takes the input in any pieces, down to one byte
// at a time, and calls the Callbacks as it recognises the parts of a
// message: spans (method, request-target, protocol, version, reason phrase,
// field names and values, body, chunk extensions), each followed by its
// "complete" event, and the points in between (message begin, headers
// complete, chunk header, chunk complete, message complete). Span bytes
// alias the input and are valid only during the callback; a span split
// across inputs arrives in fragments. Finish tells the parser the stream has
// ended, completing a body that is read until EOF.
//
// The parser is strict by default: it implements RFC 9112 as written, and
// every relaxation llhttp offers is a named Lenient mode whose comment says
// which smuggling risk it opens. Framing follows RFC 9112 §6 exactly:
// Content-Length must be digits; a second Content-Length, Content-Length
// together with Transfer-Encoding, a request whose Transfer-Encoding does
// not end in chunked, chunked applied twice, or Transfer-Encoding in
// HTTP/1.0 are errors; bare CR, bare LF, obs-fold and whitespace before a
// colon are errors.
//
// Errors are *Error values carrying llhttp's number (Errno), a reason and
// the byte offset at fault counted from the first byte since Reset. They are
// sticky until Reset and match their code with errors.Is. CONNECT and
// Upgrade stop the parser with ErrPausedUpgrade after the head (or after the
// body of an upgrade request that has one); the bytes that follow belong to
// the tunnel.
//
// A Parser does not allocate while parsing: Reset and Init reuse it, and
// field names and values are never copied. Head and trailer size is bounded
// by Config.MaxHeaderSize (16 KiB by default, as in Node).
//
// The trace format of Event.String is llhttp's test-log format, so a trace
// from conform can be compared with one from llhttp line by line; Trace and
// Recorder produce merged traces that do not depend on how the input was
// split.
package parser
