package engine

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/conformhttp/conform/internal/probe"
	"github.com/conformhttp/conform/reports"
)

// The timeout checks leave a connection incomplete or idle and watch the
// target end it. No RFC requires a server to time out, so a target that
// waits on is information; a server that does give up should say so with
// 408 and close (RFC 9110 §15.5.9, a SHOULD). Each check waits twice the
// target's configured timeout plus a grace period (a second in fast mode,
// five in real mode); in fast mode only targets started with short
// timeouts (the embedded server) are checked.
func timeoutChecks() []*Check {
	idleRefs := []reports.Ref{ref(9112, "9.5")}
	checks := []*Check{
		{
			ID: "timeout-headers-incomplete", Suite: SuiteTimeouts, Family: SuiteTimeouts,
			Title:    "a request head that never ends: the headers timeout",
			RFC:      []reports.Ref{ref(9110, "15.5.9"), ref(9112, "9.5")},
			Level:    reports.Should,
			Expected: "408 with Connection: close, or a close, once the headers timeout has passed",
			run: func(ctx context.Context, env *Env) Outcome {
				return waitForTimeout(ctx, env, "headers", env.Target.Timeouts.Headers, func(time.Duration) *probe.Probe {
					return &probe.Probe{Chunks: [][]byte{[]byte("GET / HTTP/1.1\r\nHost: " + env.Target.Addr + "\r\n")}}
				})
			},
		},
		{
			ID: "timeout-headers-drip", Suite: SuiteTimeouts, Family: SuiteTimeouts,
			Title:    "a request head dripped one byte at a time (slowloris)",
			RFC:      []reports.Ref{ref(9110, "15.5.9"), ref(9112, "9.5")},
			Level:    reports.NoLevel,
			Expected: "a close (408 optional) once the headers timeout has passed, although bytes keep coming",
			run: func(ctx context.Context, env *Env) Outcome {
				return waitForTimeout(ctx, env, "headers", env.Target.Timeouts.Headers, func(wait time.Duration) *probe.Probe {
					pause := max(env.Target.Timeouts.Headers/8, time.Millisecond)
					n := int(wait/pause) + 2
					head := "GET / HTTP/1.1\r\nHost: " + env.Target.Addr + "\r\nX-Drip: "
					chunks := [][]byte{[]byte(head)}
					for range n {
						chunks = append(chunks, []byte("a"))
					}
					return &probe.Probe{Chunks: chunks, Pause: pause}
				})
			},
		},
		{
			ID: "timeout-request-body", Suite: SuiteTimeouts, Family: SuiteTimeouts,
			Title:    "a request body that stops short of its Content-Length: the request timeout",
			RFC:      []reports.Ref{ref(9110, "15.5.9"), ref(9112, "9.5")},
			Level:    reports.NoLevel,
			Expected: "a close (408 optional) once the request timeout has passed",
			run: func(ctx context.Context, env *Env) Outcome {
				return waitForTimeout(ctx, env, "request", env.Target.Timeouts.Request, func(time.Duration) *probe.Probe {
					req := "POST / HTTP/1.1\r\nHost: " + env.Target.Addr + "\r\nContent-Length: 100\r\n\r\n0123456789"
					return &probe.Probe{Chunks: [][]byte{[]byte(req)}}
				})
			},
		},
		{
			ID: "timeout-keep-alive", Suite: SuiteTimeouts, Family: SuiteTimeouts,
			Title:    "an idle persistent connection after a response: the keep-alive timeout",
			RFC:      idleRefs,
			Level:    reports.NoLevel,
			Expected: "the response, then a close once the keep-alive timeout has passed",
			run: func(ctx context.Context, env *Env) Outcome {
				return waitForTimeout(ctx, env, "keep-alive", env.Target.Timeouts.KeepAlive, func(time.Duration) *probe.Probe {
					return &probe.Probe{Chunks: [][]byte{[]byte(request("GET", "/?conform=keep-alive", env.Target.Addr))}}
				})
			},
		},
	}
	for _, c := range checks {
		c.slow = true
	}
	return checks
}

// waitForTimeout sends the probe build makes and waits up to twice
// timeout plus a grace period for the target to end the connection; it
// grades what happened.
func waitForTimeout(ctx context.Context, env *Env, name string, timeout time.Duration, build func(wait time.Duration) *probe.Probe) Outcome {
	if env.Config.Mode == Fast && !env.Target.ShortTimeouts {
		return Outcome{Verdict: reports.Skip, Reason: fmt.Sprintf("--timeouts fast: the %s timeout of this target is not short; run with --timeouts real to wait for it", name)}
	}
	if timeout <= 0 {
		return Outcome{Verdict: reports.Skip, Reason: fmt.Sprintf("the target's %s timeout is not known; give it with the --%s-timeout flag", name, name)}
	}
	// A target that times out ends the wait at once, so a generous wait
	// costs only the targets that never do.
	grace := time.Second
	if env.Config.Mode == Real {
		grace = 5 * time.Second
	}
	wait := 2*timeout + grace
	lim := env.Config.Limits
	lim.Deadline, lim.Idle = wait, wait
	p := build(wait)
	res := env.doWith(ctx, p, lim)
	out := Outcome{Wire: wire(res)}
	switch res.End {
	case probe.EndDialError, probe.EndReadError, probe.EndCanceled, probe.EndCap:
		out.Verdict, out.Reason, _ = harnessProblem(res, lim)
		return out
	}
	statuses := describeStatuses(res.Statuses())
	if !res.Closed() {
		out.Verdict = reports.Info
		out.Reason = fmt.Sprintf("the connection was still open %v after the probe began (the %s timeout is said to be %v); answers: %s", wait, name, timeout, statuses)
		return out
	}
	at := closedAt(res)
	var timedOut *probe.Response
	for i := range res.Responses {
		if res.Responses[i].Status == 408 {
			timedOut = &res.Responses[i]
		}
	}
	out.Verdict = reports.Pass
	out.Reason = fmt.Sprintf("the target closed the connection %v after the probe began (the %s timeout is said to be %v); answers: %s", at.Round(time.Millisecond), name, timeout, statuses)
	if timedOut != nil {
		if v, _ := timedOut.Get("Connection"); !hasToken(v, "close") {
			out.Verdict = grade(reports.Should, false)
			out.Reason += "; its 408 lacks Connection: close, which a server that gives up waiting should send"
		}
	}
	return out
}

// closedAt is when the target ended the connection, from the log.
func closedAt(res *probe.Result) time.Duration {
	for i := len(res.Log.Events) - 1; i >= 0; i-- {
		if k := res.Log.Events[i].Kind; k == probe.EOF || k == probe.Reset {
			return res.Log.Events[i].At
		}
	}
	return res.Duration
}

// hasToken reports whether the comma-separated list v holds token t,
// ignoring case.
func hasToken(v, t string) bool {
	for _, part := range strings.Split(v, ",") {
		if strings.EqualFold(strings.TrimSpace(part), t) {
			return true
		}
	}
	return false
}
