package corpus

import (
	"bytes"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/conformhttp/conform/impl/parser"
)

var update = flag.Bool("update", false, "rewrite the golden trace blocks in cases/*.txt from the parser")

// loadDisk loads the case files from the source tree (not the embedded
// copy, which -update makes stale), rewriting their traces first when
// -update is set.
func loadDisk(t *testing.T) []*Case {
	t.Helper()
	if *update {
		updateFiles(t)
	}
	cases, err := LoadFS(os.DirFS("cases"))
	if err != nil {
		t.Fatalf("loading cases: %v", err)
	}
	return cases
}

func updateFiles(t *testing.T) {
	t.Helper()
	files, err := filepath.Glob(filepath.Join("cases", "*.txt"))
	if err != nil {
		t.Fatal(err)
	}
	for _, file := range files {
		data, err := os.ReadFile(file)
		if err != nil {
			t.Fatal(err)
		}
		cases, err := parseFile(file, data, true)
		if err != nil {
			t.Fatalf("cannot update: %v", err)
		}
		traces := map[string]map[parser.Lenient][]string{}
		for _, c := range cases {
			traces[c.ID] = map[parser.Lenient][]string{}
			for _, v := range c.Outcomes() {
				events, _ := c.Run(v.Flags, 0)
				traces[c.ID][v.Flags] = parser.Lines(events)
			}
		}
		out, err := rewriteTraces(file, data, traces)
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(out, data) {
			if err := os.WriteFile(file, out, 0o644); err != nil {
				t.Fatal(err)
			}
			t.Logf("updated %s", file)
		}
	}
}

// TestCases parses every case, under every outcome (strict and each lenient
// variant), whole and at every split size, and checks the merged trace
// against the golden block and the hand-written expectation.
func TestCases(t *testing.T) {
	for _, c := range loadDisk(t) {
		t.Run(c.ID, func(t *testing.T) {
			t.Parallel()
			// Problems are differences from what the case file says, other
			// than a stale golden block: a split that changes the trace, or
			// an outcome that misses the hand-written expectation.
			var problems []string
			for _, v := range c.Outcomes() {
				name := "strict"
				if v.Flags != 0 {
					name = "lenient " + v.Flags.String()
				}
				if v.Trace == nil {
					t.Errorf("%s:%d: %s: no golden trace; run go test ./corpus -update", c.File, v.Line, name)
					continue
				}
				events, _ := c.Run(v.Flags, 0)
				if diff := cmp.Diff(v.Trace, parser.Lines(events)); diff != "" {
					t.Errorf("%s:%d: %s: whole-input trace differs from the golden block (-want +got):\n%s", c.File, v.Line, name, diff)
					continue
				}
				for split := 1; split < len(c.input); split++ {
					ev, _ := c.Run(v.Flags, split)
					if diff := cmp.Diff(v.Trace, parser.Lines(ev)); diff != "" {
						problems = append(problems, fmt.Sprintf("%s: trace at split size %d differs from the whole-input trace (-want +got):\n%s", name, split, diff))
						break
					}
				}
				if err := v.Expect.Check(events); err != nil {
					problems = append(problems, name+": "+err.Error())
				}
			}
			switch {
			case c.KnownDeviation == "":
				for _, p := range problems {
					t.Errorf("%s:%d: %s", c.File, c.Line, p)
				}
			case len(problems) == 0:
				t.Errorf("%s:%d: the parser now does what the case expects; remove known-deviation: %s", c.File, c.Line, c.KnownDeviation)
			default:
				t.Logf("known deviation (%s):\n%s", c.KnownDeviation, strings.Join(problems, "\n"))
			}
		})
	}
}

// TestEmbedded checks that the embedded copy loads and holds the same cases
// as the source tree.
func TestEmbedded(t *testing.T) {
	embeddedCases, err := Load()
	if err != nil {
		t.Fatalf("Load: %v", err)
	}
	if *update {
		t.Skip("-update rewrote the files after they were embedded")
	}
	disk, err := LoadFS(os.DirFS("cases"))
	if err != nil {
		t.Fatal(err)
	}
	ids := func(cs []*Case) []string {
		var out []string
		for _, c := range cs {
			out = append(out, c.ID)
		}
		return out
	}
	if diff := cmp.Diff(ids(disk), ids(embeddedCases)); diff != "" {
		t.Errorf("embedded case ids differ from cases/ (-want +got):\n%s", diff)
	}
}

// TestCoverage checks the breadth the catalogue promises: enough cases,
// every method, and every lenient mode shown both refused (strict) and
// accepted (with the flag alone).
func TestCoverage(t *testing.T) {
	cases := loadDisk(t)
	if len(cases) < 300 {
		t.Errorf("corpus has %d cases; it promises at least 300", len(cases))
	}
	methods := map[string]bool{}
	for _, c := range cases {
		events, _ := c.Run(0, 0)
		for _, ev := range events {
			if ev.Kind == parser.EvSpan && ev.Span == parser.SpanMethod {
				methods[string(ev.Data)] = true
			}
		}
	}
	for _, m := range parser.Methods() {
		if !methods[m.String()] {
			t.Errorf("no case parses a %s request", m)
		}
	}
	for _, name := range parser.LenientNames() {
		flag, err := parser.ParseLenient(name)
		if err != nil {
			t.Fatal(err)
		}
		shown := false
		for _, c := range cases {
			for _, v := range c.Lenient {
				if v.Flags == flag && v.Expect.Code != c.Expect.Code {
					shown = true
				}
			}
		}
		if !shown {
			t.Errorf("no case shows lenient mode %s alone changing the outcome", name)
		}
	}
	levels := map[Level]int{}
	for _, c := range cases {
		levels[c.Level]++
	}
	for _, l := range []Level{Must, Should, May} {
		if levels[l] == 0 {
			t.Errorf("no case at level %s", l)
		}
	}
}

// TestServerRulesAllowRejection checks each request case's server rule
// against the strict expectation: when the parser refuses the bytes, a
// server that answers 400 and closes must pass, since refusing what RFC 9112
// does not allow is always conformant. Cases whose refusal comes from the
// parser's configuration (MaxHeaderSize) rather than from the bytes, and
// known deviations, are exempt.
func TestServerRulesAllowRejection(t *testing.T) {
	for _, c := range loadDisk(t) {
		if c.Server == nil || c.KnownDeviation != "" || c.MaxHeaderSize != 0 {
			continue
		}
		if c.Expect.Code == parser.OK || c.Expect.Code == parser.ErrPausedUpgrade || c.Expect.Messages > 0 {
			continue
		}
		if ok, why := c.Server.Judge(Observation{Statuses: []int{400}, Closed: true}); !ok {
			t.Errorf("%s:%d: %s: the parser refuses it, but the rule fails a 400 and close: %s", c.File, c.Line, c.ID, why)
		}
	}
}
