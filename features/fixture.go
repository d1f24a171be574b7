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
)

// The reference target's routes. They are the routes of "conform serve"
// that scenarios need, written here so that scenarios can also observe the
// handlers (which started, which finished, in what order):
//
//	/                 200 "ok"
//	/echo             200, the request as the server read it: the request
//	                  line, one "name: value" line per field, an empty
//	                  line, the body, then one "name: value" line per
//	                  trailer field
//	/delay?ms=N       waits N ms (fake time under synctest), then 200
//	                  "delayed N ms"
//	/status/N         status N without reading the body, "status N"
//	/stream?chunks=N  N flushed pieces "chunk I\n" (chunked)
//	/big?bytes=N      N bytes of "x", with Content-Length
//	/close            200 "closing", with Connection: close
//
// Anything else is 404. The net/http target serves the same routes.

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
// handlers.
func refHandler(rec *recorder) server.Handler {
	return server.HandlerFunc(func(w server.ResponseWriter, r *server.Request) {
		rec.wg.Add(1)
		defer rec.wg.Done()
		rec.add(r.Target, "start")
		defer rec.add(r.Target, "finish")
		h := w.Header()
		h.Set("Content-Type", "text/plain")
		path, query := r.Path(), r.RawQuery()
		switch {
		case path == "/":
			w.WriteString("ok")
		case path == "/echo":
			body, err := io.ReadAll(r.Body)
			if err != nil {
				w.WriteHeader(500)
				w.WriteString("reading the body: " + err.Error())
				return
			}
			var b strings.Builder
			fmt.Fprintf(&b, "%s %s %s\n", r.Method, r.Target, r.Proto())
			for _, f := range r.Header {
				fmt.Fprintf(&b, "%s: %s\n", f.Name, f.Value)
			}
			b.WriteString("\n")
			b.Write(body)
			for _, f := range r.Trailer {
				fmt.Fprintf(&b, "\n%s: %s", f.Name, f.Value)
			}
			w.WriteString(b.String())
		case path == "/delay":
			ms := queryInt(query, "ms")
			select {
			case <-time.After(time.Duration(ms) * time.Millisecond):
			case <-r.Context().Done():
			}
			w.WriteString("delayed " + strconv.Itoa(ms) + " ms")
		case strings.HasPrefix(path, "/status/"):
			code, err := strconv.Atoi(strings.TrimPrefix(path, "/status/"))
			if err != nil || code < 200 || code > 999 {
				w.WriteHeader(400)
				w.WriteString("/status/N needs a final status code")
				return
			}
			w.WriteHeader(code)
			w.WriteString("status " + strconv.Itoa(code))
		case path == "/stream":
			for i := range queryInt(query, "chunks") {
				w.WriteString("chunk " + strconv.Itoa(i) + "\n")
				if err := w.Flush(); err != nil {
					return
				}
			}
		case path == "/big":
			n := queryInt(query, "bytes")
			h.Set("Content-Length", strconv.Itoa(n))
			w.WriteString(strings.Repeat("x", n))
		case path == "/close":
			h.Set("Connection", "close")
			w.WriteString("closing")
		default:
			w.WriteHeader(404)
			w.WriteString("not found")
		}
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
