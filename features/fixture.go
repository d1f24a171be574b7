package features

import (
	"fmt"
	"io"
	"net"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/conformhttp/conform/impl/server"
	"github.com/conformhttp/conform/internal/serve"
)

// The reference target serves the routes of "conform serve" (package
// internal/serve: /, /echo, /delay?ms=N, /status/N, /stream?chunks=N,
// /big?bytes=N, /close), wrapped so that scenarios can observe the
// handlers: which started, which finished, in what order. /delay is
// answered here, the same way, so that on the real clock its wait is
// scaled like every other duration a scenario names.

// handlerEvent is one thing a handler did, for scenarios that observe the
// server.
type handlerEvent struct {
	Target string
	Kind   string // "start" or "finish"
}

// recorder collects handler events; handlers of one connection run
// concurrently.
type recorder struct {
	mu     sync.Mutex
	events []handlerEvent // guarded by mu
	wg     sync.WaitGroup // handlers running
}

func (r *recorder) add(target, kind string) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.events = append(r.events, handlerEvent{Target: target, Kind: kind})
}

func (r *recorder) snapshot() []handlerEvent {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]handlerEvent(nil), r.events...)
}

// count returns how many events of kind there were.
func (r *recorder) count(kind string) int {
	n := 0
	for _, e := range r.snapshot() {
		if e.Kind == kind {
			n++
		}
	}
	return n
}

// refHandler serves the routes for the reference server and records its
// handlers. scale converts the durations the routes name into the ones
// they wait.
func refHandler(rec *recorder, scale func(time.Duration) time.Duration) server.Handler {
	routes := serve.Handler()
	return server.HandlerFunc(func(w server.ResponseWriter, r *server.Request) {
		rec.wg.Add(1)
		defer rec.wg.Done()
		rec.add(r.Target, "start")
		defer rec.add(r.Target, "finish")
		if r.Path() != "/delay" {
			routes.ServeHTTP(w, r)
			return
		}
		ms := queryInt(r.RawQuery(), "ms")
		t := time.NewTimer(scale(time.Duration(ms) * time.Millisecond))
		defer t.Stop()
		select {
		case <-t.C:
		case <-r.Context().Done():
			return
		}
		w.Header().Set("Content-Type", "text/plain; charset=utf-8")
		w.WriteString("delayed " + strconv.Itoa(ms) + " ms")
	})
}

// queryInt returns the integer value of key in a raw query, or 0.
func queryInt(query, key string) int {
	for part := range strings.SplitSeq(query, "&") {
		if v, ok := strings.CutPrefix(part, key+"="); ok {
			n, err := strconv.Atoi(v)
			if err == nil && n >= 0 {
				return n
			}
		}
	}
	return 0
}

// upstream is a service a CONNECT tunnel of the reference target can
// reach, in memory.
type upstream struct {
	name string
	kind string // "echo" or "sink"

	mu       sync.Mutex
	received []byte // guarded by mu
	sawEOF   bool   // guarded by mu
}

func (u *upstream) got() ([]byte, bool) {
	u.mu.Lock()
	defer u.mu.Unlock()
	return append([]byte(nil), u.received...), u.sawEOF
}

// serve runs the service on one connection. echo writes back what it
// reads until EOF, then closes; sink reads until EOF, then answers
// "received N bytes" and closes.
func (u *upstream) serve(c net.Conn) {
	defer c.Close()
	buf := make([]byte, 4096)
	for {
		n, err := c.Read(buf)
		if n > 0 {
			u.mu.Lock()
			u.received = append(u.received, buf[:n]...)
			u.mu.Unlock()
			if u.kind == "echo" {
				if _, werr := c.Write(buf[:n]); werr != nil {
					return
				}
			}
		}
		if err != nil {
			if err == io.EOF {
				u.mu.Lock()
				u.sawEOF = true
				total := len(u.received)
				u.mu.Unlock()
				if u.kind == "sink" {
					fmt.Fprintf(c, "received %d bytes", total)
				}
			}
			return
		}
	}
}

// relay copies between a and b in both directions. When one side stops
// sending, the other is half-closed, so the data still in flight the
// other way keeps flowing (RFC 9110 §9.3.6: the intermediary sends the
// outstanding data from the closed side, then closes both). It returns
// when both directions are done, and closes both connections.
func relay(a, b net.Conn) {
	var wg sync.WaitGroup
	pipe := func(dst, src net.Conn) {
		defer wg.Done()
		io.Copy(dst, src)
		if cw, ok := dst.(interface{ CloseWrite() error }); ok {
			cw.CloseWrite()
		} else {
			dst.Close()
		}
	}
	wg.Add(2)
	go pipe(a, b)
	go pipe(b, a)
	wg.Wait()
	a.Close()
	b.Close()
}

// forbidden is the reference proxy's answer to a CONNECT target it will
// not reach (RFC 9110 §9.3.6: proxies SHOULD restrict CONNECT to known
// destinations).
func forbidden(target string) []byte {
	body := "CONNECT to " + target + " is not allowed\n"
	return fmt.Appendf(nil, "HTTP/1.1 403 Forbidden\r\nContent-Type: text/plain\r\nContent-Length: %d\r\nConnection: close\r\n\r\n%s", len(body), body)
}

// upgradeProtocol is the protocol the reference target's upgrade hook
// speaks: after the 101 it echoes every byte back.
const upgradeProtocol = "conform-echo"
