package server_test

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"net"
	"net/http"
	"strings"
	"time"

	"github.com/conformhttp/conform/impl/server"
)

// printResponses prints what the server sent, without the Date lines.
func printResponses(r io.Reader) {
	b, _ := io.ReadAll(r)
	for _, line := range strings.Split(string(b), "\r\n") {
		if !strings.HasPrefix(line, "Date: ") {
			fmt.Println(line)
		}
	}
}

// Pipelined requests are handled concurrently, and answered in order: the
// slow first handler finishes last, yet its response comes first, and the
// ready responses leave together.
func Example_pipelining() {
	srv := &server.Server{Handler: server.HandlerFunc(func(w server.ResponseWriter, r *server.Request) {
		if r.Target == "/slow" {
			time.Sleep(50 * time.Millisecond)
		}
		w.Header().Set("Content-Type", "text/plain")
		io.WriteString(w, "answer to "+r.Target)
	})}
	client, conn := net.Pipe()
	go srv.ServeConn(conn)
	go io.WriteString(client, "GET /slow HTTP/1.1\r\nHost: example\r\n\r\n"+
		"GET /fast HTTP/1.1\r\nHost: example\r\nConnection: close\r\n\r\n")
	printResponses(client)
	// Output:
	// HTTP/1.1 200 OK
	// Content-Type: text/plain
	// Content-Length: 15
	//
	// answer to /slowHTTP/1.1 200 OK
	// Content-Type: text/plain
	// Connection: close
	// Content-Length: 15
	//
	// answer to /fast
}

// Serve a listener, and stop gracefully.
func ExampleServer_Serve() {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		fmt.Println(err)
		return
	}
	srv := &server.Server{Handler: server.HandlerFunc(func(w server.ResponseWriter, r *server.Request) {
		fmt.Fprintf(w, "%s %s, HTTP/%d.%d", r.Method, r.Target, r.ProtoMajor, r.ProtoMinor)
	})}
	served := make(chan error, 1)
	go func() { served <- srv.Serve(l) }()

	tr := &http.Transport{}
	res, err := (&http.Client{Transport: tr}).Get("http://" + l.Addr().String() + "/hello")
	if err != nil {
		fmt.Println(err)
		return
	}
	body, _ := io.ReadAll(res.Body)
	res.Body.Close()
	tr.CloseIdleConnections()
	fmt.Println(res.Status, string(body))

	fmt.Println(srv.Shutdown(context.Background()), <-served)
	// Output:
	// 200 OK GET /hello, HTTP/1.1
	// <nil> server: server closed
}

// Header keeps fields in order and in the case they were given; lookups
// ignore case.
func ExampleHeader() {
	var h server.Header
	h.Add("X-Trace", "a")
	h.Add("content-type", "text/plain")
	h.Add("X-Trace", "b")
	fmt.Println(h.Get("Content-Type"), h.Values("x-trace"))
	h.Set("X-TRACE", "c")
	h.Del("Content-Type")
	fmt.Println(h)
	// Output:
	// text/plain [a b]
	// [{X-TRACE c}]
}

// A handler that flushes streams its body: chunked for HTTP/1.1, with
// trailers after the last chunk.
func ExampleResponseWriter() {
	srv := &server.Server{Handler: server.HandlerFunc(func(w server.ResponseWriter, r *server.Request) {
		w.Header().Set("Trailer", "X-Count")
		for i := range 2 {
			fmt.Fprintf(w, "part %d;", i)
			w.Flush()
		}
		w.Trailer().Set("X-Count", "2")
	})}
	client, conn := net.Pipe()
	go srv.ServeConn(conn)
	go io.WriteString(client, "GET / HTTP/1.1\r\nHost: example\r\nConnection: close\r\n\r\n")
	printResponses(client)
	// Output:
	// HTTP/1.1 200 OK
	// Trailer: X-Count
	// Connection: close
	// Transfer-Encoding: chunked
	//
	// 7
	// part 0;
	// 7
	// part 1;
	// 0
	// X-Count: 2
	//
}

// OnConnect receives a CONNECT request with the connection and the bytes
// that followed its head, after the responses to earlier requests.
func ExampleServer_connect() {
	srv := &server.Server{
		Handler: server.HandlerFunc(func(w server.ResponseWriter, r *server.Request) {
			io.WriteString(w, "first")
		}),
		OnConnect: func(r *server.Request, conn net.Conn, head []byte) {
			defer conn.Close()
			fmt.Fprintf(conn, "HTTP/1.1 200 Connection Established\r\n\r\ntunnel to %s, head %q", r.Target, head)
		},
	}
	client, conn := net.Pipe()
	go srv.ServeConn(conn)
	go io.WriteString(client, "GET /first HTTP/1.1\r\nHost: example\r\n\r\n"+
		"CONNECT example.com:443 HTTP/1.1\r\nHost: example.com:443\r\n\r\nhello")
	printResponses(client)
	// Output:
	// HTTP/1.1 200 OK
	// Content-Length: 5
	//
	// firstHTTP/1.1 200 Connection Established
	//
	// tunnel to example.com:443, head "hello"
}

// OnClientError decides what a client whose request cannot be parsed is
// told; the connection closes after it.
func ExampleServer_clientError() {
	srv := &server.Server{OnClientError: func(e *server.ClientError) []byte {
		fmt.Println("status", e.Status, "for", strings.SplitN(e.Err.Error(), ":", 2)[0])
		return []byte("HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\nConnection: close\r\n\r\n")
	}}
	client, conn := net.Pipe()
	go srv.ServeConn(conn)
	go io.WriteString(client, "GET / HTTP/1.1\r\nHost: example\r\nBad Header\r\n\r\n")
	line, _ := bufio.NewReader(client).ReadString('\n')
	fmt.Print(line)
	// Output:
	// status 400 for HPE_INVALID_HEADER_TOKEN at offset 34
	// HTTP/1.1 400 Bad Request
}
