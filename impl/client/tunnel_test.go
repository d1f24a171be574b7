package client

import (
	"bytes"
	"context"
	"errors"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"testing/synctest"
	"time"

	"github.com/google/go-cmp/cmp"
)

// echoServer accepts loopback connections and echoes what it reads.
func echoServer(t *testing.T) string {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	var wg sync.WaitGroup
	t.Cleanup(func() {
		l.Close()
		wg.Wait()
	})
	wg.Go(func() {
		for {
			c, err := l.Accept()
			if err != nil {
				return
			}
			wg.Go(func() {
				defer c.Close()
				io.Copy(c, c)
			})
		}
	})
	return l.Addr().String()
}

// connectProxy is a net/http server that answers CONNECT: to an allowed
// authority with 200 and the relayed connection, otherwise with 403.
func connectProxy(t *testing.T, allowed string) *httptest.Server {
	var wg sync.WaitGroup
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method != "CONNECT" || r.RequestURI != allowed {
			w.Header().Set("Content-Length", "9")
			w.WriteHeader(http.StatusForbidden)
			io.WriteString(w, "forbidden")
			return
		}
		up, err := net.Dial("tcp", allowed)
		if err != nil {
			w.WriteHeader(http.StatusBadGateway)
			return
		}
		c, brw, err := http.NewResponseController(w).Hijack()
		if err != nil {
			up.Close()
			return
		}
		brw.WriteString("HTTP/1.1 200 Connection Established\r\n\r\n")
		brw.Flush()
		wg.Go(func() {
			io.Copy(up, brw)
			up.(*net.TCPConn).CloseWrite()
		})
		wg.Go(func() {
			io.Copy(c, up)
			c.Close()
		})
	}))
	t.Cleanup(func() {
		srv.Close()
		wg.Wait()
	})
	return srv
}

func TestConnectTunnel(t *testing.T) {
	echo := echoServer(t)
	proxy := connectProxy(t, echo)
	a := newTestAgent(t, AgentOptions{KeepAlive: true})

	res, err := a.Do(context.Background(), &Request{Method: "CONNECT", URL: proxy.URL, Target: echo})
	if err != nil {
		t.Fatal(err)
	}
	if res.Status != 200 || res.Tunnel == nil {
		t.Fatalf("CONNECT: status %d, tunnel %v; want 200 and a tunnel", res.Status, res.Tunnel)
	}
	if s := a.Snapshot(); s.InUse != 0 || s.Free != 0 || s.Detached != 1 {
		t.Errorf("pool %+v, want the socket handed over", s)
	}
	conn := res.Tunnel.Conn
	defer conn.Close()
	if _, err := io.WriteString(conn, "ping through the tunnel"); err != nil {
		t.Fatal(err)
	}
	conn.(*net.TCPConn).CloseWrite()
	echoed, err := io.ReadAll(io.MultiReader(bytes.NewReader(res.Tunnel.Head), conn))
	if err != nil {
		t.Fatal(err)
	}
	if string(echoed) != "ping through the tunnel" {
		t.Errorf("echo = %q", echoed)
	}

	// A refused CONNECT is an ordinary response (RFC 9110 §9.3.6), and its
	// socket stays in the pool.
	res, err = a.Do(context.Background(), &Request{Method: "CONNECT", URL: proxy.URL, Target: "elsewhere.test:443"})
	if err != nil {
		t.Fatal(err)
	}
	if body := readAll(t, res); res.Status != 403 || res.Tunnel != nil || body != "forbidden" {
		t.Errorf("refused CONNECT: %d %q tunnel %v; want 403 with its body, no tunnel", res.Status, body, res.Tunnel)
	}
	if s := a.Snapshot(); s.Free != 1 {
		t.Errorf("pool %+v, want the refused CONNECT's socket free", s)
	}
}

// TestTunnelHead checks, over a pipe that delivers the answer in one
// read, that bytes after the head are handed over as Tunnel.Head.
func TestTunnelHead(t *testing.T) {
	tests := []struct {
		name     string
		reason   string
		req      Request
		reply    string
		wantHead string
	}{
		{"CONNECT", "a 2xx to CONNECT has no body: what follows is the tunnel (RFC 9112 §6.3 rule 2)",
			Request{Method: "CONNECT", URL: "http://proxy.test:3128", Target: "origin.test:443"},
			"HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nearly bytes", "early bytes"},
		{"upgrade", "after 101 the connection speaks the new protocol",
			Request{URL: "http://ws.test/chat", Header: Header{{"Connection", "Upgrade"}, {"Upgrade", "websocket"}}},
			"HTTP/1.1 101 Switching Protocols\r\nConnection: Upgrade\r\nUpgrade: websocket\r\n\r\n\x81\x05hello", "\x81\x05hello"},
		{"CONNECT, nothing yet", "an empty head when nothing followed",
			Request{Method: "CONNECT", URL: "http://proxy.test:3128", Target: "origin.test:443"},
			"HTTP/1.1 200 Connection Established\r\n\r\n", ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			synctest.Test(t, func(t *testing.T) {
				ws := &wireServer{replies: []string{tc.reply}}
				a := newTestAgent(t, AgentOptions{KeepAlive: true, Dialer: ws})
				req := tc.req
				res, err := a.Do(context.Background(), &req)
				if err != nil {
					t.Fatal(err)
				}
				if res.Tunnel == nil {
					t.Fatalf("no tunnel after %d (%s)", res.Status, tc.reason)
				}
				defer res.Tunnel.Conn.Close()
				if got := string(res.Tunnel.Head); got != tc.wantHead {
					t.Errorf("head = %q, want %q (%s)", got, tc.wantHead, tc.reason)
				}
				if n, err := res.Body.Read(make([]byte, 1)); n != 0 || err != io.EOF {
					t.Errorf("Body.Read = %d, %v; want an empty body", n, err)
				}
			})
		})
	}
}

