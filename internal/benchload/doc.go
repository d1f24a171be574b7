// Package benchload is the load generator of the server benchmarks: one
// implementation, so that impl/server's benchmarks and the peer comparison
// in the nested module impl/server/peerbench (which adds fasthttp) drive
// every server with identical client code, in the same run.
//
// It imports "testing": it is internal and exists only for benchmarks.
//
// # Harnesses
//
// Both send batches of Request (a GET without body) on keep-alive
// connections, one connection per b.RunParallel client, and count the
// responses with a Counter, which needs each response framed by
// Content-Length and with status 200. A short count, another status or a
// connection error fails the benchmark; an op is one batch.
//
//   - Loopback (RoundTrips): real TCP on 127.0.0.1, the client in the same
//     process. It measures what a user sees, but the kernel and the
//     client take much of the CPU, which caps the ratio between a fast
//     server and a slow one: ServeRawFloor, which does no HTTP work at all,
//     shows that cap.
//   - InMemory (MemRoundTrips): a MemListener whose connections live in
//     memory. A connection's Read hands the server the whole batch; the
//     next batch is handed over only after the server has written every
//     response of the previous one. This measures the server's own work.
//
// Both report req/s, cpu-ns/req (CPU time of the whole process per
// request, from getrusage: steadier than req/s when the machine is
// shared), allocations per op (the server's and the harness's; the
// in-memory harness allocates nothing per op itself) and bytes per op.
//
// # Running a server on a MemListener
//
// The server side of a connection is a net.Conn with loopback TCP
// addresses. It keeps read deadlines as a socket does, because net/http
// needs them (see memConn); write deadlines only fail writes begun after
// they pass, since writes never block. It has no CloseWrite. Peer.Start
// gets the listener as a plain net.Listener, so a server runs on it
// unchanged.
package benchload
