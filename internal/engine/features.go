package engine

import (
	"context"
	"fmt"
	"slices"
	"strings"

	"github.com/conformhttp/conform/features"
	"github.com/conformhttp/conform/reports"
)

// The features suite runs the @live scenarios of features/ (Gherkin
// scenarios that send bytes and judge what comes back) against every
// target over TCP, the embedded reference server included. Scenarios of
// one feature file run together, in one godog run per file and target;
// files run in parallel. The @slow scenarios wait for a target's timeouts:
// they run with --timeouts real only (the timeouts suite covers the same
// ground quickly in fast mode).

// featureListAddr is a placeholder address for listing the scenarios a
// live target runs; nothing is dialled.
const featureListAddr = "127.0.0.1:9"

func featureChecks() ([]*Check, error) {
	live, err := features.Live(featureListAddr)
	if err != nil {
		return nil, err
	}
	scenarios, err := features.List(features.Options{Target: live})
	if err != nil {
		return nil, fmt.Errorf("listing the features: %w", err)
	}
	var out []*Check
	batches := map[string]*batch{}
	for _, s := range scenarios {
		b := batches[s.File]
		if b == nil {
			b = &batch{key: "features/" + s.File, run: featureRunner(s.File)}
			batches[s.File] = b
		}
		c := &Check{
			ID:       s.ID,
			Suite:    SuiteFeatures,
			Family:   "features/" + strings.TrimSuffix(s.File, ".feature"),
			Title:    s.Name,
			Level:    reports.Level(s.Level),
			Expected: "every step of the scenario passes (" + s.Feature + ")",
			batch:    b,
			slow:     slices.Contains(s.Tags, "@slow"),
		}
		for _, r := range s.RFC {
			c.RFC = append(c.RFC, ref(r.RFC, r.Section))
		}
		out = append(out, c)
	}
	return out, nil
}

// featureRunner returns the batch function that runs the selected
// scenarios of one feature file against a target.
func featureRunner(file string) func(ctx context.Context, env *Env, checks []*Check) []Outcome {
	return func(ctx context.Context, env *Env, checks []*Check) []Outcome {
		outs := make([]Outcome, len(checks))
		live, err := features.Live(env.Target.Addr)
		if err != nil {
			for i := range outs {
				outs[i] = Outcome{Verdict: reports.Error, Reason: err.Error()}
			}
			return outs
		}
		opts := features.Options{
			Target:   live,
			Files:    []string{file},
			Grace:    env.Config.Limits.Idle,
			Patience: env.Config.Limits.Deadline,
		}
		if env.Config.Mode == Fast {
			opts.Tags = "~@slow"
		} else {
			opts.Timeouts = features.LiveTimeouts{Headers: env.Target.Timeouts.Headers, KeepAlive: env.Target.Timeouts.KeepAlive}
		}
		results, err := features.Run(ctx, opts)
		byID := map[string]*features.Result{}
		for i := range results {
			byID[results[i].ID] = &results[i]
		}
		for i, c := range checks {
			r, ok := byID[c.ID]
			switch {
			case ok:
				outs[i] = featureOutcome(c, r)
			case err != nil:
				outs[i] = Outcome{Verdict: reports.Error, Reason: "the feature run failed: " + err.Error()}
			case c.slow && env.Config.Mode == Fast:
				outs[i] = Outcome{Verdict: reports.Skip, Reason: "--timeouts fast: this scenario waits for the target's timeouts; run with --timeouts real"}
			default:
				outs[i] = Outcome{Verdict: reports.Skip, Reason: "the scenario did not run"}
			}
		}
		return outs
	}
}

// featureOutcome grades a scenario's result at its level.
func featureOutcome(c *Check, r *features.Result) Outcome {
	o := Outcome{Reason: r.Reason, Wire: featureWire(r.Wire), Duration: r.Duration}
	switch r.Verdict {
	case features.Pass:
		o.Verdict = reports.Pass
	case features.Fail:
		o.Verdict = grade(c.Level, false)
	case features.Skip:
		o.Verdict = reports.Skip
	default:
		o.Verdict = reports.Error
	}
	return o
}

// featureWire converts a scenario's wire log. A scenario may use several
// connections; a note marks each change of connection.
func featureWire(events []features.WireEvent) *reports.Wire {
	w := &reports.Wire{ClosedBy: reports.ClosedByProbe}
	conns := map[int]bool{}
	for _, e := range events {
		if e.Conn > 0 {
			conns[e.Conn] = true
		}
	}
	cur := 0
	for _, e := range events {
		if len(conns) > 1 && e.Conn > 0 && e.Conn != cur {
			cur = e.Conn
			w.Events = append(w.Events, reports.WireEvent{At: reports.Millis(e.At), Kind: reports.Note, Text: fmt.Sprintf("connection %d", e.Conn)})
		}
		w.Events = append(w.Events, reports.WireEvent{
			At: reports.Millis(e.At), Kind: reports.EventKind(e.Kind),
			Data: reports.Bytes(e.Data), Omitted: e.Omitted, Text: e.Text,
		})
		n := int64(len(e.Data)) + e.Omitted
		switch e.Kind {
		case "send":
			w.Sent += n
		case "recv":
			w.Received += n
		case "eof":
			w.ClosedBy = reports.ClosedByTarget
		case "reset":
			w.ClosedBy = reports.ClosedByReset
		case "close":
			w.ClosedBy = reports.ClosedByProbe
		}
	}
	return w
}

// batch is a group of checks that run together against a target, in one
// call of run, which returns an Outcome per check in order.
type batch struct {
	key string
	run func(ctx context.Context, env *Env, checks []*Check) []Outcome
}
