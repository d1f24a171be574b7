package differential

import (
	"context"
	"fmt"
	"time"
)

// Oracle is an HTTP/1.x implementation that reads an input into an
// Outcome. An error from Parse is a failure of the harness (the oracle
// could not be asked), not a rejection of the input, which is an Outcome
// with EndRejected.
type Oracle interface {
	Name() string
	Parse(ctx context.Context, in Input) (Outcome, error)
	Close() error
}

// Result is the comparison of our parser with one other oracle on one
// input, with the known differences that cover it.
type Result struct {
	Input        Input
	Oracle       string
	Ours, Theirs Outcome
	Comparison
	// RejectionKnown is the id of the entry that covers a one-sided
	// rejection ("" when none does, or the class is not one).
	RejectionKnown string
	// Duration is the time both oracles took.
	Duration time.Duration
}

// Unknown lists, in words, every part of the result that is a
// disagreement not covered by the known list: a one-sided rejection, and
// each uncovered difference. It is empty when the result needs no
// attention.
func (r Result) Unknown() []string {
	var out []string
	if (r.Class == ClassOnlyOursRejects || r.Class == ClassOnlyTheirsRejects) && r.RejectionKnown == "" {
		out = append(out, r.rejection())
	}
	for _, d := range r.Differences {
		if d.Known == "" {
			out = append(out, fmt.Sprintf("%s difference at %s", d.Danger, d))
		}
	}
	return out
}

// UnknownDanger is the highest danger among the differences the known
// list does not cover (DangerNone when there are none).
func (r Result) UnknownDanger() Danger {
	var d Danger
	for _, x := range r.Differences {
		if x.Known == "" {
			d = max(d, x.Danger)
		}
	}
	return d
}

// rejection describes a one-sided rejection.
func (r Result) rejection() string {
	x, y := r.Sides()
	if r.Class == ClassOnlyOursRejects {
		return fmt.Sprintf("only %s rejects (%s); %s reads %d message(s), ending %s",
			x, endText(r.Ours.End), y, len(r.Theirs.Messages), r.Theirs.End.Kind)
	}
	return fmt.Sprintf("only %s rejects (%s); %s reads %d message(s), ending %s",
		y, endText(r.Theirs.End), x, len(r.Ours.Messages), r.Ours.End.Kind)
}

// Differ compares our parser with other oracles.
type Differ struct {
	// Ours is our parser's oracle (Ours{} when nil).
	Ours Oracle
	// Others are the oracles compared with ours.
	Others []Oracle
	// Known covers intended differences; nil covers none.
	Known *KnownList
}

// Check reads in with our parser and with every other oracle, and returns
// one Result per other oracle, in order.
func (d *Differ) Check(ctx context.Context, in Input) ([]Result, error) {
	in = in.Resolve()
	ours := d.Ours
	if ours == nil {
		ours = Ours{}
	}
	start := time.Now()
	our, err := ours.Parse(ctx, in)
	if err != nil {
		return nil, fmt.Errorf("%s: %s: %w", in.Name, ours.Name(), err)
	}
	oursTook := time.Since(start)
	results := make([]Result, 0, len(d.Others))
	for _, o := range d.Others {
		start := time.Now()
		their, err := o.Parse(ctx, in)
		if err != nil {
			return nil, fmt.Errorf("%s: %s: %w", in.Name, o.Name(), err)
		}
		r := Result{Input: in, Oracle: o.Name(), Ours: our, Theirs: their,
			Comparison: Compare(our, their), Duration: oursTook + time.Since(start)}
		d.Known.Apply(&r)
		results = append(results, r)
	}
	return results, nil
}

// Apply records in r which entries cover its rejection and differences.
// The first matching entry, in file order, is the one recorded.
func (l *KnownList) Apply(r *Result) {
	if l == nil {
		return
	}
	for _, k := range l.Entries {
		if r.RejectionKnown == "" && k.matchRejection(r.Oracle, r.Input, r.Comparison, r.Ours, r.Theirs) {
			r.RejectionKnown = k.ID
		}
	}
	for i := range r.Differences {
		for _, k := range l.Entries {
			if k.matchDifference(r.Oracle, r.Input, r.Comparison, r.Ours, r.Theirs, r.Differences[i]) {
				r.Differences[i].Known = k.ID
				break
			}
		}
	}
}

// Lookup returns the entry with the given id.
func (l *KnownList) Lookup(id string) (*Known, bool) {
	if l == nil {
		return nil, false
	}
	for _, k := range l.Entries {
		if k.ID == id {
			return k, true
		}
	}
	return nil, false
}
