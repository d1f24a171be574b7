package client_test

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"

	"github.com/conformhttp/conform/impl/client"
)

func ExampleAgent_Do() {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		fmt.Fprintf(w, "hello, %s", r.URL.Query().Get("name"))
	}))
	defer srv.Close()

	agent := client.NewAgent(client.AgentOptions{KeepAlive: true})
	defer agent.Close()

	for _, name := range []string{"first", "second"} {
		res, err := agent.Do(context.Background(), &client.Request{
			URL:    srv.URL + "/greet?name=" + name,
			Header: client.Header{{Name: "Accept", Value: "text/plain"}},
			Trace: &client.ClientTrace{GotConn: func(i client.GotConnInfo) {
				fmt.Println("reused socket:", i.Reused)
			}},
		})
		if err != nil {
			fmt.Println(err)
			return
		}
		body, _ := io.ReadAll(res.Body) // reading to the end frees the socket
		fmt.Println(res.Status, string(body))
	}
	fmt.Printf("%+v\n", agent.Snapshot().Stats)
	// Output:
	// reused socket: false
	// 200 hello, first
	// reused socket: true
	// 200 hello, second
	// {Dials:1 DialFails:0 Reuses:1 Destroyed:0 Detached:0}
}

// A body streamed by the caller goes out chunked when its length is not
// known, with trailer fields at the end.
func ExampleAgent_Start() {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		fmt.Fprintf(w, "%v %q trailer %q", r.TransferEncoding, body, r.Trailer.Get("X-Count"))
	}))
	defer srv.Close()

	agent := client.NewAgent(client.AgentOptions{KeepAlive: true})
	defer agent.Close()

	cr, err := agent.Start(context.Background(), &client.Request{
		Method: "POST", URL: srv.URL + "/upload", ContentLength: -1,
		Header: client.Header{{Name: "Trailer", Value: "X-Count"}},
	})
	if err != nil {
		fmt.Println(err)
		return
	}
	for _, part := range []string{"one ", "two ", "three"} {
		cr.Write([]byte(part))
	}
	if err := cr.End(client.Header{{Name: "X-Count", Value: "3"}}); err != nil {
		fmt.Println(err)
		return
	}
	res, err := cr.Response()
	if err != nil {
		fmt.Println(err)
		return
	}
	body, _ := io.ReadAll(res.Body)
	fmt.Println(res.Status, string(body))
	// Output:
	// 200 [chunked] "one two three" trailer "3"
}

// Raw sends bytes exactly as given — here a request with two
// Content-Length fields that disagree, which a server must reject (RFC
// 9112 §6.3).
func ExampleRequest_raw() {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {}))
	defer srv.Close()

	agent := client.NewAgent(client.AgentOptions{})
	defer agent.Close()

	raw := "POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 3\r\nContent-Length: 4\r\n\r\nabcd"
	res, err := agent.Do(context.Background(), &client.Request{URL: srv.URL, Raw: []byte(raw)})
	if err != nil {
		fmt.Println(err)
		return
	}
	body, _ := io.ReadAll(res.Body)
	fmt.Println(res.Status, res.Header.Get("Connection"), strings.TrimSpace(string(body)))
	// Output:
	// 400 close 400 Bad Request
}

// Requests share sockets when their targets have the same name, which is
// built as Node's agent.getName builds it.
func ExampleTarget_Name() {
	fmt.Println(client.Target{Host: "localhost", Port: 8080, Family: 4}.Name())
	fmt.Println(client.Target{Host: "localhost", Port: 80, SocketPath: "/run/app.sock"}.Name())
	// Output:
	// localhost:8080::4
	// localhost:80::/run/app.sock
}
