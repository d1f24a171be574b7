package server

import (
	"errors"
	"net"
	"os"
	"testing"
	"testing/synctest"
	"time"

	"github.com/google/go-cmp/cmp"
)

// step is one action of a timed client script.
type step struct {
	send  string        // bytes to send
	sleep time.Duration // then wait this long
}

// timeoutCase runs a client script against srv and reports what came back
// and when the server closed, counted from the start of the script.
type timeoutResult struct {
	Statuses []int
	ClosedAt time.Duration
	Timeouts []string
}

func runTimeline(t *testing.T, srv *Server, script []step) timeoutResult {
	rec := &recorder{}
	srv.OnTimeout = func(_ net.Conn, k TimeoutKind) { rec.add(k.String()) }
	srv.Handler = HandlerFunc(routes)
	c := pipeClient(t, srv)
	start := time.Now()
	var res timeoutResult
	closed := make(chan time.Duration, 1)
	var got []resp
	var readErr error
	go func() {
		got, readErr = c.responsesToEOF()
		closed <- time.Since(start)
	}()
	for _, s := range script {
		if s.send != "" {
			c.reqP.Execute([]byte(s.send))
			if _, err := c.conn.Write([]byte(s.send)); err != nil {
				break
			}
		}
		time.Sleep(s.sleep)
	}
	res.ClosedAt = <-closed
	if readErr != nil {
		t.Error(readErr)
	}
	for _, r := range got {
		res.Statuses = append(res.Statuses, r.Status)
	}
	res.Timeouts = rec.events()
	return res
}

func TestTimeouts(t *testing.T) {
	partial := "GET /a HTTP/1.1\r\nHost: t\r\n"
	tests := []struct {
		name, reason string
		srv          *Server
		script       []step
		want         timeoutResult
	}{
		{
			name:   "headers timeout default",
			reason: "an incomplete head is answered 408 and closed 60 s (the default) after its first byte",
			script: []step{{send: partial, sleep: 2 * time.Minute}},
			want:   timeoutResult{Statuses: []int{408}, ClosedAt: 60 * time.Second, Timeouts: []string{"headers"}},
		},
		{
			name:   "headers timeout from the request's first byte",
			reason: "on a keep-alive connection the headers timeout runs from the next request's first byte, not from the previous response",
			srv:    &Server{HeadersTimeout: 10 * time.Second},
			script: []step{{send: get("/a"), sleep: 4 * time.Second}, {send: partial, sleep: time.Minute}},
			want:   timeoutResult{Statuses: []int{200, 408}, ClosedAt: 14 * time.Second, Timeouts: []string{"headers"}},
		},
		{
			name:   "headers timeout restarts per request",
			reason: "two heads each taking 8 s of a 10 s limit both succeed",
			srv:    &Server{HeadersTimeout: 10 * time.Second},
			script: []step{
				{send: "GET /a HTTP/1.1\r\n", sleep: 8 * time.Second}, {send: "Host: t\r\n\r\n"},
				{send: "GET /b HTTP/1.1\r\n", sleep: 8 * time.Second}, {send: "Host: t\r\nConnection: close\r\n\r\n"},
			},
			want: timeoutResult{Statuses: []int{200, 200}, ClosedAt: 16 * time.Second},
		},
		{
			name:   "headers timeout disabled",
			reason: "a negative HeadersTimeout means no limit; the request timeout still applies",
			srv:    &Server{HeadersTimeout: -1, RequestTimeout: time.Hour},
			script: []step{{send: partial, sleep: 2 * time.Hour}},
			want:   timeoutResult{Statuses: []int{408}, ClosedAt: time.Hour, Timeouts: []string{"request"}},
		},
		{
			name:   "request timeout",
			reason: "a body still incomplete RequestTimeout after the request's first byte is answered 408 in place of the handler's response",
			srv:    &Server{RequestTimeout: 30 * time.Second},
			script: []step{{send: "POST /echo HTTP/1.1\r\nHost: t\r\nContent-Length: 10\r\n\r\nabc", sleep: time.Minute}},
			want:   timeoutResult{Statuses: []int{408}, ClosedAt: 30 * time.Second, Timeouts: []string{"request"}},
		},
		{
			name:   "request timeout while draining",
			reason: "a body still incomplete after its response was sent ends the connection at the request timeout, with no second response",
			srv:    &Server{RequestTimeout: 30 * time.Second},
			script: []step{{send: "POST /noread HTTP/1.1\r\nHost: t\r\nContent-Length: 100\r\n\r\n0123456789", sleep: time.Minute}},
			want:   timeoutResult{Statuses: []int{200}, ClosedAt: 30 * time.Second, Timeouts: []string{"request"}},
		},
		{
			name:   "keep-alive timeout",
			reason: "an idle keep-alive connection closes silently KeepAliveTimeout (5 s default) after the last response",
			script: []step{{send: get("/a"), sleep: time.Minute}},
			want:   timeoutResult{Statuses: []int{200}, ClosedAt: 5 * time.Second, Timeouts: []string{"keep-alive"}},
		},
		{
			name:   "keep-alive timer starts after the response",
			reason: "a handler slower than the keep-alive timeout is still answered; the timer runs from its response",
			script: []step{{send: get("/sleep?ms=9000"), sleep: time.Minute}},
			want:   timeoutResult{Statuses: []int{200}, ClosedAt: 14 * time.Second, Timeouts: []string{"keep-alive"}},
		},
		{
			name:   "keep-alive timeout disabled",
			reason: "a negative KeepAliveTimeout keeps the idle connection open",
			srv:    &Server{KeepAliveTimeout: -1, HeadersTimeout: 3 * time.Hour},
			script: []step{{send: get("/a"), sleep: 2 * time.Hour}, {send: get("/b", "Connection: close")}},
			want:   timeoutResult{Statuses: []int{200, 200}, ClosedAt: 2 * time.Hour},
		},
		{
			name:   "wait for the first request",
			reason: "a new connection that sends nothing is closed silently after HeadersTimeout",
			srv:    &Server{HeadersTimeout: 7 * time.Second},
			script: []step{{sleep: time.Minute}},
			want:   timeoutResult{ClosedAt: 7 * time.Second, Timeouts: []string{"keep-alive"}},
		},
		{
			name:   "idle timeout",
			reason: "IdleTimeout closes a connection with no traffic even while a handler runs (Node's socket timeout)",
			srv:    &Server{IdleTimeout: 3 * time.Second},
			script: []step{{send: get("/sleep?ms=10000"), sleep: time.Minute}},
			want:   timeoutResult{ClosedAt: 3 * time.Second, Timeouts: []string{"idle"}},
		},
		{
			name:   "idle timeout counts traffic",
			reason: "bytes arriving every 2 s keep a 3 s idle timeout from expiring",
			srv:    &Server{IdleTimeout: 3 * time.Second},
			script: []step{
				{send: "GET /a HTTP/1.1\r\n", sleep: 2 * time.Second},
				{send: "Host: t\r\n", sleep: 2 * time.Second},
				{send: "Connection: close\r\n\r\n"},
			},
			want: timeoutResult{Statuses: []int{200}, ClosedAt: 4 * time.Second},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			synctest.Test(t, func(t *testing.T) {
				got := runTimeline(t, orNew(tt.srv), tt.script)
				if diff := cmp.Diff(tt.want, got); diff != "" {
					t.Errorf("%s\n(-want +got):\n%s", tt.reason, diff)
				}
			})
		})
	}
}

