package engine

import (
	"context"
	"fmt"
	"path"
	"slices"
	"strings"
	"time"

	"github.com/conformhttp/conform/reports"
)

// Check is one live check: what it sends, what it tests, and how it grades
// what a target did.
type Check struct {
	// ID names the check; it is unique among all checks.
	ID string
	// Suite is where the check comes from (see Suites).
	Suite string
	// Family groups checks in reports: a corpus topic, or the suite.
	Family string
	// Title says in a few words what the check sends.
	Title string
	// RFC are the sections whose requirement the check tests.
	RFC []reports.Ref
	// Level is the requirement level of that rule (NoLevel for an
	// observation that is not graded against the RFC).
	Level reports.Level
	// Expected says what a conforming target may do.
	Expected string

	// run probes the target of env and grades what happened.
	run func(ctx context.Context, env *Env) Outcome
	// slow marks a check that waits for a target's timeout: Run starts
	// such checks first, so that they overlap the many quick ones.
	slow bool
	// batch, when set, runs the check together with the other selected
	// checks of the same batch, instead of run.
	batch *batch
}

// Outcome is a graded check: its verdict, why, and the wire log.
type Outcome struct {
	Verdict reports.Verdict
	Reason  string
	Wire    *reports.Wire
	// Duration, when set, is how long the check took; otherwise the
	// runner measures it.
	Duration time.Duration
}

// The suites, in the order checks are listed and run.
const (
	SuiteCorpus     = "corpus"
	SuitePipelining = "pipelining"
	SuiteConnect    = "connect"
	SuiteTimeouts   = "timeouts"
	SuiteFeatures   = "features"
)

// Suites returns the names of the suites the engine runs.
func Suites() []string {
	return []string{SuiteCorpus, SuitePipelining, SuiteConnect, SuiteTimeouts, SuiteFeatures}
}

// Filter selects checks.
type Filter struct {
	// Suites keeps the checks of these suites; empty keeps all.
	Suites []string
	// Only keeps the checks whose id matches one of these patterns
	// (path.Match syntax: "te-*", "pipeline-order-?"); empty keeps all.
	Only []string
	// Levels keeps the checks at these levels, negative levels counting
	// as their positive (MUST NOT as MUST); NoLevel selects the checks
	// without a level. Empty keeps all.
	Levels []reports.Level
}

// Validate checks the filter's names and patterns; its error says how to
// fix them.
func (f Filter) Validate() error {
	for _, s := range f.Suites {
		if !slices.Contains(Suites(), s) {
			return fmt.Errorf("unknown suite %q; the suites are %s", s, strings.Join(Suites(), ", "))
		}
	}
	for _, p := range f.Only {
		if _, err := path.Match(p, ""); err != nil {
			return fmt.Errorf("bad pattern %q: %v (patterns use * ? and [...], as in shell globs)", p, err)
		}
	}
	for _, l := range f.Levels {
		if l != l.Base() || !l.Valid() {
			return fmt.Errorf("unknown level %q; the levels are MUST, SHOULD, MAY and none (MUST NOT counts as MUST)", l)
		}
	}
	return nil
}

// keep reports whether the filter selects c.
func (f Filter) keep(c *Check) bool {
	if len(f.Suites) > 0 && !slices.Contains(f.Suites, c.Suite) {
		return false
	}
	if len(f.Levels) > 0 && !slices.Contains(f.Levels, c.Level.Base()) {
		return false
	}
	if len(f.Only) == 0 {
		return true
	}
	for _, p := range f.Only {
		if ok, _ := path.Match(p, c.ID); ok {
			return true
		}
	}
	return false
}

// Select returns the checks the filter keeps, in order.
func Select(checks []*Check, f Filter) []*Check {
	var out []*Check
	for _, c := range checks {
		if f.keep(c) {
			out = append(out, c)
		}
	}
	return out
}

// grade turns a judgement into a verdict at the check's level: a broken
// MUST fails, a missed SHOULD warns, anything weaker is information.
func grade(level reports.Level, ok bool) reports.Verdict {
	if ok {
		return reports.Pass
	}
	switch level.Base() {
	case reports.Must:
		return reports.Fail
	case reports.Should:
		return reports.Warn
	}
	return reports.Info
}

// ref builds an RFC reference.
func ref(rfc int, section string) reports.Ref { return reports.NewRef(rfc, section) }
