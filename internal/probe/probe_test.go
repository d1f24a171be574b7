package probe

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"io"
	"net"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/conformhttp/conform/impl/parser"
	"github.com/conformhttp/conform/internal/testnet"
	"github.com/google/go-cmp/cmp"
)

// serve starts a loopback listener that runs handle for every connection
// and returns its address (see testnet.Serve).
func serve(t *testing.T, handle func(c net.Conn)) string {
	t.Helper()
	return testnet.Serve(t, handle)
}

// readHead reads one request head (up to the empty line).
func readHead(br *bufio.Reader) error {
	for {
		line, err := br.ReadString('\n')
		if err != nil {
			return err
		}
		if line == "\r\n" || line == "\n" {
			return nil
		}
	}
}

// answer reads request heads and writes resp after each, until the
// connection ends; after a response with "Connection: close" it closes.
func answer(resp string) func(net.Conn) {
	return func(c net.Conn) {
		br := bufio.NewReader(c)
		for readHead(br) == nil {
			if _, err := io.WriteString(c, resp); err != nil {
				return
			}
			if strings.Contains(resp, "Connection: close") {
				return
			}
		}
	}
}

// drain reads until the probe closes the connection.
func drain(c net.Conn) { io.Copy(io.Discard, c) }

const (
	get     = "GET / HTTP/1.1\r\nHost: a\r\n\r\n"
	ok      = "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok"
	okClose = "HTTP/1.1 200 OK\r\nContent-Length: 2\r\nConnection: close\r\n\r\nok"
)

// quick are limits for targets that answer at once; the deadline is far
// away so that only the target's behaviour ends the exchange.
var quick = Limits{Deadline: 10 * time.Second, Idle: 200 * time.Millisecond}

// outcome is what the tests compare: how the exchange ended, who closed,
// and the statuses read.
type outcome struct {
	End      End
	ClosedBy Closer
	Statuses []int
}

func outcomeOf(r *Result) outcome {
	return outcome{End: r.End, ClosedBy: r.Log.ClosedBy, Statuses: r.Statuses()}
}

