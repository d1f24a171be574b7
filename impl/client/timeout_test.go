package client

import (
	"context"
	"errors"
	"io"
	"net/http"
	"testing"
	"testing/synctest"
	"time"

	"github.com/google/go-cmp/cmp"
)

// These tests run under testing/synctest over net.Pipe connections: time
// is fake, so a timeout of seconds is tested at once and exactly.

const okResponse = "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok"

func TestRequestTimeout(t *testing.T) {
	tests := []struct {
		name       string
		reason     string
		agent      time.Duration // AgentOptions.Timeout
		request    time.Duration // Request.Timeout
		serverWait time.Duration // before the server answers
		wantErr    error
		wantAfter  time.Duration // when Do returns
	}{
		{"request timeout fires", "no byte for Request.Timeout fails the request", 0, time.Second, 10 * time.Second, ErrTimeout, time.Second},
		{"agent timeout applies", "without Request.Timeout the Agent's is the socket timeout", 2 * time.Second, 0, 10 * time.Second, ErrTimeout, 2 * time.Second},
		{"request overrides agent", "Request.Timeout wins over the Agent's (setRequestSocket)", 2 * time.Second, 5 * time.Second, 3 * time.Second, nil, 3 * time.Second},
		{"negative disables", "a negative Request.Timeout turns the Agent's off", time.Second, -1, 3 * time.Second, nil, 3 * time.Second},
		{"answer in time", "an answer before the timeout is fine", 0, time.Second, 999 * time.Millisecond, nil, 999 * time.Millisecond},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			synctest.Test(t, func(t *testing.T) {
				ps := newPipeServer(t, func(ps *pipeServer, c *pipeConn, req *http.Request, n int) bool {
					ps.sleep(tc.serverWait)
					_, err := io.WriteString(c, okResponse)
					return err == nil
				})
				a := newTestAgent(t, AgentOptions{KeepAlive: true, Dialer: ps, Timeout: tc.agent})
				start := time.Now()
				res, err := a.Do(context.Background(), &Request{URL: "http://pipe/", Timeout: tc.request})
				if got := time.Since(start); got != tc.wantAfter {
					t.Errorf("Do returned after %v, want %v (%s)", got, tc.wantAfter, tc.reason)
				}
				if !errors.Is(err, tc.wantErr) {
					t.Fatalf("Do error = %v, want %v (%s)", err, tc.wantErr, tc.reason)
				}
				if err == nil {
					readAll(t, res)
				}
				s := a.Snapshot()
				if tc.wantErr != nil && (s.InUse != 0 || s.Free != 0 || s.Destroyed != 1) {
					t.Errorf("after a timeout: %+v, want the socket destroyed", s)
				}
			})
		})
	}
}

// TestRequestTimeoutResetAfterResponse checks that a request's timeout
// does not stay on the socket for the next request (Node resets it when
// the response ends).
func TestRequestTimeoutResetAfterResponse(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		ps := newPipeServer(t, func(ps *pipeServer, c *pipeConn, req *http.Request, n int) bool {
			if n == 2 {
				ps.sleep(5 * time.Second)
			}
			_, err := io.WriteString(c, okResponse)
			return err == nil
		})
		a := newTestAgent(t, AgentOptions{KeepAlive: true, Dialer: ps})
		var reused []bool
		tr := &ClientTrace{GotConn: func(i GotConnInfo) { reused = append(reused, i.Reused) }}
		for i, timeout := range []time.Duration{time.Second, 0} {
			res, err := a.Do(context.Background(), &Request{URL: "http://pipe/", Timeout: timeout, Trace: tr})
			if err != nil {
				t.Fatalf("request %d: %v", i+1, err)
			}
			readAll(t, res)
		}
		if diff := cmp.Diff([]bool{false, true}, reused); diff != "" {
			t.Errorf("reuse (-want +got):\n%s", diff)
		}
	})
}