// TestExpectContinueNetHTTP runs 100-continue against net/http's server,
// which sends 100 when the handler first reads the body.
func TestExpectContinueNetHTTP(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/refuse" {
			w.WriteHeader(http.StatusRequestEntityTooLarge)
			return
		}
		b, _ := io.ReadAll(r.Body)
		io.WriteString(w, "got "+string(b))
	}))
	defer srv.Close()
	tests := []struct {
		name       string
		reason     string
		path       string
		wantStatus int
		wantBody   string
		want100    int
	}{
		{"accepted", "the server asks for the body with 100 (Continue)", "/upload", 200, "got payload", 1},
		{"refused", "the server answers without reading; the body is never sent", "/refuse", 413, "", 0},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			a := newTestAgent(t, AgentOptions{KeepAlive: true})
			got100 := 0
			res, err := a.Do(context.Background(), &Request{
				Method: "PUT", URL: srv.URL + tc.path, Body: strings.NewReader("payload"), ContentLength: 7,
				Header:          Header{{"Expect", "100-continue"}},
				ContinueTimeout: -1, // wait for the server however long it takes
				Trace:           &ClientTrace{Got100Continue: func() { got100++ }},
			})
			if err != nil {
				t.Fatal(err)
			}
			body := readAll(t, res)
			if res.Status != tc.wantStatus || body != tc.wantBody || got100 != tc.want100 {
				t.Errorf("%d %q after %d 100s; want %d %q after %d (%s)", res.Status, body, got100, tc.wantStatus, tc.wantBody, tc.want100, tc.reason)
			}
		})
	}
}

// kaConn records the TCP keep-alive settings the Agent makes.
type kaConn struct {
	net.Conn
	mu    *sync.Mutex
	calls *[]string
}

func (c kaConn) SetKeepAlive(on bool) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	*c.calls = append(*c.calls, map[bool]string{true: "on", false: "off"}[on])
	return nil
}

func (c kaConn) SetKeepAlivePeriod(d time.Duration) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	*c.calls = append(*c.calls, d.String())
	return nil
}

type kaDialer struct {
	Dialer
	mu    sync.Mutex
	calls []string
}

func (d *kaDialer) DialTarget(ctx context.Context, t Target) (net.Conn, error) {
	c, err := d.Dialer.DialTarget(ctx, t)
	return kaConn{Conn: c, mu: &d.mu, calls: &d.calls}, err
}

func TestKeepAlivePeriod(t *testing.T) {
	tests := []struct {
		name   string
		reason string
		opts   AgentOptions
		want   []string
	}{
		{"default", "Node's keepAliveMsecs default of 1000", AgentOptions{KeepAlive: true}, []string{"on", "1s"}},
		{"set", "KeepAlivePeriod is the initial delay", AgentOptions{KeepAlive: true, KeepAlivePeriod: 30 * time.Second}, []string{"on", "30s"}},
		{"off", "negative leaves TCP keep-alive alone", AgentOptions{KeepAlive: true, KeepAlivePeriod: -1}, nil},
		{"no keep-alive", "without KeepAlive sockets are not kept, so no TCP keep-alive", AgentOptions{}, nil},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			synctest.Test(t, func(t *testing.T) {
				d := &kaDialer{Dialer: &wireServer{replies: []string{okResponse}}}
				tc.opts.Dialer = d
				a := newTestAgent(t, tc.opts)
				res, err := a.Do(context.Background(), &Request{URL: "http://pipe/"})
				if err != nil {
					t.Fatal(err)
				}
				readAll(t, res)
				if diff := cmp.Diff(tc.want, d.calls); diff != "" {
					t.Errorf("keep-alive calls (-want +got):\n%s\n(%s)", diff, tc.reason)
				}
			})
		})
	}
}

// TestAgentClose checks that Close fails waiting and running requests,
// ends the watchers, and refuses new requests.
func TestAgentClose(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		ps := newPipeServer(t, func(ps *pipeServer, c *pipeConn, req *http.Request, n int) bool {
			if req.URL.Path == "/stall" {
				ps.sleep(time.Hour)
				return false
			}
			_, err := io.WriteString(c, okResponse)
			return err == nil
		})
		a := newTestAgent(t, AgentOptions{KeepAlive: true, MaxSockets: 1, Dialer: ps})
		// One free socket on another key, watched.
		res, err := a.Do(context.Background(), &Request{URL: "http://other/"})
		if err != nil {
			t.Fatal(err)
		}
		readAll(t, res)
		time.Sleep(time.Second)
		errs := make(chan error, 2)
		for _, p := range []string{"/stall", "/queued"} {
			go func() {
				_, err := a.Do(context.Background(), &Request{URL: "http://pipe" + p})
				errs <- err
			}()
			synctest.Wait()
		}
		if s := a.Snapshot(); s.InUse != 1 || s.Waiting != 1 || s.Free != 1 {
			t.Fatalf("before Close: %+v", s)
		}
		a.Close()
		for range 2 {
			if err := <-errs; err == nil {
				t.Errorf("a request survived Close")
			}
		}
		if _, err := a.Do(context.Background(), &Request{URL: "http://pipe/"}); !errors.Is(err, ErrAgentClosed) {
			t.Errorf("Do after Close = %v, want ErrAgentClosed", err)
		}
		if s := a.Snapshot(); s.InUse+s.Free+s.Waiting != 0 {
			t.Errorf("after Close: %+v, want an empty pool", s)
		}
	})
}
