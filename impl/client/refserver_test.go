package client

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"strings"
	"sync"
	"testing"
	"testing/synctest"
	"time"

	"github.com/conformhttp/conform/impl/server"
	"github.com/google/go-cmp/cmp"
)

// These tests use conform's reference server, impl/server, as the peer.

// refServer serves srv on a loopback listener until the test ends.
func refServer(t *testing.T, srv *server.Server) string {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	done := make(chan struct{})
	go func() {
		defer close(done)
		srv.Serve(l)
	}()
	t.Cleanup(func() {
		srv.Close()
		<-done
	})
	return "http://" + l.Addr().String()
}

// refDialer is a Dialer whose connections are served by the reference
// server over net.Pipe, for tests under testing/synctest.
type refDialer struct {
	srv *server.Server
	wg  sync.WaitGroup
}

func (d *refDialer) DialTarget(ctx context.Context, t Target) (net.Conn, error) {
	c, s := net.Pipe()
	d.wg.Go(func() { d.srv.ServeConn(s) })
	return c, nil
}

func echoHandler(w server.ResponseWriter, r *server.Request) {
	b, _ := io.ReadAll(r.Body)
	fmt.Fprintf(w, "%s %s %s", r.Method, r.Target, b)
}

func TestRefServerReuse(t *testing.T) {
	url := refServer(t, &server.Server{Handler: server.HandlerFunc(echoHandler)})
	a := newTestAgent(t, AgentOptions{KeepAlive: true})
	var reused []bool
	tr := &ClientTrace{GotConn: func(i GotConnInfo) { reused = append(reused, i.Reused) }}
	reqs := []*Request{
		{URL: url + "/a", Trace: tr},
		{Method: "POST", URL: url + "/b", Body: strings.NewReader("known"), ContentLength: 5, Trace: tr},
		{Method: "POST", URL: url + "/c", Body: strings.NewReader("chunked"), ContentLength: -1, Trace: tr},
		{Method: "HEAD", URL: url + "/d", Trace: tr},
		{Method: "PUT", URL: url + "/e", Body: strings.NewReader("after 100"), ContentLength: 9, Header: Header{{"Expect", "100-continue"}}, Trace: tr},
	}
	var got []string
	for _, r := range reqs {
		res, err := a.Do(context.Background(), r)
		if err != nil {
			t.Fatalf("%s %s: %v", r.Method, r.URL, err)
		}
		got = append(got, fmt.Sprintf("%d %s", res.Status, readAll(t, res)))
	}
	want := []string{"200 GET /a ", "200 POST /b known", "200 POST /c chunked", "200 ", "200 PUT /e after 100"}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("answers (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff([]bool{false, true, true, true, true}, reused); diff != "" {
		t.Errorf("reuse (-want +got):\n%s", diff)
	}
}

// TestRefServerKeepAlive: the reference server closes a connection idle
// for its KeepAliveTimeout; the Agent forgets the socket when that
// happens, or a second earlier when the server announces its timeout with
// a Keep-Alive hint, so that the next request never races the close.
func TestRefServerKeepAlive(t *testing.T) {
	tests := []struct {
		name     string
		reason   string
		hint     bool
		wantGone time.Duration // when the free socket leaves the pool
	}{
		{"server closes", "the idle watcher sees the server's close", false, 3 * time.Second},
		{"hint", "Keep-Alive: timeout=3 keeps it 2 s (Node's margin)", true, 2 * time.Second},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			synctest.Test(t, func(t *testing.T) {
				d := &refDialer{srv: &server.Server{KeepAliveTimeout: 3 * time.Second, Handler: server.HandlerFunc(func(w server.ResponseWriter, r *server.Request) {
					if tc.hint {
						w.Header().Set("Keep-Alive", "timeout=3")
					}
					io.WriteString(w, "ok")
				})}}
				a := newTestAgent(t, AgentOptions{KeepAlive: true, Dialer: d})
				res, err := a.Do(context.Background(), &Request{URL: "http://ref/"})
				if err != nil {
					t.Fatal(err)
				}
				readAll(t, res)
				start := time.Now()
				time.Sleep(tc.wantGone - time.Millisecond)
				synctest.Wait()
				if s := a.Snapshot(); s.Free != 1 {
					t.Errorf("at %v: %d free, want 1 (%s)", time.Since(start), s.Free, tc.reason)
				}
				time.Sleep(time.Millisecond)
				synctest.Wait()
				if s := a.Snapshot(); s.Free != 0 {
					t.Errorf("at %v: %d free, want 0 (%s)", time.Since(start), s.Free, tc.reason)
				}
				a.Close()
				d.srv.Close()
				d.wg.Wait()
			})
		})
	}
}

func TestRefServerConnect(t *testing.T) {
	echo := echoServer(t)
	srv := &server.Server{
		Handler: server.HandlerFunc(echoHandler),
		OnConnect: func(r *server.Request, conn net.Conn, head []byte) {
			defer conn.Close()
			up, err := net.Dial("tcp", r.Target)
			if err != nil {
				io.WriteString(conn, "HTTP/1.1 502 Bad Gateway\r\nContent-Length: 0\r\n\r\n")
				return
			}
			defer up.Close()
			io.WriteString(conn, "HTTP/1.1 200 Connection Established\r\n\r\n")
			up.Write(head)
			go func() {
				io.Copy(up, conn)
				up.Close()
			}()
			io.Copy(conn, up)
		},
	}
	url := refServer(t, srv)
	a := newTestAgent(t, AgentOptions{KeepAlive: true})
	res, err := a.Do(context.Background(), &Request{Method: "CONNECT", URL: url, Target: echo})
	if err != nil {
		t.Fatal(err)
	}
	if res.Tunnel == nil {
		t.Fatalf("status %d without a tunnel", res.Status)
	}
	conn := res.Tunnel.Conn
	defer conn.Close()
	io.WriteString(conn, "hello tunnel")
	buf := make([]byte, len("hello tunnel"))
	if _, err := io.ReadFull(io.MultiReader(strings.NewReader(string(res.Tunnel.Head)), conn), buf); err != nil {
		t.Fatal(err)
	}
	if string(buf) != "hello tunnel" {
		t.Errorf("echo %q", buf)
	}
	if s := a.Snapshot(); s.Detached != 1 || s.InUse != 0 {
		t.Errorf("pool %+v, want the tunnel out of the pool", s)
	}
}

// TestRefServerMaxRequests: the reference server closes after
// MaxRequestsPerSocket responses, saying so with Connection: close; the
// Agent does not keep that socket.
func TestRefServerMaxRequests(t *testing.T) {
	url := refServer(t, &server.Server{MaxRequestsPerSocket: 2, Handler: server.HandlerFunc(echoHandler)})
	a := newTestAgent(t, AgentOptions{KeepAlive: true})
	var put []error
	tr := &ClientTrace{PutIdleConn: func(err error) { put = append(put, err) }}
	for range 3 {
		get(t, a, url+"/x", tr)
	}
	if len(put) != 3 || put[0] != nil || !errors.Is(put[1], ErrNotKeepAlive) || put[2] != nil {
		t.Errorf("PutIdleConn got %v, want [nil, ErrNotKeepAlive, nil]", put)
	}
	if s := a.Snapshot(); s.Dials != 2 || s.Free != 1 {
		t.Errorf("pool %+v, want 2 dials and 1 free", s)
	}
}
