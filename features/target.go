package features

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log"
	"net"
	"net/http"
	"strconv"
	"sync"
	"time"
)

// A Target is the server the scenarios run against. There are three kinds:
//
//   - Reference(): conform's reference server (impl/server) in process, a
//     new one configured by each scenario, over in-memory connections.
//     It runs every scenario except @slow ones; under go test its
//     timeouts run on testing/synctest's fake clock.
//   - NetHTTP(): a net/http server in process on a loopback port, with the
//     same routes. It runs the @live scenarios.
//   - Live(addr): any server at host:port. It runs the @live scenarios.
type Target interface {
	// Name labels the target in results ("reference", "net/http", or the
	// address).
	Name() string
	// Address is where probes go: host:port, or "in-process" for the
	// reference target.
	Address() string
	// Description says what the target is.
	Description() string

	// startRun prepares the target for a run and returns a function that
	// stops it.
	startRun() (stop func(), err error)
	// reference reports whether scenarios can configure and observe the
	// target (the @reference scenarios).
	reference() bool
	// defaultTags is the tag expression of the scenarios the target runs
	// when the caller gives none.
	defaultTags() string
}

// Reference returns the in-process reference server target.
func Reference() Target { return referenceTarget{} }

type referenceTarget struct{}

func (referenceTarget) Name() string    { return "reference" }
func (referenceTarget) Address() string { return "in-process" }
func (referenceTarget) Description() string {
	return "conform reference server (impl/server), in process"
}
func (referenceTarget) startRun() (func(), error) {
	return func() {}, nil
}
func (referenceTarget) reference() bool     { return true }
func (referenceTarget) defaultTags() string { return "~@slow" }

// Live returns a target for the server listening at addr (host:port). It
// runs only @live scenarios, which send bytes and judge what comes back.
func Live(addr string) (Target, error) {
	host, port, err := net.SplitHostPort(addr)
	if err != nil {
		return nil, fmt.Errorf("live target %q: %v; give it as host:port, such as 127.0.0.1:8080", addr, err)
	}
	if host == "" {
		return nil, fmt.Errorf("live target %q has no host; give it as host:port, such as 127.0.0.1:8080", addr)
	}
	if n, err := strconv.Atoi(port); err != nil || n < 1 || n > 65535 {
		return nil, fmt.Errorf("live target %q: port %q is not a number from 1 to 65535", addr, port)
	}
	return &liveTarget{addr: addr}, nil
}

type liveTarget struct{ addr string }

func (t *liveTarget) Name() string              { return t.addr }
func (t *liveTarget) Address() string           { return t.addr }
func (t *liveTarget) Description() string       { return "live server at " + t.addr }
func (t *liveTarget) startRun() (func(), error) { return func() {}, nil }
func (t *liveTarget) reference() bool           { return false }
func (t *liveTarget) defaultTags() string       { return "@live" }
func (t *liveTarget) dialAddr() string          { return t.addr }

// NetHTTP returns a target that starts a net/http server on a loopback
// port for the run, answering "/" with "ok". It runs the @live scenarios
// except @slow ones, to show where net/http chooses differently from the
// reference server.
func NetHTTP() Target { return &netHTTPTarget{} }

type netHTTPTarget struct {
	mu   sync.Mutex
	addr string // guarded by mu; set while running
}

func (t *netHTTPTarget) Name() string { return "net/http" }
func (t *netHTTPTarget) Address() string {
	t.mu.Lock()
	defer t.mu.Unlock()
	if t.addr == "" {
		return "127.0.0.1 (a port chosen per run)"
	}
	return t.addr
}
func (t *netHTTPTarget) Description() string {
	return "net/http Server of the Go standard library, in process on loopback"
}
func (t *netHTTPTarget) reference() bool     { return false }
func (t *netHTTPTarget) defaultTags() string { return "@live&&~@slow" }

func (t *netHTTPTarget) startRun() (func(), error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, fmt.Errorf("net/http target: %w", err)
	}
	srv := &http.Server{Handler: netHTTPRoutes(), ReadHeaderTimeout: time.Minute}
	done := make(chan struct{})
	go func() {
		defer close(done)
		srv.Serve(l)
	}()
	t.mu.Lock()
	t.addr = l.Addr().String()
	t.mu.Unlock()
	return func() {
		srv.Close()
		<-done
	}, nil
}

func (t *netHTTPTarget) dialAddr() string {
	t.mu.Lock()
	defer t.mu.Unlock()
	return t.addr
}

