package probe

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"syscall"
	"time"

	"github.com/conformhttp/conform/impl/parser"
)

// Probe is what to send and how to read the answer.
type Probe struct {
	// Chunks are the bytes to send, each with one Write, in order. Split
	// cuts a message into chunks.
	Chunks [][]byte
	// Pause is the wait between two chunks, so that each reaches the
	// target on its own (TCP_NODELAY is on). Zero sends them back to back.
	Pause time.Duration
	// Methods are the methods of the requests sent, in order; the reader
	// needs them to know that a response to HEAD has no body and that a
	// 2xx response to CONNECT opens a tunnel. Nil means: read them from
	// the bytes sent (see Methods).
	Methods []string
	// Responses is how many final responses the probe waits for: once that
	// many have arrived, it waits only Limits.Linger more for anything
	// else (an unexpected extra response, the target's close) before it
	// ends the exchange. Zero means unknown: the exchange ends when the
	// target closes, goes quiet for Limits.Idle, or a limit is reached.
	Responses int
	// HalfClose shuts down the probe's sending side after the last chunk
	// (TCP FIN), to see what a target does at end of input.
	HalfClose bool
}

// Limits bound an exchange in time and size. Every exchange ends: at the
// latest when Deadline passes.
type Limits struct {
	// Deadline bounds the whole exchange, from the dial to the end.
	// Zero or negative means one second.
	Deadline time.Duration
	// Idle ends the exchange when, after everything was sent, no byte has
	// arrived for this long and the target keeps the connection open
	// between responses (a response that has begun is waited for until
	// the deadline). Zero or negative means Deadline (no idle end).
	Idle time.Duration
	// Linger is how long the probe still reads after the expected number
	// of responses (Probe.Responses) has arrived, when the last of them
	// keeps the connection alive; after one that announced the connection
	// would close, it waits Idle for the close. Zero means end at once.
	Linger time.Duration
	// MaxBytes caps the bytes read; reaching it ends the exchange. Zero
	// or negative means 1 MiB.
	MaxBytes int64
	// LogCap caps the bytes the wire log keeps per direction; the rest is
	// counted. Zero means 64 KiB; negative keeps nothing.
	LogCap int
}

func (l Limits) withDefaults() Limits {
	if l.Deadline <= 0 {
		l.Deadline = time.Second
	}
	if l.Idle <= 0 || l.Idle > l.Deadline {
		l.Idle = l.Deadline
	}
	if l.Linger < 0 {
		l.Linger = 0
	}
	if l.MaxBytes <= 0 {
		l.MaxBytes = 1 << 20
	}
	switch {
	case l.LogCap == 0:
		l.LogCap = 64 << 10
	case l.LogCap < 0:
		l.LogCap = 0
	}
	return l
}

// Target is where probes go.
type Target struct {
	// Addr is the host:port to dial.
	Addr string
	// Dial opens the connection; nil means a net.Dialer. It must honour
	// the context's deadline.
	Dial func(ctx context.Context, network, addr string) (net.Conn, error)
}

// End says how an exchange ended.
type End uint8

// The ways an exchange ends.
const (
	// EndClosed: the target closed the connection.
	EndClosed End = iota
	// EndReset: the target reset the connection.
	EndReset
	// EndDone: the expected responses arrived and nothing more came
	// within Limits.Linger; the connection was open.
	EndDone
	// EndIdle: nothing arrived for Limits.Idle after the last byte sent
	// or received; the connection was open.
	EndIdle
	// EndDeadline: Limits.Deadline passed while the target was still
	// sending, or before it had answered in full.
	EndDeadline
	// EndCap: the target sent more than Limits.MaxBytes.
	EndCap
	// EndDialError: no connection could be made.
	EndDialError
	// EndReadError: reading failed for a reason other than the above.
	EndReadError
	// EndCanceled: the context was canceled.
	EndCanceled
)

var endNames = [...]string{
	EndClosed: "closed", EndReset: "reset", EndDone: "done", EndIdle: "idle", EndDeadline: "deadline",
	EndCap: "cap", EndDialError: "dial-error", EndReadError: "read-error", EndCanceled: "canceled",
}

func (e End) String() string {
	if int(e) < len(endNames) {
		return endNames[e]
	}
	return "unknown"
}

