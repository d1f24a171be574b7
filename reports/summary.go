package reports

// Counts is a number of checks per verdict.
type Counts struct {
	Pass, Warn, Fail, Info, Skip, Error int
}

// Add counts one check with verdict v.
func (c *Counts) Add(v Verdict) {
	switch v {
	case Pass:
		c.Pass++
	case Warn:
		c.Warn++
	case Fail:
		c.Fail++
	case Info:
		c.Info++
	case Skip:
		c.Skip++
	case Error:
		c.Error++
	}
}

// Total is the number of checks counted.
func (c Counts) Total() int { return c.Pass + c.Warn + c.Fail + c.Info + c.Skip + c.Error }

// Of returns the count for verdict v.
func (c Counts) Of(v Verdict) int {
	switch v {
	case Pass:
		return c.Pass
	case Warn:
		return c.Warn
	case Fail:
		return c.Fail
	case Info:
		return c.Info
	case Skip:
		return c.Skip
	case Error:
		return c.Error
	}
	return 0
}

// Tally counts the verdicts of checks.
func Tally(checks []Check) Counts {
	var c Counts
	for i := range checks {
		c.Add(checks[i].Verdict)
	}
	return c
}

// Exit statuses derived from results, as conform's documentation lists
// them.
const (
	ExitOK      = 0 // no check failed and none had a harness error
	ExitHarness = 1 // at least one check ended in error, none failed
	ExitFound   = 3 // at least one check failed: non-conformance found
)

// ExitCode derives the exit status from results: ExitFound when a check
// failed (a MUST broken; a found non-conformance outranks a harness
// error), else ExitHarness when a check ended in error, else ExitOK.
// Warnings, info and skips do not change it.
func ExitCode(r *Results) int {
	c := Tally(r.Checks)
	switch {
	case c.Fail > 0:
		return ExitFound
	case c.Error > 0:
		return ExitHarness
	}
	return ExitOK
}

// Group is a row of a summary: a name and the verdicts of its checks.
type Group struct {
	Name   string
	Counts Counts
}

// TargetSummary is the summary of one target's checks.
type TargetSummary struct {
	Target   Target
	Total    Counts
	ByLevel  []Group // MUST, SHOULD, MAY, none; levels without checks left out
	ByFamily []Group // families in order of first appearance
}

// Summarize returns a summary per target, in the order of r.Targets.
func Summarize(r *Results) []TargetSummary {
	out := make([]TargetSummary, len(r.Targets))
	index := map[string]int{}
	for i, t := range r.Targets {
		out[i].Target = t
		index[t.Name] = i
	}
	levels := make([]map[Level]*Counts, len(out))
	families := make([]map[string]int, len(out))
	for i := range out {
		levels[i] = map[Level]*Counts{}
		families[i] = map[string]int{}
	}
	for _, c := range r.Checks {
		i, ok := index[c.Target]
		if !ok {
			continue
		}
		s := &out[i]
		s.Total.Add(c.Verdict)
		lc := levels[i][c.Level.Base()]
		if lc == nil {
			lc = new(Counts)
			levels[i][c.Level.Base()] = lc
		}
		lc.Add(c.Verdict)
		f, ok := families[i][c.Family]
		if !ok {
			f = len(s.ByFamily)
			families[i][c.Family] = f
			s.ByFamily = append(s.ByFamily, Group{Name: c.Family})
		}
		s.ByFamily[f].Counts.Add(c.Verdict)
	}
	for i := range out {
		for _, l := range baseLevels {
			if lc := levels[i][l]; lc != nil {
				name := string(l)
				if l == NoLevel {
					name = "no level"
				}
				out[i].ByLevel = append(out[i].ByLevel, Group{Name: name, Counts: *lc})
			}
		}
	}
	return out
}