// netHTTPRoutes answers "/" with 200 "ok" and anything else 404, as the
// reference routes do: the @live scenarios need no more of a server.
func netHTTPRoutes() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/plain; charset=utf-8")
		if r.URL.Path != "/" {
			w.WriteHeader(404)
			io.WriteString(w, "404 not found: "+r.URL.Path+"\n")
			return
		}
		io.WriteString(w, "ok")
	})
}

// tcpTarget is a target reached over TCP.
type tcpTarget interface {
	dialAddr() string
}

// tcpEnv is a scenario's view of a target reached over TCP.
type tcpEnv struct {
	addr string
}

func (e *tcpEnv) dial(ctx context.Context, timeout time.Duration) (net.Conn, error) {
	d := net.Dialer{Timeout: timeout}
	c, err := d.DialContext(ctx, "tcp", e.addr)
	if err != nil {
		return nil, fmt.Errorf("dialing the target %s: %w", e.addr, err)
	}
	return c, nil
}

// errNotReference is wrapped by steps that need the reference target.
var errNotReference = errors.New("this step needs the reference target (tag the scenario @reference)")

// memTarget is a server in memory, for this package's tests. start runs
// once per scenario, on the scenario's clock: it returns serve, which takes
// over each new connection (and closes it when done), and stop, which ends
// the server. It runs the @live scenarios, in synctest bubbles when the
// run has a T.
type memTarget struct {
	name  string
	start func() (serve func(net.Conn), stop func())
}

func (t *memTarget) Name() string        { return t.name }
func (t *memTarget) Address() string     { return "in-memory" }
func (t *memTarget) Description() string { return t.name + ", in memory" }
func (t *memTarget) reference() bool     { return false }
func (t *memTarget) defaultTags() string { return "@live&&~@slow" }

// startRun implements Target; the server starts per scenario instead.
func (t *memTarget) startRun() (func(), error) { return func() {}, nil }

// memEnv is a scenario's connections to a memTarget.
type memEnv struct {
	serve func(net.Conn)
	stop  func()
	n     int
	wg    sync.WaitGroup
}

func (e *memEnv) dial() net.Conn {
	e.n++
	cli, srv := newPipe(fmt.Sprintf("client-%d", e.n), fmt.Sprintf("server-%d", e.n), defaultPipeCapacity, defaultPipeCapacity)
	e.wg.Add(1)
	go func() {
		defer e.wg.Done()
		e.serve(srv)
	}()
	return cli
}

func (e *memEnv) close() {
	e.stop()
	e.wg.Wait()
}

// perConn makes a memTarget start function for a server that handles each
// connection in a function of its own, closing it when that returns.
func perConn(handle func(net.Conn)) func() (func(net.Conn), func()) {
	return func() (func(net.Conn), func()) {
		return func(c net.Conn) {
			defer c.Close()
			handle(c)
		}, func() {}
	}
}

// memListener hands in-memory connections to a server that accepts them.
type memListener struct {
	conns  chan net.Conn
	closed chan struct{}
	once   sync.Once
}

func newMemListener() *memListener {
	return &memListener{conns: make(chan net.Conn), closed: make(chan struct{})}
}

func (l *memListener) Accept() (net.Conn, error) {
	select {
	case c := <-l.conns:
		return c, nil
	case <-l.closed:
		return nil, net.ErrClosed
	}
}

func (l *memListener) Close() error {
	l.once.Do(func() { close(l.closed) })
	return nil
}

func (l *memListener) Addr() net.Addr { return pipeAddr("in-memory") }

// push gives c to the server, or closes it if the listener is closed.
func (l *memListener) push(c net.Conn) {
	select {
	case l.conns <- c:
	case <-l.closed:
		c.Close()
	}
}

// netHTTPInMemory is a memTarget running a net/http Server, one per
// scenario, over in-memory connections: its scenarios run on the fake
// clock, so that a server keeping a connection open costs no real time.
func netHTTPInMemory() *memTarget {
	return &memTarget{name: "net/http", start: func() (func(net.Conn), func()) {
		l := newMemListener()
		srv := &http.Server{Handler: netHTTPRoutes(), ReadHeaderTimeout: time.Minute, ErrorLog: log.New(io.Discard, "", 0)}
		done := make(chan struct{})
		go func() {
			defer close(done)
			srv.Serve(l)
		}()
		return l.push, func() {
			srv.Close()
			<-done
		}
	}}
}