// Result is what came of an exchange.
type Result struct {
	// End says how the exchange ended; Err holds the error behind
	// EndDialError, EndReadError and EndCanceled.
	End End
	Err error
	// Responses are the responses read, interim ones included. A
	// response whose Err is set is where the target's bytes stopped being
	// HTTP/1.x; nothing after it was parsed.
	Responses []Response
	// ParseErr is the parser error that stopped reading responses, nil if
	// none. It is also the Err of the last response.
	ParseErr *parser.Error
	// TooMany reports that the target sent more responses than the probe
	// keeps (64); parsing stopped there.
	TooMany bool
	// Tunnel are the first bytes received after a protocol switch (a 101,
	// or a 2xx answer to CONNECT); TunnelLen counts them all.
	Tunnel    []byte
	TunnelLen int64
	// WriteErr is the error that stopped sending, nil if every chunk was
	// written. A target may close before it has read everything, so this
	// is an observation, not a harness failure.
	WriteErr error
	// ChunksSent counts the chunks written in full, of Chunks.
	ChunksSent, Chunks int
	// Log is the wire log; its times count from Started.
	Log Log
	// Started is when the exchange began (before the dial), and Duration
	// how long it took.
	Started  time.Time
	Duration time.Duration
}

// Closed reports whether the target ended the connection (closed or
// reset it).
func (r *Result) Closed() bool { return r.End == EndClosed || r.End == EndReset }

// InProgress reports that a response had begun and was neither complete
// nor malformed when the exchange ended: the target was still sending it.
func (r *Result) InProgress() bool {
	if n := len(r.Responses); n > 0 {
		last := &r.Responses[n-1]
		return !last.Complete && last.Err == nil && !last.Upgrade
	}
	return false
}

// Statuses returns the status of each response in order, interim ones
// included, with 0 for a response that is not valid HTTP/1.x (one that
// ended in a parser error); a response still incomplete when the exchange
// ended counts with its status once its head was read.
func (r *Result) Statuses() []int {
	var out []int
	for i := range r.Responses {
		resp := &r.Responses[i]
		switch {
		case resp.Err != nil:
			out = append(out, 0)
		case resp.HeadComplete:
			out = append(out, resp.Status)
		}
	}
	return out
}

// Do sends p to t and reads what comes back, within lim. It never returns
// an error: a failure to connect, a target that does not answer, drips,
// floods or resets is an outcome, told by Result.End. Do returns when the
// exchange has ended and its goroutines have stopped.
func Do(ctx context.Context, t Target, p *Probe, lim Limits) *Result {
	lim = lim.withDefaults()
	start := time.Now()
	deadline := start.Add(lim.Deadline)
	if d, ok := ctx.Deadline(); ok && d.Before(deadline) {
		deadline = d
	}
	rec := newRecorder(start, lim.LogCap)
	res := &Result{Started: start}
	defer func() { res.Duration = time.Since(start) }()

	dial := t.Dial
	if dial == nil {
		dial = (&net.Dialer{}).DialContext
	}
	dctx, cancel := context.WithDeadline(ctx, deadline)
	conn, err := dial(dctx, "tcp", t.Addr)
	cancel()
	if err != nil {
		res.End, res.Err = EndDialError, err
		if ctx.Err() != nil {
			res.End = EndCanceled
		}
		rec.event(Fault, "dial: "+err.Error(), time.Now())
		res.Log = rec.finish(NotConnected)
		return res
	}
	stopCancel := context.AfterFunc(ctx, func() { conn.SetDeadline(time.Unix(1, 0)) })

	methods := p.Methods
	if methods == nil {
		methods = Methods(joinChunks(p.Chunks))
	}
	w := startWriter(conn, p, rec, deadline)
	rd := newReader(methods)
	res.End, res.Err = readLoop(ctx, conn, rd, w, rec, p, lim, deadline)
	stopCancel()

	closer := ClosedByProbe
	switch res.End {
	case EndClosed:
		closer = ClosedByTarget
	case EndReset:
		closer = ClosedByReset
	}
	w.stop()
	conn.Close()
	w.wait()
	if closer == ClosedByProbe {
		rec.event(Close, closeReason(res, lim), time.Now())
	}
	res.WriteErr, res.ChunksSent, res.Chunks = w.err, w.sent, len(p.Chunks)
	res.Responses, res.ParseErr, res.TooMany = rd.resps, rd.err, rd.tooMany
	res.Tunnel, res.TunnelLen = rd.tunnel, rd.tunnelN
	res.Log = rec.finish(closer)
	return res
}

