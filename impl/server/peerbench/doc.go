// Package peerbench compares impl/server with net/http and fasthttp, in
// one run, through the same load harnesses (internal/benchload), with the
// same handler: Content-Type text/plain and the body "Hello, World!". It
// has no code of its own beyond the benchmarks; run them with
//
//	make bench-peers
//
// or, in this directory,
//
//	go test -run '^$' -bench . -benchmem -benchtime 2s -count 3
//
// It is a module of its own, github.com/conformhttp/conform/impl/server/
// peerbench, so that the main module does not depend on fasthttp (which
// brings compression libraries of its own): the main module's go.mod and
// go.sum, its builds, and "go test ./..." from the repository root never
// see it. Its go.mod points the main module at this checkout with a
// replace directive, so it always measures the impl/server next to it.
//
// The benchmarks:
//
//   - BenchmarkPipelined: loopback TCP, batches of 16 pipelined GETs per
//     connection, one connection per parallel client.
//   - BenchmarkSequential: loopback TCP, one GET per round trip.
//   - BenchmarkPipelinedMem: batches of 16 on benchload's in-memory
//     listener, which leaves out the kernel and the socket client and so
//     measures the server's own work.
//
// raw-floor is not an HTTP server but canned answers (see
// benchload.ServeRawFloor): what the machine and the harness allow.
package peerbench
