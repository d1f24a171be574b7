package benchload

import (
	"bytes"
	"context"
	"net"
	"net/http"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"
)

// Request is the request every harness sends, batch times over: a GET
// with a Host and a User-Agent field and no body.
const Request = "GET /hello HTTP/1.1\r\nHost: bench\r\nUser-Agent: conform-bench\r\n\r\n"

// A Peer is a server under test.
type Peer struct {
	Name string
	// Start serves on l in a goroutine of its own and returns a function
	// that stops the server and waits until it has ended. It may report
	// failures through tb (for example an error the server logs).
	Start func(tb testing.TB, l net.Listener) (stop func())
}

// NetHTTPPeer is net/http's server with handler h and default settings.
func NetHTTPPeer(h http.Handler) Peer {
	return Peer{Name: "net-http", Start: func(_ testing.TB, l net.Listener) func() {
		srv := &http.Server{Handler: h}
		done := make(chan struct{})
		go func() { defer close(done); srv.Serve(l) }()
		return func() { srv.Shutdown(context.Background()); <-done }
	}}
}

// RawFloorPeer is ServeRawFloor: a reference for what the machine and the
// harness allow, not an HTTP server.
func RawFloorPeer() Peer {
	return Peer{Name: "raw-floor", Start: func(_ testing.TB, l net.Listener) func() {
		done := make(chan struct{})
		go func() { defer close(done); ServeRawFloor(l) }()
		return func() { l.Close(); <-done }
	}}
}

// RawResponse is what ServeRawFloor answers to every request.
const RawResponse = "HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: 13\r\n\r\nHello, World!"

// ServeRawFloor is not an HTTP server: it counts the request ends (CRLF
// CRLF) in each read and answers each with RawResponse, all in one write.
// It does no HTTP work, so it shows what the machine and the load
// generator allow. It needs each read to hold whole requests, which holds
// for the harnesses here (a batch is written, or handed over, at once).
// It returns, after closing every connection it accepted, once l is
// closed.
func ServeRawFloor(l net.Listener) {
	var wg sync.WaitGroup
	defer wg.Wait()
	var mu sync.Mutex
	conns := make(map[net.Conn]struct{})
	defer func() {
		mu.Lock()
		defer mu.Unlock()
		for c := range conns {
			c.Close()
		}
	}()
	for {
		c, err := l.Accept()
		if err != nil {
			return
		}
		mu.Lock()
		conns[c] = struct{}{}
		mu.Unlock()
		wg.Go(func() {
			defer func() {
				mu.Lock()
				delete(conns, c)
				mu.Unlock()
				c.Close()
			}()
			rawFloorConn(c)
		})
	}
}

func rawFloorConn(c net.Conn) {
	buf := make([]byte, 16<<10)
	var out []byte
	for {
		n, err := c.Read(buf)
		if err != nil {
			return
		}
		out = out[:0]
		for range bytes.Count(buf[:n], headEnd) {
			out = append(out, RawResponse...)
		}
		if _, err := c.Write(out); err != nil {
			return
		}
	}
}

// Loopback runs the round-trip benchmark (RoundTrips) against p on a new
// loopback TCP listener.
func Loopback(b *testing.B, p Peer, batch int) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		b.Fatalf("benchload: listening on loopback for %s: %v", p.Name, err)
	}
	stop := p.Start(b, l)
	defer stop()
	RoundTrips(b, l.Addr().String(), batch)
}

// InMemory runs the in-memory round-trip benchmark (MemRoundTrips)
// against p on a new MemListener.
func InMemory(b *testing.B, p Peer, batch int) {
	l := NewMemListener()
	stop := p.Start(b, l)
	defer stop()
	MemRoundTrips(b, l, batch)
}

// RoundTrips is the loopback benchmark: b.RunParallel's clients (GOMAXPROCS
// of them) each open one keep-alive TCP connection to addr and, per
// operation, write batch copies of Request at once (pipelined when batch
// > 1) and read the batch responses. Every response must be framed by
// Content-Length and have status 200; any other, a short count or a
// connection error fails the benchmark. One op is one batch. It reports
// req/s, cpu-ns/req (CPU time of the whole process: client, server and the
// kernel's work for both), allocations and bytes per op (requests plus
// responses).
func RoundTrips(b *testing.B, addr string, batch int) {
	reqs := bytes.Repeat([]byte(Request), batch)
	var answered, respBytes atomic.Int64
	b.ReportAllocs()
	cpu0 := cpuTime()
	b.ResetTimer()
	b.RunParallel(func(pb *testing.PB) {
		conn, err := net.Dial("tcp", addr)
		if err != nil {
			b.Errorf("benchload: dial %s: %v", addr, err)
			return
		}
		defer conn.Close()
		var rc Counter
		for pb.Next() {
			if _, err := conn.Write(reqs); err != nil {
				b.Errorf("benchload: writing %d requests to %s: %v", batch, addr, err)
				return
			}
			n, err := rc.ReadResponses(conn, batch)
			if err != nil {
				b.Errorf("benchload: reading %d responses from %s: %v (pending: %q)", batch, addr, err, rc.Pending())
				return
			}
			answered.Add(int64(batch))
			respBytes.Store(int64(n))
		}
	})
	b.StopTimer()
	report(b, batch, len(reqs), answered.Load(), respBytes.Load(), cpuTime()-cpu0)
}

// MemRoundTrips is RoundTrips on l instead of TCP: each parallel client
// Dials one in-memory connection and, per operation, hands the server
// batch requests and waits for its batch responses (MemClient.RoundTrip).
// The same checks fail the benchmark, and it reports the same metrics;
// cpu-ns/req is then the server's work plus the harness's small share.
func MemRoundTrips(b *testing.B, l *MemListener, batch int) {
	reqs := bytes.Repeat([]byte(Request), batch)
	var answered, respBytes atomic.Int64
	b.ReportAllocs()
	cpu0 := cpuTime()
	b.ResetTimer()
	b.RunParallel(func(pb *testing.PB) {
		mc, err := l.Dial()
		if err != nil {
			b.Error(err)
			return
		}
		defer mc.Close()
		for pb.Next() {
			n, err := mc.RoundTrip(reqs, batch)
			if err != nil {
				b.Errorf("benchload: batch of %d: %v", batch, err)
				return
			}
			answered.Add(int64(batch))
			respBytes.Store(int64(n))
		}
	})
	b.StopTimer()
	report(b, batch, len(reqs), answered.Load(), respBytes.Load(), cpuTime()-cpu0)
}

func report(b *testing.B, batch, reqBytes int, answered, respBytes int64, cpu time.Duration) {
	if want := int64(batch) * int64(b.N); answered != want && !b.Failed() {
		b.Errorf("benchload: %d responses counted, want %d (%d batches of %d)", answered, want, b.N, batch)
	}
	b.SetBytes(int64(reqBytes) + respBytes)
	reqs := float64(batch) * float64(b.N)
	b.ReportMetric(reqs/b.Elapsed().Seconds(), "req/s")
	// Unlike req/s, CPU time per request hardly depends on what else runs
	// on the machine.
	b.ReportMetric(float64(cpu.Nanoseconds())/reqs, "cpu-ns/req")
}

// cpuTime returns the user plus system CPU time the process has used.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}
