package client

import (
	"context"
	"io"
	"net"
	"testing"
	"testing/synctest"

	"github.com/google/go-cmp/cmp"
)

// splitServer is a Dialer whose server answers the first request head
// with reply, written in pieces of at most split bytes, then closes.
type splitServer struct {
	reply []byte
	split int
}

func (ss *splitServer) DialTarget(ctx context.Context, t Target) (net.Conn, error) {
	c, s := net.Pipe()
	go func() {
		defer s.Close()
		buf := make([]byte, 4096)
		got := ""
		for !containsHeadEnd(got) {
			n, err := s.Read(buf)
			if err != nil {
				return
			}
			got += string(buf[:n])
		}
		for r := ss.reply; len(r) > 0; {
			n := min(ss.split, len(r))
			if _, err := s.Write(r[:n]); err != nil {
				return
			}
			r = r[n:]
		}
	}()
	return c, nil
}

func containsHeadEnd(s string) bool {
	for i := 0; i+3 < len(s); i++ {
		if s[i:i+4] == "\r\n\r\n" {
			return true
		}
	}
	return false
}

// outcome is what a client made of a server's bytes.
type outcome struct {
	Status  int
	Header  Header
	Body    string
	Trailer Header
	Tunnel  string // the tunnel head, after CONNECT or 101
	Err     bool
}

// exchange sends one request to a server answering reply in pieces of
// split bytes and reports the outcome; it checks the pool is left
// consistent. It runs in a synctest bubble, so a client that waits for
// ever is reported as a deadlock.
func exchange(t *testing.T, method string, reply []byte, split int) outcome {
	var out outcome
	synctest.Test(t, func(t *testing.T) {
		a := newTestAgent(t, AgentOptions{KeepAlive: true, Dialer: &splitServer{reply: reply, split: split}})
		res, err := a.Do(context.Background(), &Request{Method: method, URL: "http://fuzz/"})
		if err != nil {
			out.Err = true
			return
		}
		out.Status, out.Header = res.Status, res.Header
		if res.Tunnel != nil {
			// The server closes after its reply: read the tunnel to EOF.
			rest, _ := io.ReadAll(res.Tunnel.Conn)
			res.Tunnel.Conn.Close()
			out.Tunnel = string(res.Tunnel.Head) + string(rest)
		}
		body, err := io.ReadAll(res.Body)
		out.Body, out.Trailer, out.Err = string(body), res.Trailer, err != nil
		a.Close()
		if s := a.Snapshot(); s.InUse+s.Free+s.Waiting != 0 {
			t.Errorf("pool after Close: %+v", s)
		}
	})
	return out
}

// FuzzResponse feeds arbitrary server bytes to the client and checks that
// it never hangs or panics, leaves its pool consistent, and reads the
// same response however the bytes are split across reads.
func FuzzResponse(f *testing.F) {
	for _, seed := range []string{
		okResponse,
		"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n0\r\nX-T: 1\r\n\r\n",
		"HTTP/1.1 103 Early Hints\r\nLink: </a>\r\n\r\nHTTP/1.1 204 No Content\r\n\r\n",
		"HTTP/1.0 200 OK\r\n\r\nuntil close",
		"HTTP/1.1 101 Switching Protocols\r\nUpgrade: x\r\nConnection: upgrade\r\n\r\ntunnel",
		"HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nab",
		"HTTP/1.1 200 OK\r\nContent-Length: 1\r\nContent-Length: 2\r\n\r\nok",
		"HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nokHTTP/1.1 200 OK\r\n\r\n",
	} {
		f.Add(seed, uint8(0), uint8(3))
	}
	f.Add("HTTP/1.1 200 Connection Established\r\n\r\nearly", uint8(2), uint8(1))
	f.Add("HTTP/1.1 200 OK\r\nContent-Length: 4\r\n\r\nbody", uint8(1), uint8(2))
	methods := []string{"GET", "HEAD", "CONNECT", "POST"}
	f.Fuzz(func(t *testing.T, reply string, m, split uint8) {
		if len(reply) > 2048 {
			return
		}
		method := methods[int(m)%len(methods)]
		whole := exchange(t, method, []byte(reply), len(reply)+1)
		pieces := exchange(t, method, []byte(reply), int(split)%16+1)
		if diff := cmp.Diff(whole, pieces); diff != "" {
			t.Errorf("%s answered with %q: in one piece vs in pieces of %d (-whole +pieces):\n%s",
				method, reply, int(split)%16+1, diff)
		}
	})
}
