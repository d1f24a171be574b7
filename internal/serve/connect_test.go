package serve

import (
	"bufio"
	"context"
	"errors"
	"io"
	"net"
	"net/http"
	"strings"
	"sync"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// dialLog records the tunneler's dials; the hook runs in a server
// goroutine.
type dialLog struct {
	mu    sync.Mutex
	addrs []string
}

func (d *dialLog) add(a string) {
	d.mu.Lock()
	defer d.mu.Unlock()
	d.addrs = append(d.addrs, a)
}

func (d *dialLog) list() []string {
	d.mu.Lock()
	defer d.mu.Unlock()
	return append([]string(nil), d.addrs...)
}

// startServe serves the routes on a loopback listener with a tunneler
// whose dials are recorded. Cleanup shuts down and waits.
func startServe(t *testing.T) (addr string, dialed *dialLog) {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	srv := NewServer(ctx, DefaultOptions())
	dialed = &dialLog{}
	var d net.Dialer
	tn := &tunneler{ctx: ctx, dial: func(ctx context.Context, network, addr string) (net.Conn, error) {
		dialed.add(addr)
		return d.DialContext(ctx, network, addr)
	}}
	srv.OnConnect = tn.connect
	done := make(chan struct{})
	go func() {
		defer close(done)
		srv.Serve(l)
	}()
	t.Cleanup(func() {
		cancel()
		srv.Shutdown(context.Background())
		<-done
	})
	return l.Addr().String(), dialed
}

// upstream is an echo service: it answers each connection with "up:" and
// then echoes until EOF, then closes.
func upstream(t *testing.T) string {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	done := make(chan struct{})
	go func() {
		defer close(done)
		c, err := l.Accept()
		if err != nil {
			return
		}
		defer c.Close()
		io.WriteString(c, "up:")
		io.Copy(c, c)
	}()
	t.Cleanup(func() {
		l.Close()
		<-done
	})
	return l.Addr().String()
}

func TestConnectTunnel(t *testing.T) {
	addr, dialed := startServe(t)
	up := upstream(t)
	conn, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	io.WriteString(conn, "CONNECT "+up+" HTTP/1.1\r\nHost: "+up+"\r\n\r\nhead bytes;")
	br := bufio.NewReader(conn)
	res, err := http.ReadResponse(br, &http.Request{Method: "CONNECT"})
	if err != nil {
		t.Fatal(err)
	}
	if res.StatusCode != 200 {
		t.Fatalf("CONNECT answered %d, want 200", res.StatusCode)
	}
	io.WriteString(conn, "more")
	conn.(*net.TCPConn).CloseWrite()
	rest, err := io.ReadAll(br)
	if err != nil {
		t.Fatal(err)
	}
	// The upstream greets, then echoes the head bytes and what followed,
	// and the half-close travels through so that it ends.
	if diff := cmp.Diff("up:head bytes;more", string(rest)); diff != "" {
		t.Errorf("tunnel bytes (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff([]string{up}, dialed.list()); diff != "" {
		t.Errorf("dials (-want +got):\n%s", diff)
	}
}

func TestConnectRefused(t *testing.T) {
	closedPort := func() string {
		l, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			t.Fatal(err)
		}
		a := l.Addr().String()
		l.Close()
		return a
	}()
	tests := []struct {
		name, reason string
		target       string
		status       int
		dials        bool
	}{
		{"public address", "only loopback targets are tunnelled", "192.0.2.1:80", 403, false},
		{"host name", "names other than localhost are not resolved", "example.com:443", 403, false},
		{"no port", "the target must be host:port", "127.0.0.1", 400, false},
		{"unreachable", "a loopback target nobody listens on is 502", closedPort, 502, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			addr, dialed := startServe(t)
			conn, err := net.Dial("tcp", addr)
			if err != nil {
				t.Fatal(err)
			}
			defer conn.Close()
			io.WriteString(conn, "CONNECT "+tt.target+" HTTP/1.1\r\nHost: "+tt.target+"\r\n\r\n")
			res, err := http.ReadResponse(bufio.NewReader(conn), &http.Request{Method: "CONNECT"})
			if err != nil {
				t.Fatal(err)
			}
			body, _ := io.ReadAll(res.Body)
			if res.StatusCode != tt.status {
				t.Errorf("%s: status %d (%q), want %d", tt.reason, res.StatusCode, body, tt.status)
			}
			if got := len(dialed.list()) > 0; got != tt.dials {
				t.Errorf("%s: dialed %v, want a dial: %v", tt.reason, dialed.list(), tt.dials)
			}
		})
	}
}

func TestLoopback(t *testing.T) {
	for host, want := range map[string]bool{
		"127.0.0.1": true, "127.1.2.3": true, "::1": true, "localhost": true, "LOCALHOST": true,
		"10.0.0.1": false, "::ffff:8.8.8.8": false, "example.com": false, "": false, "0.0.0.0": false,
	} {
		if got := loopback(host); got != want {
			t.Errorf("loopback(%q) = %v, want %v", host, got, want)
		}
	}
}

func TestParseArgs(t *testing.T) {
	def := DefaultOptions()
	with := func(f func(*Options)) Options {
		o := def
		f(&o)
		return o
	}
	tests := []struct {
		name    string
		args    []string
		want    Options
		wantErr string // substring of the error; "" for none
	}{
		{name: "defaults", args: nil, want: def},
		{name: "every flag", args: []string{"--addr", "127.0.0.1:0", "--headers-timeout", "2s", "--request-timeout=3s",
			"-keep-alive-timeout", "0", "--idle-timeout", "1m", "--max-header-size", "100", "--max-headers", "7", "--max-requests-per-socket", "9",
			"--handler-handoff", "250us"},
			want: Options{Addr: "127.0.0.1:0", HeadersTimeout: 2e9, RequestTimeout: 3e9, IdleTimeout: 60e9,
				MaxHeaderSize: 100, MaxHeaders: 7, MaxRequestsPerSocket: 9, HandlerHandoff: 250e3}},
		{name: "zero disables", args: []string{"--headers-timeout", "0"}, want: with(func(o *Options) { o.HeadersTimeout = 0 })},
		{name: "negative timeout", args: []string{"--keep-alive-timeout", "-1s"}, wantErr: "--keep-alive-timeout -1s is negative; use 0 to disable"},
		{name: "negative hand-off", args: []string{"--handler-handoff", "-1ms"}, wantErr: "--handler-handoff -1ms is negative; use 0 to disable"},
		{name: "bad duration", args: []string{"--request-timeout", "soon"}, wantErr: "invalid value \"soon\" for flag -request-timeout"},
		{name: "bad address", args: []string{"--addr", "8080"}, wantErr: "--addr \"8080\""},
		{name: "zero header size", args: []string{"--max-header-size", "0"}, wantErr: "--max-header-size 0 must be at least 1"},
		{name: "stray argument", args: []string{"now"}, wantErr: "unexpected argument \"now\""},
		{name: "unknown flag", args: []string{"--port", "1"}, wantErr: "flag provided but not defined: -port"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := ParseArgs(tt.args, io.Discard)
			if tt.wantErr != "" {
				if err == nil || !errors.Is(err, ErrUsage) || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("ParseArgs(%q) error = %v, want a usage error containing %q", tt.args, err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatalf("ParseArgs(%q): %v", tt.args, err)
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("options (-want +got):\n%s", diff)
			}
		})
	}
}
