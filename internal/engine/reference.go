package engine

import (
	"io"
	"log"
	"net"
	"strings"
	"time"

	"github.com/conformhttp/conform/impl/server"
)

// ReferenceName is the name of the embedded reference server target.
const ReferenceName = "reference"

// missingPrefix starts the paths the reference server answers 404, so that
// the pipelining checks can tell responses apart.
const missingPrefix = "/conform/missing"

// FastTimeouts are the reference server's timeouts in a fast run: short,
// so that the timeout checks take a fraction of a second, and long enough
// that a probe's idle wait in fast mode (150 ms) ends first.
func FastTimeouts() Timeouts {
	return Timeouts{Headers: 400 * time.Millisecond, Request: 700 * time.Millisecond, KeepAlive: 300 * time.Millisecond}
}

// NodeTimeouts are Node's defaults, which the reference server keeps in a
// real run and which --timeouts real assumes of a live target unless told
// otherwise.
func NodeTimeouts() Timeouts {
	return Timeouts{Headers: server.DefaultHeadersTimeout, Request: server.DefaultRequestTimeout, KeepAlive: server.DefaultKeepAliveTimeout}
}

// StartReference starts conform's reference server (impl/server) on a
// loopback port and returns it as a target, with a function that stops it.
// In Fast mode it runs with short timeouts (see Target.ShortTimeouts); in
// Real mode with Node's defaults.
//
// Every request is answered 200 with a short text body naming the method
// and target (404 for paths under /conform/missing), after the body has
// been read. A CONNECT request is answered 200 and the tunnel echoes what
// it receives, as a proxy to an echo server would; an upgrade request
// without a body is answered 101 and the connection echoes likewise.
func StartReference(m Mode) (Target, func(), error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return Target{}, nil, err
	}
	srv, t := newReference(m)
	t.Addr = ln.Addr().String()
	done := make(chan struct{})
	go func() {
		defer close(done)
		srv.Serve(ln)
	}()
	stop := func() {
		srv.Close()
		<-done
	}
	return t, stop, nil
}

// newReference configures the reference server for mode m and describes
// it as a target without an address.
func newReference(m Mode) (*server.Server, Target) {
	t := Target{
		Name:        ReferenceName,
		Description: "conform reference server (impl/server), in process",
		Timeouts:    NodeTimeouts(),
	}
	srv := &server.Server{
		Handler:   server.HandlerFunc(referenceHandler),
		OnConnect: echoTunnel,
		OnUpgrade: echoUpgrade,
		ErrorLog:  log.New(io.Discard, "", 0),
	}
	if m == Fast {
		t.Timeouts, t.ShortTimeouts = FastTimeouts(), true
		srv.HeadersTimeout = t.Timeouts.Headers
		srv.RequestTimeout = t.Timeouts.Request
		srv.KeepAliveTimeout = t.Timeouts.KeepAlive
		srv.LingerTimeout = 200 * time.Millisecond
	}
	return srv, t
}

func referenceHandler(w server.ResponseWriter, r *server.Request) {
	io.Copy(io.Discard, io.LimitReader(r.Body, 1<<20))
	status := 200
	if strings.HasPrefix(r.Path(), missingPrefix) {
		status = 404
	}
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	w.WriteHeader(status)
	io.WriteString(w, "conform reference server: "+r.Method+" "+r.Target+"\n")
}

// echoTunnel answers a CONNECT with 200 and echoes the tunnel's bytes
// until the client closes or stays silent for ten seconds.
func echoTunnel(r *server.Request, conn net.Conn, head []byte) {
	echo(conn, "HTTP/1.1 200 Connection Established\r\n\r\n", head)
}

// echoUpgrade switches to the protocol the request names and echoes its
// bytes, as echoTunnel does.
func echoUpgrade(r *server.Request, conn net.Conn, head []byte) {
	proto := strings.Map(func(c rune) rune {
		if c < 0x21 || c > 0x7e {
			return -1
		}
		return c
	}, r.Header.Get("Upgrade"))
	echo(conn, "HTTP/1.1 101 Switching Protocols\r\nConnection: upgrade\r\nUpgrade: "+proto+"\r\n\r\n", head)
}

func echo(conn net.Conn, answer string, head []byte) {
	defer conn.Close()
	if _, err := io.WriteString(conn, answer); err != nil {
		return
	}
	if len(head) > 0 {
		if _, err := conn.Write(head); err != nil {
			return
		}
	}
	buf := make([]byte, 4096)
	for {
		conn.SetReadDeadline(time.Now().Add(10 * time.Second))
		n, err := conn.Read(buf)
		if n > 0 {
			if _, werr := conn.Write(buf[:n]); werr != nil {
				return
			}
		}
		if err != nil {
			return
		}
	}
}
