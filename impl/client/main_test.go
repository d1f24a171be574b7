package client

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"runtime"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"
)

// TestMain fails the run if goroutines of this package outlive the tests:
// the Agent's watchers, context hooks, or the tests' own fake servers. In
// a child process started by BenchmarkAgent it is the benchmark server.
func TestMain(m *testing.M) {
	if kind := os.Getenv(benchServerEnv); kind != "" {
		os.Exit(serveBench(kind))
	}
	code := m.Run()
	if code == 0 {
		if leaks := leakedGoroutines(); leaks != "" {
			fmt.Fprintf(os.Stderr, "goroutines left behind:\n%s\n", leaks)
			code = 1
		}
	}
	os.Exit(code)
}

// leakedGoroutines returns the stacks of goroutines that run code of this
// package, other than the caller's. A goroutine that has just signalled
// its end may still be on its way out, so the check yields the processor
// a bounded number of times before it gives up; it never sleeps.
func leakedGoroutines() string {
	var leaks []string
	for range 1000 {
		buf := make([]byte, 1<<20)
		buf = buf[:runtime.Stack(buf, true)]
		stacks := strings.Split(string(buf), "\n\n")
		leaks = leaks[:0]
		for _, s := range stacks[1:] { // stacks[0] is this goroutine
			if strings.Contains(s, "conform/impl/client.") {
				leaks = append(leaks, s)
			}
		}
		if len(leaks) == 0 {
			return ""
		}
		runtime.Gosched()
	}
	return strings.Join(leaks, "\n\n")
}

// newTestAgent returns an Agent that checks its invariants after every
// change to its pool and is closed when the test ends.
func newTestAgent(t testing.TB, opts AgentOptions) *Agent {
	t.Helper()
	a := NewAgent(opts)
	a.onStep = func() {
		if err := a.checkLocked(); err != nil {
			t.Errorf("pool invariant broken: %v", err)
		}
	}
	t.Cleanup(func() { a.Close() })
	return a
}

// checkLocked verifies the pool's invariants; the caller holds a.mu.
func (a *Agent) checkLocked() error {
	total := 0
	anyFree := false
	seen := map[*pconn]bool{}
	for name, kp := range a.pools {
		if kp.name != name {
			return fmt.Errorf("pool %q filed under %q", kp.name, name)
		}
		n := len(kp.active) + len(kp.free)
		total += n
		if n > a.maxSockets {
			return fmt.Errorf("%s: %d sockets, MaxSockets %d", name, n, a.maxSockets)
		}
		if len(kp.free) > a.maxFree {
			return fmt.Errorf("%s: %d free sockets, MaxFreeSockets %d", name, len(kp.free), a.maxFree)
		}
		for _, pc := range kp.active {
			if seen[pc] || (pc.state != stActive && pc.state != stDialing) || pc.kp != kp {
				return fmt.Errorf("%s: socket in use listed twice or in state %d", name, pc.state)
			}
			seen[pc] = true
		}
		for _, pc := range kp.free {
			if seen[pc] || pc.state != stIdle || pc.kp != kp {
				return fmt.Errorf("%s: free socket listed twice or in state %d", name, pc.state)
			}
			seen[pc] = true
		}
		if len(kp.free) > 0 {
			anyFree = true
		}
		if n == 0 && len(kp.waiting) == 0 {
			return fmt.Errorf("%s: empty pool kept", name)
		}
	}
	if total != a.total {
		return fmt.Errorf("total %d, but the pools hold %d", a.total, total)
	}
	if total > a.maxTotal {
		return fmt.Errorf("%d sockets, MaxTotalSockets %d", total, a.maxTotal)
	}
	for name, kp := range a.pools {
		if len(kp.waiting) == 0 {
			continue
		}
		n := len(kp.active) + len(kp.free)
		if len(kp.free) > 0 {
			return fmt.Errorf("%s: %d requests wait while %d sockets are free", name, len(kp.waiting), len(kp.free))
		}
		if n < a.maxSockets && (total < a.maxTotal || anyFree) {
			return fmt.Errorf("%s: %d requests wait with %d sockets of %d and %d of %d in total, free elsewhere: %v",
				name, len(kp.waiting), n, a.maxSockets, total, a.maxTotal, anyFree)
		}
	}
	return nil
}

// pipeServer is a Dialer whose connections are net.Pipe ends served by a
// scripted HTTP/1.1 server, for tests that run under testing/synctest.
type pipeServer struct {
	// handle answers one request on conn; it returns false to close the
	// connection. n counts the requests on this connection from 1.
	handle func(c *pipeConn, req *http.Request, n int) bool

	quit chan struct{} // closed when the test ends

	mu    sync.Mutex
	dials int
	log   []string // "conn#: METHOD target body" per request
}

// newPipeServer returns a pipeServer whose handlers' waits end with the
// test.
func newPipeServer(t testing.TB, handle func(ps *pipeServer, c *pipeConn, req *http.Request, n int) bool) *pipeServer {
	ps := &pipeServer{quit: make(chan struct{})}
	ps.handle = func(c *pipeConn, req *http.Request, n int) bool { return handle(ps, c, req, n) }
	t.Cleanup(func() { close(ps.quit) })
	return ps
}

// sleep waits for d, or until the test ends; it reports whether d passed.
func (ps *pipeServer) sleep(d time.Duration) bool {
	timer := time.NewTimer(d)
	defer timer.Stop()
	select {
	case <-timer.C:
		return true
	case <-ps.quit:
		return false
	}
}

// pipeConn is the server's end of one connection.
type pipeConn struct {
	net.Conn
	id int
	br *bufio.Reader
}

func (ps *pipeServer) DialTarget(ctx context.Context, t Target) (net.Conn, error) {
	c, s := net.Pipe()
	ps.mu.Lock()
	ps.dials++
	id := ps.dials
	ps.mu.Unlock()
	go ps.serve(&pipeConn{Conn: s, id: id, br: bufio.NewReader(s)})
	return c, nil
}

func (ps *pipeServer) serve(c *pipeConn) {
	defer c.Close()
	for n := 1; ; n++ {
		req, err := http.ReadRequest(c.br)
		if err != nil {
			return
		}
		if !ps.handle(c, req, n) {
			return
		}
	}
}

// record notes a request and its body (read here).
func (ps *pipeServer) record(c *pipeConn, req *http.Request) string {
	body, _ := io.ReadAll(req.Body)
	ps.mu.Lock()
	defer ps.mu.Unlock()
	ps.log = append(ps.log, fmt.Sprintf("conn%d: %s %s %q", c.id, req.Method, req.RequestURI, body))
	return string(body)
}

func (ps *pipeServer) requests() []string {
	ps.mu.Lock()
	defer ps.mu.Unlock()
	return slices.Clone(ps.log)
}

// readAll reads a response body to its end.
func readAll(t testing.TB, res *Response) string {
	t.Helper()
	b, err := io.ReadAll(res.Body)
	if err != nil {
		t.Fatalf("reading the body: %v", err)
	}
	return string(b)
}
