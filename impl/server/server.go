package server

import (
	"context"
	"errors"
	"log"
	"net"
	"sync"
	"time"

	"github.com/conformhttp/conform/impl/parser"
)

// A Handler answers one request. It runs concurrently with the handlers of
// other requests on the same connection (see "Handlers and goroutines" in
// the package documentation); its response is sent after the responses to
// every earlier request on that connection. The Request and ResponseWriter
// must not be used after ServeHTTP returns.
type Handler interface {
	ServeHTTP(w ResponseWriter, r *Request)
}

// HandlerFunc adapts a function to Handler.
type HandlerFunc func(w ResponseWriter, r *Request)

// ServeHTTP calls f(w, r).
func (f HandlerFunc) ServeHTTP(w ResponseWriter, r *Request) { f(w, r) }

// ConnState is a state of a connection, reported to OnConnState.
type ConnState uint8

// Connection states.
const (
	// StateNew: accepted, no byte of a request read yet.
	StateNew ConnState = iota
	// StateActive: a request is being read or answered.
	StateActive
	// StateIdle: every response written, waiting for the next request
	// (the keep-alive timeout runs).
	StateIdle
	// StateHijacked: handed to OnConnect or OnUpgrade; the server no
	// longer reads or writes it.
	StateHijacked
	// StateClosed: closed by the server or the client.
	StateClosed
)

func (s ConnState) String() string {
	switch s {
	case StateNew:
		return "new"
	case StateActive:
		return "active"
	case StateIdle:
		return "idle"
	case StateHijacked:
		return "hijacked"
	case StateClosed:
		return "closed"
	}
	return "unknown"
}

// TimeoutKind says which timeout expired, for OnTimeout.
type TimeoutKind uint8

// Timeout kinds.
const (
	TimeoutHeaders   TimeoutKind = iota + 1 // HeadersTimeout: answered 408, closed
	TimeoutRequest                          // RequestTimeout: answered 408, closed
	TimeoutKeepAlive                        // KeepAliveTimeout (or the wait for a first request): closed silently
	TimeoutIdle                             // IdleTimeout: closed at once
)

func (k TimeoutKind) String() string {
	switch k {
	case TimeoutHeaders:
		return "headers"
	case TimeoutRequest:
		return "request"
	case TimeoutKeepAlive:
		return "keep-alive"
	case TimeoutIdle:
		return "idle"
	}
	return "unknown"
}

// Defaults, as Node's http.Server.
const (
	DefaultHeadersTimeout   = 60 * time.Second
	DefaultRequestTimeout   = 300 * time.Second
	DefaultKeepAliveTimeout = 5 * time.Second
	DefaultLingerTimeout    = time.Second
	DefaultMaxHeaderSize    = parser.DefaultMaxHeaderSize
	DefaultMaxHeaders       = 100
	DefaultHighWaterMark    = 64 << 10
	DefaultPipelineLimit    = 128
	DefaultMaxBodyDrain     = 256 << 10
	DefaultHandlerHandoff   = 100 * time.Microsecond
)

