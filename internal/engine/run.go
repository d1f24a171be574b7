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
// then the pipelining, CONNECT and timeout checks, then the @live
// scenarios of features/.
func All(split bool) ([]*Check, error) {
	cases, err := corpus.Load()
	if err != nil {
		return nil, fmt.Errorf("loading the corpus: %w", err)
	}
	checks := corpusChecks(cases, split)
	checks = append(checks, pipelineChecks()...)
	checks = append(checks, connectChecks()...)
	checks = append(checks, timeoutChecks()...)
	feats, err := featureChecks()
	if err != nil {
		return nil, err
	}
	return append(checks, feats...), nil
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
	total := len(checks) * len(targets)
	out := make([]reports.Check, total)
	jobs := plan(checks, len(targets))
	start := time.Now()
	var mu sync.Mutex // serialises Progress calls and done
	done := 0
	finished := func(i, k int) {
		if opt.Progress == nil {
			return
		}
		mu.Lock()
		defer mu.Unlock()
		done++
		opt.Progress(Progress{Done: done, Total: total, Check: checks[i], Target: targets[k].Name, Verdict: out[i*len(targets)+k].Verdict, Elapsed: time.Since(start)})
	}
	queue := make(chan job)
	var wg sync.WaitGroup
	for range min(parallel, max(len(jobs), 1)) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for j := range queue {
				env := &Env{Target: targets[j.target], Config: cfg}
				if j.batch == nil {
					i := j.checks[0]
					out[i*len(targets)+j.target] = runOne(ctx, checks[i], env)
					finished(i, j.target)
					continue
				}
				var cs []*Check
				for _, i := range j.checks {
					cs = append(cs, checks[i])
				}
				for n, r := range runBatch(ctx, j.batch, cs, env) {
					i := j.checks[n]
					out[i*len(targets)+j.target] = r
					finished(i, j.target)
				}
			}
		}()
	}
	for _, j := range jobs {
		queue <- j
	}
	close(queue)
	wg.Wait()
	return out
}

// job is a unit of work for Run: one check, or the checks of one batch,
// against one target.
type job struct {
	checks []int // indexes into the checks
	target int
	batch  *batch
}

// plan orders the jobs: batches first, then slow checks, then the rest,
// so that the long ones overlap the many quick ones.
func plan(checks []*Check, targets int) []job {
	var batches, slow, quick []job
	byBatch := map[*batch][]int{}
	var order []*batch
	for i, c := range checks {
		switch {
		case c.batch != nil:
			if byBatch[c.batch] == nil {
				order = append(order, c.batch)
			}
			byBatch[c.batch] = append(byBatch[c.batch], i)
		case c.slow:
			for k := range targets {
				slow = append(slow, job{checks: []int{i}, target: k})
			}
		default:
			for k := range targets {
				quick = append(quick, job{checks: []int{i}, target: k})
			}
		}
	}
	for _, b := range order {
		for k := range targets {
			batches = append(batches, job{checks: byBatch[b], target: k, batch: b})
		}
	}
	return append(append(batches, slow...), quick...)
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
	fill(&r, o)
	return r
}

// runBatch runs the checks of a batch against one target.
func runBatch(ctx context.Context, b *batch, checks []*Check, env *Env) []reports.Check {
	out := make([]reports.Check, len(checks))
	for i, c := range checks {
		out[i] = Record(c, env.Target.Name)
	}
	if ctx.Err() != nil {
		for i := range out {
			out[i].Verdict, out[i].Reason = reports.Skip, "not run: the run was canceled"
		}
		return out
	}
	began := time.Now()
	outs := b.run(ctx, env, checks)
	each := time.Since(began) / time.Duration(len(checks))
	for i := range out {
		out[i].Duration = reports.Millis(each)
		fill(&out[i], outs[i])
	}
	return out
}

func fill(r *reports.Check, o Outcome) {
	r.Verdict, r.Reason, r.Wire = o.Verdict, o.Reason, o.Wire
	if o.Duration > 0 {
		r.Duration = reports.Millis(o.Duration)
	}
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
