package server

import (
	"context"
	"io"
	"net"
	"runtime"
	"strings"
	"testing"
	"testing/synctest"

	"github.com/google/go-cmp/cmp"
)

// tunnelHook answers like the seed's proxy example: it writes status and
// then "head=<head>" back, echoes one read, and closes.
func tunnelHook(status string) func(r *Request, conn net.Conn, head []byte) {
	return func(r *Request, conn net.Conn, head []byte) {
		defer conn.Close()
		io.WriteString(conn, status+"X-Target: "+r.Target+"\r\n\r\nhead="+string(head))
		buf := make([]byte, 64)
		if n, err := conn.Read(buf); err == nil {
			io.WriteString(conn, ";echo="+string(buf[:n]))
		}
	}
}

const date2000 = "Date: Sat, 01 Jan 2000 00:00:00 GMT\r\n"

func TestConnectAndUpgrade(t *testing.T) {
	connect := "CONNECT example.com:443 HTTP/1.1\r\nHost: example.com:443\r\n\r\n"
	upgrade := "GET /ws HTTP/1.1\r\nHost: t\r\nConnection: upgrade\r\nUpgrade: websocket\r\n\r\n"
	okA := "HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\n" + date2000 + "Content-Length: 6\r\n\r\nGET /a"
	tests := []struct {
		name, reason string
		srv          *Server
		send         string
		then         string // sent after the first read
		want         string // everything the client receives, to EOF
	}{
		{
			name:   "CONNECT with head bytes",
			reason: "the hook gets the bytes that followed the CONNECT head, after the earlier response was written",
			srv:    &Server{OnConnect: tunnelHook("HTTP/1.1 200 Connection Established\r\n")},
			send:   get("/a") + connect + "TUNNEL",
			then:   "more",
			want:   okA + "HTTP/1.1 200 Connection Established\r\nX-Target: example.com:443\r\n\r\nhead=TUNNEL;echo=more",
		},
		{
			name:   "CONNECT with no head bytes",
			reason: "head is empty when nothing followed the CONNECT head",
			srv:    &Server{OnConnect: tunnelHook("HTTP/1.1 200 Connection Established\r\n")},
			send:   connect,
			then:   "x",
			want:   "HTTP/1.1 200 Connection Established\r\nX-Target: example.com:443\r\n\r\nhead=;echo=x",
		},
		{
			name:   "CONNECT after a slow handler",
			reason: "the tunnel starts only after the pending response has been written",
			srv:    &Server{OnConnect: tunnelHook("HTTP/1.1 200 Connection Established\r\n")},
			send:   get("/sleep?ms=300") + connect + "T",
			then:   "y",
			want:   strings.Replace(okA, "Content-Length: 6\r\n\r\nGET /a", "Content-Length: 17\r\n\r\nGET /sleep?ms=300", 1) + "HTTP/1.1 200 Connection Established\r\nX-Target: example.com:443\r\n\r\nhead=T;echo=y",
		},
		{
			name:   "CONNECT without a hook",
			reason: "without OnConnect the connection closes without an answer, as Node; earlier responses are still sent",
			send:   get("/a") + connect + "TUNNEL",
			want:   okA,
		},
		{
			name:   "Upgrade with a hook",
			reason: "the upgrade hook gets the request and the bytes after its head, and writes the 101 itself",
			srv:    &Server{OnUpgrade: tunnelHook("HTTP/1.1 101 Switching Protocols\r\nConnection: upgrade\r\nUpgrade: websocket\r\n")},
			send:   upgrade + "FRAME",
			then:   "z",
			want:   "HTTP/1.1 101 Switching Protocols\r\nConnection: upgrade\r\nUpgrade: websocket\r\nX-Target: /ws\r\n\r\nhead=FRAME;echo=z",
		},
		{
			name:   "Upgrade without a hook",
			reason: "the Upgrade field is ignored (RFC 9110 §7.8) and the following bytes are the next request",
			send:   upgrade + get("/a", "Connection: close"),
			want: "HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\n" + date2000 + "Content-Length: 7\r\n\r\nGET /ws" +
				"HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\n" + date2000 + "Connection: close\r\nContent-Length: 6\r\n\r\nGET /a",
		},
		{
			name:   "Upgrade with a body goes to the handler",
			reason: "a request with content is not upgraded: the hook would have no way to get the body",
			srv:    &Server{OnUpgrade: tunnelHook("HTTP/1.1 101 Switching Protocols\r\n")},
			send:   "POST /echo HTTP/1.1\r\nHost: t\r\nConnection: upgrade, close\r\nUpgrade: h2c\r\nContent-Length: 2\r\n\r\nhi",
			want:   "HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\n" + date2000 + "Connection: close\r\nContent-Length: 2\r\n\r\nhi",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			synctest.Test(t, func(t *testing.T) {
				srv := orNew(tt.srv)
				srv.Handler = HandlerFunc(routes)
				c := pipeClient(t, srv)
				c.send(tt.send)
				got := ""
				if tt.then != "" {
					// Read up to the echo point, then send more.
					want := tt.want[:strings.LastIndex(tt.want, ";echo=")]
					buf := make([]byte, len(want))
					if _, err := io.ReadFull(c.conn, buf); err != nil {
						t.Fatalf("reading %q: %v (got %q)", want, err, buf)
					}
					got = string(buf)
					c.send(tt.then)
				}
				got += c.readRaw()
				if diff := cmp.Diff(tt.want, got); diff != "" {
					t.Errorf("%s\nbytes received (-want +got):\n%s", tt.reason, diff)
				}
			})
		})
	}
}

// TestHijackedState: the connection reports StateHijacked and the hook's
// request carries a live context.
func TestHijackedState(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		rec := &recorder{}
		srv := &Server{
			OnConnState: func(_ net.Conn, s ConnState) { rec.add(s.String()) },
			OnConnect: func(r *Request, conn net.Conn, head []byte) {
				if r.Context().Err() != nil {
					rec.add("context already cancelled")
				}
				conn.Close()
			},
		}
		c := pipeClient(t, srv)
		c.send("CONNECT h:1 HTTP/1.1\r\nHost: h:1\r\n\r\n")
		c.readRaw()
		synctest.Wait()
		if diff := cmp.Diff([]string{"new", "active", "hijacked"}, rec.events()); diff != "" {
			t.Errorf("connection states (-want +got):\n%s", diff)
		}
	})
}

// TestHookGoexit: a hook that ends its goroutine with runtime.Goexit
// still lets ServeConn return and Shutdown finish: the server forgets the
// connection as if the hook had returned.
func TestHookGoexit(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		srv := &Server{OnConnect: func(_ *Request, conn net.Conn, _ []byte) {
			conn.Close()
			runtime.Goexit()
		}}
		cli, sc := net.Pipe()
		defer cli.Close()
		returned := make(chan error, 1)
		go func() { returned <- srv.ServeConn(sc) }()
		io.WriteString(cli, "CONNECT h:1 HTTP/1.1\r\nHost: h:1\r\n\r\n")
		synctest.Wait()
		select {
		case err := <-returned:
			if err != nil {
				t.Errorf("ServeConn returned %v, want nil", err)
			}
		default:
			t.Fatal("ServeConn has not returned after the hook ended with runtime.Goexit")
		}
		if err := srv.Shutdown(context.Background()); err != nil {
			t.Errorf("Shutdown: %v", err)
		}
	})
}
