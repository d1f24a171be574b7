package server

import (
	"errors"
	"fmt"
	"io"
	"log"
	"net"
	"sync"
	"testing"
	"time"

	"github.com/conformhttp/conform/impl/parser"
)

// resp is a response as a test client read it.
type resp struct {
	Status  int
	Reason  string
	Header  Header
	Body    string
	Trailer Header
	Chunked bool
}

// testClient talks raw HTTP/1.1 to a server over one connection. It parses
// what it sends (to know which responses answer HEAD) and what it receives
// with impl/parser.
type testClient struct {
	t    testing.TB
	conn net.Conn

	reqP     *parser.Parser
	mu       sync.Mutex // guards methods: send and read may run in different goroutines
	methods  []string   // methods of the requests sent, not yet matched with a final response
	respP    *parser.Parser
	got      []resp // complete responses not yet returned
	cur      resp
	body     []byte
	field    []byte
	value    []byte
	inValue  bool
	trailers bool
	eof      bool
	buf      []byte
}

// pipeClient serves srv on one end of a net.Pipe and returns a client on
// the other. The serving goroutine belongs to the test: cleanup closes the
// client end and waits for it.
func pipeClient(t testing.TB, srv *Server) *testClient {
	cli, sc := net.Pipe()
	done := make(chan struct{})
	go func() {
		defer close(done)
		srv.ServeConn(sc)
	}()
	t.Cleanup(func() {
		cli.Close()
		<-done
	})
	return newTestClient(t, cli)
}

func newTestClient(t testing.TB, conn net.Conn) *testClient {
	c := &testClient{t: t, conn: conn, buf: make([]byte, 4096)}
	c.reqP = parser.New(parser.Config{Type: parser.Request, Lenient: parser.LenientAll}, &parser.Callbacks{
		OnHeadersComplete: func(p *parser.Parser) (parser.HeadersDecision, error) {
			c.mu.Lock()
			c.methods = append(c.methods, p.Method().String())
			c.mu.Unlock()
			return parser.Proceed, nil
		},
	})
	c.respP = parser.New(parser.Config{Type: parser.Response}, &parser.Callbacks{
		OnMessageBegin: func(*parser.Parser) error {
			c.cur = resp{}
			c.body = c.body[:0]
			c.trailers = false
			return nil
		},
		OnStatus: func(_ *parser.Parser, b []byte) error {
			c.cur.Reason += string(b)
			return nil
		},
		OnHeaderField: func(_ *parser.Parser, b []byte) error {
			c.flushField()
			c.field = append(c.field, b...)
			return nil
		},
		OnHeaderValue: func(_ *parser.Parser, b []byte) error {
			c.inValue = true
			c.value = append(c.value, b...)
			return nil
		},
		OnHeaderFieldComplete: func(*parser.Parser) error {
			c.inValue = true
			return nil
		},
		OnHeadersComplete: func(p *parser.Parser) (parser.HeadersDecision, error) {
			c.flushField()
			c.trailers = true
			c.cur.Status = p.StatusCode()
			c.cur.Chunked = p.Flags()&parser.FlagChunked != 0
			c.mu.Lock()
			var m string
			if c.cur.Status >= 200 && len(c.methods) > 0 {
				m = c.methods[0]
				c.methods = c.methods[1:]
			}
			c.mu.Unlock()
			if m != "" {
				if m == "HEAD" {
					return parser.SkipBody, nil
				}
				if m == "CONNECT" && c.cur.Status < 300 {
					return parser.SkipBodyUpgrade, nil
				}
			}
			return parser.Proceed, nil
		},
		OnBody: func(_ *parser.Parser, b []byte) error {
			c.body = append(c.body, b...)
			return nil
		},
		OnMessageComplete: func(*parser.Parser) error {
			c.flushField()
			c.cur.Body = string(c.body)
			c.got = append(c.got, c.cur)
			return nil
		},
	})
	return c
}

func (c *testClient) flushField() {
	if !c.inValue {
		return
	}
	v := string(c.value)
	for len(v) > 0 && (v[len(v)-1] == ' ' || v[len(v)-1] == '\t') {
		v = v[:len(v)-1]
	}
	f := Field{Name: string(c.field), Value: v}
	if c.trailers {
		c.cur.Trailer = append(c.cur.Trailer, f)
	} else {
		c.cur.Header = append(c.cur.Header, f)
	}
	c.field, c.value, c.inValue = c.field[:0], c.value[:0], false
}

