package server

import (
	"bytes"
	"context"
	"errors"
	"net"
	"net/http"
	"sync"
	"syscall"
	"testing"
	"time"
)

// The benchmarks compare this server with net/http, in the same run, with
// the same handler, over loopback TCP. Each parallel client (GOMAXPROCS of
// them) has its own keep-alive connection.
//
//	go test ./impl/server -run '^$' -bench 'Pipelined|Sequential' -benchtime 2s

var helloBody = []byte("Hello, World!")

func helloOurs(w ResponseWriter, _ *Request) {
	w.Header().Set("Content-Type", "text/plain")
	w.Write(helloBody)
}

func helloNetHTTP(w http.ResponseWriter, _ *http.Request) {
	w.Header().Set("Content-Type", "text/plain")
	w.Write(helloBody)
}

// benchServer starts one of the two servers on loopback and returns its
// address and a stop function.
func benchServer(b *testing.B, kind string) (string, func()) {
	b.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		b.Fatal(err)
	}
	done := make(chan struct{})
	var stop func()
	switch kind {
	case "conform":
		// Any client error or timeout means the benchmark is not
		// measuring what it should.
		srv := &Server{Handler: HandlerFunc(helloOurs),
			OnClientError: func(e *ClientError) []byte {
				b.Errorf("conform: client error on a benchmark connection: %v", e)
				return e.Response()
			},
			OnTimeout: func(_ net.Conn, k TimeoutKind) {
				b.Errorf("conform: %v timeout on a benchmark connection", k)
			},
		}
		go func() { defer close(done); srv.Serve(l) }()
		stop = func() { srv.Shutdown(context.Background()); <-done }
	case "net-http":
		srv := &http.Server{Handler: http.HandlerFunc(helloNetHTTP)}
		go func() { defer close(done); srv.Serve(l) }()
		stop = func() { srv.Shutdown(context.Background()); <-done }
	case "raw-floor":
		go func() { defer close(done); rawFloor(l) }()
		stop = func() { l.Close(); <-done }
	}
	return l.Addr().String(), stop
}

// rawFloor is not an HTTP server: it counts the request ends in what it
// reads and answers each with the same canned bytes, in one write. It
// shows what the machine and the benchmark client allow, with no HTTP work.
func rawFloor(l net.Listener) {
	var wg sync.WaitGroup
	defer wg.Wait()
	resp := []byte("HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: 13\r\n\r\nHello, World!")
	for {
		c, err := l.Accept()
		if err != nil {
			return
		}
		wg.Go(func() {
			defer c.Close()
			buf := make([]byte, 16<<10)
			var out []byte
			for {
				n, err := c.Read(buf)
				if err != nil {
					return
				}
				out = out[:0]
				for range bytes.Count(buf[:n], []byte("\r\n\r\n")) {
					out = append(out, resp...)
				}
				if _, err := c.Write(out); err != nil {
					return
				}
			}
		})
	}
}

// respCounter reads whole responses that are framed by Content-Length,
// cheaply, so that the client's share of the work stays small and equal
// for both servers.
type respCounter struct {
	conn net.Conn
	buf  []byte
	r, w int
}

// read consumes n responses and returns how many bytes they took.
func (rc *respCounter) read(n int) (int, error) {
	total := 0
	for n > 0 {
		for {
			if i := bytes.Index(rc.buf[rc.r:rc.w], []byte("\r\n\r\n")); i >= 0 {
				head := rc.buf[rc.r : rc.r+i]
				cl, err := contentLength(head)
				if err != nil {
					return total, err
				}
				size := i + 4 + cl
				if rc.r+size <= rc.w {
					rc.r += size
					total += size
					n--
					break
				}
			}
			if rc.r > 0 {
				rc.w = copy(rc.buf, rc.buf[rc.r:rc.w])
				rc.r = 0
			}
			if rc.w == len(rc.buf) {
				rc.buf = append(rc.buf, make([]byte, len(rc.buf))...)
			}
			m, err := rc.conn.Read(rc.buf[rc.w:])
			rc.w += m
			if err != nil {
				return total, err
			}
		}
	}
	return total, nil
}

// contentLength finds the Content-Length value in a response head without
// allocating. Both servers write the name as "Content-Length".
func contentLength(head []byte) (int, error) {
	i := bytes.Index(head, []byte("\nContent-Length: "))
	if i < 0 {
		return 0, errors.New("response without Content-Length")
	}
	n := 0
	for j := i + len("\nContent-Length: "); j < len(head) && head[j] >= '0' && head[j] <= '9'; j++ {
		n = n*10 + int(head[j]-'0')
	}
	return n, nil
}

func benchRoundTrips(b *testing.B, kind string, batch int) {
	addr, stop := benchServer(b, kind)
	defer stop()
	req := []byte("GET /hello HTTP/1.1\r\nHost: bench\r\nUser-Agent: conform-bench\r\n\r\n")
	reqs := bytes.Repeat(req, batch)
	b.ReportAllocs()
	var respBytes int
	cpu0 := cpuTime()
	b.ResetTimer()
	b.RunParallel(func(pb *testing.PB) {
		conn, err := net.Dial("tcp", addr)
		if err != nil {
			b.Errorf("%s: dial: %v", kind, err)
			return
		}
		defer conn.Close()
		rc := &respCounter{conn: conn, buf: make([]byte, 16<<10)}
		for pb.Next() {
			if _, err := conn.Write(reqs); err != nil {
				b.Errorf("%s: writing requests: %v", kind, err)
				return
			}
			n, err := rc.read(batch)
			if err != nil {
				b.Errorf("%s: reading responses: %v (buffered: %q)", kind, err, rc.buf[rc.r:rc.w])
				return
			}
			respBytes = n
		}
	})
	b.StopTimer()
	cpu := cpuTime() - cpu0
	b.SetBytes(int64(len(reqs) + respBytes))
	b.ReportMetric(float64(batch*b.N)/b.Elapsed().Seconds(), "req/s")
	// CPU time of the whole process (server, client, and the kernel work
	// done for them) per request: unlike req/s, it hardly depends on what
	// else runs on the machine.
	b.ReportMetric(float64(cpu.Nanoseconds())/float64(batch*b.N), "cpu-ns/req")
}

// cpuTime returns the user plus system CPU time the process has used.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// BenchmarkPipelined: each client writes 16 pipelined GETs at once and
// reads the 16 responses. One op is one batch.
//
// raw-floor is a reference, not an HTTP server: see rawFloor.
func BenchmarkPipelined(b *testing.B) {
	for _, kind := range []string{"conform", "net-http", "raw-floor"} {
		b.Run(kind, func(b *testing.B) { benchRoundTrips(b, kind, 16) })
	}
}

// BenchmarkSequential: each client sends one request per round trip on a
// keep-alive connection.
func BenchmarkSequential(b *testing.B) {
	for _, kind := range []string{"conform", "net-http", "raw-floor"} {
		b.Run(kind, func(b *testing.B) { benchRoundTrips(b, kind, 1) })
	}
}