func closeReason(res *Result, lim Limits) string {
	switch res.End {
	case EndDone:
		return fmt.Sprintf("the expected responses arrived and nothing more came for %v", lim.Linger)
	case EndIdle:
		return fmt.Sprintf("nothing arrived for %v; the target kept the connection open", lim.Idle)
	case EndDeadline:
		return fmt.Sprintf("the deadline of %v passed", lim.Deadline)
	case EndCap:
		return fmt.Sprintf("the target sent more than %d bytes", lim.MaxBytes)
	case EndCanceled:
		return "the run was canceled"
	case EndReadError:
		return "reading failed: " + errString(res.Err)
	}
	return res.End.String()
}

func errString(err error) string {
	if err == nil {
		return ""
	}
	return err.Error()
}

// readLoop reads until the exchange ends and returns how it ended.
func readLoop(ctx context.Context, conn net.Conn, rd *reader, w *writer, rec *recorder, p *Probe, lim Limits, deadline time.Time) (End, error) {
	buf := make([]byte, min(32<<10, lim.MaxBytes))
	var lastRecv time.Time // zero until a byte arrives
	var doneAt time.Time   // when the expected responses were all in
	for {
		if err := ctx.Err(); err != nil {
			return EndCanceled, err
		}
		now := time.Now()
		if !now.Before(deadline) {
			return EndDeadline, nil
		}
		// The read deadline is the next moment the loop must look at the
		// state again.
		next := deadline
		quietSince, sending := w.quietSince()
		if !sending {
			if lastRecv.After(quietSince) {
				quietSince = lastRecv
			}
			if doneAt.IsZero() && p.Responses > 0 && rd.finals() >= p.Responses && rd.idle() {
				doneAt = now
			}
			wait, end := lim.Idle, EndIdle
			if !doneAt.IsZero() {
				wait, end = lim.Linger, EndDone
				if last := lastFinal(rd); last != nil && !last.KeepAlive {
					wait = lim.Idle
				}
				quietSince = later(quietSince, doneAt)
			}
			if rd.stopped && rd.err != nil {
				// Garbage: nothing more will be parsed; wait for the close.
				wait, end = lim.Idle, EndIdle
			}
			at := quietSince.Add(wait)
			if rd.inProgress() {
				// A response has begun: the target owes the rest of it,
				// however slowly it comes, until the deadline.
				at = deadline
			}
			if !now.Before(at) {
				return end, nil
			}
			if at.Before(next) {
				next = at
			}
		} else if poll := now.Add(lim.Idle); poll.Before(next) {
			next = poll
		}
		conn.SetReadDeadline(next)
		if ctx.Err() != nil {
			// Canceled between the check above and the deadline: the
			// cancel's own deadline may have been overwritten.
			conn.SetReadDeadline(time.Unix(1, 0))
		}
		n, err := conn.Read(buf)
		if n > 0 {
			now := time.Now()
			lastRecv = now
			room := lim.MaxBytes - rd.total
			take := min(int64(n), room)
			rec.data(Recv, buf[:take], now)
			rd.feed(buf[:take])
			if int64(n) > room || rd.total >= lim.MaxBytes {
				return EndCap, nil
			}
			if !doneAt.IsZero() && !rd.idle() {
				doneAt = time.Time{} // more came: wait for it to finish
			}
		}
		switch {
		case err == nil:
		case errors.Is(err, io.EOF):
			rec.event(EOF, "", time.Now())
			rd.finish()
			return EndClosed, nil
		case isReset(err):
			rec.event(Reset, err.Error(), time.Now())
			return EndReset, nil
		case errors.Is(err, os.ErrDeadlineExceeded):
			// Loop: the top decides whether this was the end.
		default:
			rec.event(Fault, "read: "+err.Error(), time.Now())
			return EndReadError, err
		}
	}
}

func lastFinal(rd *reader) *Response {
	for i := len(rd.resps) - 1; i >= 0; i-- {
		if rd.resps[i].Final() {
			return &rd.resps[i]
		}
	}
	return nil
}

func later(a, b time.Time) time.Time {
	if a.After(b) {
		return a
	}
	return b
}

func isReset(err error) bool {
	return errors.Is(err, syscall.ECONNRESET) || errors.Is(err, syscall.ECONNABORTED)
}

func joinChunks(chunks [][]byte) []byte {
	var all []byte
	for _, c := range chunks {
		all = append(all, c...)
	}
	return all
}