func TestFreeSocketTimeouts(t *testing.T) {
	tests := []struct {
		name      string
		reason    string
		agent     time.Duration
		keepAlive string // the server's Keep-Alive field, if any
		wantKept  error  // PutIdleConn's argument
		wantGone  time.Duration
	}{
		{"agent timeout", "a free socket idle for the Agent's timeout is destroyed", 3 * time.Second, "", nil, 3 * time.Second},
		{"hint", "Keep-Alive: timeout=5 keeps the socket 4 s (Node's one-second margin)", 0, "timeout=5", nil, 4 * time.Second},
		{"hint shorter than agent", "the shorter of hint and Agent timeout wins", 10 * time.Second, "timeout=3, max=100", nil, 2 * time.Second},
		{"agent shorter than hint", "the shorter of hint and Agent timeout wins", 2 * time.Second, "timeout=30", nil, 2 * time.Second},
		{"hint of one second", "a hint of 1 s leaves no time: not kept", 0, "timeout=1", ErrKeepAliveHint, 0},
		{"no timeout", "without either the socket stays until the server closes it", 0, "max=5", nil, -1},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			synctest.Test(t, func(t *testing.T) {
				ps := newPipeServer(t, func(ps *pipeServer, c *pipeConn, req *http.Request, n int) bool {
					resp := "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n"
					if tc.keepAlive != "" {
						resp += "Keep-Alive: " + tc.keepAlive + "\r\n"
					}
					_, err := io.WriteString(c, resp+"\r\nok")
					return err == nil
				})
				a := newTestAgent(t, AgentOptions{KeepAlive: true, Dialer: ps, Timeout: tc.agent})
				var put []error
				res, err := a.Do(context.Background(), &Request{URL: "http://pipe/", Trace: &ClientTrace{
					PutIdleConn: func(err error) { put = append(put, err) },
				}})
				if err != nil {
					t.Fatal(err)
				}
				readAll(t, res)
				start := time.Now()
				if len(put) != 1 || !errors.Is(put[0], tc.wantKept) {
					t.Fatalf("PutIdleConn got %v, want [%v] (%s)", put, tc.wantKept, tc.reason)
				}
				if tc.wantKept != nil {
					if s := a.Snapshot(); s.Free != 0 {
						t.Errorf("free sockets = %d, want 0 (%s)", s.Free, tc.reason)
					}
					return
				}
				horizon := tc.wantGone
				if horizon < 0 {
					horizon = time.Hour
				}
				time.Sleep(horizon - time.Millisecond)
				synctest.Wait()
				if s := a.Snapshot(); s.Free != 1 {
					t.Fatalf("%v after the response: free = %d, want 1 (%s)", time.Since(start), s.Free, tc.reason)
				}
				time.Sleep(time.Millisecond)
				synctest.Wait()
				want := 0
				if tc.wantGone < 0 {
					want = 1
				}
				if s := a.Snapshot(); s.Free != want {
					t.Errorf("%v after the response: free = %d, want %d (%s)", time.Since(start), s.Free, want, tc.reason)
				}
			})
		})
	}
}

func TestExpectContinue(t *testing.T) {
	tests := []struct {
		name       string
		reason     string
		server     string        // "continue", "silent" or "refuse"
		timeout    time.Duration // Request.ContinueTimeout
		wantStatus int
		wantBodyAt time.Duration // when the server got the body; -1: never
		wantWrite  error         // from ClientRequest.Write
		wantPut    error         // PutIdleConn
	}{
		{"100 then body", "the body goes right after 100 (Continue)", "continue", 0, 200, 0, nil, nil},
		{"no 100: default wait", "RFC 9110 §10.1.1: a client may send the body after a wait; 1 s by default", "silent", 0, 200, time.Second, nil, nil},
		{"no 100: set wait", "Request.ContinueTimeout sets the wait", "silent", 3 * time.Second, 200, 3 * time.Second, nil, nil},
		{"final status first", "a final status instead of 100: the body is not sent and the socket is not reused", "refuse", 0, 417, -1, ErrBodyNotSent, ErrBodyNotSent},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			synctest.Test(t, func(t *testing.T) {
				start := time.Now()
				bodyAt := time.Duration(-1)
				ps := newPipeServer(t, func(ps *pipeServer, c *pipeConn, req *http.Request, n int) bool {
					switch tc.server {
					case "continue":
						io.WriteString(c, "HTTP/1.1 100 Continue\r\n\r\n")
					case "refuse":
						io.WriteString(c, "HTTP/1.1 417 Expectation Failed\r\nContent-Length: 0\r\n\r\n")
						return false
					}
					ps.record(c, req)
					bodyAt = time.Since(start)
					_, err := io.WriteString(c, okResponse)
					return err == nil
				})
				a := newTestAgent(t, AgentOptions{KeepAlive: true, Dialer: ps})
				var got100 int
				var put []error
				cr, err := a.Start(context.Background(), &Request{
					Method: "PUT", URL: "http://pipe/upload", ContentLength: 4, ContinueTimeout: tc.timeout,
					Header: Header{{"Expect", "100-continue"}},
					Trace: &ClientTrace{
						Got100Continue: func() { got100++ },
						PutIdleConn:    func(err error) { put = append(put, err) },
					},
				})
				if err != nil {
					t.Fatal(err)
				}
				_, err = cr.Write([]byte("data"))
				if !errors.Is(err, tc.wantWrite) {
					t.Fatalf("Write error = %v, want %v (%s)", err, tc.wantWrite, tc.reason)
				}
				if err == nil {
					if err := cr.End(nil); err != nil {
						t.Fatal(err)
					}
				}
				res, err := cr.Response()
				if err != nil {
					t.Fatal(err)
				}
				readAll(t, res)
				synctest.Wait()
				if res.Status != tc.wantStatus || bodyAt != tc.wantBodyAt {
					t.Errorf("status %d, body at %v; want %d, %v (%s)", res.Status, bodyAt, tc.wantStatus, tc.wantBodyAt, tc.reason)
				}
				if want := map[bool]int{true: 1, false: 0}[tc.server == "continue"]; got100 != want {
					t.Errorf("Got100Continue called %d times, want %d", got100, want)
				}
				if len(put) != 1 || !errors.Is(put[0], tc.wantPut) {
					t.Errorf("PutIdleConn got %v, want [%v] (%s)", put, tc.wantPut, tc.reason)
				}
			})
		})
	}
}

