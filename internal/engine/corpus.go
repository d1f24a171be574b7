package engine

import (
	"context"
	"fmt"
	"strings"

	"github.com/conformhttp/conform/corpus"
	"github.com/conformhttp/conform/internal/probe"
	"github.com/conformhttp/conform/reports"
)

// splitSuffix marks the split variant of a corpus check.
const splitSuffix = "@split"

// maxSplitWrites bounds the writes of a split message: a message longer
// than this many bytes is sent in pieces of len/maxSplitWrites bytes,
// rounded up, so that a 20 KiB header-overflow case does not take 20,000
// pauses.
const maxSplitWrites = 512

// corpusChecks returns a live check for every request case that has a
// server rule, and with split a second one sending the bytes in pieces.
func corpusChecks(cases []*corpus.Case, split bool) []*Check {
	var out []*Check
	for _, c := range cases {
		if c.Server == nil {
			continue
		}
		out = append(out, corpusCheck(c, false))
		if split {
			out = append(out, corpusCheck(c, true))
		}
	}
	return out
}

func corpusCheck(c *corpus.Case, split bool) *Check {
	ch := &Check{
		ID:       c.ID,
		Suite:    SuiteCorpus,
		Family:   strings.TrimSuffix(c.File, ".txt"),
		Title:    c.Title,
		Level:    reports.Level(c.Level),
		Expected: c.Server.Text,
	}
	for _, r := range c.RFC {
		ch.RFC = append(ch.RFC, ref(r.RFC, r.Section))
	}
	if split {
		ch.ID += splitSuffix
		ch.Title += " (sent in pieces)"
	}
	data := c.Bytes()
	responses := ruleResponses(c.Server)
	ch.run = func(ctx context.Context, env *Env) Outcome {
		p := &probe.Probe{Chunks: [][]byte{data}, Responses: responses, HalfClose: c.Finish}
		if split {
			p.Chunks = probe.Split(data, (len(data)+maxSplitWrites-1)/maxSplitWrites)
			p.Pause = env.Config.SplitPause
		}
		judge := func(res *probe.Result) (bool, string) {
			return c.Server.Judge(corpus.Observation{Statuses: res.Statuses(), Closed: res.Closed()})
		}
		res, second := env.doPatiently(ctx, p, func(res *probe.Result) bool {
			ok, _ := judge(res)
			return ok
		})
		lim := env.Config.Limits
		if second {
			lim = env.patientLimits()
		}
		out := Outcome{Wire: wire(res)}
		if v, why, ok := harnessProblem(res, lim); ok {
			out.Verdict, out.Reason = v, why
			return out
		}
		ok, why := judge(res)
		out.Verdict = grade(ch.Level, ok)
		out.Reason = "answered " + why
		if second {
			out.Reason += retried(lim)
		}
		if m := malformed(res); m != "" {
			out.Reason += "; " + m
		}
		if !ok && c.Reason != "" {
			out.Reason += ". The case: " + c.Reason
		}
		return out
	}
	return ch
}

// ruleResponses is the largest number of responses an alternative of r
// consumes: how many the probe waits for before it only lingers.
func ruleResponses(r *corpus.Rule) int {
	most := 0
	for _, alt := range r.Alts {
		n := 0
		for _, st := range alt {
			switch st.Kind {
			case corpus.StepClose, corpus.StepWait:
			default:
				n++
			}
		}
		most = max(most, n)
	}
	return most
}

// describeStatuses renders statuses for a reason: "200, 400".
func describeStatuses(st []int) string {
	if len(st) == 0 {
		return "no response"
	}
	parts := make([]string, len(st))
	for i, s := range st {
		if s == 0 {
			parts[i] = "unframed bytes"
		} else {
			parts[i] = fmt.Sprint(s)
		}
	}
	return strings.Join(parts, ", ")
}
