package client

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"runtime"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/conformhttp/conform/impl/server"
)

// benchBody is what the benchmark server answers.
var benchBody = []byte("hello, world\n")

// BenchmarkAgent compares keep-alive GETs through an Agent with
// net/http's Transport, against the same server in the same run, with 1
// and 16 concurrent callers. The server runs in a child process (this test
// binary, re-executed), so the CPU time this process reports per request is
// the client's alone. Two servers: net/http's, and "canned", which answers
// every request head with the same bytes and does no HTTP work, so that the
// machine's two cores go to the clients and requests/s shows their cost
// rather than the server's. A third, "conform", is impl/server: a real
// HTTP server that costs less per request than net/http's.
//
//	go test -run '^$' -bench BenchmarkAgent -benchmem -count 5 ./impl/client
func BenchmarkAgent(b *testing.B) {
	for _, server := range []string{"nethttp", "conform", "canned"} {
		b.Run("server="+server, func(b *testing.B) {
			url := startBenchServer(b, server)
			for _, callers := range []int{1, 16} {
				b.Run("conform/callers="+strconv.Itoa(callers), func(b *testing.B) {
					a := NewAgent(AgentOptions{KeepAlive: true})
					defer a.Close()
					run(b, callers, func(buf []byte) {
						res, err := a.Do(context.Background(), &Request{URL: url})
						if err != nil {
							b.Fatal(err)
						}
						drain(b, res.Body, buf)
					})
					if s := a.Snapshot(); s.Dials > callers {
						b.Errorf("dialed %d sockets for %d callers", s.Dials, callers)
					}
				})
				b.Run("nethttp/callers="+strconv.Itoa(callers), func(b *testing.B) {
					tr := &http.Transport{MaxIdleConnsPerHost: callers, DisableCompression: true}
					defer tr.CloseIdleConnections()
					c := &http.Client{Transport: tr}
					run(b, callers, func(buf []byte) {
						res, err := c.Get(url)
						if err != nil {
							b.Fatal(err)
						}
						drain(b, res.Body, buf)
					})
				})
			}
		})
	}
}

// run calls get b.N times from callers goroutines and reports requests
// per second, and the process's CPU time per request: on a busy machine
// the wall-clock rate varies with the load while CPU time per request
// stays put.
func run(b *testing.B, callers int, get func(buf []byte)) {
	b.ReportAllocs()
	b.SetBytes(int64(len(benchBody)))
	b.ResetTimer()
	cpu0 := cpuTime(b)
	if callers == 1 {
		buf := make([]byte, 512)
		for b.Loop() {
			get(buf)
		}
	} else {
		// RunParallel starts GOMAXPROCS × parallelism goroutines.
		b.SetParallelism(max(1, callers/runtime.GOMAXPROCS(0)))
		b.RunParallel(func(pb *testing.PB) {
			buf := make([]byte, 512)
			for pb.Next() {
				get(buf)
			}
		})
	}
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "req/s")
	b.ReportMetric(float64((cpuTime(b)-cpu0).Nanoseconds())/float64(b.N), "cpu-ns/req")
}

// cpuTime returns the user and system CPU time the process has used.
func cpuTime(b *testing.B) time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		b.Fatalf("getrusage: %v", err)
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

func drain(b *testing.B, body io.ReadCloser, buf []byte) {
	n := 0
	for {
		m, err := body.Read(buf)
		n += m
		if err == io.EOF {
			break
		}
		if err != nil {
			b.Fatal(err)
		}
	}
	body.Close()
	if n != len(benchBody) {
		b.Fatalf("body of %d bytes, want %d", n, len(benchBody))
	}
}

// benchServerEnv, set in the environment, makes the test binary the
// benchmark's server (see TestMain).
const benchServerEnv = "CONFORM_CLIENT_BENCH_SERVER"

// serveBench serves the benchmark's answers on loopback with the server
// named by kind, prints the address, and returns when its standard input
// closes.
func serveBench(kind string) int {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	fmt.Println(l.Addr())
	switch kind {
	case "nethttp":
		go http.Serve(l, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Length", strconv.Itoa(len(benchBody)))
			w.Write(benchBody)
		}))
	case "conform":
		srv := &server.Server{Handler: server.HandlerFunc(func(w server.ResponseWriter, r *server.Request) {
			w.Write(benchBody)
		})}
		go srv.Serve(l)
	case "canned":
		go serveCanned(l)
	default:
		fmt.Fprintf(os.Stderr, "unknown benchmark server %q\n", kind)
		return 1
	}
	io.Copy(io.Discard, os.Stdin)
	l.Close()
	return 0
}

// serveCanned answers each request head (the benchmark sends GETs without
// a body) with the same response, written once per read. It is not an
// HTTP server, only the cheapest peer the clients can be measured against.
func serveCanned(l net.Listener) {
	resp := []byte("HTTP/1.1 200 OK\r\nContent-Length: " + strconv.Itoa(len(benchBody)) + "\r\n\r\n" + string(benchBody))
	for {
		c, err := l.Accept()
		if err != nil {
			return
		}
		go func() {
			defer c.Close()
			buf := make([]byte, 8<<10)
			var out []byte
			pending := 0 // bytes of a head split across reads: "\r\n\r\n" already matched
			for {
				n, err := c.Read(buf)
				if err != nil {
					return
				}
				out = out[:0]
				for _, ch := range buf[:n] {
					switch {
					case ch == "\r\n\r\n"[pending]:
						pending++
					case ch == '\r':
						pending = 1
					default:
						pending = 0
					}
					if pending == 4 {
						out = append(out, resp...)
						pending = 0
					}
				}
				if len(out) > 0 {
					if _, err := c.Write(out); err != nil {
						return
					}
				}
			}
		}()
	}
}

// startBenchServer starts the benchmark server kind in a child process and
// returns its URL; the child ends with the benchmark.
func startBenchServer(b *testing.B, kind string) string {
	cmd := exec.Command(os.Args[0], "-test.run=^$", "-test.bench=^$")
	cmd.Env = append(os.Environ(), benchServerEnv+"="+kind)
	cmd.Stderr = os.Stderr
	stdin, err := cmd.StdinPipe()
	if err != nil {
		b.Fatal(err)
	}
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		b.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() {
		stdin.Close()
		cmd.Wait()
	})
	addr, err := bufio.NewReader(stdout).ReadString('\n')
	if err != nil {
		b.Fatalf("benchmark server: %v", err)
	}
	return "http://" + strings.TrimSpace(addr) + "/bench"
}
