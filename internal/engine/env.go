package engine

import (
	"context"
	"fmt"
	"net"
	"time"

	"github.com/conformhttp/conform/internal/probe"
	"github.com/conformhttp/conform/reports"
)

// Target is a server checks run against.
type Target struct {
	// Name labels the target in results: "reference" for the embedded
	// server, the address for a live one.
	Name string
	// Addr is the host:port probes go to.
	Addr string
	// Description says what the target is.
	Description string
	// Timeouts are the target's configured timeouts, which the timeout
	// checks wait for; zero fields are unknown (those checks skip).
	Timeouts Timeouts
	// ShortTimeouts reports that Timeouts are short enough for
	// --timeouts fast (the embedded server started for a fast run).
	ShortTimeouts bool
	// Dial opens a connection to the target; nil dials Addr over TCP.
	// Tests use it to reach a server through in-memory pipes.
	Dial func(ctx context.Context, network, addr string) (net.Conn, error)
}

// Timeouts are a target's configured timeouts, as Node's http.Server names
// them.
type Timeouts struct {
	// Headers bounds the time from a request's first byte to the end of
	// its head (Node's headersTimeout).
	Headers time.Duration
	// Request bounds the time from a request's first byte to the end of
	// its body (Node's requestTimeout).
	Request time.Duration
	// KeepAlive bounds the idle time between a response and the next
	// request (Node's keepAliveTimeout).
	KeepAlive time.Duration
}

// Mode says how long the timeout checks may wait.
type Mode uint8

// The timeout modes.
const (
	// Fast runs the timeout checks only against a target whose timeouts
	// are short (the embedded server, started with them); others skip.
	Fast Mode = iota
	// Real waits as long as each target's configured timeouts require.
	Real
)

// ParseMode parses "fast" or "real".
func ParseMode(s string) (Mode, error) {
	switch s {
	case "fast":
		return Fast, nil
	case "real":
		return Real, nil
	}
	return 0, fmt.Errorf("unknown timeouts mode %q; use fast (short timeouts, embedded server only) or real (wait as the target's timeouts require)", s)
}

func (m Mode) String() string {
	if m == Real {
		return "real"
	}
	return "fast"
}

// Config is how checks run, the same for every target.
type Config struct {
	// Limits bound every probe; zero fields take the mode's defaults.
	Limits probe.Limits
	// Mode is the timeout mode.
	Mode Mode
	// SplitPause is the wait between the pieces of a split message. Zero
	// means the mode's default.
	SplitPause time.Duration
}

// DefaultLimits returns the probe limits of a mode: fast mode expects a
// target on the same machine to answer within milliseconds; real mode
// gives a remote or busy target time.
func DefaultLimits(m Mode) probe.Limits {
	if m == Real {
		return probe.Limits{Deadline: 10 * time.Second, Idle: time.Second, Linger: 200 * time.Millisecond, MaxBytes: 1 << 20, LogCap: 16 << 10}
	}
	return probe.Limits{Deadline: 2 * time.Second, Idle: 150 * time.Millisecond, Linger: 30 * time.Millisecond, MaxBytes: 1 << 20, LogCap: 16 << 10}
}

func (c Config) withDefaults() Config {
	def := DefaultLimits(c.Mode)
	if c.Limits.Deadline <= 0 {
		c.Limits.Deadline = def.Deadline
	}
	if c.Limits.Idle <= 0 {
		c.Limits.Idle = def.Idle
	}
	if c.Limits.Linger <= 0 {
		c.Limits.Linger = def.Linger
	}
	if c.Limits.MaxBytes <= 0 {
		c.Limits.MaxBytes = def.MaxBytes
	}
	if c.Limits.LogCap == 0 {
		c.Limits.LogCap = def.LogCap
	}
	if c.SplitPause <= 0 {
		c.SplitPause = time.Millisecond
		if c.Mode == Real {
			c.SplitPause = 5 * time.Millisecond
		}
	}
	return c
}

// Env is what a check sees while it runs against one target.
type Env struct {
	Target Target
	Config Config
}

// do runs one probe against the target with the configured limits, its
// deadline stretched by the time the probe's pauses take.
func (e *Env) do(ctx context.Context, p *probe.Probe) *probe.Result {
	return e.doWith(ctx, p, stretch(e.Config.Limits, p))
}

// stretch adds twice the probe's pauses to the deadline, so that a message
// sent in many pieces is not cut off while it is being sent.
func stretch(lim probe.Limits, p *probe.Probe) probe.Limits {
	if n := len(p.Chunks); n > 1 && p.Pause > 0 {
		lim.Deadline += 2 * time.Duration(n-1) * p.Pause
	}
	return lim
}

