// Package client is conform's HTTP/1.1 client: Node's ClientRequest and
// http.Agent (chapter 18.2 and 18.4 of the seed) in Go idiom. Responses
// are read with conform's own parser (package impl/parser) in response
// mode, so the client sees a server's bytes exactly as the suite judges
// them.
//
// # Requests
//
// An Agent sends a Request either in one call,
//
//	res, err := agent.Do(ctx, &client.Request{Method: "GET", URL: "http://127.0.0.1:8080/"})
//
// or streamed, as Node's req.write / req.end:
//
//	cr, err := agent.Start(ctx, req) // a socket, and the head ready
//	cr.Write(chunk)                  // framed: a chunk, or counted against Content-Length
//	cr.End(trailer)
//	res, err := cr.Response()
//
// Header fields go out in the order and case given. Request.Raw and
// ClientRequest.WriteRaw send bytes exactly as given, so a conformance
// test can send malformed messages on purpose.
//
// A response's Body must be read to the end or closed: that returns the
// socket to the Agent. Interim (1xx) responses are passed to
// Request.OnInformation. "Expect: 100-continue" holds the body back until
// 100 (Continue) or Request.ContinueTimeout. A 2xx answer to CONNECT, or
// a 101, ends the HTTP exchange: Response.Tunnel has the raw connection
// and any bytes read past the head.
//
// # The Agent
//
// The Agent keeps Node's three structures per key (Target.Name: host,
// port, local address, family, socket path): sockets in use, free
// sockets, and requests waiting. A request takes a free socket (LIFO by
// default, or FIFO), else dials a new one while under MaxSockets and
// MaxTotalSockets, else waits in its key's queue. When a response ends,
// its socket goes to the first waiting request of its key, else to the
// free list (with KeepAlive, within MaxFreeSockets), else is destroyed. A
// socket that closes or fails is removed from whichever list holds it
// and a waiting request gets a new one. Free sockets are watched: one the
// server closes, or that sends bytes nobody asked for, or that is idle
// longer than Timeout or the server's "Keep-Alive: timeout=N" hint (less
// one second, as Node), is destroyed.
//
// Every socket is driven by the goroutine of the request that holds it;
// the only goroutines the Agent owns are the watchers of free sockets,
// and Close waits for them. A watcher starts once a socket has been free
// for a millisecond, so a socket reused at once (the common case under
// load) costs no goroutine and no system call; a server's close within
// that millisecond is seen by the next request instead, which Do then
// retries if it may.
//
// Writes go straight to the socket on the caller's goroutine: a request
// body blocks while the server does not read it. A server that answers
// early and stops reading is noticed when the write fails or the timeout
// passes; Do then still returns the answer if one arrived.
//
// # Where this differs from Node
//
//   - Do retries an idempotent request once on a new socket when a reused
//     socket fails before any response byte; Node reports "socket hang
//     up" (see Agent.Do).
//   - Host names the target's authority: the tunnel's destination for
//     CONNECT, the origin for an absolute-form target (RFC 9112 §3.2); Node
//     sends the proxy's host.
//   - A non-2xx answer to CONNECT is an ordinary response with a body
//     (RFC 9110 §9.3.6); Node treats every answer to CONNECT as a tunnel.
//   - Any byte after the end of a response (not only a second response
//     head) destroys the socket; Node reacts to a second head.
//   - A request timeout fails the request with ErrTimeout and destroys
//     the socket; Node emits 'timeout' and leaves destroying to the
//     caller.
//   - Under MaxTotalSockets a free socket of another key is closed to
//     make room for a waiting request; Node waits for it to time out.
//
// Timeouts use the time package only, so tests run them under
// testing/synctest; a Dialer supplies in-memory connections (net.Pipe)
// to tests and fuzz targets.
package client