// Server serves HTTP/1.1 on the connections it is given. Set its fields
// before the first call to Serve, ServeConn or ListenAndServe and do not
// change them afterwards. The zero value serves 404 to every request.
type Server struct {
	// Addr is the address ListenAndServe listens on ("127.0.0.1:8080").
	Addr string

	// Handler answers requests (Node's 'request' event). Nil answers 404.
	Handler Handler

	// OnConnect receives every CONNECT request (Node's 'connect' event)
	// once the responses to earlier requests on the connection are
	// written: the request, the connection, and head, the bytes that
	// arrived after the request head (the start of the tunnel). The hook
	// owns conn from then on and writes the response itself (for example
	// "HTTP/1.1 200 Connection Established\r\n\r\n"). It runs in the
	// connection's goroutine; Shutdown waits for it to return, and Close
	// closes conn. r.Context() is cancelled by Close. Nil: the connection
	// is closed without an answer, as Node does.
	OnConnect func(r *Request, conn net.Conn, head []byte)

	// OnUpgrade receives, like OnConnect, every request without a body
	// that carries "Connection: upgrade" and an Upgrade field (Node's
	// 'upgrade' event); it writes the 101 response itself. Nil: the
	// Upgrade field is ignored and the request goes to Handler.
	OnUpgrade func(r *Request, conn net.Conn, head []byte)

	// OnCheckContinue, if set, answers requests with "Expect:
	// 100-continue" instead of Handler (Node's 'checkContinue' event). It
	// may send the interim response with w.WriteHeader(100), reject the
	// request with a final status, or read the body, which sends the 100
	// first. Nil: Handler is called, and the 100 is sent when it first
	// reads the body.
	OnCheckContinue Handler

	// OnCheckExpectation, if set, answers requests with an Expect value
	// other than 100-continue (Node's 'checkExpectation' event). Nil: they
	// are answered 417 Expectation Failed and the connection is closed.
	OnCheckExpectation Handler

	// OnClientError is called when a request cannot be read (Node's
	// 'clientError' event); it returns the bytes to send before the
	// connection closes — e.Response() for the default, nil for nothing.
	// The bytes are sent after the responses to earlier requests. Nil:
	// e.Response() is sent.
	OnClientError func(e *ClientError) []byte

	// OnTimeout is told when a timeout expires (Node's 'timeout' event),
	// before the server acts on it as TimeoutKind describes. It runs in
	// the connection's goroutine and must not block.
	OnTimeout func(conn net.Conn, kind TimeoutKind)

	// OnConnState is told of every state change of a connection. It is
	// called with the connection's lock held: it must return quickly and
	// must not call back into the server.
	OnConnState func(conn net.Conn, state ConnState)

	// ErrorLog receives handler panics and accept errors. Nil: the log
	// package's standard logger.
	ErrorLog *log.Logger

	// HeadersTimeout bounds the time from the first byte of a request to
	// the end of its head; it restarts for each request on a keep-alive
	// connection. On expiry the server answers 408 and closes. It also
	// bounds the wait for the first byte on a new connection, which
	// closes silently. Zero means DefaultHeadersTimeout (60 s); negative
	// means no limit.
	HeadersTimeout time.Duration

	// RequestTimeout bounds the time from the first byte of a request to
	// the end of its body. On expiry the server answers 408 (if the
	// request's response has not started) and closes. Zero means
	// DefaultRequestTimeout (300 s); negative means no limit.
	RequestTimeout time.Duration

	// KeepAliveTimeout bounds the idle time between the last response
	// and the first byte of the next request; on expiry the connection is
	// closed silently. Zero means DefaultKeepAliveTimeout (5 s); negative
	// means no limit.
	KeepAliveTimeout time.Duration

	// IdleTimeout closes a connection on which nothing was read or
	// written for this long (Node's server.timeout, the socket timeout),
	// even while a handler is running. Zero or negative means no limit,
	// as in Node.
	IdleTimeout time.Duration

	// LingerTimeout bounds how long the server keeps reading (and
	// discarding) after it has sent the last response and half-closed a
	// TCP connection, so that unread request bytes do not turn the close
	// into a reset that destroys the response. Zero means
	// DefaultLingerTimeout (1 s); negative closes at once.
	LingerTimeout time.Duration

	// MaxHeaderSize bounds the request line plus header fields of a
	// request, and separately its trailer section; a larger one is
	// answered 431. Zero means DefaultMaxHeaderSize (16 KiB); negative
	// means no limit.
	MaxHeaderSize int

	// MaxHeaders bounds the number of header fields of a request (and of
	// trailer fields); more is answered 431. Zero means DefaultMaxHeaders
	// (100); negative means no limit.
	MaxHeaders int

	// MaxRequestsPerSocket is the number of requests served on one
	// connection: the response to the last carries Connection: close.
	// Zero or negative means no limit, as in Node.
	MaxRequestsPerSocket int

	// HighWaterMark is the amount of buffered response data on one
	// connection above which the server stops reading from it until the
	// client has taken enough. Zero means DefaultHighWaterMark (64 KiB);
	// negative means no limit (a client that never reads can then make
	// the server buffer without bound).
	HighWaterMark int

	// PipelineLimit is the number of requests on one connection that may
	// wait for their responses (each with a running handler); beyond it
	// the server stops reading from the connection. Zero means
	// DefaultPipelineLimit (128); negative means no limit.
	PipelineLimit int

	// MaxBodyDrain is how much of a request body the server reads and
	// discards when a handler returns without reading it all; a longer
	// body closes the connection after the response instead. Zero means
	// DefaultMaxBodyDrain (256 KiB); negative means never drain (always
	// close).
	MaxBodyDrain int64

	// HandlerHandoff is how long the handler of a request without a body
	// may run on the goroutine that reads the connection before reading
	// moves to a new goroutine, so that the next pipelined requests start
	// without waiting for it (see "Handlers and goroutines" in the package
	// documentation). A slow handler delays the start of the next one by
	// between one and two HandlerHandoff, and at least the timer's
	// resolution (about a millisecond on an idle Linux machine). Zero
	// means DefaultHandlerHandoff (100 µs); negative means every handler
	// starts in a goroutine of its own as soon as its head is read.
	HandlerHandoff time.Duration

	// CloseOnHalfClose makes a client's half-close (EOF on the read side)
	// abandon the requests not yet answered and close the connection at
	// once, as Node does with httpAllowHalfOpen false. When false (the
	// default) the server answers every request it has read, then closes.
	CloseOnHalfClose bool

	// Lenient selects the parser's lenient modes (strict when zero).
	Lenient parser.Lenient

	date dateCache

	mu        sync.Mutex
	listeners map[net.Listener]struct{} // guarded by mu
	conns     map[*conn]struct{}        // guarded by mu; every connection being served or hijacked
	drained   chan struct{}             // guarded by mu; closed when conns becomes empty during Shutdown
	closing   bool                      // guarded by mu; Shutdown or Close has begun
	baseCtx   context.Context           // guarded by mu; cancelled by Close
	cancel    context.CancelFunc        // guarded by mu
}

