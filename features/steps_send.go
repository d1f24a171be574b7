package features

import (
	"context"
	"fmt"
	"net"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/cucumber/godog"
)

// minDialTimeout is the least time a TCP dial is given.
const minDialTimeout = 10 * time.Second

// host is the Host field value for requests a step builds.
func (w *world) host() string {
	if w.tcp != nil {
		return w.tcp.addr
	}
	return refHost
}

// openConnection opens a new connection and makes it the current one.
func (w *world) openConnection() error {
	var c net.Conn
	switch {
	case w.ref != nil:
		c = w.ref.dial()
	case w.mem != nil:
		c = w.mem.dial()
	default:
		// Connecting gets more time than a step's patience: a loaded
		// machine can be slow to accept, and a refused dial says nothing
		// about HTTP.
		wait := max(w.patience(), minDialTimeout)
		ctx, cancel := context.WithTimeout(w.ctx, wait)
		defer cancel()
		var err error
		c, err = w.tcp.dial(ctx, wait)
		if err != nil {
			w.log.add(len(w.conns)+1, evError, nil, err.Error())
			return &harnessError{err}
		}
	}
	rc := newRawConn(len(w.conns)+1, c, w.log)
	w.conns = append(w.conns, rc)
	w.cur = rc
	w.taken = nil
	return nil
}

// conn returns the current connection, opening one if there is none.
func (w *world) conn() (*rawConn, error) {
	if w.cur == nil {
		if err := w.openConnection(); err != nil {
			return nil, err
		}
	}
	return w.cur, nil
}

func (w *world) send(b []byte) error {
	c, err := w.conn()
	if err != nil {
		return err
	}
	return c.send(b, w.deadline())
}

func (w *world) sendDoc(doc *godog.DocString) error {
	b, err := decodeDocString(doc.Content)
	if err != nil {
		return harness("%v", err)
	}
	return w.send(b)
}

func (w *world) sendInline(s string) error {
	b, err := decodeEscapes(s)
	if err != nil {
		return harness("%v", err)
	}
	return w.send(b)
}

// request builds a request with the fields a conforming client sends.
func (w *world) request(method, target string, extra ...string) []byte {
	var b strings.Builder
	fmt.Fprintf(&b, "%s %s HTTP/1.1\r\nHost: %s\r\n", method, target, w.host())
	for _, f := range extra {
		b.WriteString(f)
		b.WriteString("\r\n")
	}
	if method == "POST" || method == "PUT" {
		b.WriteString("Content-Length: 0\r\n")
	}
	b.WriteString("\r\n")
	return []byte(b.String())
}

func (w *world) sendRequest(method, target string) error {
	return w.send(w.request(method, target))
}

func (w *world) sendPipelined(n int, target string) error {
	var all []byte
	for range n {
		all = append(all, w.request("GET", target)...)
	}
	return w.send(all)
}

// sendSizedHead sends a GET whose head, from the first byte of the request
// line to the end of the empty line, is exactly size bytes, padded with an
// X-Padding field.
func (w *world) sendSizedHead(target string, size int) error {
	base := len(w.request("GET", target))
	const field = "X-Padding: \r\n"
	pad := size - base - len(field)
	if pad < 0 {
		return harness("a head of %d bytes is too small for GET %s (at least %d)", size, target, base+len(field))
	}
	return w.send(w.request("GET", target, "X-Padding: "+strings.Repeat("a", pad)))
}

// sendManyFields sends a GET with count header fields in all, Host
// included.
func (w *world) sendManyFields(target string, count int) error {
	if count < 1 {
		return harness("a request has at least its Host field")
	}
	var extra []string
	for i := 1; i < count; i++ {
		extra = append(extra, "X-Field-"+strconv.Itoa(i)+": "+strconv.Itoa(i))
	}
	return w.send(w.request("GET", target, extra...))
}

// sendBigField sends a GET with one header field line of size bytes
// (without its CRLF).
func (w *world) sendBigField(target string, size int) error {
	const name = "X-Big: "
	if size < len(name) {
		return harness("a field line of %d bytes is shorter than %q", size, name)
	}
	return w.send(w.request("GET", target, name+strings.Repeat("b", size-len(name))))
}

// sendLongTarget sends a GET whose request-target is size bytes: "/"
// and then "a"s.
func (w *world) sendLongTarget(size int) error {
	if size < 1 {
		return harness("a request-target has at least one byte")
	}
	return w.send(w.request("GET", "/"+strings.Repeat("a", size-1)))
}

// sendBigTrailer sends one trailer field line of size bytes and the empty
// line that ends the trailer section.
func (w *world) sendBigTrailer(size int) error {
	const name = "X-Trailer: "
	if size < len(name) {
		return harness("a field line of %d bytes is shorter than %q", size, name)
	}
	return w.send([]byte(name + strings.Repeat("t", size-len(name)) + "\r\n\r\n"))
}

// flood is a writer that keeps sending while the scenario does other
// things: a client that pipelines without reading.
type flood struct {
	wg   sync.WaitGroup
	err  error // set before wg.Done
	sent int
}

// startFlood starts writing n pipelined requests on the current connection
// from another goroutine, since the writes may block once the server
// stops reading.
func (w *world) startFlood(n int, target string) error {
	c, err := w.conn()
	if err != nil {
		return err
	}
	var all []byte
	for range n {
		all = append(all, w.request("GET", target)...)
	}
	// The request parser learns the methods now: the responses are read
	// by other steps while the writer may still be blocked.
	c.trackSent(all)
	f := &flood{sent: n}
	f.wg.Add(1)
	deadline := w.deadline()
	go func() {
		defer f.wg.Done()
		c.conn.SetWriteDeadline(deadline)
		k, err := c.conn.Write(all)
		c.log.add(c.id, evSend, all[:k], "")
		if err != nil {
			f.err = fmt.Errorf("connection %d: writing %d pipelined requests: %w", c.id, n, err)
		}
	}()
	w.floods = append(w.floods, f)
	return nil
}

func (w *world) halfClose() error {
	c, err := w.conn()
	if err != nil {
		return err
	}
	return c.closeWrite()
}

// waitMoment lets the target act on what it has received: until every
// goroutine of the scenario is blocked on the fake clock, for the grace
// period on the real one.
func (w *world) waitMoment() error {
	w.ex.settle()
	return nil
}

// waitFloods waits for the pipelining writers to finish.
func (w *world) waitFloods() error {
	for _, f := range w.floods {
		f.wg.Wait()
		if f.err != nil {
			return f.err
		}
	}
	return nil
}
