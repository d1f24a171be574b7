package server

import (
	"errors"
	"fmt"
	"net"
	"strconv"
	"time"
)

// Errors the server returns or reports. Match them with errors.Is.
var (
	// ErrServerClosed is returned by Serve, ServeConn and ListenAndServe
	// after Shutdown or Close.
	ErrServerClosed = errors.New("server: server closed")
	// ErrConnClosed is returned by ResponseWriter methods and Body reads
	// once the connection is closed or the response can no longer be sent
	// (an earlier response was the last, or the request was answered with
	// an error response instead).
	ErrConnClosed = errors.New("server: connection closed")
	// ErrBodyNotAllowed is returned by Write when the status (1xx, 204,
	// 304) does not allow content.
	ErrBodyNotAllowed = errors.New("server: response status does not allow a body")
	// ErrContentLength is returned by Write when the handler writes more
	// than the Content-Length it declared; the connection is closed after
	// the declared bytes.
	ErrContentLength = errors.New("server: handler wrote more than the declared Content-Length")
	// ErrBodyClosed is returned by Body.Read after Body.Close.
	ErrBodyClosed = errors.New("server: read on closed request body")
	// ErrHeadersTimeout: the request head was not complete HeadersTimeout
	// after its first byte arrived.
	ErrHeadersTimeout = errors.New("server: request head not received within the headers timeout")
	// ErrRequestTimeout: the request was not complete RequestTimeout after
	// its first byte arrived.
	ErrRequestTimeout = errors.New("server: request not received within the request timeout")
	// ErrTooManyHeaders: the request head has more than MaxHeaders fields.
	ErrTooManyHeaders = errors.New("server: too many header fields")

	// ErrURITooLong: the request-target alone took the whole
	// MaxHeaderSize budget; answered 414 (RFC 9112 §3).
	ErrURITooLong = errors.New("server: request-target longer than the header size limit")
	// ErrMissingHost: an HTTP/1.1 request without a Host field (RFC 9112
	// §3.2 requires 400).
	ErrMissingHost = errors.New("server: HTTP/1.1 request without a Host header field")
	// ErrMultipleHost: a request with more than one Host field (RFC 9112
	// §3.2 requires 400).
	ErrMultipleHost = errors.New("server: request with more than one Host header field")
	// ErrInvalidHost: a Host field whose value is not uri-host [ ":" port ]
	// (RFC 9112 §3.2 requires 400).
	ErrInvalidHost = errors.New("server: Host header field value is not a valid host")
	// ErrUnsupportedVersion: an HTTP version this server does not
	// implement (answered with 505).
	ErrUnsupportedVersion = errors.New("server: unsupported HTTP version")
	// ErrUnexpectedEOF: the client closed the connection in the middle of
	// a request.
	ErrUnexpectedEOF = errors.New("server: connection closed in the middle of a request")
	// ErrHandlerPanic is reported (wrapped, with the panic value) when a
	// handler panics.
	ErrHandlerPanic = errors.New("server: handler panicked")
)

// ClientError describes a request the server could not read: a parse
// error, a timeout, or a violated limit. It is given to OnClientError,
// which decides what to answer; the connection is always closed after.
type ClientError struct {
	// Err says what was wrong: a *parser.Error (with the llhttp code,
	// reason and byte offset), or ErrHeadersTimeout, ErrRequestTimeout,
	// ErrTooManyHeaders, ErrMissingHost, ErrMultipleHost, ErrInvalidHost,
	// ErrUnsupportedVersion or ErrUnexpectedEOF, possibly wrapped.
	Err error
	// Status is the status the server answers with by default: 400, 408,
	// 431 or 505.
	Status int
	// RemoteAddr is the client's address.
	RemoteAddr net.Addr
	// Conn is the connection, for logging; it must not be read, written or
	// closed.
	Conn net.Conn
}

func (e *ClientError) Error() string {
	return fmt.Sprintf("client error from %v (answered %d): %v", e.RemoteAddr, e.Status, e.Err)
}

// Unwrap returns Err.
func (e *ClientError) Unwrap() error { return e.Err }

// Response returns the server's default answer: a complete response with
// e.Status, Connection: close, and a text/plain body naming the error.
func (e *ClientError) Response() []byte {
	return errorResponse(nil, e.Status, e.Err.Error(), time.Now())
}

// errorResponse appends a complete close-delimited-by-header response.
func errorResponse(b []byte, status int, text string, now time.Time) []byte {
	body := strconv.Itoa(status) + " " + StatusText(status) + ": " + text + "\n"
	b = appendStatusLine(b, status)
	b = append(b, "Date: "...)
	b = now.UTC().AppendFormat(b, "Mon, 02 Jan 2006 15:04:05 GMT")
	b = append(b, "\r\nConnection: close\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Length: "...)
	b = strconv.AppendInt(b, int64(len(body)), 10)
	b = append(b, "\r\n\r\n"...)
	return append(b, body...)
}
