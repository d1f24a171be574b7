package reports

import (
	"testing"

	"github.com/google/go-cmp/cmp"
)

func checksWith(vs ...Verdict) *Results {
	r := &Results{Targets: []Target{{Name: "t"}}}
	for i, v := range vs {
		r.Checks = append(r.Checks, Check{ID: string(rune('a' + i)), Target: "t", Verdict: v})
	}
	return r
}

// TestExitCode checks the exit status derived from verdicts.
func TestExitCode(t *testing.T) {
	tests := []struct {
		name   string
		reason string
		res    *Results
		want   int
	}{
		{"nothing", "no checks: nothing failed", checksWith(), ExitOK},
		{"all pass", "conformant", checksWith(Pass, Pass), ExitOK},
		{"warn info skip", "SHOULD misses and notes do not fail a run", checksWith(Pass, Warn, Info, Skip), ExitOK},
		{"one fail", "a broken MUST is non-conformance", checksWith(Pass, Fail), ExitFound},
		{"error", "the harness could not decide", checksWith(Pass, Error), ExitHarness},
		{"fail and error", "a found non-conformance outranks a harness error", checksWith(Error, Fail), ExitFound},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := ExitCode(tt.res); got != tt.want {
				t.Errorf("ExitCode = %d, want %d (%s)", got, tt.want, tt.reason)
			}
		})
	}
}

// TestSummarize checks the per-target summary by level and family.
func TestSummarize(t *testing.T) {
	got := Summarize(sampleResults())
	want := []TargetSummary{
		{
			Target: sampleResults().Targets[0],
			Total:  Counts{Pass: 6, Info: 1},
			ByLevel: []Group{
				{Name: "MUST", Counts: Counts{Pass: 4}},
				{Name: "SHOULD", Counts: Counts{Pass: 1}},
				{Name: "MAY", Counts: Counts{Info: 1}},
				{Name: "no level", Counts: Counts{Pass: 1}},
			},
			ByFamily: []Group{
				{Name: "request-line", Counts: Counts{Pass: 1, Info: 1}},
				{Name: "framing", Counts: Counts{Pass: 1}},
				{Name: "host", Counts: Counts{Pass: 1}},
				{Name: "fields", Counts: Counts{Pass: 2}},
				{Name: "timeouts", Counts: Counts{Pass: 1}},
			},
		},
		{
			Target: sampleResults().Targets[1],
			Total:  Counts{Pass: 1, Warn: 1, Fail: 1, Info: 1, Skip: 1, Error: 2},
			ByLevel: []Group{
				{Name: "MUST", Counts: Counts{Pass: 1, Fail: 1, Skip: 1, Error: 1}},
				{Name: "SHOULD", Counts: Counts{Warn: 1}},
				{Name: "MAY", Counts: Counts{Info: 1}},
				{Name: "no level", Counts: Counts{Error: 1}},
			},
			ByFamily: []Group{
				{Name: "request-line", Counts: Counts{Pass: 1, Info: 1}},
				{Name: "framing", Counts: Counts{Fail: 1}},
				{Name: "host", Counts: Counts{Skip: 1}},
				{Name: "fields", Counts: Counts{Warn: 1, Error: 1}},
				{Name: "timeouts", Counts: Counts{Error: 1}},
			},
		},
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("Summarize (-want +got):\n%s", diff)
	}
}

// TestLevelBase checks that negative levels fold into positive ones.
func TestLevelBase(t *testing.T) {
	for l, want := range map[Level]Level{Must: Must, MustNot: Must, Should: Should, ShouldNot: Should, May: May, NoLevel: NoLevel} {
		if got := l.Base(); got != want {
			t.Errorf("%q.Base() = %q, want %q", l, got, want)
		}
	}
}

// TestMerge checks that results from several files become one matrix.
func TestMerge(t *testing.T) {
	run := func(target string, ids ...string) *Results {
		r := &Results{Schema: Schema, Runs: []Run{{Tool: "conform", Targets: []string{target}}}, Targets: []Target{{Name: target, Address: target + ":80"}}}
		for _, id := range ids {
			r.Checks = append(r.Checks, Check{ID: id, Target: target, Verdict: Pass})
		}
		return r
	}
	type outline struct {
		Targets []string
		Runs    [][]string // targets of each run, with its source
		Checks  []string   // target/id
	}
	summarize := func(r *Results) outline {
		var o outline
		for _, t := range r.Targets {
			o.Targets = append(o.Targets, t.Name)
		}
		for _, run := range r.Runs {
			o.Runs = append(o.Runs, append([]string{run.Source}, run.Targets...))
		}
		for _, c := range r.Checks {
			o.Checks = append(o.Checks, c.Target+"/"+c.ID)
		}
		return o
	}
	tests := []struct {
		name    string
		reason  string
		in      []*Results
		sources []string
		want    outline
	}{
		{
			"different targets", "each target its own column",
			[]*Results{run("nginx", "a", "b"), run("node", "a", "b")}, []string{"n.json", "o.json"},
			outline{Targets: []string{"nginx", "node"}, Runs: [][]string{{"n.json", "nginx"}, {"o.json", "node"}}, Checks: []string{"nginx/a", "nginx/b", "node/a", "node/b"}},
		},
		{
			"same target, other checks", "two suites run separately against one server share a column",
			[]*Results{run("nginx", "a"), run("nginx", "b")}, nil,
			outline{Targets: []string{"nginx"}, Runs: [][]string{{"", "nginx"}, {"", "nginx"}}, Checks: []string{"nginx/a", "nginx/b"}},
		},
		{
			"same target, same checks", "a clash renames the later target, losing no check",
			[]*Results{run("nginx", "a"), run("nginx", "a"), run("nginx", "a")}, []string{"1", "2", "3"},
			outline{Targets: []string{"nginx", "nginx (2)", "nginx (3)"}, Runs: [][]string{{"1", "nginx"}, {"2", "nginx (2)"}, {"3", "nginx (3)"}}, Checks: []string{"nginx/a", "nginx (2)/a", "nginx (3)/a"}},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := Merge(tt.in, tt.sources)
			if err := got.Validate(); err != nil {
				t.Fatalf("merged results do not validate: %v", err)
			}
			if diff := cmp.Diff(tt.want, summarize(got)); diff != "" {
				t.Errorf("%s (-want +got):\n%s", tt.reason, diff)
			}
		})
	}
}
