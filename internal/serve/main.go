package serve

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"net"
	"time"

	"github.com/conformhttp/conform/impl/server"
)

// ErrUsage is wrapped by the errors Main returns for a wrong command line;
// their message says how to fix it. Main returns flag.ErrHelp, after
// printing the usage to stdout, for -h and --help.
var ErrUsage = errors.New("usage")

// shutdownGrace bounds the graceful shutdown after the context ends.
const shutdownGrace = 5 * time.Second

// Options are the settings of conform serve.
type Options struct {
	Addr                 string
	HeadersTimeout       time.Duration // 0 disables
	RequestTimeout       time.Duration // 0 disables
	KeepAliveTimeout     time.Duration // 0 disables
	IdleTimeout          time.Duration // 0 disables
	MaxHeaderSize        int
	MaxHeaders           int
	MaxRequestsPerSocket int           // 0: no limit
	HandlerHandoff       time.Duration // 0: every handler in a goroutine of its own
}

// DefaultOptions are Node's defaults on a loopback address.
func DefaultOptions() Options {
	return Options{
		Addr:             "127.0.0.1:8080",
		HeadersTimeout:   server.DefaultHeadersTimeout,
		RequestTimeout:   server.DefaultRequestTimeout,
		KeepAliveTimeout: server.DefaultKeepAliveTimeout,
		MaxHeaderSize:    server.DefaultMaxHeaderSize,
		MaxHeaders:       server.DefaultMaxHeaders,
		HandlerHandoff:   server.DefaultHandlerHandoff,
	}
}

// ParseArgs parses the arguments of conform serve (without "serve").
func ParseArgs(args []string, usage io.Writer) (Options, error) {
	o := DefaultOptions()
	fs := flag.NewFlagSet("conform serve", flag.ContinueOnError)
	fs.SetOutput(usage)
	fs.StringVar(&o.Addr, "addr", o.Addr, "`host:port` to listen on (port 0 picks a free one)")
	fs.DurationVar(&o.HeadersTimeout, "headers-timeout", o.HeadersTimeout, "time from a request's first byte to the end of its head; 0 disables")
	fs.DurationVar(&o.RequestTimeout, "request-timeout", o.RequestTimeout, "time from a request's first byte to the end of its body; 0 disables")
	fs.DurationVar(&o.KeepAliveTimeout, "keep-alive-timeout", o.KeepAliveTimeout, "idle time allowed between requests; 0 disables")
	fs.DurationVar(&o.IdleTimeout, "idle-timeout", o.IdleTimeout, "close a connection without traffic for this long; 0 disables")
	fs.IntVar(&o.MaxHeaderSize, "max-header-size", o.MaxHeaderSize, "largest request head in `bytes` (answered 431 beyond)")
	fs.IntVar(&o.MaxHeaders, "max-headers", o.MaxHeaders, "most header fields in a request (answered 431 beyond)")
	fs.IntVar(&o.MaxRequestsPerSocket, "max-requests-per-socket", o.MaxRequestsPerSocket, "requests served per connection; 0 means no limit")
	fs.DurationVar(&o.HandlerHandoff, "handler-handoff", o.HandlerHandoff, "how long a handler may run on the connection's reading goroutine before reading moves on; 0 gives every handler its own goroutine")
	fs.Usage = func() {
		fmt.Fprintf(fs.Output(), "Usage: conform serve [flags]\n\nRuns the reference server with the routes /, /echo, /delay?ms=N, /status/N,\n/stream?chunks=N, /big?bytes=N and /close, and CONNECT to loopback targets.\n\nFlags:\n")
		fs.PrintDefaults()
	}
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return o, flag.ErrHelp
		}
		return o, fmt.Errorf("%w: %v (run \"conform serve -h\" for the flags)", ErrUsage, err)
	}
	if fs.NArg() > 0 {
		return o, fmt.Errorf("%w: unexpected argument %q: conform serve takes only flags, as --addr 127.0.0.1:8080", ErrUsage, fs.Arg(0))
	}
	if _, _, err := net.SplitHostPort(o.Addr); err != nil {
		return o, fmt.Errorf("%w: --addr %q: %v; write host:port, as 127.0.0.1:8080", ErrUsage, o.Addr, err)
	}
	for _, d := range []struct {
		name string
		v    time.Duration
	}{
		{"headers-timeout", o.HeadersTimeout}, {"request-timeout", o.RequestTimeout},
		{"keep-alive-timeout", o.KeepAliveTimeout}, {"idle-timeout", o.IdleTimeout},
		{"handler-handoff", o.HandlerHandoff},
	} {
		if d.v < 0 {
			return o, fmt.Errorf("%w: --%s %v is negative; use 0 to disable it", ErrUsage, d.name, d.v)
		}
	}
	for _, n := range []struct {
		name string
		v    int
		min  int
	}{
		{"max-header-size", o.MaxHeaderSize, 1}, {"max-headers", o.MaxHeaders, 1}, {"max-requests-per-socket", o.MaxRequestsPerSocket, 0},
	} {
		if n.v < n.min {
			return o, fmt.Errorf("%w: --%s %d must be at least %d", ErrUsage, n.name, n.v, n.min)
		}
	}
	return o, nil
}