func (e *Env) doWith(ctx context.Context, p *probe.Probe, lim probe.Limits) *probe.Result {
	return probe.Do(ctx, probe.Target{Addr: e.Target.Addr, Dial: e.Target.Dial}, p, lim)
}

// doPatiently runs p and, when good says the result is bad and the
// exchange ended by waiting (for a response that might only have been
// slow, or for a close), runs it again with eight times the idle and
// linger waits: a verdict must not fail a target that was merely slow on
// a busy machine. It returns the result to grade and whether it is the
// second one.
func (e *Env) doPatiently(ctx context.Context, p *probe.Probe, good func(*probe.Result) bool) (*probe.Result, bool) {
	res := e.do(ctx, p)
	if good(res) || !waited(res) || ctx.Err() != nil {
		return res, false
	}
	return e.doWith(ctx, p, stretch(e.patientLimits(), p)), true
}

// patientLimits are the limits of a second try.
func (e *Env) patientLimits() probe.Limits {
	lim := e.Config.Limits
	lim.Idle = max(8*lim.Idle, time.Second)
	lim.Linger = max(8*lim.Linger, 250*time.Millisecond)
	lim.Deadline = max(lim.Deadline, 2*lim.Idle)
	return lim
}

// waited reports that an exchange ended because the probe stopped
// waiting, not because of what the target did.
func waited(res *probe.Result) bool {
	switch res.End {
	case probe.EndIdle, probe.EndDone, probe.EndDeadline:
		return true
	}
	return false
}

// retried is the note a reason gets when its verdict comes from a second
// try.
func retried(lim probe.Limits) string {
	return fmt.Sprintf(" (seen on a second try that waited up to %v for the target)", lim.Idle)
}

// harnessProblem grades the exchanges that cannot be judged against the
// RFC: no connection, a read failure, a canceled run, and a target still
// sending when a limit was reached (a slow drip, an endless body).
func harnessProblem(res *probe.Result, lim probe.Limits) (reports.Verdict, string, bool) {
	switch res.End {
	case probe.EndDialError:
		return reports.Error, fmt.Sprintf("could not connect: %v", res.Err), true
	case probe.EndReadError:
		return reports.Error, fmt.Sprintf("reading the answer failed: %v", res.Err), true
	case probe.EndCanceled:
		return reports.Error, "the run was canceled before the check ended", true
	case probe.EndCap:
		return reports.Error, fmt.Sprintf("the target sent more than %d bytes (an endless body?); the answer could not be judged", lim.MaxBytes), true
	case probe.EndDeadline:
		if res.WriteErr == nil && res.ChunksSent < res.Chunks {
			return reports.Error, fmt.Sprintf("the %v deadline passed while the probe was still sending (%d of %d pieces sent)", lim.Deadline, res.ChunksSent, res.Chunks), true
		}
		if res.InProgress() {
			return reports.Error, fmt.Sprintf("the target was still sending a response (%d bytes so far) when the %v deadline passed (a slow drip?); the answer could not be judged", res.Log.Received, lim.Deadline), true
		}
		// Between responses: what came is an observation like any other,
		// with the connection open.
	}
	return "", "", false
}

// malformed describes the first response that was not valid HTTP/1.x, or
// returns "".
func malformed(res *probe.Result) string {
	for i, r := range res.Responses {
		if r.Err != nil {
			return fmt.Sprintf("response %d is not valid HTTP/1.x: %s at byte %d of the answer: %s", i+1, r.Err.Code, r.Err.Offset, r.Err.Reason)
		}
	}
	return ""
}

// wire converts probe logs to one wire log. Several exchanges are shown
// one after the other, each introduced by a note, with times counted from
// the first one's start.
func wire(results ...*probe.Result) *reports.Wire {
	if len(results) == 0 {
		return nil
	}
	w := &reports.Wire{}
	start := results[0].Started
	for i, res := range results {
		offset := res.Started.Sub(start)
		if len(results) > 1 {
			w.Events = append(w.Events, reports.WireEvent{At: reports.Millis(offset), Kind: reports.Note,
				Text: fmt.Sprintf("connection %d of %d", i+1, len(results))})
		}
		for _, e := range res.Log.Events {
			w.Events = append(w.Events, reports.WireEvent{
				At:      reports.Millis(offset + e.At),
				Kind:    reports.EventKind(e.Kind.String()),
				Data:    reports.Bytes(e.Data),
				Omitted: e.Omitted,
				Text:    e.Text,
			})
		}
		w.Sent += res.Log.Sent
		w.Received += res.Log.Received
		w.ClosedBy = reports.Closer(res.Log.ClosedBy.String())
	}
	return w
}