// TestDo runs probes against well-behaved and hostile loopback targets and
// checks the kind of outcome, never the time taken.
func TestDo(t *testing.T) {
	tests := []struct {
		name   string
		reason string
		handle func(net.Conn)
		probe  Probe
		limits Limits
		want   outcome
	}{
		{
			"answers and stays open", "the expected response arrived; the connection is open",
			answer(ok), Probe{Chunks: [][]byte{[]byte(get)}, Responses: 1}, quick,
			outcome{EndDone, ClosedByProbe, []int{200}},
		},
		{
			"answers and closes", "Connection: close, then the target closes",
			answer(okClose), Probe{Chunks: [][]byte{[]byte(get)}, Responses: 1}, quick,
			outcome{EndClosed, ClosedByTarget, []int{200}},
		},
		{
			"unknown count", "with no expected count the probe waits until the target goes quiet",
			answer(ok), Probe{Chunks: [][]byte{[]byte(get)}}, quick,
			outcome{EndIdle, ClosedByProbe, []int{200}},
		},
		{
			"never answers, idle", "a silent open connection ends at the idle limit",
			drain, Probe{Chunks: [][]byte{[]byte(get)}, Responses: 1}, Limits{Deadline: 10 * time.Second, Idle: 50 * time.Millisecond},
			outcome{EndIdle, ClosedByProbe, nil},
		},
		{
			"never answers, deadline", "without an idle limit the deadline ends it",
			drain, Probe{Chunks: [][]byte{[]byte(get)}, Responses: 1}, Limits{Deadline: 100 * time.Millisecond},
			outcome{EndDeadline, ClosedByProbe, nil},
		},
		{
			"slow drip", "a byte at a time forever: only the deadline ends it; the head never completes",
			func(c net.Conn) {
				go drain(c)
				io.WriteString(c, "HTTP/1.1 200 OK\r\nX-Drip: ")
				for {
					if _, err := c.Write([]byte{'y'}); err != nil {
						return
					}
					time.Sleep(2 * time.Millisecond) // the target's behaviour: drip
				}
			},
			Probe{Chunks: [][]byte{[]byte(get)}, Responses: 1}, Limits{Deadline: 150 * time.Millisecond},
			outcome{EndDeadline, ClosedByProbe, nil},
		},
		{
			"stalled mid-response", "a response that stops halfway is waited for until the deadline, not the idle limit",
			func(c net.Conn) {
				readHead(bufio.NewReader(c))
				io.WriteString(c, "HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\nhalf")
				io.Copy(io.Discard, c)
			},
			Probe{Chunks: [][]byte{[]byte(get)}, Responses: 1}, Limits{Deadline: 300 * time.Millisecond, Idle: 20 * time.Millisecond},
			outcome{EndDeadline, ClosedByProbe, []int{200}},
		},
		{
			"endless body", "a chunked body that never ends stops at the byte cap",
			func(c net.Conn) {
				go drain(c)
				io.WriteString(c, "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n")
				chunk := []byte("400\r\n" + strings.Repeat("x", 0x400) + "\r\n")
				for {
					if _, err := c.Write(chunk); err != nil {
						return
					}
				}
			},
			Probe{Chunks: [][]byte{[]byte(get)}, Responses: 1}, Limits{Deadline: 10 * time.Second, MaxBytes: 64 << 10},
			outcome{EndCap, ClosedByProbe, []int{200}},
		},
		{
			"garbage", "bytes that are not HTTP count as one unframed response",
			func(c net.Conn) {
				readHead(bufio.NewReader(c))
				c.Write([]byte("\x00\xffgarbage\r\n\r\n"))
			},
			Probe{Chunks: [][]byte{[]byte(get)}, Responses: 1}, quick,
			outcome{EndClosed, ClosedByTarget, []int{0}},
		},
		{
			"reset", "SetLinger(0) then close sends RST",
			func(c net.Conn) {
				readHead(bufio.NewReader(c))
				c.(*net.TCPConn).SetLinger(0)
			},
			Probe{Chunks: [][]byte{[]byte(get)}, Responses: 1}, quick,
			outcome{EndReset, ClosedByReset, nil},
		},
		{
			"close mid-response", "a body cut short by the close is not a valid response",
			func(c net.Conn) {
				readHead(bufio.NewReader(c))
				io.WriteString(c, "HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\nshort")
			},
			Probe{Chunks: [][]byte{[]byte(get)}, Responses: 1}, quick,
			outcome{EndClosed, ClosedByTarget, []int{0}},
		},
		{
			"body until close", "a response without framing ends with the connection, complete",
			func(c net.Conn) {
				readHead(bufio.NewReader(c))
				io.WriteString(c, "HTTP/1.1 200 OK\r\n\r\nall of it")
			},
			Probe{Chunks: [][]byte{[]byte(get)}, Responses: 1}, quick,
			outcome{EndClosed, ClosedByTarget, []int{200}},
		},
		{
			"HEAD", "a response to HEAD has no body whatever its Content-Length",
			answer("HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\n"),
			Probe{Chunks: [][]byte{[]byte("HEAD / HTTP/1.1\r\nHost: a\r\n\r\n")}, Responses: 1}, quick,
			outcome{EndDone, ClosedByProbe, []int{200}},
		},
		{
			"pipelined", "three requests in one write, three responses",
			answer(ok), Probe{Chunks: [][]byte{[]byte(get + get + get)}, Responses: 3}, quick,
			outcome{EndDone, ClosedByProbe, []int{200, 200, 200}},
		},
		{
			"interim", "a 100 Continue before the final response is kept in the statuses",
			answer("HTTP/1.1 100 Continue\r\n\r\n" + ok), Probe{Chunks: [][]byte{[]byte(get)}, Responses: 1}, quick,
			outcome{EndDone, ClosedByProbe, []int{100, 200}},
		},
		{
			"extra response in the linger", "a response nobody asked for arrives after the expected one",
			func(c net.Conn) {
				io.WriteString(c, ok)
				time.Sleep(10 * time.Millisecond) // the target's behaviour: a late second answer
				io.WriteString(c, ok)
				drain(c)
			},
			Probe{Chunks: [][]byte{[]byte(get)}, Responses: 1}, Limits{Deadline: 10 * time.Second, Idle: 300 * time.Millisecond, Linger: 300 * time.Millisecond},
			outcome{EndDone, ClosedByProbe, []int{200, 200}},
		},
		{
			"answer before the end", "the target rejects after the first line and closes while the probe still sends",
			func(c net.Conn) {
				bufio.NewReader(c).ReadString('\n')
				io.WriteString(c, "HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\nConnection: close\r\n\r\n")
			},
			Probe{Chunks: Split([]byte("GET / HTTP/1.1\r\nHost: a\r\nX: "+strings.Repeat("y", 64)+"\r\n\r\n"), 8), Pause: 5 * time.Millisecond, Responses: 1}, quick,
			outcome{EndClosed, ClosedByTarget, []int{400}},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			addr := serve(t, tt.handle)
			res := Do(context.Background(), Target{Addr: addr}, &tt.probe, tt.limits)
			got := outcomeOf(res)
			want := tt.want
			if want.End == EndClosed && got.End == EndReset {
				// A target that closes with unread input resets the
				// connection on some kernels; both are its closing.
				want.End, want.ClosedBy = EndReset, ClosedByReset
			}
			if diff := cmp.Diff(want, got); diff != "" {
				t.Errorf("%s (-want +got):\n%s\nlog:\n%s", tt.reason, diff, dumpLog(res.Log))
			}
		})
	}
}

