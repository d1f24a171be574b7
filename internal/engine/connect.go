package engine

import (
	"context"
	"fmt"

	"github.com/conformhttp/conform/internal/probe"
	"github.com/conformhttp/conform/reports"
)

// connectChecks test how a target treats CONNECT (RFC 9110 §9.3.6). A
// server that is not a proxy may refuse it or close; those answers are
// information. The request names the target's own address, so that a
// proxy can open the tunnel.
func connectChecks() []*Check {
	return []*Check{
		{
			ID: "connect-2xx-unframed", Suite: SuiteConnect, Family: SuiteConnect,
			Title:    "a 2xx answer to CONNECT carries no Content-Length or Transfer-Encoding",
			RFC:      []reports.Ref{ref(9110, "9.3.6")},
			Level:    reports.MustNot,
			Expected: "a 2xx without Content-Length and Transfer-Encoding; or a refusal (not a proxy)",
			run: func(ctx context.Context, env *Env) Outcome {
				req := "CONNECT " + env.Target.Addr + " HTTP/1.1\r\nHost: " + env.Target.Addr + "\r\n\r\n"
				res := env.do(ctx, &probe.Probe{Chunks: [][]byte{[]byte(req)}, Responses: 1})
				out := Outcome{Wire: wire(res)}
				if v, why, bad := harnessProblem(res, env.Config.Limits); bad {
					out.Verdict, out.Reason = v, why
					return out
				}
				f := finals(res)
				switch {
				case malformed(res) != "":
					out.Verdict, out.Reason = reports.Fail, malformed(res)
				case len(f) == 0 && res.Closed():
					out.Verdict, out.Reason = reports.Info, "the target closed the connection without an answer: it does not tunnel (a server that is not a proxy may refuse CONNECT)"
				case len(f) == 0:
					out.Verdict, out.Reason = reports.Info, "no answer came and the connection stayed open"
				case f[0].Status/100 != 2:
					out.Verdict, out.Reason = reports.Info, fmt.Sprintf("the target answered %d: it does not tunnel for this request, so the rule for 2xx answers does not apply", f[0].Status)
				default:
					var bad []string
					for _, name := range []string{"Content-Length", "Transfer-Encoding"} {
						if v, ok := f[0].Get(name); ok {
							bad = append(bad, name+": "+v)
						}
					}
					if len(bad) > 0 {
						out.Verdict, out.Reason = reports.Fail, fmt.Sprintf("the %d answer to CONNECT carries %v, which a 2xx answer to CONNECT must not", f[0].Status, bad)
					} else {
						out.Verdict, out.Reason = reports.Pass, fmt.Sprintf("the %d answer to CONNECT carries neither Content-Length nor Transfer-Encoding; %d tunnel bytes followed", f[0].Status, res.TunnelLen)
					}
				}
				return out
			},
		},
		{
			ID: "connect-after-pipelined-get", Suite: SuiteConnect, Family: SuiteConnect,
			Title:    "a GET pipelined before a CONNECT is answered first, in full",
			RFC:      []reports.Ref{ref(9112, "9.3.2"), ref(9110, "9.3.6")},
			Level:    reports.Must,
			Expected: "the GET's complete response, then anything or a close",
			run: func(ctx context.Context, env *Env) Outcome {
				data := request("GET", "/?conform=before-connect", env.Target.Addr) +
					"CONNECT " + env.Target.Addr + " HTTP/1.1\r\nHost: " + env.Target.Addr + "\r\n\r\n"
				res := env.do(ctx, &probe.Probe{Chunks: [][]byte{[]byte(data)}, Responses: 2})
				out := Outcome{Wire: wire(res)}
				if v, why, bad := harnessProblem(res, env.Config.Limits); bad {
					out.Verdict, out.Reason = v, why
					return out
				}
				f := finals(res)
				switch {
				case len(f) > 0 && f[0].Status >= 200 && f[0].Status != 400:
					out.Verdict, out.Reason = reports.Pass, fmt.Sprintf("the GET was answered %d in full before anything else (then: %s)", f[0].Status, describeStatuses(res.Statuses()[1:]))
				case malformed(res) != "":
					out.Verdict, out.Reason = reports.Fail, malformed(res)
				case len(f) > 0:
					out.Verdict, out.Reason = reports.Fail, fmt.Sprintf("the well-formed GET was answered %d", f[0].Status)
				case res.Closed():
					out.Verdict, out.Reason = reports.Info, "the target closed the connection without answering the GET"
				default:
					out.Verdict, out.Reason = reports.Fail, "the target did not answer the GET and kept the connection open"
				}
				return out
			},
		},
	}
}
