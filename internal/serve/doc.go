// Package serve is "conform serve": the reference server (impl/server) with
// the routes conformance tools need, listening on a loopback address until
// its context ends.
//
// # Routes
//
//	/                 200 "ok"
//	/echo             200, application/json: exactly how the request was
//	                  parsed (see Echo)
//	/delay?ms=N       answers "delayed N ms" after N milliseconds
//	                  (0 ≤ N ≤ 600000), for pipelining-order checks
//	/status/N         status N (200–999) with the body "status N" where the
//	                  status allows one; a 1xx N other than 101 is sent as
//	                  an interim response before a final 200
//	/stream?chunks=N  N flushed pieces "chunk I\n" (0 ≤ N ≤ 100000), so
//	                  chunked for HTTP/1.1
//	/big?bytes=N      N bytes of "x" with Content-Length (N ≤ 1 GiB)
//	/close            200 "closing", with Connection: close
//
// Anything else is 404. A malformed query is 400, with a body saying what
// was wrong. No route reads more than 8 MiB of request body.
//
// CONNECT is answered as the seed chapter's proxy does (section 18.3.2):
// "200 Connection Established", then bytes are relayed both ways, starting
// with those that followed the request head. Only loopback targets are
// allowed (127.0.0.0/8, ::1, "localhost"); any other is answered 403, and
// a target that cannot be reached 502.
//
// # Command line
//
//	conform serve [--addr 127.0.0.1:8080] [--headers-timeout D]
//	              [--request-timeout D] [--keep-alive-timeout D]
//	              [--idle-timeout D] [--max-header-size N]
//	              [--max-headers N] [--max-requests-per-socket N]
//
// Main prints "conform serve: listening on HOST:PORT" (the port actually
// bound, so "--addr 127.0.0.1:0" works) and serves until its context is
// cancelled, then shuts down gracefully.
package serve