func dumpLog(l Log) string {
	var b strings.Builder
	for _, e := range l.Events {
		b.WriteString(e.At.String() + " " + e.Kind.String() + " " + parser.Escape(e.Data) + " " + e.Text + "\n")
	}
	return b.String()
}

// TestDoDetails checks the parts of a Result beyond its outcome.
func TestDoDetails(t *testing.T) {
	t.Run("wire log", func(t *testing.T) {
		addr := serve(t, answer(okClose))
		res := Do(context.Background(), Target{Addr: addr}, &Probe{Chunks: [][]byte{[]byte(get)}, Responses: 1}, quick)
		var kinds []string
		var recv []byte
		for _, e := range res.Log.Events {
			kinds = append(kinds, e.Kind.String())
			if e.Kind == Recv {
				recv = append(recv, e.Data...)
			}
		}
		got := []any{kinds, string(recv), res.Log.Sent, res.Log.Received, res.Log.ClosedBy.String()}
		want := []any{[]string{"send", "recv", "eof"}, okClose, int64(len(get)), int64(len(okClose)), "target"}
		if diff := cmp.Diff(want, got); diff != "" {
			t.Errorf("log of one exchange (-want +got):\n%s", diff)
		}
		for i := 1; i < len(res.Log.Events); i++ {
			if res.Log.Events[i].At < res.Log.Events[i-1].At {
				t.Errorf("event %d is earlier than event %d", i, i-1)
			}
		}
	})
	t.Run("split", func(t *testing.T) {
		got := make(chan string, 1)
		addr := serve(t, func(c net.Conn) {
			br := bufio.NewReader(c)
			var req bytes.Buffer
			for !strings.HasSuffix(req.String(), "\r\n\r\n") {
				b, err := br.ReadByte()
				if err != nil {
					return
				}
				req.WriteByte(b)
			}
			got <- req.String()
			io.WriteString(c, okClose)
		})
		res := Do(context.Background(), Target{Addr: addr}, &Probe{Chunks: Split([]byte(get), 1), Pause: time.Millisecond, Responses: 1}, quick)
		sends := 0
		for _, e := range res.Log.Events {
			if e.Kind == Send {
				sends++
			}
		}
		if diff := cmp.Diff([]any{get, len(get), len(get), []int{200}}, []any{<-got, sends, res.ChunksSent, res.Statuses()}); diff != "" {
			t.Errorf("a message sent one byte at a time (-want +got):\n%s", diff)
		}
	})
	t.Run("connect tunnel", func(t *testing.T) {
		addr := serve(t, func(c net.Conn) {
			readHead(bufio.NewReader(c))
			io.WriteString(c, "HTTP/1.1 200 Connection Established\r\nContent-Length: 9\r\n\r\ntunnel!!!")
		})
		res := Do(context.Background(), Target{Addr: addr}, &Probe{Chunks: [][]byte{[]byte("CONNECT a:443 HTTP/1.1\r\nHost: a:443\r\n\r\n")}, Responses: 1}, quick)
		if len(res.Responses) != 1 {
			t.Fatalf("responses: %+v", res.Responses)
		}
		r := res.Responses[0]
		got := []any{r.Status, r.Upgrade, r.Complete, r.BodyLen, string(res.Tunnel), res.TunnelLen}
		want := []any{200, true, true, int64(0), "tunnel!!!", int64(9)}
		if diff := cmp.Diff(want, got); diff != "" {
			t.Errorf("a 2xx to CONNECT has no body; what follows is tunnel data (-want +got):\n%s", diff)
		}
	})
	t.Run("response fields", func(t *testing.T) {
		addr := serve(t, answer("HTTP/1.0 404 Not Found  \r\nX-A: one \r\nContent-Length: 3\r\n\r\nabc"))
		res := Do(context.Background(), Target{Addr: addr}, &Probe{Chunks: [][]byte{[]byte(get)}, Responses: 1}, quick)
		if len(res.Responses) != 1 {
			t.Fatalf("responses: %+v", res.Responses)
		}
		r := res.Responses[0]
		v, _ := r.Get("x-a")
		got := []any{r.Status, r.Reason, r.Major, r.Minor, v, r.HeaderCount, r.BodyLen, r.Complete, r.KeepAlive}
		want := []any{404, "Not Found", 1, 0, "one", 2, int64(3), true, false}
		if diff := cmp.Diff(want, got); diff != "" {
			t.Errorf("response fields (-want +got):\n%s", diff)
		}
	})
	t.Run("log cap", func(t *testing.T) {
		addr := serve(t, answer(okClose))
		res := Do(context.Background(), Target{Addr: addr}, &Probe{Chunks: [][]byte{[]byte(get)}, Responses: 1}, Limits{Deadline: 10 * time.Second, LogCap: 10})
		var kept, omitted int64
		for _, e := range res.Log.Events {
			if e.Kind == Recv {
				kept += int64(len(e.Data))
				omitted += e.Omitted
			}
		}
		got := []int64{kept, omitted, res.Log.Received}
		want := []int64{10, int64(len(okClose)) - 10, int64(len(okClose))}
		if diff := cmp.Diff(want, got); diff != "" {
			t.Errorf("log keeps LogCap bytes and counts the rest (-want +got):\n%s", diff)
		}
	})
	t.Run("too many responses", func(t *testing.T) {
		addr := serve(t, func(c net.Conn) {
			readHead(bufio.NewReader(c))
			io.WriteString(c, strings.Repeat(ok, 100))
		})
		res := Do(context.Background(), Target{Addr: addr}, &Probe{Chunks: [][]byte{[]byte(get)}, Responses: 1}, quick)
		if diff := cmp.Diff([]any{true, maxResponses}, []any{res.TooMany, len(res.Responses)}); diff != "" {
			t.Errorf("responses past the cap are not kept (-want +got):\n%s", diff)
		}
	})
	t.Run("dial error", func(t *testing.T) {
		res := Do(context.Background(), Target{Addr: testnet.ClosedAddr(t)}, &Probe{Chunks: [][]byte{[]byte(get)}}, quick)
		got := []any{res.End, res.Log.ClosedBy, res.Err != nil, len(res.Log.Events), res.Log.Events[0].Kind}
		want := []any{EndDialError, NotConnected, true, 1, Fault}
		if diff := cmp.Diff(want, got); diff != "" {
			t.Errorf("a refused connection (-want +got):\n%s", diff)
		}
	})
	t.Run("canceled", func(t *testing.T) {
		ctx, cancel := context.WithCancel(context.Background())
		addr := serve(t, func(c net.Conn) {
			readHead(bufio.NewReader(c))
			cancel() // the run is canceled while the probe waits
			drain(c)
		})
		res := Do(ctx, Target{Addr: addr}, &Probe{Chunks: [][]byte{[]byte(get)}, Responses: 1}, Limits{Deadline: 10 * time.Second})
		if res.End != EndCanceled || !errors.Is(res.Err, context.Canceled) {
			t.Errorf("End, Err = %v, %v; want canceled, context.Canceled", res.End, res.Err)
		}
	})
	t.Run("half close", func(t *testing.T) {
		addr := serve(t, func(c net.Conn) {
			data, _ := io.ReadAll(c) // ends at the probe's FIN
			io.WriteString(c, "HTTP/1.1 200 OK\r\nContent-Length: "+strconv.Itoa(len(data))+"\r\n\r\n")
			c.Write(data)
		})
		res := Do(context.Background(), Target{Addr: addr}, &Probe{Chunks: [][]byte{[]byte(get)}, HalfClose: true}, quick)
		if diff := cmp.Diff(outcome{EndClosed, ClosedByTarget, []int{200}}, outcomeOf(res)); diff != "" {
			t.Errorf("after a FIN the target answered what it read and closed (-want +got):\n%s", diff)
		}
	})
}