// send writes raw request bytes.
func (c *testClient) send(raw string) {
	c.t.Helper()
	c.reqP.Execute([]byte(raw))
	c.conn.SetWriteDeadline(time.Now().Add(clientPatience))
	if _, err := io.WriteString(c.conn, raw); err != nil {
		c.t.Fatalf("writing request: %v", err)
	}
}

// sendAsync writes raw request bytes from another goroutine, for a client
// that reads while it writes; the returned channel yields the write's
// error.
func (c *testClient) sendAsync(raw string) <-chan error {
	c.reqP.Execute([]byte(raw))
	done := make(chan error, 1)
	go func() {
		_, err := io.WriteString(c.conn, raw)
		done <- err
	}()
	return done
}

// clientPatience is how long (in fake time, under synctest) a test client
// waits for bytes before it gives up.
const clientPatience = 1000 * time.Hour

// fill reads once and parses; it reports false at EOF, and an error for
// anything else.
func (c *testClient) fill() (bool, error) {
	if c.eof {
		return false, nil
	}
	c.conn.SetReadDeadline(time.Now().Add(clientPatience))
	n, err := c.conn.Read(c.buf)
	if n > 0 {
		if _, perr := c.respP.Execute(c.buf[:n]); perr != nil {
			var pe *parser.Error
			if !errors.As(perr, &pe) || pe.Code != parser.ErrPausedUpgrade {
				return false, fmt.Errorf("client: bad response bytes %q: %w", c.buf[:n], perr)
			}
		}
	}
	if err != nil {
		c.eof = true
		if !errors.Is(err, io.EOF) {
			return false, fmt.Errorf("client: read: %w", err)
		}
		return false, nil
	}
	return true, nil
}

// read returns the next n responses (interim ones included).
func (c *testClient) read(n int) []resp {
	c.t.Helper()
	for len(c.got) < n {
		more, err := c.fill()
		if err != nil {
			c.t.Fatal(err)
		}
		if !more {
			c.t.Fatalf("client: connection closed after %d of %d responses: %+v", len(c.got), n, c.got)
		}
	}
	out := c.got[:n:n]
	c.got = c.got[n:]
	return out
}

// readToEOF returns every response until the server closes the
// connection.
func (c *testClient) readToEOF() []resp {
	c.t.Helper()
	out, err := c.responsesToEOF()
	if err != nil {
		c.t.Fatal(err)
	}
	return out
}

// responsesToEOF is readToEOF for goroutines other than the test's.
func (c *testClient) responsesToEOF() ([]resp, error) {
	for {
		more, err := c.fill()
		if err != nil {
			return c.got, err
		}
		if !more {
			break
		}
	}
	if err := c.respP.Finish(); err != nil {
		return c.got, fmt.Errorf("client: connection closed inside a response: %w (complete: %+v)", err, c.got)
	}
	out := c.got
	c.got = nil
	return out, nil
}

// readRaw reads until EOF and returns the bytes.
func (c *testClient) readRaw() string {
	c.t.Helper()
	c.conn.SetReadDeadline(time.Now().Add(clientPatience))
	b, err := io.ReadAll(c.conn)
	if err != nil {
		c.t.Fatalf("client: read: %v", err)
	}
	return string(b)
}

// noDate drops Date fields, whose value depends on the clock.
func noDate(rs []resp) []resp {
	for i := range rs {
		rs[i].Header = rs[i].Header.Clone()
		rs[i].Header.Del("Date")
	}
	return rs
}

// ok is the response the tests' simple handlers give.
func okResp(body string, extra ...Field) resp {
	h := Header{{"Content-Type", "text/plain"}}
	h = append(h, extra...)
	h = append(h, Field{"Content-Length", itoa(len(body))})
	return resp{Status: 200, Reason: "OK", Header: h, Body: body}
}

func itoa(n int) string {
	if n == 0 {
		return "0"
	}
	var b []byte
	for n > 0 {
		b = append([]byte{byte('0' + n%10)}, b...)
		n /= 10
	}
	return string(b)
}

// quietLog is a logger that discards, for tests that provoke panics.
func quietLog() *log.Logger { return log.New(io.Discard, "", 0) }

// orNew returns s, or a new Server when s is nil.
func orNew(s *Server) *Server {
	if s == nil {
		return &Server{}
	}
	return s
}
