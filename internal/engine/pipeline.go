package engine

import (
	"context"
	"fmt"
	"slices"
	"strings"

	"github.com/conformhttp/conform/internal/probe"
	"github.com/conformhttp/conform/reports"
)

// The pipelining checks send several requests without waiting (RFC 9112
// §9.3.2) and check that every response comes, complete and in order. A
// server may close a persistent connection after any response (§9.6), so
// fewer responses followed by a close is information, not a failure; a
// server that stops answering and keeps the connection open, sends a
// misframed response, or answers out of order fails.
func pipelineChecks() []*Check {
	orderRefs := []reports.Ref{ref(9112, "9.3.2")}
	return []*Check{
		{
			ID: "pipeline-order", Suite: SuitePipelining, Family: SuitePipelining,
			Title:    "five pipelined requests whose responses differ are answered in order",
			RFC:      orderRefs,
			Level:    reports.Must,
			Expected: "each response as the same request gets alone, in request order",
			run: func(ctx context.Context, env *Env) Outcome {
				host := env.Target.Addr
				reqs := []string{
					request("GET", "/", host),
					request("GET", missingPrefix+"-a", host),
					request("HEAD", "/", host),
					request("GET", missingPrefix+"-bb", host),
					request("GET", "/?conform=order", host),
				}
				return pipelineOrder(ctx, env, reqs)
			},
		},
		{
			ID: "pipeline-head-get", Suite: SuitePipelining, Family: SuitePipelining,
			Title:    "HEAD, GET, HEAD, GET pipelined: bodies only where GET asked",
			RFC:      append(orderRefs, ref(9112, "6.3")),
			Level:    reports.Must,
			Expected: "four complete responses, framed as their requests' methods require",
			run: func(ctx context.Context, env *Env) Outcome {
				host := env.Target.Addr
				var all string
				for _, m := range []string{"HEAD", "GET", "HEAD", "GET"} {
					all += request(m, "/", host)
				}
				return countPatiently(ctx, env, &probe.Probe{Chunks: [][]byte{[]byte(all)}, Responses: 4}, 4)
			},
		},
		{
			ID: "pipeline-burst-32", Suite: SuitePipelining, Family: SuitePipelining,
			Title:    "32 GET requests in one write",
			RFC:      orderRefs,
			Level:    reports.Must,
			Expected: "32 complete responses, or some and a close",
			run: func(ctx context.Context, env *Env) Outcome {
				var all strings.Builder
				for i := range 32 {
					all.WriteString(request("GET", fmt.Sprintf("/?conform=burst-%d", i), env.Target.Addr))
				}
				return countPatiently(ctx, env, &probe.Probe{Chunks: [][]byte{[]byte(all.String())}, Responses: 32}, 32)
			},
		},
		{
			ID: "pipeline-split-second", Suite: SuitePipelining, Family: SuitePipelining,
			Title:    "the second request starts in the first one's segment and ends in the next",
			RFC:      orderRefs,
			Level:    reports.Must,
			Expected: "two complete responses",
			run: func(ctx context.Context, env *Env) Outcome {
				first := request("GET", "/?conform=first", env.Target.Addr)
				second := request("GET", "/?conform=second", env.Target.Addr)
				data := []byte(first + second)
				p := &probe.Probe{Chunks: probe.SplitAt(data, len(first)+7), Pause: 10 * env.Config.SplitPause, Responses: 2}
				return countPatiently(ctx, env, p, 2)
			},
		},
	}
}

// request is a minimal request: method, target, Host.
func request(method, target, host string) string {
	return method + " " + target + " HTTP/1.1\r\nHost: " + host + "\r\n\r\n"
}

// fingerprint is what tells two responses apart without their bytes: a
// status and a body length.
type fingerprint struct {
	status  int
	bodyLen int64
}

func (f fingerprint) String() string {
	return fmt.Sprintf("%d with %d body bytes", f.status, f.bodyLen)
}

func fingerprintOf(r *probe.Response) fingerprint {
	return fingerprint{status: r.Status, bodyLen: r.BodyLen}
}

// finals returns the complete final responses of res.
func finals(res *probe.Result) []*probe.Response {
	var out []*probe.Response
	for i := range res.Responses {
		r := &res.Responses[i]
		if r.Final() && r.Complete && r.Err == nil {
			out = append(out, r)
		}
	}
	return out
}

