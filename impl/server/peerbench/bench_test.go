package peerbench

import (
	"bytes"
	"context"
	"net"
	"net/http"
	"testing"

	"github.com/conformhttp/conform/impl/server"
	"github.com/conformhttp/conform/internal/benchload"
	"github.com/valyala/fasthttp"
)

var helloBody = []byte("Hello, World!")

func helloConform(w server.ResponseWriter, _ *server.Request) {
	w.Header().Set("Content-Type", "text/plain")
	w.Write(helloBody)
}

func helloNetHTTP(w http.ResponseWriter, _ *http.Request) {
	w.Header().Set("Content-Type", "text/plain")
	w.Write(helloBody)
}

func helloFastHTTP(ctx *fasthttp.RequestCtx) {
	ctx.Response.Header.SetContentType("text/plain")
	ctx.Write(helloBody)
}

// conformPeer is impl/server with helloConform, configured as in
// impl/server's own benchmarks: any client error or timeout it sees fails
// the benchmark. It is a copy of that one, not shared through benchload:
// impl/server's benchmarks are in package server, and benchload importing
// impl/server would make an import cycle of them.
func conformPeer() benchload.Peer {
	return benchload.Peer{Name: "conform", Start: func(tb testing.TB, l net.Listener) func() {
		srv := &server.Server{Handler: server.HandlerFunc(helloConform),
			OnClientError: func(e *server.ClientError) []byte {
				tb.Errorf("conform: client error on a benchmark connection: %v", e)
				return e.Response()
			},
			OnTimeout: func(_ net.Conn, k server.TimeoutKind) {
				tb.Errorf("conform: %v timeout on a benchmark connection", k)
			},
		}
		done := make(chan struct{})
		go func() { defer close(done); srv.Serve(l) }()
		return func() { srv.Shutdown(context.Background()); <-done }
	}}
}

// fasthttpPeer is fasthttp's server with default settings and
// helloFastHTTP; a request it cannot parse fails the benchmark.
func fasthttpPeer() benchload.Peer {
	return benchload.Peer{Name: "fasthttp", Start: func(tb testing.TB, l net.Listener) func() {
		srv := &fasthttp.Server{Handler: helloFastHTTP,
			ErrorHandler: func(ctx *fasthttp.RequestCtx, err error) {
				tb.Errorf("fasthttp: error on a benchmark connection: %v", err)
				ctx.Error("bad request", fasthttp.StatusBadRequest)
			},
		}
		done := make(chan struct{})
		go func() { defer close(done); srv.Serve(l) }()
		return func() { srv.Shutdown(); <-done }
	}}
}

// peers lists the servers compared; raw-floor is a reference, not an HTTP
// server (see benchload.ServeRawFloor).
func peers() []benchload.Peer {
	return []benchload.Peer{
		conformPeer(),
		benchload.NetHTTPPeer(http.HandlerFunc(helloNetHTTP)),
		fasthttpPeer(),
		benchload.RawFloorPeer(),
	}
}

// BenchmarkPipelined: each client writes 16 pipelined GETs at once and
// reads the 16 responses, over loopback.
func BenchmarkPipelined(b *testing.B) {
	for _, p := range peers() {
		b.Run(p.Name, func(b *testing.B) { benchload.Loopback(b, p, 16) })
	}
}

// BenchmarkSequential: each client sends one request per round trip on a
// keep-alive connection, over loopback.
func BenchmarkSequential(b *testing.B) {
	for _, p := range peers() {
		b.Run(p.Name, func(b *testing.B) { benchload.Loopback(b, p, 1) })
	}
}

// BenchmarkPipelinedMem: batches of 16 on in-memory connections; the next
// batch is handed over once all 16 responses are written.
func BenchmarkPipelinedMem(b *testing.B) {
	for _, p := range peers() {
		b.Run(p.Name, func(b *testing.B) { benchload.InMemory(b, p, 16) })
	}
}

// TestPeersAnswer checks that every peer answers batches of pipelined
// requests completely on both transports, so that the benchmarks compare
// servers doing the same work.
func TestPeersAnswer(t *testing.T) {
	reqs := bytes.Repeat([]byte(benchload.Request), 16)
	for _, p := range peers() {
		t.Run(p.Name+"/in-memory", func(t *testing.T) {
			l := benchload.NewMemListener()
			stop := p.Start(t, l)
			defer stop()
			mc, err := l.Dial()
			if err != nil {
				t.Fatal(err)
			}
			defer mc.Close()
			for i := range 3 {
				if _, err := mc.RoundTrip(reqs, 16); err != nil {
					t.Fatalf("%s: batch %d: %v", p.Name, i, err)
				}
			}
		})
		t.Run(p.Name+"/loopback", func(t *testing.T) {
			l, err := net.Listen("tcp", "127.0.0.1:0")
			if err != nil {
				t.Fatal(err)
			}
			stop := p.Start(t, l)
			defer stop()
			conn, err := net.Dial("tcp", l.Addr().String())
			if err != nil {
				t.Fatal(err)
			}
			defer conn.Close()
			var rc benchload.Counter
			for i := range 3 {
				if _, err := conn.Write(reqs); err != nil {
					t.Fatalf("%s: batch %d: writing: %v", p.Name, i, err)
				}
				if _, err := rc.ReadResponses(conn, 16); err != nil {
					t.Fatalf("%s: batch %d: %v", p.Name, i, err)
				}
			}
		})
	}
}
