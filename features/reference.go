package features

import (
	"errors"
	"fmt"
	"io"
	"log"
	"net"
	"strings"
	"sync"
	"time"

	"github.com/conformhttp/conform/impl/parser"
	"github.com/conformhttp/conform/impl/server"
)

// refHost is the Host the scenarios' requests name on the reference target.
const refHost = "reference.test"

// refEnv is one scenario's reference server: configured by the scenario's
// Given steps, started at the first connection, closed when the scenario
// ends. Its connections are in-memory pipes.
type refEnv struct {
	srv     *server.Server
	started bool
	rec     recorder
	scale   func(time.Duration) time.Duration // scenario durations to clock durations

	noConnect bool // no CONNECT hook: the server closes CONNECT connections
	noUpgrade bool // no upgrade hook: the server ignores Upgrade

	// Capacities of new pipes: bytes in flight client→server and
	// server→client before the writer waits.
	toServer, toClient int

	upstreams map[string]*upstream
	script    []byte // when set, agent dials reach a scripted responder instead

	serving sync.WaitGroup // ServeConn, scripted responders, upstreams

	mu       sync.Mutex
	nconn    int      // guarded by mu: pipes made, for their names
	timeouts []string // guarded by mu: TimeoutKind of each OnTimeout
}

func newRefEnv(scale func(time.Duration) time.Duration) *refEnv {
	e := &refEnv{
		scale:     scale,
		srv:       &server.Server{ErrorLog: log.New(io.Discard, "", 0)},
		toServer:  defaultPipeCapacity,
		toClient:  defaultPipeCapacity,
		upstreams: map[string]*upstream{},
	}
	return e
}

// configure runs f on the server's settings; it fails once the server has
// started, since a Server's fields may not change after that.
func (e *refEnv) configure(what string, f func(s *server.Server)) error {
	if e.started {
		return fmt.Errorf("%s: the server is already serving; configure it in Given steps before the first connection", what)
	}
	f(e.srv)
	return nil
}

func (e *refEnv) startServer() {
	if e.started {
		return
	}
	e.started = true
	s := e.srv
	s.Handler = refHandler(&e.rec, e.scale)
	if !e.noConnect {
		s.OnConnect = e.connect
	}
	if !e.noUpgrade {
		s.OnUpgrade = e.upgrade
	}
	s.OnTimeout = func(_ net.Conn, k server.TimeoutKind) {
		e.mu.Lock()
		e.timeouts = append(e.timeouts, k.String())
		e.mu.Unlock()
	}
}

// dial opens a connection to the server.
func (e *refEnv) dial() net.Conn {
	e.startServer()
	n := e.nextID()
	cli, srv := newPipe(fmt.Sprintf("client-%d", n), fmt.Sprintf("server-%d", n), e.toServer, e.toClient)
	e.serving.Add(1)
	go func() {
		defer e.serving.Done()
		e.srv.ServeConn(srv)
	}()
	return cli
}

// dialScript opens a connection to the scripted responder: it reads
// requests and answers each, once its head and body have arrived, with
// e.script.
func (e *refEnv) dialScript() net.Conn {
	n := e.nextID()
	cli, srv := newPipe(fmt.Sprintf("client-%d", n), fmt.Sprintf("scripted-%d", n), e.toServer, e.toClient)
	script := e.script
	e.serving.Add(1)
	go func() {
		defer e.serving.Done()
		defer srv.Close()
		answer := false
		p := parser.New(parser.Config{Type: parser.Request, Lenient: parser.LenientAll, MaxHeaderSize: -1}, &parser.Callbacks{
			OnMessageComplete: func(*parser.Parser) error {
				answer = true
				return nil
			},
		})
		buf := make([]byte, 4096)
		for {
			n, err := srv.Read(buf)
			if n > 0 {
				if _, perr := p.Execute(buf[:n]); perr != nil {
					return
				}
				if answer {
					answer = false
					if _, err := srv.Write(script); err != nil {
						return
					}
				}
			}
			if err != nil {
				return
			}
		}
	}()
	return cli
}

func (e *refEnv) nextID() int {
	e.mu.Lock()
	defer e.mu.Unlock()
	e.nconn++
	return e.nconn
}

// addUpstream makes name ("echo.test:7") reachable through CONNECT.
func (e *refEnv) addUpstream(name, kind string) {
	e.upstreams[name] = &upstream{name: name, kind: kind}
}

// connect is the reference server's CONNECT hook: the proxy of the seed's
// example, reaching only the scenario's upstreams.
func (e *refEnv) connect(r *server.Request, conn net.Conn, head []byte) {
	u := e.upstreams[r.Target]
	if u == nil {
		conn.Write(forbidden(r.Target))
		conn.Close()
		return
	}
	up, svc := newPipe(fmt.Sprintf("proxy-%d", e.nextID()), u.name, e.toServer, e.toClient)
	e.serving.Add(1)
	go func() {
		defer e.serving.Done()
		u.serve(svc)
	}()
	if _, err := io.WriteString(conn, "HTTP/1.1 200 Connection Established\r\n\r\n"); err != nil {
		conn.Close()
		up.Close()
		return
	}
	if len(head) > 0 {
		// The bytes that came with the CONNECT head are the start of the
		// tunnel (the seed's serverSocket.write(head)).
		if _, err := up.Write(head); err != nil {
			conn.Close()
			up.Close()
			return
		}
	}
	relay(conn, up)
}

// upgrade is the reference server's upgrade hook: it switches to the
// conform-echo protocol when the client offers it, and otherwise answers
// the request as HTTP/1.1 (RFC 9110 §7.8 lets a server ignore Upgrade) and
// closes, since the hook cannot give the connection back.
func (e *refEnv) upgrade(r *server.Request, conn net.Conn, head []byte) {
	defer conn.Close()
	offered := false
	for _, v := range r.Header.Values("Upgrade") {
		for p := range strings.SplitSeq(v, ",") {
			if strings.EqualFold(strings.TrimSpace(p), upgradeProtocol) {
				offered = true
			}
		}
	}
	if !offered {
		io.WriteString(conn, "HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: 14\r\nConnection: close\r\n\r\nnot upgraded\r\n")
		return
	}
	msg := "HTTP/1.1 101 Switching Protocols\r\nConnection: upgrade\r\nUpgrade: " + upgradeProtocol + "\r\n\r\n"
	if _, err := io.WriteString(conn, msg); err != nil {
		return
	}
	if _, err := conn.Write(head); err != nil {
		return
	}
	buf := make([]byte, 4096)
	for {
		n, err := conn.Read(buf)
		if n > 0 {
			if _, werr := conn.Write(buf[:n]); werr != nil {
				return
			}
		}
		if err != nil {
			return
		}
	}
}

// timeoutKinds returns the timeouts the server reported.
func (e *refEnv) timeoutKinds() []string {
	e.mu.Lock()
	defer e.mu.Unlock()
	return append([]string(nil), e.timeouts...)
}

// close closes the server and waits for every goroutine the scenario
// started in it. On the real clock it gives up after limit.
func (e *refEnv) close(fake bool, limit time.Duration) error {
	if e.started {
		e.srv.Close()
	}
	done := make(chan struct{})
	go func() {
		e.serving.Wait()
		e.rec.wg.Wait()
		close(done)
	}()
	if fake {
		<-done
		return nil
	}
	select {
	case <-done:
		return nil
	case <-time.After(limit):
		return errors.New("the reference server's goroutines did not end after Close")
	}
}
