package serve

import (
	"context"
	"fmt"
	"io"
	"net"
	"strings"
	"sync"
	"time"

	"github.com/conformhttp/conform/impl/server"
)

// dialTimeout bounds the connection to a tunnel's target.
const dialTimeout = 10 * time.Second

// tunneler answers CONNECT requests by relaying to loopback targets. ctx
// ends every tunnel when it is cancelled.
type tunneler struct {
	ctx  context.Context
	dial func(ctx context.Context, network, addr string) (net.Conn, error)
}

// connect is the server's OnConnect hook. It runs in the connection's
// goroutine and returns when the tunnel has ended; the one goroutine it
// starts (the upstream-to-client copy) ends before it returns.
func (t *tunneler) connect(r *server.Request, conn net.Conn, head []byte) {
	defer conn.Close()
	host, port, err := net.SplitHostPort(r.Target)
	if err != nil || port == "" {
		refuse(conn, 400, fmt.Sprintf("CONNECT needs an authority-form target host:port, got %q", r.Target))
		return
	}
	if !loopback(host) {
		refuse(conn, 403, fmt.Sprintf("conform serve tunnels only to loopback addresses (127.0.0.0/8, ::1, localhost), not %q", host))
		return
	}
	ctx, cancel := context.WithTimeout(t.ctx, dialTimeout)
	up, err := t.dial(ctx, "tcp", net.JoinHostPort(host, port))
	cancel()
	if err != nil {
		refuse(conn, 502, fmt.Sprintf("cannot reach %s: %v", r.Target, err))
		return
	}
	defer up.Close()
	// End the tunnel when the command stops or the server closes.
	stop := func() {
		conn.Close()
		up.Close()
	}
	defer context.AfterFunc(t.ctx, stop)()
	defer context.AfterFunc(r.Context(), stop)()

	if _, err := io.WriteString(conn, "HTTP/1.1 200 Connection Established\r\n\r\n"); err != nil {
		return
	}
	if len(head) > 0 {
		if _, err := up.Write(head); err != nil {
			return
		}
	}
	var wg sync.WaitGroup
	wg.Go(func() { relay(conn, up) })
	relay(up, conn)
	wg.Wait()
}

// relay copies src to dst until src ends, then half-closes dst so that the
// end travels on; if dst cannot half-close, both are closed.
func relay(dst, src net.Conn) {
	io.Copy(dst, src)
	if hc, ok := dst.(interface{ CloseWrite() error }); ok && hc.CloseWrite() == nil {
		return
	}
	dst.Close()
	src.Close()
}

// refuse answers a CONNECT the proxy will not make.
func refuse(conn net.Conn, code int, why string) {
	body := why + "\n"
	fmt.Fprintf(conn, "HTTP/1.1 %d %s\r\nConnection: close\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Length: %d\r\n\r\n%s",
		code, server.StatusText(code), len(body), body)
}

// loopback reports whether host names this machine: "localhost", or an IP
// literal in 127.0.0.0/8 or ::1. Other names are not resolved, so DNS
// cannot redirect a tunnel elsewhere.
func loopback(host string) bool {
	if strings.EqualFold(host, "localhost") {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}
