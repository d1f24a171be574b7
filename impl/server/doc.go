// Package server is conform's reference HTTP/1.1 server: a Go
// reimplementation of the behaviour of Node.js's http.Server, built on the
// llhttp-shaped parser in impl/parser.
//
// # Handlers
//
// A Handler receives a *Request (method, target, version, the header fields
// in the order and case they were sent, a streaming Body, and the trailer
// fields once the body is read) and a ResponseWriter (status, ordered header
// fields, streaming writes, Flush, trailers):
//
//	srv := &server.Server{Handler: server.HandlerFunc(func(w server.ResponseWriter, r *server.Request) {
//		w.Header().Set("Content-Type", "text/plain")
//		io.WriteString(w, "hello")
//	})}
//	err := srv.Serve(listener)
//
// # Pipelining
//
// Requests are parsed as their bytes arrive. The handler of every request
// starts as soon as it has been read, while later pipelined requests are
// still being read and handled. Each response
// is buffered until every earlier response on the connection has been sent,
// so responses leave in request order whatever order the handlers finish
// in; responses that are ready together go out in one write. This is the
// "parallel processing, serial responses" model of the seed chapter
// (section 18.3.1).
//
// # Handlers and goroutines
//
// A request with a body gets a goroutine of its own for its handler as
// soon as its head has been read, so the handler can stream the body while
// the connection's goroutine reads it. The handler of a request without a
// body first runs on the connection's goroutine, as Node runs its
// 'request' handlers on the thread that parses: most handlers return at
// once, and a goroutine switch per request would cost more than the
// request. If such a handler is still running after HandlerHandoff (100 µs
// by default), the connection's reading moves to a new goroutine, which
// starts the next pipelined handlers, while the old one finishes the slow
// handler. A slow handler thus delays the start of the next by about
// HandlerHandoff (at least the timer's resolution), never by its own
// duration; a negative HandlerHandoff gives every handler its own goroutine
// from the start. Handlers must not rely on which goroutine they run in.
//
// Once a response is known to be the connection's last (below), the
// requests after it are not read, so their handlers never run.
//
// A response becomes the last on its connection when the request asked for
// it (Connection: close, HTTP/1.0 without keep-alive), when its handler set
// Connection: close, when MaxRequestsPerSocket is reached, after an error,
// or when the client half-closed the connection. The connection closes once
// that response has been written; requests read after it get no answer.
//
// # Back-pressure
//
// When a connection's buffered response data passes HighWaterMark, or
// PipelineLimit requests are waiting for their responses, the server stops
// reading from that connection until the client has taken enough of the
// output (the seed's socket.pause). A client that pipelines without reading
// therefore holds a bounded amount of server memory.
//
// # CONNECT and Upgrade
//
// A CONNECT request is given to OnConnect with the raw connection and the
// bytes that followed the request head (Node's 'connect' event); without
// OnConnect the connection is closed. A request with "Connection: upgrade"
// and an Upgrade field is given to OnUpgrade in the same way (Node's
// 'upgrade' event); without OnUpgrade, or when the request has a body, the
// Upgrade field is ignored and the request goes to the Handler (RFC 9110
// §7.8 lets a server ignore it). In both cases every earlier response is
// written before the hook runs.
//
// # Timeouts and limits
//
// HeadersTimeout, RequestTimeout, KeepAliveTimeout and IdleTimeout follow
// Node's server options; MaxHeaderSize, MaxHeaders and MaxRequestsPerSocket
// its limits. Each field documents what zero and negative values mean.
// Every timeout is enforced with connection deadlines read from the time
// package, so tests run them under testing/synctest without waiting.
//
// # Errors
//
// A request that cannot be parsed is answered with 400 (414 when the
// request-target alone exceeds the header size limit, 431 when the head is
// too large or has too many fields, 505 for an unsupported HTTP version,
// 408 on a headers or request timeout) and the connection is closed after
// the responses to earlier requests. OnClientError may replace the
// response.
package server
