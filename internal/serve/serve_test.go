package serve

import (
	"bufio"
	"io"
	"net"
	"net/http"
	"strings"
	"testing"
	"testing/synctest"
	"time"

	"github.com/google/go-cmp/cmp"
)

// pipeServer serves the routes on one end of a net.Pipe; cleanup closes
// the client end and waits for the server.
func pipeServer(t *testing.T) net.Conn {
	cli, sc := net.Pipe()
	srv := NewServer(t.Context(), DefaultOptions())
	done := make(chan struct{})
	go func() {
		defer close(done)
		srv.ServeConn(sc)
	}()
	t.Cleanup(func() {
		cli.Close()
		<-done
	})
	return cli
}

// got is a response as the route tests compare it.
type got struct {
	Interim []int // 1xx statuses before the final one
	Status  int
	Type    string
	Framing string // "length", "chunked" or "close"
	Conn    string
	Body    string
}

func roundTrip(t *testing.T, conn net.Conn, br *bufio.Reader, raw, method string) got {
	t.Helper()
	go io.WriteString(conn, raw)
	var g got
	var res *http.Response
	for {
		var err error
		res, err = http.ReadResponse(br, &http.Request{Method: method})
		if err != nil {
			t.Fatalf("reading the response to %q: %v", raw, err)
		}
		if res.StatusCode >= 200 {
			break
		}
		g.Interim = append(g.Interim, res.StatusCode)
	}
	defer res.Body.Close()
	b, err := io.ReadAll(res.Body)
	if err != nil {
		t.Fatalf("reading the body: %v", err)
	}
	g.Status, g.Type, g.Body = res.StatusCode, res.Header.Get("Content-Type"), string(b)
	if res.Close {
		g.Conn = "close"
	}
	switch {
	case len(res.TransferEncoding) > 0:
		g.Framing = "chunked"
	case res.ContentLength >= 0:
		g.Framing = "length"
	default:
		g.Framing = "close"
	}
	return g
}

func TestRoutes(t *testing.T) {
	const text = "text/plain; charset=utf-8"
	tests := []struct {
		name, reason string
		target       string
		method       string
		want         got
		took         time.Duration
	}{
		{name: "root", reason: `/ answers 200 "ok"`, target: "/",
			want: got{Status: 200, Type: text, Framing: "length", Body: "ok"}},
		{name: "delay", reason: "/delay answers after the given time", target: "/delay?ms=250",
			want: got{Status: 200, Type: text, Framing: "length", Body: "delayed 250 ms"}, took: 250 * time.Millisecond},
		{name: "delay out of range", reason: "a negative delay is a bad request", target: "/delay?ms=-1",
			want: got{Status: 400, Type: text, Framing: "length", Body: "/delay: ms=\"-1\" must be an integer from 0 to 600000\n"}},
		{name: "status", reason: "/status/N answers N", target: "/status/418",
			want: got{Status: 418, Type: text, Framing: "length", Body: "status 418"}},
		{name: "status without body", reason: "a 204 has no body", target: "/status/204",
			want: got{Status: 204, Type: text, Framing: "length"}},
		{name: "status interim", reason: "a 1xx is sent as an interim response before a final 200", target: "/status/103",
			want: got{Interim: []int{103}, Status: 200, Type: text, Framing: "length", Body: "status 200"}},
		{name: "status invalid", reason: "a status that is not 100–999 is a bad request", target: "/status/abc",
			want: got{Status: 400, Type: text, Framing: "length", Body: "/status/abc: the status must be an integer from 100 to 999, and not 101 (use an Upgrade request)\n"}},
		{name: "stream", reason: "/stream flushes each chunk, so the body is chunked", target: "/stream?chunks=3",
			want: got{Status: 200, Type: text, Framing: "chunked", Body: "chunk 0\nchunk 1\nchunk 2\n"}},
		{name: "big", reason: "/big sends N bytes with Content-Length", target: "/big?bytes=70000",
			want: got{Status: 200, Type: text, Framing: "length", Body: strings.Repeat("x", 70000)}},
		{name: "HEAD big", reason: "HEAD gets the length without the bytes", target: "/big?bytes=10", method: "HEAD",
			want: got{Status: 200, Type: text, Framing: "length"}},
		{name: "not found", reason: "unknown paths are 404", target: "/nope",
			want: got{Status: 404, Type: text, Framing: "length", Body: "404 not found: /nope\n"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			synctest.Test(t, func(t *testing.T) {
				conn := pipeServer(t)
				method := tt.method
				if method == "" {
					method = "GET"
				}
				start := time.Now()
				g := roundTrip(t, conn, bufio.NewReader(conn), method+" "+tt.target+" HTTP/1.1\r\nHost: t\r\n\r\n", method)
				if diff := cmp.Diff(tt.want, g); diff != "" {
					t.Errorf("%s (-want +got):\n%s", tt.reason, diff)
				}
				if took := time.Since(start); took != tt.took {
					t.Errorf("%s: took %v, want %v", tt.reason, took, tt.took)
				}
			})
		})
	}
}

func TestCloseRoute(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		conn := pipeServer(t)
		br := bufio.NewReader(conn)
		g := roundTrip(t, conn, br, "GET /close HTTP/1.1\r\nHost: t\r\n\r\n", "GET")
		want := got{Status: 200, Type: "text/plain; charset=utf-8", Framing: "length", Conn: "close", Body: "closing"}
		if diff := cmp.Diff(want, g); diff != "" {
			t.Errorf("/close (-want +got):\n%s", diff)
		}
		if _, err := br.ReadByte(); err != io.EOF {
			t.Errorf("after /close the connection should end; read gave %v", err)
		}
	})
}

// TestPipelinedDelays: a long delay first and a short one second are
// answered in request order, the second handler having run meanwhile.
func TestPipelinedDelays(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		conn := pipeServer(t)
		br := bufio.NewReader(conn)
		start := time.Now()
		go io.WriteString(conn, "GET /delay?ms=300 HTTP/1.1\r\nHost: t\r\n\r\nGET /delay?ms=100 HTTP/1.1\r\nHost: t\r\n\r\n")
		var bodies []string
		for range 2 {
			res, err := http.ReadResponse(br, nil)
			if err != nil {
				t.Fatal(err)
			}
			b, _ := io.ReadAll(res.Body)
			bodies = append(bodies, string(b))
		}
		if diff := cmp.Diff([]string{"delayed 300 ms", "delayed 100 ms"}, bodies); diff != "" {
			t.Errorf("responses out of order (-want +got):\n%s", diff)
		}
		if took := time.Since(start); took != 300*time.Millisecond {
			t.Errorf("both answered after %v, want 300ms: the handlers run concurrently", took)
		}
	})
}