func TestCancel(t *testing.T) {
	tests := []struct {
		name   string
		reason string
		when   string // "queued", "head" or "body"
	}{
		{"while queued", "a request waiting for a socket leaves the queue", "queued"},
		{"waiting for the head", "a blocked read is interrupted and the socket destroyed", "head"},
		{"reading the body", "the context bounds the body too", "body"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			synctest.Test(t, func(t *testing.T) {
				release := make(chan struct{})
				ps := newPipeServer(t, func(ps *pipeServer, c *pipeConn, req *http.Request, n int) bool {
					switch req.URL.Path {
					case "/hold":
						<-release
					case "/stall":
						ps.sleep(time.Hour)
						return false
					case "/half":
						io.WriteString(c, "HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\nhalf")
						ps.sleep(time.Hour)
						return false
					}
					_, err := io.WriteString(c, okResponse)
					return err == nil
				})
				a := newTestAgent(t, AgentOptions{KeepAlive: true, MaxSockets: 1, Dialer: ps})
				ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
				defer cancel()
				var err error
				switch tc.when {
				case "queued":
					held := make(chan *Response)
					go func() {
						res, err := a.Do(context.Background(), &Request{URL: "http://pipe/hold"})
						if err != nil {
							t.Error(err)
						}
						held <- res
					}()
					synctest.Wait()
					_, err = a.Do(ctx, &Request{URL: "http://pipe/queued"})
					if s := a.Snapshot(); s.Waiting != 0 || s.InUse != 1 {
						t.Errorf("after the cancel: %+v, want nobody waiting and one socket in use", s)
					}
					close(release)
					readAll(t, <-held)
				case "head":
					_, err = a.Do(ctx, &Request{URL: "http://pipe/stall"})
				case "body":
					var res *Response
					res, err = a.Do(ctx, &Request{URL: "http://pipe/half"})
					if err != nil {
						t.Fatal(err)
					}
					_, err = io.ReadAll(res.Body)
				}
				if !errors.Is(err, context.DeadlineExceeded) {
					t.Errorf("error = %v, want context.DeadlineExceeded (%s)", err, tc.reason)
				}
				if tc.when != "queued" {
					if s := a.Snapshot(); s.InUse+s.Free != 0 || s.Destroyed != 1 {
						t.Errorf("after the cancel: %+v, want the socket destroyed (%s)", s, tc.reason)
					}
				}
			})
		})
	}
}

// TestFreeSocketTimeoutAfterReuse: the free-socket timeout counts from
// the last time the socket was freed, also when it was taken and given
// back while the timer that starts its watcher was already armed (the
// timer is lazy: it is neither stopped on take nor moved on put).
func TestFreeSocketTimeoutAfterReuse(t *testing.T) {
	tests := []struct {
		name   string
		reason string
		gap    time.Duration // between the two requests
	}{
		{"reused before the watcher starts", "the armed timer finds the socket free for less than the watch delay and waits for the rest", idleWatchDelay / 2},
		{"reused after the watcher started", "taking the socket stops its watcher; giving it back arms the timer again", 10 * idleWatchDelay},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			synctest.Test(t, func(t *testing.T) {
				ps := newPipeServer(t, func(ps *pipeServer, c *pipeConn, req *http.Request, n int) bool {
					_, err := io.WriteString(c, "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok")
					return err == nil
				})
				const timeout = 3 * time.Second
				a := newTestAgent(t, AgentOptions{KeepAlive: true, Dialer: ps, Timeout: timeout})
				for i := range 2 {
					if i == 1 {
						time.Sleep(tc.gap)
					}
					res, err := a.Do(context.Background(), &Request{URL: "http://pipe/"})
					if err != nil {
						t.Fatal(err)
					}
					readAll(t, res)
				}
				freed := time.Now()
				time.Sleep(timeout - time.Millisecond)
				synctest.Wait()
				if s := a.Snapshot(); s.Free != 1 || s.Dials != 1 {
					t.Fatalf("%v after the second response: free = %d, dials = %d, want 1 and 1 (%s)", time.Since(freed), s.Free, s.Dials, tc.reason)
				}
				time.Sleep(time.Millisecond)
				synctest.Wait()
				if s := a.Snapshot(); s.Free != 0 {
					t.Errorf("%v after the second response: free = %d, want 0 (%s)", time.Since(freed), s.Free, tc.reason)
				}
			})
		})
	}
}