// config holds a server's settings with defaults applied.
type config struct {
	headersTimeout, requestTimeout, keepAlive, idle, linger time.Duration
	maxHeaders, maxRequests, highWater, pipelineLimit       int
	maxDrain                                                int64
	handoff                                                 time.Duration // zero: no inline handlers
	parser                                                  parser.Config
}

func positive(v, def time.Duration) time.Duration {
	switch {
	case v == 0:
		return def
	case v < 0:
		return 0
	}
	return v
}

func positiveInt(v, def int) int {
	switch {
	case v == 0:
		return def
	case v < 0:
		return 0
	}
	return v
}

func (s *Server) config() config {
	c := config{
		headersTimeout: positive(s.HeadersTimeout, DefaultHeadersTimeout),
		requestTimeout: positive(s.RequestTimeout, DefaultRequestTimeout),
		keepAlive:      positive(s.KeepAliveTimeout, DefaultKeepAliveTimeout),
		idle:           max(s.IdleTimeout, 0),
		linger:         positive(s.LingerTimeout, DefaultLingerTimeout),
		maxHeaders:     positiveInt(s.MaxHeaders, DefaultMaxHeaders),
		maxRequests:    max(s.MaxRequestsPerSocket, 0),
		highWater:      positiveInt(s.HighWaterMark, DefaultHighWaterMark),
		pipelineLimit:  positiveInt(s.PipelineLimit, DefaultPipelineLimit),
		maxDrain:       s.MaxBodyDrain,
		handoff:        positive(s.HandlerHandoff, DefaultHandlerHandoff),
		parser:         parser.Config{Type: parser.Request, Lenient: s.Lenient, MaxHeaderSize: s.MaxHeaderSize},
	}
	if c.maxDrain == 0 {
		c.maxDrain = DefaultMaxBodyDrain
	}
	if c.maxDrain < 0 {
		c.maxDrain = 0
	}
	return c
}

func (s *Server) logf(format string, args ...any) {
	if s.ErrorLog != nil {
		s.ErrorLog.Printf(format, args...)
		return
	}
	log.Printf(format, args...)
}

// base returns the context every connection's context derives from.
// Called with s.mu held.
func (s *Server) baseLocked() context.Context {
	if s.baseCtx == nil {
		s.baseCtx, s.cancel = context.WithCancel(context.Background())
	}
	return s.baseCtx
}

// ListenAndServe listens on s.Addr (":http" when empty) and serves.
func (s *Server) ListenAndServe() error {
	addr := s.Addr
	if addr == "" {
		addr = ":http"
	}
	l, err := net.Listen("tcp", addr)
	if err != nil {
		return err
	}
	return s.Serve(l)
}