// pipelineOrder sends each request alone, then all of them pipelined, and
// compares the responses.
func pipelineOrder(ctx context.Context, env *Env, reqs []string) Outcome {
	var results []*probe.Result
	want := make([]fingerprint, len(reqs))
	for i, req := range reqs {
		// A slow target gets the patient second try here too: a request
		// alone that found no answer within the idle wait says nothing
		// about pipelining.
		res, _ := env.doPatiently(ctx, &probe.Probe{Chunks: [][]byte{[]byte(req)}, Responses: 1}, func(res *probe.Result) bool {
			return len(finals(res)) == 1
		})
		results = append(results, res)
		if v, why, bad := harnessProblem(res, env.Config.Limits); bad {
			return Outcome{Verdict: v, Reason: fmt.Sprintf("request %d alone: %s", i+1, why), Wire: wire(results...)}
		}
		f := finals(res)
		if len(f) != 1 {
			return Outcome{Verdict: reports.Error, Wire: wire(results...),
				Reason: fmt.Sprintf("request %d sent alone got %s, not one complete response; the order of pipelined answers cannot be judged%s", i+1, describeStatuses(res.Statuses()), suffix(malformed(res)))}
		}
		want[i] = fingerprintOf(f[0])
	}
	res, second := env.doPatiently(ctx, &probe.Probe{Chunks: [][]byte{[]byte(strings.Join(reqs, ""))}, Responses: len(reqs)}, func(res *probe.Result) bool {
		return len(finals(res)) == len(reqs)
	})
	results = append(results, res)
	lim := env.Config.Limits
	if second {
		lim = env.patientLimits()
	}
	out := judgeCount(res, len(reqs), lim)
	if second {
		out.Reason += retried(lim)
	}
	out.Wire = wire(results...)
	if out.Verdict == reports.Fail || out.Verdict == reports.Error {
		return out
	}
	var got []fingerprint
	for _, r := range finals(res) {
		got = append(got, fingerprintOf(r))
	}
	distinct := map[fingerprint]bool{}
	for _, f := range want {
		distinct[f] = true
	}
	if slices.Equal(got, want[:len(got)]) {
		if len(distinct) == 1 {
			out.Verdict = reports.Info
			out.Reason = fmt.Sprintf("the %d responses came, but the requests sent alone all got %s, so their order cannot be told", len(got), want[0])
			return out
		}
		if len(got) == len(want) {
			out.Reason = fmt.Sprintf("every response matched the one its request got alone, in order (%s)", fingerprintList(got))
		}
		return out
	}
	sortedGot, sortedWant := slices.Clone(got), slices.Clone(want[:len(got)])
	less := func(a, b fingerprint) int {
		if a.status != b.status {
			return a.status - b.status
		}
		return int(a.bodyLen - b.bodyLen)
	}
	slices.SortFunc(sortedGot, less)
	slices.SortFunc(sortedWant, less)
	if slices.Equal(sortedGot, sortedWant) {
		out.Verdict = reports.Fail
		out.Reason = fmt.Sprintf("the responses came out of order: got %s, but the requests sent alone got %s", fingerprintList(got), fingerprintList(want))
		return out
	}
	out.Verdict = reports.Info
	out.Reason = fmt.Sprintf("the pipelined responses (%s) differ from those the requests got alone (%s), so their order cannot be judged", fingerprintList(got), fingerprintList(want))
	return out
}

func fingerprintList(fs []fingerprint) string {
	parts := make([]string, len(fs))
	for i, f := range fs {
		parts[i] = f.String()
	}
	return strings.Join(parts, "; ")
}

// countPatiently sends p and grades it with judgeCount, trying again with
// longer waits when fewer than n responses came before the probe stopped
// waiting.
func countPatiently(ctx context.Context, env *Env, p *probe.Probe, n int) Outcome {
	res, second := env.doPatiently(ctx, p, func(res *probe.Result) bool { return len(finals(res)) == n })
	if !second {
		return judgeCount(res, n, env.Config.Limits)
	}
	out := judgeCount(res, n, env.patientLimits())
	out.Reason += retried(env.patientLimits())
	return out
}

// judgeCount grades a pipelined exchange by its complete responses: all n
// pass; a misframed one or a target that stopped answering with the
// connection open fails; fewer and a close is information.
func judgeCount(res *probe.Result, n int, lim probe.Limits) Outcome {
	out := Outcome{Wire: wire(res)}
	if v, why, bad := harnessProblem(res, lim); bad {
		out.Verdict, out.Reason = v, why
		return out
	}
	got := len(finals(res))
	switch {
	case malformed(res) != "":
		out.Verdict = reports.Fail
		out.Reason = fmt.Sprintf("after %d complete responses, %s (a response framed for another request, or out of order)", got, malformed(res))
	case got > n:
		out.Verdict = reports.Fail
		out.Reason = fmt.Sprintf("%d requests were sent but %d responses came", n, got)
	case got == n:
		out.Verdict = reports.Pass
		out.Reason = fmt.Sprintf("all %d responses came, complete (%s)", n, describeStatuses(res.Statuses()))
	case res.Closed():
		out.Verdict = reports.Info
		out.Reason = fmt.Sprintf("the target answered %d of %d pipelined requests and closed the connection; a server may close a persistent connection at any time (RFC 9112 §9.6)", got, n)
	default:
		out.Verdict = reports.Fail
		out.Reason = fmt.Sprintf("the target answered %d of %d pipelined requests and then kept the connection open without answering the rest", got, n)
	}
	return out
}

func suffix(s string) string {
	if s == "" {
		return ""
	}
	return "; " + s
}