// NewServer returns the reference server with the routes and the CONNECT
// tunnel, configured by o. Tunnels end when ctx is cancelled.
func NewServer(ctx context.Context, o Options) *server.Server {
	disabled := func(d time.Duration) time.Duration {
		if d == 0 {
			return -1
		}
		return d
	}
	var d net.Dialer
	t := &tunneler{ctx: ctx, dial: d.DialContext}
	return &server.Server{
		Addr:                 o.Addr,
		Handler:              Handler(),
		OnConnect:            t.connect,
		HeadersTimeout:       disabled(o.HeadersTimeout),
		RequestTimeout:       disabled(o.RequestTimeout),
		KeepAliveTimeout:     disabled(o.KeepAliveTimeout),
		IdleTimeout:          o.IdleTimeout,
		MaxHeaderSize:        o.MaxHeaderSize,
		MaxHeaders:           o.MaxHeaders,
		MaxRequestsPerSocket: o.MaxRequestsPerSocket,
		HandlerHandoff:       disabled(o.HandlerHandoff),
	}
}

// Main runs conform serve with args (the arguments after "serve"). It
// prints "conform serve: listening on HOST:PORT" to stdout once it
// listens, serves until ctx is cancelled (cmd/conform cancels it on SIGINT
// and SIGTERM), then shuts down gracefully, waiting at most 5 s for
// requests in flight, and returns nil. A wrong command line gives an error
// wrapping ErrUsage; -h gives flag.ErrHelp.
func Main(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	o, err := ParseArgs(args, stdout)
	if err != nil {
		if !errors.Is(err, flag.ErrHelp) {
			fmt.Fprintln(stderr, "conform serve:", err)
		}
		return err
	}
	var lc net.ListenConfig
	l, err := lc.Listen(ctx, "tcp", o.Addr)
	if err != nil {
		return fmt.Errorf("conform serve: %w", err)
	}
	srv := NewServer(ctx, o)
	srv.ErrorLog = newLogger(stderr)
	fmt.Fprintf(stdout, "conform serve: listening on %s\n", l.Addr())

	served := make(chan error, 1)
	go func() { served <- srv.Serve(l) }()
	select {
	case err := <-served:
		return fmt.Errorf("conform serve: %w", err)
	case <-ctx.Done():
	}
	sctx, cancel := context.WithTimeout(context.Background(), shutdownGrace)
	defer cancel()
	if err := srv.Shutdown(sctx); err != nil {
		fmt.Fprintf(stderr, "conform serve: requests still running after %v were cut off\n", shutdownGrace)
	}
	<-served
	return nil
}
