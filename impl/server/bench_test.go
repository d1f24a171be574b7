package server

import (
	"bytes"
	"context"
	"errors"
	"net"
	"net/http"
	"strconv"
	"testing"
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
		srv := &Server{Handler: HandlerFunc(helloOurs)}
		go func() { defer close(done); srv.Serve(l) }()
		stop = func() { srv.Shutdown(context.Background()); <-done }
	case "net-http":
		srv := &http.Server{Handler: http.HandlerFunc(helloNetHTTP)}
		go func() { defer close(done); srv.Serve(l) }()
		stop = func() { srv.Shutdown(context.Background()); <-done }
	}
	return l.Addr().String(), stop
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

func contentLength(head []byte) (int, error) {
	for _, line := range bytes.Split(head, []byte("\r\n")) {
		name, value, ok := bytes.Cut(line, []byte(":"))
		if ok && bytes.EqualFold(name, []byte("Content-Length")) {
			return strconv.Atoi(string(bytes.TrimSpace(value)))
		}
	}
	return 0, errors.New("response without Content-Length")
}

func benchRoundTrips(b *testing.B, kind string, batch int) {
	addr, stop := benchServer(b, kind)
	defer stop()
	req := []byte("GET /hello HTTP/1.1\r\nHost: bench\r\nUser-Agent: conform-bench\r\n\r\n")
	reqs := bytes.Repeat(req, batch)
	b.ReportAllocs()
	var respBytes int
	b.ResetTimer()
	b.RunParallel(func(pb *testing.PB) {
		conn, err := net.Dial("tcp", addr)
		if err != nil {
			b.Error(err)
			return
		}
		defer conn.Close()
		rc := &respCounter{conn: conn, buf: make([]byte, 16<<10)}
		for pb.Next() {
			if _, err := conn.Write(reqs); err != nil {
				b.Error(err)
				return
			}
			n, err := rc.read(batch)
			if err != nil {
				b.Error(err)
				return
			}
			respBytes = n
		}
	})
	b.StopTimer()
	b.SetBytes(int64(len(reqs) + respBytes))
	b.ReportMetric(float64(batch*b.N)/b.Elapsed().Seconds(), "req/s")
}

// BenchmarkPipelined: each client writes 16 pipelined GETs at once and
// reads the 16 responses. One op is one batch.
func BenchmarkPipelined(b *testing.B) {
	for _, kind := range []string{"conform", "net-http"} {
		b.Run(kind, func(b *testing.B) { benchRoundTrips(b, kind, 16) })
	}
}

// BenchmarkSequential: each client sends one request per round trip on a
// keep-alive connection.
func BenchmarkSequential(b *testing.B) {
	for _, kind := range []string{"conform", "net-http"} {
		b.Run(kind, func(b *testing.B) { benchRoundTrips(b, kind, 1) })
	}
}