// Serve accepts connections on l and serves each in its own goroutine,
// owned by the server (Shutdown and Close end them). It closes l when it
// returns. After Shutdown or Close it returns ErrServerClosed.
func (s *Server) Serve(l net.Listener) error {
	s.mu.Lock()
	if s.closing {
		s.mu.Unlock()
		l.Close()
		return ErrServerClosed
	}
	if s.listeners == nil {
		s.listeners = make(map[net.Listener]struct{})
	}
	s.listeners[l] = struct{}{}
	s.mu.Unlock()
	defer func() {
		s.mu.Lock()
		delete(s.listeners, l)
		s.mu.Unlock()
		l.Close()
	}()

	cfg := s.config()
	var backoff time.Duration
	for {
		rw, err := l.Accept()
		if err != nil {
			if s.isClosing() {
				return ErrServerClosed
			}
			var ne net.Error
			if errors.As(err, &ne) && ne.Timeout() {
				continue
			}
			if !errors.Is(err, net.ErrClosed) && isTemporaryAccept(err) {
				// Out of file descriptors and the like: wait a little
				// and try again, as net/http does.
				backoff = min(max(2*backoff, 5*time.Millisecond), time.Second)
				s.logf("server: accept error: %v; retrying in %v", err, backoff)
				time.Sleep(backoff)
				continue
			}
			return err
		}
		backoff = 0
		c := s.newConn(rw, cfg)
		if c == nil {
			continue
		}
		go c.serve()
	}
}

// ServeConn serves one connection and returns when it is closed or
// hijacked (nil), or ErrServerClosed if the server was already shutting
// down (rw is then closed).
func (s *Server) ServeConn(rw net.Conn) error {
	c := s.newConn(rw, s.config())
	if c == nil {
		return ErrServerClosed
	}
	// Not in this goroutine: handlers may run on the connection's
	// goroutine (inline.go), and one that calls runtime.Goexit must not
	// end the caller's.
	go c.serve()
	<-c.ended
	return nil
}

func (s *Server) isClosing() bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.closing
}

// newConn registers rw, or closes it and returns nil when the server is
// shutting down.
func (s *Server) newConn(rw net.Conn, cfg config) *conn {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closing {
		rw.Close()
		return nil
	}
	if s.conns == nil {
		s.conns = make(map[*conn]struct{})
	}
	c := newConn(s, rw, cfg, s.baseLocked())
	s.conns[c] = struct{}{}
	return c
}

// forget removes c from the server's connections once its goroutine ends.
func (s *Server) forget(c *conn) {
	s.mu.Lock()
	defer s.mu.Unlock()
	delete(s.conns, c)
	if len(s.conns) == 0 && s.drained != nil {
		close(s.drained)
		s.drained = nil
	}
}

// Shutdown stops the server gracefully: it closes the listeners, closes
// idle connections, lets every connection finish the requests it has
// already read (the last response carries Connection: close where it has
// not started), waits for running OnConnect and OnUpgrade hooks, and
// returns nil once every connection goroutine has ended. If ctx ends
// first, Shutdown calls Close and returns ctx.Err(); handlers that do not
// honour Request.Context may then still be running.
func (s *Server) Shutdown(ctx context.Context) error {
	s.mu.Lock()
	s.closing = true
	for l := range s.listeners {
		l.Close()
	}
	var done chan struct{}
	if len(s.conns) > 0 {
		if s.drained == nil {
			s.drained = make(chan struct{})
		}
		done = s.drained
	}
	conns := make([]*conn, 0, len(s.conns))
	for c := range s.conns {
		conns = append(conns, c)
	}
	s.mu.Unlock()

	for _, c := range conns {
		c.shutdown()
	}
	if done == nil {
		return nil
	}
	select {
	case <-done:
		return nil
	case <-ctx.Done():
		s.Close()
		return ctx.Err()
	}
}

// Close stops the server at once: it closes the listeners and every
// connection, hijacked ones included, and cancels every request's context.
// It does not wait for handlers to return.
func (s *Server) Close() error {
	s.mu.Lock()
	s.closing = true
	for l := range s.listeners {
		l.Close()
	}
	conns := make([]*conn, 0, len(s.conns))
	for c := range s.conns {
		conns = append(conns, c)
	}
	if s.cancel != nil {
		s.cancel()
	}
	s.mu.Unlock()
	for _, c := range conns {
		c.abort(ErrServerClosed)
	}
	return nil
}
