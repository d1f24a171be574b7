package client

import (
	"fmt"
	"io"
	"net"
)

// Response is the final response to a request. Header and Trailer keep
// the order and case of the fields as received, with surrounding
// whitespace removed from values.
type Response struct {
	Status       int
	Reason       string
	Major, Minor int
	Header       Header
	// Trailer holds the trailer fields of a chunked body; it is set when
	// Body returns io.EOF.
	Trailer Header
	// Body streams the body: empty for HEAD, 1xx, 204, 304 and tunnels.
	// Reading it to io.EOF or closing it hands the socket back to the
	// Agent. Closing it early keeps the socket only if the rest of the
	// body is already buffered; otherwise the socket is destroyed, as
	// Node's res.destroy().
	Body io.ReadCloser
	// KeepAlive reports whether the response allows the connection to
	// carry another request (llhttp_should_keep_alive).
	KeepAlive bool
	// Tunnel is set after a 2xx response to CONNECT or a 101 (Switching
	// Protocols): the connection now belongs to the caller.
	Tunnel *Tunnel
	// Request is the request this answers.
	Request *Request

	body respBody
}

// Tunnel is a connection taken out of the Agent after CONNECT or an
// upgrade (Node's 'connect' and 'upgrade' events give the same three
// things: the response, the socket and the head).
type Tunnel struct {
	// Conn is the raw connection; the caller must close it.
	Conn net.Conn
	// Head holds the bytes that arrived after the response head, read
	// from Conn already: they are the first bytes of the tunnel.
	Head []byte
}

// respBody is Response.Body.
type respBody struct {
	cr   *ClientRequest
	done bool  // the body ended; the socket is gone
	err  error // sticky
}

func (b *respBody) Read(p []byte) (int, error) {
	if b.err != nil {
		return 0, b.err
	}
	if b.done {
		return 0, io.EOF
	}
	if len(p) == 0 {
		return 0, nil
	}
	cr := b.cr
	if cr.pc == nil {
		if cr.failed != nil {
			b.err = cr.failed
			return 0, b.err
		}
		b.done = true
		return 0, io.EOF
	}
	n, err := cr.pc.readBody(p)
	switch {
	case err == io.EOF:
		b.done = true
		cr.finish()
	case err != nil:
		b.err = err
		cr.abort(err)
	}
	return n, err
}

// Close ends reading. The socket goes back to the Agent if the body had
// ended or its rest is already buffered; otherwise it is destroyed.
func (b *respBody) Close() error {
	if b.done || b.err != nil {
		return nil
	}
	b.err = fmt.Errorf("%w: read on a closed response body", ErrRequestState)
	cr := b.cr
	pc := cr.pc
	if pc == nil {
		return nil
	}
	if pc.drainBuffered() {
		cr.finish()
		return nil
	}
	cr.abort(ErrBodyNotConsumed)
	return nil
}