// TestTimeoutsDefaults checks what zero and negative mean in the
// configuration.
func TestTimeoutsDefaults(t *testing.T) {
	tests := []struct {
		name string
		srv  *Server
		want config
	}{
		{"zero means the defaults", &Server{}, config{headersTimeout: 60 * time.Second, requestTimeout: 300 * time.Second,
			keepAlive: 5 * time.Second, linger: time.Second, maxHeaders: 100, highWater: 64 << 10, pipelineLimit: 128, maxDrain: 256 << 10,
			handoff: 100 * time.Microsecond}},
		{"negative means none", &Server{HeadersTimeout: -1, RequestTimeout: -1, KeepAliveTimeout: -1, IdleTimeout: -1,
			LingerTimeout: -1, MaxHeaders: -1, MaxRequestsPerSocket: -1, HighWaterMark: -1, PipelineLimit: -1, MaxBodyDrain: -1, HandlerHandoff: -1},
			config{}},
	}
	for _, tt := range tests {
		got := tt.srv.config()
		got.parser = tt.want.parser
		if diff := cmp.Diff(tt.want, got, cmp.AllowUnexported(config{})); diff != "" {
			t.Errorf("%s (-want +got):\n%s", tt.name, diff)
		}
	}
}

// TestClientSeesNoTimeoutWhenDisabled: with every timeout disabled, a
// partial head stays open for as long as the client waits.
func TestClientSeesNoTimeoutWhenDisabled(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		c := pipeClient(t, &Server{HeadersTimeout: -1, RequestTimeout: -1, KeepAliveTimeout: -1})
		c.send("GET / HTTP/1.1\r\n")
		c.conn.SetReadDeadline(time.Now().Add(1000 * time.Hour))
		_, err := c.conn.Read(make([]byte, 1))
		if !errors.Is(err, os.ErrDeadlineExceeded) {
			t.Errorf("read = %v, want the client's own deadline to expire first", err)
		}
	})
}
