package engine

import (
	"context"
	"fmt"
	"runtime"
	"sync"
	"time"

	"github.com/conformhttp/conform/corpus"
	"github.com/conformhttp/conform/reports"
)

// All returns every check the engine knows, in report order: the corpus's
// request cases (each followed by its split variant when split is set),
// then the pipelining, CONNECT and timeout checks.
func All(split bool) ([]*Check, error) {
	cases, err := corpus.Load()
	if err != nil {
		return nil, fmt.Errorf("loading the corpus: %w", err)
	}
	checks := corpusChecks(cases, split)
	checks = append(checks, pipelineChecks()...)
	checks = append(checks, connectChecks()...)
	checks = append(checks, timeoutChecks()...)
	return checks, nil
}

// Progress is a report on a running Run, after each check.
type Progress struct {
	// Done and Total count check runs (checks × targets).
	Done, Total int
	// Check and Target name the run that just ended, Verdict its grade.
	Check   *Check
	Target  string
	Verdict reports.Verdict
	// Elapsed is the time since Run began.
	Elapsed time.Duration
}

// RunOptions say how Run runs the checks.
type RunOptions struct {
	Config Config
	// Parallel is how many checks run at once (each on its own
	// connection). Zero or negative means DefaultParallel().
	Parallel int
	// Progress, if set, is called after each check, from one goroutine
	// at a time.
	Progress func(Progress)
}

// DefaultParallel is how many checks run at once by default: enough to
// hide the checks' waits (idle ends, lingers), few enough not to look like
// an attack to a live server.
func DefaultParallel() int { return max(8, 4*runtime.GOMAXPROCS(0)) }

// Run runs every check against every target and returns one result per
// check and target, checks in order and for each check the targets in
// order. It returns when every check has ended; a canceled context ends
// the running checks with an error verdict and skips the rest.
func Run(ctx context.Context, checks []*Check, targets []Target, opt RunOptions) []reports.Check {
	cfg := opt.Config.withDefaults()
	parallel := opt.Parallel
	if parallel <= 0 {
		parallel = DefaultParallel()
	}
	type job struct{ check, target int }
	total := len(checks) * len(targets)
	out := make([]reports.Check, total)
	jobs := make(chan job)
	start := time.Now()
	var mu sync.Mutex // serialises Progress calls and done
	done := 0
	var wg sync.WaitGroup
	for range min(parallel, max(total, 1)) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for j := range jobs {
				c, t := checks[j.check], targets[j.target]
				r := runOne(ctx, c, &Env{Target: t, Config: cfg})
				out[j.check*len(targets)+j.target] = r
				if opt.Progress != nil {
					mu.Lock()
					done++
					opt.Progress(Progress{Done: done, Total: total, Check: c, Target: t.Name, Verdict: r.Verdict, Elapsed: time.Since(start)})
					mu.Unlock()
				}
			}
		}()
	}
	for _, slow := range []bool{true, false} {
		for i, c := range checks {
			if c.slow != slow {
				continue
			}
			for k := range targets {
				jobs <- job{i, k}
			}
		}
	}
	close(jobs)
	wg.Wait()
	return out
}

// runOne runs a check against one target; a canceled run skips it.
func runOne(ctx context.Context, c *Check, env *Env) reports.Check {
	r := Record(c, env.Target.Name)
	if ctx.Err() != nil {
		r.Verdict, r.Reason = reports.Skip, "not run: the run was canceled"
		return r
	}
	began := time.Now()
	o := c.run(ctx, env)
	r.Duration = reports.Millis(time.Since(began))
	r.Verdict, r.Reason, r.Wire = o.Verdict, o.Reason, o.Wire
	return r
}

// Record returns the results record of check c against target, without a
// verdict.
func Record(c *Check, target string) reports.Check {
	return reports.Check{
		ID: c.ID, Suite: c.Suite, Family: c.Family, Title: c.Title, Target: target,
		RFC: c.RFC, Level: c.Level, Expected: c.Expected,
	}
}

// ReportTarget is the results description of t.
func ReportTarget(t Target) reports.Target {
	return reports.Target{Name: t.Name, Address: t.Addr, Description: t.Description}
}
