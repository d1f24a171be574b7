package server

import (
	"context"
	"net"
	"net/http"
	"testing"

	"github.com/conformhttp/conform/internal/benchload"
)

// The benchmarks compare this server with net/http, in the same run, with
// the same handler, driven by the same client (internal/benchload). Each
// parallel client (GOMAXPROCS of them) has its own keep-alive connection;
// one op is one batch of requests.
//
//	go test ./impl/server -run '^$' -bench 'Pipelined|Sequential' -benchtime 2s
//
// Pipelined and Sequential run over loopback TCP with the client in this
// process; the *Mem variants run on benchload's in-memory listener, which
// leaves out the kernel and the socket client and so measures the
// servers' own work. impl/server/peerbench (a module of its own) adds
// fasthttp to the comparison.

var helloBody = []byte("Hello, World!")

func helloOurs(w ResponseWriter, _ *Request) {
	w.Header().Set("Content-Type", "text/plain")
	w.Write(helloBody)
}

func helloNetHTTP(w http.ResponseWriter, _ *http.Request) {
	w.Header().Set("Content-Type", "text/plain")
	w.Write(helloBody)
}

// conformPeer is this server with helloOurs. Any client error or timeout
// it sees fails the benchmark: the benchmark would not be measuring what
// it should.
func conformPeer() benchload.Peer {
	return benchload.Peer{Name: "conform", Start: func(tb testing.TB, l net.Listener) func() {
		srv := &Server{Handler: HandlerFunc(helloOurs),
			OnClientError: func(e *ClientError) []byte {
				tb.Errorf("conform: client error on a benchmark connection: %v", e)
				return e.Response()
			},
			OnTimeout: func(_ net.Conn, k TimeoutKind) {
				tb.Errorf("conform: %v timeout on a benchmark connection", k)
			},
		}
		done := make(chan struct{})
		go func() { defer close(done); srv.Serve(l) }()
		return func() { srv.Shutdown(context.Background()); <-done }
	}}
}

// benchPeers: raw-floor is a reference, not an HTTP server (see
// benchload.ServeRawFloor).
func benchPeers() []benchload.Peer {
	return []benchload.Peer{conformPeer(), benchload.NetHTTPPeer(http.HandlerFunc(helloNetHTTP)), benchload.RawFloorPeer()}
}

// BenchmarkPipelined: each client writes 16 pipelined GETs at once and
// reads the 16 responses, over loopback.
func BenchmarkPipelined(b *testing.B) {
	for _, p := range benchPeers() {
		b.Run(p.Name, func(b *testing.B) { benchload.Loopback(b, p, 16) })
	}
}

// BenchmarkSequential: each client sends one request per round trip on a
// keep-alive connection, over loopback.
func BenchmarkSequential(b *testing.B) {
	for _, p := range benchPeers() {
		b.Run(p.Name, func(b *testing.B) { benchload.Loopback(b, p, 1) })
	}
}

// BenchmarkPipelinedMem: batches of 16 pipelined GETs on in-memory
// connections; the next batch is handed over once all 16 responses are
// written.
func BenchmarkPipelinedMem(b *testing.B) {
	for _, p := range benchPeers() {
		b.Run(p.Name, func(b *testing.B) { benchload.InMemory(b, p, 16) })
	}
}

// BenchmarkSequentialMem: one request per round trip on in-memory
// connections.
func BenchmarkSequentialMem(b *testing.B) {
	for _, p := range benchPeers() {
		b.Run(p.Name, func(b *testing.B) { benchload.InMemory(b, p, 1) })
	}
}
